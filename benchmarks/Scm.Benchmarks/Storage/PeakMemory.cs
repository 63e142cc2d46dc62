using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// Peak working set of each benchmark process. BenchmarkDotNet runs every case in its own process: the benchmark resets
/// the peak (Linux <c>/proc/self/clear_refs</c>) once its data is set up, records it at global cleanup into a small file,
/// and <see cref="PeakWorkingSetColumn"/> shows it in the summary. It answers "does memory grow with the table?", which
/// allocated bytes per operation alone do not.
/// </summary>
internal static class PeakMemory
{
    private static string Folder
    {
        get
        {
            var folder = Path.Combine(StorageData.Folder, "peak");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>Starts measuring from the current working set (Linux); elsewhere the peak includes set-up.</summary>
    public static void Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not permitted: the recorded peak then includes the set-up.
        }
    }

    public static void Record(string type, string method, string parameters)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        File.WriteAllText(FileFor(type, method, parameters), process.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture));
    }

    public static long? Read(string type, string method, string parameters) =>
        File.Exists(FileFor(type, method, parameters)) && long.TryParse(File.ReadAllText(FileFor(type, method, parameters)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes)
            ? bytes
            : null;

    private static string FileFor(string type, string method, string parameters) =>
        Path.Combine(Folder, string.Concat($"{type}.{method}.{parameters}".Select(c => char.IsLetterOrDigit(c) || c is '.' or '=' or '-' ? c : '_')) + ".txt");
}

/// <summary>Shows the peak working set recorded by the benchmark process of each case.</summary>
public sealed class PeakWorkingSetColumn : IColumn
{
    public string Id => nameof(PeakWorkingSetColumn);

    public string ColumnName => "Peak WS";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Size;

    public string Legend => "Peak working set of the benchmark process after set-up (VmHWM on Linux)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var parameters = string.Join(",", benchmarkCase.Parameters.Items.Select(p => p.Name + "=" + Convert.ToString(p.Value, CultureInfo.InvariantCulture)));
        var bytes = PeakMemory.Read(benchmarkCase.Descriptor.Type.Name, benchmarkCase.Descriptor.WorkloadMethod.Name, parameters);
        return bytes is { } b ? (b / 1024d / 1024d).ToString("N1", CultureInfo.InvariantCulture) + " MB" : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>The storage benchmarks' config: the default one plus the peak working set column.</summary>
public sealed class StorageBenchmarkConfig : ManualConfig
{
    public StorageBenchmarkConfig() => AddColumn(new PeakWorkingSetColumn());
}
