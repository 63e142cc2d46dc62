using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle.Storage;
using Scm.Storage.Sqlite;

namespace Scm.Storage.Tests;

/// <summary>The conformance suite against the in-memory store.</summary>
public sealed class InMemoryStoreConformanceTests : StoreConformanceTests
{
    protected override Task<IScmStore> CreateStoreAsync(FakeTimeProvider time) => Task.FromResult<IScmStore>(new InMemoryScmStore(time));
}

/// <summary>The conformance suite against the SQLite store (a fresh file per test).</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task<IScmStore> CreateStoreAsync(FakeTimeProvider time) =>
        Task.FromResult<IScmStore>(new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_folder, "scm.db"), FullSync = false }, time));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

/// <summary>
/// The conformance suite against a store that implements only the members that existed before
/// <see cref="ICertificateStore.FindKnownSslIdsAsync"/> (it forwards everything else to the in-memory store), so the
/// interface's default implementation of the newer member is held to the same contract.
/// </summary>
public sealed class DefaultMembersStoreConformanceTests : StoreConformanceTests
{
    protected override Task<IScmStore> CreateStoreAsync(FakeTimeProvider time) => Task.FromResult<IScmStore>(new ForwardingStore(new InMemoryScmStore(time)));

    private sealed class ForwardingStore(IScmStore inner) : IScmStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default) => inner.CommitAsync(batch, cancellationToken);

        public Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) => inner.GetOrderAsync(id, cancellationToken);

        public Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) => inner.GetCertificateAsync(id, cancellationToken);

        public Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) => inner.GetOpenOrderForCertificateAsync(certificateId, cancellationToken);

        public Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => inner.FindOrdersBySslIdAsync(sslId, cancellationToken);

        public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default) => inner.FindOrderByCorrelationTokenAsync(correlationToken, cancellationToken);

        public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => inner.FindCertificatesBySslIdAsync(sslId, cancellationToken);

        public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default) => inner.FindCertificateBySerialAsync(serialNumber, cancellationToken);

        public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default) => inner.ListOpenOrdersAsync(dueAtOrBefore, limit, cancellationToken);

        public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default) => inner.ListCertificatesDueAsync(notAfterBefore, limit, after, cancellationToken);

        public Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default) => inner.ListCertificatesAsync(query, cancellationToken);

        public Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) => inner.ListOrdersAsync(query, cancellationToken);

        public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) => inner.CountCertificatesAsync(status, cancellationToken);

        public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default) => inner.GetCatalogAsync(accountId, cancellationToken);

        public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default) => inner.SaveCatalogAsync(catalog, cancellationToken);

        public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => inner.AppendAuditAsync(entry, cancellationToken);

        public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => inner.QueryAuditAsync(query, cancellationToken);

        public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) => inner.GetValueAsync(key, cancellationToken);

        public Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default) => inner.SetValueAsync(key, value, cancellationToken);

        public Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) => inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);

        public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default) => inner.RenewLeaseAsync(lease, duration, cancellationToken);

        public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => inner.ReleaseLeaseAsync(lease, cancellationToken);

        public Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => inner.CheckLeaseAsync(lease, cancellationToken);
    }
}
