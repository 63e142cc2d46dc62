using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client;

/// <summary>A row of the domain list (<c>GET /domain/v1</c>).</summary>
public sealed class DomainSummary
{
    /// <summary>The domain id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The domain name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }
}

/// <summary>A delegation of a domain to an organization.</summary>
public sealed class DomainDelegation
{
    /// <summary>The organization id.</summary>
    [JsonPropertyName("orgId")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? OrganizationId { get; init; }

    /// <summary>Certificate kinds (<c>SSL</c>, <c>SMIME</c>, <c>CodeSign</c>).</summary>
    [JsonPropertyName("certTypes")]
    public IReadOnlyList<string>? CertificateTypes { get; init; }

    /// <summary>Request privileges (<c>DOMAIN</c>, <c>SUBDOMAIN</c>, <c>WILDCARD_1ST_LEVEL</c>, <c>WILDCARD_2ND_LEVEL</c>).</summary>
    [JsonPropertyName("domainCertificateRequestPrivileges")]
    public IReadOnlyList<string>? RequestPrivileges { get; init; }

    /// <summary>The delegation status.</summary>
    [JsonPropertyName("status")]
    public DomainDelegationStatus? Status { get; init; }
}

/// <summary>CT-log monitoring settings of a domain.</summary>
public sealed class DomainCtLogMonitoring
{
    /// <summary>Whether monitoring is on.</summary>
    [JsonPropertyName("enabled")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? Enabled { get; init; }

    /// <summary>Whether subdomains are included.</summary>
    [JsonPropertyName("includeSubdomains")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? IncludeSubdomains { get; init; }

    /// <summary>The bucket id.</summary>
    [JsonPropertyName("bucketId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? BucketId { get; init; }
}

/// <summary>Details of a domain (<c>GET /domain/v1/{id}</c>).</summary>
public sealed class DomainDetails
{
    /// <summary>The domain id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The domain name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>The delegation status.</summary>
    [JsonPropertyName("delegationStatus")]
    public DomainDelegationStatus? DelegationStatus { get; init; }

    /// <summary>The state.</summary>
    [JsonPropertyName("state")]
    public DomainState? State { get; init; }

    /// <summary>The DCV status (only when DCV is enabled for the customer).</summary>
    [JsonPropertyName("validationStatus")]
    public DomainValidationStatus? ValidationStatus { get; init; }

    /// <summary>How it was validated.</summary>
    [JsonPropertyName("validationMethod")]
    public DomainValidationMethod? ValidationMethod { get; init; }

    /// <summary>When DCV was done (<c>yyyy-MM-dd</c>).</summary>
    [JsonPropertyName("dcvValidation")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? DcvValidatedOn { get; init; }

    /// <summary>When DCV expires (<c>yyyy-MM-dd</c>).</summary>
    [JsonPropertyName("dcvExpiration")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? DcvExpiresOn { get; init; }

    /// <summary>The delegations.</summary>
    [JsonPropertyName("delegations")]
    public IReadOnlyList<DomainDelegation>? Delegations { get; init; }

    /// <summary>CT-log monitoring settings.</summary>
    [JsonPropertyName("ctLogMonitoring")]
    public DomainCtLogMonitoring? CtLogMonitoring { get; init; }
}

/// <summary>Filters of the domain list. Every property is optional.</summary>
public sealed class DomainListFilter
{
    /// <summary>Name (2..256 characters).</summary>
    public string? Name { get; init; }

    /// <summary>State: <see cref="DomainStateFilter.Active"/> (<c>active</c>) or <see cref="DomainStateFilter.Inactive"/> (<c>inactive</c>).</summary>
    public DomainStateFilter? State { get; init; }

    /// <summary>Delegation status: <see cref="DomainDelegationFilter.Requested"/> (<c>requested</c>) or <see cref="DomainDelegationFilter.Approved"/> (<c>approved</c>).</summary>
    public DomainDelegationFilter? DelegationStatus { get; init; }

    /// <summary>Organization id.</summary>
    public int? OrganizationId { get; init; }
}
