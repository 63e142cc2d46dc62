using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using Scm.Lifecycle;
using Scm.Testing;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// Issue 5: import of existing orders from a simulator seeded with <see cref="Orders"/> orders (<see cref="IssuedPercent"/>
/// Issued, the rest waiting for approval), one whole import per invocation (Mean = time of one import; Orders/s = Orders / Mean).
/// Seeding (global setup, not measured): EC P-256 CSRs made beforehand, enrolled through the simulator's HTTP API with a
/// bare client, 8 at a time (comments without the SDK's correlation marker: orders placed before the SDK); zero stage
/// delays issue each at its enroll.
/// <list type="bullet">
/// <item><c>Bare_ListAndDetails</c> (baseline): a bare HttpClient pages through <c>GET ssl/v1</c> (200 per page, as the
/// engine) and fetches every order's details (<c>GET ssl/v1/{id}</c>, body parsed) at the engine's default
/// <see cref="ImportOptions.MaxConcurrency"/>, page by page like the engine;</item>
/// <item><c>Bare_ListDetailsCollect</c>: the same plus the collect GET for Issued orders: every request the engine makes;</item>
/// <item><c>Client_ListAndDetails</c>: the baseline's loop through the engine's own <c>ScmClient</c> (typed, resilience
/// pipeline, auth handler): the client's share of the engine's cost;</item>
/// <item><c>Engine_Import</c>: <c>ImportExistingOrdersAsync()</c> into a fresh in-memory store (issued orders collected
/// and installed as observe-only certificates, pending ones stored as orders);</item>
/// <item><c>Engine_Import_Sqlite</c>: the same into a fresh SQLite file with the store's defaults.</item>
/// </list>
/// CPU columns: process CPU time per order (all threads, the in-process simulator included), mean of the 5 measured
/// iterations (after 10 warm-up ones, so that most of the tiered JIT work is done: see the JIT column); a fairer comparison than
/// wall time on a machine shared with other work.
/// Memory columns (MB, from the first import of the process, BenchmarkDotNet's jitting invocation, so that no earlier
/// engine instance is still reachable; whole process including the in-process simulator and its seeded orders): heap after a full GC before the import, peak heap above it during the import (sampled every 5 ms, garbage
/// included), heap retained after the import (full GC, store alive), peak RSS (VmHWM reset before the import).
/// Target: Engine_Import orders/s &gt;= 0.5 x Bare_ListAndDetails; peak memory flat from 2,000 to 10,000 orders.
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*LifecycleImportBenchmarks*'</c>
/// (<c>SCM_BENCH_IMPORT_ORDERS=10000 SCM_BENCH_IMPORT_ISSUED=0</c> narrows the parameters).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: WarmupIterations, iterationCount: 5, invocationCount: 1)]
public class LifecycleImportBenchmarks
{
    private const int PageSize = 200;

    // Enough imports for most of the tiered JIT work to be done: with three warm-up iterations the engine's process was
    // still compiling hundreds of methods per 10,000-order import in the measured ones (its code path is far larger than
    // the bare loop's, so that penalized it most). The "JIT methods/iter" column shows what was still compiled while
    // measuring.
    private const int WarmupIterations = 10;
    private static readonly int Concurrency = new ImportOptions().MaxConcurrency;

    // Skip BenchmarkDotNet's jitting invocation and the warm-up iterations (all call the iteration setup/cleanup).
    private readonly IterationProbe _probe = new(memory: true, skip: 1 + WarmupIterations);
    private ScmSimulator _simulator = null!;
    private HttpClient _http = null!;
    private ServiceProvider? _engine;
    private ICertificateLifecycle? _lifecycle;
    private string? _databaseFolder;
    private string _method = string.Empty;
    private int _issued;

    /// <summary>Seeded orders: 2,000 and 10,000, or the comma-separated list in <c>SCM_BENCH_IMPORT_ORDERS</c> (a shorter run while working).</summary>
    [ParamsSource(nameof(OrderCounts))]
    public int Orders { get; set; }

    /// <summary>The values of <see cref="Orders"/>.</summary>
    public static IEnumerable<int> OrderCounts => FromEnvironment("SCM_BENCH_IMPORT_ORDERS", [2_000, 10_000]);

    /// <summary>The values of <see cref="IssuedPercent"/>.</summary>
    public static IEnumerable<int> IssuedPercents => FromEnvironment("SCM_BENCH_IMPORT_ISSUED", [90, 0]);

    /// <summary>
    /// The share of seeded orders that are Issued (the rest wait for approval). 90: the realistic mix, every issued one
    /// collected by the engine. 0: nothing to collect, so the engine does exactly the baseline's requests (list and
    /// details) plus its own work (mapping, upsert, audit): the like-for-like comparison.
    /// </summary>
    [ParamsSource(nameof(IssuedPercents))]
    public int IssuedPercent { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _simulator = await LifecycleBenchmarkEnvironment.StartSimulatorAsync();
        _http = LifecycleBenchmarkEnvironment.CreateBareClient(_simulator);
        var csrs = LifecycleBenchmarkEnvironment.CreateCsrs(Orders, "seed");
        await Parallel.ForEachAsync(Enumerable.Range(0, Orders), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var profile = i % 10 < IssuedPercent / 10 ? LifecycleBenchmarkEnvironment.Profile : LifecycleBenchmarkEnvironment.ApprovalProfile;
            await LifecycleBenchmarkEnvironment.EnrollAsync(_http, LifecycleBenchmarkEnvironment.EnrollBody(csrs[i], $"seed{i}-alt.acme.example", profile, marker: false), ct);
        });
        var orders = _simulator.GetOrders();
        _issued = orders.Count(o => o.Status == "Issued");
        if (orders.Count != Orders || _issued != Orders / 10 * (IssuedPercent / 10))
        {
            throw new InvalidOperationException($"Seeding made {orders.Count} orders, {_issued} issued.");
        }

        Console.WriteLine($"// seeded {orders.Count} orders, {_issued} issued");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _probe.Write(_method, Orders, IssuedPercent);
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [IterationSetup(Targets = [nameof(Bare_ListAndDetails), nameof(Bare_ListDetailsCollect)])]
    public void BareIterationSetup() => _probe.Begin();

    [IterationCleanup(Targets = [nameof(Bare_ListAndDetails), nameof(Bare_ListDetailsCollect)])]
    public void BareIterationCleanup() => _probe.End(Orders);

    [IterationSetup(Targets = [nameof(Engine_Import), nameof(Client_ListAndDetails)])]
    public void EngineIterationSetup() => StartEngine(sqlite: false);

    [IterationSetup(Target = nameof(Engine_Import_Sqlite))]
    public void EngineSqliteIterationSetup() => StartEngine(sqlite: true);

    [IterationCleanup(Targets = [nameof(Engine_Import), nameof(Engine_Import_Sqlite), nameof(Client_ListAndDetails)])]
    public void EngineIterationCleanup()
    {
        _probe.End(Orders);
        _engine?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _engine = null;
        _lifecycle = null;
        if (_databaseFolder is not null)
        {
            Directory.Delete(_databaseFolder, recursive: true);
            _databaseFolder = null;
        }
    }

    [Benchmark(Baseline = true)]
    public Task<int> Bare_ListAndDetails()
    {
        _method = nameof(Bare_ListAndDetails);
        return BareLoopAsync(collect: false);
    }

    [Benchmark]
    public Task<int> Bare_ListDetailsCollect()
    {
        _method = nameof(Bare_ListDetailsCollect);
        return BareLoopAsync(collect: true);
    }

    [Benchmark]
    public async Task<int> Client_ListAndDetails()
    {
        _method = nameof(Client_ListAndDetails);
        var client = _engine!.GetRequiredService<Scm.Client.ScmClient>();
        var fetched = 0;
        var position = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Concurrency };
        while (true)
        {
            var page = await client.Ssl.ListPageAsync(null, position, PageSize);
            await Parallel.ForEachAsync(page.Items, options, async (item, ct) =>
            {
                var details = await client.Ssl.GetAsync(item.SslId, ct);
                if (details.SslId == item.SslId)
                {
                    Interlocked.Increment(ref fetched);
                }
            });
            position += page.Items.Count;
            if (page.Items.Count < PageSize)
            {
                break;
            }
        }

        return fetched == Orders ? fetched : throw new InvalidOperationException($"Fetched {fetched} details.");
    }

    [Benchmark]
    public async Task<int> Engine_Import()
    {
        _method = nameof(Engine_Import);
        return Check(await _lifecycle!.ImportExistingOrdersAsync());
    }

    [Benchmark]
    public async Task<int> Engine_Import_Sqlite()
    {
        _method = nameof(Engine_Import_Sqlite);
        return Check(await _lifecycle!.ImportExistingOrdersAsync());
    }

    private static int[] FromEnvironment(string variable, int[] defaults) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : defaults;

    private void StartEngine(bool sqlite)
    {
        string? path = null;
        if (sqlite)
        {
            _databaseFolder = Path.Combine(Path.GetTempPath(), "scm-bench-import-" + Guid.NewGuid().ToString("N"));
            path = Path.Combine(_databaseFolder, "scm.db");
        }

        _engine = LifecycleBenchmarkEnvironment.BuildEngine(_simulator, path);
        _lifecycle = _engine.GetRequiredService<ICertificateLifecycle>();
        _ = _lifecycle.GetOrderAsync(Guid.Empty).GetAwaiter().GetResult(); // store initialized (schema) before the measurement
        _probe.Begin();
    }

    private int Check(ImportResult result)
    {
        var p = result.Progress;
        if (p.Imported != Orders || p.Failed != 0 || p.Processed != Orders)
        {
            throw new InvalidOperationException($"Import: {p.Processed} seen, {p.Imported} imported, {p.Skipped} skipped, {p.Failed} failed ({result.Failures.FirstOrDefault()?.Reason}).");
        }

        return p.Imported;
    }

    private async Task<int> BareLoopAsync(bool collect)
    {
        var fetched = 0;
        var collected = 0;
        var position = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Concurrency };
        while (true)
        {
            var ids = await LifecycleBenchmarkEnvironment.ListPageAsync(_http, position, PageSize);
            await Parallel.ForEachAsync(ids, options, async (sslId, ct) =>
            {
                var status = await LifecycleBenchmarkEnvironment.GetStatusAsync(_http, sslId, ct);
                Interlocked.Increment(ref fetched);
                if (collect && status == "Issued")
                {
                    await LifecycleBenchmarkEnvironment.CollectAsync(_http, sslId, ct);
                    Interlocked.Increment(ref collected);
                }
            });
            position += ids.Count;
            if (ids.Count < PageSize)
            {
                break;
            }
        }

        if (fetched != Orders || (collect && collected != _issued))
        {
            throw new InvalidOperationException($"Fetched {fetched} details, collected {collected}.");
        }

        return fetched;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(
                new OrdersPerSecondColumn(),
                new ThroughputVsBareColumn(),
                new ProbeColumn("CPU us/order", "CpuMsPerOp", 1000.0, "0", "Process CPU time (all threads, simulator included) per order, mean of the measured iterations"),
                new CpuVsBareColumn(),
                new ProbeColumn("JIT methods/iter", "JitMethodsPerIteration", 1.0, "0", "Methods the JIT compiled per measured iteration (whole process, tiered re-compilation included): how much JIT work still falls on the row"),
                new ProbeColumn("Heap before MB", "HeapBefore", 1.0 / (1024 * 1024), "0.0", "Managed heap after a full GC right before the first import (simulator and seeded orders included)"),
                new ProbeColumn("Peak heap +MB", "PeakHeapAboveBefore", 1.0 / (1024 * 1024), "0.0", "Peak managed heap during the first import above 'Heap before' (sampled every 5 ms, garbage included)"),
                new ProbeColumn("Retained +MB", "RetainedAboveBefore", 1.0 / (1024 * 1024), "0.0", "Managed heap after the first import and a full GC above 'Heap before' (store contents, simulator caches)"),
                new ProbeColumn("Peak RSS MB", "PeakRss", 1.0 / (1024 * 1024), "0.0", "Peak resident set of the whole process during the first import (VmHWM)"));
        }
    }
}
