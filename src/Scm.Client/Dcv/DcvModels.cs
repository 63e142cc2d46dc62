using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client;

/// <summary>A row of the domain validation list (<c>GET /dcv/v1/validation</c>, <c>/dcv/v2/validation</c> in 25.9).</summary>
public sealed class DcvValidationSummary
{
    /// <summary>The domain name.</summary>
    [JsonPropertyName("domain")]
    public string? Domain { get; init; }

    /// <summary>The validation status (<c>VALIDATED</c>, <c>NOT_VALIDATED</c>, <c>EXPIRED</c>).</summary>
    [JsonPropertyName("dcvStatus")]
    public DomainValidationStatus? Status { get; init; }

    /// <summary>How the current validation was done (<c>CNAME_CSR_HASH</c>, <c>HTTP_CSR_HASH</c>, ...), when validated.</summary>
    [JsonPropertyName("dcvMethod")]
    public DomainValidationMethod? Method { get; init; }

    /// <summary>The state of the domain's validation order.</summary>
    [JsonPropertyName("dcvOrderStatus")]
    public DcvOrderStatus? OrderStatus { get; init; }

    /// <summary>The method of the validation order (<c>CNAME</c>, <c>HTTP</c>, <c>HTTPS</c>, <c>TXT</c>, <c>EMAIL</c>, <c>AUTO</c>).</summary>
    [JsonPropertyName("dcvOrderMethod")]
    public DcvMode? OrderMethod { get; init; }

    /// <summary>When the validation expires (SCM writes <c>yyyy-MM-dd</c>).</summary>
    [JsonPropertyName("expirationDate")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ExpiresOn { get; init; }
}

/// <summary>The validation details of one domain (<c>POST /dcv/v2/validation/status</c>).</summary>
public sealed class DcvValidationDetails
{
    /// <summary>The validation status (<c>VALIDATED</c>, <c>NOT_VALIDATED</c>, <c>EXPIRED</c>).</summary>
    [JsonPropertyName("status")]
    public DomainValidationStatus? Status { get; init; }

    /// <summary>When the domain was validated.</summary>
    [JsonPropertyName("validationDate")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ValidatedOn { get; init; }

    /// <summary>When the validation expires; after it SCM refuses orders for the domain until it is validated again.</summary>
    [JsonPropertyName("expirationDate")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ExpiresOn { get; init; }

    /// <summary>The state of the validation order.</summary>
    [JsonPropertyName("orderStatus")]
    public DcvOrderStatus? OrderStatus { get; init; }

    /// <summary>The method of the validation order.</summary>
    [JsonPropertyName("orderMode")]
    public DcvMode? OrderMode { get; init; }

    /// <summary>CNAME or TXT: the name of the DNS record.</summary>
    [JsonPropertyName("host")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Host { get; init; }

    /// <summary>CNAME or TXT: the record's value.</summary>
    [JsonPropertyName("point")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Point { get; init; }

    /// <summary>HTTP or HTTPS: the URL of the validation file (under <c>/.well-known/pki-validation/</c>).</summary>
    [JsonPropertyName("url")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Url { get; init; }

    /// <summary>HTTP or HTTPS: the first line of the validation file.</summary>
    [JsonPropertyName("firstLine")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? FirstLine { get; init; }

    /// <summary>HTTP or HTTPS: the second line of the validation file.</summary>
    [JsonPropertyName("secondLine")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? SecondLine { get; init; }

    /// <summary>E-mail: the address the validation mail went to.</summary>
    [JsonPropertyName("validationEmail")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? ValidationEmail { get; init; }

    /// <summary>E-mail: the reference number of the validation mail.</summary>
    [JsonPropertyName("emailValidationReferenceNumber")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? EmailReferenceNumber { get; init; }

    /// <summary>The validation order's id at the CA.</summary>
    [JsonPropertyName("orderBackendId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? OrderBackendId { get; init; }

    /// <summary>When the order was submitted (submitted orders only).</summary>
    [JsonPropertyName("submittedDate")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? SubmittedOn { get; init; }

    /// <summary>When the CA last checked (submitted orders only).</summary>
    [JsonPropertyName("lastCheck")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? LastCheck { get; init; }

    /// <summary>When the CA checks next (submitted orders only).</summary>
    [JsonPropertyName("nextCheck")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? NextCheck { get; init; }
}

/// <summary>What a CNAME validation needs (<c>start/domain/cname</c>): a CNAME record <see cref="Host"/> pointing at <see cref="Point"/>.</summary>
public sealed class DcvCnameChallenge
{
    /// <summary>The record's name, fully qualified with a trailing dot (<c>_&lt;hash&gt;.example.com.</c>).</summary>
    [JsonPropertyName("host")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Host { get; init; }

    /// <summary>The record's target, fully qualified with a trailing dot (<c>&lt;hash&gt;.&lt;hash&gt;.sectigo.com.</c>).</summary>
    [JsonPropertyName("point")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Point { get; init; }
}

/// <summary>
/// What an HTTP or HTTPS validation needs (<c>start/domain/http</c>, <c>start/domain/https</c>): a text file at
/// <see cref="Url"/> whose first line is <see cref="FirstLine"/> and second line <see cref="SecondLine"/>.
/// </summary>
public sealed class DcvHttpChallenge
{
    /// <summary>The URL the CA fetches (<c>http://example.com/.well-known/pki-validation/&lt;NAME&gt;.txt</c>); its last segment is the file name.</summary>
    [JsonPropertyName("url")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Url { get; init; }

    /// <summary>The file's first line (a hash).</summary>
    [JsonPropertyName("firstLine")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? FirstLine { get; init; }

    /// <summary>The file's second line (<c>sectigo.com</c>).</summary>
    [JsonPropertyName("secondLine")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? SecondLine { get; init; }
}

/// <summary>The addresses SCM offers for e-mail validation of a domain.</summary>
public sealed class DcvDomainEmails
{
    /// <summary>The domain.</summary>
    [JsonPropertyName("domainName")]
    public string? DomainName { get; init; }

    /// <summary>Contacts from WHOIS.</summary>
    [JsonPropertyName("whoisEmails")]
    public IReadOnlyList<string>? WhoisEmails { get; init; }

    /// <summary>The constructed administrative addresses (<c>admin@</c>, <c>administrator@</c>, <c>hostmaster@</c>, <c>postmaster@</c>, <c>webmaster@</c>).</summary>
    [JsonPropertyName("adminEmails")]
    public IReadOnlyList<string>? AdminEmails { get; init; }

    /// <summary>Contacts published in DNS TXT records.</summary>
    [JsonPropertyName("dnsTxtEmails")]
    public IReadOnlyList<string>? DnsTxtEmails { get; init; }
}

/// <summary>The answer of <c>start/domain/email</c>: the addresses one of which <see cref="DcvClient.SubmitEmailAsync"/> must name.</summary>
public sealed class DcvEmailChallenge
{
    /// <summary>Every address SCM accepts for the submit.</summary>
    [JsonPropertyName("emails")]
    public IReadOnlyList<string>? Emails { get; init; }

    /// <summary>The same addresses per domain and source.</summary>
    [JsonPropertyName("dcvEmails")]
    public IReadOnlyList<DcvDomainEmails>? DomainEmails { get; init; }
}

/// <summary>The answer of a DCV submit.</summary>
public sealed class DcvSubmitResult
{
    /// <summary>The domain's validation status after the submit (<c>VALIDATED</c> when the CA's check passed at once).</summary>
    [JsonPropertyName("status")]
    public DomainValidationStatus? Status { get; init; }

    /// <summary>The validation order's state (<c>SUBMITTED</c>).</summary>
    [JsonPropertyName("orderStatus")]
    public DcvOrderStatus? OrderStatus { get; init; }

    /// <summary>SCM's message (<c>Submitted successfully</c>).</summary>
    [JsonPropertyName("message")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Message { get; init; }

    /// <summary>The validation order's id at the CA.</summary>
    [JsonPropertyName("orderBackendId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? OrderBackendId { get; init; }

    /// <summary>E-mail: the reference number of the validation mail.</summary>
    [JsonPropertyName("emailValidationReferenceNumber")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? EmailReferenceNumber { get; init; }

    /// <summary>TXT: the record's name (<c>_pki-validation.example.com.</c>).</summary>
    [JsonPropertyName("host")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Host { get; init; }

    /// <summary>TXT: the record's value.</summary>
    [JsonPropertyName("point")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? Point { get; init; }
}

/// <summary>Filters of the domain validation list. Every property is optional.</summary>
public sealed class DcvListFilter
{
    /// <summary>Domain name.</summary>
    public string? Domain { get; init; }

    /// <summary>Domains delegated to this organization id.</summary>
    public int? OrganizationId { get; init; }

    /// <summary>Domains delegated to this department id.</summary>
    public int? DepartmentId { get; init; }

    /// <summary>Validation status; sent as the configured <see cref="ScmClientOptions.ApiVersion"/> spells it (<c>VALIDATED</c> / <c>Validated</c>).</summary>
    public DomainValidationStatus? Status { get; init; }

    /// <summary>Validation order status; sent as the configured <see cref="ScmClientOptions.ApiVersion"/> spells it (<c>SUBMITTED</c> / <c>Submitted</c>).</summary>
    public DcvOrderStatus? OrderStatus { get; init; }

    /// <summary>Validations that expire within this many days (at least 1).</summary>
    public int? ExpiresInDays { get; init; }
}
