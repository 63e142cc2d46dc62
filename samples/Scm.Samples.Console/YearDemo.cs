using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle;
using Scm.Scenarios;
using Scm.Testing;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>
/// `scm demo --year`: a fleet of 47-day certificates kept alive for a year on a fake clock, against the in-process SCM
/// simulator with 10-day domain validations it enforces, a DCV responder publishing CNAME challenges into its DNS zone,
/// and SCM faults (HTML 502 pages and 429s on reads, a one-day outage). The engine (SQLite store, file-system deployment)
/// runs its daily jobs as the scheduler would. The scenario is the one YearOnFakeClockTests asserts on
/// (<see cref="ShortLivedFleetScenario"/>). Exit code 1 when a certificate expired or an order was duplicated.
/// </summary>
internal sealed class YearDemo
{
    /// <summary>The simulated year starts when SC-081's 47-day certificates and 10-day DCV reuse take effect.</summary>
    internal static readonly DateTimeOffset Start = new(2029, 3, 15, 0, 0, 0, TimeSpan.Zero);

    /// <summary>PBKDF2 iterations of the fleet's PKCS#12 keystores: the engine's minimum (a year of keystores is thousands of them).</summary>
    internal const int Pkcs12Iterations = 1000;

    private readonly CommandContext _context;
    private readonly IAnsiConsole _out;
    private readonly ShortLivedFleetOptions _options;
    private readonly bool _keep;

    public YearDemo(CommandContext context, ShortLivedFleetOptions options, bool keep)
    {
        _context = context;
        _out = context.Out;
        _options = options;
        _keep = keep;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var scenario = new ShortLivedFleetScenario(_options);
        var clock = new FakeTimeProvider(Start);
        var root = Path.Combine(Path.GetTempPath(), "scm-demo-year-" + Guid.NewGuid().ToString("N")[..12]);
        _out.Write(new Rule("[bold]Scm.Sdk demo: a year of short-lived certificates on a fake clock[/]").LeftJustified());
        _out.MarkupLine($"{_options.Certificates} certificates of {_options.TermDays} days for {_options.Days} simulated days from {Start:yyyy-MM-dd} (CA/Browser Forum SC-081: 47-day certificates, 10-day domain validation reuse).");
        _out.MarkupLine($"The SCM simulator enforces {_options.DcvValidity.TotalDays:0.#}-day domain validations; a DCV responder publishes CNAME challenges into its DNS zone; auto-renewal runs daily and pending orders every {_options.Step.TotalHours:0} hours, as the scheduler would.");
        _out.MarkupLine($"SCM faults: {Pct(_options.HtmlErrorPercent)}% HTML 502 pages and {Pct(_options.TooManyRequestsPercent)}% 429s on reads, and a 24-hour outage from day {_options.EffectiveOutageDay} on. Seed {_options.Seed}.");
        _out.MarkupLine($"The store and keys go to [blue]{Render.E(root)}[/] (SQLite without a flush to disk per commit; no deployment); keystores use {Pkcs12Iterations.ToString("N0", CultureInfo.InvariantCulture)} PBKDF2 iterations (the minimum) so that a year of them does not dominate the run.");

        var simulatorOptions = new ScmSimulatorOptions { TimeProvider = clock };
        scenario.ConfigureSimulator(simulatorOptions);
        var sessionOptions = _context.SessionOptions() with
        {
            Simulator = true,
            SimulatorUrl = null,
            StorePath = Path.Combine(root, "scm.db"),
            TempRoot = root,
            KeepTempRoot = _keep,
            SimulatorOptions = simulatorOptions,
            Configure = o =>
            {
                // The scenario's figures assume the engine's defaults; settings of this machine do not change them.
                o.Ordering.Pkcs12Iterations = Pkcs12Iterations;
                o.AutoRenewal.MaxJitter = TimeSpan.FromHours(6);
                o.AutoRenewal.MaxShareOfLifetime = AutoRenewalOptions.DefaultMaxShareOfLifetime;
                o.Dcv = new DcvOptions();
            },
            ConfigureBuilder = scenario.ConfigureBuilder,

            // A throw-away store and no deployment: flushing every commit and every deployed file to disk cost about 40% of
            // the wall time of a 100-certificate year, for files nobody reads (`scm demo` shows deployment).
            Deploy = false,
            ConfigureStore = o => o.FullSync = false,
        };
        var session = await _out.Status().StartAsync("Starting the SCM simulator and the engine on a fake clock…",
            _ => EngineSession.StartAsync(sessionOptions, _context.Environment with { Time = clock }, _context.Err, cancellationToken));
        ShortLivedFleetResult? result = null;
        try
        {
            var host = new ShortLivedFleetHost
            {
                Lifecycle = session.Lifecycle,
                Simulator = session.Simulator!,
                Time = clock,
                Advance = clock.Advance,
            };
            await _out.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Day 0 of {_options.Days}", maxValue: _options.Days);
                    result = await scenario.RunAsync(host, p =>
                    {
                        task.Value = p.Day;
                        task.Description = $"Day {Math.Floor(p.Day):0} of {p.Days} · {p.Ordered} ordered · {p.Renewals} renewals · {p.Revalidations} DCV revalidations" + (p.OutageActive ? " · [red]SCM outage[/]" : string.Empty);
                    }, cancellationToken);
                    task.Value = task.MaxValue;
                    task.StopTask();
                });
        }
        finally
        {
            await session.DisposeAsync();
            if (!_keep)
            {
                EngineSession.TryDelete(root);
            }
        }

        return Report(result!);
    }

    private int Report(ShortLivedFleetResult r)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]A year of short-lived certificates[/]")
            .AddColumn("Figure").AddColumn("Value").AddColumn("Target");
        table.AddRow("Certificates", $"{r.Ordered} of {r.Options.TermDays} days", string.Empty);
        table.AddRow("Renewals made", $"{r.RenewalsAtScm} renewal orders at SCM ({r.RenewedCertificates} renewed certificates stored, {r.OpenRenewalOrders} still open at the end)", $"{r.ExpectedRenewalsLow}..{r.ExpectedRenewalsHigh}");
        table.AddRow("DCV revalidations", $"{r.Revalidations} ({r.RevalidationsFailed} failed)", string.Empty);
        table.AddRow("Certificates that ever expired", Count(r.Expired.Count), "0");
        table.AddRow("Duplicate orders", Count(r.Duplicates.Count), "0");
        table.AddRow("Longest past a renewal point", $"{ShortLivedFleetResult.H(r.LongestLate)} h", "under 48 h");
        table.AddRow("SCM requests", r.ScmRequests.ToString("N0", CultureInfo.InvariantCulture), string.Empty);
        table.AddRow("Wall time", $"{r.WallTime.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s for {(r.End - r.Start).TotalDays:0} simulated days", string.Empty);
        _out.Write(table);
        foreach (var line in r.Describe())
        {
            _out.MarkupLine("[grey]" + Render.E(line) + "[/]");
        }

        _out.MarkupLine(_keep
            ? "The store, keys and keystores are kept in the folder above (delete it when done, or run with --clean)."
            : "The temporary folder was deleted (--clean).");
        if (r.Expired.Count > 0 || r.Duplicates.Count > 0)
        {
            _context.Err.MarkupLine($"[red]error:[/] {r.Expired.Count} certificates expired and {r.Duplicates.Count} orders were duplicated (target: 0 and 0).");
            return ExitCodes.Failure;
        }

        _out.MarkupLine($"[green]✓ No certificate expired and no order was duplicated in {r.Options.Days} days.[/]");
        return ExitCodes.Ok;
    }

    private static string Count(int count) => count == 0 ? "[green]0[/]" : $"[red]{count}[/]";

    private static string Pct(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture);
}
