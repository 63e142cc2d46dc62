using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client.Internal.Wire;

internal sealed class SslReportRequestWire
{
    [JsonPropertyName("from")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? From { get; init; }

    [JsonPropertyName("to")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? To { get; init; }

    [JsonPropertyName("organizationIds")]
    public IReadOnlyList<int>? OrganizationIds { get; init; }

    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    [JsonPropertyName("certificateStatus")]
    public int? CertificateStatus { get; init; }

    [JsonPropertyName("certificateDateAttribute")]
    public int? CertificateDateAttribute { get; init; }

    [JsonPropertyName("certificateRequestSource")]
    public int? CertificateRequestSource { get; init; }

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

    [JsonPropertyName("reports")]
    public IReadOnlyList<SslReportEntry>? Reports { get; init; }
}
