using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

using static Scm.Storage.StoreArguments;

namespace Scm.Storage.Relational;

/// <summary>
/// The relational store every dialect shares: each record is kept whole as JSON in a <c>payload</c> column with the
/// columns the queries filter or sort on beside it; every write of a batch runs in one write transaction (optimistic
/// concurrency by version, the one-open-order rule by a partial unique index, the required lease checked in the same
/// transaction); leases carry fencing tokens; the audit log is append-only. The store is bound to one account
/// (<see cref="Account"/>): every row carries it, every query filters on it, and a record of another account is refused,
/// so the same sslId in two accounts is two records and nothing one account does reaches another's. The catalog is keyed
/// by the account id its callers name, as before.
/// </summary>
internal sealed partial class RelationalStore : IScmStore
{
    private const int MaxAttempts = 4;

    private readonly RelationalDialect _dialect;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initLock;
    private readonly Func<bool> _initialized;
    private readonly Action _markInitialized;

    /// <summary>Creates a store over a dialect, bound to <paramref name="account"/>.</summary>
    /// <param name="dialect">The database.</param>
    /// <param name="account">The account partition (1-200 characters).</param>
    /// <param name="time">The clock for leases.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="initialization">Shared between the stores of one database (its accounts), so the schema is prepared once.</param>
    public RelationalStore(RelationalDialect dialect, string account, TimeProvider time, ILogger logger, InitializationState initialization)
    {
        ValidateName(account, nameof(account));
        _dialect = dialect;
        Account = account;
        _time = time;
        _logger = logger;
        _initLock = initialization.Lock;
        _initialized = () => initialization.Done;
        _markInitialized = () => initialization.Done = true;
    }

    /// <summary>The account this store reads and writes.</summary>
    public string Account { get; }

    /// <summary>Whether the schema was prepared, shared by the stores of one database.</summary>
    internal sealed class InitializationState
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public volatile bool Done;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized())
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized())
            {
                await _dialect.InitializeAsync(cancellationToken).ConfigureAwait(false);
                _markInitialized();
            }
        }
        finally
        {
            _initLock.Release();
        }
    }

    public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ValidateBatch(batch);
        return WriteAsync("commit", cancellationToken, async session =>
        {
            if (batch.RequiredLease is { } required && !await LeaseHeldAsync(session, required, _dialect.LeaseForWriteSql, cancellationToken).ConfigureAwait(false))
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
                        orders.Add(await InsertOrderAsync(session, insert.Order, cancellationToken).ConfigureAwait(false));
                        break;
                    case UpdateOrderOperation update:
                        orders.Add(await UpdateOrderAsync(session, update.Order, cancellationToken).ConfigureAwait(false));
                        break;
                    case DeleteOrderOperation delete:
                        await DeleteAsync(session, "orders", "order", delete.Id, delete.ExpectedVersion, cancellationToken).ConfigureAwait(false);
                        break;
                    case InsertCertificateOperation insert:
                        certificates.Add(await InsertCertificateAsync(session, insert.Certificate, cancellationToken).ConfigureAwait(false));
                        break;
                    case UpdateCertificateOperation update:
                        certificates.Add(await UpdateCertificateAsync(session, update.Certificate, cancellationToken).ConfigureAwait(false));
                        break;
                    case DeleteCertificateOperation delete:
                        await DeleteAsync(session, "certificates", "certificate", delete.Id, delete.ExpectedVersion, cancellationToken).ConfigureAwait(false);
                        break;
                    case AppendAuditOperation append:
                        audit.Add(await AppendAuditAsync(session, append.Entry, cancellationToken).ConfigureAwait(false));
                        break;
                }
            }

            return new StoreBatchResult(orders, certificates, audit);
        });
    }

    private async Task<CertificateOrder> InsertOrderAsync(Session session, CertificateOrder order, CancellationToken cancellationToken)
    {
        // No reads first: the primary key and the partial unique index on open orders refuse a conflicting insert, and the
        // dialect names which (AlreadyExists or OpenOrderExists). Statements saved per order are what counts in an import.
        var stored = order with { Version = 1 };
        var command = session.Command("""
            INSERT INTO orders(id, certificate_id, account_id, state, is_open, version, ssl_id, correlation_token, next_attempt_at, created_at, payload)
            VALUES(@id, @certificate, @account, @state, @open, @version, @ssl, @token, @next, @created, @payload);
            """);
        BindOrder(command, stored);
        await ExecuteWriteAsync(session, command, "order", order.Id, order.CertificateId, insert: true, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private async Task<CertificateOrder> UpdateOrderAsync(Session session, CertificateOrder order, CancellationToken cancellationToken)
    {
        var stored = order with { Version = order.Version + 1 };
        var command = session.Command("""
            UPDATE orders SET certificate_id = @certificate, state = @state, is_open = @open, version = @version,
                ssl_id = @ssl, correlation_token = @token, next_attempt_at = @next, created_at = @created, payload = @payload
            WHERE id = @id AND account_id = @account AND version = @expected;
            """);
        BindOrder(command, stored);
        Add(command, "@expected", order.Version);
        if (await ExecuteWriteAsync(session, command, "order", order.Id, order.CertificateId, insert: false, cancellationToken).ConfigureAwait(false) == 0)
        {
            throw await VersionConflictAsync(session, "orders", "order", order.Id, order.Version, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    private void BindOrder(DbCommand command, CertificateOrder order)
    {
        Add(command, "@id", Key(order.Id));
        Add(command, "@certificate", Key(order.CertificateId));
        Add(command, "@account", Account);
        Add(command, "@state", (int)order.State);
        Add(command, "@open", order.IsOpen ? 1 : 0);
        Add(command, "@version", order.Version);
        Add(command, "@ssl", order.SslId, DbType.Int64);
        Add(command, "@token", order.CorrelationToken.ToLowerInvariant());
        Add(command, "@next", order.NextAttemptAt?.UtcTicks, DbType.Int64);
        Add(command, "@created", order.CreatedAt.UtcTicks);
        Add(command, "@payload", JsonSerializer.Serialize(order, RelationalJsonContext.Default.CertificateOrder));
    }

    private async Task<ManagedCertificate> InsertCertificateAsync(Session session, ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        var stored = certificate with { Version = 1 };
        var command = session.Command("""
            INSERT INTO certificates(id, account_id, version, status, ssl_id, serial, common_name, not_after, created_at, payload)
            VALUES(@id, @account, @version, @status, @ssl, @serial, @cn, @notAfter, @created, @payload);
            """);
        BindCertificate(command, stored);
        await ExecuteWriteAsync(session, command, "certificate", certificate.Id, null, insert: true, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private async Task<ManagedCertificate> UpdateCertificateAsync(Session session, ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        var stored = certificate with { Version = certificate.Version + 1 };
        var command = session.Command("""
            UPDATE certificates SET version = @version, status = @status, ssl_id = @ssl, serial = @serial, common_name = @cn,
                not_after = @notAfter, created_at = @created, payload = @payload
            WHERE id = @id AND account_id = @account AND version = @expected;
            """);
        BindCertificate(command, stored);
        Add(command, "@expected", certificate.Version);
        if (await ExecuteWriteAsync(session, command, "certificate", certificate.Id, null, insert: false, cancellationToken).ConfigureAwait(false) == 0)
        {
            throw await VersionConflictAsync(session, "certificates", "certificate", certificate.Id, certificate.Version, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    private void BindCertificate(DbCommand command, ManagedCertificate certificate)
    {
        Add(command, "@id", Key(certificate.Id));
        Add(command, "@account", Account);
        Add(command, "@version", certificate.Version);
        Add(command, "@status", (int)certificate.Status);
        Add(command, "@ssl", certificate.SslId, DbType.Int64);
        Add(command, "@serial", NormalizeSerial(certificate.SerialNumber));
        Add(command, "@cn", certificate.CommonName);
        Add(command, "@notAfter", certificate.NotAfter.UtcTicks);
        Add(command, "@created", certificate.CreatedAt.UtcTicks);
        Add(command, "@payload", JsonSerializer.Serialize(certificate, RelationalJsonContext.Default.ManagedCertificate));
    }

    private async Task DeleteAsync(Session session, string table, string type, Guid id, long expectedVersion, CancellationToken cancellationToken)
    {
        var command = session.Command($"DELETE FROM {table} WHERE id = @id AND account_id = @account AND version = @expected;");
        Add(command, "@id", Key(id));
        Add(command, "@account", Account);
        Add(command, "@expected", expectedVersion);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw await VersionConflictAsync(session, table, type, id, expectedVersion, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AuditEntry> AppendAuditAsync(Session session, AuditEntry entry, CancellationToken cancellationToken)
    {
        // The sequence is assigned by the database in append order and never reused; the payload leaves it out.
        var command = session.Command(_dialect.InsertAuditSql);
        Add(command, "@account", Account);
        Add(command, "@timestamp", entry.Timestamp.UtcTicks);
        Add(command, "@certificate", entry.CertificateId is { } c ? Key(c) : null, DbType.String);
        Add(command, "@action", entry.Action);
        Add(command, "@payload", JsonSerializer.Serialize(entry with { Sequence = 0 }, RelationalJsonContext.Default.AuditEntry));
        return entry with { Sequence = await _dialect.InsertAuditAsync(command, cancellationToken).ConfigureAwait(false) };
    }

    public Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default) =>
        FirstOrderAsync("SELECT payload, version FROM orders WHERE id = @id AND account_id = @account;", c => Add(c, "@id", Key(id)), cancellationToken);

    public Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default) =>
        FirstCertificateAsync("SELECT payload, version FROM certificates WHERE id = @id AND account_id = @account;", c => Add(c, "@id", Key(id)), cancellationToken);

    public Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) =>
        FirstOrderAsync("SELECT payload, version FROM orders WHERE certificate_id = @c AND account_id = @account AND is_open = 1;", c => Add(c, "@c", Key(certificateId)), cancellationToken);

    public Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        OrdersAsync("SELECT payload, version FROM orders WHERE account_id = @account AND ssl_id = @s ORDER BY created_at DESC, id DESC;", c => Add(c, "@s", sslId), cancellationToken);

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

        return ReadAsync<IReadOnlySet<long>>("read", cancellationToken, async session =>
        {
            var command = session.Command(_dialect.KnownSslIdsSql);
            Add(command, "@account", Account);
            _dialect.BindSslIds(command, sslIds);
            var known = new HashSet<long>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                known.Add(reader.GetInt64(0));
            }

            return known;
        });
    }

    public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(correlationToken);
        return FirstOrderAsync(
            "SELECT payload, version FROM orders WHERE account_id = @account AND correlation_token = @t ORDER BY created_at DESC, id DESC LIMIT 1;",
            c => Add(c, "@t", correlationToken.ToLowerInvariant()),
            cancellationToken);
    }

    public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default) =>
        CertificatesAsync("SELECT payload, version FROM certificates WHERE account_id = @account AND ssl_id = @s ORDER BY created_at DESC, id DESC;", c => Add(c, "@s", sslId), cancellationToken);

    public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serialNumber);
        return FirstCertificateAsync(
            "SELECT payload, version FROM certificates WHERE account_id = @account AND serial = @s ORDER BY created_at DESC, id DESC LIMIT 1;",
            c => Add(c, "@s", NormalizeSerial(serialNumber)),
            cancellationToken);
    }

    public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit, MaxListLimit, nameof(limit));
        return OrdersAsync(_dialect.PendingOrdersSql(bounded: dueAtOrBefore is not null), c =>
        {
            if (dueAtOrBefore is { } due)
            {
                Add(c, "@due", due.UtcTicks);
            }

            Add(c, "@limit", limit);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit, MaxListLimit, nameof(limit));
        return CertificatesAsync(_dialect.DueCertificatesSql(keyset: after is not null), c =>
        {
            Add(c, "@bound", notAfterBefore.UtcTicks);
            Add(c, "@limit", limit);
            if (after is not null)
            {
                Add(c, "@afterAt", after.NotAfter.UtcTicks);
                Add(c, "@afterId", Key(after.Id));
            }
        }, cancellationToken);
    }

    public async Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ValidateLimit(query.PageSize, MaxPageSize, nameof(query));
        var position = ContinuationToken.Parse(query.ContinuationToken, nameof(query));
        var filters = new List<string> { "account_id = @account" };
        if (query.Status is not null)
        {
            filters.Add("status = @status");
        }

        if (query.CommonName is not null)
        {
            filters.Add(_dialect.CommonNameFilter);
        }

        if (position is not null)
        {
            filters.Add("(created_at, id) > (@at, @id)");
        }

        var sql = "SELECT payload, version FROM certificates WHERE " + string.Join(" AND ", filters) + " ORDER BY created_at, id LIMIT @limit;";
        var items = await CertificatesAsync(sql, c =>
        {
            if (query.Status is { } status)
            {
                Add(c, "@status", (int)status);
            }

            if (query.CommonName is { } cn)
            {
                Add(c, "@cn", cn);
            }

            if (position is { } pos)
            {
                Add(c, "@at", pos.Ticks);
                Add(c, "@id", Key(pos.Id));
            }

            Add(c, "@limit", query.PageSize + 1);
        }, cancellationToken).ConfigureAwait(false);
        return ContinuationToken.Page(items.ToList(), query.PageSize, x => (x.CreatedAt, x.Id));
    }

    public async Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.States, nameof(query));
        ValidateLimit(query.PageSize, MaxPageSize, nameof(query));
        var position = ContinuationToken.Parse(query.ContinuationToken, nameof(query));
        var filters = new List<string> { "account_id = @account" };
        if (query.States.Count > 0)
        {
            // Enum values formatted as integers: no caller text reaches the SQL.
            filters.Add("state IN (" + string.Join(",", query.States.Distinct().Select(s => ((int)s).ToString(CultureInfo.InvariantCulture))) + ")");
        }

        if (query.CertificateId is not null)
        {
            filters.Add("certificate_id = @cert");
        }

        if (position is not null)
        {
            filters.Add("(created_at, id) > (@at, @id)");
        }

        var sql = "SELECT payload, version FROM orders WHERE " + string.Join(" AND ", filters) + " ORDER BY created_at, id LIMIT @limit;";
        var items = await OrdersAsync(sql, c =>
        {
            if (query.CertificateId is { } cert)
            {
                Add(c, "@cert", Key(cert));
            }

            if (position is { } pos)
            {
                Add(c, "@at", pos.Ticks);
                Add(c, "@id", Key(pos.Id));
            }

            Add(c, "@limit", query.PageSize + 1);
        }, cancellationToken).ConfigureAwait(false);
        return ContinuationToken.Page(items.ToList(), query.PageSize, x => (x.CreatedAt, x.Id));
    }

    public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) =>
        ReadAsync("read", cancellationToken, async session =>
        {
            var command = session.Command(status is null
                ? "SELECT count(*) FROM certificates WHERE account_id = @account;"
                : "SELECT count(*) FROM certificates WHERE account_id = @account AND status = @status;");
            Add(command, "@account", Account);
            if (status is { } s)
            {
                Add(command, "@status", (int)s);
            }

            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        });

    public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ValidateName(accountId, nameof(accountId));
        return ReadAsync("read", cancellationToken, async session =>
        {
            var command = session.Command("SELECT payload FROM catalog WHERE account_id = @a;");
            Add(command, "@a", accountId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? Deserialize(_dialect.ReadPayload(reader, 0), RelationalJsonContext.Default.ScmAccountCatalog, "catalog")
                : null;
        });
    }

    public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ValidateName(catalog.AccountId, nameof(catalog));
        var payload = JsonSerializer.Serialize(catalog, RelationalJsonContext.Default.ScmAccountCatalog);
        return ExecuteAsync("write", cancellationToken, async session =>
        {
            var command = session.Command("INSERT INTO catalog(account_id, payload) VALUES(@a, @p) ON CONFLICT(account_id) DO UPDATE SET payload = excluded.payload;");
            Add(command, "@a", catalog.AccountId);
            Add(command, "@p", payload);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ValidateAudit(entry, nameof(entry));
        return ExecuteAsync("audit", cancellationToken, session => AppendAuditAsync(session, entry, cancellationToken), idempotent: false);
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ValidateLimit(query.Limit, MaxListLimit, nameof(query));
        var filters = new List<string> { "account_id = @account" };
        if (query.From is not null)
        {
            filters.Add("timestamp >= @from");
        }

        if (query.To is not null)
        {
            filters.Add("timestamp < @to");
        }

        if (query.CertificateId is not null)
        {
            filters.Add("certificate_id = @cert");
        }

        if (query.Action is not null)
        {
            filters.Add("action = @action");
        }

        if (query.AfterSequence is not null)
        {
            filters.Add("seq > @after");
        }

        var sql = "SELECT payload, seq FROM audit WHERE " + string.Join(" AND ", filters) + " ORDER BY seq LIMIT @limit;";
        return ReadAsync<IReadOnlyList<AuditEntry>>("read", cancellationToken, async session =>
        {
            var command = session.Command(sql);
            Add(command, "@account", Account);
            if (query.From is { } from)
            {
                Add(command, "@from", from.UtcTicks);
            }

            if (query.To is { } to)
            {
                Add(command, "@to", to.UtcTicks);
            }

            if (query.CertificateId is { } cert)
            {
                Add(command, "@cert", Key(cert));
            }

            if (query.Action is { } action)
            {
                Add(command, "@action", action);
            }

            if (query.AfterSequence is { } after)
            {
                Add(command, "@after", after);
            }

            Add(command, "@limit", query.Limit);
            var result = new List<AuditEntry>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(Deserialize(_dialect.ReadPayload(reader, 0), RelationalJsonContext.Default.AuditEntry, "audit entry")! with { Sequence = reader.GetInt64(1) });
            }

            return result;
        });
    }

    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateName(key, nameof(key));
        return ReadAsync("read", cancellationToken, async session =>
        {
            var command = session.Command("SELECT value FROM job_state WHERE account_id = @account AND key = @k;");
            Add(command, "@account", Account);
            Add(command, "@k", key);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        });
    }

    public Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ValidateName(key, nameof(key));
        return ExecuteAsync("write", cancellationToken, async session =>
        {
            var command = session.Command(value is null
                ? "DELETE FROM job_state WHERE account_id = @account AND key = @k;"
                : "INSERT INTO job_state(account_id, key, value) VALUES(@account, @k, @v) ON CONFLICT(account_id, key) DO UPDATE SET value = excluded.value;");
            Add(command, "@account", Account);
            Add(command, "@k", key);
            if (value is not null)
            {
                Add(command, "@v", value);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    private async Task<CertificateOrder?> FirstOrderAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        (await OrdersAsync(sql, bind, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    private async Task<ManagedCertificate?> FirstCertificateAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        (await CertificatesAsync(sql, bind, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    private Task<IReadOnlyList<CertificateOrder>> OrdersAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<CertificateOrder>>("read", cancellationToken, session => QueryAsync(session, sql, bind, RelationalJsonContext.Default.CertificateOrder, "order", (o, v) => o with { Version = v }, cancellationToken));

    private Task<IReadOnlyList<ManagedCertificate>> CertificatesAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ManagedCertificate>>("read", cancellationToken, session => QueryAsync(session, sql, bind, RelationalJsonContext.Default.ManagedCertificate, "certificate", (c, v) => c with { Version = v }, cancellationToken));

    private async Task<IReadOnlyList<T>> QueryAsync<T>(Session session, string sql, Action<DbCommand> bind, JsonTypeInfo<T> type, string what, Func<T, long, T> withVersion, CancellationToken cancellationToken)
    {
        var command = session.Command(sql);
        Add(command, "@account", Account);
        bind(command);
        var result = new List<T>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(withVersion(Deserialize(_dialect.ReadPayload(reader, 0), type, what)!, reader.GetInt64(1)));
        }

        return result;
    }

    /// <summary>A read on its own connection, repeated as a whole after a transient failure.</summary>
    private Task<T> ReadAsync<T>(string operation, CancellationToken cancellationToken, Func<Session, Task<T>> read) =>
        RunAsync(operation, cancellationToken, write: false, idempotent: true, read);

    /// <summary>
    /// A single statement that writes (autocommit). <paramref name="idempotent"/>: running it twice leaves what running it
    /// once does (a lease renewal, a job-state upsert), so it is repeated after a transient failure even when the first
    /// run may have been applied; otherwise (an audit append) it is not.
    /// </summary>
    private Task<T> ExecuteAsync<T>(string operation, CancellationToken cancellationToken, Func<Session, Task<T>> execute, bool idempotent = true) =>
        RunAsync(operation, cancellationToken, write: false, idempotent, execute);

    /// <summary>A write transaction on its own connection, repeated after a transient failure only if its commit was never sent.</summary>
    private Task<T> WriteAsync<T>(string operation, CancellationToken cancellationToken, Func<Session, Task<T>> write) =>
        RunAsync(operation, cancellationToken, write: true, idempotent: false, write);

    private async Task<T> RunAsync<T>(string operation, CancellationToken cancellationToken, bool write, bool idempotent, Func<Session, Task<T>> body)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                using var session = new Session(connection, _dialect.ReuseCommands);
                if (!write)
                {
                    return await body(session).ConfigureAwait(false);
                }

                var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                var committed = false;
                try
                {
                    var result = await body(session).ConfigureAwait(false);
                    commitSent = true;
                    await _dialect.CommitWriteAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    committed = true;
                    return result;
                }
                finally
                {
                    if (!committed)
                    {
                        await _dialect.RollbackWriteAsync(connection, transaction).ConfigureAwait(false);
                    }

                    if (transaction is not null)
                    {
                        await transaction.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (attempt < MaxAttempts && (write ? !commitSent : idempotent) && _dialect.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                RelationalLog.Retrying(_logger, _dialect.Product, operation, attempt, ex.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * (1 << attempt)), TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException ex) when (write && commitSent && _dialect.IsTransient(ex))
            {
                throw new ScmStoreException(StoreErrorKind.Unavailable,
                    $"The connection to {_dialect.Product} broke while the {operation} was being committed; whether it was applied is unknown. Read the records again before deciding.",
                    _dialect.Map(ex, operation));
            }
            catch (DbException ex)
            {
                throw _dialect.Map(ex, operation);
            }
        }
    }

    private async Task<StoreConflictException> VersionConflictAsync(Session session, string table, string type, Guid id, long expected, CancellationToken cancellationToken)
    {
        var command = session.Command($"SELECT version FROM {table} WHERE id = @id AND account_id = @account;");
        Add(command, "@id", Key(id));
        Add(command, "@account", Account);
        var stored = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return stored is null or DBNull
            ? Conflict(new StoreConflictException(StoreConflictReason.NotFound, type, id, expected))
            : Conflict(new StoreConflictException(StoreConflictReason.VersionMismatch, type, id, expected, Convert.ToInt64(stored, CultureInfo.InvariantCulture)));
    }

    /// <summary>Runs a write; a constraint violation is reported as the rule it broke (the unique index caught it).</summary>
    private async Task<int> ExecuteWriteAsync(Session session, DbCommand command, string type, Guid id, Guid? certificateId, bool insert, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (_dialect.ClassifyConstraint(ex) is { } reason)
        {
            if (reason == StoreConflictReason.OpenOrderExists && certificateId is { } certificate)
            {
                // An open order whose id already exists breaks both rules; the id is the conflict (every store reports it so).
                if (insert && !session.Aborted && await IdExistsAsync(session, type, id, cancellationToken).ConfigureAwait(false))
                {
                    throw Conflict(new StoreConflictException(StoreConflictReason.AlreadyExists, type, id));
                }

                throw Conflict(new StoreConflictException(StoreConflictReason.OpenOrderExists, type, certificate));
            }

            // A primary key across accounts: the id exists (possibly under another account, which this store never shows).
            throw Conflict(new StoreConflictException(StoreConflictReason.AlreadyExists, type, id));
        }
    }

    private async Task<bool> IdExistsAsync(Session session, string type, Guid id, CancellationToken cancellationToken)
    {
        try
        {
            var command = session.Command(type == "order" ? "SELECT 1 FROM orders WHERE id = @id;" : "SELECT 1 FROM certificates WHERE id = @id;");
            Add(command, "@id", Key(id));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null and not DBNull;
        }
        catch (DbException)
        {
            // A database that aborts the transaction on the first error cannot answer: the constraint's own name stands.
            session.Aborted = true;
            return false;
        }
    }

    private StoreConflictException Conflict(StoreConflictException ex)
    {
        RelationalLog.Conflict(_logger, _dialect.Product, ex.Reason, ex.RecordType);
        return ex;
    }

    private static T? Deserialize<T>(byte[] json, JsonTypeInfo<T> type, string what)
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

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static void Add(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    internal static string Key(Guid id) => id.ToString("N");

    private void ValidateBatch(StoreBatch batch) => StoreArguments.ValidateBatch(batch, Account);

    /// <summary>
    /// One operation's connection. Where the dialect says so (<see cref="RelationalDialect.ReuseCommands"/>) its commands are
    /// kept, so a batch of many inserts compiles each statement once instead of once per record; otherwise each statement
    /// gets a new command and the driver's own statement cache does that. Commands handed out are owned by the session.
    /// </summary>
    private sealed class Session(DbConnection connection, bool reuse) : IDisposable
    {
        private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
        private readonly List<DbCommand> _used = [];

        public DbConnection Connection { get; } = connection;

        /// <summary>Whether the database aborted the transaction (no further statement can run in it).</summary>
        public bool Aborted { get; set; }

        public DbCommand Command(string sql)
        {
            if (reuse && _commands.TryGetValue(sql, out var command))
            {
                command.Parameters.Clear();
                return command;
            }

            command = Connection.CreateCommand();
            command.CommandText = sql;
            if (reuse)
            {
                _commands[sql] = command;
            }
            else
            {
                _used.Add(command);
            }

            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values.Concat(_used))
            {
                command.Dispose();
            }
        }
    }
}
