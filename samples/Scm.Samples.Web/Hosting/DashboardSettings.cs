namespace Scm.Samples.Web.Hosting;

/// <summary>The dashboard's own settings (configuration section <c>Dashboard</c>); the engine's are under <c>Sectigo</c>.</summary>
public sealed class DashboardSettings
{
    /// <summary>The configuration section: <c>Dashboard</c>.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>Start an in-process SCM simulator, link it as the account and keep everything in a fresh temporary folder (<c>--simulator</c>).</summary>
    public bool Simulator { get; set; }

    /// <summary>
    /// Where the dashboard keeps its SQLite store, its Data Protection key ring and its linked account (default: the local
    /// application data folder, <c>Scm.Sdk/dashboard</c>; a fresh temporary folder in simulator mode). Back it up as a whole.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>The administrator who signs in with a password.</summary>
    public AdministratorSettings Administrator { get; set; } = new();

    /// <summary>Sign-in with an OpenID Connect provider, used when <see cref="OpenIdConnectSettings.Authority"/> is set.</summary>
    public OpenIdConnectSettings OpenIdConnect { get; set; } = new();

    /// <summary>Failed sign-ins in a row (per user name and per client address) before sign-in is refused for <see cref="SignInLockout"/> (default 5).</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long sign-in is refused after <see cref="MaxFailedSignIns"/> failures (default 1 minute).</summary>
    public TimeSpan SignInLockout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Simulator mode: how long the simulator takes to accept an order (default 1 s).</summary>
    public TimeSpan SimulatorApplyDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Simulator mode: how long the simulator takes to issue an accepted order (default 1 s).</summary>
    public TimeSpan SimulatorIssueDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads the section (missing values keep their defaults).</summary>
    public static DashboardSettings Read(IConfiguration configuration)
    {
        var settings = new DashboardSettings();
        configuration.GetSection(SectionName).Bind(settings);
        return settings;
    }

    /// <summary>The data folder to use when none is configured.</summary>
    public static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Scm.Sdk", "dashboard");
}

/// <summary>The administrator account (cookie sign-in with a password).</summary>
public sealed class AdministratorSettings
{
    /// <summary>The user name.</summary>
    public string? UserName { get; set; }

    /// <summary>
    /// The password's hash in the format of ASP.NET Core Identity's <c>PasswordHasher</c> (PBKDF2; create one with
    /// <c>dotnet run --project samples/Scm.Samples.Web -- hash-password</c>). Never the password itself.
    /// </summary>
    public string? PasswordHash { get; set; }

    /// <summary>Whether both values are set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(UserName) && !string.IsNullOrWhiteSpace(PasswordHash);

    /// <inheritdoc />
    public override string ToString() => $"AdministratorSettings {{ UserName = {UserName}, PasswordHash = {(PasswordHash is null ? "(none)" : "***")} }}";
}

/// <summary>OpenID Connect sign-in (authorization code flow).</summary>
public sealed class OpenIdConnectSettings
{
    /// <summary>The provider's issuer address; OpenID Connect is wired only when this is set.</summary>
    public string? Authority { get; set; }

    /// <summary>The client id registered with the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (from a secret store or the environment, never a file in source control).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The claim shown as the user's name and recorded as the audit actor (default <c>name</c>).</summary>
    public string NameClaim { get; set; } = "name";

    /// <summary>The label of the sign-in button (default "Sign in with your organization").</summary>
    public string DisplayName { get; set; } = "Sign in with your organization";

    /// <summary>Whether sign-in with OpenID Connect is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    /// <inheritdoc />
    public override string ToString() => $"OpenIdConnectSettings {{ Authority = {Authority}, ClientId = {ClientId}, ClientSecret = {(ClientSecret is null ? "(none)" : "***")} }}";
}
