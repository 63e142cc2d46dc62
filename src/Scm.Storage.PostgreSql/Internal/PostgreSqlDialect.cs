using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using Scm.Storage.Relational;

namespace Scm.Storage.PostgreSql.Internal;

/// <summary>
/// PostgreSQL for the relational core: pooled connections from one <see cref="NpgsqlDataSource"/>, the store's tables in
/// their own schema, schema creation and migrations under a transaction-scoped advisory lock (hosts starting together
/// migrate once), write transactions at READ COMMITTED with the required lease's row locked <c>FOR SHARE</c> (a concurrent
/// acquisition waits for the commit; the conditional updates and the unique index do the rest), and transient failures
/// (broken connections, failover, serialization failures, deadlocks) told apart from the rest.
/// </summary>
internal sealed class PostgreSqlDialect : RelationalDialect
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly string _schema;
    private readonly long _migrationLockKey;

    public PostgreSqlDialect(PostgreSqlStoreOptions options, ILogger logger)
    {
        _logger = logger;
        _schema = options.Schema;
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            // The message of the driver may quote the connection string: it is not passed on.
            throw new ArgumentException($"PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string ({ex.GetType().Name}).", nameof(options));
        }

        builder.SearchPath = _schema;
        builder.CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        if (builder.MaxAutoPrepare == 0)
        {
            // The core runs a handful of statement shapes over and over: prepared once per pooled connection.
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        Location = string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database} (schema {_schema})");
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _migrationLockKey = StableKey("Scm.Sdk migrations:" + _schema);
    }

    public override string Product => "PostgreSQL";

    public override bool ReuseCommands => false;

    public override string Location { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await InitializeOnceAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < 4 && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (ScmStoreException ex)
            {
                Log.Refused(_logger, Location, ex.Kind);
                throw;
            }
            catch (DbException ex)
            {
                var mapped = Map(ex, "open");
                Log.Refused(_logger, Location, mapped.Kind);
                throw mapped;
            }
        }
    }

    private async Task InitializeOnceAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        // Hosts that start together take turns here: the first creates or migrates, the others find it done.
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@key);", cancellationToken, ("key", _migrationLockKey)).ConfigureAwait(false);
        if (await ScalarAsync(connection, "SELECT 1 FROM pg_namespace WHERE nspname = @schema;", cancellationToken, ("schema", _schema)).ConfigureAwait(false) is null)
        {
            await ExecuteAsync(connection, $"CREATE SCHEMA \"{_schema}\";", cancellationToken).ConfigureAwait(false);
        }

        var hasInfo = await ScalarAsync(connection, "SELECT 1 FROM pg_tables WHERE schemaname = @schema AND tablename = 'scm_store';", cancellationToken, ("schema", _schema)).ConfigureAwait(false) is not null;
        int version;
        if (!hasInfo)
        {
            var foreign = Convert.ToInt64(await ScalarAsync(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = @schema;", cancellationToken, ("schema", _schema)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (foreign > 0)
            {
                throw new ScmStoreException(StoreErrorKind.Configuration,
                    $"The schema {_schema} of {Location} already holds tables that are not a Scm.Sdk store; nothing was changed. Choose another PostgreSqlStoreOptions.Schema.");
            }

            await ExecuteAsync(connection, "CREATE TABLE scm_store (key text NOT NULL PRIMARY KEY, value text NOT NULL); INSERT INTO scm_store(key, value) VALUES ('application', @app), ('schema_version', '0');",
                cancellationToken, ("app", PgSchema.Application)).ConfigureAwait(false);
            version = 0;
        }
        else
        {
            var application = await ScalarAsync(connection, "SELECT value FROM scm_store WHERE key = 'application';", cancellationToken).ConfigureAwait(false) as string;
            if (!string.Equals(application, PgSchema.Application, StringComparison.Ordinal))
            {
                throw new ScmStoreException(StoreErrorKind.Configuration, $"The schema {_schema} of {Location} belongs to another application ({application ?? "unknown"}); nothing was changed.");
            }

            version = int.Parse((string)(await ScalarAsync(connection, "SELECT value FROM scm_store WHERE key = 'schema_version';", cancellationToken).ConfigureAwait(false))!, CultureInfo.InvariantCulture);
            if (version > PgSchema.CurrentVersion)
            {
                throw new ScmStoreException(StoreErrorKind.NewerSchema,
                    $"{Location} was written by a newer version of Scm.Sdk (schema {version}; this version knows up to {PgSchema.CurrentVersion}). Upgrade the SDK; nothing was changed.");
            }
        }

        for (; version < PgSchema.CurrentVersion; version++)
        {
            await ExecuteAsync(connection, PgSchema.Migrations[version], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "UPDATE scm_store SET value = @v WHERE key = 'schema_version';", cancellationToken,
                ("v", (version + 1).ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
            Log.Migrated(_logger, Location, version + 1);
        }

        // Prove the database can be written now rather than at the first order.
        await ExecuteAsync(connection, "INSERT INTO job_state(account_id, key, value) VALUES('', '__write_probe', '1') ON CONFLICT(account_id, key) DO UPDATE SET value = excluded.value; DELETE FROM job_state WHERE account_id = '' AND key = '__write_probe';",
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.Opened(_logger, Location, version);
    }

    public override async Task<DbTransaction?> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    public override Task CommitWriteAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken) =>
        transaction!.CommitAsync(cancellationToken);

    public override async Task RollbackWriteAsync(DbConnection connection, DbTransaction? transaction)
    {
        try
        {
            await transaction!.RollbackAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // A broken connection is discarded by the pool; the server rolls the transaction back when it notices.
        }
    }

    public override string LeaseForWriteSql => "SELECT owner, fencing_token, expires_at FROM leases WHERE account_id = @account AND name = @n FOR SHARE;";

    public override string PendingOrdersSql(bool bounded) =>
        "SELECT payload, version FROM orders WHERE account_id = @account AND is_open = 1"
        + (bounded ? " AND (next_attempt_at IS NULL OR next_attempt_at <= @due)" : string.Empty)
        + " ORDER BY next_attempt_at NULLS FIRST, created_at, id LIMIT @limit;";

    public override string DueCertificatesSql(bool keyset) =>
        "SELECT payload, version FROM certificates WHERE account_id = @account AND status = 0 AND not_after < @bound"
        + (keyset ? " AND (not_after, id) > (@afterAt, @afterId)" : string.Empty)
        + " ORDER BY not_after, id LIMIT @limit;";

    public override string CommonNameFilter => "lower(common_name) = lower(@cn)";

    public override string KnownSslIdsSql => """
        SELECT ssl_id FROM orders WHERE account_id = @account AND ssl_id = ANY(@ids)
        UNION
        SELECT ssl_id FROM certificates WHERE account_id = @account AND ssl_id = ANY(@ids);
        """;

    public override void BindSslIds(DbCommand command, IReadOnlyCollection<long> sslIds) =>
        ((NpgsqlCommand)command).Parameters.Add(new NpgsqlParameter<long[]>("ids", sslIds.ToArray()));

    public override string InsertAuditSql => "INSERT INTO audit(account_id, timestamp, certificate_id, action, payload) VALUES(@account, @timestamp, @certificate, @action, @payload) RETURNING seq;";

    public override async Task<long> InsertAuditAsync(DbCommand insert, CancellationToken cancellationToken) =>
        Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

    public override byte[] ReadPayload(DbDataReader reader, int ordinal) => Encoding.UTF8.GetBytes(reader.GetString(ordinal));

    public override StoreConflictReason? ClassifyConstraint(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique
            ? unique.ConstraintName == "ux_orders_one_open_per_certificate" ? StoreConflictReason.OpenOrderExists : StoreConflictReason.AlreadyExists
            : null;

    public override bool IsTransient(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } => true,
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    public override ScmStoreException Map(DbException exception, string operation)
    {
        var state = exception is PostgresException pg ? pg.SqlState : "connection";
        var (kind, message) = state switch
        {
            "28000" or "28P01" => (StoreErrorKind.Configuration, $"PostgreSQL at {Location} refused the login ({state}): check the user and password of the connection string."),
            "3D000" => (StoreErrorKind.Configuration, $"The database of {Location} does not exist."),
            "42501" => (StoreErrorKind.Configuration, $"The PostgreSQL user lacks a privilege the store needs at {Location} (42501) during {operation}."),
            "25006" => (StoreErrorKind.ReadOnly, $"{Location} accepts reads only (a standby, or default_transaction_read_only); the store needs the primary."),
            "57014" => (StoreErrorKind.Unavailable, $"A {operation} statement on {Location} ran past the command timeout (another host may hold the rows it needs)."),
            "53100" => (StoreErrorKind.Unavailable, $"The disk of {Location} is full."),
            "connection" => (StoreErrorKind.Unavailable, $"PostgreSQL at {Location} cannot be reached or the connection broke during {operation}."),
            _ => (StoreErrorKind.Unavailable, $"PostgreSQL error {state} during {operation} on {Location}."),
        };
        Log.StoreError(_logger, operation, state, kind, exception);
        return new ScmStoreException(kind, message, exception);
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is DBNull ? null : result;
    }

    /// <summary>A 64-bit FNV-1a hash: the same advisory-lock key for the same schema in every process and version.</summary>
    private static long StableKey(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
