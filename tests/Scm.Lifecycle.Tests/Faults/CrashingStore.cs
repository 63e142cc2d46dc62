using Scm.Storage;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>What a <see cref="CrashingStore"/> does with one commit.</summary>
internal enum CommitFault
{
    /// <summary>The commit goes through.</summary>
    None,

    /// <summary>The commit fails with a transient storage error before anything is written (disk full, I/O error, locked).</summary>
    FailBefore,

    /// <summary>The commit is written, then the process "dies": the caller sees an error and the store is dead from then on.</summary>
    DieAfter,

    /// <summary>The process dies before the commit: nothing is written and the store is dead from then on.</summary>
    DieBefore,
}

/// <summary>
/// A store wrapper for crash and storage faults, in the style of Boulder's triggers: a rule decides per commit whether
/// it fails before the write, or whether the process dies before or after it. Once "dead", every call of this
/// instance fails (reads, writes, lease renewals and releases) as they would for a killed process, while the inner
/// store keeps what was written for the next instance.
/// </summary>
internal sealed class CrashingStore(IScmStore inner) : IScmStore
{
    private volatile bool _dead;
    private int _failedCommits;

    /// <summary>Runs before each commit is decided (for example another writer's concurrent change).</summary>
    public Func<StoreBatch, Task>? BeforeCommit { get; set; }

    /// <summary>Runs after a commit went through, before the caller sees it (for example a process that pauses right there).</summary>
    public Func<StoreBatch, Task>? AfterCommit { get; set; }

    /// <summary>Decides the fault of each commit (null: every commit passes).</summary>
    public Func<StoreBatch, CommitFault>? Rule { get; set; }

    public IScmStore Inner => inner;

    public bool IsDead => _dead;

    public int FailedCommits => Volatile.Read(ref _failedCommits);

    /// <summary>Kills this instance now (a crash between two writes).</summary>
    public void Kill() => _dead = true;

    public static bool Moves(StoreBatch batch, OrderState to) =>
        batch.Operations.Any(o => o is UpdateOrderOperation u && u.Order.State == to);

    public static bool InsertsCertificate(StoreBatch batch) => batch.Operations.Any(o => o is InsertCertificateOperation);

    public async Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ThrowIfDead();
        if (BeforeCommit is { } before)
        {
            await before(batch).ConfigureAwait(false);
        }

        switch (Rule?.Invoke(batch) ?? CommitFault.None)
        {
            case CommitFault.FailBefore:
                Interlocked.Increment(ref _failedCommits);
                throw new ScmStoreException(StoreErrorKind.Unavailable, "Injected storage fault: the disk is full (nothing was written).");
            case CommitFault.DieBefore:
                Interlocked.Increment(ref _failedCommits);
                _dead = true;
                throw Dead();
            case CommitFault.DieAfter:
                var result = await inner.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
                _ = result;
                _dead = true;
                throw Dead();
            default:
                var committed = await inner.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
                if (AfterCommit is { } after)
                {
                    await after(batch).ConfigureAwait(false);
                }

                return committed;
        }
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Guard(() => inner.InitializeAsync(cancellationToken));
    public Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) => Guard(() => inner.GetOrderAsync(id, cancellationToken));
    public Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) => Guard(() => inner.GetCertificateAsync(id, cancellationToken));
    public Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) => Guard(() => inner.GetOpenOrderForCertificateAsync(certificateId, cancellationToken));
    public Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => Guard(() => inner.FindOrdersBySslIdAsync(sslId, cancellationToken));
    public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default) => Guard(() => inner.FindOrderByCorrelationTokenAsync(correlationToken, cancellationToken));
    public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => Guard(() => inner.FindCertificatesBySslIdAsync(sslId, cancellationToken));
    public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default) => Guard(() => inner.FindCertificateBySerialAsync(serialNumber, cancellationToken));
    public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default) => Guard(() => inner.ListOpenOrdersAsync(dueAtOrBefore, limit, cancellationToken));
    public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default) => Guard(() => inner.ListCertificatesDueAsync(notAfterBefore, limit, after, cancellationToken));
    public Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default) => Guard(() => inner.ListCertificatesAsync(query, cancellationToken));
    public Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) => Guard(() => inner.ListOrdersAsync(query, cancellationToken));
    public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) => Guard(() => inner.CountCertificatesAsync(status, cancellationToken));
    public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default) => Guard(() => inner.GetCatalogAsync(accountId, cancellationToken));
    public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default) => Guard(() => inner.SaveCatalogAsync(catalog, cancellationToken));
    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => Guard(() => inner.AppendAuditAsync(entry, cancellationToken));
    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => Guard(() => inner.QueryAuditAsync(query, cancellationToken));
    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) => Guard(() => inner.GetValueAsync(key, cancellationToken));
    public Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default) => Guard(() => inner.SetValueAsync(key, value, cancellationToken));
    public Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) => Guard(() => inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken));
    public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default) => Guard(() => inner.RenewLeaseAsync(lease, duration, cancellationToken));
    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => Guard(() => inner.ReleaseLeaseAsync(lease, cancellationToken));
    public Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => Guard(() => inner.CheckLeaseAsync(lease, cancellationToken));

    private static ScmStoreException Dead() => new(StoreErrorKind.Unavailable, "Injected crash: this engine instance is dead (kill -9).");

    private void ThrowIfDead()
    {
        if (_dead)
        {
            throw Dead();
        }
    }

    private Task Guard(Func<Task> call) => _dead ? Task.FromException(Dead()) : call();

    private Task<T> Guard<T>(Func<Task<T>> call) => _dead ? Task.FromException<T>(Dead()) : call();
}
