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
using Scm.Lifecycle.Scheduling;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// Issue 16: scheduler overhead of many SCM accounts in one host. The same 10,000 active EC P-256 certificates, 1 % of
/// them due for renewal, laid out as one account of 10,000 (<c>1x10000</c>), 10 of 1,000 or 100 accounts of 100
/// (<see cref="Layout"/>), in one store (<see cref="Store"/>), each account a partition of it with its own engine (own
/// <c>ScmClient</c>, job runner and leases), configured in code as <c>options.Accounts[name]</c> (the one-account layout
/// too, so every row runs the same multi-account code). One invocation is one scheduling round of the daily jobs for
/// every account (Mean = its wall time):
/// <list type="bullet">
/// <item><c>InProcess</c>: what the in-process scheduler's per-account loop does on the tick after the daily jobs fell
/// due, for all accounts at once (one loop per account, each on its own task): the catalog sync's, the status check's
/// and the auto-renewal's last run read from the store, the catalog sync skipped (synced at set-up), the status check
/// (no open order) and the auto-renewal run, then the follow-up job (nothing due: the renewals' first poll is set to 1
/// minute later, see below);</item>
/// <item><c>Quartz4</c>: what the Quartz.NET job does: the status check for every account, at most 4 accounts at a
/// time, then the auto-renewal for every account, at most 4 at a time (two jobs; the follow-up is a job of its
/// own).</item>
/// </list>
/// Both call each account's <see cref="ILifecycleJobRunner"/> (the job lease, the credential-circuit check, the job,
/// its last-run record), as the schedulers do.
/// <para>
/// Set-up (not measured, every iteration): a fresh SQLite file (default options: <c>synchronous=FULL</c>) or PostgreSQL
/// schema; <b>one simulator shared by all accounts</b> (same address and credentials; each account still has its own
/// HTTP pipeline, connection pool and limit of 4 requests in flight); the host built and its engines created (timed:
/// the <c>Start ms</c> column); each account's catalog synced through its runner (so the weekly sync is not due in the
/// round); the filler certificates (99 %: NotAfter 90-730 days ahead, never due) written into each account's partition
/// in batches of 1,000; the due ones (1 %) ordered through each account's own engine while the simulator's clock is 320
/// days behind (365-day term: 45 days left, due under the accounts' 60-day renewal window, outside the emergency window;
/// 320 rather than more because the simulator's domain validations, dated on its clock, must still hold in the present). Then the
/// simulator's clock is put back to the present and every SCM request is answered after <see cref="LatencyMs"/>
/// (a latency fault rule on every path). Every account: auto-renewal on (all certificates), 60-day window,
/// <c>Polling:InitialDelay</c> 1 minute (so no round, however slow, also polls and collects its renewals), PKCS#12
/// iterations 1,000 (set-up speed only), everything else default. Checked after every round (the run fails otherwise):
/// every job ran (a failure is caught per run, as both schedulers do, and named), SCM got exactly one renewal per due
/// certificate and none for the others, each account holds exactly its due certificates' renewal orders, all submitted,
/// and the catalog sync did not run.
/// </para>
/// <para>
/// Columns (means of the measured rounds; the warm-up round is left out): renewals, SCM requests, store calls and write
/// transactions (a counting decorator around the store and every partition it hands out), the SCM latency floor and the
/// time above it, process CPU, the 99th percentile and the longest write transaction (call to completion, waiting for
/// the write lock included), the extra per account over the one-account row (same scheduler, store, latency), and the
/// host's start (container and engines, not in Mean). Each round's figures, the store calls by operation, the SCM
/// requests by path and the thread pool (threads, queued work items) are also printed to the log.
/// </para>
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*ManyAccounts*'</c> (PostgreSQL rows too with
/// <c>SCM_TEST_POSTGRES</c> set; <c>SCM_BENCH_ACCOUNTS_LAYOUTS</c>, <c>SCM_BENCH_ACCOUNTS_SCHEDULERS</c>,
/// <c>SCM_BENCH_ACCOUNTS_STORES</c>, <c>SCM_BENCH_ACCOUNTS_LATENCY_MS</c>: comma-separated values).
/// </summary>
[Config(typeof(Config))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class ManyAccountsBenchmarks
{
    /// <summary>The share of every account's certificates due in the round.</summary>
    public const int DuePercent = 1;

    /// <summary>The accounts' renewal window (the due certificates have 45 days left, the others at least 90).</summary>
    public const int RenewBeforeDays = 60;

    private const int LoadBatch = 1_000;

    private static readonly TimeSpan SimulatorBehind = TimeSpan.FromDays(320);

    private readonly PartitionedStoreCalls _storeCalls = new();
    private readonly List<IReadOnlyDictionary<string, double>> _rounds = [];
    private readonly string _protectionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private string[] _accounts = [];
    private ManagedCertificate[][] _fillers = [];
    private int _perAccount;
    private int _duePerAccount;
    private ScmSimulator? _simulator;
    private ServiceProvider? _host;
    private ILifecycleJobRunner[] _runners = [];
    private string? _sqliteFolder;
    private string? _schema;
    private double _startMs;
    private double _setupSeconds;
    private long _requestsBefore;
    private TimeSpan _cpuBefore;
    private List<JobRunResult>[] _results = [];
    private double _seconds;
    private (int ThreadsBefore, int ThreadsMax, long QueuedMax) _pool;

    /// <summary>Accounts x certificates per account: 1x10000, 10x1000, 100x100 (or <c>SCM_BENCH_ACCOUNTS_LAYOUTS</c>).</summary>
    [ParamsSource(nameof(Layouts))]
    public string Layout { get; set; } = "1x10000";

    /// <summary>How the round runs the accounts: InProcess (all at once) or Quartz4 (at most 4 at a time, job by job).</summary>
    [ParamsSource(nameof(Schedulers))]
    public string Scheduler { get; set; } = "InProcess";

    /// <summary>
    /// Sqlite (the store's defaults), plus PostgreSql when <c>SCM_TEST_POSTGRES</c> is set, or the list in
    /// <c>SCM_BENCH_ACCOUNTS_STORES</c> (also SqliteBusy60s: SQLite with a 60 s busy timeout instead of 5 s).
    /// </summary>
    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = "Sqlite";

    /// <summary>The simulator's answer time for every SCM call, ms: 50 (or <c>SCM_BENCH_ACCOUNTS_LATENCY_MS</c>).</summary>
    [ParamsSource(nameof(Latencies))]
    public int LatencyMs { get; set; }

    public static IEnumerable<string> Layouts => Strings("SCM_BENCH_ACCOUNTS_LAYOUTS", ["1x10000", "10x1000", "100x100"]);

    public static IEnumerable<string> Schedulers => Strings("SCM_BENCH_ACCOUNTS_SCHEDULERS", ["InProcess", "Quartz4"]);

    public static IEnumerable<string> Stores => Strings("SCM_BENCH_ACCOUNTS_STORES",
        Environment.GetEnvironmentVariable("SCM_TEST_POSTGRES") is { Length: > 0 } ? ["Sqlite", "PostgreSql"] : ["Sqlite"]);

    public static IEnumerable<int> Latencies => Strings("SCM_BENCH_ACCOUNTS_LATENCY_MS", ["50"]).Select(s => int.Parse(s, CultureInfo.InvariantCulture));

    /// <summary>The number of accounts a layout names.</summary>
    public static int AccountsOf(string layout) => int.Parse(layout.Split('x')[0], CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void GlobalSetup()
    {
        // Diagnosis only (SCM_BENCH_ACCOUNTS_MIN_THREADS=n): start the thread pool with n threads instead of one per core.
        if (Environment.GetEnvironmentVariable("SCM_BENCH_ACCOUNTS_MIN_THREADS") is { Length: > 0 } minThreads)
        {
            var n = int.Parse(minThreads, CultureInfo.InvariantCulture);
            ThreadPool.SetMinThreads(n, n);
        }

        var parts = Layout.Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var accounts) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var perAccount)
            || accounts < 1 || perAccount * DuePercent % 100 != 0 || perAccount * DuePercent / 100 < 1)
        {
            throw new InvalidOperationException($"Layout '{Layout}' must be <accounts>x<certificates per account>, with {DuePercent} % of an account's certificates a whole number >= 1.");
        }

        _perAccount = perAccount;
        _duePerAccount = perAccount * DuePercent / 100;
        _accounts = Enumerable.Range(0, accounts).Select(a => "tenant" + a.ToString("D3", CultureInfo.InvariantCulture)).ToArray();

        // The 99 % that are not due: realistic records (chain PEM, protected key, SANs) with NotAfter 90-730 days ahead.
        var now = TimeProvider.System.GetUtcNow();
        var random = new Random(16);
        _fillers = new ManagedCertificate[accounts][];
        for (var a = 0; a < accounts; a++)
        {
            _fillers[a] = new ManagedCertificate[perAccount - _duePerAccount];
            for (var k = 0; k < _fillers[a].Length; k++)
            {
                var record = StorageData.Certificate((a * perAccount) + k, random, timeOrderedId: true);
                var notAfter = now + TimeSpan.FromDays(90) + TimeSpan.FromSeconds(random.NextDouble() * TimeSpan.FromDays(640).TotalSeconds);
                _fillers[a][k] = record with
                {
                    AccountId = _accounts[a],
                    Status = CertificateStatus.Active,
                    KeystoreType = KeystoreType.Pkcs12,
                    TermDays = LifecycleBenchmarkEnvironment.Term,
                    NotBefore = notAfter - TimeSpan.FromDays(LifecycleBenchmarkEnvironment.Term),
                    NotAfter = notAfter,
                };
            }
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        // The first round of the process is BenchmarkDotNet's warm-up iteration (JIT, pools, tiering): left out, so the
        // figures are the means of the measured iterations, as Mean is.
        var measured = _rounds.Skip(1).ToList();
        if (measured.Count > 0)
        {
            var figures = measured[0].Keys.ToDictionary(k => k, k => measured.Average(r => r[k]), StringComparer.Ordinal);
            figures["Rounds"] = measured.Count;
            ManyAccountsResults.Write(this, figures);
        }
    }

    [IterationSetup]
    public void IterationSetup() => SetupAsync().GetAwaiter().GetResult();

    [IterationCleanup]
    public void IterationCleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark]
    public Task<int> SchedulingRound() => RunRoundAsync();

    private async Task<int> RunRoundAsync()
    {
        using var pool = new ThreadPoolSampler();
        var clock = Stopwatch.StartNew();
        var results = _runners.Select(_ => new List<JobRunResult>()).ToArray();
        if (Scheduler == "InProcess")
        {
            // One loop per account, each on its own task (the in-process scheduler's Task.Run per account).
            await Task.WhenAll(_runners.Select((runner, i) => Task.Run(() => LoopOnceAsync(runner, results[i]))));
        }
        else
        {
            // The Quartz job of each daily job: every account through its runner, at most 4 at a time.
            foreach (var job in new[] { LifecycleJob.StatusCheck, LifecycleJob.AutoRenewal })
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, _runners.Length), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
                {
                    var run = await RunAsync(_runners[i], job);
                    lock (results[i])
                    {
                        results[i].Add(run);
                    }
                });
            }
        }

        _seconds = clock.Elapsed.TotalSeconds;
        _pool = pool.Stop();
        _results = results;
        return results.Sum(r => r.Count);
    }

    /// <summary>The body of the in-process scheduler's per-account loop: the jobs whose interval has passed, then follow-up.</summary>
    private static async Task LoopOnceAsync(ILifecycleJobRunner runner, List<JobRunResult> ran)
    {
        var intervals = new SchedulingOptions();
        await RunIfDueAsync(runner, LifecycleJob.CatalogSync, intervals.CatalogSyncInterval, ran);
        await RunIfDueAsync(runner, LifecycleJob.StatusCheck, intervals.StatusCheckInterval, ran);
        await RunIfDueAsync(runner, LifecycleJob.AutoRenewal, intervals.AutoRenewalInterval, ran);
        ran.Add(await RunAsync(runner, LifecycleJob.FollowUp));
    }

    private static async Task RunIfDueAsync(ILifecycleJobRunner runner, LifecycleJob job, TimeSpan interval, List<JobRunResult> ran)
    {
        var last = await runner.GetLastRunAsync(job);
        if (last is null || TimeProvider.System.GetUtcNow() - last >= interval)
        {
            ran.Add(await RunAsync(runner, job));
        }
    }

    /// <summary>
    /// One job run. A failure is caught, as both schedulers do (the in-process one logs it and backs off, the Quartz job
    /// completes the other accounts and then fails the run), and recorded as a run that did not happen; the round's check
    /// then fails naming it.
    /// </summary>
    private static async Task<JobRunResult> RunAsync(ILifecycleJobRunner runner, LifecycleJob job)
    {
        try
        {
            return await runner.RunAsync(job);
        }
        catch (Exception ex)
        {
            return new JobRunResult(job, false, "Failed: " + ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task SetupAsync()
    {
        var setup = Stopwatch.StartNew();
        _simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            Seed = 16,
            Log = null,
            TimeProvider = new BehindTimeProvider(SimulatorBehind),
            AutoApprovalDelay = TimeSpan.Zero,
            ApplyDelay = TimeSpan.Zero,
            IssueDelay = TimeSpan.Zero,
            RequestLogCapacity = 100_000,
        });

        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddSectigoCertificateManagement(o =>
        {
            o.InstanceName = "accounts-bench";
            o.Scheduling.Enabled = false; // the benchmark drives the rounds
            o.KeyProtection.Key = _protectionKey;
            foreach (var name in _accounts)
            {
                o.Accounts[name] = AccountOptions(_simulator);
            }
        });
        if (Store == "PostgreSql")
        {
            _schema = "bench_accounts_" + Guid.NewGuid().ToString("N")[..12];
            builder.UsePostgreSqlStorage(PostgreSqlConnectionString, o => o.Schema = _schema);
        }
        else
        {
            _sqliteFolder = Path.Combine(StorageData.Folder, "accounts-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_sqliteFolder);
            builder.UseSqliteStorage(Path.Combine(_sqliteFolder, "scm.db"), o =>
            {
                if (Store == "SqliteBusy60s")
                {
                    o.BusyTimeout = TimeSpan.FromSeconds(60);
                }
            });
        }

        // The store as registered, wrapped in the call counter (its partitions too; the other store interfaces forward to IScmStore).
        var registered = services.Last(d => d.ServiceType == typeof(IScmStore));
        services.Remove(registered);
        services.AddSingleton<IScmStore>(sp => new CountingPartitionedScmStore((IScmStore)registered.ImplementationFactory!(sp), _storeCalls));

        // Host start: the container, then every account's engine (its client, store partition and runner).
        var start = Stopwatch.StartNew();
        _host = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var provider = _host.GetRequiredService<ICertificateLifecycleProvider>();
        var served = provider.Accounts;
        _startMs = start.Elapsed.TotalMilliseconds;
        if (served.Count != _accounts.Length)
        {
            throw new InvalidOperationException($"The host serves {served.Count} accounts, expected {_accounts.Length}.");
        }

        _runners = _accounts.Select(provider.GetJobRunner).ToArray();
        var root = (IPartitionedScmStore)_host.GetRequiredService<IScmStore>();
        await root.InitializeAsync();

        // Each account's catalog, through its runner (so its last run is recorded and the weekly sync is not due).
        await Parallel.ForEachAsync(Enumerable.Range(0, _accounts.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (a, ct) =>
        {
            var sync = await _runners[a].RunAsync(LifecycleJob.CatalogSync, ct);
            if (!sync.Ran)
            {
                throw new InvalidOperationException($"Set-up: the catalog sync of {_accounts[a]} did not run: {sync.Summary}");
            }
        });

        // The 99 % not due, into each account's partition.
        for (var a = 0; a < _accounts.Length; a++)
        {
            var partition = root.ForAccount(_accounts[a]);
            for (var start0 = 0; start0 < _fillers[a].Length; start0 += LoadBatch)
            {
                var batch = new StoreBatch();
                foreach (var certificate in _fillers[a].AsSpan(start0, Math.Min(LoadBatch, _fillers[a].Length - start0)))
                {
                    batch.InsertCertificate(certificate);
                }

                await partition.CommitAsync(batch);
            }
        }

        // The 1 % due, ordered through each account's engine on the simulator's past clock (45 days left when it is put back).
        await Parallel.ForEachAsync(Enumerable.Range(0, _accounts.Length * _duePerAccount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var lifecycle = provider.Get(_accounts[i / _duePerAccount]);
            var ordered = await lifecycle.OrderAsync(LifecycleBenchmarkEnvironment.OrderRequest(i), ct);
            var state = ordered.State == OrderState.Completed ? ordered.State : (await lifecycle.CheckStatusAsync(ordered.OrderId, ct)).Order.State;
            if (state != OrderState.Completed)
            {
                throw new InvalidOperationException($"Set-up: order {i} ended {state}.");
            }
        });

        _simulator.AdvanceTime(SimulatorBehind);
        var now = TimeProvider.System.GetUtcNow();
        var horizon = now + TimeSpan.FromDays(RenewBeforeDays) + new AutoRenewalOptions().MaxJitter;
        for (var a = 0; a < _accounts.Length; a++)
        {
            var partition = root.ForAccount(_accounts[a]);
            var due = await partition.ListCertificatesDueAsync(horizon, 1_000);
            var all = await partition.CountCertificatesAsync(CertificateStatus.Active);
            if (due.Count != _duePerAccount || all != _perAccount || due.Any(c => c.NotAfter - now > TimeSpan.FromDays(46) || c.NotAfter - now < TimeSpan.FromDays(44)))
            {
                throw new InvalidOperationException($"Set-up: {_accounts[a]} has {all} active certificates ({_perAccount} expected), {due.Count} within the renewal horizon ({_duePerAccount} expected, each with 45 days left).");
            }
        }

        if (LatencyMs > 0)
        {
            _simulator.Faults.Add(ScmFault.Any().Latency(TimeSpan.FromMilliseconds(LatencyMs)));
        }

        _simulator.ClearRequestLog();
        _requestsBefore = _simulator.Counters.Requests;
        if (_simulator.Counters.RenewalOrdersBySslId().Count != 0)
        {
            throw new InvalidOperationException("Set-up: the simulator counted renewals before the round.");
        }

        _setupSeconds = setup.Elapsed.TotalSeconds;
        _storeCalls.Reset();
        using var process = Process.GetCurrentProcess();
        _cpuBefore = process.TotalProcessorTime;
    }

    private async Task CleanupAsync()
    {
        TimeSpan cpu;
        using (var process = Process.GetCurrentProcess())
        {
            cpu = process.TotalProcessorTime - _cpuBefore;
        }

        var calls = _storeCalls.Snapshot();
        var simulator = _simulator!;
        var requests = simulator.Counters.Requests - _requestsBefore;
        var log = simulator.GetRequestLog();
        try
        {
            var renewals = simulator.Counters.RenewalOrdersBySslId();
            var due = _accounts.Length * _duePerAccount;
            var runs = _results.Sum(r => r.Count);
            var notRun = _results.SelectMany(r => r).Where(r => !r.Ran).ToList();
            var catalogSyncs = _results.SelectMany(r => r).Count(r => r.Job == LifecycleJob.CatalogSync);
            var root = (IPartitionedScmStore)_host!.GetRequiredService<IScmStore>();

            // Each account's renewal orders: submitted (or completed, would a round ever outlast the first poll's delay).
            var renewalsPerAccount = new int[_accounts.Length];
            var completed = 0;
            var otherStates = 0;
            for (var a = 0; a < _accounts.Length; a++)
            {
                string? token = null;
                do
                {
                    var page = await root.ForAccount(_accounts[a]).ListOrdersAsync(new OrderQuery { PageSize = 500, ContinuationToken = token });
                    var renewalOrders = page.Items.Where(o => o.Kind == OrderKind.Renewal).ToList();
                    renewalsPerAccount[a] += renewalOrders.Count;
                    otherStates += renewalOrders.Count(o => o.State is not (OrderState.Submitted or OrderState.Completed));
                    completed += renewalOrders.Count(o => o.State == OrderState.Completed);
                    token = page.ContinuationToken;
                }
                while (token is not null);
            }

            var writes = _storeCalls.WriteMilliseconds();

            double Sum(Func<string, bool> which) => calls.Where(c => which(c.Key)).Sum(c => c.Value);
            var figures = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["Seconds"] = _seconds,
                ["Renewed"] = renewals.Values.Sum(),
                ["JobRuns"] = runs,
                ["ScmRequests"] = requests,
                ["StoreCalls"] = calls.Values.Sum(),
                ["Commits"] = Sum(k => k == "CommitAsync"),
                ["LeaseCalls"] = Sum(k => k.Contains("Lease", StringComparison.Ordinal)),
                ["Writes"] = Sum(k => k is "CommitAsync" or "AppendAuditAsync" or "SetValueAsync" or "SaveCatalogAsync" or "TryAcquireLeaseAsync" or "RenewLeaseAsync" or "ReleaseLeaseAsync"),
                ["ValueCalls"] = Sum(k => k is "GetValueAsync" or "SetValueAsync"),
                ["CpuMs"] = cpu.TotalMilliseconds,
                ["FailedJobs"] = notRun.Count,
                ["CompletedInRound"] = completed,
                ["WriteMeanMs"] = writes.Length > 0 ? writes.Average() : 0,
                ["WriteP99Ms"] = writes.Length > 0 ? writes[(int)Math.Min(writes.Length - 1, Math.Ceiling(writes.Length * 0.99) - 1)] : 0,
                ["WriteMaxMs"] = writes.Length > 0 ? writes[^1] : 0,
                ["PoolThreadsBefore"] = _pool.ThreadsBefore,
                ["PoolThreadsMax"] = _pool.ThreadsMax,
                ["PoolQueuedMax"] = _pool.QueuedMax,
                ["StartMs"] = _startMs,
                ["SetupSeconds"] = _setupSeconds,
            };
            _rounds.Add(figures);

            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"// accounts {Layout} {Scheduler} {Store} {LatencyMs} ms (round {_rounds.Count}): {_seconds:0.000} s, {runs} job runs ({notRun.Count} not run), ")
                .Append(CultureInfo.InvariantCulture, $"{renewals.Values.Sum()} renewals for {renewals.Count} sslIds ({due} due), renewal orders per account {renewalsPerAccount.Min()}-{renewalsPerAccount.Max()} ({completed} completed by the follow-up, {otherStates} in other states), ")
                .Append(CultureInfo.InvariantCulture, $"write transactions {writes.Length} (mean {figures["WriteMeanMs"]:0.0} ms, p99 {figures["WriteP99Ms"]:0.0} ms, max {figures["WriteMaxMs"]:0.0} ms), ")
                .Append(CultureInfo.InvariantCulture, $"thread pool {_pool.ThreadsBefore} -> max {_pool.ThreadsMax} threads, max {_pool.QueuedMax} queued work items, ")
                .Append(CultureInfo.InvariantCulture, $"SCM requests {requests}, CPU {cpu.TotalMilliseconds:0} ms, host start {_startMs:0} ms, set-up {_setupSeconds:0.0} s; ")
                .Append(CultureInfo.InvariantCulture, $"store calls {calls.Values.Sum()}: ").Append(string.Join(", ", calls.Select(c => FormattableString.Invariant($"{c.Key} {c.Value}"))));
            Console.WriteLine(text.ToString());
            Console.WriteLine("// accounts SCM requests: " + string.Join(", ", log
                .GroupBy(r => r.Method + " " + System.Text.RegularExpressions.Regex.Replace(r.Path, "[0-9]+", "{n}"))
                .OrderByDescending(g => g.Count())
                .Select(g => FormattableString.Invariant($"{g.Key} {g.Count()}"))));

            if (notRun.Count > 0 || catalogSyncs != 0 || renewals.Count != due || renewals.Values.Any(n => n != 1) || renewalsPerAccount.Any(n => n != _duePerAccount) || otherStates != 0)
            {
                throw new InvalidOperationException("The round did not renew exactly the due certificates once each: " + text
                    + (notRun.Count > 0 ? $" {notRun.Count} job runs did not run: " + string.Join("; ", _results
                        .SelectMany((runs, a) => runs.Where(r => !r.Ran).Select(r => _accounts[a] + " " + r.Job + ": " + r.Summary)).Take(10)) : string.Empty));
            }
        }
        finally
        {
            await _host!.DisposeAsync();
            _host = null;
            await simulator.DisposeAsync();
            _simulator = null;
            if (_schema is not null)
            {
                await using var connection = new NpgsqlConnection(PostgreSqlConnectionString);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE;", connection);
                await drop.ExecuteNonQueryAsync();
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

    private static SectigoCertificateManagementOptions AccountOptions(ScmSimulator simulator)
    {
        var options = new SectigoCertificateManagementOptions();
        options.Client.BaseAddress = simulator.BaseAddress;
        options.Client.Login = simulator.Credentials.Login;
        options.Client.Password = simulator.Credentials.Password;
        options.Client.CustomerUri = simulator.Credentials.CustomerUri;
        options.Scheduling.Enabled = false;
        options.AutoRenewal.Enabled = true;
        options.AutoRenewal.RenewBeforeDays = RenewBeforeDays;

        // Set-up speed only: the round builds no PKCS#12 (the renewals are collected by a later follow-up).
        options.Ordering.Pkcs12Iterations = 1_000;

        // A renewal's first poll 1 minute after it was sent (default 10 s), so that no round, however slow the machine,
        // also polls and collects renewals: every row compares the daily jobs alone (the follow-up job still runs in the
        // in-process rows and finds nothing due).
        options.Polling.InitialDelay = TimeSpan.FromMinutes(1);
        return options;
    }

    private static string PostgreSqlConnectionString => Environment.GetEnvironmentVariable("SCM_TEST_POSTGRES") is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException("The PostgreSql rows need a server: run 'bash eng/postgres.sh start' and export the SCM_TEST_POSTGRES=... line it prints.");

    private static IEnumerable<string> Strings(string variable, string[] defaults) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : defaults;

    /// <summary>
    /// The thread pool during a round, sampled every 5 ms on a thread of its own: its thread count before and at most, and
    /// the most work items waiting for a thread (continuations of every account's engine and of the in-process simulator).
    /// </summary>
    private sealed class ThreadPoolSampler : IDisposable
    {
        private readonly ManualResetEventSlim _stop = new(false);
        private readonly Thread _thread;
        private readonly int _before = ThreadPool.ThreadCount;
        private int _threadsMax;
        private long _queuedMax;

        public ThreadPoolSampler()
        {
            _threadsMax = _before;
            _thread = new Thread(() =>
            {
                do
                {
                    _threadsMax = Math.Max(_threadsMax, ThreadPool.ThreadCount);
                    _queuedMax = Math.Max(_queuedMax, ThreadPool.PendingWorkItemCount);
                }
                while (!_stop.Wait(TimeSpan.FromMilliseconds(5)));
            })
            {
                IsBackground = true,
                Name = "thread-pool-sampler",
            };
            _thread.Start();
        }

        public (int ThreadsBefore, int ThreadsMax, long QueuedMax) Stop()
        {
            _stop.Set();
            _thread.Join();
            return (_before, _threadsMax, _queuedMax);
        }

        public void Dispose()
        {
            if (_thread.IsAlive)
            {
                Stop();
            }

            _stop.Dispose();
        }
    }

    /// <summary>The system clock, <c>behind</c> in the past (timers are the system's).</summary>
    private sealed class BehindTimeProvider(TimeSpan behind) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() - behind;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(
            new ManyAccountsColumn("Renewed", "Renewed", "Renewals SCM received in the round (1 % of 10,000 in every layout)", "0"),
            new ManyAccountsColumn("SCM requests", "ScmRequests", "Requests the simulator answered in the round", "0"),
            new ManyAccountsColumn("Store calls", "StoreCalls", "Calls to the store in the round, all accounts (a write transaction counts once)", "0"),
            new ManyAccountsColumn("Writes", "Writes", "Write transactions in the round: commits, audit entries, job-state values, lease acquisitions, renewals and releases", "0"),
            new ManyAccountsFloorColumn(aboveFloor: false),
            new ManyAccountsFloorColumn(aboveFloor: true),
            new ManyAccountsColumn("CPU ms", "CpuMs", "CPU time of the benchmark process in the round (engines and simulator)", "0"),
            new ManyAccountsColumn("Write p99 ms", "WriteP99Ms", "99th percentile of a write transaction's time from the call to its completion (waiting for the write lock included)", "0.0"),
            new ManyAccountsColumn("Write max ms", "WriteMaxMs", "Longest write transaction, call to completion", "0"),
            new ManyAccountsOverheadColumn("Wall +ms/account", null, "(this row's Mean - the one-account row's) / (accounts - 1), same scheduler, store and latency", "0.0"),
            new ManyAccountsOverheadColumn("Store +calls/account", "StoreCalls", "(store calls - the one-account row's) / (accounts - 1)", "0.0"),
            new ManyAccountsOverheadColumn("Writes +/account", "Writes", "(write transactions - the one-account row's) / (accounts - 1)", "0.0"),
            new ManyAccountsOverheadColumn("SCM +req/account", "ScmRequests", "(SCM requests - the one-account row's) / (accounts - 1)", "0.00"),
            new ManyAccountsOverheadColumn("CPU +ms/account", "CpuMs", "(CPU ms - the one-account row's) / (accounts - 1)", "0.0"),
            new ManyAccountsColumn("Start ms", "StartMs", "Host start (not in Mean): building the container and every account's engine", "0"));
    }
}
