using System.Text.Json;
using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client.Internal.Wire;

internal sealed class EnrollWire
{
    [JsonPropertyName("orgId")]
    public int OrgId { get; init; }

    [JsonPropertyName("csr")]
    public string? Csr { get; init; }

    [JsonPropertyName("subjAltNames")]
    public string? SubjAltNames { get; init; }

    [JsonPropertyName("certType")]
    public int CertType { get; init; }

    [JsonPropertyName("term")]
    public int Term { get; init; }

    [JsonPropertyName("comments")]
    public string? Comments { get; init; }

    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    [JsonPropertyName("customFields")]
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }

    [JsonPropertyName("dcvMode")]
    public string? DcvMode { get; init; }

    [JsonPropertyName("dcvEmail")]
    public string? DcvEmail { get; init; }
}

internal sealed class EnrollKeyGenerationWire
{
    [JsonPropertyName("orgId")]
    public int OrgId { get; init; }

    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    [JsonPropertyName("subjAltNames")]
    public string? SubjAltNames { get; init; }

    [JsonPropertyName("certType")]
    public int CertType { get; init; }

    [JsonPropertyName("term")]
    public int Term { get; init; }

    [JsonPropertyName("comments")]
    public string? Comments { get; init; }

    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    [JsonPropertyName("customFields")]
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }

    [JsonPropertyName("dcvMode")]
    public string? DcvMode { get; init; }

    [JsonPropertyName("dcvEmail")]
    public string? DcvEmail { get; init; }

    [JsonPropertyName("algorithm")]
    public string? Algorithm { get; init; }

    [JsonPropertyName("keyParam")]
    public string? KeyParam { get; init; }

    [JsonPropertyName("keyGenerationMethod")]
    public string? KeyGenerationMethod { get; init; }

    [JsonPropertyName("passPhrase")]
    public string? PassPhrase { get; init; }

    [JsonPropertyName("azureKeyVault")]
    public AzureKeyVaultWire? AzureKeyVault { get; init; }

    [JsonPropertyName("reuseKey")]
    public bool? ReuseKey { get; init; }

    [JsonPropertyName("exportableKey")]
    public bool? ExportableKey { get; init; }

    [JsonPropertyName("hsmOnly")]
    public bool? HsmOnly { get; init; }
}

internal sealed class AzureKeyVaultWire
{
    [JsonPropertyName("azureAccountId")]
    public int AzureAccountId { get; init; }

    [JsonPropertyName("vaultKey")]
    public string? VaultKey { get; init; }
}

// Settable (not init) so System.Text.Json sets the properties in place instead of buffering them for a constructor.
internal sealed class EnrollResponseWire
{
    [JsonRequired]
    [JsonPropertyName("sslId")]
    public long SslId { get; set; }

    [JsonPropertyName("renewId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? RenewId { get; set; }
}

internal sealed class RenewByIdResponseWire
{
    [JsonRequired]
    [JsonPropertyName("sslId")]
    public long SslId { get; init; }
}

internal sealed class MessageWire
{
    [JsonPropertyName("message")]
    public string? Message { get; init; }
}

internal sealed class RevokeWire
{
    [JsonPropertyName("reasonCode")]
    public ScmWireCode ReasonCode { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}

internal sealed class ManualRevokeWire
{
    [JsonPropertyName("certId")]
    public long? CertId { get; init; }

    [JsonPropertyName("serialNumber")]
    public string? SerialNumber { get; init; }

    [JsonPropertyName("issuer")]
    public string? Issuer { get; init; }

    [JsonPropertyName("revokeDate")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? RevokeDate { get; init; }

    [JsonPropertyName("reasonCode")]
    public ScmWireCode ReasonCode { get; init; }
}

internal sealed class RenewWire
{
    [JsonPropertyName("csr")]
    public string? Csr { get; init; }

    [JsonPropertyName("dcvMode")]
    public string? DcvMode { get; init; }

    [JsonPropertyName("dcvEmail")]
    public string? DcvEmail { get; init; }
}

internal sealed class ManualRenewWire
{
    [JsonPropertyName("id")]
    public long? Id { get; init; }

    [JsonPropertyName("orderNumber")]
    public string? OrderNumber { get; init; }

    [JsonPropertyName("dcvMode")]
    public string? DcvMode { get; init; }

    [JsonPropertyName("dcvEmail")]
    public string? DcvEmail { get; init; }
}

internal sealed class ReplaceWire
{
    [JsonPropertyName("csr")]
    public string? Csr { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    [JsonPropertyName("subjectAlternativeNames")]
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    [JsonPropertyName("dcvMode")]
    public string? DcvMode { get; init; }

    [JsonPropertyName("dcvEmail")]
    public string? DcvEmail { get; init; }
}

internal sealed class UpdateWire
{
    [JsonPropertyName("sslId")]
    public long SslId { get; init; }

    [JsonPropertyName("term")]
    public int? Term { get; init; }

    [JsonPropertyName("certTypeId")]
    public int? CertTypeId { get; init; }

    [JsonPropertyName("orgId")]
    public int? OrgId { get; init; }

    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    [JsonPropertyName("csr")]
    public string? Csr { get; init; }

    [JsonPropertyName("subjectAlternativeNames")]
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    [JsonPropertyName("comments")]
    public string? Comments { get; init; }

    [JsonPropertyName("customFields")]
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }

    [JsonPropertyName("autoRenewDetails")]
    public SslAutoRenewDetails? AutoRenewDetails { get; init; }

    [JsonPropertyName("suspendNotifications")]
    public bool? SuspendNotifications { get; init; }

    [JsonPropertyName("requester")]
    public string? Requester { get; init; }

    [JsonPropertyName("requesterAdminId")]
    public long? RequesterAdminId { get; init; }

    [JsonPropertyName("approverAdminId")]
    public long? ApproverAdminId { get; init; }
}

internal sealed class ImportItemWire
{
    [JsonPropertyName("orgID")]
    public int OrgId { get; init; }

    [JsonPropertyName("cert")]
    public string? Cert { get; init; }

    [JsonPropertyName("csr")]
    public string? Csr { get; init; }

    [JsonPropertyName("owner")]
    public string? Owner { get; init; }

    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    [JsonPropertyName("backendCertId")]
    public string? BackendCertId { get; init; }

    [JsonPropertyName("comments")]
    public string? Comments { get; init; }

    [JsonPropertyName("customFields")]
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }
}

internal sealed class ImportCertIdentityWire
{
    [JsonPropertyName("id")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? Id { get; init; }

    [JsonPropertyName("subject")]
    public string? Subject { get; init; }

    [JsonPropertyName("serialNumber")]
    public string? SerialNumber { get; init; }
}

internal sealed class ImportResultWire
{
    [JsonPropertyName("cert")]
    public ImportCertIdentityWire? Cert { get; init; }

    [JsonPropertyName("created")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? Created { get; init; }

    [JsonPropertyName("successful")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? Successful { get; init; }

    [JsonPropertyName("backendCertId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? BackendCertId { get; init; }

    [JsonPropertyName("errorMessage")]
    public string? ErrorMessage { get; init; }
}

internal sealed class LocationWriteWire
{
    [JsonPropertyName("details")]
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}

/// <summary>SCM's error body (see <see cref="ScmErrorBody"/>); also carries OAuth2's <c>error</c>/<c>error_description</c>.</summary>
internal sealed class ErrorBodyWire
{
    [JsonPropertyName("code")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? Code { get; init; }

    [JsonPropertyName("description")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Description { get; init; }

    [JsonPropertyName("error")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Error { get; init; }

    [JsonPropertyName("error_description")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? ErrorDescription { get; init; }

    /// <summary>Additional details (Admin API 25.9 <c>ErrorResponse</c>).</summary>
    [JsonPropertyName("details")]
    [JsonConverter(typeof(ScmAnyTextConverter))]
    public string? Details { get; init; }

    /// <summary>Related items, e.g. field-level reasons (Admin API 25.9 <c>ErrorResponse</c>).</summary>
    [JsonPropertyName("items")]
    [JsonConverter(typeof(ScmErrorItemsConverter))]
    public IReadOnlyList<string>? Items { get; init; }
}

internal sealed class TokenResponseWire
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("expires_in")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? ExpiresIn { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }
}

/// <summary>The DCV answer: the 25.5 doc shows one object, the OpenAPI an array of them; both are accepted.</summary>
[JsonConverter(typeof(DcvResponseConverter))]
internal sealed class DcvResponseWire
{
    public IReadOnlyList<SslDcvDetails> Items { get; init; } = [];
}

internal sealed class DcvResponseConverter : JsonConverter<DcvResponseWire>
{
    public override DcvResponseWire? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var info = ScmJsonContext.Default.SslDcvDetails;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var items = new List<SslDcvDetails>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var item = JsonSerializer.Deserialize(ref reader, info);
                if (item is not null)
                {
                    items.Add(item);
                }
            }

            return new DcvResponseWire { Items = items };
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            var one = JsonSerializer.Deserialize(ref reader, info);
            return new DcvResponseWire { Items = one is null ? [] : [one] };
        }

        throw new JsonException("Expected an object or an array of DCV details.");
    }

    public override void Write(Utf8JsonWriter writer, DcvResponseWire value, JsonSerializerOptions options) => throw new NotSupportedException();
}
