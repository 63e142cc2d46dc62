namespace Scm.Storage;

/// <summary>
/// A snapshot of what one SCM account can order: organizations and departments, domains, certificate
/// profiles and SSL custom fields, as last synced from SCM.
/// </summary>
public sealed record ScmAccountCatalog
{
    /// <summary>The local name of the linked SCM account (the engine uses <c>"default"</c> unless configured).</summary>
    public required string AccountId { get; init; }

    /// <summary>When this snapshot was taken from SCM.</summary>
    public required DateTimeOffset SyncedAt { get; init; }

    /// <summary>Organizations and departments (departments carry <see cref="CatalogOrganization.ParentId"/>).</summary>
    public IReadOnlyList<CatalogOrganization> Organizations { get; init; } = [];

    /// <summary>Domains with their delegation and validation state.</summary>
    public IReadOnlyList<CatalogDomain> Domains { get; init; } = [];

    /// <summary>SSL certificate profiles with their terms and key types.</summary>
    public IReadOnlyList<CatalogProfile> Profiles { get; init; } = [];

    /// <summary>SSL custom fields.</summary>
    public IReadOnlyList<CatalogCustomField> CustomFields { get; init; } = [];
}

/// <summary>An SCM organization or department. Both are usable as <c>orgId</c> when ordering.</summary>
public sealed record CatalogOrganization
{
    /// <summary>SCM id of the organization or department.</summary>
    public required int Id { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>For a department, the id of its organization; <see langword="null"/> for an organization.</summary>
    public int? ParentId { get; init; }

    /// <summary>Certificate types the organization may request (e.g. <c>SSL</c>, <c>SMIME</c>), when SCM reports them.</summary>
    public IReadOnlyList<string> CertificateTypes { get; init; } = [];
}

/// <summary>A domain registered in SCM.</summary>
public sealed record CatalogDomain
{
    /// <summary>SCM id of the domain.</summary>
    public required int Id { get; init; }

    /// <summary>The domain name, e.g. <c>example.com</c> or <c>*.example.com</c>.</summary>
    public required string Name { get; init; }

    /// <summary>SCM's domain state, e.g. <c>ACTIVE</c> or <c>SUSPENDED</c>.</summary>
    public string? State { get; init; }

    /// <summary>SCM's delegation status, e.g. <c>ACTIVE</c> or <c>REQUESTED</c>.</summary>
    public string? DelegationStatus { get; init; }

    /// <summary>SCM's DCV validation status, e.g. <c>VALIDATED</c>, <c>NOT_VALIDATED</c>, <c>EXPIRED</c>.</summary>
    public string? ValidationStatus { get; init; }

    /// <summary>The DCV method used, e.g. <c>CNAME_CSR_HASH</c>.</summary>
    public string? ValidationMethod { get; init; }

    /// <summary>When the domain control validation expires, if known.</summary>
    public DateOnly? DcvExpiration { get; init; }

    /// <summary>Which organizations the domain is delegated to, and for which certificate types.</summary>
    public IReadOnlyList<CatalogDomainDelegation> Delegations { get; init; } = [];
}

/// <summary>A delegation of a domain to an organization or department.</summary>
public sealed record CatalogDomainDelegation
{
    /// <summary>The organization or department the domain is delegated to.</summary>
    public required int OrganizationId { get; init; }

    /// <summary>Certificate types covered by the delegation (e.g. <c>SSL</c>).</summary>
    public IReadOnlyList<string> CertificateTypes { get; init; } = [];

    /// <summary>Status of the delegation, e.g. <c>ACTIVE</c> or <c>REQUESTED</c>.</summary>
    public string? Status { get; init; }
}

/// <summary>An SSL certificate profile ("type") as SCM lists it.</summary>
public sealed record CatalogProfile
{
    /// <summary>SCM id of the profile (<c>certType</c> when enrolling).</summary>
    public required int Id { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>Description, possibly empty.</summary>
    public string? Description { get; init; }

    /// <summary>Allowed terms in days.</summary>
    public IReadOnlyList<int> Terms { get; init; } = [];

    /// <summary>Allowed key types: algorithm (<c>RSA</c>, <c>EC</c>) to sizes or curves (<c>"2048"</c>, <c>"P-256"</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> KeyTypes { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// Organizations and departments SCM listed this profile for (from <c>types?organizationId=</c>);
    /// empty when the profile was listed without an organization filter.
    /// </summary>
    public IReadOnlyList<int> OrganizationIds { get; init; } = [];
}

/// <summary>An SSL custom field.</summary>
public sealed record CatalogCustomField
{
    /// <summary>SCM id of the field.</summary>
    public required int Id { get; init; }

    /// <summary>Field name as used in enroll requests.</summary>
    public required string Name { get; init; }

    /// <summary>Whether SCM requires the field on every request.</summary>
    public bool Mandatory { get; init; }
}
