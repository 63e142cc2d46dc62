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
