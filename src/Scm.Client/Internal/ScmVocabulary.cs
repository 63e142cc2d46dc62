using System.Globalization;

namespace Scm.Client.Internal;

/// <summary>One value of a vendor vocabulary: its spelling in the REST API 25.5 document and in the Admin API OpenAPI 25.9.2 (null where that document lacks it).</summary>
internal readonly record struct ScmTerm(string? Rest25_5, string? Admin25_9)
{
    public string? For(ScmApiVersion version) => version == ScmApiVersion.Admin25_9 ? Admin25_9 : Rest25_5;
}

/// <summary>
/// The values the client sends where SCM documents a closed set, per API document, each as the documents spell it
/// (contract tests compare these tables with both vendor documents). A caller's value is matched against either
/// spelling (case, spaces, underscores and hyphens ignored) and sent in the configured version's spelling; a value the
/// configured version does not document is refused before any request, naming the field and the version.
/// </summary>
internal static class ScmVocabulary
{
    /// <summary><c>GET /ssl/v1</c> <c>status</c>. 25.5 adds the deprecated <c>Unmanaged</c>; the SA step is spelled differently.</summary>
    public static readonly ScmTerm[] SslStatus =
    [
        new("Invalid", "Invalid"), new("Requested", "Requested"), new("Approved", "Approved"), new("Declined", "Declined"),
        new("Applied", "Applied"), new("Issued", "Issued"), new("Revoked", "Revoked"), new("Expired", "Expired"),
        new("Replaced", "Replaced"), new("Rejected", "Rejected"), new("Unmanaged", null), new("SAApproved", "SA Approved"),
        new("Init", "Init"),
    ];

    /// <summary><c>GET /ssl/v1</c> <c>installStatus</c>: UPPER_SNAKE in 25.5, display strings in 25.9 (same order in both documents).</summary>
    public static readonly ScmTerm[] InstallStatus =
    [
        new("NONE", "Not configured"), new("NOT_STARTED", "Not started"), new("KEY_PROCESSING", "Key processing"),
        new("KEY_READY", "Key and CSR ready"), new("CERT_PROCESSING", "Certificate processing"), new("SCHEDULED", "Installation scheduled"),
        new("INSTALLING", "Installation processing"), new("ACTION_REQUIRED", "Action required"), new("READY_FOR_INSTALL", "Ready for install"),
        new("NEED_SERVER_RESTART", "Server restart required"), new("COMPLETED", "Completed"), new("INVALID", "Invalid configuration"),
    ];

    /// <summary><c>GET /ssl/v1</c> <c>renewalStatus</c>.</summary>
    public static readonly ScmTerm[] RenewalStatus =
    [
        new("NOT_SCHEDULED", "Not scheduled"), new("SCHEDULED", "Scheduled"), new("STARTED", "Started"),
        new("SUCCESSFUL", "Successful"), new("FAILED", "Failed"),
    ];

    /// <summary><c>GET /ssl/v1</c> <c>requestedVia</c>.</summary>
    public static readonly ScmTerm[] RequestedVia =
    [
        new("WEB_FORM", "Enrollment Form"), new("CLIENT_ADMIN", "Client Admin"), new("API", "Web API"), new("DISCOVERY", "Discovery"),
        new("IMPORTED", "Imported"), new("SCEP", "SCEP"), new("CD_AGENT", "CD Agent"), new("MS_AGENT", "MS Agent"), new("MS_CA", "MS CA"),
        new("BULK_REQUEST", "Bulk Request"), new("ACME", "ACME"), new("EST", "EST"), new("REST", "REST API"),
    ];

    /// <summary><c>GET /ssl/v1</c> <c>discoveryStatus</c> (deprecated in both).</summary>
    public static readonly ScmTerm[] DiscoveryStatus = [new("NotDeployed", "NotDeployed"), new("Deployed", "Deployed")];

    /// <summary><c>GET /domain/v1</c> <c>state</c>: lower case in both documents (the details' <c>ACTIVE</c>/<c>SUSPENDED</c> are no filter values).</summary>
    public static readonly ScmTerm[] DomainState = [new("active", "active"), new("inactive", "inactive")];

    /// <summary><c>GET /domain/v1</c> <c>status</c> (delegation).</summary>
    public static readonly ScmTerm[] DomainDelegationStatus = [new("requested", "requested"), new("approved", "approved")];

    /// <summary>Enroll, renew, replace <c>dcvMode</c>: <c>AUTO</c> only in 25.9.</summary>
    public static readonly ScmTerm[] DcvMode =
    [
        new("CNAME", "CNAME"), new("EMAIL", "EMAIL"), new("HTTP", "HTTP"), new("HTTPS", "HTTPS"), new("TXT", "TXT"), new(null, "AUTO"),
    ];

    /// <summary>
    /// <c>GET /dcv/v*/validation</c> <c>dcvStatus</c>: the OpenAPI's <c>DcvStatus</c> enum (display strings) in 25.9; in
    /// 25.5, which lists no filter values, the UPPER_SNAKE form its DCV examples answer with.
    /// </summary>
    public static readonly ScmTerm[] DcvStatus = [new("NOT_VALIDATED", "Not validated"), new("VALIDATED", "Validated"), new("EXPIRED", "Expired")];

    /// <summary>
    /// <c>GET /dcv/v*/validation</c> <c>orderStatus</c>: the OpenAPI's <c>DcvOrderStatus</c> enum in 25.9; UPPER_SNAKE in
    /// 25.5 (its examples show <c>NOT_INITIATED</c> and <c>SUBMITTED</c>; the other two follow the same rule).
    /// </summary>
    public static readonly ScmTerm[] DcvOrderStatus =
    [
        new("NOT_INITIATED", "Not initiated"), new("AWAITING_SUBMISSION", "Awaiting submission"), new("SUBMITTED", "Submitted"), new("REJECTED", "Rejected"),
    ];

    /// <summary><c>enroll-keygen</c> <c>keyGenerationMethod</c>.</summary>
    public static readonly ScmTerm[] KeyGenerationMethod = [new("PK_AGENT", "PK_AGENT"), new("AZURE_KEY_VAULT", "AZURE_KEY_VAULT")];

    /// <summary><c>enroll-keygen</c> <c>algorithm</c>.</summary>
    public static readonly ScmTerm[] KeyAlgorithm = [new("RSA", "RSA"), new("EC", "EC")];

    /// <summary><c>PUT /ssl/v1</c> <c>autoRenewDetails.state</c> (the two values a client may set).</summary>
    public static readonly ScmTerm[] AutoRenewWritableState = [new("Not scheduled", "Not scheduled"), new("Scheduled", "Scheduled")];

    /// <summary><c>/ssl/v1/keystore/{sslId}/{formatType}</c> <c>formatType</c>.</summary>
    public static readonly ScmTerm[] KeystoreFormat = [new("key", "key"), new("p12", "p12"), new("p12aes", "p12aes"), new("jks", "jks"), new("pem", "pem")];

    /// <summary><c>organization/v1/managedBy|managed-by/{role}</c> <c>role</c>.</summary>
    public static readonly ScmTerm[] OrganizationRole =
    [
        new("MRAO", "MRAO"), new("RAO_SSL", "RAO_SSL"), new("RAO_SMIME", "RAO_SMIME"), new("RAO_CS", "RAO_CS"), new("RAO_DEVICE", "RAO_DEVICE"),
        new("DRAO_SSL", "DRAO_SSL"), new("DRAO_SMIME", "DRAO_SMIME"), new("DRAO_CS", "DRAO_CS"), new("DRAO_DEVICE", "DRAO_DEVICE"),
    ];

    /// <summary><c>GET /customField/v2</c> <c>certType</c>: <c>CodeSign</c> only in 25.5 (25.9 lists it for the field itself, not the filter).</summary>
    public static readonly ScmTerm[] CustomFieldCertificateType = [new("SSL", "SSL"), new("SMIME", "SMIME"), new("CodeSign", null), new("Device", "Device")];

    /// <summary>Revoke <c>reasonCode</c>: a number in 25.5, a string in 25.9; the same values.</summary>
    public static readonly ScmTerm[] RevocationReasonCode = [new("0", "0"), new("1", "1"), new("3", "3"), new("4", "4"), new("5", "5")];

    /// <summary>Report <c>certificateStatus</c> (11 External is deprecated in both and not sent).</summary>
    public static readonly ScmTerm[] ReportCertificateStatus = [new("0", "0"), new("1", "1"), new("2", "2"), new("3", "3"), new("4", "4")];

    /// <summary>Report <c>certificateDateAttribute</c>.</summary>
    public static readonly ScmTerm[] ReportDateAttribute = [new("2", "2"), new("3", "3"), new("4", "4"), new("5", "5")];

    /// <summary>Report <c>certificateRequestSource</c>.</summary>
    public static readonly ScmTerm[] ReportRequestSource =
    [
        new("0", "0"), new("1", "1"), new("2", "2"), new("3", "3"), new("4", "4"), new("5", "5"), new("7", "7"), new("9", "9"),
        new("10", "10"), new("11", "11"), new("12", "12"),
    ];

    /// <summary>The name of a version in messages.</summary>
    public static string Describe(ScmApiVersion version) => version == ScmApiVersion.Admin25_9 ? "the Admin API 25.9 (ApiVersion Admin25_9)" : "the REST API 25.5 (ApiVersion Rest25_5)";

    /// <summary>The configured version's spelling of <paramref name="value"/>, or an <see cref="ArgumentException"/> naming the field.</summary>
    /// <param name="version">The configured version.</param>
    /// <param name="terms">The vocabulary.</param>
    /// <param name="value">The caller's value (either spelling).</param>
    /// <param name="field">The field, as the caller knows it (e.g. <c>filter.InstallStatus</c>).</param>
    public static string Wire(ScmApiVersion version, ScmTerm[] terms, string value, string field)
    {
        foreach (var term in terms)
        {
            if (Matches(term.Rest25_5, value) || Matches(term.Admin25_9, value))
            {
                return term.For(version) ?? throw new ArgumentException(
                    field + " '" + value + "' is not documented by " + Describe(version) + "; it is a value of "
                    + Describe(version == ScmApiVersion.Admin25_9 ? ScmApiVersion.Rest25_5 : ScmApiVersion.Admin25_9) + " only. Allowed: "
                    + Allowed(version, terms) + ".", field);
            }
        }

        throw new ArgumentException(field + " must be one of " + Allowed(version, terms) + " (" + Describe(version) + "); got '" + value + "'.", field);
    }

    /// <summary>The configured version's spelling of a numeric code.</summary>
    public static string Wire(ScmApiVersion version, ScmTerm[] terms, int value, string field) =>
        Wire(version, terms, value.ToString(CultureInfo.InvariantCulture), field);

    public static string Allowed(ScmApiVersion version, ScmTerm[] terms) =>
        string.Join(", ", terms.Select(t => t.For(version)).Where(t => t is not null));

    private static bool Matches(string? spelling, string value) => spelling is not null && ScmStringValue.AreEqual(spelling, value);
}

/// <summary>A code SCM's two documents type differently: a JSON number (REST API 25.5) or a JSON string (Admin API 25.9).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ScmWireCodeConverter))]
internal readonly record struct ScmWireCode(int Value, bool AsString)
{
    public static ScmWireCode For(ScmApiVersion version, int value) => new(value, version == ScmApiVersion.Admin25_9);
}

internal sealed class ScmWireCodeConverter : System.Text.Json.Serialization.JsonConverter<ScmWireCode>
{
    public override ScmWireCode Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        var asString = reader.TokenType == System.Text.Json.JsonTokenType.String;
        var value = Json.ScmJson.ReadFlexibleInt64(ref reader) ?? throw new System.Text.Json.JsonException("Expected a code.");
        return new ScmWireCode((int)value, asString);
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, ScmWireCode value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value.AsString)
        {
            writer.WriteStringValue(value.Value.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNumberValue(value.Value);
        }
    }
}
