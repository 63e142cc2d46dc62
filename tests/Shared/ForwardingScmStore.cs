using Scm.Storage;

namespace Scm.Tests.Shared;

/// <summary>
/// A store that hands every call to another one: the base of the test stores that change one behaviour (fail chosen
/// commits, ...). It implements only the members that every store must; <see cref="ICertificateStore.FindKnownSslIdsAsync"/>
/// is left to the interface's default implementation, so a derived store also exercises that.
/// </summary>
internal abstract class ForwardingScmStore(IScmStore inner) : IScmStore
{
    /// <summary>The store calls go to.</summary>
    protected IScmStore Inner { get; } = inner;

    public virtual Task InitializeAsync(CancellationToken cancellationToken = default) => Inner.InitializeAsync(cancellationToken);

    public virtual Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default) => Inner.CommitAsync(batch, cancellationToken);

    public virtual Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) => Inner.GetOrderAsync(id, cancellationToken);

    public virtual Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) => Inner.GetCertificateAsync(id, cancellationToken);

    public virtual Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) => Inner.GetOpenOrderForCertificateAsync(certificateId, cancellationToken);

    public virtual Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => Inner.FindOrdersBySslIdAsync(sslId, cancellationToken);

    public virtual Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default) => Inner.FindOrderByCorrelationTokenAsync(correlationToken, cancellationToken);

    public virtual Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => Inner.FindCertificatesBySslIdAsync(sslId, cancellationToken);

    public virtual Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default) => Inner.FindCertificateBySerialAsync(serialNumber, cancellationToken);

    public virtual Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default) => Inner.ListOpenOrdersAsync(dueAtOrBefore, limit, cancellationToken);

    public virtual Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default) => Inner.ListCertificatesDueAsync(notAfterBefore, limit, after, cancellationToken);

    public virtual Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default) => Inner.ListCertificatesAsync(query, cancellationToken);

    public virtual Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) => Inner.ListOrdersAsync(query, cancellationToken);

    public virtual Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) => Inner.CountCertificatesAsync(status, cancellationToken);

    public virtual Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default) => Inner.GetCatalogAsync(accountId, cancellationToken);

    public virtual Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default) => Inner.SaveCatalogAsync(catalog, cancellationToken);

    public virtual Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => Inner.AppendAuditAsync(entry, cancellationToken);

    public virtual Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => Inner.QueryAuditAsync(query, cancellationToken);

    public virtual Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) => Inner.GetValueAsync(key, cancellationToken);

    public virtual Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default) => Inner.SetValueAsync(key, value, cancellationToken);

    public virtual Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) => Inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);

    public virtual Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default) => Inner.RenewLeaseAsync(lease, duration, cancellationToken);

    public virtual Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => Inner.ReleaseLeaseAsync(lease, cancellationToken);

    public virtual Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => Inner.CheckLeaseAsync(lease, cancellationToken);
}
