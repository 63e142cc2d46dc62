namespace Scm.Storage;

/// <summary>
/// Orders and managed certificates, with optimistic concurrency. Every write goes through
/// <see cref="CommitAsync"/>; the store enforces "at most one open order per certificate".
/// </summary>
public interface ICertificateStore
{
    /// <summary>Applies a batch atomically.</summary>
    /// <param name="batch">The writes.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The records as stored, with their new versions.</returns>
    /// <exception cref="StoreConflictException">A version was stale, a record was missing or already existed, a second open order for a certificate was attempted, or the required lease was lost. Nothing was written.</exception>
    /// <exception cref="ScmStoreException">The store failed; nothing was written.</exception>
    Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Reads an order.</summary>
    /// <param name="id">Order id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The order, or <see langword="null"/> if there is none.</returns>
    Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Reads a certificate.</summary>
    /// <param name="id">Certificate id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The certificate, or <see langword="null"/> if there is none.</returns>
    Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The open order of a certificate, if any.</summary>
    /// <param name="certificateId">Certificate id (see <see cref="CertificateOrder.CertificateId"/>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open order or <see langword="null"/>.</returns>
    Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default);

    /// <summary>Orders with this SCM sslId, newest first.</summary>
    /// <param name="sslId">SCM sslId.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The orders (possibly empty).</returns>
    Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default);

    /// <summary>The order carrying a correlation token.</summary>
    /// <param name="correlationToken">The token.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The order or <see langword="null"/>.</returns>
    Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default);

    /// <summary>Certificates with this SCM sslId (a reissue keeps the id), newest first.</summary>
    /// <param name="sslId">SCM sslId.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The certificates (possibly empty).</returns>
    Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Which of these SCM sslIds the store already holds, on an order or on a certificate: the import's duplicate check,
    /// asked once per page of SCM's list instead of twice per order.
    /// </summary>
    /// <param name="sslIds">The sslIds to look up (at most 1,000; duplicates allowed).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The subset of <paramref name="sslIds"/> the store knows (possibly empty).</returns>
    /// <remarks>
    /// The default implementation asks <see cref="FindOrdersBySslIdAsync"/> and <see cref="FindCertificatesBySslIdAsync"/>
    /// for each id, so a store written before this member existed keeps working; the shipped stores answer with one query.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="sslIds"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">More than 1,000 ids were given.</exception>
    async Task<IReadOnlySet<long>> FindKnownSslIdsAsync(IReadOnlyCollection<long> sslIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sslIds);
        if (sslIds.Count > 1_000)
        {
            throw new ArgumentOutOfRangeException(nameof(sslIds), sslIds.Count, "At most 1,000 sslIds can be looked up at once.");
        }

        var known = new HashSet<long>();
        foreach (var sslId in sslIds)
        {
            if (!known.Contains(sslId)
                && ((await FindOrdersBySslIdAsync(sslId, cancellationToken).ConfigureAwait(false)).Count > 0
                    || (await FindCertificatesBySslIdAsync(sslId, cancellationToken).ConfigureAwait(false)).Count > 0))
            {
                known.Add(sslId);
            }
        }

        return known;
    }

    /// <summary>The certificate with this serial number (uppercase hex without separators; lookups ignore case and colons).</summary>
    /// <param name="serialNumber">Serial number.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The certificate or <see langword="null"/>.</returns>
    Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>
    /// Open orders due for attention: <see cref="CertificateOrder.NextAttemptAt"/> null or at or before <paramref name="dueAtOrBefore"/>,
    /// earliest first (null first).
    /// </summary>
    /// <param name="dueAtOrBefore">The time; <see langword="null"/> returns every open order.</param>
    /// <param name="limit">Maximum number of orders (1..10,000).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The orders.</returns>
    Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Active certificates whose <see cref="ManagedCertificate.NotAfter"/> is before <paramref name="notAfterBefore"/>,
    /// ordered by NotAfter then id, after the given position (keyset paging).
    /// </summary>
    /// <param name="notAfterBefore">Exclusive upper bound on NotAfter.</param>
    /// <param name="limit">Maximum number of certificates (1..10,000).</param>
    /// <param name="after">Continue after this (NotAfter, Id) position, from the last item of the previous page.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The certificates.</returns>
    Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default);

    /// <summary>Pages through certificates.</summary>
    /// <param name="query">Filter and page size.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One page and the token for the next.</returns>
    Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default);

    /// <summary>Pages through orders.</summary>
    /// <param name="query">Filter and page size.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One page and the token for the next.</returns>
    Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default);

    /// <summary>Counts certificates, optionally only those in a status (the licence cap counts <see cref="CertificateStatus.Active"/>).</summary>
    /// <param name="status">Status filter, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The count.</returns>
    Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default);
}

/// <summary>A keyset position in <see cref="ICertificateStore.ListCertificatesDueAsync"/>.</summary>
/// <param name="NotAfter">NotAfter of the last certificate seen.</param>
/// <param name="Id">Id of the last certificate seen.</param>
public sealed record CertificateDuePosition(DateTimeOffset NotAfter, Guid Id);

/// <summary>A filter and page request over certificates (ordered by creation time, then id).</summary>
public sealed record CertificateQuery
{
    /// <summary>Only certificates in this status.</summary>
    public CertificateStatus? Status { get; init; }

    /// <summary>Only certificates with this common name (case-insensitive).</summary>
    public string? CommonName { get; init; }

    /// <summary>Page size (1..1,000).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The token returned with the previous page, or <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }
}

/// <summary>A filter and page request over orders (ordered by creation time, then id).</summary>
public sealed record OrderQuery
{
    /// <summary>Only orders in one of these states (empty: all).</summary>
    public IReadOnlyList<OrderState> States { get; init; } = [];

    /// <summary>Only orders of this certificate.</summary>
    public Guid? CertificateId { get; init; }

    /// <summary>Page size (1..1,000).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The token returned with the previous page, or <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }
}

/// <summary>One page of results.</summary>
/// <typeparam name="T">Item type.</typeparam>
/// <param name="Items">The items.</param>
/// <param name="ContinuationToken">Token for the next page, or <see langword="null"/> when this is the last.</param>
public sealed record StorePage<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>The synced SCM catalog, one snapshot per account.</summary>
public interface ICatalogStore
{
    /// <summary>Reads the latest snapshot.</summary>
    /// <param name="accountId">Account name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The snapshot or <see langword="null"/> if the account was never synced.</returns>
    Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the snapshot of an account atomically.</summary>
    /// <param name="catalog">The new snapshot.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default);
}

/// <summary>The append-only audit log.</summary>
public interface IAuditLog
{
    /// <summary>Appends an entry (use <see cref="StoreBatch.Audit"/> to append together with a state change).</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The entry with its assigned sequence.</returns>
    Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads entries in sequence order.</summary>
    /// <param name="query">The filter.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The matching entries, at most <see cref="AuditQuery.Limit"/>.</returns>
    Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Small named values the engine keeps between runs (schedule checkpoints, import progress, policies).</summary>
public interface IJobStateStore
{
    /// <summary>Reads a value.</summary>
    /// <param name="key">Key (1..200 characters).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes a value; <see langword="null"/> removes it.</summary>
    /// <param name="key">Key (1..200 characters).</param>
    /// <param name="value">Value.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default);
}

/// <summary>
/// Named leases with expiry and a fencing token that increases on every acquisition, so several hosts never
/// act on the same job or certificate at once, and a host that lost its lease cannot write.
/// </summary>
public interface ILeaseProvider
{
    /// <summary>
    /// Acquires the lease if it is free or expired, or extends it if <paramref name="owner"/> already holds it
    /// (keeping the fencing token).
    /// </summary>
    /// <param name="name">Lease name (1..200 characters).</param>
    /// <param name="owner">The caller's unique owner id (1..200 characters).</param>
    /// <param name="duration">How long the lease lasts without renewal (positive).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The lease, or <see langword="null"/> when another owner holds it.</returns>
    Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Extends a lease that is still held with the same fencing token.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="duration">New duration from now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The extended lease, or <see langword="null"/> if it was lost (expired and taken, or released).</returns>
    Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease if it is still held with the same fencing token; otherwise does nothing.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default);

    /// <summary>Checks that a lease is still held with the same fencing token and has not expired.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The current lease (with its expiry) or <see langword="null"/> if it was lost.</returns>
    Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default);
}

/// <summary>A held lease.</summary>
/// <param name="Name">Lease name.</param>
/// <param name="Owner">Owner id.</param>
/// <param name="FencingToken">Strictly increasing across acquisitions of the same name.</param>
/// <param name="ExpiresAt">When the lease expires unless renewed.</param>
public sealed record LeaseToken(string Name, string Owner, long FencingToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Everything the engine needs from storage, implemented by one store (SQLite, PostgreSQL, in-memory).
/// Registered as a singleton; <see cref="InitializeAsync"/> runs once at start (schema migrations, checks).
/// </summary>
public interface IScmStore : ICertificateStore, ICatalogStore, IAuditLog, IJobStateStore, ILeaseProvider
{
    /// <summary>Prepares the store: creates or migrates the schema and checks it can be written.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ScmStoreException">The store is newer than this code, corrupt, read-only or unreachable.</exception>
    Task InitializeAsync(CancellationToken cancellationToken = default);
}

