using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using Scm.Lifecycle;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// Issue 5: 1,000 EC P-256 orders end to end against the simulator (zero stage delays), one after the other. One
/// operation = one order; Mean = time per order. Three rows, same process kind, same machine, same run:
/// <list type="bullet">
/// <item><c>Engine_OrderCheckCollect</c>: <c>OrderAsync</c> (validate against the synced catalog, key, CSR, protected
/// key stored before the enroll POST, sslId stored) then <c>CheckStatusAsync</c> (details GET, collect GET, leaf matched
/// by public key, names and validity verified, PKCS#12 built and stored protected, certificate installed and audited),
/// in-memory store, no deployment targets;</item>
/// <item><c>Floor_KeyCsrPkcs12</c>: the crypto alone: EC P-256 key, the same CSR with .NET CertificateRequest, a leaf for
/// that key (one ECDSA signature standing in for the CA's), and the same PKCS#12 (leaf + key + intermediate + root,
/// ExportPkcs12 with AES-256-CBC/SHA-256 and the engine's default <see cref="OrderingOptions.Pkcs12Iterations"/>);</item>
/// <item><c>Http_EnrollDetailsCollect</c>: the three HTTP round trips the engine makes per order (enroll POST with the
/// same body, details GET, collect GET x509) with a bare HttpClient against the same simulator, CSRs made beforehand.</item>
/// </list>
/// Target: Engine &lt;= 2 x (Floor + HTTP), the Engine/(Floor+HTTP) column (wall time); the CPU columns give the same
/// comparison by process CPU time, which other work on a shared machine disturbs far less.
/// <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*LifecycleOrder*'</c>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3, invocationCount: 1)]
public class LifecycleOrderBenchmarks
{
    private const int Orders = 1_000;
    private const string Password = "kW3v9Qm2Zr7Tx4Lp8Nc6Hb1Jd5Fg0Sa_";

    private ScmSimulator _simulator = null!;
    private HttpClient _http = null!;
    private string[] _csrs = null!;
    private ServiceProvider? _engine;
    private ICertificateLifecycle? _lifecycle;
    private ECDsa _issuerKey = null!;
    private X509Certificate2 _intermediate = null!;
    private X509Certificate2 _root = null!;
    private PbeParameters _pbe = null!;
    // Skip BenchmarkDotNet's jitting invocation (it calls the iteration setup/cleanup too; 1,000 orders like the others).
    private readonly IterationProbe _probe = new(memory: false, skip: 1);
    private string _method = string.Empty;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _simulator = await LifecycleBenchmarkEnvironment.StartSimulatorAsync();
        _http = LifecycleBenchmarkEnvironment.CreateBareClient(_simulator);
        _csrs = LifecycleBenchmarkEnvironment.CreateCsrs(Orders, "host");
        _issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _intermediate = X509CertificateLoader.LoadCertificate(_simulator.IntermediateCertificate.RawData);
        _root = X509CertificateLoader.LoadCertificate(_simulator.RootCertificate.RawData);
        _pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, new OrderingOptions().Pkcs12Iterations);

        // Warm-up outside the measurement (an iteration is 1,000 orders, so no BenchmarkDotNet warm-up iteration):
        // JIT, connection pools and the simulator's first requests, for all three rows.
        await using (var warm = LifecycleBenchmarkEnvironment.BuildEngine(_simulator))
        {
            var lifecycle = warm.GetRequiredService<ICertificateLifecycle>();
            await lifecycle.SyncCatalogAsync();
            for (var i = 0; i < 5; i++)
            {
                var ordered = await lifecycle.OrderAsync(LifecycleBenchmarkEnvironment.OrderRequest(Orders + i));
                _ = await lifecycle.CheckStatusAsync(ordered.Order.Id);
            }
        }

        for (var i = 0; i < 50; i++)
        {
            var sslId = await LifecycleBenchmarkEnvironment.EnrollAsync(_http, LifecycleBenchmarkEnvironment.EnrollBody(_csrs[i], LifecycleBenchmarkEnvironment.AltName(i), LifecycleBenchmarkEnvironment.Profile));
            _ = await LifecycleBenchmarkEnvironment.GetStatusAsync(_http, sslId);
            _ = await LifecycleBenchmarkEnvironment.CollectAsync(_http, sslId);
        }

        _ = FloorOnce(0, TimeProvider.System.GetUtcNow());
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _probe.Write(_method, orders: null);
        _http.Dispose();
        await _simulator.DisposeAsync();
        _issuerKey.Dispose();
        _intermediate.Dispose();
        _root.Dispose();
    }

    /// <summary>A fresh engine (empty in-memory store, catalog synced) for every iteration of 1,000 orders.</summary>
    [IterationSetup(Target = nameof(Engine_OrderCheckCollect))]
    public void EngineIterationSetup()
    {
        _engine = LifecycleBenchmarkEnvironment.BuildEngine(_simulator);
        _lifecycle = _engine.GetRequiredService<ICertificateLifecycle>();
        _lifecycle.SyncCatalogAsync().GetAwaiter().GetResult();
        _probe.Begin();
    }

    [IterationCleanup(Target = nameof(Engine_OrderCheckCollect))]
    public void EngineIterationCleanup()
    {
        _probe.End(Orders);
        _engine?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _engine = null;
        _lifecycle = null;
    }

    [IterationSetup(Targets = [nameof(Floor_KeyCsrPkcs12), nameof(Http_EnrollDetailsCollect)])]
    public void BaselineIterationSetup() => _probe.Begin();

    [IterationCleanup(Targets = [nameof(Floor_KeyCsrPkcs12), nameof(Http_EnrollDetailsCollect)])]
    public void BaselineIterationCleanup() => _probe.End(Orders);

    [Benchmark(OperationsPerInvoke = Orders)]
    public async Task Engine_OrderCheckCollect()
    {
        _method = nameof(Engine_OrderCheckCollect);
        var lifecycle = _lifecycle!;
        for (var i = 0; i < Orders; i++)
        {
            var ordered = await lifecycle.OrderAsync(LifecycleBenchmarkEnvironment.OrderRequest(i));
            var check = await lifecycle.CheckStatusAsync(ordered.Order.Id);
            if (check.InstalledCertificate?.ProtectedKeystore is null || check.Order.State != OrderState.Completed)
            {
                throw new InvalidOperationException($"Order {i} ended {check.Order.State}: {check.Message}");
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Orders)]
    public int Floor_KeyCsrPkcs12()
    {
        _method = nameof(Floor_KeyCsrPkcs12);
        var bytes = 0;
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < Orders; i++)
        {
            bytes += FloorOnce(i, now);
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Orders)]
    public async Task<int> Http_EnrollDetailsCollect()
    {
        _method = nameof(Http_EnrollDetailsCollect);
        var bytes = 0;
        for (var i = 0; i < Orders; i++)
        {
            var body = LifecycleBenchmarkEnvironment.EnrollBody(_csrs[i], LifecycleBenchmarkEnvironment.AltName(i), LifecycleBenchmarkEnvironment.Profile);
            var sslId = await LifecycleBenchmarkEnvironment.EnrollAsync(_http, body);
            var status = await LifecycleBenchmarkEnvironment.GetStatusAsync(_http, sslId);
            if (status != "Issued")
            {
                throw new InvalidOperationException($"sslId {sslId} is {status}, not Issued.");
            }

            bytes += await LifecycleBenchmarkEnvironment.CollectAsync(_http, sslId);
        }

        return bytes;
    }

    /// <summary>Key, CSR, a leaf for the key (the CA's one signature), PKCS#12 of leaf + key + intermediate + root.</summary>
    private int FloorOnce(int i, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(LifecycleBenchmarkEnvironment.CommonName(i));
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(LifecycleBenchmarkEnvironment.AltName(i));
        request.CertificateExtensions.Add(san.Build());
        var csr = request.CreateSigningRequestPem();

        Span<byte> serial = stackalloc byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var leaf = request.Create(_intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(_issuerKey), now.AddMinutes(-5), now.AddDays(365), serial);
        using var withKey = leaf.CopyWithPrivateKey(key);
        var pfx = new X509Certificate2Collection { withKey, _intermediate, _root }.ExportPkcs12(_pbe, Password);
        return pfx.Length + csr.Length;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(
            new EngineVsFloorColumn(),
            new ProbeColumn("CPU ms/order", "CpuMsPerOp", 1.0, "0.00", "Process CPU time (all threads, simulator included) per order, mean of the iterations"),
            new EngineVsFloorCpuColumn());
    }
}
