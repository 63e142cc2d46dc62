namespace Scm.Testing.Internal;

/// <summary>An organization or a department (departments carry their parent).</summary>
internal sealed class OrgModel
{
    public required int Id { get; init; }

    public required string Name { get; init; }

    public OrgModel? Parent { get; init; }

    public required ScmSimulatorOrganization Source { get; init; }

    public List<OrgModel> Departments { get; } = [];

    /// <summary>The organization an id belongs to (itself, or a department's parent).</summary>
    public OrgModel Root => Parent ?? this;
}

internal sealed class ProfileModel
{
    public required int Id { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    public required string ValidationType { get; init; }

    public required int[] Terms { get; init; }

    public required KeyValuePair<string, string[]>[] KeyTypes { get; init; }

    public required bool RequiresApproval { get; init; }

    public required bool AllowsRenewal { get; init; }

    public required bool UseSecondaryOrgName { get; init; }

    public required int[] OrganizationIds { get; init; }

    public byte[] Json { get; set; } = [];

    public bool IsAvailableTo(OrgModel org)
        => OrganizationIds.Length == 0 || OrganizationIds.Contains(org.Id) || OrganizationIds.Contains(org.Root.Id);

    public string[]? KeyParametersFor(string algorithm)
    {
        foreach (var pair in KeyTypes)
        {
            if (string.Equals(pair.Key, algorithm, StringComparison.OrdinalIgnoreCase))
            {
                return pair.Value;
            }
        }

        return null;
    }
}

internal sealed class DomainModel
{
    public required int Id { get; init; }

    public required string Name { get; init; }

    public ScmSimulatorDomainValidation Validation { get; set; }

    public ScmSimulatorDomainDelegation Delegation { get; set; }

    public bool Active { get; set; }

    public required int[] DelegatedOrganizationIds { get; init; }

    public DateOnly? DcvValidation { get; set; }

    public DateOnly? DcvExpiration { get; set; }

    public string ValidationStatusWire => Validation switch
    {
        ScmSimulatorDomainValidation.Validated => "VALIDATED",
        ScmSimulatorDomainValidation.Expired => "EXPIRED",
        _ => "NOT_VALIDATED",
    };

    public bool IsDelegatedTo(OrgModel org)
        => DelegatedOrganizationIds.Contains(org.Id) || DelegatedOrganizationIds.Contains(org.Root.Id);

    public bool Covers(string name)
        => string.Equals(name, Name, StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("." + Name, StringComparison.OrdinalIgnoreCase);
}

internal sealed class CustomFieldModel
{
    public required int Id { get; init; }

    public required string Name { get; init; }

    public required bool Mandatory { get; init; }
}
