using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scm.Storage.PostgreSql.Internal;
using Scm.Storage.Relational;

namespace Scm.Storage.PostgreSql;

/// <summary>
/// The shared store for several hosts: one PostgreSQL database (its own schema), every write batch one READ COMMITTED
/// transaction, versioned migrations at start (safe when several hosts start at once), optimistic concurrency on every
/// record, one open order per certificate enforced by a partial unique index, and leases with fencing tokens in the
/// database (the required lease's row is locked for the length of a batch). Transient failures (a broken connection,
/// failover, serialization failure, deadlock) are retried where the operation cannot be applied twice: reads, idempotent
/// statements, and transactions whose commit had not been sent; a commit whose outcome is unknown is reported as such.
/// The record mapping, queries, versions, leases and audit are the relational core shared with the SQLite store. Every
/// row belongs to an account: this instance reads and writes <see cref="Account"/>, and <see cref="ForAccount"/> opens
/// the same database for another one.
/// </summary>
public sealed partial class PostgreSqlScmStore : DelegatingScmStore, IPartitionedScmStore, IAsyncDisposable
{
    private readonly Shared _shared;
    private readonly bool _isView;

    /// <summary>Creates the store; nothing is opened until <see cref="InitializeAsync"/> or the first call.</summary>
    /// <param name="options">Options; <see cref="PostgreSqlStoreOptions.ConnectionString"/> is required.</param>
    /// <param name="timeProvider">The clock for leases (default: the system clock). Every host sharing a database must keep time within a fraction of the lease duration.</param>
    /// <param name="logger">A logger (default: none).</param>
    /// <exception cref="ArgumentException">The connection string, the schema name, the account or the command timeout is invalid.</exception>
    public PostgreSqlScmStore(PostgreSqlStoreOptions options, TimeProvider? timeProvider = null, ILogger<PostgreSqlScmStore>? logger = null)
        : this(Shared.Create(options, timeProvider, logger), options.Account, isView: false)
    {
    }

    private PostgreSqlScmStore(Shared shared, string account, bool isView)
        : base(new RelationalStore(shared.Dialect, account, shared.Time, shared.Logger, shared.Initialization))
    {
        _shared = shared;
        _isView = isView;
    }

    /// <summary>Where the data lives: host, port, database and schema (never the password).</summary>
    public string Location => _shared.Dialect.Location;

    /// <summary>The account whose records this instance reads and writes (<see cref="PostgreSqlStoreOptions.Account"/>).</summary>
    public string Account => ((RelationalStore)InnerStore).Account;

    /// <summary>
    /// The same database for another account: its own orders, certificates, audit log, job state and leases; the
    /// connection pool and the schema are shared with this instance. Disposing the returned store does nothing; dispose
    /// this one.
    /// </summary>
    /// <param name="account">The account (1-200 characters).</param>
    /// <returns>The store of that account.</returns>
    /// <exception cref="ArgumentException">The account is empty or longer than 200 characters.</exception>
    public PostgreSqlScmStore ForAccount(string account) => new(_shared, account, isView: true);

    /// <inheritdoc />
    IScmStore IPartitionedScmStore.ForAccount(string account) => ForAccount(account);

    /// <inheritdoc />
    /// <remarks>
    /// Under a transaction-scoped advisory lock (hosts starting together take turns): creates the schema when missing,
    /// refuses a schema holding another application's tables or written by a newer version (nothing is changed), applies
    /// pending migrations in the same transaction, and proves the database can be written. Called implicitly by the
    /// first operation.
    /// </remarks>
    public override Task InitializeAsync(CancellationToken cancellationToken = default) => base.InitializeAsync(cancellationToken);

    /// <summary>
    /// Closes the connection pool. A store returned by <see cref="ForAccount"/> shares it: disposing that one does nothing.
    /// </summary>
    /// <returns>A task.</returns>
    public ValueTask DisposeAsync() => _isView ? ValueTask.CompletedTask : _shared.Dialect.DisposeAsync();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();

    /// <summary>What the stores of one database (one per account) share.</summary>
    private sealed record Shared(PostgreSqlDialect Dialect, TimeProvider Time, ILogger Logger, RelationalStore.InitializationState Initialization)
    {
        public static Shared Create(PostgreSqlStoreOptions options, TimeProvider? timeProvider, ILogger? logger)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                throw new ArgumentException("PostgreSqlStoreOptions.ConnectionString is required.", nameof(options));
            }

            if (options.Schema is null || !SchemaName().IsMatch(options.Schema))
            {
                throw new ArgumentException($"PostgreSqlStoreOptions.Schema must be 1-63 letters, digits or '_', starting with a letter; got '{options.Schema}'.", nameof(options));
            }

            if (options.CommandTimeout < TimeSpan.FromSeconds(1) || options.CommandTimeout > TimeSpan.FromMinutes(10))
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.CommandTimeout, "PostgreSqlStoreOptions.CommandTimeout must be 1 s to 10 min.");
            }

            var log = logger ?? NullLogger.Instance;
            return new Shared(new PostgreSqlDialect(options, log), timeProvider ?? TimeProvider.System, log, new RelationalStore.InitializationState());
        }
    }
}
