using System.Data;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scm.Storage.Sqlite.Internal;

namespace Scm.Storage.Sqlite;

/// <summary>
/// The embedded, durable default store: one SQLite file in WAL mode, every write in a <c>BEGIN IMMEDIATE</c>
/// transaction, versioned migrations at start, optimistic concurrency on every record, one open order per certificate
/// enforced by a unique index, and leases (with fencing tokens) in the database itself, so several processes on one
/// machine can share the file. A database this code does not understand (newer schema, corrupt, not ours, read-only)
/// is reported with a typed error at start and never reset.
/// </summary>
public sealed class SqliteScmStore : IScmStore, IAsyncDisposable
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
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the store; nothing is opened until <see cref="InitializeAsync"/> or the first call.</summary>
    /// <param name="options">Options; <see cref="SqliteStoreOptions.DatabasePath"/> is required.</param>
    /// <param name="timeProvider">The clock for leases (default: the system clock).</param>
    /// <param name="logger">A logger.</param>
    public SqliteScmStore(SqliteStoreOptions options, TimeProvider? timeProvider = null, ILogger<SqliteScmStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new ArgumentException("SqliteStoreOptions.DatabasePath is required.", nameof(options));
        }

        if (options.BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BusyTimeout, "SqliteStoreOptions.BusyTimeout must be positive.");
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        DatabasePath = Path.GetFullPath(options.DatabasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                Migrate();
                _initialized = true;
            }
        }
        finally
        {
            _initLock.Release();
        }
    }

    private void Migrate()
    {
        var directory = Path.GetDirectoryName(DatabasePath)!;
        if (!Directory.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ScmStoreException(StoreErrorKind.Configuration, $"The folder of the database {DatabasePath} cannot be created: {ex.Message}", ex);
            }
        }

        var existed = File.Exists(DatabasePath) && new FileInfo(DatabasePath).Length > 0;
        try
        {
            using var connection = Open();
            var applicationId = Scalar<long>(connection, "PRAGMA application_id;");
            var userVersion = Scalar<long>(connection, "PRAGMA user_version;");
            var tables = Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%';");
            if (applicationId != 0 && applicationId != Schema.ApplicationId)
            {
                throw new ScmStoreException(StoreErrorKind.Configuration, $"{DatabasePath} is an SQLite database of another application (application_id {applicationId}); it was not touched.");
            }

            if (applicationId == 0 && tables > 0)
            {
                throw new ScmStoreException(StoreErrorKind.Configuration, $"{DatabasePath} already holds tables that are not a Scm.Sdk store; it was not touched.");
            }

            if (userVersion > Schema.CurrentVersion)
            {
                throw new ScmStoreException(StoreErrorKind.NewerSchema,
                    $"{DatabasePath} was written by a newer version of Scm.Sdk (schema {userVersion}; this version knows up to {Schema.CurrentVersion}). Upgrade the SDK; the database was not touched.");
            }

            if (existed)
            {
                var check = Scalar<string>(connection, "PRAGMA quick_check;");
                if (!string.Equals(check, "ok", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ScmStoreException(StoreErrorKind.Corrupt, $"{DatabasePath} failed SQLite's integrity check ({check}); it was not modified. Restore it from a backup.");
                }
            }

            Execute(connection, "PRAGMA journal_mode = WAL;");
            for (var version = (int)userVersion; version < Schema.CurrentVersion; version++)
            {
                using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
                var current = Scalar<long>(connection, "PRAGMA user_version;", transaction);
                if (current > version)
                {
                    transaction.Rollback();
                    continue;
                }

                Execute(connection, Schema.Migrations[version], transaction);
                Execute(connection, $"PRAGMA application_id = {Schema.ApplicationId};", transaction);
                Execute(connection, $"PRAGMA user_version = {version + 1};", transaction);
                transaction.Commit();
                Log.Migrated(_logger, DatabasePath, version + 1);
            }

            // Prove the database can be written now rather than at the first order.
            using (var probe = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false))
            {
                Execute(connection, "INSERT INTO job_state(key, value) VALUES('__write_probe', '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value;", probe);
                Execute(connection, "DELETE FROM job_state WHERE key = '__write_probe';", probe);
                probe.Commit();
            }
        }
        catch (SqliteException ex)
        {
            throw Map(ex, "open");
        }
    }

    /// <inheritdoc />
    public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Write(cancellationToken, (connection, transaction) =>
        {
            if (batch.RequiredLease is { } required && !LeaseHeld(connection, transaction, required))
            {
                throw new StoreConflictException(StoreConflictReason.LeaseLost, "lease");
            }

            var orders = new List<CertificateOrder>();
            var certificates = new List<ManagedCertificate>();
            var audit = new List<AuditEntry>();
            foreach (var operation in batch.Operations)
            {
                switch (operation)
                {
                    case InsertOrderOperation insert:
                        orders.Add(InsertOrder(connection, transaction, insert.Order));
                        break;
                    case UpdateOrderOperation update:
                        orders.Add(UpdateOrder(connection, transaction, update.Order));
                        break;
                    case DeleteOrderOperation delete:
                        Delete(connection, transaction, "orders", "order", delete.Id, delete.ExpectedVersion);
                        break;
                    case InsertCertificateOperation insert:
                        certificates.Add(InsertCertificate(connection, transaction, insert.Certificate));
                        break;
                    case UpdateCertificateOperation update:
                        certificates.Add(UpdateCertificate(connection, transaction, update.Certificate));
                        break;
                    case DeleteCertificateOperation delete:
                        Delete(connection, transaction, "certificates", "certificate", delete.Id, delete.ExpectedVersion);
                        break;
                    case AppendAuditOperation append:
                        audit.Add(AppendAudit(connection, transaction, append.Entry));
                        break;
                    default:
                        throw new ArgumentException($"Unknown store operation {operation.GetType().Name}.", nameof(batch));
                }
            }

            return new StoreBatchResult(orders, certificates, audit);
        });
    }

    private static CertificateOrder InsertOrder(SqliteConnection connection, SqliteTransaction transaction, CertificateOrder order)
    {
        if (order.Version != 0)
        {
            throw new ArgumentException($"A new order ({order.Id}) must have version 0; got {order.Version}.", nameof(order));
        }

        var stored = order with { Version = 1 };
        using var command = Command(connection, transaction, """
            INSERT INTO orders(id, certificate_id, account_id, state, is_open, version, ssl_id, correlation_token, next_attempt_at, created_at, payload)
            VALUES($id, $certificate, $account, $state, $open, 1, $ssl, $token, $next, $created, $payload);
            """);
        BindOrder(command, stored);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw ConstraintConflict(ex, "order", order.Id, order.CertificateId);
        }

        return stored;
    }

    private static CertificateOrder UpdateOrder(SqliteConnection connection, SqliteTransaction transaction, CertificateOrder order)
    {
        var stored = order with { Version = order.Version + 1 };
        using var command = Command(connection, transaction, """
            UPDATE orders SET certificate_id = $certificate, account_id = $account, state = $state, is_open = $open, version = $version,
                ssl_id = $ssl, correlation_token = $token, next_attempt_at = $next, created_at = $created, payload = $payload
            WHERE id = $id AND version = $expected;
            """);
        BindOrder(command, stored);
        command.Parameters.AddWithValue("$version", stored.Version);
        command.Parameters.AddWithValue("$expected", order.Version);
        int rows;
        try
        {
            rows = command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw ConstraintConflict(ex, "order", order.Id, order.CertificateId);
        }

        if (rows == 0)
        {
            throw VersionConflict(connection, transaction, "orders", "order", order.Id, order.Version);
        }

        return stored;
    }

    private static void BindOrder(SqliteCommand command, CertificateOrder order)
    {
        command.Parameters.AddWithValue("$id", Key(order.Id));
        command.Parameters.AddWithValue("$certificate", Key(order.CertificateId));
        command.Parameters.AddWithValue("$account", order.AccountId);
        command.Parameters.AddWithValue("$state", (int)order.State);
        command.Parameters.AddWithValue("$open", order.IsOpen ? 1 : 0);
        command.Parameters.AddWithValue("$ssl", (object?)order.SslId ?? DBNull.Value);
        command.Parameters.AddWithValue("$token", order.CorrelationToken.ToLowerInvariant());
        command.Parameters.AddWithValue("$next", order.NextAttemptAt is { } next ? next.UtcTicks : DBNull.Value);
        command.Parameters.AddWithValue("$created", order.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(order, SqliteJsonContext.Default.CertificateOrder));
    }

    private static ManagedCertificate InsertCertificate(SqliteConnection connection, SqliteTransaction transaction, ManagedCertificate certificate)
    {
        if (certificate.Version != 0)
        {
            throw new ArgumentException($"A new certificate ({certificate.Id}) must have version 0; got {certificate.Version}.", nameof(certificate));
        }

        var stored = certificate with { Version = 1 };
        using var command = Command(connection, transaction, """
            INSERT INTO certificates(id, version, status, ssl_id, serial, common_name, not_after, created_at, payload)
            VALUES($id, 1, $status, $ssl, $serial, $cn, $notAfter, $created, $payload);
            """);
        BindCertificate(command, stored);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw new StoreConflictException(StoreConflictReason.AlreadyExists, "certificate", certificate.Id);
        }

        return stored;
    }

    private static ManagedCertificate UpdateCertificate(SqliteConnection connection, SqliteTransaction transaction, ManagedCertificate certificate)
    {
        var stored = certificate with { Version = certificate.Version + 1 };
        using var command = Command(connection, transaction, """
            UPDATE certificates SET version = $version, status = $status, ssl_id = $ssl, serial = $serial, common_name = $cn,
                not_after = $notAfter, created_at = $created, payload = $payload
            WHERE id = $id AND version = $expected;
            """);
        BindCertificate(command, stored);
        command.Parameters.AddWithValue("$version", stored.Version);
        command.Parameters.AddWithValue("$expected", certificate.Version);
        if (command.ExecuteNonQuery() == 0)
        {
            throw VersionConflict(connection, transaction, "certificates", "certificate", certificate.Id, certificate.Version);
        }

        return stored;
    }

    private static void BindCertificate(SqliteCommand command, ManagedCertificate certificate)
    {
        command.Parameters.AddWithValue("$id", Key(certificate.Id));
        command.Parameters.AddWithValue("$status", (int)certificate.Status);
        command.Parameters.AddWithValue("$ssl", (object?)certificate.SslId ?? DBNull.Value);
        command.Parameters.AddWithValue("$serial", NormalizeSerial(certificate.SerialNumber));
        command.Parameters.AddWithValue("$cn", certificate.CommonName);
        command.Parameters.AddWithValue("$notAfter", certificate.NotAfter.UtcTicks);
        command.Parameters.AddWithValue("$created", certificate.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(certificate, SqliteJsonContext.Default.ManagedCertificate));
    }

    private static void Delete(SqliteConnection connection, SqliteTransaction transaction, string table, string type, Guid id, long expectedVersion)
    {
        using var command = Command(connection, transaction, $"DELETE FROM {table} WHERE id = $id AND version = $expected;");
        command.Parameters.AddWithValue("$id", Key(id));
        command.Parameters.AddWithValue("$expected", expectedVersion);
        if (command.ExecuteNonQuery() == 0)
        {
            throw VersionConflict(connection, transaction, table, type, id, expectedVersion);
        }
    }

    private static AuditEntry AppendAudit(SqliteConnection connection, SqliteTransaction? transaction, AuditEntry entry)
    {
        using var command = Command(connection, transaction, """
            INSERT INTO audit(timestamp, certificate_id, action, payload) VALUES($timestamp, $certificate, $action, '');
            SELECT last_insert_rowid();
            """);
        command.Parameters.AddWithValue("$timestamp", entry.Timestamp.UtcTicks);
        command.Parameters.AddWithValue("$certificate", entry.CertificateId is { } c ? Key(c) : DBNull.Value);
        command.Parameters.AddWithValue("$action", entry.Action);
        var sequence = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        var stored = entry with { Sequence = sequence };
        using var payload = Command(connection, transaction, "UPDATE audit SET payload = $payload WHERE seq = $seq;");
        payload.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(stored, SqliteJsonContext.Default.AuditEntry));
        payload.Parameters.AddWithValue("$seq", sequence);
        payload.ExecuteNonQuery();
        return stored;
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, c => QueryOrders(c, "SELECT payload, version FROM orders WHERE id = $id;", p => p.AddWithValue("$id", Key(id))).FirstOrDefault());

    /// <inheritdoc />
    public Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, c => QueryCertificates(c, "SELECT payload, version FROM certificates WHERE id = $id;", p => p.AddWithValue("$id", Key(id))).FirstOrDefault());

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, c => QueryOrders(c, "SELECT payload, version FROM orders WHERE certificate_id = $c AND is_open = 1;", p => p.AddWithValue("$c", Key(certificateId))).FirstOrDefault());

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<CertificateOrder>>(cancellationToken, c => QueryOrders(c, "SELECT payload, version FROM orders WHERE ssl_id = $s ORDER BY created_at DESC, id DESC;", p => p.AddWithValue("$s", sslId)));

    /// <inheritdoc />
    public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(correlationToken);
        return Read(cancellationToken, c => QueryOrders(c, "SELECT payload, version FROM orders WHERE correlation_token = $t LIMIT 1;", p => p.AddWithValue("$t", correlationToken.ToLowerInvariant())).FirstOrDefault());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<ManagedCertificate>>(cancellationToken, c => QueryCertificates(c, "SELECT payload, version FROM certificates WHERE ssl_id = $s ORDER BY created_at DESC, id DESC;", p => p.AddWithValue("$s", sslId)));

    /// <inheritdoc />
    public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serialNumber);
        return Read(cancellationToken, c => QueryCertificates(c, "SELECT payload, version FROM certificates WHERE serial = $s LIMIT 1;", p => p.AddWithValue("$s", NormalizeSerial(serialNumber))).FirstOrDefault());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        return Read<IReadOnlyList<CertificateOrder>>(cancellationToken, c => QueryOrders(c, """
            SELECT payload, version FROM orders
            WHERE is_open = 1 AND ($due IS NULL OR next_attempt_at IS NULL OR next_attempt_at <= $due)
            ORDER BY next_attempt_at IS NOT NULL, next_attempt_at, created_at, id
            LIMIT $limit;
            """, p =>
        {
            p.AddWithValue("$due", dueAtOrBefore is { } due ? due.UtcTicks : DBNull.Value);
            p.AddWithValue("$limit", limit);
        }));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        return Read<IReadOnlyList<ManagedCertificate>>(cancellationToken, c => QueryCertificates(c, after is null
            ? "SELECT payload, version FROM certificates WHERE status = 0 AND not_after < $bound ORDER BY not_after, id LIMIT $limit;"
            : "SELECT payload, version FROM certificates WHERE status = 0 AND not_after < $bound AND (not_after > $afterAt OR (not_after = $afterAt AND id > $afterId)) ORDER BY not_after, id LIMIT $limit;",
            p =>
            {
                p.AddWithValue("$bound", notAfterBefore.UtcTicks);
                p.AddWithValue("$limit", limit);
                if (after is not null)
                {
                    p.AddWithValue("$afterAt", after.NotAfter.UtcTicks);
                    p.AddWithValue("$afterId", Key(after.Id));
                }
            }));
    }

    /// <inheritdoc />
    public Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, 1000);
        var position = ParseToken(query.ContinuationToken);
        return Read(cancellationToken, c =>
        {
            var items = QueryCertificates(c, """
                SELECT payload, version FROM certificates
                WHERE ($status IS NULL OR status = $status) AND ($cn IS NULL OR common_name = $cn)
                  AND ($at IS NULL OR created_at > $at OR (created_at = $at AND id > $id))
                ORDER BY created_at, id LIMIT $limit;
                """, p =>
            {
                p.AddWithValue("$status", query.Status is { } s ? (int)s : DBNull.Value);
                p.AddWithValue("$cn", (object?)query.CommonName ?? DBNull.Value);
                p.AddWithValue("$at", position is { } pos ? pos.At : DBNull.Value);
                p.AddWithValue("$id", position is { } pos2 ? pos2.Id : DBNull.Value);
                p.AddWithValue("$limit", query.PageSize + 1);
            });
            return Page(items, query.PageSize, x => (x.CreatedAt, x.Id));
        });
    }

    /// <inheritdoc />
    public Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, 1000);
        var position = ParseToken(query.ContinuationToken);
        var states = query.States.Count == 0 ? null : string.Join(",", query.States.Select(s => ((int)s).ToString(CultureInfo.InvariantCulture)));
        return Read(cancellationToken, c =>
        {
            var items = QueryOrders(c, $"""
                SELECT payload, version FROM orders
                WHERE {(states is null ? "1 = 1" : $"state IN ({states})")} AND ($cert IS NULL OR certificate_id = $cert)
                  AND ($at IS NULL OR created_at > $at OR (created_at = $at AND id > $id))
                ORDER BY created_at, id LIMIT $limit;
                """, p =>
            {
                p.AddWithValue("$cert", query.CertificateId is { } cert ? Key(cert) : DBNull.Value);
                p.AddWithValue("$at", position is { } pos ? pos.At : DBNull.Value);
                p.AddWithValue("$id", position is { } pos2 ? pos2.Id : DBNull.Value);
                p.AddWithValue("$limit", query.PageSize + 1);
            });
            return Page(items, query.PageSize, x => (x.CreatedAt, x.Id));
        });
    }

    /// <inheritdoc />
    public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, c =>
        {
            using var command = Command(c, null, "SELECT count(*) FROM certificates WHERE $status IS NULL OR status = $status;");
            command.Parameters.AddWithValue("$status", status is { } s ? (int)s : DBNull.Value);
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        });

    /// <inheritdoc />
    public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return Read(cancellationToken, c =>
        {
            using var command = Command(c, null, "SELECT payload FROM catalog WHERE account_id = $a;");
            command.Parameters.AddWithValue("$a", accountId);
            return command.ExecuteScalar() is string json ? Deserialize(json, SqliteJsonContext.Default.ScmAccountCatalog, "catalog") : null;
        });
    }

    /// <inheritdoc />
    public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Write(cancellationToken, (c, t) =>
        {
            using var command = Command(c, t, "INSERT INTO catalog(account_id, payload) VALUES($a, $p) ON CONFLICT(account_id) DO UPDATE SET payload = excluded.payload;");
            command.Parameters.AddWithValue("$a", catalog.AccountId);
            command.Parameters.AddWithValue("$p", JsonSerializer.Serialize(catalog, SqliteJsonContext.Default.ScmAccountCatalog));
            command.ExecuteNonQuery();
            return true;
        });
    }

    /// <inheritdoc />
    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Write(cancellationToken, (c, t) => AppendAudit(c, t, entry));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 10_000);
        return Read<IReadOnlyList<AuditEntry>>(cancellationToken, c =>
        {
            using var command = Command(c, null, """
                SELECT payload FROM audit
                WHERE ($from IS NULL OR timestamp >= $from) AND ($to IS NULL OR timestamp < $to)
                  AND ($cert IS NULL OR certificate_id = $cert) AND ($action IS NULL OR action = $action) AND ($after IS NULL OR seq > $after)
                ORDER BY seq LIMIT $limit;
                """);
            command.Parameters.AddWithValue("$from", query.From is { } f ? f.UtcTicks : DBNull.Value);
            command.Parameters.AddWithValue("$to", query.To is { } to ? to.UtcTicks : DBNull.Value);
            command.Parameters.AddWithValue("$cert", query.CertificateId is { } cert ? Key(cert) : DBNull.Value);
            command.Parameters.AddWithValue("$action", (object?)query.Action ?? DBNull.Value);
            command.Parameters.AddWithValue("$after", (object?)query.AfterSequence ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", query.Limit);
            var result = new List<AuditEntry>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                result.Add(Deserialize(reader.GetString(0), SqliteJsonContext.Default.AuditEntry, "audit entry")!);
            }

            return result;
        });
    }

    /// <inheritdoc />
    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateName(key, nameof(key));
        return Read(cancellationToken, c =>
        {
            using var command = Command(c, null, "SELECT value FROM job_state WHERE key = $k;");
            command.Parameters.AddWithValue("$k", key);
            return command.ExecuteScalar() as string;
        });
    }

    /// <inheritdoc />
    public Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ValidateName(key, nameof(key));
        return Write(cancellationToken, (c, t) =>
        {
            using var command = Command(c, t, value is null
                ? "DELETE FROM job_state WHERE key = $k;"
                : "INSERT INTO job_state(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;");
            command.Parameters.AddWithValue("$k", key);
            if (value is not null)
            {
                command.Parameters.AddWithValue("$v", value);
            }

            command.ExecuteNonQuery();
            return true;
        });
    }

    /// <inheritdoc />
    public Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ValidateName(name, nameof(name));
        ValidateName(owner, nameof(owner));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return Write<LeaseToken?>(cancellationToken, (c, t) =>
        {
            var now = _time.GetUtcNow();
            var current = ReadLease(c, t, name);
            if (current is { } held && held.Owner is not null && held.ExpiresAt > now.UtcTicks)
            {
                if (!string.Equals(held.Owner, owner, StringComparison.Ordinal))
                {
                    return null;
                }

                var extended = new LeaseToken(name, owner, held.Fence, now + duration);
                WriteLease(c, t, extended);
                return extended;
            }

            var lease = new LeaseToken(name, owner, (current?.Fence ?? 0) + 1, now + duration);
            WriteLease(c, t, lease);
            return lease;
        });
    }

    /// <inheritdoc />
    public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return Write<LeaseToken?>(cancellationToken, (c, t) =>
        {
            if (!LeaseHeld(c, t, lease))
            {
                return null;
            }

            var renewed = lease with { ExpiresAt = _time.GetUtcNow() + duration };
            WriteLease(c, t, renewed);
            return renewed;
        });
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Write(cancellationToken, (c, t) =>
        {
            using var command = Command(c, t, "UPDATE leases SET owner = NULL, expires_at = 0 WHERE name = $n AND owner = $o AND fencing_token = $f;");
            command.Parameters.AddWithValue("$n", lease.Name);
            command.Parameters.AddWithValue("$o", lease.Owner);
            command.Parameters.AddWithValue("$f", lease.FencingToken);
            command.ExecuteNonQuery();
            return true;
        });
    }

    /// <inheritdoc />
    public Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Read(cancellationToken, c =>
        {
            var current = ReadLease(c, null, lease.Name);
            return current is { } held && held.Owner == lease.Owner && held.Fence == lease.FencingToken && held.ExpiresAt > _time.GetUtcNow().UtcTicks
                ? new LeaseToken(lease.Name, lease.Owner, held.Fence, new DateTimeOffset(held.ExpiresAt, TimeSpan.Zero))
                : null;
        });
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        _initLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private bool LeaseHeld(SqliteConnection connection, SqliteTransaction? transaction, LeaseToken lease)
    {
        var current = ReadLease(connection, transaction, lease.Name);
        return current is { } held && held.Owner == lease.Owner && held.Fence == lease.FencingToken && held.ExpiresAt > _time.GetUtcNow().UtcTicks;
    }

    private static (string? Owner, long Fence, long ExpiresAt)? ReadLease(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        using var command = Command(connection, transaction, "SELECT owner, fencing_token, expires_at FROM leases WHERE name = $n;");
        command.Parameters.AddWithValue("$n", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)) : null;
    }

    private static void WriteLease(SqliteConnection connection, SqliteTransaction transaction, LeaseToken lease)
    {
        using var command = Command(connection, transaction, """
            INSERT INTO leases(name, owner, fencing_token, expires_at) VALUES($n, $o, $f, $e)
            ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, fencing_token = excluded.fencing_token, expires_at = excluded.expires_at;
            """);
        command.Parameters.AddWithValue("$n", lease.Name);
        command.Parameters.AddWithValue("$o", lease.Owner);
        command.Parameters.AddWithValue("$f", lease.FencingToken);
        command.Parameters.AddWithValue("$e", lease.ExpiresAt.UtcTicks);
        command.ExecuteNonQuery();
    }

    private async Task<T> Read<T>(CancellationToken cancellationToken, Func<SqliteConnection, T> read)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            return read(connection);
        }
        catch (SqliteException ex)
        {
            throw Map(ex, "read");
        }
    }

    private async Task<T> Write<T>(CancellationToken cancellationToken, Func<SqliteConnection, SqliteTransaction, T> write)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var result = write(connection, transaction);
            transaction.Commit();
            return result;
        }
        catch (SqliteException ex)
        {
            throw Map(ex, "write");
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(_options.FullSync ? "FULL" : "NORMAL")};");
        return connection;
    }

    private static List<CertificateOrder> QueryOrders(SqliteConnection connection, string sql, Action<SqliteParameterCollection> bind)
    {
        using var command = Command(connection, null, sql);
        bind(command.Parameters);
        var result = new List<CertificateOrder>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(Deserialize(reader.GetString(0), SqliteJsonContext.Default.CertificateOrder, "order")! with { Version = reader.GetInt64(1) });
        }

        return result;
    }

    private static List<ManagedCertificate> QueryCertificates(SqliteConnection connection, string sql, Action<SqliteParameterCollection> bind)
    {
        using var command = Command(connection, null, sql);
        bind(command.Parameters);
        var result = new List<ManagedCertificate>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(Deserialize(reader.GetString(0), SqliteJsonContext.Default.ManagedCertificate, "certificate")! with { Version = reader.GetInt64(1) });
        }

        return result;
    }

    private static T? Deserialize<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException ex)
        {
            throw new ScmStoreException(StoreErrorKind.Corrupt, $"A stored {what} could not be read ({ex.Message}); it was left untouched.", ex);
        }
    }

    private static StorePage<T> Page<T>(List<T> items, int size, Func<T, (DateTimeOffset At, Guid Id)> key)
    {
        if (items.Count <= size)
        {
            return new StorePage<T>(items, null);
        }

        items.RemoveAt(items.Count - 1);
        var (at, id) = key(items[^1]);
        return new StorePage<T>(items, at.UtcTicks.ToString(CultureInfo.InvariantCulture) + "_" + id.ToString("N"));
    }

    private static (long At, string Id)? ParseToken(string? token)
    {
        if (token is null)
        {
            return null;
        }

        var parts = token.Split('_');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            throw new ArgumentException("The continuation token is not one this store issued.", nameof(token));
        }

        return (ticks, Key(id));
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, transaction, sql);
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, transaction, sql);
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static StoreConflictException VersionConflict(SqliteConnection connection, SqliteTransaction transaction, string table, string type, Guid id, long expected)
    {
        using var command = Command(connection, transaction, $"SELECT version FROM {table} WHERE id = $id;");
        command.Parameters.AddWithValue("$id", Key(id));
        return command.ExecuteScalar() is long actual
            ? new StoreConflictException(StoreConflictReason.VersionMismatch, type, id, expected, actual)
            : new StoreConflictException(StoreConflictReason.NotFound, type, id, expected);
    }

    private static StoreConflictException ConstraintConflict(SqliteException ex, string type, Guid id, Guid certificateId) =>
        ex.Message.Contains("ux_orders_one_open_per_certificate", StringComparison.Ordinal) || ex.Message.Contains("orders.certificate_id", StringComparison.Ordinal)
            ? new StoreConflictException(StoreConflictReason.OpenOrderExists, type, certificateId)
            : new StoreConflictException(StoreConflictReason.AlreadyExists, type, id);

    private ScmStoreException Map(SqliteException ex, string operation)
    {
        var (kind, message) = ex.SqliteErrorCode switch
        {
            SqliteBusy or SqliteLocked => (StoreErrorKind.Unavailable, $"The database {DatabasePath} stayed locked by another connection or process beyond the busy timeout ({_options.BusyTimeout})."),
            SqliteReadOnly => (StoreErrorKind.ReadOnly, $"The database {DatabasePath} (or its folder) is read-only; the store needs to write it."),
            SqliteCantOpen when File.Exists(DatabasePath) => (StoreErrorKind.ReadOnly, $"The database {DatabasePath} cannot be opened for writing (read-only file or folder)."),
            SqliteCantOpen => (StoreErrorKind.Configuration, $"The database {DatabasePath} cannot be created or opened."),
            SqliteCorrupt or SqliteNotADatabase => (StoreErrorKind.Corrupt, $"{DatabasePath} is not a readable SQLite database (corrupt or another kind of file); it was not modified."),
            SqliteFull => (StoreErrorKind.Unavailable, $"The disk holding {DatabasePath} is full."),
            SqliteIoError => (StoreErrorKind.Unavailable, $"An I/O error occurred on {DatabasePath}."),
            _ => (StoreErrorKind.Unavailable, $"SQLite error {ex.SqliteErrorCode} during {operation} on {DatabasePath}."),
        };
        Log.StoreError(_logger, operation, ex.SqliteErrorCode, ex);
        return new ScmStoreException(kind, message, ex);
    }

    private static string Key(Guid id) => id.ToString("N");

    private static string NormalizeSerial(string serial) => serial.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private static void ValidateName(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Length > 200)
        {
            throw new ArgumentException($"{parameter} must be 1-200 characters.", parameter);
        }
    }
}
