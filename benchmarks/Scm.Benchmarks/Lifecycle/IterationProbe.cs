using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// Measures what BenchmarkDotNet does not, around each iteration (call <see cref="Begin"/> in the iteration setup and
/// <see cref="End"/> in the iteration cleanup): the process's CPU time per operation (user + system, all threads, the
/// in-process simulator included; far less disturbed by other processes on a shared machine than wall time), and
/// optionally memory: the managed heap sampled every 5 ms (garbage included, as a peak is), the heap after a full GC
/// before and after the invocation, and the process's peak resident set (Linux VmHWM, reset through
/// /proc/self/clear_refs before the invocation; else the sampled working set).
/// Memory figures are those of the first invocation of the process: later iterations build a new engine while the
/// previous one may still be reachable from a stale stack slot until a later collection, which would blur "before".
/// CPU figures are the mean and minimum over the iterations after the first <c>skip</c> ones (BenchmarkDotNet's jitting
/// invocation and warm-up iterations, which also run the iteration setup and cleanup), beside the mean number of methods
/// the JIT compiled during those iterations (tiered re-compilations included; the whole process's, an in-process
/// simulator's included, so it does not reach zero): a relative indicator of how much JIT work still falls on a row.
/// <see cref="Write"/> (global cleanup) leaves them in <see cref="ResultPath"/> for the summary's columns; every
/// iteration's figures are also printed to the log.
/// </summary>
internal sealed partial class IterationProbe
{
    private readonly bool _memory;
    private readonly int _skip;
    private readonly Dictionary<string, double> _first = new(StringComparer.Ordinal);
    private readonly List<double> _cpuPerOperation = [];
    private readonly List<double> _jitPerIteration = [];
    private readonly Process _process = Process.GetCurrentProcess();
    private int _iterations;
    private TimeSpan _cpuStart;
    private long _jitStart;
    private Thread? _sampler;
    private ManualResetEventSlim? _stop;
    private long _peakHeap;
    private long _peakWorkingSet;
    private long _heapBefore;
    private bool _hwmReset;

    /// <param name="memory">Whether to measure memory too (forces full collections around the invocation).</param>
    /// <param name="skip">Leading iterations (warm-up) left out of the CPU figures.</param>
    public IterationProbe(bool memory, int skip)
    {
        _memory = memory;
        _skip = skip;
    }

    public static string ResultPath(string method, int? orders, int? issuedPercent = null) =>
        Path.Combine(Path.GetTempPath(), "scm-benchmarks-lifecycle", orders is { } n
            ? FormattableString.Invariant($"{method}-{n}{(issuedPercent is { } p ? "-" + p.ToString(CultureInfo.InvariantCulture) : string.Empty)}.txt")
            : method + ".txt");

    /// <summary>Call right before the measured invocation (last thing in an iteration setup).</summary>
    public void Begin()
    {
        if (_memory)
        {
            BeginMemory();
        }

        _process.Refresh();
        _cpuStart = _process.TotalProcessorTime;
        _jitStart = System.Runtime.JitInfo.GetCompiledMethodCount();
    }

    /// <summary>Call right after the measured invocation (first thing in an iteration cleanup).</summary>
    /// <param name="operations">Operations in the invocation.</param>
    public void End(int operations)
    {
        _process.Refresh();
        var cpu = (_process.TotalProcessorTime - _cpuStart).TotalMilliseconds / operations;
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - _jitStart;
        if (_iterations++ >= _skip)
        {
            _cpuPerOperation.Add(cpu);
            _jitPerIteration.Add(jitted);
        }

        Console.WriteLine(FormattableString.Invariant($"// cpu: {cpu:0.000} ms per operation, {jitted} methods jitted (iteration {_iterations}{(_iterations <= _skip ? ", warm-up" : string.Empty)})"));
        if (_memory)
        {
            EndMemory();
        }
    }

    /// <summary>Writes the figures (call in a global cleanup).</summary>
    public void Write(string method, int? orders, int? issuedPercent = null)
    {
        if (_cpuPerOperation.Count > 0)
        {
            _first["CpuMsPerOp"] = _cpuPerOperation.Average();
            _first["CpuMsPerOpMin"] = _cpuPerOperation.Min();
            _first["JitMethodsPerIteration"] = _jitPerIteration.Average();
        }

        var path = ResultPath(method, orders, issuedPercent);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, _first.Select(p => p.Key + "=" + p.Value.ToString("R", CultureInfo.InvariantCulture)));
    }

    private void BeginMemory()
    {
        _heapBefore = FullCollect();
        _peakHeap = _heapBefore;
        _peakWorkingSet = Environment.WorkingSet;
        _hwmReset = TryResetHighWaterMark();
        _stop = new ManualResetEventSlim(false);
        var stop = _stop;
        _sampler = new Thread(() =>
        {
            do
            {
                var heap = GC.GetTotalMemory(forceFullCollection: false);
                if (heap > Interlocked.Read(ref _peakHeap))
                {
                    Interlocked.Exchange(ref _peakHeap, heap);
                }

                if (!_hwmReset)
                {
                    var ws = Environment.WorkingSet;
                    if (ws > Interlocked.Read(ref _peakWorkingSet))
                    {
                        Interlocked.Exchange(ref _peakWorkingSet, ws);
                    }
                }
            }
            while (!stop.Wait(TimeSpan.FromMilliseconds(5)));
        })
        {
            IsBackground = true,
            Name = "memory-probe",
            Priority = ThreadPriority.AboveNormal,
        };
        _sampler.Start();
    }

    private void EndMemory()
    {
        if (_sampler is null || _stop is null)
        {
            return;
        }

        _stop.Set();
        _sampler.Join();
        _stop.Dispose();
        _sampler = null;
        var peakRss = _hwmReset && ReadHighWaterMark() is { } hwm ? hwm : Interlocked.Read(ref _peakWorkingSet);
        var peakHeap = Interlocked.Read(ref _peakHeap);
        var heapAfter = FullCollect();
        _first.TryAdd("HeapBefore", _heapBefore);
        _first.TryAdd("PeakHeapAboveBefore", peakHeap - _heapBefore);
        _first.TryAdd("RetainedAboveBefore", heapAfter - _heapBefore);
        _first.TryAdd("PeakRss", peakRss);
        Console.WriteLine(FormattableString.Invariant(
            $"// memory: heap before {_heapBefore / 1048576.0:0.0} MB, peak heap {peakHeap / 1048576.0:0.0} MB, heap after {heapAfter / 1048576.0:0.0} MB, peak RSS {peakRss / 1048576.0:0.0} MB ({(_hwmReset ? "VmHWM" : "sampled")})"));
    }

    private static long FullCollect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static bool TryResetHighWaterMark()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return ReadHighWaterMark() is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static long? ReadHighWaterMark()
    {
        try
        {
            var match = HighWaterMark().Match(File.ReadAllText("/proc/self/status"));
            return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * 1024 : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"VmHWM:\s+(\d+) kB")]
    private static partial Regex HighWaterMark();
}
