using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client;

/// <summary>A department of an organization. Departments are organizations too: the id works as <c>orgId</c>.</summary>
public sealed class Department
{
    /// <summary>The department id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The parent organization's name.</summary>
    [JsonPropertyName("parentName")]
    public string? ParentName { get; init; }

    /// <summary>Certificate kinds enabled (e.g. <c>SSL</c>, <c>SMIME</c>), when sent.</summary>
    [JsonPropertyName("certTypes")]
    public IReadOnlyList<string>? CertificateTypes { get; init; }
}

/// <summary>An organization as listed (<c>GET /organization/v1</c>, <c>managed-by/{role}</c>).</summary>
public sealed class Organization
{
    /// <summary>The organization id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The parent's name (for departments in <c>managed-by</c> lists).</summary>
    [JsonPropertyName("parentName")]
    public string? ParentName { get; init; }

    /// <summary>Certificate kinds enabled, when sent.</summary>
    [JsonPropertyName("certTypes")]
    public IReadOnlyList<string>? CertificateTypes { get; init; }

    /// <summary>The departments.</summary>
    [JsonPropertyName("departments")]
    public IReadOnlyList<Department>? Departments { get; init; }
}

/// <summary>Details of an organization (<c>GET /organization/v1/{id}</c>).</summary>
public sealed class OrganizationDetails
{
    /// <summary>The organization id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The alias.</summary>
    [JsonPropertyName("alias")]
    public string? Alias { get; init; }

    /// <summary>The secondary name (written as <c>alternativeName</c>).</summary>
    [JsonPropertyName("secondaryName")]
    public string? SecondaryName { get; init; }

    /// <summary>Contact e-mails, comma separated.</summary>
    [JsonPropertyName("contactEmails")]
    public string? ContactEmails { get; init; }

    /// <summary>Address line 1.</summary>
    [JsonPropertyName("address1")]
    public string? Address1 { get; init; }

    /// <summary>Address line 2.</summary>
    [JsonPropertyName("address2")]
    public string? Address2 { get; init; }

    /// <summary>Address line 3.</summary>
    [JsonPropertyName("address3")]
    public string? Address3 { get; init; }

    /// <summary>City.</summary>
    [JsonPropertyName("city")]
    public string? City { get; init; }

    /// <summary>State or province (<c>stateOrProvince</c> on read).</summary>
    [JsonPropertyName("stateOrProvince")]
    public string? StateOrProvince { get; init; }

    /// <summary>Postal code.</summary>
    [JsonPropertyName("postalCode")]
    public string? PostalCode { get; init; }

    /// <summary>Two-letter country code.</summary>
    [JsonPropertyName("country")]
    public string? Country { get; init; }

    /// <summary>Deprecated validation status.</summary>
    [JsonPropertyName("validationStatus")]
    public string? ValidationStatus { get; init; }

    /// <summary>Whether the Web API may request SSL certificates for it.</summary>
    [JsonPropertyName("sslCertsApiEnabled")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? SslCertificatesApiEnabled { get; init; }

    /// <summary>Whether the Web API may request client certificates for it.</summary>
    [JsonPropertyName("clientCertsApiEnabled")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? ClientCertificatesApiEnabled { get; init; }

    /// <summary>Certificate kinds enabled.</summary>
    [JsonPropertyName("certTypes")]
    public IReadOnlyList<string>? CertificateTypes { get; init; }

    /// <summary>Parent organization id (for a department).</summary>
    [JsonPropertyName("parentId")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? ParentId { get; init; }

    /// <summary>Parent organization name (for a department).</summary>
    [JsonPropertyName("parentName")]
    public string? ParentName { get; init; }

    /// <summary>The departments.</summary>
    [JsonPropertyName("departments")]
    public IReadOnlyList<Department>? Departments { get; init; }
}

/// <summary>
/// One validation of an organization (<c>GET /organization/v2/{orgId}/validations</c>). The REST API 25.5 document names
/// the kind <c>validationLevel</c> (<c>OV_SSL</c>, <c>OV_SMIME</c>, <c>EV_SSL</c>), the Admin API 25.9 <c>type</c>
/// (<c>OV</c>, <c>EV</c>, ...); both are read.
/// </summary>
public sealed class OrganizationValidation
{
    /// <summary>The validation id.</summary>
    [JsonPropertyName("id")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? Id { get; init; }

    /// <summary>The level (REST API 25.5), e.g. <see cref="OrganizationValidationLevel.OvSsl"/>.</summary>
    [JsonPropertyName("validationLevel")]
    public OrganizationValidationLevel? Level { get; init; }

    /// <summary>The type (Admin API 25.9), e.g. <see cref="OrganizationValidationType.Ov"/>.</summary>
    [JsonPropertyName("type")]
    public OrganizationValidationType? Type { get; init; }

    /// <summary>The status.</summary>
    [JsonPropertyName("status")]
    public OrganizationValidationStatus? Status { get; init; }

    /// <summary>The status of a background (re)validation: <c>PENDING</c> or <c>FAILED</c>; absent once it succeeded.</summary>
    [JsonPropertyName("backgroundStatus")]
    public OrganizationValidationStatus? BackgroundStatus { get; init; }

    /// <summary>When it was submitted.</summary>
    [JsonPropertyName("submitted")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? Submitted { get; init; }

    /// <summary>When it expires.</summary>
    [JsonPropertyName("expires")]
    [JsonConverter(typeof(ScmDateTimeOffsetConverter))]
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Whether this is an alternative (secondary name) validation.</summary>
    [JsonPropertyName("alternative")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? Alternative { get; init; }

    /// <summary>The CA backend id.</summary>
    [JsonPropertyName("backendId")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? BackendId { get; init; }

    /// <summary>The CA backend type, e.g. <c>SASP</c>.</summary>
    [JsonPropertyName("backendType")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? BackendType { get; init; }

    /// <summary>The certificate types it permits (Admin API 25.9), when listed.</summary>
    [JsonPropertyName("permittedCertTypes")]
    public IReadOnlyList<string>? PermittedCertificateTypes { get; init; }

    /// <summary>Whether this is an organization validation for SSL: <c>OV_SSL</c>, or type <c>OV</c> permitting SSL (or not saying).</summary>
    [JsonIgnore]
    public bool IsSslOrganizationValidation => Level == OrganizationValidationLevel.OvSsl || (Level is null && Type == OrganizationValidationType.Ov && PermitsSsl);

    /// <summary>Whether this is an extended validation for SSL: <c>EV_SSL</c>, or type <c>EV</c> permitting SSL (or not saying).</summary>
    [JsonIgnore]
    public bool IsSslExtendedValidation => Level == OrganizationValidationLevel.EvSsl || (Level is null && Type == OrganizationValidationType.Ev && PermitsSsl);

    private bool PermitsSsl => PermittedCertificateTypes is null || PermittedCertificateTypes.Count == 0
        || PermittedCertificateTypes.Any(t => string.Equals(t, "SSL", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether SCM holds it as current (<see cref="OrganizationValidationStatus.Validated"/>).</summary>
    [JsonIgnore]
    public bool IsValidated => Status == OrganizationValidationStatus.Validated;
}
