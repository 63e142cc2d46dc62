using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Wraps a store and fails chosen commits (a storage fault, or the process dying at that point: the write never
/// happens). In the style of Boulder's triggers: one specific write fails, everything else passes through.
/// </summary>
internal sealed class FaultyStore(IScmStore inner) : IScmStore
{
    /// <summary>Commits for which this returns true fail with a transient storage error, before anything is written.</summary>
    public Func<StoreBatch, bool>? FailWhen { get; set; }

    public int FailedCommits { get; private set; }

    public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        if (FailWhen?.Invoke(batch) == true)
        {
            FailedCommits++;
            throw new ScmStoreException(StoreErrorKind.Unavailable, "Injected storage fault (the write did not happen).");
        }

        return inner.CommitAsync(batch, cancellationToken);
    }

    public static bool Moves(StoreBatch batch, OrderState to) =>
        batch.Operations.Any(o => o is UpdateOrderOperation u && u.Order.State == to);

    public static bool Inserts(StoreBatch batch) => batch.Operations.Any(o => o is InsertOrderOperation);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);
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
