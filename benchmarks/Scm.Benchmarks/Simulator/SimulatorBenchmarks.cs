using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Scm.Benchmarks.Simulator;

/// <summary>
/// SSL details GETs at 16 concurrent clients on loopback, against the simulator and against a bare Kestrel endpoint
/// returning the same bytes. One operation = one request; throughput = 1 / Mean.
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*SimulatorThroughput*'</c>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SimulatorLoadConfig))]
public class SimulatorThroughputBenchmarks
{
    private const int Workers = 16;
    private const int RequestsPerInvoke = 40_000;
    private DetailsTarget _target = null!;

    [Params("Simulator", "BareKestrel")]
    public string Server { get; set; } = "Simulator";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _target = await DetailsTarget.StartAsync(Server == "BareKestrel", Workers);
        await _target.RunAsync(Workers, 2_000);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _target.DisposeAsync();

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task DetailsGet16Concurrent()
    {
        var failures = await _target.RunAsync(Workers, RequestsPerInvoke);
        if (failures != 0)
        {
            throw new InvalidOperationException($"{failures} requests did not answer 200.");
        }
    }
}

/// <summary>
/// 1,000,000 details GETs at 16 concurrent clients against the simulator (request log capped at 10,000): prints working
/// set and GC heap after a 50,000-request warm-up, half way and at the end, to show memory stays flat.
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*SimulatorSoak*'</c>
/// </summary>
[Config(typeof(SimulatorSoakConfig))]
public class SimulatorSoakBenchmarks
{
    private const int Workers = 16;
    private DetailsTarget _target = null!;

    [Params(1_000_000)]
    public int Requests { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _target = await DetailsTarget.StartAsync(bare: false, Workers);
        await _target.RunAsync(Workers, 50_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Console.WriteLine("// SOAK start (after 50,000 warm-up requests): " + DetailsTarget.Memory());
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _target.DisposeAsync();

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    public async Task DetailsGetSoak()
    {
        var half = Requests / 2;
        var failures = await _target.RunAsync(Workers, half);
        Console.WriteLine($"// SOAK after {half:N0} requests: " + DetailsTarget.Memory());
        failures += await _target.RunAsync(Workers, Requests - half);
        Console.WriteLine($"// SOAK after {Requests:N0} requests: " + DetailsTarget.Memory());
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Console.WriteLine($"// SOAK after {Requests:N0} requests and a full GC: " + DetailsTarget.Memory());
        if (failures != 0)
        {
            throw new InvalidOperationException($"{failures} requests did not answer 200.");
        }
    }
}

/// <summary>
/// Load runs: a few long iterations (each is tens of thousands of requests), in-process so server and clients share one
/// process, and so BenchmarkDotNet does not regenerate and rebuild the whole dependency graph.
/// </summary>
public sealed class SimulatorLoadConfig : ManualConfig
{
    public SimulatorLoadConfig()
        => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8)
            .WithToolchain(InProcessEmitToolchain.Instance));
}

/// <summary>The soak: one invocation of one million requests, in-process.</summary>
public sealed class SimulatorSoakConfig : ManualConfig
{
    public SimulatorSoakConfig()
        => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1)
            .WithInvocationCount(1).WithUnrollFactor(1).WithToolchain(InProcessEmitToolchain.Instance));
}
