using System.Security.Cryptography.X509Certificates;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using Scm.Client;
using Scm.Testing;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// Where an import step's time goes: the per-order calls of <see cref="LifecycleImportBenchmarks"/> one at a time
/// (sequential, rotating over 1,000 issued orders of a seeded simulator), the bare HttpClient call beside the
/// <see cref="ScmClient"/> call the engine makes, plus the X.509 work on a collected bundle (root, intermediate, leaf)
/// in isolation: decoding it (what the client does per collect) and copying it out of the client's result, by decoding
/// the DER again (the engine's gateway before this benchmark's fix) or by a new handle on the parsed certificate (after).
/// Everything runs in one process with the in-process simulator, so each call's time includes the simulator's share.
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*LifecycleImportStep*'</c>
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class LifecycleImportStepBenchmarks
{
    private const int Seeded = 1_000;

    private ScmSimulator _simulator = null!;
    private HttpClient _http = null!;
    private ServiceProvider _services = null!;
    private ScmClient _client = null!;
    private long[] _ids = null!;
    private string _bundlePem = null!;
    private X509Certificate2[] _bundle = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _simulator = await LifecycleBenchmarkEnvironment.StartSimulatorAsync();
        _http = LifecycleBenchmarkEnvironment.CreateBareClient(_simulator);
        var csrs = LifecycleBenchmarkEnvironment.CreateCsrs(Seeded, "step");
        _ids = new long[Seeded];
        await Parallel.ForEachAsync(Enumerable.Range(0, Seeded), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            _ids[i] = await LifecycleBenchmarkEnvironment.EnrollAsync(_http, LifecycleBenchmarkEnvironment.EnrollBody(csrs[i], $"step{i}-alt.acme.example", LifecycleBenchmarkEnvironment.Profile, marker: false), ct));

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScmClient(o =>
        {
            o.BaseAddress = _simulator.BaseAddress;
            o.Login = _simulator.Credentials.Login;
            o.Password = _simulator.Credentials.Password;
            o.CustomerUri = _simulator.Credentials.CustomerUri;
        });
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<ScmClient>();

        using var response = await _http.GetAsync("ssl/v1/collect/" + _ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture) + "?format=x509");
        _bundlePem = Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync());
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(_bundlePem);
        _bundle = [.. collection];
        if (_bundle.Length != 3)
        {
            throw new InvalidOperationException($"The collected bundle holds {_bundle.Length} certificates, not 3.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var certificate in _bundle)
        {
            certificate.Dispose();
        }

        await _services.DisposeAsync();
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Details")]
    public Task<string> Details_Bare() => LifecycleBenchmarkEnvironment.GetStatusAsync(_http, NextId());

    [Benchmark]
    [BenchmarkCategory("Details")]
    public async Task<string> Details_ScmClient() => (await _client.Ssl.GetAsync(NextId())).Status.ToString();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Collect")]
    public Task<int> Collect_Bare() => LifecycleBenchmarkEnvironment.CollectAsync(_http, NextId());

    [Benchmark]
    [BenchmarkCategory("Collect")]
    public async Task<int> Collect_ScmClient()
    {
        using var result = await _client.Ssl.CollectAsync(NextId(), SslCollectFormat.X509);
        return result.Certificates.Count;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("X509")]
    public int Bundle_DecodePem()
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(_bundlePem);
        var count = collection.Count;
        foreach (var certificate in collection)
        {
            certificate.Dispose();
        }

        return count;
    }

    [Benchmark]
    [BenchmarkCategory("X509")]
    public int Bundle_CopyByDecodingDer()
    {
        var length = 0;
        foreach (var certificate in _bundle)
        {
            using var copy = X509CertificateLoader.LoadCertificate(certificate.RawData);
            length += copy.RawDataMemory.Length;
        }

        return length;
    }

    [Benchmark]
    [BenchmarkCategory("X509")]
    public int Bundle_CopyByNewHandle()
    {
        var length = 0;
        foreach (var certificate in _bundle)
        {
            using var copy = new X509Certificate2(certificate);
            length += copy.RawDataMemory.Length;
        }

        return length;
    }

    private long NextId()
    {
        var i = _next++;
        return _ids[i % _ids.Length];
    }
}
