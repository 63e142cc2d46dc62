using System.Collections.Concurrent;
using System.Diagnostics;
using Scm.Storage;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// Calls made to a store and its account partitions, by operation, and how long the write transactions took from the
/// call to its completion (waiting for the database's write lock included). Thread-safe; shared by every partition.
/// </summary>
internal sealed class PartitionedStoreCalls
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly List<double> _writeMs = [];

    public void Add(string operation) => _calls.AddOrUpdate(operation, 1, static (_, n) => n + 1);

    public void AddWrite(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _writeMs.Add(elapsed.TotalMilliseconds);
        }
    }

    public long Total => _calls.Values.Sum();

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_calls, StringComparer.Ordinal);

    /// <summary>The write transactions' durations in milliseconds, sorted.</summary>
    public double[] WriteMilliseconds()
    {
        lock (_gate)
        {
            return _writeMs.Order().ToArray();
        }
    }

    public void Reset()
    {
        _calls.Clear();
        lock (_gate)
        {
            _writeMs.Clear();
        }
    }
}

/// <summary>
/// Counts every call the engines make to a partitioned store (one call: one read, one lease operation, or one write
/// transaction with all its statements), then passes it on unchanged; write transactions are also timed. <see cref="ForAccount"/> returns the inner store's
/// partition wrapped the same way, so a multi-account host's engines (one partition each) are all counted. Disposes the
/// store it wraps (a partition's disposal does nothing, as the shipped stores' views).
/// </summary>
internal sealed class CountingPartitionedScmStore : DelegatingScmStore, IPartitionedScmStore, IAsyncDisposable
{
    private readonly PartitionedStoreCalls _calls;
    private readonly bool _owner;

    /// <param name="inner">The store (a partitioned one: SQLite, PostgreSQL, in-memory).</param>
    /// <param name="calls">Where the calls are counted.</param>
    public CountingPartitionedScmStore(IScmStore inner, PartitionedStoreCalls calls)
        : this(inner, calls, owner: true)
    {
    }

    private CountingPartitionedScmStore(IScmStore inner, PartitionedStoreCalls calls, bool owner)
        : base(inner)
    {
        _calls = calls;
        _owner = owner;
    }

    public string Account => ((IPartitionedScmStore)InnerStore).Account;

    public IScmStore ForAccount(string account) => new CountingPartitionedScmStore(((IPartitionedScmStore)InnerStore).ForAccount(account), _calls, owner: false);

    public override Task InitializeAsync(CancellationToken cancellationToken = default) => Count(nameof(InitializeAsync), base.InitializeAsync(cancellationToken));

    public override Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default) => Write(nameof(CommitAsync), () => base.CommitAsync(batch, cancellationToken));

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
        Write(nameof(SaveCatalogAsync), async () =>
        {
            await base.SaveCatalogAsync(catalog, cancellationToken);
            return true;
        });

    public override Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        Write(nameof(AppendAuditAsync), () => base.AppendAuditAsync(entry, cancellationToken));

    public override Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) =>
        Count(nameof(QueryAuditAsync), base.QueryAuditAsync(query, cancellationToken));

    public override Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) => Count(nameof(GetValueAsync), base.GetValueAsync(key, cancellationToken));

    public override Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default) =>
        Write(nameof(SetValueAsync), async () =>
        {
            await base.SetValueAsync(key, value, cancellationToken);
            return true;
        });

    public override Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) =>
        Write(nameof(TryAcquireLeaseAsync), () => base.TryAcquireLeaseAsync(name, owner, duration, cancellationToken));

    public override Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default) =>
        Write(nameof(RenewLeaseAsync), () => base.RenewLeaseAsync(lease, duration, cancellationToken));

    public override Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) =>
        Write(nameof(ReleaseLeaseAsync), async () =>
        {
            await base.ReleaseLeaseAsync(lease, cancellationToken);
            return true;
        });

    public override Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => Count(nameof(CheckLeaseAsync), base.CheckLeaseAsync(lease, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        if (_owner && InnerStore is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    private T Count<T>(string operation, T task)
    {
        _calls.Add(operation);
        return task;
    }

    /// <summary>Counts a write transaction and times it from the call to its completion (failed ones too).</summary>
    private async Task<T> Write<T>(string operation, Func<Task<T>> write)
    {
        _calls.Add(operation);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await write();
        }
        finally
        {
            _calls.AddWrite(Stopwatch.GetElapsedTime(started));
        }
    }
}
