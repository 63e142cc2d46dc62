using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Scm.Lifecycle;
using Scm.Testing;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// Issue 14: the engine's import against a bare loop doing the same requests at the same concurrency, with SCM answering
/// every call after a fixed latency (the simulator's <c>Latency</c> fault rule on every request, wall clock). A scripted
/// comparison rather than a BenchmarkDotNet class: one import of 10,000 orders at 200 ms takes many minutes, so each
/// configuration runs a few rounds in one process, bare loop and engine alternating (the first of each round swaps), and
/// the table reports each round.
/// <para>
/// Bare loop (the baseline): a raw <see cref="HttpClient"/> with the same three credential headers; a lister reads the
/// pages (<c>GET ssl/v1</c>, 200 per page unless <c>--page-size</c> says otherwise, for both; up to two pages ahead) into a queue; <c>concurrency</c> workers take the
/// orders one by one: details (<c>GET ssl/v1/{id}</c>, body parsed) and, for issued ones, the certificate
/// (<c>GET ssl/v1/collect/{id}</c>); a semaphore keeps at most <c>concurrency</c> requests (lists included) on the wire.
/// It stops after the last full page as the engine does (SCM's total). Engine: <c>ImportExistingOrdersAsync()</c> into a
/// fresh SQLite store, defaults (<c>Sectigo:Import:MaxConcurrency</c> 4, <c>Sectigo:Client:MaxConcurrentRequests</c> 4).
/// </para>
/// <para>
/// Columns: wall time; orders per second; the engine's throughput as a share of the bare loop's in the same round;
/// requests SCM received; managed heap: its peak during the run (sampled every 10 ms, garbage included) and what is
/// still held after a full GC, both above the heap after a full GC right before the run; peak resident set of the
/// process (Linux VmHWM, reset before the run; the in-process simulator with its seeded orders included).
/// </para>
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- import-latency --orders 10000 --latency 50,200 --issued 50 --rounds 1 [--page-size 200]</c>
/// </summary>
internal static class ImportLatencyComparison
{
    public static async Task<int> RunAsync(string[] args)
    {
        var orderCounts = Ints(args, "--orders", [10_000]);
        var latencies = Ints(args, "--latency", [50, 200]);
        var issuedPercent = Ints(args, "--issued", [50])[0];
        var rounds = Ints(args, "--rounds", [1])[0];
        var pageSize = Ints(args, "--page-size", [200])[0];
        var concurrency = new ImportOptions().MaxConcurrency;
        var rows = new List<string>
        {
            "| Orders | Latency | Round | Method | Wall | Orders/s | Engine/bare | Requests | Peak heap +MB | Retained +MB | Peak RSS MB |",
            "|-------:|--------:|------:|--------|-----:|---------:|------------:|---------:|--------------:|-------------:|------------:|",
        };

        foreach (var orders in orderCounts)
        {
            await using var simulator = await LifecycleBenchmarkEnvironment.StartSimulatorAsync();
            using var http = LifecycleBenchmarkEnvironment.CreateBareClient(simulator);
            var issued = await SeedAsync(simulator, http, orders, issuedPercent);
            Console.WriteLine($"// {orders} orders seeded, {issued} issued");
            foreach (var latency in latencies)
            {
                var rule = simulator.Faults.Add(ScmFault.Any().Latency(TimeSpan.FromMilliseconds(latency)));
                try
                {
                    for (var round = 1; round <= rounds; round++)
                    {
                        Result? bare = null;
                        Result? engine = null;
                        foreach (var engineFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
                        {
                            if (engineFirst)
                            {
                                engine = await MeasureAsync(simulator, EngineImportAsync(simulator, pageSize, orders));
                            }
                            else
                            {
                                bare = await MeasureAsync(simulator, () => BareLoopAsync(http, concurrency, pageSize, orders, issued));
                            }
                        }

                        rows.Add(Row(orders, latency, round, "Bare loop", bare!, orders, null));
                        rows.Add(Row(orders, latency, round, "Engine import", engine!, orders, bare!.Wall.TotalSeconds / engine!.Wall.TotalSeconds));
                        Console.WriteLine(rows[^2]);
                        Console.WriteLine(rows[^1]);
                    }
                }
                finally
                {
                    simulator.Faults.Remove(rule);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Issued {issuedPercent} %, concurrency {concurrency}, page size {pageSize}, .NET {Environment.Version}, {Environment.ProcessorCount} cores."));
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }

        return 0;
    }

    private static string Row(int orders, int latency, int round, string method, Result r, int count, double? ratio) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {orders:N0} | {latency} ms | {round} | {method} | {r.Wall.TotalSeconds:0.0} s | {count / r.Wall.TotalSeconds:0.0} | {(ratio is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-")} | {r.Requests:N0} | {r.PeakHeapAbove / 1048576.0:0.0} | {r.RetainedAbove / 1048576.0:0.0} | {(r.PeakRss is { } rss ? (rss / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "-")} |");

    /// <summary>Enrolls <paramref name="orders"/> orders (EC P-256, no SDK marker), <paramref name="issuedPercent"/> % issued, the rest waiting for approval.</summary>
    private static async Task<int> SeedAsync(ScmSimulator simulator, HttpClient http, int orders, int issuedPercent)
    {
        var csrs = LifecycleBenchmarkEnvironment.CreateCsrs(orders, "latency");
        await Parallel.ForEachAsync(Enumerable.Range(0, orders), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var profile = i % 10 < issuedPercent / 10 ? LifecycleBenchmarkEnvironment.Profile : LifecycleBenchmarkEnvironment.ApprovalProfile;
            await LifecycleBenchmarkEnvironment.EnrollAsync(http, LifecycleBenchmarkEnvironment.EnrollBody(csrs[i], $"latency{i}-alt.acme.example", profile, marker: false), ct);
        });
        var all = simulator.GetOrders();
        var issued = all.Count(o => o.Status == "Issued");
        if (all.Count != orders || issued != orders / 10 * (issuedPercent / 10))
        {
            throw new InvalidOperationException($"Seeding made {all.Count} orders, {issued} issued.");
        }

        return issued;
    }

    /// <summary>The baseline: list pages (up to two ahead), details of each order, collect of each issued one; at most <paramref name="concurrency"/> requests in flight.</summary>
    private static async Task BareLoopAsync(HttpClient http, int concurrency, int pageSize, int orders, int issued)
    {
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        async Task<T> SendAsync<T>(Func<Task<T>> request)
        {
            await slots.WaitAsync().ConfigureAwait(false);
            try
            {
                return await request().ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }

        var queue = Channel.CreateBounded<long>(pageSize * 2);
        var lister = Task.Run(async () =>
        {
            try
            {
                var position = 0;
                while (position < orders)
                {
                    var at = position;
                    var ids = await SendAsync(() => LifecycleBenchmarkEnvironment.ListPageAsync(http, at, pageSize)).ConfigureAwait(false);
                    foreach (var id in ids)
                    {
                        await queue.Writer.WriteAsync(id).ConfigureAwait(false);
                    }

                    position += ids.Count;
                    if (ids.Count < pageSize)
                    {
                        break;
                    }
                }
            }
            finally
            {
                queue.Writer.Complete();
            }
        });

        var fetched = 0;
        var collected = 0;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var id in queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                var status = await SendAsync(() => LifecycleBenchmarkEnvironment.GetStatusAsync(http, id)).ConfigureAwait(false);
                Interlocked.Increment(ref fetched);
                if (status == "Issued")
                {
                    await SendAsync(() => LifecycleBenchmarkEnvironment.CollectAsync(http, id)).ConfigureAwait(false);
                    Interlocked.Increment(ref collected);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers.Append(lister)).ConfigureAwait(false);
        if (fetched != orders || collected != issued)
        {
            throw new InvalidOperationException($"Bare loop fetched {fetched} details, collected {collected}.");
        }
    }

    /// <summary>One import into a fresh SQLite store (created and initialized before the clock starts).</summary>
    private static Func<Task> EngineImportAsync(ScmSimulator simulator, int pageSize, int orders)
    {
        var folder = Path.Combine(Path.GetTempPath(), "scm-bench-latency-" + Guid.NewGuid().ToString("N"));
        var engine = LifecycleBenchmarkEnvironment.BuildEngine(simulator, Path.Combine(folder, "scm.db"), o => o.Client.PageSize = pageSize);
        var lifecycle = engine.GetRequiredService<ICertificateLifecycle>();
        _ = lifecycle.GetOrderAsync(Guid.Empty).GetAwaiter().GetResult();
        return async () =>
        {
            try
            {
                var result = await lifecycle.ImportExistingOrdersAsync().ConfigureAwait(false);
                var p = result.Progress;
                if (p.Imported != orders || p.Failed != 0 || p.Processed != orders || result.Paused != TimeSpan.Zero)
                {
                    throw new InvalidOperationException($"Import: {p.Processed} seen, {p.Imported} imported, {p.Failed} failed, paused {result.Paused}.");
                }
            }
            finally
            {
                await engine.DisposeAsync().ConfigureAwait(false);
                Directory.Delete(folder, recursive: true);
            }
        };
    }

    /// <summary>Runs <paramref name="work"/> (already set up) and measures it.</summary>
    private static async Task<Result> MeasureAsync(ScmSimulator simulator, Func<Task> work)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var hwm = ResetPeakRss();
        var requests = simulator.Counters.Requests;
        long peak = before;
        using var stop = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!stop.Wait(10))
            {
                var now = GC.GetTotalMemory(false);
                if (now > peak)
                {
                    peak = now;
                }
            }
        }) { IsBackground = true };
        sampler.Start();
        var watch = Stopwatch.StartNew();
        await work().ConfigureAwait(false);
        watch.Stop();
        stop.Set();
        sampler.Join();
        var sent = simulator.Counters.Requests - requests;
        var rss = hwm ? PeakRss() : null;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        return new Result(watch.Elapsed, sent, Math.Max(0, peak - before), Math.Max(0, after - before), rss);
    }

    private static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = line["VmHWM:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim();
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    private static int[] Ints(string[] args, string name, int[] defaults)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length
            ? args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()
            : defaults;
    }

    private sealed record Result(TimeSpan Wall, long Requests, long PeakHeapAbove, long RetainedAbove, long? PeakRss);
}
