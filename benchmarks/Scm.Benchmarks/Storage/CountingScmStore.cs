using System.Collections.Concurrent;
using Scm.Storage;

namespace Scm.Benchmarks.Storage;

/// <summary>Calls made to a store, by operation (shared by the decorators of several hosts).</summary>
internal sealed class StoreCallCounter
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);

    public void Add(string operation) => _calls.AddOrUpdate(operation, 1, static (_, n) => n + 1);

    public long Total => _calls.Values.Sum();

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_calls, StringComparer.Ordinal);

    public void Reset() => _calls.Clear();
}

/// <summary>
/// Counts every call the engine makes to its store (one call: one read, one lease operation, or one write transaction
/// with its statements), then passes it on unchanged. Disposes the store it wraps.
/// </summary>
internal sealed class CountingScmStore : DelegatingScmStore, IAsyncDisposable
{
    private readonly StoreCallCounter _counter;

    public CountingScmStore(IScmStore inner, StoreCallCounter counter)
        : base(inner)
    {
        _counter = counter;
    }

    public override Task InitializeAsync(CancellationToken cancellationToken = default) => Count(nameof(InitializeAsync), base.InitializeAsync(cancellationToken));

    public override Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default) => Count(nameof(CommitAsync), base.CommitAsync(batch, cancellationToken));

    public override Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) => Count(nameof(GetOrderAsync), base.GetOrderAsync(id, cancellationToken));

    public override Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) => Count(nameof(GetCertificateAsync), base.GetCertificateAsync(id, cancellationToken));

    public override Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) =>
        Count(nameof(GetOpenOrderForCertificateAsync), base.GetOpenOrderForCertificateAsync(certificateId, cancellationToken));

    public override Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        Count(nameof(FindOrdersBySslIdAsync), base.FindOrdersBySslIdAsync(sslId, cancellationToken));

    public override Task<IReadOnlySet<long>> FindKnownSslIdsAsync(IReadOnlyCollection<long> sslIds, CancellationToken cancellationToken = default) =>
        Count(nameof(FindKnownSslIdsAsync), base.FindKnownSslIdsAsync(sslIds, cancellationToken));

    public override Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default) =>
        Count(nameof(FindOrderByCorrelationTokenAsync), base.FindOrderByCorrelationTokenAsync(correlationToken, cancellationToken));

    public override Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        Count(nameof(FindCertificatesBySslIdAsync), base.FindCertificatesBySslIdAsync(sslId, cancellationToken));

    public override Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default) =>
        Count(nameof(FindCertificateBySerialAsync), base.FindCertificateBySerialAsync(serialNumber, cancellationToken));

    public override Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default) =>
        Count(nameof(ListOpenOrdersAsync), base.ListOpenOrdersAsync(dueAtOrBefore, limit, cancellationToken));

    public override Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default) =>
        Count(nameof(ListCertificatesDueAsync), base.ListCertificatesDueAsync(notAfterBefore, limit, after, cancellationToken));

    public override Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default) =>
        Count(nameof(ListCertificatesAsync), base.ListCertificatesAsync(query, cancellationToken));

    public override Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) =>
        Count(nameof(ListOrdersAsync), base.ListOrdersAsync(query, cancellationToken));

    public override Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) =>
        Count(nameof(CountCertificatesAsync), base.CountCertificatesAsync(status, cancellationToken));

    public override Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default) =>
        Count(nameof(GetCatalogAsync), base.GetCatalogAsync(accountId, cancellationToken));

    public override Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default) =>
        Count(nameof(SaveCatalogAsync), base.SaveCatalogAsync(catalog, cancellationToken));

    public override Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        Count(nameof(AppendAuditAsync), base.AppendAuditAsync(entry, cancellationToken));

    public override Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) =>
        Count(nameof(QueryAuditAsync), base.QueryAuditAsync(query, cancellationToken));

    public override Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) => Count(nameof(GetValueAsync), base.GetValueAsync(key, cancellationToken));

    public override Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default) => Count(nameof(SetValueAsync), base.SetValueAsync(key, value, cancellationToken));

    public override Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) =>
        Count(nameof(TryAcquireLeaseAsync), base.TryAcquireLeaseAsync(name, owner, duration, cancellationToken));

    public override Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default) =>
        Count(nameof(RenewLeaseAsync), base.RenewLeaseAsync(lease, duration, cancellationToken));

    public override Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => Count(nameof(ReleaseLeaseAsync), base.ReleaseLeaseAsync(lease, cancellationToken));

    public override Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => Count(nameof(CheckLeaseAsync), base.CheckLeaseAsync(lease, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        if (InnerStore is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    private T Count<T>(string operation, T task)
    {
        _counter.Add(operation);
        return task;
    }
}
