using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>A column computed from the summary's measured statistics (never from constants).</summary>
internal abstract class LifecycleColumn : IColumn
{
    protected LifecycleColumn(string name, string legend)
    {
        ColumnName = name;
        Legend = legend;
    }

    public string Id => GetType().Name + "." + ColumnName;

    public string ColumnName { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public abstract string GetValue(Summary summary, BenchmarkCase benchmarkCase);

    public override string ToString() => ColumnName;

    /// <summary>Mean nanoseconds per operation of the case running <paramref name="method"/> with the same parameters.</summary>
    protected static double? MeanOf(Summary summary, BenchmarkCase like, string method)
    {
        var match = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == method && c.Parameters.DisplayInfo == like.Parameters.DisplayInfo);
        return match is null ? null : summary[match]?.ResultStatistics?.Mean;
    }

    protected static double? MeanOf(Summary summary, BenchmarkCase benchmarkCase) => summary[benchmarkCase]?.ResultStatistics?.Mean;

    protected static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>Engine mean / (floor mean + HTTP mean), on the engine row of the ordering benchmark.</summary>
internal sealed class EngineVsFloorColumn : LifecycleColumn
{
    public EngineVsFloorColumn()
        : base("Engine/(Floor+HTTP)", "Engine time per order divided by the sum of the crypto floor and the bare HTTP round trips (target <= 2)")
    {
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(LifecycleOrderBenchmarks.Engine_OrderCheckCollect))
        {
            return "-";
        }

        var engine = MeanOf(summary, benchmarkCase);
        var floor = MeanOf(summary, benchmarkCase, nameof(LifecycleOrderBenchmarks.Floor_KeyCsrPkcs12));
        var http = MeanOf(summary, benchmarkCase, nameof(LifecycleOrderBenchmarks.Http_EnrollDetailsCollect));
        return engine is { } e && floor is { } f && http is { } h ? Format(e / (f + h), "0.00") : "?";
    }
}

/// <summary>Orders per second of one import (the case's <c>Orders</c> parameter over its mean time).</summary>
internal sealed class OrdersPerSecondColumn : LifecycleColumn
{
    public OrdersPerSecondColumn()
        : base("Orders/s", "Orders handled per second (Orders / Mean)")
    {
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var mean = MeanOf(summary, benchmarkCase);
        var orders = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(LifecycleImportBenchmarks.Orders))?.Value;
        return mean is { } m && orders is int n ? Format(n / (m / 1e9), "N0") : "?";
    }
}

/// <summary>Orders/s of this case over orders/s of the bare details loop with the same parameters.</summary>
internal sealed class ThroughputVsBareColumn : LifecycleColumn
{
    public ThroughputVsBareColumn()
        : base("Orders/s vs bare", "Throughput relative to the bare list + details loop at the same concurrency (target >= 0.5 for the engine)")
    {
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var mean = MeanOf(summary, benchmarkCase);
        var bare = MeanOf(summary, benchmarkCase, nameof(LifecycleImportBenchmarks.Bare_ListAndDetails));
        return mean is { } m && bare is { } b ? Format(b / m, "0.00") : "?";
    }
}

/// <summary>A figure the benchmark process wrote to <see cref="IterationProbe.ResultPath"/>, scaled for display.</summary>
internal sealed class ProbeColumn : LifecycleColumn
{
    private readonly string _key;
    private readonly double _scale;
    private readonly string _format;

    public ProbeColumn(string name, string key, double scale, string format, string legend)
        : base(name, legend)
    {
        _key = key;
        _scale = scale;
        _format = format;
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        Read(summary, benchmarkCase, benchmarkCase.Descriptor.WorkloadMethod.Name, _key) is { } value ? Format(value * _scale, _format) : "-";

    /// <summary>A figure of the case running <paramref name="method"/> with the same parameters, if this run wrote it.</summary>
    public static double? Read(Summary summary, BenchmarkCase like, string method, string key)
    {
        var orders = like.Parameters.Items.FirstOrDefault(p => p.Name == nameof(LifecycleImportBenchmarks.Orders))?.Value as int?;
        var issued = like.Parameters.Items.FirstOrDefault(p => p.Name == nameof(LifecycleImportBenchmarks.IssuedPercent))?.Value as int?;
        var path = IterationProbe.ResultPath(method, orders, issued);
        if (!File.Exists(path))
        {
            return null;
        }

        // Written by this run's benchmark process, never left over from an earlier run.
        var runStarted = TimeProvider.System.GetUtcNow() - summary.TotalTime - TimeSpan.FromMinutes(1);
        if (File.GetLastWriteTimeUtc(path) < runStarted.UtcDateTime)
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2 && parts[0] == key && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>Engine CPU per order / (floor CPU + HTTP CPU), on the engine row of the ordering benchmark.</summary>
internal sealed class EngineVsFloorCpuColumn : LifecycleColumn
{
    public EngineVsFloorCpuColumn()
        : base("CPU Engine/(Floor+HTTP)", "The same ratio computed from process CPU time per order instead of wall time (less disturbed by other processes)")
    {
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(LifecycleOrderBenchmarks.Engine_OrderCheckCollect))
        {
            return "-";
        }

        var engine = ProbeColumn.Read(summary, benchmarkCase, nameof(LifecycleOrderBenchmarks.Engine_OrderCheckCollect), "CpuMsPerOp");
        var floor = ProbeColumn.Read(summary, benchmarkCase, nameof(LifecycleOrderBenchmarks.Floor_KeyCsrPkcs12), "CpuMsPerOp");
        var http = ProbeColumn.Read(summary, benchmarkCase, nameof(LifecycleOrderBenchmarks.Http_EnrollDetailsCollect), "CpuMsPerOp");
        return engine is { } e && floor is { } f && http is { } h ? Format(e / (f + h), "0.00") : "?";
    }
}

/// <summary>Bare loop CPU per order / this case's CPU per order (throughput ratio by CPU), same parameters.</summary>
internal sealed class CpuVsBareColumn : LifecycleColumn
{
    public CpuVsBareColumn()
        : base("CPU vs bare", "Bare list + details CPU per order divided by this row's (throughput relative to the bare loop, by CPU time)")
    {
    }

    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var own = ProbeColumn.Read(summary, benchmarkCase, benchmarkCase.Descriptor.WorkloadMethod.Name, "CpuMsPerOp");
        var bare = ProbeColumn.Read(summary, benchmarkCase, nameof(LifecycleImportBenchmarks.Bare_ListAndDetails), "CpuMsPerOp");
        return own is { } o && bare is { } b ? Format(b / o, "0.00") : "?";
    }
}
