namespace Scm.Lifecycle.Worker;

/// <summary>The worker's own settings (configuration section <c>Worker</c>); the engine's are in <c>Sectigo</c>.</summary>
public sealed class WorkerSettings
{
    public const string SectionName = "Worker";

    /// <summary>The SQLite file every instance shares.</summary>
    public string Database { get; set; } = string.Empty;

    /// <summary>A PostgreSQL connection string: the store is PostgreSQL instead of the SQLite file.</summary>
    public string? PostgreSql { get; set; }

    /// <summary>The PostgreSQL schema of the run.</summary>
    public string Schema { get; set; } = "scm";

    /// <summary>SQLite synchronous=FULL (default) or NORMAL. A killed process loses nothing committed either way; only a power loss could.</summary>
    public bool FullSync { get; set; } = true;

    /// <summary>How long a write waits for another process's write lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many certificates this worker orders (0: none).</summary>
    public int OrderCount { get; set; }

    /// <summary>The number of the first certificate (names are <c>c0000.&lt;Domain&gt;</c>, ...).</summary>
    public int OrderStart { get; set; }

    /// <summary>Spread the orders evenly over this time.</summary>
    public TimeSpan OrderSpread { get; set; }

    /// <summary>The pre-validated domain the names are under (the simulator's default account validates <c>acme.example</c>).</summary>
    public string Domain { get; set; } = "acme.example";

    /// <summary>The organization to order for (simulator default account: 2001).</summary>
    public int OrganizationId { get; set; } = 2001;

    /// <summary>The certificate profile (simulator default account: 102, multi-domain, renewable, EC allowed).</summary>
    public int ProfileId { get; set; } = 102;

    /// <summary>The term in days (the simulator's CertificateLifetime overrides the validity).</summary>
    public int TermDays { get; set; } = 365;

    /// <summary>A mandatory custom field of the simulator's default account: "name=value".</summary>
    public string CustomField { get; set; } = "Cost Center=CC-42";

    /// <summary>Run until no open order is left, then exit (no new orders, no renewals: the test turns auto-renewal off).</summary>
    public bool Drain { get; set; }

    /// <summary>Give up draining after this long (exit code 3).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Print every order write, fenced write refused for a lost lease, lease found lost and lifecycle event on standard
    /// output (lines starting with <c>TRACE</c> and <c>EVENT</c>), for the tests to wait on.
    /// </summary>
    public bool Trace { get; set; }

    /// <summary>Stop once at this point of an order's submission and wait for "continue" on standard input (see <see cref="PausePoint"/>).</summary>
    public PausePoint PauseAt { get; set; }

    /// <summary>The name of certificate <paramref name="number"/>.</summary>
    public string CommonName(int number) => $"c{number:D4}.{Domain}";
}
