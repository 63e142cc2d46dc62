using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client.Internal.Wire;

internal sealed class SslReportRequestWire
{
    /// <summary><c>yyyy-MM-dd</c>, as both SCM documents describe the field.</summary>
    [JsonPropertyName("from")]
    public string? From { get; init; }

    [JsonPropertyName("to")]
    public string? To { get; init; }

    [JsonPropertyName("organizationIds")]
    public IReadOnlyList<int>? OrganizationIds { get; init; }

    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    [JsonPropertyName("certificateStatus")]
    public ScmWireCode? CertificateStatus { get; init; }

    [JsonPropertyName("certificateDateAttribute")]
    public ScmWireCode? CertificateDateAttribute { get; init; }

    [JsonPropertyName("certificateRequestSource")]
    public ScmWireCode? CertificateRequestSource { get; init; }

    [JsonPropertyName("serialNumberFormat")]
    public string? SerialNumberFormat { get; init; }

    [JsonPropertyName("includeIpAddresses")]
    public bool? IncludeIpAddresses { get; init; }
}

internal sealed class SslReportResponseWire
{
    [JsonPropertyName("statusCode")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? StatusCode { get; init; }

    /// <summary>Error details when <see cref="StatusCode"/> is not 0 (Admin API 25.9).</summary>
    [JsonPropertyName("message")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Message { get; init; }

    [JsonPropertyName("reports")]
    public IReadOnlyList<SslReportEntry>? Reports { get; init; }
}

/// <summary>The Admin API 25.9 keystore request body.</summary>
internal sealed class KeystoreRequestWire
{
    [JsonPropertyName("passphrase")]
    public string? Passphrase { get; init; }
}

internal sealed class KeystoreLinkWire
{
    [JsonPropertyName("link")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Link { get; init; }
}

internal sealed class ChangePasswordWire
{
    [JsonPropertyName("newPassword")]
    public string? NewPassword { get; init; }
}
