using System.Data.Common;

namespace Scm.Storage.Relational;

/// <summary>
/// What differs between the relational stores (the way Quartz.NET's AdoJobStore keeps one standard delegate and thin
/// per-database ones): opening a connection, creating and migrating the schema, the write transaction, the few statements
/// whose syntax differs, reading a payload column, and what a driver's error means. Everything else (record mapping,
/// query shapes, versions, the one-open-order rule, leases with fencing, the audit log, paging) is
/// <see cref="RelationalStore"/>, shared by every dialect. Parameters are named <c>@name</c> in every statement.
/// </summary>
internal abstract class RelationalDialect
{
    /// <summary>The database product, for messages ("SQLite", "PostgreSQL").</summary>
    public abstract string Product { get; }

    /// <summary>Where the data lives, for messages (a file path, a host and database); never a password.</summary>
    public abstract string Location { get; }

    /// <summary>
    /// Whether one command object is reused for every run of a statement within an operation (SQLite prepares per command
    /// object). A driver that prepares statements per connection by their text (Npgsql's auto-prepare) gets a new command
    /// for each run instead: it must not see a prepared command's parameters replaced.
    /// </summary>
    public virtual bool ReuseCommands => true;

    /// <summary>Opens a connection, ready for statements (per-connection settings applied).</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Creates or migrates the schema and checks the database may be used; throws <see cref="ScmStoreException"/> otherwise.</summary>
    public abstract Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts the write transaction: the checks a batch makes (versions, the lease, the open-order slot) must still hold
    /// when it writes, whatever other connections or processes do meanwhile.
    /// </summary>
    /// <returns>The driver's transaction object, when the dialect uses one (passed back to commit and rollback).</returns>
    public abstract Task<DbTransaction?> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Commits the write transaction.</summary>
    public abstract Task CommitWriteAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken);

    /// <summary>Rolls the write transaction back (never throws; a connection that cannot roll back is not reused).</summary>
    public abstract Task RollbackWriteAsync(DbConnection connection, DbTransaction? transaction);

    /// <summary>Reads a lease row inside the write transaction, locking it where the database needs a lock for that.</summary>
    public abstract string LeaseForWriteSql { get; }

    /// <summary>Open orders due at or before <c>@due</c> (when bounded), nulls first, then created, id; at most <c>@limit</c>.</summary>
    public abstract string PendingOrdersSql(bool bounded);

    /// <summary>Active certificates with <c>not_after &lt; @bound</c>, after <c>(@afterAt, @afterId)</c> when keyset, by (not_after, id).</summary>
    public abstract string DueCertificatesSql(bool keyset);

    /// <summary>The filter on a certificate's common name, ignoring case (<c>@cn</c>).</summary>
    public abstract string CommonNameFilter { get; }

    /// <summary>The sslIds among <c>@ids</c> that an order or a certificate of <c>@account</c> holds.</summary>
    public abstract string KnownSslIdsSql { get; }

    /// <summary>Binds the sslIds of <see cref="KnownSslIdsSql"/> as <c>@ids</c>.</summary>
    public abstract void BindSslIds(DbCommand command, IReadOnlyCollection<long> sslIds);

    /// <summary>Appends an audit row (the columns of the audit table) and returns its sequence.</summary>
    public abstract Task<long> InsertAuditAsync(DbCommand insert, CancellationToken cancellationToken);

    /// <summary>The audit insert statement (its sequence is read by <see cref="InsertAuditAsync"/>).</summary>
    public abstract string InsertAuditSql { get; }

    /// <summary>Reads a JSON payload column as UTF-8.</summary>
    public abstract byte[] ReadPayload(DbDataReader reader, int ordinal);

    /// <summary>Which rule a constraint violation broke: the one-open-order index, a primary key, or something else (null).</summary>
    public abstract StoreConflictReason? ClassifyConstraint(DbException exception);

    /// <summary>A typed error for a driver failure (never with a secret or a payload in the message).</summary>
    public abstract ScmStoreException Map(DbException exception, string operation);

    /// <summary>
    /// Whether a failure is transient: a broken or refused connection, a failover, a serialization failure or a
    /// deadlock. The core repeats an operation after such a failure only where repeating it cannot apply it twice: a read,
    /// an idempotent statement, or a transaction whose commit had not been sent.
    /// </summary>
    public virtual bool IsTransient(Exception exception) => false;

    /// <summary>Releases pooled connections.</summary>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
