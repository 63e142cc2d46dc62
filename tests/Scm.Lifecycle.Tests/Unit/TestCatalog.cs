using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

/// <summary>A small catalog shaped like a synced SCM account, for validator tests.</summary>
internal static class TestCatalog
{
    public const int Org = 100;
    public const int Department = 101;
    public const int OtherOrg = 200;
    public const int Profile = 10;
    public const int EcOnlyProfile = 11;
    public const int OtherOrgProfile = 12;

    public static ScmAccountCatalog Create() => new()
    {
        AccountId = "default",
        SyncedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Organizations =
        [
            new CatalogOrganization { Id = Org, Name = "Acme" },
            new CatalogOrganization { Id = Department, Name = "Acme IT", ParentId = Org },
            new CatalogOrganization { Id = OtherOrg, Name = "Other" },
        ],
        Profiles =
        [
            new CatalogProfile
            {
                Id = Profile, Name = "OV Multi-Domain", Terms = [90, 180],
                KeyTypes = new Dictionary<string, IReadOnlyList<string>> { ["RSA"] = ["1024", "2048", "3072", "4096"], ["EC"] = ["P-256", "P-384"] },
            },
            new CatalogProfile
            {
                Id = EcOnlyProfile, Name = "EC only", Terms = [90],
                KeyTypes = new Dictionary<string, IReadOnlyList<string>> { ["EC"] = ["P-256"] },
            },
            new CatalogProfile
            {
                Id = OtherOrgProfile, Name = "Other org only", Terms = [90],
                KeyTypes = new Dictionary<string, IReadOnlyList<string>> { ["RSA"] = ["2048"] },
                OrganizationIds = [OtherOrg],
            },
        ],
        Domains =
        [
            Domain(1, "example.com", "VALIDATED", Org),
            Domain(2, "pending.example.net", "NOT_VALIDATED", Org),
            Domain(3, "expired.example.org", "EXPIRED", Org),
            Domain(4, "other.example.io", "VALIDATED", OtherOrg),
            Domain(5, "requested.example.dev", "VALIDATED", Org, delegationStatus: "REQUESTED"),
        ],
        CustomFields =
        [
            new CatalogCustomField { Id = 1, Name = "costCenter", Mandatory = true },
            new CatalogCustomField { Id = 2, Name = "note", Mandatory = false },
        ],
    };

    public static OrderCertificateRequest Valid() => new()
    {
        CommonName = "www.example.com",
        SubjectAlternativeNames = ["api.example.com"],
        OrganizationId = Org,
        ProfileId = Profile,
        TermDays = 90,
        KeyAlgorithm = KeyAlgorithm.EC,
        Curve = "P-256",
        CustomFields = [new CustomFieldValue("costCenter", "42")],
    };

    private static CatalogDomain Domain(int id, string name, string validation, int org, string delegationStatus = "ACTIVE") => new()
    {
        Id = id,
        Name = name,
        State = "ACTIVE",
        DelegationStatus = delegationStatus,
        ValidationStatus = validation,
        Delegations = [new CatalogDomainDelegation { OrganizationId = org, CertificateTypes = ["SSL"], Status = delegationStatus }],
    };
}
