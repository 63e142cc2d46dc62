using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scm.Benchmarks.Storage;
using Scm.Lifecycle;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// Issue 15: a renewal storm. <see cref="Certificates"/> EC P-256 certificates, all due for renewal at once, renewed by
/// <see cref="Hosts"/> engine hosts sharing one store (<see cref="Store"/>), each running one auto-renewal scan
/// (<c>RunAutoRenewalAsync</c>) at the same moment; the simulator answers every SCM call after <see cref="LatencyMs"/>.
/// One invocation is the whole storm (Mean = wall time from the scans' start until every host's scan has returned).
/// <para>
/// The hosts are in-process: one <see cref="ServiceProvider"/> each, built like a host builds it
/// (<c>AddSectigoCertificateManagement</c> + <c>UsePostgreSqlStorage</c> or <c>UseSqliteStorage</c>), each with its own
/// instance name (lease owner), store instance (connection pool) and HTTP pipeline, all against one in-process
/// simulator. What this measures is the store and the claiming (leases, the one-open-order rule, the scan's keyset
/// pages), not process isolation. Each host's scan works on at most 4 certificates at a time (the scan's fixed degree of
/// parallelism), so a host never has more than 4 SCM calls in flight.
/// </para>
/// <para>
/// Set-up (not measured, every iteration): a fresh PostgreSQL schema or SQLite file; the simulator's clock is put 320
/// days in the past while the first host orders the certificates (no latency; profile term 365 days), then moved to the
/// present, so every certificate has 45 days left and is due under a 60-day renewal window, and every renewal is valid
/// for a year (never due again within the storm). <c>Polling:InitialDelay</c> is one tick, so that each renewal runs to the
/// installed certificate in one pass (the simulator issues at once; with SCM's real issuance times the poll and collect
/// would come later from the follow-up job: the same calls). <c>Ordering:Pkcs12Iterations</c> is 1,000 (the minimum)
/// so that PBKDF2 on two cores is not what is measured. Before the measured storm, the process runs a storm of
/// <see cref="WarmupCertificates"/> through the same code (not measured).
/// </para>
/// <para>
/// Checked after every storm (the run fails otherwise): the simulator counted exactly one renewal order per original
/// sslId (0 duplicates), every original certificate is superseded and its renewal active, no order is left open, and no
/// decision failed. Columns: renewals/s, speed-up over the 1-host row of the same store, store calls per renewal (a
/// counting <see cref="DelegatingScmStore"/> around each host's store; a write transaction counts once), SCM requests
/// per renewal, the wall time against the SCM floor (requests x latency / (4 x hosts)), duplicates, the renewals each
/// host made, and the machine's CPU use during the storm.
/// </para>
/// <c>SCM_TEST_POSTGRES=... dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*RenewalStorm*'</c>
/// (<c>SCM_BENCH_STORM_CERTIFICATES</c>, <c>SCM_BENCH_STORM_HOSTS</c>, <c>SCM_BENCH_STORM_STORES</c>,
/// <c>SCM_BENCH_STORM_LATENCY_MS</c>: comma-separated values).
/// </summary>
[Config(typeof(Config))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1, invocationCount: 1)]
public class RenewalStormBenchmarks
{
    public const int WarmupCertificates = 100;

    private static readonly TimeSpan SimulatorBehind = TimeSpan.FromDays(320);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(60);

    private readonly StoreCallCounter _storeCalls = new();
    private readonly List<ServiceProvider> _hosts = [];
    private ScmSimulator? _simulator;
    private string? _schema;
    private string? _sqliteFolder;
    private bool _warmedUp;
    private int _count;
    private long _requestsBefore;
    private (long Busy, long Total) _cpuBefore;
    private TimeSpan _processCpuBefore;
    private TimeSpan? _serverCpuBefore;
    private int? _postmaster;
    private AutoRenewalRunResult[] _results = [];
    private double _seconds;

    /// <summary>Due certificates: 10,000, or the list in <c>SCM_BENCH_STORM_CERTIFICATES</c>.</summary>
    [ParamsSource(nameof(CertificateCounts))]
    public int Certificates { get; set; }

    /// <summary>The store: PostgreSql and Sqlite, or the list in <c>SCM_BENCH_STORM_STORES</c> (also SqliteNoSync: <c>FullSync=false</c>).</summary>
    [ParamsSource(nameof(StoreNames))]
    public string Store { get; set; } = "PostgreSql";

    /// <summary>Engine hosts sharing the store: 1 and 4, or the list in <c>SCM_BENCH_STORM_HOSTS</c>.</summary>
    [ParamsSource(nameof(HostCounts))]
    public int Hosts { get; set; }

    /// <summary>The simulator's answer time for every SCM call, ms: 50, or the list in <c>SCM_BENCH_STORM_LATENCY_MS</c>.</summary>
    [ParamsSource(nameof(Latencies))]
    public int LatencyMs { get; set; }

    public static IEnumerable<int> CertificateCounts => Numbers("SCM_BENCH_STORM_CERTIFICATES", [10_000]);

    public static IEnumerable<string> StoreNames => Environment.GetEnvironmentVariable("SCM_BENCH_STORM_STORES") is { Length: > 0 } list
        ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        : ["PostgreSql", "Sqlite"];

    public static IEnumerable<int> HostCounts => Numbers("SCM_BENCH_STORM_HOSTS", [1, 4]);

    public static IEnumerable<int> Latencies => Numbers("SCM_BENCH_STORM_LATENCY_MS", [50]);

    [IterationSetup]
    public void IterationSetup() => IterationSetupAsync().GetAwaiter().GetResult();

    [IterationCleanup]
    public void IterationCleanup() => CleanupAsync(record: true).GetAwaiter().GetResult();

    [Benchmark]
    public Task<int> Storm() => RunStormAsync();

    private async Task IterationSetupAsync()
    {
        if (!_warmedUp)
        {
            // A small storm first, through the same code (JIT, connection pools, the simulator's first requests); not measured.
            await SetupAsync(Math.Min(WarmupCertificates, Certificates));
            await RunStormAsync();
            await CleanupAsync(record: false);
            _warmedUp = true;
        }

        await SetupAsync(Certificates);
    }

    private async Task<int> RunStormAsync()
    {
        var clock = Stopwatch.StartNew();
        _results = await Task.WhenAll(_hosts.Select(h => h.GetRequiredService<ICertificateLifecycle>().RunAutoRenewalAsync()));
        _seconds = clock.Elapsed.TotalSeconds;
        return _results.Sum(r => r.Decisions.Count(d => d.Decision == AutoRenewDecision.Renewed));
    }

    private async Task SetupAsync(int count)
    {
        _count = count;
        _simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            Seed = 15,
            Log = null,
            TimeProvider = new ShiftedTimeProvider(-SimulatorBehind),
            AutoApprovalDelay = TimeSpan.Zero,
            ApplyDelay = TimeSpan.Zero,
            IssueDelay = TimeSpan.Zero,
            RequestLogCapacity = LogRequests ? 1_000_000 : 0,
        });

        var protectionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string? connectionString = null;
        if (Store == "PostgreSql")
        {
            _schema = "bench_storm_" + Guid.NewGuid().ToString("N")[..12];
            connectionString = PostgreSqlData.ConnectionString;
        }
        else
        {
            _sqliteFolder = Path.Combine(StorageData.Folder, "storm-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_sqliteFolder);
        }

        for (var i = 0; i < Hosts; i++)
        {
            _hosts.Add(BuildHost(i + 1, protectionKey, connectionString));
        }

        // Seed through the first host: the certificates it orders are issued on the simulator's clock (320 days ago).
        var seeder = _hosts[0].GetRequiredService<ICertificateLifecycle>();
        await seeder.SyncCatalogAsync();
        var seeding = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, _count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var ordered = await seeder.OrderAsync(LifecycleBenchmarkEnvironment.OrderRequest(i), ct);
            var state = ordered.State == OrderState.Completed ? ordered.State : (await seeder.CheckStatusAsync(ordered.OrderId, ct)).Order.State;
            if (state != OrderState.Completed)
            {
                throw new InvalidOperationException($"Seeding: order {i} ended {state}.");
            }
        });
        var store = _hosts[0].GetRequiredService<IScmStore>();
        var active = await store.CountCertificatesAsync(CertificateStatus.Active);
        if (active != _count)
        {
            throw new InvalidOperationException($"Seeding: {active} active certificates, expected {_count}.");
        }

        _simulator.AdvanceTime(SimulatorBehind);
        var now = TimeProvider.System.GetUtcNow();
        var due = await store.ListCertificatesDueAsync(now + RenewBefore, 10_000);
        if (due.Count != Math.Min(_count, 10_000) || due.Any(c => c.NotAfter - now > RenewBefore || c.NotAfter - now < TimeSpan.FromDays(40)))
        {
            throw new InvalidOperationException($"Seeding: {due.Count} certificates due within {RenewBefore.TotalDays} days, expected {_count}, each with about 45 days left.");
        }

        Console.WriteLine(FormattableString.Invariant($"// storm set-up: {_count} certificates ordered in {seeding.Elapsed.TotalSeconds:0.0} s ({Store}, {Hosts} host(s))"));
        if (LatencyMs > 0)
        {
            _simulator.Faults.Add(ScmFault.Any().Latency(TimeSpan.FromMilliseconds(LatencyMs)));
        }

        _storeCalls.Reset();
        _simulator.ClearRequestLog();
        _requestsBefore = _simulator.Counters.Requests;
        _postmaster ??= Store == "PostgreSql" ? await PostgreSqlData.PostmasterPidAsync() : null;
        _serverCpuBefore = _postmaster is { } pm ? PostgreSqlData.ServerCpu(pm) : null;
        using (var process = Process.GetCurrentProcess())
        {
            _processCpuBefore = process.TotalProcessorTime;
        }

        _cpuBefore = MachineCpu();
    }

    private ServiceProvider BuildHost(int number, string protectionKey, string? connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddSectigoCertificateManagement(o =>
        {
            o.Client.BaseAddress = _simulator!.BaseAddress;
            o.Client.Login = _simulator.Credentials.Login;
            o.Client.Password = _simulator.Credentials.Password;
            o.Client.CustomerUri = _simulator.Credentials.CustomerUri;
            o.InstanceName = "storm-host-" + number.ToString(CultureInfo.InvariantCulture);
            o.Scheduling.Enabled = false;
            o.KeyProtection.Key = protectionKey;
            o.Ordering.Pkcs12Iterations = 1_000;
            o.Polling.InitialDelay = TimeSpan.FromTicks(1);
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.RenewBefore = RenewBefore;
        });
        if (connectionString is not null)
        {
            builder.UsePostgreSqlStorage(connectionString, o => o.Schema = _schema!);
        }
        else
        {
            // BusyTimeout 30 s, as the multi-process tests use: with the default 5 s, seeding 10,000 certificates from one
            // host (8 orders at a time) failed once with "database is locked" while the machine's load average was ~17 on
            // 2 cores (SQLite's busy handler polls; it does not queue writers fairly).
            builder.UseSqliteStorage(Path.Combine(_sqliteFolder!, "scm.db"), o =>
            {
                o.FullSync = Store != "SqliteNoSync";
                o.BusyTimeout = TimeSpan.FromSeconds(30);
            });
        }

        // The store as registered, wrapped in the call counter (the other store interfaces forward to IScmStore).
        var registered = services.Last(d => d.ServiceType == typeof(IScmStore));
        services.Remove(registered);
        services.AddSingleton<IScmStore>(sp => new CountingScmStore((IScmStore)registered.ImplementationFactory!(sp), _storeCalls));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private async Task CleanupAsync(bool record)
    {
        var cpuAfter = MachineCpu();
        TimeSpan processCpu;
        using (var process = Process.GetCurrentProcess())
        {
            processCpu = process.TotalProcessorTime - _processCpuBefore;
        }

        var serverCpu = _postmaster is { } pm && _serverCpuBefore is { } before && PostgreSqlData.ServerCpu(pm) is { } after ? after - before : (TimeSpan?)null;
        var storeCalls = _storeCalls.Snapshot();
        var requests = _simulator!.Counters.Requests - _requestsBefore;
        try
        {
            var renewalsBySslId = _simulator.Counters.RenewalOrdersBySslId();
            var duplicates = renewalsBySslId.Values.Sum(n => Math.Max(0, n - 1));
            var renewed = _results.Sum(r => r.Decisions.Count(d => d.Decision == AutoRenewDecision.Renewed));
            var failed = _results.Sum(r => r.Decisions.Count(d => d.Decision == AutoRenewDecision.Failed));
            var store = _hosts[0].GetRequiredService<IScmStore>();
            var active = await store.CountCertificatesAsync(CertificateStatus.Active);
            var superseded = await store.CountCertificatesAsync(CertificateStatus.Superseded);
            var open = await store.ListOpenOrdersAsync(null, 100);
            var perHost = string.Join("/", _results.Select(r => r.Decisions.Count(d => d.Decision == AutoRenewDecision.Renewed)));
            var cpu = cpuAfter.Total > _cpuBefore.Total ? 100.0 * (cpuAfter.Busy - _cpuBefore.Busy) / (cpuAfter.Total - _cpuBefore.Total) : 0;
            var floor = requests * (LatencyMs / 1000.0) / (4.0 * Hosts);
            var figures = new Dictionary<string, double>
            {
                ["Certificates"] = _count,
                ["Seconds"] = _seconds,
                ["Renewed"] = renewed,
                ["Duplicates"] = duplicates,
                ["StoreCallsPerRenewal"] = storeCalls.Values.Sum() / (double)Math.Max(1, renewed),
                ["CommitsPerRenewal"] = storeCalls.GetValueOrDefault("CommitAsync") / (double)Math.Max(1, renewed),
                ["LeaseCallsPerRenewal"] = storeCalls.Where(c => c.Key.Contains("Lease", StringComparison.Ordinal)).Sum(c => c.Value) / (double)Math.Max(1, renewed),
                ["ScmRequestsPerRenewal"] = requests / (double)Math.Max(1, renewed),
                ["WallOverFloor"] = floor > 0 ? _seconds / floor : 0,
                ["CpuPercent"] = cpu,
                ["ProcessCpuMsPerRenewal"] = processCpu.TotalMilliseconds / Math.Max(1, renewed),
            };
            if (serverCpu is { } server)
            {
                figures["ServerCpuMsPerRenewal"] = server.TotalMilliseconds / Math.Max(1, renewed);
            }

            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"// storm {Store} x{Hosts}, {_count} certificates, {LatencyMs} ms: {_seconds:0.0} s, {renewed} renewed ({perHost}), {failed} failed, ")
                .Append(CultureInfo.InvariantCulture, $"{duplicates} duplicates, {renewalsBySslId.Count} sslIds renewed, {active} active / {superseded} superseded, {open.Count} open orders; ")
                .Append(CultureInfo.InvariantCulture, $"SCM requests {requests} ({figures["ScmRequestsPerRenewal"]:0.00}/renewal), machine CPU {cpu:0}%, CPU per renewal {figures["ProcessCpuMsPerRenewal"]:0.0} ms here + {(serverCpu is { } sc ? (sc.TotalMilliseconds / Math.Max(1, renewed)).ToString("0.0", CultureInfo.InvariantCulture) : "-")} ms PostgreSQL; store calls {storeCalls.Values.Sum()} ({figures["StoreCallsPerRenewal"]:0.00}/renewal): ")
                .Append(string.Join(", ", storeCalls.Select(c => FormattableString.Invariant($"{c.Key} {c.Value / (double)Math.Max(1, renewed):0.00}"))));
            Console.WriteLine(text.ToString());
            if (LogRequests)
            {
                // Which SCM calls a renewal makes: method and path with the numbers replaced.
                var calls = _simulator.GetRequestLog()
                    .GroupBy(r => r.Method + " " + System.Text.RegularExpressions.Regex.Replace(r.Path, "[0-9]+", "{n}"))
                    .OrderByDescending(g => g.Count())
                    .Select(g => FormattableString.Invariant($"{g.Key} {g.Count() / (double)Math.Max(1, renewed):0.00}"));
                Console.WriteLine("// storm SCM requests per renewal: " + string.Join(", ", calls));
            }

            if (record)
            {
                StormResults.Write(this, figures, perHost);
            }

            if (duplicates != 0 || renewed != _count || failed != 0 || renewalsBySslId.Count != _count || active != _count || superseded != _count || open.Count != 0)
            {
                throw new InvalidOperationException("The storm did not renew every certificate exactly once: " + text);
            }
        }
        finally
        {
            foreach (var host in _hosts)
            {
                await host.DisposeAsync();
            }

            _hosts.Clear();
            await _simulator.DisposeAsync();
            _simulator = null;
            if (_schema is not null)
            {
                await using var connection = new NpgsqlConnection(PostgreSqlData.ConnectionString);
                await connection.OpenAsync();
                await PostgreSqlData.ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE;");
                _schema = null;
            }

            if (_sqliteFolder is not null)
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(_sqliteFolder, recursive: true);
                _sqliteFolder = null;
            }
        }
    }

    /// <summary>Busy and total jiffies of the whole machine (Linux /proc/stat; zeros elsewhere).</summary>
    private static (long Busy, long Total) MachineCpu()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + fields[4];
            var total = fields.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }

    /// <summary>Whether to keep the simulator's request log and print the SCM calls per renewal (<c>SCM_BENCH_STORM_LOG_REQUESTS=1</c>).</summary>
    private static bool LogRequests => Environment.GetEnvironmentVariable("SCM_BENCH_STORM_LOG_REQUESTS") == "1";

    private static IEnumerable<int> Numbers(string variable, int[] defaults) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } list
            ? list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            : defaults;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(
                new StormColumn("Renewals/s", "Renewed", "Renewals per second (renewed / wall time)", "N1", perSecond: true),
                new StormSpeedupColumn(),
                new StormColumn("Store calls/renewal", "StoreCallsPerRenewal", "Calls to the store per renewal, all hosts (one write transaction counts once)", "0.0"),
                new StormColumn("Commits/renewal", "CommitsPerRenewal", "Write transactions (CommitAsync) per renewal", "0.0"),
                new StormColumn("Lease calls/renewal", "LeaseCallsPerRenewal", "Lease acquisitions, checks, renewals and releases per renewal", "0.0"),
                new StormColumn("SCM requests/renewal", "ScmRequestsPerRenewal", "Requests the simulator answered per renewal", "0.00"),
                new StormColumn("Wall/SCM floor", "WallOverFloor", "Wall time over requests x latency / (4 per host x hosts)", "0.00"),
                new StormColumn("Duplicates", "Duplicates", "Renewal orders beyond one per original sslId (simulator's count)", "0"),
                new StormColumn("CPU ms/renewal", "ProcessCpuMsPerRenewal", "CPU time of the benchmark process (all hosts and the simulator) per renewal", "0.0"),
                new StormColumn("PG CPU ms/renewal", "ServerCpuMsPerRenewal", "CPU time of the PostgreSQL server (every backend) per renewal", "0.0"),
                new StormColumn("Machine CPU %", "CpuPercent", "Whole machine's CPU use during the storm, other work included (2 cores = 100 %)", "0"),
                new StormHostsColumn());

            // BenchmarkDotNet builds the benchmark's own copy of the projects first; on a shared 2-core machine under load
            // that has taken longer than its 2-minute default.
            WithBuildTimeout(TimeSpan.FromMinutes(15));
        }
    }
}

/// <summary>A clock <paramref name="offset"/> away from the system clock (timers and timestamps are the system's).</summary>
internal sealed class ShiftedTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
