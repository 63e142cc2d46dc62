using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scm.Storage.Sqlite.Internal;

namespace Scm.Storage.Sqlite;

/// <summary>
/// The embedded, durable default store: one SQLite file in WAL mode, every write in a <c>BEGIN IMMEDIATE</c>
/// transaction, versioned migrations at start, optimistic concurrency on every record, one open order per certificate
/// enforced by a partial unique index, and leases (with fencing tokens) in the database itself, so several processes on
/// one machine can share the file. A database this code must not use (newer schema, corrupt, another application's,
/// read-only) is reported with a typed <see cref="ScmStoreException"/> at <see cref="InitializeAsync"/> and never
/// modified or reset. The one-open-order rule is checked after every operation of a batch (a batch that replaces an
/// open order closes the old one before it inserts the new one).
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

    private const int MaxListLimit = 10_000;
    private const int MaxPageSize = 1_000;
    private const int MaxNameLength = 200;
    private const int MaxSslIdLookup = 1_000;
    private static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromDays(366);

    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;
    private volatile bool _disposed;

    /// <summary>Creates the store; nothing is opened until <see cref="InitializeAsync"/> or the first call.</summary>
    /// <param name="options">Options; <see cref="SqliteStoreOptions.DatabasePath"/> is required.</param>
    /// <param name="timeProvider">The clock for leases (default: the system clock).</param>
    /// <param name="logger">A logger (default: none).</param>
    /// <exception cref="ArgumentException">The path is missing or the busy timeout is out of range.</exception>
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

            // SQLite's busy handler waits up to BusyTimeout; Microsoft.Data.Sqlite's own retry loop then stops at once
            // because this (whole seconds) has elapsed too.
            DefaultTimeout = Math.Max(1, (int)Math.Floor(options.BusyTimeout.TotalSeconds)),
        }.ToString();
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(options.FullSync ? "FULL" : "NORMAL")};");
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Checks the file before SQLite touches it (header, truncation, writable file and folder), refuses a newer schema,
    /// another application's database or (with <see cref="SqliteStoreOptions.VerifyOnInitialize"/>) a damaged one, then
    /// switches to WAL, applies pending migrations (each in its own <c>BEGIN IMMEDIATE</c> transaction, so processes
    /// starting together migrate once) and proves the file can be written. Called implicitly by the first operation.
    /// </remarks>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
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

                _initialized = true;
            }
        }
        finally
        {
            _initLock.Release();
        }
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
                InTransaction(connection, () =>
                {
                    // Another process may have migrated since we looked: decide again under the write lock.
                    if (CheckOwnership(connection) > version)
                    {
                        return;
                    }

                    Execute(connection, Schema.Migrations[version]);
                    Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {Schema.ApplicationId}; PRAGMA user_version = {version + 1};"));
                    Log.Migrated(_logger, DatabasePath, version + 1);
                });
            }

            // Prove the database can be written now rather than at the first order.
            InTransaction(connection, () =>
            {
                Execute(connection, "INSERT INTO job_state(key, value) VALUES('__write_probe', '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value;");
                Execute(connection, "DELETE FROM job_state WHERE key = '__write_probe';");
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
        using var command = NewCommand(connection, """
            SELECT (SELECT application_id FROM pragma_application_id()),
                   (SELECT user_version FROM pragma_user_version()),
                   (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%');
            """);
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

    /// <inheritdoc />
    public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ValidateBatch(batch);
        return Write(cancellationToken, session =>
        {
            if (batch.RequiredLease is { } required && !LeaseHeld(session, required))
            {
                throw Conflict(new StoreConflictException(StoreConflictReason.LeaseLost, "lease"));
            }

            var orders = new List<CertificateOrder>();
            var certificates = new List<ManagedCertificate>();
            var audit = new List<AuditEntry>();
            foreach (var operation in batch.Operations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case InsertOrderOperation insert:
                        orders.Add(InsertOrder(session, insert.Order));
                        break;
                    case UpdateOrderOperation update:
                        orders.Add(UpdateOrder(session, update.Order));
                        break;
                    case DeleteOrderOperation delete:
                        Delete(session, "orders", "order", delete.Id, delete.ExpectedVersion);
                        break;
                    case InsertCertificateOperation insert:
                        certificates.Add(InsertCertificate(session, insert.Certificate));
                        break;
                    case UpdateCertificateOperation update:
                        certificates.Add(UpdateCertificate(session, update.Certificate));
                        break;
                    case DeleteCertificateOperation delete:
                        Delete(session, "certificates", "certificate", delete.Id, delete.ExpectedVersion);
                        break;
                    case AppendAuditOperation append:
                        audit.Add(AppendAudit(session, append.Entry));
                        break;
                }
            }

            return new StoreBatchResult(orders, certificates, audit);
        });
    }

    private CertificateOrder InsertOrder(Session session, CertificateOrder order)
    {
        // No reads first: the primary key and the partial unique index on open orders refuse a conflicting insert, and
        // ExecuteWrite names which (AlreadyExists or OpenOrderExists). Two statements fewer per order, the cost that
        // counts in a bulk import.
        var stored = order with { Version = 1 };
        var command = session.Command("""
            INSERT INTO orders(id, certificate_id, account_id, state, is_open, version, ssl_id, correlation_token, next_attempt_at, created_at, payload)
            VALUES($id, $certificate, $account, $state, $open, $version, $ssl, $token, $next, $created, $payload);
            """);
        BindOrder(command, stored);
        try
        {
            ExecuteWrite(command, "order", order.Id, order.CertificateId);
        }
        catch (StoreConflictException ex) when (ex.Reason != StoreConflictReason.AlreadyExists && StoredVersion(session, "orders", order.Id) is not null)
        {
            // An open order whose id already exists breaks both constraints, and SQLite names the index: the id is the
            // conflict (as the other stores report it). Only this failure path reads.
            throw Conflict(new StoreConflictException(StoreConflictReason.AlreadyExists, "order", order.Id));
        }

        return stored;
    }

    private CertificateOrder UpdateOrder(Session session, CertificateOrder order)
    {
        var current = StoredVersion(session, "orders", order.Id);
        CheckVersion(current, order.Version, "order", order.Id);
        CheckOpenOrderSlot(session, order);
        var stored = order with { Version = order.Version + 1 };
        var command = session.Command("""
            UPDATE orders SET certificate_id = $certificate, account_id = $account, state = $state, is_open = $open, version = $version,
                ssl_id = $ssl, correlation_token = $token, next_attempt_at = $next, created_at = $created, payload = $payload
            WHERE id = $id AND version = $expected;
            """);
        BindOrder(command, stored);
        command.Parameters.AddWithValue("$expected", order.Version);
        ExecuteWrite(command, "order", order.Id, order.CertificateId);
        return stored;
    }

    private void CheckOpenOrderSlot(Session session, CertificateOrder order)
    {
        if (!order.IsOpen)
        {
            return;
        }

        // The partial unique index enforces the rule; this read (under the same write lock) names the conflict clearly.
        var command = session.Command("SELECT 1 FROM orders WHERE certificate_id = $certificate AND is_open = 1 AND id <> $id;");
        command.Parameters.AddWithValue("$certificate", Key(order.CertificateId));
        command.Parameters.AddWithValue("$id", Key(order.Id));
        if (command.ExecuteScalar() is not null)
        {
            throw Conflict(new StoreConflictException(StoreConflictReason.OpenOrderExists, "order", order.CertificateId));
        }
    }

    private static void BindOrder(SqliteCommand command, CertificateOrder order)
    {
        command.Parameters.AddWithValue("$id", Key(order.Id));
        command.Parameters.AddWithValue("$certificate", Key(order.CertificateId));
        command.Parameters.AddWithValue("$account", order.AccountId);
        command.Parameters.AddWithValue("$state", (int)order.State);
        command.Parameters.AddWithValue("$open", order.IsOpen ? 1 : 0);
        command.Parameters.AddWithValue("$version", order.Version);
        command.Parameters.AddWithValue("$ssl", (object?)order.SslId ?? DBNull.Value);
        command.Parameters.AddWithValue("$token", order.CorrelationToken.ToLowerInvariant());
        command.Parameters.AddWithValue("$next", order.NextAttemptAt is { } next ? next.UtcTicks : DBNull.Value);
        command.Parameters.AddWithValue("$created", order.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(order, SqliteJsonContext.Default.CertificateOrder));
    }

    private ManagedCertificate InsertCertificate(Session session, ManagedCertificate certificate)
    {
        // The primary key refuses a second insert of the same id (ExecuteWrite reports AlreadyExists).
        var stored = certificate with { Version = 1 };
        var command = session.Command("""
            INSERT INTO certificates(id, version, status, ssl_id, serial, common_name, not_after, created_at, payload)
            VALUES($id, $version, $status, $ssl, $serial, $cn, $notAfter, $created, $payload);
            """);
        BindCertificate(command, stored);
        ExecuteWrite(command, "certificate", certificate.Id, null);
        return stored;
    }

    private ManagedCertificate UpdateCertificate(Session session, ManagedCertificate certificate)
    {
        CheckVersion(StoredVersion(session, "certificates", certificate.Id), certificate.Version, "certificate", certificate.Id);
        var stored = certificate with { Version = certificate.Version + 1 };
        var command = session.Command("""
            UPDATE certificates SET version = $version, status = $status, ssl_id = $ssl, serial = $serial, common_name = $cn,
                not_after = $notAfter, created_at = $created, payload = $payload
            WHERE id = $id AND version = $expected;
            """);
        BindCertificate(command, stored);
        command.Parameters.AddWithValue("$expected", certificate.Version);
        ExecuteWrite(command, "certificate", certificate.Id, null);
        return stored;
    }

    private static void BindCertificate(SqliteCommand command, ManagedCertificate certificate)
    {
        command.Parameters.AddWithValue("$id", Key(certificate.Id));
        command.Parameters.AddWithValue("$version", certificate.Version);
        command.Parameters.AddWithValue("$status", (int)certificate.Status);
        command.Parameters.AddWithValue("$ssl", (object?)certificate.SslId ?? DBNull.Value);
        command.Parameters.AddWithValue("$serial", NormalizeSerial(certificate.SerialNumber));
        command.Parameters.AddWithValue("$cn", certificate.CommonName);
        command.Parameters.AddWithValue("$notAfter", certificate.NotAfter.UtcTicks);
        command.Parameters.AddWithValue("$created", certificate.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(certificate, SqliteJsonContext.Default.ManagedCertificate));
    }

    private void Delete(Session session, string table, string type, Guid id, long expectedVersion)
    {
        CheckVersion(StoredVersion(session, table, id), expectedVersion, type, id);
        var command = session.Command($"DELETE FROM {table} WHERE id = $id AND version = $expected;");
        command.Parameters.AddWithValue("$id", Key(id));
        command.Parameters.AddWithValue("$expected", expectedVersion);
        command.ExecuteNonQuery();
    }

    private static AuditEntry AppendAudit(Session session, AuditEntry entry)
    {
        // The sequence is the AUTOINCREMENT key: assigned in append order and never reused; the payload leaves it out. It is
        // read back with sqlite3_last_insert_rowid right after the insert on this connection (no other statement runs on it
        // in between) rather than with RETURNING, which made SQLite buffer a result row (about 3 us per entry in a
        // micro-test).
        var command = session.Command("""
            INSERT INTO audit(timestamp, certificate_id, action, payload) VALUES($timestamp, $certificate, $action, $payload);
            """);
        command.Parameters.AddWithValue("$timestamp", entry.Timestamp.UtcTicks);
        command.Parameters.AddWithValue("$certificate", entry.CertificateId is { } c ? Key(c) : DBNull.Value);
        command.Parameters.AddWithValue("$action", entry.Action);
        command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(entry with { Sequence = 0 }, SqliteJsonContext.Default.AuditEntry));
        command.ExecuteNonQuery();
        return entry with { Sequence = SQLitePCL.raw.sqlite3_last_insert_rowid(session.Connection.Handle) };
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
    /// <remarks>One read (both partial sslId indexes), whatever the number of ids.</remarks>
    public Task<IReadOnlySet<long>> FindKnownSslIdsAsync(IReadOnlyCollection<long> sslIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sslIds);
        if (sslIds.Count > MaxSslIdLookup)
        {
            throw new ArgumentOutOfRangeException(nameof(sslIds), sslIds.Count, "At most 1,000 sslIds can be looked up at once.");
        }

        if (sslIds.Count == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult<IReadOnlySet<long>>(new HashSet<long>());
        }

        // The ids travel as one JSON array parameter (json_each), so the statement text is the same for every call and
        // stays prepared; no limit on SQLite host parameters applies.
        var json = "[" + string.Join(',', sslIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]";
        return Read<IReadOnlySet<long>>(cancellationToken, session =>
        {
            var command = session.Command("""
                SELECT o.ssl_id FROM orders o WHERE o.ssl_id IN (SELECT value FROM json_each($ids))
                UNION
                SELECT c.ssl_id FROM certificates c WHERE c.ssl_id IN (SELECT value FROM json_each($ids));
                """);
            command.Parameters.AddWithValue("$ids", json);
            var known = new HashSet<long>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                known.Add(reader.GetInt64(0));
            }

            return known;
        });
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(correlationToken);
        return Read(cancellationToken, c => QueryOrders(
            c,
            "SELECT payload, version FROM orders WHERE correlation_token = $t ORDER BY created_at DESC, id DESC LIMIT 1;",
            p => p.AddWithValue("$t", correlationToken.ToLowerInvariant())).FirstOrDefault());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<ManagedCertificate>>(cancellationToken, c => QueryCertificates(c, "SELECT payload, version FROM certificates WHERE ssl_id = $s ORDER BY created_at DESC, id DESC;", p => p.AddWithValue("$s", sslId)));

    /// <inheritdoc />
    public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serialNumber);
        return Read(cancellationToken, c => QueryCertificates(
            c,
            "SELECT payload, version FROM certificates WHERE serial = $s ORDER BY created_at DESC, id DESC LIMIT 1;",
            p => p.AddWithValue("$s", NormalizeSerial(serialNumber))).FirstOrDefault());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit, MaxListLimit, nameof(limit));

        var sql = PendingOrdersSql(bounded: dueAtOrBefore is not null);
        return Read<IReadOnlyList<CertificateOrder>>(cancellationToken, c => QueryOrders(c, sql, p =>
        {
            if (dueAtOrBefore is { } due)
            {
                p.AddWithValue("$due", due.UtcTicks);
            }

            p.AddWithValue("$limit", limit);
        }));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit, MaxListLimit, nameof(limit));

        var sql = DueCertificatesSql(keyset: after is not null);
        return Read<IReadOnlyList<ManagedCertificate>>(cancellationToken, c => QueryCertificates(c, sql, p =>
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

    /// <summary>
    /// The pending-orders query: the partial index holds open orders only, in (next attempt, created, id) order, and SQLite
    /// sorts NULL first, so the rows come out in the contract's order without a sort step.
    /// </summary>
    internal static string PendingOrdersSql(bool bounded) =>
        "SELECT payload, version FROM orders INDEXED BY ix_orders_pending WHERE is_open = 1"
        + (bounded ? " AND (next_attempt_at IS NULL OR next_attempt_at <= $due)" : string.Empty)
        + " ORDER BY next_attempt_at, created_at, id LIMIT $limit;";

    /// <summary>
    /// The due-for-renewal query: a range scan of the partial index of Active certificates by (not_after, id), so its cost
    /// grows with the page, not with the table.
    /// </summary>
    internal static string DueCertificatesSql(bool keyset) =>
        "SELECT payload, version FROM certificates INDEXED BY ix_certificates_due WHERE status = 0 AND not_after < $bound"
        + (keyset ? " AND (not_after, id) > ($afterAt, $afterId)" : string.Empty)
        + " ORDER BY not_after, id LIMIT $limit;";

    /// <inheritdoc />
    public Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ValidateLimit(query.PageSize, MaxPageSize, nameof(query));
        var position = ContinuationToken.Parse(query.ContinuationToken, nameof(query));
        var filters = new List<string>();
        if (query.Status is not null)
        {
            filters.Add("status = $status");
        }

        if (query.CommonName is not null)
        {
            filters.Add("common_name = $cn");
        }

        if (position is not null)
        {
            filters.Add("(created_at, id) > ($at, $id)");
        }

        var sql = "SELECT payload, version FROM certificates" + Where(filters) + " ORDER BY created_at, id LIMIT $limit;";
        return Read(cancellationToken, c =>
        {
            var items = QueryCertificates(c, sql, p =>
            {
                if (query.Status is { } status)
                {
                    p.AddWithValue("$status", (int)status);
                }

                if (query.CommonName is { } cn)
                {
                    p.AddWithValue("$cn", cn);
                }

                if (position is { } pos)
                {
                    p.AddWithValue("$at", pos.Ticks);
                    p.AddWithValue("$id", Key(pos.Id));
                }

                p.AddWithValue("$limit", query.PageSize + 1);
            });
            return ContinuationToken.Page(items, query.PageSize, x => (x.CreatedAt, x.Id));
        });
    }

    /// <inheritdoc />
    public Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.States, nameof(query));
        ValidateLimit(query.PageSize, MaxPageSize, nameof(query));
        var position = ContinuationToken.Parse(query.ContinuationToken, nameof(query));
        var filters = new List<string>();
        if (query.States.Count > 0)
        {
            // Enum values formatted as integers: no caller text reaches the SQL.
            filters.Add("state IN (" + string.Join(",", query.States.Distinct().Select(s => ((int)s).ToString(CultureInfo.InvariantCulture))) + ")");
        }

        if (query.CertificateId is not null)
        {
            filters.Add("certificate_id = $cert");
        }

        if (position is not null)
        {
            filters.Add("(created_at, id) > ($at, $id)");
        }

        var sql = "SELECT payload, version FROM orders" + Where(filters) + " ORDER BY created_at, id LIMIT $limit;";
        return Read(cancellationToken, c =>
        {
            var items = QueryOrders(c, sql, p =>
            {
                if (query.CertificateId is { } cert)
                {
                    p.AddWithValue("$cert", Key(cert));
                }

                if (position is { } pos)
                {
                    p.AddWithValue("$at", pos.Ticks);
                    p.AddWithValue("$id", Key(pos.Id));
                }

                p.AddWithValue("$limit", query.PageSize + 1);
            });
            return ContinuationToken.Page(items, query.PageSize, x => (x.CreatedAt, x.Id));
        });
    }

    /// <inheritdoc />
    public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, c =>
        {
            var command = c.Command(status is null ? "SELECT count(*) FROM certificates;" : "SELECT count(*) FROM certificates WHERE status = $status;");
            if (status is { } s)
            {
                command.Parameters.AddWithValue("$status", (int)s);
            }

            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        });

    /// <inheritdoc />
    public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ValidateName(accountId, nameof(accountId));
        return Read(cancellationToken, c =>
        {
            var command = c.Command("SELECT payload FROM catalog WHERE account_id = $a;");
            command.Parameters.AddWithValue("$a", accountId);
            return command.ExecuteScalar() is string json ? Deserialize(json, SqliteJsonContext.Default.ScmAccountCatalog, "catalog") : null;
        });
    }

    /// <inheritdoc />
    public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ValidateName(catalog.AccountId, nameof(catalog));
        var payload = JsonSerializer.Serialize(catalog, SqliteJsonContext.Default.ScmAccountCatalog);
        return Write(cancellationToken, c =>
        {
            var command = c.Command("INSERT INTO catalog(account_id, payload) VALUES($a, $p) ON CONFLICT(account_id) DO UPDATE SET payload = excluded.payload;");
            command.Parameters.AddWithValue("$a", catalog.AccountId);
            command.Parameters.AddWithValue("$p", payload);
            command.ExecuteNonQuery();
            return true;
        });
    }

    /// <inheritdoc />
    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ValidateAudit(entry, nameof(entry));
        return Write(cancellationToken, c => AppendAudit(c, entry));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ValidateLimit(query.Limit, MaxListLimit, nameof(query));
        var filters = new List<string>();
        if (query.From is not null)
        {
            filters.Add("timestamp >= $from");
        }

        if (query.To is not null)
        {
            filters.Add("timestamp < $to");
        }

        if (query.CertificateId is not null)
        {
            filters.Add("certificate_id = $cert");
        }

        if (query.Action is not null)
        {
            filters.Add("action = $action");
        }

        if (query.AfterSequence is not null)
        {
            filters.Add("seq > $after");
        }

        var sql = "SELECT payload, seq FROM audit" + Where(filters) + " ORDER BY seq LIMIT $limit;";
        return Read<IReadOnlyList<AuditEntry>>(cancellationToken, c =>
        {
            var command = c.Command(sql);
            var p = command.Parameters;
            if (query.From is { } from)
            {
                p.AddWithValue("$from", from.UtcTicks);
            }

            if (query.To is { } to)
            {
                p.AddWithValue("$to", to.UtcTicks);
            }

            if (query.CertificateId is { } cert)
            {
                p.AddWithValue("$cert", Key(cert));
            }

            if (query.Action is { } action)
            {
                p.AddWithValue("$action", action);
            }

            if (query.AfterSequence is { } after)
            {
                p.AddWithValue("$after", after);
            }

            p.AddWithValue("$limit", query.Limit);
            var result = new List<AuditEntry>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                result.Add(Deserialize(reader.GetFieldValue<byte[]>(0), SqliteJsonContext.Default.AuditEntry, "audit entry")! with { Sequence = reader.GetInt64(1) });
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
            var command = c.Command("SELECT value FROM job_state WHERE key = $k;");
            command.Parameters.AddWithValue("$k", key);
            return command.ExecuteScalar() as string;
        });
    }

    /// <inheritdoc />
    public Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ValidateName(key, nameof(key));
        return Write(cancellationToken, c =>
        {
            var command = c.Command(value is null
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
        ValidateDuration(duration, nameof(duration));
        return Write<LeaseToken?>(cancellationToken, c =>
        {
            var now = _time.GetUtcNow();
            var current = ReadLease(c, name);
            if (current is { Owner: not null } held && held.ExpiresAt > now.UtcTicks)
            {
                if (!string.Equals(held.Owner, owner, StringComparison.Ordinal))
                {
                    return null;
                }

                // Re-acquisition by the holder extends the lease and keeps its fencing token.
                var extended = new LeaseToken(name, owner, held.Fence, now + duration);
                WriteLease(c, extended);
                return extended;
            }

            // Free, released or expired: a new holder, with a fencing token above every earlier one (the row is never deleted).
            var lease = new LeaseToken(name, owner, (current?.Fence ?? 0) + 1, now + duration);
            WriteLease(c, lease);
            Log.LeaseAcquired(_logger, name, owner, lease.FencingToken);
            return lease;
        });
    }

    /// <inheritdoc />
    public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        ValidateDuration(duration, nameof(duration));
        return Write<LeaseToken?>(cancellationToken, c =>
        {
            if (!LeaseHeld(c, lease))
            {
                return null;
            }

            var renewed = lease with { ExpiresAt = _time.GetUtcNow() + duration };
            WriteLease(c, renewed);
            return renewed;
        });
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        return Write(cancellationToken, c =>
        {
            // Only the holder with this token releases; the fencing token stays, so the next holder still gets a higher one.
            var command = c.Command("UPDATE leases SET owner = NULL, expires_at = 0 WHERE name = $n AND owner = $o AND fencing_token = $f;");
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
        ValidateLease(lease, nameof(lease));
        return Read(cancellationToken, c =>
        {
            var current = ReadLease(c, lease.Name);
            return IsHeld(current, lease) ? lease with { ExpiresAt = new DateTimeOffset(current!.Value.ExpiresAt, TimeSpan.Zero) } : null;
        });
    }

    /// <summary>Closes the pooled connections to the file. Calls after disposal fail with <see cref="ObjectDisposedException"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        }

        return ValueTask.CompletedTask;
    }

    private bool LeaseHeld(Session session, LeaseToken lease) => IsHeld(ReadLease(session, lease.Name), lease);

    private bool IsHeld((string? Owner, long Fence, long ExpiresAt)? current, LeaseToken lease) =>
        current is { Owner: not null } held
        && string.Equals(held.Owner, lease.Owner, StringComparison.Ordinal)
        && held.Fence == lease.FencingToken
        && held.ExpiresAt > _time.GetUtcNow().UtcTicks;

    private static (string? Owner, long Fence, long ExpiresAt)? ReadLease(Session session, string name)
    {
        var command = session.Command("SELECT owner, fencing_token, expires_at FROM leases WHERE name = $n;");
        command.Parameters.AddWithValue("$n", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)) : null;
    }

    private static void WriteLease(Session session, LeaseToken lease)
    {
        var command = session.Command("""
            INSERT INTO leases(name, owner, fencing_token, expires_at) VALUES($n, $o, $f, $e)
            ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, fencing_token = excluded.fencing_token, expires_at = excluded.expires_at;
            """);
        command.Parameters.AddWithValue("$n", lease.Name);
        command.Parameters.AddWithValue("$o", lease.Owner);
        command.Parameters.AddWithValue("$f", lease.FencingToken);
        command.Parameters.AddWithValue("$e", lease.ExpiresAt.UtcTicks);
        command.ExecuteNonQuery();
    }

    private async Task<T> Read<T>(CancellationToken cancellationToken, Func<Session, T> read)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            using var session = new Session(connection);
            return read(session);
        }
        catch (SqliteException ex)
        {
            throw Map(ex, "read");
        }
    }

    private async Task<T> Write<T>(CancellationToken cancellationToken, Func<Session, T> write)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            using var session = new Session(connection);
            return InTransaction(connection, () => write(session));
        }
        catch (SqliteException ex)
        {
            throw Map(ex, "write");
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a <c>BEGIN IMMEDIATE</c> transaction: the write lock is taken before the first read,
    /// so the checks the body makes (versions, lease, open order) still hold when it writes, in every process.
    /// </summary>
    private static void InTransaction(SqliteConnection connection, Action body) => InTransaction(connection, () =>
    {
        body();
        return true;
    });

    private static T InTransaction<T>(SqliteConnection connection, Func<T> body)
    {
        Execute(connection, "BEGIN IMMEDIATE;");
        var committed = false;
        try
        {
            var result = body();
            Execute(connection, "COMMIT;");
            committed = true;
            return result;
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
            return; // SQLite already rolled back (for example after SQLITE_FULL).
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

    private SqliteConnection Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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

    private static List<CertificateOrder> QueryOrders(Session session, string sql, Action<SqliteParameterCollection> bind)
    {
        var command = session.Command(sql);
        bind(command.Parameters);
        var result = new List<CertificateOrder>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(Deserialize(reader.GetFieldValue<byte[]>(0), SqliteJsonContext.Default.CertificateOrder, "order")! with { Version = reader.GetInt64(1) });
        }

        return result;
    }

    private static List<ManagedCertificate> QueryCertificates(Session session, string sql, Action<SqliteParameterCollection> bind)
    {
        var command = session.Command(sql);
        bind(command.Parameters);
        var result = new List<ManagedCertificate>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(Deserialize(reader.GetFieldValue<byte[]>(0), SqliteJsonContext.Default.ManagedCertificate, "certificate")! with { Version = reader.GetInt64(1) });
        }

        return result;
    }

    /// <summary>Reads a payload from its UTF-8 bytes (no intermediate UTF-16 string).</summary>
    private static T? Deserialize<T>(byte[] json, JsonTypeInfo<T> type, string what) => Deserialize(json.AsSpan(), type, what);

    private static T? Deserialize<T>(string json, JsonTypeInfo<T> type, string what) => Deserialize(System.Text.Encoding.UTF8.GetBytes(json).AsSpan(), type, what);

    private static T? Deserialize<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new JsonException("null record");
        }
        catch (JsonException ex)
        {
            // The message names the record type only: the payload may hold protected key material.
            throw new ScmStoreException(StoreErrorKind.Corrupt, $"A stored {what} could not be read (invalid JSON at {ex.Path ?? "the root"}); it was left untouched.", ex);
        }
    }

    private static string Where(List<string> filters) => filters.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", filters);

    private static SqliteCommand NewCommand(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = NewCommand(connection, sql);
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = NewCommand(connection, sql);
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static long? StoredVersion(Session session, string table, Guid id)
    {
        var command = session.Command($"SELECT version FROM {table} WHERE id = $id;");
        command.Parameters.AddWithValue("$id", Key(id));
        return command.ExecuteScalar() is long version ? version : null;
    }

    private void CheckVersion(long? stored, long expected, string type, Guid id)
    {
        if (stored is null)
        {
            throw Conflict(new StoreConflictException(StoreConflictReason.NotFound, type, id, expected));
        }

        if (stored != expected)
        {
            throw Conflict(new StoreConflictException(StoreConflictReason.VersionMismatch, type, id, expected, stored));
        }
    }

    /// <summary>Runs a write whose preconditions were checked; a constraint failure here means the unique index caught it.</summary>
    private void ExecuteWrite(SqliteCommand command, string type, Guid id, Guid? certificateId)
    {
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw Conflict(ex.Message.Contains("orders.certificate_id", StringComparison.Ordinal) && certificateId is { } certificate
                ? new StoreConflictException(StoreConflictReason.OpenOrderExists, type, certificate)
                : new StoreConflictException(StoreConflictReason.AlreadyExists, type, id));
        }
    }

    private StoreConflictException Conflict(StoreConflictException ex)
    {
        Log.Conflict(_logger, ex.Reason, ex.RecordType);
        return ex;
    }

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
        Log.StoreError(_logger, operation, ex.SqliteErrorCode, kind, ex);
        return new ScmStoreException(kind, message, ex);
    }

    private static string Key(Guid id) => id.ToString("N");

    private static string NormalizeSerial(string serial) => serial.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private static void ValidateBatch(StoreBatch batch)
    {
        if (batch.RequiredLease is { } lease)
        {
            ValidateLease(lease, nameof(batch));
        }

        foreach (var operation in batch.Operations)
        {
            switch (operation)
            {
                case InsertOrderOperation insert:
                    ValidateOrder(insert.Order);
                    if (insert.Order.Version != 0)
                    {
                        throw new ArgumentException($"A new order ({insert.Order.Id}) must have version 0; it has {insert.Order.Version}.", nameof(batch));
                    }

                    break;
                case UpdateOrderOperation update:
                    ValidateOrder(update.Order);
                    break;
                case InsertCertificateOperation insert:
                    ValidateCertificate(insert.Certificate);
                    if (insert.Certificate.Version != 0)
                    {
                        throw new ArgumentException($"A new certificate ({insert.Certificate.Id}) must have version 0; it has {insert.Certificate.Version}.", nameof(batch));
                    }

                    break;
                case UpdateCertificateOperation update:
                    ValidateCertificate(update.Certificate);
                    break;
                case AppendAuditOperation append:
                    ValidateAudit(append.Entry, nameof(batch));
                    break;
                case DeleteOrderOperation or DeleteCertificateOperation:
                    break;
                default:
                    throw new ArgumentException($"The batch holds an operation this store does not know ({operation?.GetType().Name ?? "null"}).", nameof(batch));
            }
        }
    }

    private static void ValidateOrder(CertificateOrder? order)
    {
        if (order is null || order.CorrelationToken is null || order.Request is null || order.Request.CommonName is null || order.AccountId is null)
        {
            throw new ArgumentException("The batch holds an order without its id fields (correlation token, request, common name or account).", "batch");
        }
    }

    private static void ValidateCertificate(ManagedCertificate? certificate)
    {
        if (certificate is null || certificate.CommonName is null || certificate.SerialNumber is null || certificate.Thumbprint is null || certificate.CertificatePem is null || certificate.AccountId is null)
        {
            throw new ArgumentException("The batch holds a certificate without its required fields (common name, serial, thumbprint, PEM or account).", "batch");
        }
    }

    private static void ValidateAudit(AuditEntry? entry, string parameter)
    {
        if (entry is null || entry.Actor is null || entry.Action is null || entry.Decision is null || entry.Outcome is null)
        {
            throw new ArgumentException("An audit entry needs an actor, an action, a decision and an outcome.", parameter);
        }
    }

    private static void ValidateLease(LeaseToken? lease, string parameter)
    {
        ArgumentNullException.ThrowIfNull(lease, parameter);
        if (string.IsNullOrEmpty(lease.Name) || string.IsNullOrEmpty(lease.Owner))
        {
            throw new ArgumentException("A lease token needs a name and an owner.", parameter);
        }
    }

    private static void ValidateName(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Length > MaxNameLength)
        {
            throw new ArgumentException($"The value must be 1-{MaxNameLength} characters; it has {value.Length}.", parameter);
        }
    }

    private static void ValidateLimit(int value, int max, string parameter)
    {
        if (value < 1 || value > max)
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"The limit must be 1-{max.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
    }

    private static void ValidateDuration(TimeSpan duration, string parameter)
    {
        if (duration <= TimeSpan.Zero || duration > MaxLeaseDuration)
        {
            throw new ArgumentOutOfRangeException(parameter, duration, "A lease duration must be positive and at most 366 days.");
        }
    }

    /// <summary>
    /// One operation's connection, with its commands kept prepared: a batch of many inserts compiles each statement once
    /// instead of once per record. Commands handed out are owned by the session (not disposed by the caller).
    /// </summary>
    private sealed class Session(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public SqliteConnection Connection { get; } = connection;

        public SqliteCommand Command(string sql)
        {
            if (_commands.TryGetValue(sql, out var command))
            {
                command.Parameters.Clear();
                return command;
            }

            command = NewCommand(Connection, sql);
            _commands[sql] = command;
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }
        }
    }

    /// <summary>
    /// The continuation token of the list queries: an opaque, URL-safe encoding of the (created-at, id) position of the
    /// last item of a page (the in-memory store issues the same format).
    /// </summary>
    private static class ContinuationToken
    {
        private const string Prefix = "p1.";

        public static (long Ticks, Guid Id)? Parse(string? token, string parameter)
        {
            if (token is null)
            {
                return null;
            }

            try
            {
                if (token.StartsWith(Prefix, StringComparison.Ordinal) && token.Length < 200)
                {
                    var body = token[Prefix.Length..].Replace('-', '+').Replace('_', '/');
                    body += new string('=', (4 - (body.Length % 4)) % 4);
                    var parts = Encoding.ASCII.GetString(Convert.FromBase64String(body)).Split('.');
                    if (parts.Length == 2
                        && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                        && Guid.TryParseExact(parts[1], "N", out var id))
                    {
                        return (ticks, id);
                    }
                }
            }
            catch (FormatException)
            {
                // Falls through to the clear error below.
            }

            throw new ArgumentException("The continuation token is not one this store issued.", parameter);
        }

        public static StorePage<T> Page<T>(List<T> items, int pageSize, Func<T, (DateTimeOffset CreatedAt, Guid Id)> position)
        {
            if (items.Count <= pageSize)
            {
                return new StorePage<T>(items, null);
            }

            items.RemoveRange(pageSize, items.Count - pageSize);
            var (createdAt, id) = position(items[^1]);
            var text = createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + id.ToString("N");
            return new StorePage<T>(items, Prefix + Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        }
    }
}
