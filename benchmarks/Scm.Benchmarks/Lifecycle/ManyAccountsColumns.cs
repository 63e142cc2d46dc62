using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>The figures a many-accounts benchmark process leaves for the summary columns (one file per case).</summary>
internal static class ManyAccountsResults
{
    public static void Write(ManyAccountsBenchmarks benchmark, IReadOnlyDictionary<string, double> figures)
    {
        var path = PathFor(benchmark.Layout, benchmark.Scheduler, benchmark.Store, benchmark.LatencyMs);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, figures.Select(f => f.Key + "=" + f.Value.ToString("R", CultureInfo.InvariantCulture)));
    }

    /// <summary>A figure of the case like <paramref name="like"/> (with another layout if given), if this run wrote it.</summary>
    public static double? Read(Summary summary, BenchmarkCase like, string key, string? layout = null)
    {
        var path = PathFor(layout ?? Parameter(like, nameof(ManyAccountsBenchmarks.Layout)), Parameter(like, nameof(ManyAccountsBenchmarks.Scheduler)),
            Parameter(like, nameof(ManyAccountsBenchmarks.Store)), int.Parse(Parameter(like, nameof(ManyAccountsBenchmarks.LatencyMs)), CultureInfo.InvariantCulture));

        // Written by this run's benchmark processes, never left over from an earlier run.
        var runStarted = TimeProvider.System.GetUtcNow() - summary.TotalTime - TimeSpan.FromMinutes(1);
        if (!File.Exists(path) || File.GetLastWriteTimeUtc(path) < runStarted.UtcDateTime)
        {
            return null;
        }

        var text = File.ReadLines(path).Select(l => l.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == key)?[1];
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    public static string Parameter(BenchmarkCase benchmarkCase, string name) =>
        Convert.ToString(benchmarkCase.Parameters.Items.First(p => p.Name == name).Value, CultureInfo.InvariantCulture)!;

    private static string PathFor(string layout, string scheduler, string store, int latencyMs) =>
        Path.Combine(Path.GetTempPath(), "scm-benchmarks-accounts", FormattableString.Invariant($"{layout}-{scheduler}-{store}-{latencyMs}.txt"));
}

/// <summary>A figure from the case's results file (mean over the rounds after the first).</summary>
internal sealed class ManyAccountsColumn : LifecycleColumn
{
    private readonly string _key;
    private readonly string _format;

    public ManyAccountsColumn(string name, string key, string legend, string format)
        : base(name, legend)
    {
        _key = key;
        _format = format;
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        ManyAccountsResults.Read(summary, benchmarkCase, _key) is { } value ? Format(value, _format) : "-";
}

/// <summary>
/// What each account beyond the first costs: (this row's figure - the one-account row's) / (accounts - 1), against the
/// row with the same scheduler, store and latency whose layout has one account. The figure is the Mean (ms) when no key
/// is given, else a figure from the results files.
/// </summary>
internal sealed class ManyAccountsOverheadColumn : LifecycleColumn
{
    private readonly string? _key;
    private readonly string _format;

    public ManyAccountsOverheadColumn(string name, string? key, string legend, string format)
        : base(name, legend)
    {
        _key = key;
        _format = format;
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var accounts = ManyAccountsBenchmarks.AccountsOf(ManyAccountsResults.Parameter(benchmarkCase, nameof(ManyAccountsBenchmarks.Layout)));
        if (accounts <= 1)
        {
            return "-";
        }

        var one = summary.BenchmarksCases.FirstOrDefault(c =>
            ManyAccountsBenchmarks.AccountsOf(ManyAccountsResults.Parameter(c, nameof(ManyAccountsBenchmarks.Layout))) == 1
            && c.Parameters.Items.Where(p => p.Name != nameof(ManyAccountsBenchmarks.Layout))
                .All(p => Equals(p.Value, benchmarkCase.Parameters.Items.First(q => q.Name == p.Name).Value)));
        if (one is null)
        {
            return "-";
        }

        double? own, single;
        if (_key is null)
        {
            own = MeanOf(summary, benchmarkCase) / 1e6;
            single = MeanOf(summary, one) / 1e6;
        }
        else
        {
            own = ManyAccountsResults.Read(summary, benchmarkCase, _key);
            single = ManyAccountsResults.Read(summary, one, _key);
        }

        return own is { } o && single is { } s ? Format((o - s) / (accounts - 1), _format) : "?";
    }
}

/// <summary>
/// The SCM latency floor of the round: the time its renewals' requests take at the simulator's latency if nothing else
/// took time, given how many can be in flight. A renewal's requests are sequential (the measured requests per renewal);
/// an account's auto-renewal scan works on 4 certificates at a time, so an account with d due certificates needs
/// ceil(d / 4) waves; the in-process scheduler runs every account at once, the Quartz job 4 accounts at a time, so
/// ceil(accounts / 4) accounts after one another. The status check makes no SCM request. With <c>aboveFloor</c>, the
/// column is Mean - floor: the engine's and the store's own time on the round's critical path.
/// </summary>
internal sealed class ManyAccountsFloorColumn : LifecycleColumn
{
    private readonly bool _aboveFloor;

    public ManyAccountsFloorColumn(bool aboveFloor)
        : base(aboveFloor ? "Above floor s" : "SCM floor s", aboveFloor
            ? "Mean - SCM floor: the engine's and the store's own time on the round's critical path"
            : "Requests per renewal x latency x ceil(due per account / 4) x (InProcess: 1, Quartz4: ceil(accounts / 4))")
    {
        _aboveFloor = aboveFloor;
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var layout = ManyAccountsResults.Parameter(benchmarkCase, nameof(ManyAccountsBenchmarks.Layout)).Split('x');
        var accounts = int.Parse(layout[0], CultureInfo.InvariantCulture);
        var duePerAccount = int.Parse(layout[1], CultureInfo.InvariantCulture) * ManyAccountsBenchmarks.DuePercent / 100;
        var latency = int.Parse(ManyAccountsResults.Parameter(benchmarkCase, nameof(ManyAccountsBenchmarks.LatencyMs)), CultureInfo.InvariantCulture) / 1000.0;
        var accountSlots = ManyAccountsResults.Parameter(benchmarkCase, nameof(ManyAccountsBenchmarks.Scheduler)) == "InProcess" ? 1 : Math.Ceiling(accounts / 4.0);
        if (ManyAccountsResults.Read(summary, benchmarkCase, "ScmRequests") is not { } requests || ManyAccountsResults.Read(summary, benchmarkCase, "Renewed") is not { } renewed || renewed <= 0)
        {
            return "-";
        }

        var floor = requests / renewed * latency * Math.Ceiling(duePerAccount / 4.0) * accountSlots;
        if (!_aboveFloor)
        {
            return Format(floor, "0.00");
        }

        return MeanOf(summary, benchmarkCase) is { } mean ? Format((mean / 1e9) - floor, "0.00") : "?";
    }
}
