using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client;

/// <summary>Which SSL certificates a report includes (<c>certificateStatus</c>).</summary>
public enum SslReportCertificateStatus
{
    /// <summary>0: any.</summary>
    Any = 0,

    /// <summary>1: requested.</summary>
    Requested = 1,

    /// <summary>2: issued.</summary>
    Issued = 2,

    /// <summary>3: revoked.</summary>
    Revoked = 3,

    /// <summary>4: expired.</summary>
    Expired = 4,
}

/// <summary>Which date <see cref="SslReportRequest.From"/>/<see cref="SslReportRequest.To"/> refer to (<c>certificateDateAttribute</c>).</summary>
public enum SslReportDateAttribute
{
    /// <summary>2: revocation date.</summary>
    Revocation = 2,

    /// <summary>3: expiration date.</summary>
    Expiration = 3,

    /// <summary>4: request date.</summary>
    Request = 4,

    /// <summary>5: issuance date.</summary>
    Issuance = 5,
}

/// <summary>Where reported certificates were requested from (<c>certificateRequestSource</c>; the codes both SCM documents list).</summary>
public enum SslReportRequestSource
{
    /// <summary>0: an enrollment form.</summary>
    EnrollmentForm = 0,

    /// <summary>1: the client administrator interface.</summary>
    ClientAdmin = 1,

    /// <summary>2: the (SOAP) Web API.</summary>
    WebApi = 2,

    /// <summary>3: discovery.</summary>
    Discovery = 3,

    /// <summary>4: imported.</summary>
    Imported = 4,

    /// <summary>5: SCEP.</summary>
    Scep = 5,

    /// <summary>7: the Microsoft agent.</summary>
    MsAgent = 7,

    /// <summary>9: a bulk request.</summary>
    BulkRequest = 9,

    /// <summary>10: ACME.</summary>
    Acme = 10,

    /// <summary>11: EST.</summary>
    Est = 11,

    /// <summary>12: the REST API.</summary>
    RestApi = 12,
}

/// <summary>An SSL certificates report query (<c>POST /report/v1/ssl-certificates</c>).</summary>
public sealed class SslReportRequest
{
    /// <summary>Organizations to include (all visible when null).</summary>
    public IReadOnlyList<int>? OrganizationIds { get; init; }

    /// <summary>Common name pattern (at most 256 characters, no <c>&lt;&gt;\</c>).</summary>
    public string? CommonName { get; init; }

    /// <summary>External requester pattern (at most 512).</summary>
    public string? ExternalRequester { get; init; }

    /// <summary>Status filter.</summary>
    public SslReportCertificateStatus? CertificateStatus { get; init; }

    /// <summary>Which date the range applies to.</summary>
    public SslReportDateAttribute? DateAttribute { get; init; }

    /// <summary>Range start (a calendar date, sent as <c>yyyy-MM-dd</c>); must not be later than <see cref="To"/>.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Range end (a calendar date, sent as <c>yyyy-MM-dd</c>).</summary>
    public DateOnly? To { get; init; }

    /// <summary>Request source filter.</summary>
    public SslReportRequestSource? RequestSource { get; init; }

    /// <summary>Serial number format, e.g. <c>HEXWithLeadingZeros</c>.</summary>
    public string? SerialNumberFormat { get; init; }

    /// <summary>Include IP locations (slow).</summary>
    public bool? IncludeIpAddresses { get; init; }
}

/// <summary>One row of the SSL certificates report.</summary>
public sealed class SslReportEntry
{
    /// <summary>The certificate id.</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>The profile name.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>The profile id.</summary>
    [JsonPropertyName("typeId")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? TypeId { get; init; }

    /// <summary>The organization id.</summary>
    [JsonPropertyName("orgId")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? OrganizationId { get; init; }

    /// <summary>The organization name.</summary>
    [JsonPropertyName("organizationName")]
    public string? OrganizationName { get; init; }

    /// <summary>The common name.</summary>
    [JsonPropertyName("commonName")]
    public string? CommonName { get; init; }

    /// <summary>SANs as one string separated by <c>"; "</c>.</summary>
    [JsonPropertyName("subjAltNames")]
    public string? SubjectAltNames { get; init; }

    /// <summary>The status text.</summary>
    [JsonPropertyName("status")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Status { get; init; }

    /// <summary>The requester.</summary>
    [JsonPropertyName("requester")]
    public string? Requester { get; init; }

    /// <summary>External requester.</summary>
    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; init; }

    /// <summary>Comments.</summary>
    [JsonPropertyName("comments")]
    public string? Comments { get; init; }

    /// <summary>Requested date.</summary>
    [JsonPropertyName("requested")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? RequestedOn { get; init; }

    /// <summary>Expiry date.</summary>
    [JsonPropertyName("expires")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ExpiresOn { get; init; }

    /// <summary>Revocation date.</summary>
    [JsonPropertyName("revoked")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? RevokedOn { get; init; }

    /// <summary>Serial number.</summary>
    [JsonPropertyName("serialNumber")]
    public string? SerialNumber { get; init; }

    /// <summary>How it was requested.</summary>
    [JsonPropertyName("requestedVia")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? RequestedVia { get; init; }

    /// <summary>The term in days.</summary>
    [JsonPropertyName("term")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? Term { get; init; }

    /// <summary>The issuer.</summary>
    [JsonPropertyName("issuer")]
    public string? Issuer { get; init; }

    /// <summary>The CA-side id.</summary>
    [JsonPropertyName("backendCertId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? BackendCertId { get; init; }
}
