using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scm.Storage.Relational;
using Scm.Storage.Sqlite.Internal;

namespace Scm.Storage.Sqlite;

/// <summary>
/// The embedded, durable default store: one SQLite file in WAL mode, every write in a <c>BEGIN IMMEDIATE</c>
/// transaction, versioned migrations at start, optimistic concurrency on every record, one open order per certificate
/// enforced by a partial unique index, and leases (with fencing tokens) in the database itself, so several processes on
/// one machine can share the file. A database this code must not use (newer schema, corrupt, another application's,
/// read-only) is reported with a typed <see cref="ScmStoreException"/> at <see cref="InitializeAsync"/> and never
/// modified or reset. The one-open-order rule is checked after every operation of a batch (a batch that replaces an
/// open order closes the old one before it inserts the new one). The record mapping, queries, versions, leases and audit
/// are the relational core shared with the PostgreSQL store; this class adds what is SQLite's own. Every row belongs to
/// an account: this instance reads and writes <see cref="Account"/>, and <see cref="ForAccount"/> opens the same file for
/// another one.
/// </summary>
public sealed class SqliteScmStore : IScmStore, IAsyncDisposable
{
    private static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    private readonly SqliteDialect _dialect;
    private readonly RelationalStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RelationalStore.InitializationState _initialization;
    private readonly bool _isView;

    /// <summary>Creates the store; nothing is opened until <see cref="InitializeAsync"/> or the first call.</summary>
    /// <param name="options">Options; <see cref="SqliteStoreOptions.DatabasePath"/> is required.</param>
    /// <param name="timeProvider">The clock for leases (default: the system clock).</param>
    /// <param name="logger">A logger (default: none).</param>
    /// <exception cref="ArgumentException">The path or the account is missing, or the busy timeout is out of range.</exception>
    public SqliteScmStore(SqliteStoreOptions options, TimeProvider? timeProvider = null, ILogger<SqliteScmStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new ArgumentException("SqliteStoreOptions.DatabasePath is required.", nameof(options));
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > MaxBusyTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BusyTimeout, "SqliteStoreOptions.BusyTimeout must be positive and at most 10 minutes.");
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        DatabasePath = Path.GetFullPath(options.DatabasePath);
        _dialect = new SqliteDialect(options, DatabasePath, _logger);
        _initialization = new RelationalStore.InitializationState();
        _store = new RelationalStore(_dialect, options.Account, _time, _logger, _initialization);
    }

    private SqliteScmStore(SqliteScmStore root, string account)
    {
        _time = root._time;
        _logger = root._logger;
        DatabasePath = root.DatabasePath;
        _dialect = root._dialect;
        _initialization = root._initialization;
        _isView = true;
        _store = new RelationalStore(_dialect, account, _time, _logger, _initialization);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The account whose records this instance reads and writes (<see cref="SqliteStoreOptions.Account"/>).</summary>
    public string Account => _store.Account;

    /// <summary>
    /// The same database file for another account: its own orders, certificates, audit log, job state and leases; the
    /// connection pool and the schema are shared with this instance. Disposing the returned store does nothing; dispose
    /// this one.
    /// </summary>
    /// <param name="account">The account (1-200 characters).</param>
    /// <returns>The store of that account.</returns>
    /// <exception cref="ArgumentException">The account is empty or longer than 200 characters.</exception>
    public SqliteScmStore ForAccount(string account) => new(this, account);

    /// <inheritdoc />
    /// <remarks>
    /// Checks the file before SQLite touches it (header, truncation, writable file and folder), refuses a newer schema,
    /// another application's database or (with <see cref="SqliteStoreOptions.VerifyOnInitialize"/>) a damaged one, then
    /// switches to WAL, applies pending migrations (each in its own <c>BEGIN IMMEDIATE</c> transaction, so processes
    /// starting together migrate once) and proves the file can be written. Called implicitly by the first operation.
    /// </remarks>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _store.InitializeAsync(cancellationToken);

    /// <inheritdoc />
    public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default) => _store.CommitAsync(batch, cancellationToken);

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) => _store.GetOrderAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) => _store.GetCertificateAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) => _store.GetOpenOrderForCertificateAsync(certificateId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => _store.FindOrdersBySslIdAsync(sslId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One read (both partial sslId indexes), whatever the number of ids.</remarks>
    public Task<IReadOnlySet<long>> FindKnownSslIdsAsync(IReadOnlyCollection<long> sslIds, CancellationToken cancellationToken = default) => _store.FindKnownSslIdsAsync(sslIds, cancellationToken);

    /// <inheritdoc />
    public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default) => _store.FindOrderByCorrelationTokenAsync(correlationToken, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) => _store.FindCertificatesBySslIdAsync(sslId, cancellationToken);

    /// <inheritdoc />
    public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default) => _store.FindCertificateBySerialAsync(serialNumber, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default) => _store.ListOpenOrdersAsync(dueAtOrBefore, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default) =>
        _store.ListCertificatesDueAsync(notAfterBefore, limit, after, cancellationToken);

    /// <summary>The pending-orders query (for the query-plan tests).</summary>
    internal static string PendingOrdersSql(bool bounded) => SqliteDialect.PendingOrders(bounded);

    /// <summary>The due-for-renewal query (for the query-plan tests).</summary>
    internal static string DueCertificatesSql(bool keyset) => SqliteDialect.DueCertificates(keyset);

    /// <inheritdoc />
    public Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default) => _store.ListCertificatesAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default) => _store.ListOrdersAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) => _store.CountCertificatesAsync(status, cancellationToken);

    /// <inheritdoc />
    public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default) => _store.GetCatalogAsync(accountId, cancellationToken);

    /// <inheritdoc />
    public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default) => _store.SaveCatalogAsync(catalog, cancellationToken);

    /// <inheritdoc />
    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => _store.AppendAuditAsync(entry, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => _store.QueryAuditAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default) => _store.GetValueAsync(key, cancellationToken);

    /// <inheritdoc />
    public Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default) => _store.SetValueAsync(key, value, cancellationToken);

    /// <inheritdoc />
    public Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) => _store.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);

    /// <inheritdoc />
    public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default) => _store.RenewLeaseAsync(lease, duration, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => _store.ReleaseLeaseAsync(lease, cancellationToken);

    /// <inheritdoc />
    public Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default) => _store.CheckLeaseAsync(lease, cancellationToken);

    /// <summary>
    /// Closes the pooled connections to the file. Calls after disposal fail with <see cref="ObjectDisposedException"/>.
    /// A store returned by <see cref="ForAccount"/> shares the file: disposing it does nothing.
    /// </summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => _isView ? ValueTask.CompletedTask : _dialect.DisposeAsync();
}
