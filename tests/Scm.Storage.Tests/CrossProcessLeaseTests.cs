using System.Diagnostics;
using System.Globalization;

namespace Scm.Storage.Tests;

/// <summary>
/// Two real processes share one SQLite file and compete for one lease 1,000 times each. Inside every critical section
/// they increment a counter shared through a memory-mapped file: it must never exceed 1. A negative control runs the
/// same workers without the lease and must see the counter exceed 1, proving the check can fail.
/// </summary>
public sealed class CrossProcessLeaseTests : IDisposable
{
    private const int Iterations = 1000;
    private static readonly TimeSpan WorkerTimeout = TimeSpan.FromMinutes(2);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-xproc-" + Guid.NewGuid().ToString("N"));

    public CrossProcessLeaseTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TryAcquireLease_TwoProcessesThousandTimesEach_NeverOverlapAndFencesAreUnique()
    {
        var run = await RunWorkersAsync(ignoreLease: false);

        foreach (var worker in run.Workers)
        {
            Assert.True(worker.ExitCode == 0, $"worker exited {worker.ExitCode}: {worker.Out} {worker.Err}");
            Assert.Equal(Iterations, worker.Fences.Count);
            Assert.True(worker.Fences.Zip(worker.Fences.Skip(1)).All(p => p.First < p.Second), "a worker saw its fencing tokens go backwards");
        }

        Assert.Equal(0, run.InsideAtEnd);
        Assert.Equal(1, run.MaxInside);
        Assert.Equal(2 * Iterations, run.Entered);

        // Every acquisition was a new one (each worker released in between): the fences are exactly 1..2000.
        var all = run.Workers.SelectMany(w => w.Fences).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, 2 * Iterations).Select(i => (long)i), all);
    }

    [Fact]
    public async Task SharedCounter_WorkersIgnoringTheLease_SeesOverlap()
    {
        var run = await RunWorkersAsync(ignoreLease: true);
        Assert.All(run.Workers, w => Assert.True(w.ExitCode == 0, $"worker exited {w.ExitCode}: {w.Err}"));
        Assert.Equal(2 * Iterations, run.Entered);
        Assert.True(run.MaxInside > 1, "without the lease the two workers' critical sections should have overlapped");
    }

    private async Task<Run> RunWorkersAsync(bool ignoreLease)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Scm.Storage.LeaseWorker.dll");
        Assert.True(File.Exists(worker), $"The worker was not built next to the tests: {worker}");
        var database = Path.Combine(_folder, "shared.db");
        var counters = Path.Combine(_folder, "counters.bin");
        await File.WriteAllBytesAsync(counters, new byte[32]);

        string[] extra = ignoreLease ? ["--ignore-lease"] : [];
        var processes = new List<Process>();
        try
        {
            foreach (var owner in new[] { "process-a", "process-b" })
            {
                processes.Add(Process.Start(new ProcessStartInfo("dotnet", [worker, database, owner, Iterations.ToString(CultureInfo.InvariantCulture), counters, "2", .. extra])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!);
            }

            using var timeout = new CancellationTokenSource(WorkerTimeout);
            var results = await Task.WhenAll(processes.Select(async p =>
            {
                var stdout = p.StandardOutput.ReadToEndAsync(timeout.Token);
                var stderr = p.StandardError.ReadToEndAsync(timeout.Token);
                await p.WaitForExitAsync(timeout.Token);
                var output = await stdout;
                var fences = output.Split('\n').FirstOrDefault(l => l.StartsWith("fences: ", StringComparison.Ordinal)) is { } line && line.Length > 8
                    ? line[8..].Trim().Split(',').Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToList()
                    : [];
                return new WorkerResult(p.ExitCode, output, await stderr, fences);
            }));

            var bytes = await File.ReadAllBytesAsync(counters);
            return new Run(results, BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8), BitConverter.ToInt64(bytes, 16));
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true); // only the workers this test started
                    p.WaitForExit(10_000);
                }

                p.Dispose();
            }
        }
    }

    private sealed record WorkerResult(int ExitCode, string Out, string Err, List<long> Fences);

    private sealed record Run(WorkerResult[] Workers, long InsideAtEnd, long MaxInside, long Entered);
}
