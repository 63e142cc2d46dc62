using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;
using Scm.Client.Internal.Wire;

namespace Scm.Client;

/// <summary>One row of the SSL certificate list (<c>GET /ssl/v1</c>).</summary>
public sealed class SslCertificateSummary
{
    /// <summary>The certificate's id.</summary>
    [JsonPropertyName("sslId")]
    public long SslId { get; init; }

    /// <summary>The common name.</summary>
    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    /// <summary>The subject alternative names; null when SCM omitted them.</summary>
    [JsonPropertyName("subjectAlternativeNames")]
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>The serial number; empty or null until issued.</summary>
    [JsonPropertyName("serialNumber")]
    public string? SerialNumber { get; init; }
}

/// <summary>A page of a list plus SCM's total count.</summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class ScmPage<T>
{
    /// <summary>Creates a page.</summary>
    /// <param name="items">The rows.</param>
    /// <param name="position">The 0-based offset requested.</param>
    /// <param name="size">The page size requested.</param>
    /// <param name="totalCount">The total from <c>X-Total-Count</c>, when sent.</param>
    public ScmPage(IReadOnlyList<T> items, int position, int size, int? totalCount)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = items;
        Position = position;
        Size = size;
        TotalCount = totalCount;
    }

    /// <summary>The rows of this page (empty, never null).</summary>
    public IReadOnlyList<T> Items { get; }

    /// <summary>The 0-based offset of the first row.</summary>
    public int Position { get; }

    /// <summary>The page size that was requested.</summary>
    public int Size { get; }

    /// <summary>The number of matching rows ignoring paging (<c>X-Total-Count</c>), or null when the header was absent.</summary>
    public int? TotalCount { get; }
}

/// <summary>An SSL certificate profile ("type"): what enroll calls <c>certType</c>.</summary>
[JsonConverter(typeof(ScmWireConverter<SslCertificateProfile, SslCertificateProfileWire>))]
public sealed class SslCertificateProfile
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> EmptyKeyTypes = new Dictionary<string, IReadOnlyList<string>>();
    private IReadOnlyList<int>? _terms;
    private IReadOnlyDictionary<string, IReadOnlyList<string>>? _keyTypes;

    /// <summary>The profile id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The display name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The description (may be empty).</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Allowed terms in days (empty when SCM did not send them).</summary>
    [JsonPropertyName("terms")]
    [JsonConverter(typeof(ScmInt32ListConverter))]
    public IReadOnlyList<int> Terms
    {
        get => _terms ?? [];
        init => _terms = value;
    }

    /// <summary>Allowed key types: algorithm (e.g. <c>RSA</c>, <c>EC</c>) to sizes or curves as strings (e.g. <c>"2048"</c>, <c>"P-256"</c>). Keys compare case-insensitively.</summary>
    [JsonPropertyName("keyTypes")]
    [JsonConverter(typeof(ScmKeyTypesConverter))]
    public IReadOnlyDictionary<string, IReadOnlyList<string>> KeyTypes
    {
        get => _keyTypes ?? EmptyKeyTypes;
        init => _keyTypes = value;
    }

    /// <summary>Whether the organization's secondary name is used in the subject.</summary>
    [JsonPropertyName("useSecondaryOrgName")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? UseSecondaryOrgName { get; init; }
}

/// <summary>An SSL custom field definition (<c>GET /ssl/v1/customFields</c>).</summary>
public sealed class SslCustomField
{
    /// <summary>The field id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The field name (used in enroll's <c>customFields</c>).</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Whether enroll must supply it (SCM error -62 otherwise).</summary>
    [JsonPropertyName("mandatory")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? Mandatory { get; init; }
}

/// <summary>A custom field value (<c>{name, value}</c>), in requests and details.</summary>
public sealed class CustomFieldValue
{
    /// <summary>Creates a value.</summary>
    /// <param name="name">The field name (1..256 characters).</param>
    /// <param name="value">The value (0..256 characters; DATE fields use <c>yyyy-MM-dd</c>).</param>
    [JsonConstructor]
    public CustomFieldValue(string name, string? value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The field name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; }

    /// <summary>The value.</summary>
    [JsonPropertyName("value")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Value { get; }
}

/// <summary>The result of an enroll: the new certificate id and its renew id.</summary>
public sealed class SslEnrollResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="sslId">The new certificate id.</param>
    /// <param name="renewId">The renew id, if SCM returned one.</param>
    public SslEnrollResult(long sslId, string? renewId)
    {
        SslId = sslId;
        RenewId = renewId;
    }

    /// <summary>The new certificate's id.</summary>
    public long SslId { get; }

    /// <summary>The id to use with <see cref="SslCertificatesClient.RenewAsync"/>.</summary>
    public string? RenewId { get; }
}

/// <summary>The issuer, subject and hashes SCM reports for a certificate (<c>certificateDetails</c>).</summary>
public sealed class SslCertificateInfo
{
    /// <summary>The issuing CA's distinguished name.</summary>
    [JsonPropertyName("issuer")]
    public string? Issuer { get; init; }

    /// <summary>The subject distinguished name.</summary>
    [JsonPropertyName("subject")]
    public string? Subject { get; init; }

    /// <summary>The SANs as one string, e.g. <c>dNSName=a.example, dNSName=b.example</c>.</summary>
    [JsonPropertyName("subjectAltNames")]
    public string? SubjectAltNames { get; init; }

    /// <summary>MD5 hash.</summary>
    [JsonPropertyName("md5Hash")]
    public string? Md5Hash { get; init; }

    /// <summary>SHA-1 hash.</summary>
    [JsonPropertyName("sha1Hash")]
    public string? Sha1Hash { get; init; }

    /// <summary>SHA-256 hash.</summary>
    [JsonPropertyName("sha256Hash")]
    public string? Sha256Hash { get; init; }
}

/// <summary>A node of an auto-installation.</summary>
public sealed class SslAutoInstallNode
{
    /// <summary>Node name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Port.</summary>
    [JsonPropertyName("port")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? Port { get; init; }
}

/// <summary>Auto-installation state (<c>autoInstallDetails</c>).</summary>
public sealed class SslAutoInstallDetails
{
    /// <summary>The state, e.g. <c>Not configured</c>.</summary>
    [JsonPropertyName("state")]
    public SslInstallStatus? State { get; init; }

    /// <summary>The nodes.</summary>
    [JsonPropertyName("nodes")]
    public IReadOnlyList<SslAutoInstallNode>? Nodes { get; init; }
}

/// <summary>Automatic renewal settings of a certificate (<c>autoRenewDetails</c>), in details and in updates.</summary>
public sealed class SslAutoRenewDetails
{
    /// <summary>The state. Updates accept <see cref="AutoRenewState.NotScheduled"/> or <see cref="AutoRenewState.Scheduled"/>.</summary>
    [JsonPropertyName("state")]
    public AutoRenewState? State { get; init; }

    /// <summary>Days before expiry to renew (>= 1; only with Scheduled).</summary>
    [JsonPropertyName("daysBeforeExpiration")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? DaysBeforeExpiration { get; init; }
}

/// <summary>Details of one SSL certificate (<c>GET /ssl/v1/{sslId}</c>; also returned by the update).</summary>
/// <remarks>Dates are SCM's calendar dates (<c>MM/dd/yyyy</c> on the wire); take expiry from the certificate's own NotAfter.</remarks>
[JsonConverter(typeof(ScmWireConverter<SslCertificateDetails, SslCertificateDetailsWire>))]
public sealed class SslCertificateDetails
{
    private long _sslId;
    private long? _id;

    /// <summary>The certificate id (<c>sslId</c>, or <c>id</c> when only that is sent).</summary>
    [JsonPropertyName("sslId")]
    public long SslId
    {
        get => _sslId != 0 ? _sslId : _id ?? 0;
        init => _sslId = value;
    }

    [JsonInclude]
    [JsonPropertyName("id")]
    internal long? WireId
    {
        get => _id;
        init => _id = value;
    }

    /// <summary>The common name.</summary>
    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    /// <summary>The organization or department id.</summary>
    [JsonPropertyName("orgId")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? OrganizationId { get; init; }

    /// <summary>The status.</summary>
    [JsonPropertyName("status")]
    public SslCertificateStatus Status { get; init; }

    /// <summary>The CA order number (obsolete).</summary>
    [JsonPropertyName("orderNumber")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? OrderNumber { get; init; }

    /// <summary>The CA-side id, usually the order number as a string.</summary>
    [JsonPropertyName("backendCertId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? BackendCertId { get; init; }

    /// <summary>The issuing CA's name.</summary>
    [JsonPropertyName("vendor")]
    public string? Vendor { get; init; }

    /// <summary>The certificate profile (an object here, an id in enroll).</summary>
    [JsonPropertyName("certType")]
    public SslCertificateProfile? Profile { get; init; }

    /// <summary>Deprecated sub type, often empty.</summary>
    [JsonPropertyName("subType")]
    public string? SubType { get; init; }

    /// <summary>The validation type, e.g. <c>Organization Validation (OV)</c>.</summary>
    [JsonPropertyName("validationType")]
    public string? ValidationType { get; init; }

    /// <summary>The term in days.</summary>
    [JsonPropertyName("term")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? Term { get; init; }

    /// <summary>The approver's name.</summary>
    [JsonPropertyName("owner")]
    public string? Owner { get; init; }

    /// <summary>The approver's admin id.</summary>
    [JsonPropertyName("ownerId")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? OwnerId { get; init; }

    /// <summary>The requester.</summary>
    [JsonPropertyName("requester")]
    public string? Requester { get; init; }

    /// <summary>The requester's admin id.</summary>
    [JsonPropertyName("requesterId")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? RequesterId { get; init; }

    /// <summary>How it was requested.</summary>
    [JsonPropertyName("requestedVia")]
    public RequestedVia? RequestedVia { get; init; }

    /// <summary>External requester e-mail addresses, comma separated.</summary>
    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    /// <summary>The comments.</summary>
    [JsonPropertyName("comments")]
    public string? Comments { get; init; }

    /// <summary>Date requested.</summary>
    [JsonPropertyName("requested")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? RequestedOn { get; init; }

    /// <summary>Date approved.</summary>
    [JsonPropertyName("approved")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ApprovedOn { get; init; }

    /// <summary>Date issued.</summary>
    [JsonPropertyName("issued")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? IssuedOn { get; init; }

    /// <summary>Date declined.</summary>
    [JsonPropertyName("declined")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? DeclinedOn { get; init; }

    /// <summary>Expiry date as SCM reports it.</summary>
    [JsonPropertyName("expires")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ExpiresOn { get; init; }

    /// <summary>Date replaced.</summary>
    [JsonPropertyName("replaced")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ReplacedOn { get; init; }

    /// <summary>Date revoked.</summary>
    [JsonPropertyName("revoked")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? RevokedOn { get; init; }

    /// <summary>Date renewed.</summary>
    [JsonPropertyName("renewedDate")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? RenewedOn { get; init; }

    /// <summary>The RFC 5280 revocation reason code (number or string on the wire).</summary>
    [JsonPropertyName("reasonCode")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? RevocationReasonCode { get; init; }

    /// <summary>Whether the certificate was renewed.</summary>
    [JsonPropertyName("renewed")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? Renewed { get; init; }

    /// <summary>The serial number (uppercase hex with colons).</summary>
    [JsonPropertyName("serialNumber")]
    public string? SerialNumber { get; init; }

    /// <summary>The signature algorithm, e.g. <c>SHA256WITHRSA</c>.</summary>
    [JsonPropertyName("signatureAlg")]
    public string? SignatureAlgorithm { get; init; }

    /// <summary>Deprecated key algorithm.</summary>
    [JsonPropertyName("keyAlgorithm")]
    public string? KeyAlgorithm { get; init; }

    /// <summary>Deprecated key size (0 before a key is known).</summary>
    [JsonPropertyName("keySize")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? KeySize { get; init; }

    /// <summary>The key type, e.g. <c>RSA - 2048</c> or <c>EC - P-256</c>.</summary>
    [JsonPropertyName("keyType")]
    public string? KeyType { get; init; }

    /// <summary>Key usages.</summary>
    [JsonPropertyName("keyUsages")]
    public IReadOnlyList<string>? KeyUsages { get; init; }

    /// <summary>Extended key usages.</summary>
    [JsonPropertyName("extendedKeyUsages")]
    public IReadOnlyList<string>? ExtendedKeyUsages { get; init; }

    /// <summary>Subject alternative names.</summary>
    [JsonPropertyName("subjectAlternativeNames")]
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>Custom field values.</summary>
    [JsonPropertyName("customFields")]
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }

    /// <summary>Issuer, subject and hashes.</summary>
    [JsonPropertyName("certificateDetails")]
    public SslCertificateInfo? CertificateDetails { get; init; }

    /// <summary>Auto-installation state.</summary>
    [JsonPropertyName("autoInstallDetails")]
    public SslAutoInstallDetails? AutoInstallDetails { get; init; }

    /// <summary>Automatic renewal settings.</summary>
    [JsonPropertyName("autoRenewDetails")]
    public SslAutoRenewDetails? AutoRenewDetails { get; init; }

    /// <summary>Whether notifications are suspended.</summary>
    [JsonPropertyName("suspendNotifications")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? SuspendNotifications { get; init; }
}

/// <summary>The result of one item of a v2 import.</summary>
public sealed class SslImportResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="sslId">The certificate id, when imported or found.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="serialNumber">The serial number (plain hex).</param>
    /// <param name="created">Whether it was created (false when it already existed).</param>
    /// <param name="successful">SCM's success flag, when sent.</param>
    /// <param name="backendCertId">The CA-side id, when sent.</param>
    /// <param name="errorMessage">The error, when this item failed.</param>
    public SslImportResult(long? sslId, string? subject, string? serialNumber, bool created, bool? successful, string? backendCertId, string? errorMessage)
    {
        SslId = sslId;
        Subject = subject;
        SerialNumber = serialNumber;
        Created = created;
        Successful = successful;
        BackendCertId = backendCertId;
        ErrorMessage = errorMessage;
    }

    /// <summary>The certificate id.</summary>
    public long? SslId { get; }

    /// <summary>The subject.</summary>
    public string? Subject { get; }

    /// <summary>The serial number (plain hex, no colons).</summary>
    public string? SerialNumber { get; }

    /// <summary>Whether the certificate was created (false when it already existed).</summary>
    public bool Created { get; }

    /// <summary>SCM's success flag, when sent.</summary>
    public bool? Successful { get; }

    /// <summary>The CA-side id.</summary>
    public string? BackendCertId { get; }

    /// <summary>Why this item failed, or null.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Whether this item failed.</summary>
    public bool IsError => ErrorMessage is not null || Successful == false;
}

/// <summary>SCM's error object nested in successful responses (e.g. <c>dcvLog.error</c>).</summary>
public sealed class ScmErrorInfo
{
    /// <summary>The code (0 for none).</summary>
    [JsonPropertyName("code")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? Code { get; init; }

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }
}

/// <summary>One DCV log line of a certificate.</summary>
public sealed class SslDcvLogEntry
{
    /// <summary>DCV status text, e.g. <c>Awaiting Validation</c>.</summary>
    [JsonPropertyName("dcvStatus")]
    public string? DcvStatus { get; init; }

    /// <summary>The domain.</summary>
    [JsonPropertyName("domainName")]
    public string? DomainName { get; init; }

    /// <summary>Last check (SCM sends <c>yyyy-MM-dd HH:mm:ss</c>, taken as UTC).</summary>
    [JsonPropertyName("lastCheck")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? LastCheck { get; init; }

    /// <summary>Next check.</summary>
    [JsonPropertyName("nextCheck")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? NextCheck { get; init; }

    /// <summary>When DCV completed.</summary>
    [JsonPropertyName("dcvDate")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? DcvDate { get; init; }

    /// <summary>E-mail reference number.</summary>
    [JsonPropertyName("dcvEmailRefNumber")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? DcvEmailReferenceNumber { get; init; }
}

/// <summary>The DCV log of a certificate.</summary>
public sealed class SslDcvLog
{
    /// <summary>An error SCM reports in the log, if any.</summary>
    [JsonPropertyName("error")]
    public ScmErrorInfo? Error { get; init; }

    /// <summary>Log lines.</summary>
    [JsonPropertyName("log")]
    public IReadOnlyList<SslDcvLogEntry>? Entries { get; init; }
}

/// <summary>What to publish to pass DCV for one domain.</summary>
public sealed class SslDcvInstruction
{
    /// <summary>The domain.</summary>
    [JsonPropertyName("domainName")]
    public string? DomainName { get; init; }

    /// <summary>The DCV method.</summary>
    [JsonPropertyName("dcvMode")]
    public DcvMode? DcvMode { get; init; }

    /// <summary>CNAME host.</summary>
    [JsonPropertyName("host")]
    public string? Host { get; init; }

    /// <summary>CNAME target.</summary>
    [JsonPropertyName("point")]
    public string? Point { get; init; }

    /// <summary>HTTP(S) URL.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>HTTP(S) file content.</summary>
    [JsonPropertyName("file")]
    public string? File { get; init; }

    /// <summary>DCV e-mail address.</summary>
    [JsonPropertyName("dcvEmail")]
    public string? DcvEmail { get; init; }
}

/// <summary>DCV log and instructions of a certificate (<c>GET /ssl/v1/{sslId}/dcv</c>).</summary>
public sealed class SslDcvDetails
{
    /// <summary>The DCV log.</summary>
    [JsonPropertyName("dcvLog")]
    public SslDcvLog? Log { get; init; }

    /// <summary>The instructions per domain.</summary>
    [JsonPropertyName("instructions")]
    public IReadOnlyList<SslDcvInstruction>? Instructions { get; init; }
}

/// <summary>A location where a certificate is installed.</summary>
public sealed class SslLocation
{
    /// <summary>The location id.</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>The kind of location.</summary>
    [JsonPropertyName("locationType")]
    public SslLocationType? LocationType { get; init; }

    /// <summary>The name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Free-form details (e.g. <c>{"IP": "1.1.1.1"}</c>).</summary>
    [JsonPropertyName("details")]
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
