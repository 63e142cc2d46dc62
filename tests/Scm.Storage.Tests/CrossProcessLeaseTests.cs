using System.Diagnostics;

namespace Scm.Storage.Tests;

/// <summary>Two real processes share one SQLite file: the lease keeps their critical sections apart.</summary>
public sealed class CrossProcessLeaseTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-xproc-" + Guid.NewGuid().ToString("N"));

    public CrossProcessLeaseTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TwoProcesses_ThousandAcquisitionsEach_NoOverlappingCriticalSections()
    {
        var outputs = await RunWorkersAsync(ignoreLease: false);
        foreach (var (exitCode, output, error) in outputs)
        {
            Assert.True(exitCode == 0, $"worker exited {exitCode}: {output} {error}");
            Assert.Contains("1000 acquisitions, 0 overlaps", output, StringComparison.Ordinal);
        }

        var fences = outputs.Select(o => long.Parse(o.Out.Split("last fence ")[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2000, fences.Max());
    }

    [Fact]
    public async Task TwoProcesses_IgnoringTheLease_OverlapsAreDetected()
    {
        // The same workers, told to enter without holding the lease: the overlap check must notice.
        var outputs = await RunWorkersAsync(ignoreLease: true);
        Assert.Contains(outputs, o => o.ExitCode == 2);
    }

    private async Task<(int ExitCode, string Out, string Err)[]> RunWorkersAsync(bool ignoreLease)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Scm.Storage.LeaseWorker.dll");
        Assert.True(File.Exists(worker), $"The worker was not built next to the tests: {worker}");
        var database = Path.Combine(_folder, "shared.db");
        var marker = Path.Combine(_folder, "inside.marker");

        string[] extra = ignoreLease ? ["--ignore-lease"] : [];
        var processes = new[] { "process-a", "process-b" }.Select(owner => Process.Start(new ProcessStartInfo("dotnet", [worker, database, owner, "1000", marker, .. extra])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!).ToArray();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var outputs = await Task.WhenAll(processes.Select(async p =>
            {
                var stdout = p.StandardOutput.ReadToEndAsync(timeout.Token);
                var stderr = p.StandardError.ReadToEndAsync(timeout.Token);
                await p.WaitForExitAsync(timeout.Token);
                return (p.ExitCode, Out: await stdout, Err: await stderr);
            }));

            return outputs;
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                }

                p.Dispose();
            }
        }
    }
}
