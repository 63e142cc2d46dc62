namespace Scm.Storage;

/// <summary>
/// A store that hands every call to another store: the base of a decorator (metrics, caching, fault injection) and of
/// the shipped stores, which put their engine behind it. Override the members whose behaviour changes; the others
/// forward unchanged, <see cref="ICertificateStore.FindKnownSslIdsAsync"/> included.
/// </summary>
public abstract class DelegatingScmStore : IScmStore
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerStore">The store calls go to.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerStore"/> is null.</exception>
    protected DelegatingScmStore(IScmStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        InnerStore = innerStore;
    }

    /// <summary>The store calls go to.</summary>
    protected IScmStore InnerStore { get; }

    /// <inheritdoc />
    public virtual Task InitializeAsync(CancellationToken cancellationToken = default) => InnerStore.InitializeAsync(cancellationToken);

    /// <inheritdoc />
    public virtual Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default) => InnerStore.CommitAsync(batch, cancellationToken);

    /// <inheritdoc />
    public virtual Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) => InnerStore.GetOrderAsync(id, cancellationToken);

    /// <inheritdoc />
    public virtual Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) => InnerStore.GetCertificateAsync(id, cancellationToken);

    /// <inheritdoc />
    public virtual Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) =>
        InnerStore.GetOpenOrderForCertificateAsync(certificateId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        InnerStore.FindOrdersBySslIdAsync(sslId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlySet<long>> FindKnownSslIdsAsync(IReadOnlyCollection<long> sslIds, CancellationToken cancellationToken = default) =>
        InnerStore.FindKnownSslIdsAsync(sslIds, cancellationToken);

    /// <inheritdoc />
    public virtual Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default) =>
        InnerStore.FindOrderByCorrelationTokenAsync(correlationToken, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        InnerStore.FindCertificatesBySslIdAsync(sslId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default) =>
        InnerStore.FindCertificateBySerialAsync(serialNumber, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default) =>
        InnerStore.ListOpenOrdersAsync(dueAtOrBefore, limit, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default) =>
        InnerStore.ListCertificatesDueAsync(notAfterBefore, limit, after, cancellationToken);

    /// <inheritdoc />
    public virtual Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default) =>
        InnerStore.ListCertificatesAsync(query, cancellationToken);

    /// <inheritdoc />
    public virtual Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) => InnerStore.ListOrdersAsync(query, cancellationToken);

    /// <inheritdoc />
    public virtual Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) => InnerStore.CountCertificatesAsync(status, cancellationToken);

    /// <inheritdoc />
    public virtual Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default) => InnerStore.GetCatalogAsync(accountId, cancellationToken);

    /// <inheritdoc />
    public virtual Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default) => InnerStore.SaveCatalogAsync(catalog, cancellationToken);

    /// <inheritdoc />
    public virtual Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => InnerStore.AppendAuditAsync(entry, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => InnerStore.QueryAuditAsync(query, cancellationToken);

    /// <inheritdoc />
    public virtual Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) => InnerStore.GetValueAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default) => InnerStore.SetValueAsync(key, value, cancellationToken);

    /// <inheritdoc />
    public virtual Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) =>
        InnerStore.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);

    /// <inheritdoc />
    public virtual Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default) =>
        InnerStore.RenewLeaseAsync(lease, duration, cancellationToken);

    /// <inheritdoc />
    public virtual Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => InnerStore.ReleaseLeaseAsync(lease, cancellationToken);

    /// <inheritdoc />
    public virtual Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => InnerStore.CheckLeaseAsync(lease, cancellationToken);
}
