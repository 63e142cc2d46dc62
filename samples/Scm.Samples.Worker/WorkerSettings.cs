using Microsoft.Extensions.Configuration;
using Scm.Lifecycle;
using Scm.Storage;

namespace Scm.Samples.Worker;

/// <summary>The worker's own settings (configuration section <c>Worker</c>); the SDK's settings live in <c>Sectigo</c>.</summary>
public sealed class WorkerSettings
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Worker";

    /// <summary>
    /// Where the SQLite store (<c>scm.db</c>) and, by default, the deployed certificates go. Empty: a folder under the
    /// local application data folder (<c>Scm.Sdk/worker</c>), or a fresh temporary folder in simulator mode.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// The address of a standalone SCM simulator (for example <c>http://127.0.0.1:5080</c>, as printed by
    /// <c>samples/Scm.Simulator.Host</c>). When set, the worker reads the simulator's address and credentials from its
    /// management API and uses them for <c>Sectigo:Client</c>. Empty: the configured SCM is used.
    /// </summary>
    public string? Simulator { get; set; }

    /// <summary>
    /// Several SCM accounts against standalone simulators (<c>Worker:Simulators:{account}</c> = the simulator's root
    /// address, one simulator per account): each account's <c>Sectigo:Accounts:{account}:Client</c> address and
    /// credentials are read from its simulator. Empty: the accounts of <c>Sectigo:Accounts</c> (or the single
    /// <c>Sectigo</c> account) are used as configured.
    /// </summary>
    public Dictionary<string, string> Simulators { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Where the engine keeps its state: <see cref="WorkerStorage.Sqlite"/> (default: <c>scm.db</c> under
    /// <see cref="DataDirectory"/>) or <see cref="WorkerStorage.PostgreSql"/> (<see cref="PostgreSql"/>; shared by several workers).
    /// </summary>
    public WorkerStorage Storage { get; set; } = WorkerStorage.Sqlite;

    /// <summary>The PostgreSQL store (<c>Worker:PostgreSql</c>), used when <see cref="Storage"/> is <see cref="WorkerStorage.PostgreSql"/>.</summary>
    public PostgreSqlSettings PostgreSql { get; set; } = new();

    /// <summary>
    /// Which scheduler runs the engine's jobs: <see cref="WorkerScheduling.Hosted"/> (default: the SDK's in-process
    /// scheduler, <c>Sectigo:Scheduling:*</c>) or <see cref="WorkerScheduling.Quartz"/> (Quartz.NET clustered over the
    /// PostgreSQL store's database, <c>Sectigo:Quartz:*</c>; needs <see cref="Storage"/> = PostgreSql).
    /// </summary>
    public WorkerScheduling Scheduling { get; set; } = WorkerScheduling.Hosted;

    /// <summary>How often the health report is written to the log (default 5 minutes; zero or less turns it off).</summary>
    public TimeSpan HealthReportInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The file-system deployment target.</summary>
    public DeploymentSettings Deployment { get; set; } = new();

    /// <summary>OpenTelemetry exporters.</summary>
    public TelemetrySettings Telemetry { get; set; } = new();

    /// <summary>Certificates this worker makes sure exist: each is ordered at start unless the store already has it.</summary>
    public List<DesiredCertificate> Certificates { get; set; } = [];

    /// <summary>Reads the section.</summary>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>The settings.</returns>
    public static WorkerSettings From(IConfiguration configuration)
    {
        var settings = new WorkerSettings();
        configuration.GetSection(SectionName).Bind(settings);
        return settings;
    }
}

/// <summary>Where the worker keeps the engine's state.</summary>
public enum WorkerStorage
{
    /// <summary>One SQLite file under the data directory (one host).</summary>
    Sqlite = 0,

    /// <summary>A PostgreSQL database (several hosts can share it).</summary>
    PostgreSql = 1,
}

/// <summary>Which scheduler runs the engine's jobs.</summary>
public enum WorkerScheduling
{
    /// <summary>The SDK's in-process hosted scheduler (one host, or several with the store's job leases).</summary>
    Hosted = 0,

    /// <summary>Quartz.NET with cron triggers, clustered over the PostgreSQL database (several hosts).</summary>
    Quartz = 1,
}

/// <summary>The PostgreSQL store (<c>Worker:PostgreSql</c>).</summary>
public sealed class PostgreSqlSettings
{
    /// <summary>The Npgsql connection string; the password from the environment (<c>Worker__PostgreSql__ConnectionString</c>) or user secrets, never a committed file.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The store's schema (default <c>scm</c>).</summary>
    public string Schema { get; set; } = "scm";
}

/// <summary>Settings of the file-system deployment target (<c>Worker:Deployment</c>).</summary>
public sealed class DeploymentSettings
{
    /// <summary>The root folder (default: <c>certificates</c> under the data directory).</summary>
    public string? Directory { get; set; }

    /// <summary>Also write <c>keystore.password</c> (mode 0600) beside the keystore, for unattended consumers.</summary>
    public bool WriteKeystorePassword { get; set; }

    /// <summary>Also write the unencrypted key as <c>privkey.pem</c> (mode 0600), as many web servers expect.</summary>
    public bool WriteUnencryptedPrivateKey { get; set; }

    /// <summary>How many version folders each certificate keeps, the live one included (empty: the SDK's default, 3; at least 2).</summary>
    public int? VersionsToKeep { get; set; }
}

/// <summary>OpenTelemetry settings (<c>Worker:Telemetry</c>).</summary>
public sealed class TelemetrySettings
{
    /// <summary>Print the SDK's metrics and traces (<c>Scm.Client</c>, <c>Scm.Lifecycle</c>) to the console.</summary>
    public bool ConsoleExporter { get; set; }
}

/// <summary>One certificate from <c>Worker:Certificates</c>; the fields mirror <see cref="OrderCertificateRequest"/>.</summary>
public sealed class DesiredCertificate
{
    /// <summary>
    /// The SCM account to order it in (a name of <c>Sectigo:Accounts</c>); empty for the host's only account or the
    /// account named <c>default</c>.
    /// </summary>
    public string? Account { get; set; }

    /// <summary>The common name.</summary>
    public string CommonName { get; set; } = string.Empty;

    /// <summary>More DNS names.</summary>
    public List<string> SubjectAlternativeNames { get; set; } = [];

    /// <summary>SCM organization or department id.</summary>
    public int OrganizationId { get; set; }

    /// <summary>SCM certificate profile id.</summary>
    public int ProfileId { get; set; }

    /// <summary>Term in days.</summary>
    public int TermDays { get; set; }

    /// <summary>Key algorithm (<c>Rsa</c> or <c>EC</c>).</summary>
    public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Rsa;

    /// <summary>RSA key size.</summary>
    public int? KeySize { get; set; }

    /// <summary>EC curve (<c>P-256</c>, <c>P-384</c>, <c>P-521</c>).</summary>
    public string? Curve { get; set; }

    /// <summary>Keystore type (<c>Pkcs12</c>, <c>Jks</c>, <c>Pem</c>).</summary>
    public KeystoreType KeystoreType { get; set; } = KeystoreType.Pkcs12;

    /// <summary>Custom fields by name (every mandatory SSL custom field of the account).</summary>
    public Dictionary<string, string> CustomFields { get; set; } = [];

    /// <summary>Tags kept with the certificate (auto-renewal can select by tag).</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>Per-certificate auto-renewal choice.</summary>
    public AutoRenewMode AutoRenew { get; set; } = AutoRenewMode.Inherit;

    /// <summary>Comments sent to SCM.</summary>
    public string? Comments { get; set; }

    /// <summary>The engine request (the keystore password is generated by the engine).</summary>
    /// <returns>The request.</returns>
    public OrderCertificateRequest ToRequest() => new()
    {
        CommonName = CommonName,
        SubjectAlternativeNames = SubjectAlternativeNames,
        OrganizationId = OrganizationId,
        ProfileId = ProfileId,
        TermDays = TermDays,
        KeyAlgorithm = KeyAlgorithm,
        KeySize = KeySize,
        Curve = Curve,
        KeystoreType = KeystoreType,
        CustomFields = CustomFields.Select(f => new CustomFieldValue(f.Key, f.Value)).ToArray(),
        Tags = Tags,
        AutoRenew = AutoRenew,
        Comments = Comments,
    };
}
