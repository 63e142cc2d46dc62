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

    /// <summary>The organization validation an order needs (OV or EV profiles), or null.</summary>
    public ScmSimulatorValidationLevel? RequiredValidation { get; init; }

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

    /// <summary>The instant the validation expires (when <see cref="ScmSimulatorOptions.EnforceDcvExpiry"/> is on).</summary>
    public DateTimeOffset? DcvExpiresAt { get; set; }

    /// <summary>How the current validation was done (<c>validationMethod</c> / <c>dcvMethod</c>).</summary>
    public string DcvMethod { get; set; } = "CNAME_CSR_HASH";

    public DcvOrder Order { get; set; } = new();

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

/// <summary>A domain's DCV order: started (<c>AWAITING_SUBMISSION</c>), then <c>SUBMITTED</c>, with its challenge.</summary>
internal sealed class DcvOrder
{
    public string Status { get; set; } = "NOT_INITIATED";

    /// <summary><c>CNAME</c>, <c>HTTP</c>, <c>HTTPS</c>, <c>TXT</c> or <c>EMAIL</c>.</summary>
    public string? Mode { get; set; }

    public string? Host { get; set; }

    public string? Point { get; set; }

    public string? Url { get; set; }

    public string? FirstLine { get; set; }

    public string? SecondLine { get; set; }

    public string[] OfferedEmails { get; set; } = [];

    public string? ValidationEmail { get; set; }

    public string? EmailReference { get; set; }

    public string? BackendId { get; set; }

    public DateTimeOffset? Submitted { get; set; }

    public DateTimeOffset? LastCheck { get; set; }
}

internal sealed class CustomFieldModel
{
    public required int Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Mandatory for the REST API (enroll answers -62 without it).</summary>
    public required bool Mandatory { get; init; }

    public ScmSimulatorCustomFieldChannels OtherMandatoryChannels { get; init; }

    public bool Active { get; init; } = true;

    public ScmSimulatorCustomFieldInput Input { get; init; }

    public string[] Options { get; init; } = [];

    public string InputWire => Input switch
    {
        ScmSimulatorCustomFieldInput.TextMultiLine => "TEXT_MULTI_LINE",
        ScmSimulatorCustomFieldInput.Email => "EMAIL",
        ScmSimulatorCustomFieldInput.Number => "NUMBER",
        ScmSimulatorCustomFieldInput.TextOption => "TEXT_OPTION",
        ScmSimulatorCustomFieldInput.Date => "DATE",
        _ => "TEXT_SINGLE_LINE",
    };

    /// <summary>v2's <c>mandatories</c>, in the documented example's order.</summary>
    public IEnumerable<string> Mandatories()
    {
        if (OtherMandatoryChannels.HasFlag(ScmSimulatorCustomFieldChannels.AdminUi))
        {
            yield return "ADMIN_UI";
        }

        if (OtherMandatoryChannels.HasFlag(ScmSimulatorCustomFieldChannels.WebForm))
        {
            yield return "WEB_FORM";
        }

        if (Mandatory)
        {
            yield return "REST_API";
        }

        if (OtherMandatoryChannels.HasFlag(ScmSimulatorCustomFieldChannels.SoapApi))
        {
            yield return "SOAP_API";
        }
    }
}

/// <summary>An organization validation (changeable at run time through the simulator's controls).</summary>
internal sealed class ValidationModel
{
    public required long Id { get; init; }

    public required ScmSimulatorValidationLevel Level { get; init; }

    public ScmSimulatorValidationStatus Status { get; set; }

    public DateTimeOffset? Expires { get; set; }

    public DateTimeOffset? Submitted { get; init; }

    public string LevelWire => Level switch
    {
        ScmSimulatorValidationLevel.EvSsl => "EV_SSL",
        ScmSimulatorValidationLevel.OvSmime => "OV_SMIME",
        _ => "OV_SSL",
    };

    public string TypeWire => Level == ScmSimulatorValidationLevel.EvSsl ? "EV" : "OV";

    public string StatusWire => Status switch
    {
        ScmSimulatorValidationStatus.Pending => "PENDING",
        ScmSimulatorValidationStatus.NotValidated => "NOT_VALIDATED",
        ScmSimulatorValidationStatus.Expired => "EXPIRED",
        ScmSimulatorValidationStatus.Failed => "FAILED",
        _ => "VALIDATED",
    };

    /// <summary>The status as SCM sees it at <paramref name="now"/>: a validated one past its expiry counts as expired.</summary>
    public string StatusAt(DateTimeOffset now) => Status == ScmSimulatorValidationStatus.Validated && Expires is { } e && e <= now ? "EXPIRED" : StatusWire;
}
