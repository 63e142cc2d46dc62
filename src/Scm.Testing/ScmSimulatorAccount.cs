namespace Scm.Testing;

/// <summary>
/// The SCM account the simulator serves: organizations and departments, domains, certificate profiles
/// and custom fields. Build one from code, or start from <see cref="CreateDefault"/> and change it.
/// </summary>
/// <remarks>The simulator copies the account when it starts; later changes to this object are not seen.</remarks>
public sealed class ScmSimulatorAccount
{
    /// <summary>Gets or sets the admin login name (header <c>login</c>). Default <c>sim-admin</c>.</summary>
    public string Login { get; set; } = "sim-admin";

    /// <summary>Gets or sets the customer URI (header <c>customerUri</c>). Default <c>sim-customer</c>.</summary>
    public string CustomerUri { get; set; } = "sim-customer";

    /// <summary>Gets or sets the admin password; <see langword="null"/> (the default) generates one from the seed.</summary>
    public string? Password { get; set; }

    /// <summary>Gets or sets the OAuth2 client id; <see langword="null"/> (the default) generates one from the seed.</summary>
    public string? ClientId { get; set; }

    /// <summary>Gets or sets the OAuth2 client secret; <see langword="null"/> (the default) generates one from the seed.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Gets or sets the admin's display name, used as the approver (<c>owner</c>) of orders.</summary>
    public string AdminDisplayName { get; set; } = "Sim Admin";

    /// <summary>Gets or sets the admin id, used as <c>ownerId</c> and <c>requesterId</c>.</summary>
    public int AdminId { get; set; } = 1001;

    /// <summary>Gets or sets the admin e-mail address, used as <c>requester</c>.</summary>
    public string AdminEmail { get; set; } = "sim-admin@example.com";

    /// <summary>Gets or sets the date the admin password expires, or <see langword="null"/> for <c>NEVER_EXPIRE</c>.</summary>
    public DateOnly? PasswordExpiration { get; set; }

    /// <summary>Gets the organizations (each with its departments).</summary>
    public IList<ScmSimulatorOrganization> Organizations { get; } = new List<ScmSimulatorOrganization>();

    /// <summary>Gets the domains.</summary>
    public IList<ScmSimulatorDomain> Domains { get; } = new List<ScmSimulatorDomain>();

    /// <summary>Gets the SSL certificate profiles (SCM "types").</summary>
    public IList<ScmSimulatorProfile> Profiles { get; } = new List<ScmSimulatorProfile>();

    /// <summary>Gets the SSL custom fields.</summary>
    public IList<ScmSimulatorCustomField> CustomFields { get; } = new List<ScmSimulatorCustomField>();

    /// <summary>
    /// Creates the default account: two organizations with departments, each holding validated OV and EV SSL
    /// validations; domains in every validation state (VALIDATED, NOT_VALIDATED, EXPIRED) and delegation state
    /// (ACTIVE, REQUESTED); five profiles with realistic terms and key types (OV ones need the organization's OV
    /// validation, the EV one its EV validation; one requires approval, one does not allow renewal); two custom fields,
    /// one mandatory (for the REST API, the admin UI and web forms).
    /// </summary>
    /// <returns>A new account object the caller may change.</returns>
    public static ScmSimulatorAccount CreateDefault()
    {
        var account = new ScmSimulatorAccount();
        var acme = new ScmSimulatorOrganization
        {
            Id = 2001,
            Name = "Acme Corporation",
            SecondaryName = "Acme Corp",
            Address1 = "1 Main Street",
            City = "Salford",
            StateOrProvince = "Greater Manchester",
            PostalCode = "M5 3EQ",
            Country = "GB",
            ContactEmails = "pki@acme.example",
        };
        acme.Departments.Add(new ScmSimulatorDepartment { Id = 2101, Name = "Acme IT" });
        acme.Departments.Add(new ScmSimulatorDepartment { Id = 2102, Name = "Acme Web" });
        var globex = new ScmSimulatorOrganization
        {
            Id = 2002,
            Name = "Globex Inc",
            Address1 = "42 Industrial Way",
            City = "Springfield",
            StateOrProvince = "Oregon",
            PostalCode = "97403",
            Country = "US",
            ContactEmails = "certs@globex.example",
        };
        globex.Departments.Add(new ScmSimulatorDepartment { Id = 2201, Name = "Globex Research" });
        foreach (var org in new[] { acme, globex })
        {
            org.Validations.Add(new ScmSimulatorOrganizationValidation { Level = ScmSimulatorValidationLevel.OvSsl });
            org.Validations.Add(new ScmSimulatorOrganizationValidation { Level = ScmSimulatorValidationLevel.EvSsl });
        }

        account.Organizations.Add(acme);
        account.Organizations.Add(globex);

        account.Domains.Add(new ScmSimulatorDomain { Id = 3001, Name = "acme.example", DelegatedOrganizationIds = { 2001, 2101, 2102 } });
        account.Domains.Add(new ScmSimulatorDomain { Id = 3002, Name = "acme.test", DelegatedOrganizationIds = { 2001, 2101, 2102 } });
        account.Domains.Add(new ScmSimulatorDomain { Id = 3003, Name = "pending-dcv.example", Validation = ScmSimulatorDomainValidation.NotValidated, DelegatedOrganizationIds = { 2001, 2101, 2102 } });
        account.Domains.Add(new ScmSimulatorDomain { Id = 3004, Name = "expired-dcv.example", Validation = ScmSimulatorDomainValidation.Expired, DelegatedOrganizationIds = { 2001, 2101, 2102 } });
        account.Domains.Add(new ScmSimulatorDomain { Id = 3005, Name = "requested.example", Delegation = ScmSimulatorDomainDelegation.Requested, DelegatedOrganizationIds = { 2001, 2101, 2102 } });
        account.Domains.Add(new ScmSimulatorDomain { Id = 3006, Name = "globex.example", DelegatedOrganizationIds = { 2002, 2201 } });
        account.Domains.Add(new ScmSimulatorDomain { Id = 3007, Name = "suspended.example", Active = false, DelegatedOrganizationIds = { 2001 } });

        var ovKeys = new Dictionary<string, IList<string>>
        {
            ["RSA"] = ["2048", "3072", "4096"],
            ["EC"] = ["P-256", "P-384"],
        };
        account.Profiles.Add(new ScmSimulatorProfile
        {
            Id = 101,
            Name = "Sim OV SSL",
            Description = "Organization-validated single-domain TLS certificate",
            RequiredValidation = ScmSimulatorValidationLevel.OvSsl,
            Terms = { 365, 730 },
            KeyTypes = ovKeys,
        });
        account.Profiles.Add(new ScmSimulatorProfile
        {
            Id = 102,
            Name = "Sim OV Multi-Domain",
            Description = "Organization-validated multi-domain TLS certificate",
            RequiredValidation = ScmSimulatorValidationLevel.OvSsl,
            Terms = { 365 },
            KeyTypes = new Dictionary<string, IList<string>> { ["RSA"] = ["2048", "3072", "4096"], ["EC"] = ["P-256", "P-384"] },
        });
        account.Profiles.Add(new ScmSimulatorProfile
        {
            Id = 103,
            Name = "Sim EV SSL (approval required)",
            Description = "Extended-validation TLS certificate; an administrator must approve each request",
            ValidationType = "Extended Validation (EV)",
            RequiredValidation = ScmSimulatorValidationLevel.EvSsl,
            Terms = { 365 },
            KeyTypes = new Dictionary<string, IList<string>> { ["RSA"] = ["2048", "3072", "4096"] },
            RequiresApproval = true,
        });
        account.Profiles.Add(new ScmSimulatorProfile
        {
            Id = 104,
            Name = "Sim DV SSL (no renewal)",
            Description = "Domain-validated TLS certificate that cannot be renewed",
            ValidationType = "Domain Validation (DV)",
            Terms = { 90, 180 },
            KeyTypes = new Dictionary<string, IList<string>> { ["RSA"] = ["2048"], ["EC"] = ["P-256"] },
            AllowsRenewal = false,
        });
        account.Profiles.Add(new ScmSimulatorProfile
        {
            Id = 105,
            Name = "Sim Globex Only",
            Description = "Profile available to Globex only",
            RequiredValidation = ScmSimulatorValidationLevel.OvSsl,
            Terms = { 365 },
            KeyTypes = new Dictionary<string, IList<string>> { ["RSA"] = ["2048", "4096"], ["EC"] = ["P-256", "P-384"] },
            OrganizationIds = { 2002, 2201 },
        });

        account.CustomFields.Add(new ScmSimulatorCustomField { Id = 54, Name = "Cost Center", Mandatory = true, OtherMandatoryChannels = ScmSimulatorCustomFieldChannels.AdminUi | ScmSimulatorCustomFieldChannels.WebForm });
        account.CustomFields.Add(new ScmSimulatorCustomField { Id = 55, Name = "Application", Mandatory = false });
        return account;
    }
}

/// <summary>An organization of the simulated account.</summary>
public sealed class ScmSimulatorOrganization
{
    /// <summary>Gets or sets the organization id (usable as <c>orgId</c>).</summary>
    public int Id { get; set; }

    /// <summary>Gets or sets the name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the secondary (alternative) name, or <see langword="null"/>.</summary>
    public string? SecondaryName { get; set; }

    /// <summary>Gets or sets address line 1.</summary>
    public string? Address1 { get; set; }

    /// <summary>Gets or sets the city.</summary>
    public string? City { get; set; }

    /// <summary>Gets or sets the state or province.</summary>
    public string? StateOrProvince { get; set; }

    /// <summary>Gets or sets the postal code.</summary>
    public string? PostalCode { get; set; }

    /// <summary>Gets or sets the two-letter country code.</summary>
    public string Country { get; set; } = "GB";

    /// <summary>Gets or sets the contact e-mail addresses (comma separated).</summary>
    public string? ContactEmails { get; set; }

    /// <summary>Gets or sets a value indicating whether REST API operations on SSL certificates are allowed (-1021 otherwise).</summary>
    public bool SslCertsApiEnabled { get; set; } = true;

    /// <summary>Gets the departments (departments are organizations too: their ids are usable as <c>orgId</c>).</summary>
    public IList<ScmSimulatorDepartment> Departments { get; } = new List<ScmSimulatorDepartment>();

    /// <summary>
    /// Gets the organization's validations (<c>GET /organization/v2/{orgId}/validations</c>; departments share them). An order
    /// for a profile whose <see cref="ScmSimulatorProfile.RequiredValidation"/> this list lacks in status
    /// <see cref="ScmSimulatorValidationStatus.Validated"/> is refused with -843.
    /// </summary>
    public IList<ScmSimulatorOrganizationValidation> Validations { get; } = new List<ScmSimulatorOrganizationValidation>();
}

/// <summary>The level of an organization validation (the REST API 25.5's <c>validationLevel</c>; the Admin API 25.9's <c>type</c> is OV or EV).</summary>
public enum ScmSimulatorValidationLevel
{
    /// <summary>Organization validation for SSL (<c>OV_SSL</c>, type <c>OV</c>).</summary>
    OvSsl,

    /// <summary>Extended validation for SSL (<c>EV_SSL</c>, type <c>EV</c>).</summary>
    EvSsl,

    /// <summary>Organization validation for S/MIME (<c>OV_SMIME</c>, type <c>OV</c>).</summary>
    OvSmime,
}

/// <summary>The status of an organization validation.</summary>
public enum ScmSimulatorValidationStatus
{
    /// <summary>Validated and current (<c>VALIDATED</c>).</summary>
    Validated,

    /// <summary>Submitted, waiting for the CA (<c>PENDING</c>).</summary>
    Pending,

    /// <summary>Not validated (<c>NOT_VALIDATED</c>).</summary>
    NotValidated,

    /// <summary>Expired (<c>EXPIRED</c>).</summary>
    Expired,

    /// <summary>Refused by the CA (<c>FAILED</c>).</summary>
    Failed,
}

/// <summary>An OV or EV validation of an organization.</summary>
public sealed class ScmSimulatorOrganizationValidation
{
    /// <summary>Gets or sets the level. Default <see cref="ScmSimulatorValidationLevel.OvSsl"/>.</summary>
    public ScmSimulatorValidationLevel Level { get; set; } = ScmSimulatorValidationLevel.OvSsl;

    /// <summary>Gets or sets the status. Default <see cref="ScmSimulatorValidationStatus.Validated"/>.</summary>
    public ScmSimulatorValidationStatus Status { get; set; } = ScmSimulatorValidationStatus.Validated;

    /// <summary>Gets or sets when it expires; <see langword="null"/> gives a validated one a year from the simulator's start.</summary>
    public DateTimeOffset? Expires { get; set; }
}

/// <summary>A department of an organization.</summary>
public sealed class ScmSimulatorDepartment
{
    /// <summary>Gets or sets the department id (usable as <c>orgId</c>).</summary>
    public int Id { get; set; }

    /// <summary>Gets or sets the name.</summary>
    public string Name { get; set; } = "";
}

/// <summary>A domain's DCV validation status.</summary>
public enum ScmSimulatorDomainValidation
{
    /// <summary>DCV done and current (<c>VALIDATED</c>).</summary>
    Validated,

    /// <summary>DCV not done (<c>NOT_VALIDATED</c>): enroll answers -737.</summary>
    NotValidated,

    /// <summary>DCV expired (<c>EXPIRED</c>): enroll answers -737.</summary>
    Expired,
}

/// <summary>A domain's delegation status.</summary>
public enum ScmSimulatorDomainDelegation
{
    /// <summary>Delegation active (<c>ACTIVE</c>).</summary>
    Active,

    /// <summary>Delegation requested, not yet approved (<c>REQUESTED</c>): enroll answers -737.</summary>
    Requested,
}

/// <summary>A domain of the simulated account.</summary>
public sealed class ScmSimulatorDomain
{
    /// <summary>Gets or sets the domain id.</summary>
    public int Id { get; set; }

    /// <summary>Gets or sets the domain name; certificates may be ordered for it and its sub-domains.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the DCV validation status. Default <see cref="ScmSimulatorDomainValidation.Validated"/>.</summary>
    public ScmSimulatorDomainValidation Validation { get; set; } = ScmSimulatorDomainValidation.Validated;

    /// <summary>Gets or sets the delegation status. Default <see cref="ScmSimulatorDomainDelegation.Active"/>.</summary>
    public ScmSimulatorDomainDelegation Delegation { get; set; } = ScmSimulatorDomainDelegation.Active;

    /// <summary>Gets or sets a value indicating whether the domain is active (<c>ACTIVE</c>) or suspended (<c>SUSPENDED</c>).</summary>
    public bool Active { get; set; } = true;

    /// <summary>Gets the organization and department ids the domain is delegated to.</summary>
    public IList<int> DelegatedOrganizationIds { get; } = new List<int>();
}

/// <summary>An SSL certificate profile (an SCM "type"; its id is enroll's <c>certType</c>).</summary>
public sealed class ScmSimulatorProfile
{
    /// <summary>Gets or sets the profile id.</summary>
    public int Id { get; set; }

    /// <summary>Gets or sets the display name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the description.</summary>
    public string Description { get; set; } = "";

    /// <summary>Gets or sets the validation type shown in certificate details.</summary>
    public string ValidationType { get; set; } = "Organization Validation (OV)";

    /// <summary>
    /// Gets or sets the organization validation an order for this profile needs (an OV or EV profile); <see langword="null"/>
    /// (the default, as a DV profile) needs none. Without it in status <see cref="ScmSimulatorValidationStatus.Validated"/>
    /// (and not expired) enroll and renewals answer -843.
    /// </summary>
    public ScmSimulatorValidationLevel? RequiredValidation { get; set; }

    /// <summary>Gets the allowed terms in days (-36 otherwise).</summary>
    public IList<int> Terms { get; } = new List<int>();

    /// <summary>
    /// Gets or sets the allowed key types: algorithm (<c>RSA</c>, <c>EC</c>) to sizes or curves as strings
    /// (<c>"2048"</c>, <c>"P-256"</c>). An algorithm not listed answers -11, a size or curve not listed -13.
    /// </summary>
    public IDictionary<string, IList<string>> KeyTypes { get; set; } = new Dictionary<string, IList<string>>();

    /// <summary>Gets or sets a value indicating whether orders stay <c>Requested</c> until an administrator approves them.</summary>
    public bool RequiresApproval { get; set; }

    /// <summary>Gets or sets a value indicating whether certificates of this profile may be renewed (-180 otherwise).</summary>
    public bool AllowsRenewal { get; set; } = true;

    /// <summary>Gets or sets the <c>useSecondaryOrgName</c> flag.</summary>
    public bool UseSecondaryOrgName { get; set; }

    /// <summary>Gets the organization or department ids this profile is limited to; empty means every organization.</summary>
    public IList<int> OrganizationIds { get; } = new List<int>();
}

/// <summary>The channels other than the REST API for which a custom field can be mandatory (<c>/customField/v2</c> <c>mandatories</c>).</summary>
[Flags]
public enum ScmSimulatorCustomFieldChannels
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>The administrator interface (<c>ADMIN_UI</c>).</summary>
    AdminUi = 1,

    /// <summary>Enrollment web forms (<c>WEB_FORM</c>).</summary>
    WebForm = 2,

    /// <summary>The SOAP API (<c>SOAP_API</c>).</summary>
    SoapApi = 4,
}

/// <summary>The input type of a custom field (<c>input.type</c>).</summary>
public enum ScmSimulatorCustomFieldInput
{
    /// <summary>One line of text (<c>TEXT_SINGLE_LINE</c>).</summary>
    TextSingleLine,

    /// <summary>Several lines of text (<c>TEXT_MULTI_LINE</c>).</summary>
    TextMultiLine,

    /// <summary>An e-mail address (<c>EMAIL</c>).</summary>
    Email,

    /// <summary>A number (<c>NUMBER</c>).</summary>
    Number,

    /// <summary>One of <see cref="ScmSimulatorCustomField.Options"/> (<c>TEXT_OPTION</c>).</summary>
    TextOption,

    /// <summary>A date, <c>yyyy-MM-dd</c> (<c>DATE</c>).</summary>
    Date,
}

/// <summary>An SSL custom field.</summary>
public sealed class ScmSimulatorCustomField
{
    /// <summary>Gets or sets the id.</summary>
    public int Id { get; set; }

    /// <summary>Gets or sets the name enroll's <c>customFields</c> entries use.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// Gets or sets a value indicating whether an enroll through the REST API must carry this field (-62 otherwise):
    /// <c>mandatory</c> in <c>/ssl/v1/customFields</c>, <c>REST_API</c> in <c>/customField/v2</c>'s <c>mandatories</c>.
    /// </summary>
    public bool Mandatory { get; set; }

    /// <summary>Gets or sets the other channels that require the field (listed in v2's <c>mandatories</c>; the REST API does not enforce them).</summary>
    public ScmSimulatorCustomFieldChannels OtherMandatoryChannels { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the field is in use (<c>ACTIVE</c>, the default). An inactive field
    /// (<c>INACTIVE</c>) is not listed by <c>/ssl/v1/customFields</c>, is not required, and enroll refuses it with -135.
    /// </summary>
    public bool Active { get; set; } = true;

    /// <summary>Gets or sets the input type (checked on enroll: a value outside <see cref="Options"/>, not a number, not an e-mail address or not a <c>yyyy-MM-dd</c> date answers -1601).</summary>
    public ScmSimulatorCustomFieldInput Input { get; set; } = ScmSimulatorCustomFieldInput.TextSingleLine;

    /// <summary>Gets the values a <see cref="ScmSimulatorCustomFieldInput.TextOption"/> field accepts.</summary>
    public IList<string> Options { get; } = new List<string>();
}
