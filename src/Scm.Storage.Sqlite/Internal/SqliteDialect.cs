using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Scm.Storage.Relational;

namespace Scm.Storage.Sqlite.Internal;

/// <summary>
/// SQLite for the relational core: one file in WAL mode, every write transaction <c>BEGIN IMMEDIATE</c> (the write lock is
/// taken before the first read, so a batch's checks still hold when it writes, in every process), versioned migrations
/// recorded in <c>PRAGMA user_version</c>, query-plan hints for the two hot queries.
/// </summary>
internal sealed class SqliteDialect : RelationalDialect
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteConstraint = 19;
    private const int SqliteNotADatabase = 26;

    private readonly SqliteStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly string _connectionPragmas;

    public SqliteDialect(SqliteStoreOptions options, string databasePath, ILogger logger)
    {
        _options = options;
        _logger = logger;
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,

            // SQLite's busy handler waits up to BusyTimeout; Microsoft.Data.Sqlite's own retry loop then stops at once
            // because this (whole seconds) has elapsed too.
            DefaultTimeout = Math.Max(1, (int)Math.Floor(options.BusyTimeout.TotalSeconds)),
        }.ToString();
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(options.FullSync ? "FULL" : "NORMAL")};");
    }

    public string DatabasePath { get; }

    public bool Disposed { get; private set; }

    public override string Product => "SQLite";

    public override string Location => DatabasePath;

    public override Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => Task.FromResult<DbConnection>(Open());

    private SqliteConnection Open()
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            Execute(connection, _connectionPragmas);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        try
        {
            Initialize(cancellationToken);
        }
        catch (ScmStoreException ex)
        {
            Log.Refused(_logger, DatabasePath, ex.Kind);
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
            throw;
        }

        return Task.CompletedTask;
    }

    private void Initialize(CancellationToken cancellationToken)
    {
        var existed = DatabaseFile.Inspect(DatabasePath);
        try
        {
            using var connection = Open();
            var userVersion = CheckOwnership(connection);
            if (existed && _options.VerifyOnInitialize)
            {
                var check = Scalar<string>(connection, "PRAGMA quick_check;");
                if (!string.Equals(check, "ok", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ScmStoreException(StoreErrorKind.Corrupt, $"{DatabasePath} failed SQLite's integrity check ({check}); it was not modified. Restore it from a backup.");
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!existed)
            {
                // Records are 2-6 KB (a chain PEM plus JSON): 8 KB pages hold three where 4 KB pages hold one, a third
                // less file and I/O. Only a database without content takes a new page size.
                Execute(connection, "PRAGMA page_size = 8192;");
            }

            var journalMode = Scalar<string>(connection, "PRAGMA journal_mode = WAL;");
            for (var version = (int)userVersion; version < Schema.CurrentVersion; version++)
            {
                var target = version;
                InTransaction(connection, () =>
                {
                    // Another process may have migrated since we looked: decide again under the write lock.
                    if (CheckOwnership(connection) > target)
                    {
                        return;
                    }

                    Execute(connection, Schema.Migrations[target]);
                    Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {Schema.ApplicationId}; PRAGMA user_version = {target + 1};"));
                    Log.Migrated(_logger, DatabasePath, target + 1);
                });
            }

            // Prove the database can be written now rather than at the first order.
            InTransaction(connection, () =>
            {
                Execute(connection, "INSERT INTO job_state(account_id, key, value) VALUES('', '__write_probe', '1') ON CONFLICT(account_id, key) DO UPDATE SET value = excluded.value;");
                Execute(connection, "DELETE FROM job_state WHERE account_id = '' AND key = '__write_probe';");
            });
            Log.Opened(_logger, DatabasePath, (int)Scalar<long>(connection, "PRAGMA user_version;"), journalMode);
        }
        catch (SqliteException ex)
        {
            throw Map(ex, "open");
        }
    }

    /// <summary>
    /// Refuses a database of another application or of a newer schema, and returns the schema version. The three facts
    /// are read in one statement, so they come from one snapshot even while another process is creating the schema.
    /// </summary>
    private long CheckOwnership(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT application_id FROM pragma_application_id()),
                   (SELECT user_version FROM pragma_user_version()),
                   (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%');
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        long applicationId = reader.GetInt64(0), userVersion = reader.GetInt64(1), tables = reader.GetInt64(2);
        if (applicationId != 0 && applicationId != Schema.ApplicationId)
        {
            throw new ScmStoreException(StoreErrorKind.Configuration, $"{DatabasePath} is an SQLite database of another application (application_id {applicationId}); it was not modified.");
        }

        if (applicationId == 0 && tables > 0)
        {
            throw new ScmStoreException(StoreErrorKind.Configuration, $"{DatabasePath} already holds tables that are not a Scm.Sdk store; it was not modified.");
        }

        if (userVersion > Schema.CurrentVersion)
        {
            throw new ScmStoreException(
                StoreErrorKind.NewerSchema,
                $"{DatabasePath} was written by a newer version of Scm.Sdk (schema {userVersion}; this version knows up to {Schema.CurrentVersion}). Upgrade the SDK; the database was not modified.");
        }

        return userVersion;
    }

    public override Task<DbTransaction?> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        Execute((SqliteConnection)connection, "BEGIN IMMEDIATE;");
        return Task.FromResult<DbTransaction?>(null);
    }

    public override Task CommitWriteAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        Execute((SqliteConnection)connection, "COMMIT;");
        return Task.CompletedTask;
    }

    public override Task RollbackWriteAsync(DbConnection connection, DbTransaction? transaction)
    {
        Rollback((SqliteConnection)connection);
        return Task.CompletedTask;
    }

    public override string LeaseForWriteSql => "SELECT owner, fencing_token, expires_at FROM leases WHERE account_id = @account AND name = @n;";

    public override string PendingOrdersSql(bool bounded) => PendingOrders(bounded);

    /// <summary>
    /// The pending-orders query: the partial index holds open orders only, in (account, next attempt, created, id) order,
    /// and SQLite sorts NULL first, so the rows come out in the contract's order without a sort step.
    /// </summary>
    internal static string PendingOrders(bool bounded) =>
        "SELECT payload, version FROM orders INDEXED BY ix_orders_pending WHERE account_id = @account AND is_open = 1"
        + (bounded ? " AND (next_attempt_at IS NULL OR next_attempt_at <= @due)" : string.Empty)
        + " ORDER BY next_attempt_at, created_at, id LIMIT @limit;";

    public override string DueCertificatesSql(bool keyset) => DueCertificates(keyset);

    /// <summary>
    /// The due-for-renewal query: a range scan of the partial index of Active certificates by (account, not_after, id), so
    /// its cost grows with the page, not with the table.
    /// </summary>
    internal static string DueCertificates(bool keyset) =>
        "SELECT payload, version FROM certificates INDEXED BY ix_certificates_due WHERE account_id = @account AND status = 0 AND not_after < @bound"
        + (keyset ? " AND (not_after, id) > (@afterAt, @afterId)" : string.Empty)
        + " ORDER BY not_after, id LIMIT @limit;";

    // The column is COLLATE NOCASE.
    public override string CommonNameFilter => "common_name = @cn";

    // The ids travel as one JSON array parameter (json_each), so the statement text is the same for every call and stays
    // prepared; no limit on SQLite host parameters applies.
    public override string KnownSslIdsSql => """
        SELECT o.ssl_id FROM orders o WHERE o.account_id = @account AND o.ssl_id IN (SELECT value FROM json_each(@ids))
        UNION
        SELECT c.ssl_id FROM certificates c WHERE c.account_id = @account AND c.ssl_id IN (SELECT value FROM json_each(@ids));
        """;

    public override void BindSslIds(DbCommand command, IReadOnlyCollection<long> sslIds) =>
        ((SqliteCommand)command).Parameters.AddWithValue("@ids", "[" + string.Join(',', sslIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]");

    public override string InsertAuditSql => "INSERT INTO audit(account_id, timestamp, certificate_id, action, payload) VALUES(@account, @timestamp, @certificate, @action, @payload);";

    public override async Task<long> InsertAuditAsync(DbCommand insert, CancellationToken cancellationToken)
    {
        // The sequence is the AUTOINCREMENT key, read with sqlite3_last_insert_rowid right after the insert on this
        // connection (no other statement runs on it in between) rather than with RETURNING, which made SQLite buffer a
        // result row (about 3 us per entry in a micro-test).
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return SQLitePCL.raw.sqlite3_last_insert_rowid(((SqliteConnection)insert.Connection!).Handle);
    }

    public override byte[] ReadPayload(DbDataReader reader, int ordinal) => reader.GetFieldValue<byte[]>(ordinal);

    public override StoreConflictReason? ClassifyConstraint(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
            ? sqlite.Message.Contains("orders.certificate_id", StringComparison.Ordinal) ? StoreConflictReason.OpenOrderExists : StoreConflictReason.AlreadyExists
            : null;

    public override ScmStoreException Map(DbException exception, string operation)
    {
        var code = exception is SqliteException sqlite ? sqlite.SqliteErrorCode : -1;
        var (kind, message) = code switch
        {
            SqliteBusy or SqliteLocked => (StoreErrorKind.Unavailable, $"The database {DatabasePath} stayed locked by another connection or process beyond the busy timeout ({_options.BusyTimeout})."),
            SqliteReadOnly => (StoreErrorKind.ReadOnly, $"The database {DatabasePath} (or its folder) is read-only; the store needs to write it."),
            SqliteCantOpen when File.Exists(DatabasePath) => (StoreErrorKind.ReadOnly, $"The database {DatabasePath} cannot be opened for writing (read-only file or folder)."),
            SqliteCantOpen => (StoreErrorKind.Configuration, $"The database {DatabasePath} cannot be created or opened."),
            SqliteCorrupt or SqliteNotADatabase => (StoreErrorKind.Corrupt, $"{DatabasePath} is not a readable SQLite database (corrupt or another kind of file); it was not modified."),
            SqliteFull => (StoreErrorKind.Unavailable, $"The disk holding {DatabasePath} is full."),
            SqliteIoError => (StoreErrorKind.Unavailable, $"An I/O error occurred on {DatabasePath}."),
            _ => (StoreErrorKind.Unavailable, $"SQLite error {code} during {operation} on {DatabasePath}."),
        };
        Log.StoreError(_logger, operation, code, kind, exception);
        return new ScmStoreException(kind, message, exception);
    }

    public override ValueTask DisposeAsync()
    {
        if (!Disposed)
        {
            Disposed = true;
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        }

        return ValueTask.CompletedTask;
    }

    private static void InTransaction(SqliteConnection connection, Action body)
    {
        Execute(connection, "BEGIN IMMEDIATE;");
        var committed = false;
        try
        {
            body();
            Execute(connection, "COMMIT;");
            committed = true;
        }
        finally
        {
            if (!committed)
            {
                Rollback(connection);
            }
        }
    }

    private static void Rollback(SqliteConnection connection)
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            return; // SQLite already rolled back (for example after SQLITE_FULL), or nothing was begun.
        }

        try
        {
            Execute(connection, "ROLLBACK;");
        }
        catch (SqliteException)
        {
            // A connection that cannot roll back must never go back to the pool in the middle of a transaction.
            SqliteConnection.ClearPool(connection);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }
}
