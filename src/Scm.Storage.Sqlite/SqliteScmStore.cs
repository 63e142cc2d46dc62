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
public sealed class SqliteScmStore : DelegatingScmStore, IPartitionedScmStore, IAsyncDisposable
{
    private static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    private readonly Shared _shared;
    private readonly bool _isView;

    /// <summary>Creates the store; nothing is opened until <see cref="InitializeAsync"/> or the first call.</summary>
    /// <param name="options">Options; <see cref="SqliteStoreOptions.DatabasePath"/> is required.</param>
    /// <param name="timeProvider">The clock for leases (default: the system clock).</param>
    /// <param name="logger">A logger (default: none).</param>
    /// <exception cref="ArgumentException">The path or the account is missing, or the busy timeout is out of range.</exception>
    public SqliteScmStore(SqliteStoreOptions options, TimeProvider? timeProvider = null, ILogger<SqliteScmStore>? logger = null)
        : this(Shared.Create(options, timeProvider, logger), options.Account, isView: false)
    {
    }

    private SqliteScmStore(Shared shared, string account, bool isView)
        : base(new RelationalStore(shared.Dialect, account, shared.Time, shared.Logger, shared.Initialization))
    {
        _shared = shared;
        _isView = isView;
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => _shared.Dialect.DatabasePath;

    /// <summary>The account whose records this instance reads and writes (<see cref="SqliteStoreOptions.Account"/>).</summary>
    public string Account => ((RelationalStore)InnerStore).Account;

    /// <summary>
    /// The same database file for another account: its own orders, certificates, audit log, job state and leases; the
    /// connection pool and the schema are shared with this instance. Disposing the returned store does nothing; dispose
    /// this one.
    /// </summary>
    /// <param name="account">The account (1-200 characters).</param>
    /// <returns>The store of that account.</returns>
    /// <exception cref="ArgumentException">The account is empty or longer than 200 characters.</exception>
    public SqliteScmStore ForAccount(string account) => new(_shared, account, isView: true);

    /// <inheritdoc />
    IScmStore IPartitionedScmStore.ForAccount(string account) => ForAccount(account);

    /// <inheritdoc />
    /// <remarks>
    /// Checks the file before SQLite touches it (header, truncation, writable file and folder), refuses a newer schema,
    /// another application's database or (with <see cref="SqliteStoreOptions.VerifyOnInitialize"/>) a damaged one, then
    /// switches to WAL, applies pending migrations (each in its own <c>BEGIN IMMEDIATE</c> transaction, so processes
    /// starting together migrate once) and proves the file can be written. Called implicitly by the first operation.
    /// </remarks>
    public override Task InitializeAsync(CancellationToken cancellationToken = default) => base.InitializeAsync(cancellationToken);

    /// <summary>The pending-orders query (for the query-plan tests).</summary>
    internal static string PendingOrdersSql(bool bounded) => SqliteDialect.PendingOrders(bounded);

    /// <summary>The due-for-renewal query (for the query-plan tests).</summary>
    internal static string DueCertificatesSql(bool keyset) => SqliteDialect.DueCertificates(keyset);

    /// <summary>
    /// Closes the pooled connections to the file. Calls after disposal fail with <see cref="ObjectDisposedException"/>.
    /// A store returned by <see cref="ForAccount"/> shares the file: disposing it does nothing.
    /// </summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => _isView ? ValueTask.CompletedTask : _shared.Dialect.DisposeAsync();

    /// <summary>What the stores of one file (one per account) share.</summary>
    private sealed record Shared(SqliteDialect Dialect, TimeProvider Time, ILogger Logger, RelationalStore.InitializationState Initialization)
    {
        public static Shared Create(SqliteStoreOptions options, TimeProvider? timeProvider, ILogger? logger)
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

            var log = logger ?? NullLogger.Instance;
            return new Shared(new SqliteDialect(options, Path.GetFullPath(options.DatabasePath), log), timeProvider ?? TimeProvider.System, log, new RelationalStore.InitializationState());
        }
    }
}
