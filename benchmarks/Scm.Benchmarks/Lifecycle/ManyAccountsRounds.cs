using System.Globalization;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// The rounds of <see cref="ManyAccountsBenchmarks"/> without BenchmarkDotNet: the same set-up, round and checks, run
/// <c>--rounds</c> times in this process (a fresh one per command), a failed round reported and the next one run. For
/// diagnosis (how often a round fails, the thread pool, the write waits), where BenchmarkDotNet would stop a case at its
/// first failure and rebuild its project for every run.
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- accounts-rounds --layout 100x100 --scheduler InProcess --store Sqlite --rounds 5 [--latency 50]</c>
/// (<c>SCM_BENCH_ACCOUNTS_MIN_THREADS</c> applies as in the benchmark).
/// </summary>
internal static class ManyAccountsRounds
{
    public static int Run(string[] args)
    {
        var layouts = Values(args, "--layout", "100x100");
        var schedulers = Values(args, "--scheduler", "InProcess");
        var stores = Values(args, "--store", "Sqlite");
        var latency = int.Parse(Values(args, "--latency", "50")[0], CultureInfo.InvariantCulture);
        var rounds = int.Parse(Values(args, "--rounds", "3")[0], CultureInfo.InvariantCulture);
        var failed = 0;
        foreach (var layout in layouts)
        {
            foreach (var scheduler in schedulers)
            {
                foreach (var store in stores)
                {
                    var benchmark = new ManyAccountsBenchmarks { Layout = layout, Scheduler = scheduler, Store = store, LatencyMs = latency };
                    benchmark.GlobalSetup();
                    for (var round = 1; round <= rounds; round++)
                    {
                        benchmark.IterationSetup();
                        benchmark.SchedulingRound().GetAwaiter().GetResult();
                        try
                        {
                            benchmark.IterationCleanup();
                        }
                        catch (InvalidOperationException ex)
                        {
                            failed++;
                            Console.WriteLine("// round failed: " + ex.Message);
                        }
                    }
                }
            }
        }

        Console.WriteLine(FormattableString.Invariant($"// {failed} failed round(s)"));
        return failed == 0 ? 0 : 1;
    }

    private static string[] Values(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return (i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }
}
