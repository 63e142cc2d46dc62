using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>The figures a storm's benchmark process leaves for the summary columns (one file per case).</summary>
internal static class StormResults
{
    public static void Write(RenewalStormBenchmarks storm, IReadOnlyDictionary<string, double> figures, string perHost)
    {
        var path = PathFor(storm.Store, storm.Hosts, storm.Certificates, storm.LatencyMs);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, figures.Select(f => f.Key + "=" + f.Value.ToString("R", CultureInfo.InvariantCulture)).Append("PerHost=" + perHost));
    }

    /// <summary>A figure of the case like <paramref name="like"/> with <paramref name="hosts"/> hosts, if this run wrote it.</summary>
    public static string? Read(Summary summary, BenchmarkCase like, string key, int? hosts = null)
    {
        string Parameter(string name) => Convert.ToString(like.Parameters.Items.First(p => p.Name == name).Value, CultureInfo.InvariantCulture)!;
        var path = PathFor(Parameter(nameof(RenewalStormBenchmarks.Store)),
            hosts ?? int.Parse(Parameter(nameof(RenewalStormBenchmarks.Hosts)), CultureInfo.InvariantCulture),
            int.Parse(Parameter(nameof(RenewalStormBenchmarks.Certificates)), CultureInfo.InvariantCulture),
            int.Parse(Parameter(nameof(RenewalStormBenchmarks.LatencyMs)), CultureInfo.InvariantCulture));

        // Written by this run's benchmark processes, never left over from an earlier run.
        var runStarted = TimeProvider.System.GetUtcNow() - summary.TotalTime - TimeSpan.FromMinutes(1);
        if (!File.Exists(path) || File.GetLastWriteTimeUtc(path) < runStarted.UtcDateTime)
        {
            return null;
        }

        return File.ReadLines(path).Select(l => l.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == key)?[1];
    }

    private static string PathFor(string store, int hosts, int certificates, int latencyMs) =>
        Path.Combine(Path.GetTempPath(), "scm-benchmarks-storm", FormattableString.Invariant($"{store}-{hosts}-{certificates}-{latencyMs}.txt"));
}

/// <summary>A figure from the storm's results file.</summary>
internal sealed class StormColumn : LifecycleColumn
{
    private readonly string _key;
    private readonly string _format;
    private readonly bool _perSecond;

    public StormColumn(string name, string key, string legend, string format, bool perSecond = false)
        : base(name, legend)
    {
        _key = key;
        _format = format;
        _perSecond = perSecond;
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (StormResults.Read(summary, benchmarkCase, _key) is not { } text || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return "-";
        }

        if (_perSecond)
        {
            if (MeanOf(summary, benchmarkCase) is not { } mean)
            {
                return "?";
            }

            value /= mean / 1e9;
        }

        return Format(value, _format);
    }
}

/// <summary>Wall time of the 1-host storm on the same store (same certificates and latency) over this row's.</summary>
internal sealed class StormSpeedupColumn : LifecycleColumn
{
    public StormSpeedupColumn()
        : base("Speed-up vs 1 host", "Wall time of the same storm with 1 host on the same store divided by this row's (target >= 3.5 with 4 hosts)")
    {
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var one = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Parameters.Items.All(p => p.Name == nameof(RenewalStormBenchmarks.Hosts)
                ? Equals(p.Value, 1)
                : Equals(p.Value, benchmarkCase.Parameters.Items.First(q => q.Name == p.Name).Value)));
        return one is not null && MeanOf(summary, one) is { } single && MeanOf(summary, benchmarkCase) is { } own ? Format(single / own, "0.00") : "-";
    }
}

/// <summary>How the renewals divided between the hosts.</summary>
internal sealed class StormHostsColumn : LifecycleColumn
{
    public StormHostsColumn()
        : base("Renewed by host", "Renewals each host ordered (the claims divide the work)")
    {
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase) => StormResults.Read(summary, benchmarkCase, "PerHost") ?? "-";
}
