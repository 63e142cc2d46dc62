using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Scm.Storage;
using Scm.Storage.Sqlite;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// The engine's everyday writes, one transaction each, with and without <c>synchronous=FULL</c>: inserting one
/// certificate, moving one order a step under a lease with an audit entry (the fenced state-machine transition), and
/// acquiring plus releasing a lease.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(StorageBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SqliteCommitBenchmarks
{
    private readonly Random _random = new(11);
    private SqliteScmStore _store = null!;
    private string _folder = "";
    private CertificateOrder _order = null!;
    private LeaseToken _lease = null!;
    private int _next = 1_000_000;
    private string _method = "";

    [Params(true, false)]
    public bool FullSync { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Path.Combine(StorageData.Folder, "commit-" + Guid.NewGuid().ToString("N"));
        _store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_folder, "scm.db"), FullSync = FullSync });
        await _store.InitializeAsync();
        _lease = (await _store.TryAcquireLeaseAsync("cert:benchmark", "benchmark-host", TimeSpan.FromDays(1)))!;
        var order = new CertificateOrder
        {
            Id = Guid.NewGuid(),
            CertificateId = Guid.NewGuid(),
            Kind = OrderKind.New,
            State = OrderState.Submitted,
            CorrelationToken = Guid.NewGuid().ToString("N"),
            Request = new CertificateOrderRequest { CommonName = "www.example.com", SubjectAlternativeNames = ["www.example.com"], OrganizationId = 2645, ProfileId = 1001, TermDays = 90 },
            ProtectedPrivateKey = new byte[171],
            CreatedAt = StorageData.Epoch,
            UpdatedAt = StorageData.Epoch,
        };
        _order = (await _store.CommitAsync(new StoreBatch().InsertOrder(order))).Order(order.Id);
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        PeakMemory.Record(nameof(SqliteCommitBenchmarks), _method, "FullSync=" + FullSync);
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public async Task<long> InsertOneCertificate()
    {
        _method = nameof(InsertOneCertificate);
        var certificate = StorageData.Certificate(_next++, _random);
        return (await _store.CommitAsync(new StoreBatch().InsertCertificate(certificate))).Certificates[0].Version;
    }

    [Benchmark]
    public async Task<long> FencedOrderStepWithAudit()
    {
        _method = nameof(FencedOrderStepWithAudit);
        var next = _order with { Attempts = _order.Attempts + 1, NextAttemptAt = StorageData.Epoch.AddMinutes(_order.Attempts) };
        var result = await _store.CommitAsync(new StoreBatch()
            .RequireLease(_lease)
            .UpdateOrder(next)
            .Audit(new AuditEntry { Timestamp = StorageData.Epoch, Actor = "scheduler", Action = "CheckStatus", Decision = "Pending", Outcome = "Pending", OrderId = _order.Id }));
        _order = result.Orders[0];
        return _order.Version;
    }

    [Benchmark]
    public async Task<long> AcquireAndReleaseLease()
    {
        _method = nameof(AcquireAndReleaseLease);
        var lease = (await _store.TryAcquireLeaseAsync("job:scan", "benchmark-host", TimeSpan.FromMinutes(1)))!;
        await _store.ReleaseLeaseAsync(lease);
        return lease.FencingToken;
    }
}
