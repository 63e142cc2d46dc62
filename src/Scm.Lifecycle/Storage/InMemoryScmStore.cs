using System.Globalization;
using Scm.Storage;

namespace Scm.Lifecycle.Storage;

/// <summary>
/// A thread-safe store kept in memory, with exactly the semantics of the durable stores (optimistic concurrency,
/// atomic fenced batches, one open order per certificate, leases with fencing tokens). For tests and ephemeral hosts:
/// everything is lost when the process ends.
/// </summary>
public sealed class InMemoryScmStore : IScmStore
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<Guid, CertificateOrder> _orders = [];
    private readonly Dictionary<Guid, ManagedCertificate> _certificates = [];
    private readonly List<AuditEntry> _audit = [];
    private readonly Dictionary<string, ScmAccountCatalog> _catalogs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LeaseToken?> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _fences = new(StringComparer.Ordinal);
    private long _auditSequence;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for lease expiry (default: the system clock).</param>
    public InMemoryScmStore(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (batch.RequiredLease is { } required && !IsHeld(required))
            {
                throw new StoreConflictException(StoreConflictReason.LeaseLost, "lease");
            }

            // Apply to copies, then swap: all or nothing.
            var orders = new Dictionary<Guid, CertificateOrder>(_orders);
            var certificates = new Dictionary<Guid, ManagedCertificate>(_certificates);
            var writtenOrders = new List<CertificateOrder>();
            var writtenCertificates = new List<ManagedCertificate>();
            var audit = new List<AuditEntry>();
            var sequence = _auditSequence;
            foreach (var operation in batch.Operations)
            {
                switch (operation)
                {
                    case InsertOrderOperation insert:
                        RequireNewVersion(insert.Order.Version, "order", insert.Order.Id);
                        if (orders.ContainsKey(insert.Order.Id))
                        {
                            throw new StoreConflictException(StoreConflictReason.AlreadyExists, "order", insert.Order.Id);
                        }

                        Put(orders, insert.Order with { Version = 1 }, writtenOrders);
                        break;
                    case UpdateOrderOperation update:
                        var current = Existing(orders, update.Order.Id, update.Order.Version, "order");
                        Put(orders, update.Order with { Version = current.Version + 1 }, writtenOrders);
                        break;
                    case DeleteOrderOperation delete:
                        Existing(orders, delete.Id, delete.ExpectedVersion, "order");
                        orders.Remove(delete.Id);
                        break;
                    case InsertCertificateOperation insert:
                        RequireNewVersion(insert.Certificate.Version, "certificate", insert.Certificate.Id);
                        if (certificates.ContainsKey(insert.Certificate.Id))
                        {
                            throw new StoreConflictException(StoreConflictReason.AlreadyExists, "certificate", insert.Certificate.Id);
                        }

                        var inserted = insert.Certificate with { Version = 1 };
                        certificates[inserted.Id] = inserted;
                        writtenCertificates.Add(inserted);
                        break;
                    case UpdateCertificateOperation update:
                        var existing = Existing(certificates, update.Certificate.Id, update.Certificate.Version, "certificate");
                        var updated = update.Certificate with { Version = existing.Version + 1 };
                        certificates[updated.Id] = updated;
                        writtenCertificates.Add(updated);
                        break;
                    case DeleteCertificateOperation delete:
                        Existing(certificates, delete.Id, delete.ExpectedVersion, "certificate");
                        certificates.Remove(delete.Id);
                        break;
                    case AppendAuditOperation append:
                        audit.Add(append.Entry with { Sequence = ++sequence });
                        break;
                    default:
                        throw new ArgumentException($"Unknown store operation {operation.GetType().Name}.", nameof(batch));
                }
            }

            // The one-open-order invariant, checked on the result of the whole batch.
            foreach (var group in orders.Values.Where(o => o.IsOpen).GroupBy(o => o.CertificateId))
            {
                if (group.Count() > 1)
                {
                    throw new StoreConflictException(StoreConflictReason.OpenOrderExists, "order", group.Key);
                }
            }

            _orders.Clear();
            foreach (var (id, order) in orders)
            {
                _orders[id] = order;
            }

            _certificates.Clear();
            foreach (var (id, certificate) in certificates)
            {
                _certificates[id] = certificate;
            }

            _audit.AddRange(audit);
            _auditSequence = sequence;
            return Task.FromResult(new StoreBatchResult(writtenOrders, writtenCertificates, audit));
        }
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_orders.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_certificates.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_orders.Values.FirstOrDefault(o => o.CertificateId == certificateId && o.IsOpen));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CertificateOrder>>(_orders.Values.Where(o => o.SslId == sslId).OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).ToArray());
        }
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(correlationToken);
        lock (_gate)
        {
            return Task.FromResult(_orders.Values.FirstOrDefault(o => string.Equals(o.CorrelationToken, correlationToken, StringComparison.OrdinalIgnoreCase)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ManagedCertificate>>(_certificates.Values.Where(c => c.SslId == sslId).OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).ToArray());
        }
    }

    /// <inheritdoc />
    public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serialNumber);
        var wanted = NormalizeSerial(serialNumber);
        lock (_gate)
        {
            return Task.FromResult(_certificates.Values.FirstOrDefault(c => NormalizeSerial(c.SerialNumber) == wanted));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CertificateOrder>>(_orders.Values
                .Where(o => o.IsOpen && (dueAtOrBefore is null || o.NextAttemptAt is null || o.NextAttemptAt <= dueAtOrBefore))
                .OrderBy(o => o.NextAttemptAt.HasValue ? 1 : 0).ThenBy(o => o.NextAttemptAt).ThenBy(o => o.CreatedAt).ThenBy(o => o.Id)
                .Take(limit)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ManagedCertificate>>(_certificates.Values
                .Where(c => c.Status == CertificateStatus.Active && c.NotAfter < notAfterBefore)
                .Where(c => after is null || c.NotAfter > after.NotAfter || (c.NotAfter == after.NotAfter && c.Id.CompareTo(after.Id) > 0))
                .OrderBy(c => c.NotAfter).ThenBy(c => c.Id)
                .Take(limit)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, 1000);
        var position = ParseToken(query.ContinuationToken);
        lock (_gate)
        {
            var matching = _certificates.Values
                .Where(c => query.Status is null || c.Status == query.Status)
                .Where(c => query.CommonName is null || string.Equals(c.CommonName, query.CommonName, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
                .Where(c => position is null || c.CreatedAt > position.Value.At || (c.CreatedAt == position.Value.At && c.Id.CompareTo(position.Value.Id) > 0))
                .Take(query.PageSize + 1)
                .ToArray();
            return Task.FromResult(Page(matching, query.PageSize, c => (c.CreatedAt, c.Id)));
        }
    }

    /// <inheritdoc />
    public Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, 1000);
        var position = ParseToken(query.ContinuationToken);
        lock (_gate)
        {
            var matching = _orders.Values
                .Where(o => query.States.Count == 0 || query.States.Contains(o.State))
                .Where(o => query.CertificateId is null || o.CertificateId == query.CertificateId)
                .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
                .Where(o => position is null || o.CreatedAt > position.Value.At || (o.CreatedAt == position.Value.At && o.Id.CompareTo(position.Value.Id) > 0))
                .Take(query.PageSize + 1)
                .ToArray();
            return Task.FromResult(Page(matching, query.PageSize, o => (o.CreatedAt, o.Id)));
        }
    }

    /// <inheritdoc />
    public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_certificates.Values.Count(c => status is null || c.Status == status));
        }
    }

    /// <inheritdoc />
    public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        lock (_gate)
        {
            return Task.FromResult(_catalogs.GetValueOrDefault(accountId));
        }
    }

    /// <inheritdoc />
    public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        lock (_gate)
        {
            _catalogs[catalog.AccountId] = catalog;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var stored = entry with { Sequence = ++_auditSequence };
            _audit.Add(stored);
            return Task.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 10_000);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AuditEntry>>(_audit
                .Where(e => query.From is null || e.Timestamp >= query.From)
                .Where(e => query.To is null || e.Timestamp < query.To)
                .Where(e => query.CertificateId is null || e.CertificateId == query.CertificateId)
                .Where(e => query.Action is null || string.Equals(e.Action, query.Action, StringComparison.Ordinal))
                .Where(e => query.AfterSequence is null || e.Sequence > query.AfterSequence)
                .Take(query.Limit)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateName(key, nameof(key));
        lock (_gate)
        {
            return Task.FromResult(_values.GetValueOrDefault(key));
        }
    }

    /// <inheritdoc />
    public Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ValidateName(key, nameof(key));
        lock (_gate)
        {
            if (value is null)
            {
                _values.Remove(key);
            }
            else
            {
                _values[key] = value;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ValidateName(name, nameof(name));
        ValidateName(owner, nameof(owner));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var current = _leases.GetValueOrDefault(name);
            if (current is not null && current.ExpiresAt > now)
            {
                if (!string.Equals(current.Owner, owner, StringComparison.Ordinal))
                {
                    return Task.FromResult<LeaseToken?>(null);
                }

                var extended = current with { ExpiresAt = now + duration };
                _leases[name] = extended;
                return Task.FromResult<LeaseToken?>(extended);
            }

            var fence = _fences.GetValueOrDefault(name) + 1;
            _fences[name] = fence;
            var lease = new LeaseToken(name, owner, fence, now + duration);
            _leases[name] = lease;
            return Task.FromResult<LeaseToken?>(lease);
        }
    }

    /// <inheritdoc />
    public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        lock (_gate)
        {
            if (!IsHeld(lease))
            {
                return Task.FromResult<LeaseToken?>(null);
            }

            var renewed = _leases[lease.Name]! with { ExpiresAt = _time.GetUtcNow() + duration };
            _leases[lease.Name] = renewed;
            return Task.FromResult<LeaseToken?>(renewed);
        }
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            if (_leases.GetValueOrDefault(lease.Name) is { } current && current.FencingToken == lease.FencingToken && current.Owner == lease.Owner)
            {
                _leases[lease.Name] = null;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            return Task.FromResult(IsHeld(lease) ? _leases[lease.Name] : null);
        }
    }

    private bool IsHeld(LeaseToken lease) =>
        _leases.GetValueOrDefault(lease.Name) is { } current
        && current.FencingToken == lease.FencingToken
        && string.Equals(current.Owner, lease.Owner, StringComparison.Ordinal)
        && current.ExpiresAt > _time.GetUtcNow();

    private static void Put(Dictionary<Guid, CertificateOrder> orders, CertificateOrder order, List<CertificateOrder> written)
    {
        orders[order.Id] = order;
        written.Add(order);
    }

    private static T Existing<T>(Dictionary<Guid, T> records, Guid id, long expectedVersion, string type)
        where T : class
    {
        if (!records.TryGetValue(id, out var current))
        {
            throw new StoreConflictException(StoreConflictReason.NotFound, type, id, expectedVersion);
        }

        var version = current switch
        {
            CertificateOrder o => o.Version,
            ManagedCertificate c => c.Version,
            _ => 0,
        };
        if (version != expectedVersion)
        {
            throw new StoreConflictException(StoreConflictReason.VersionMismatch, type, id, expectedVersion, version);
        }

        return current;
    }

    private static void RequireNewVersion(long version, string type, Guid id)
    {
        if (version != 0)
        {
            throw new ArgumentException($"A new {type} ({id}) must have version 0; got {version}.", nameof(version));
        }
    }

    private static void ValidateName(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Length > 200)
        {
            throw new ArgumentException($"{parameter} must be 1-200 characters.", parameter);
        }
    }

    private static string NormalizeSerial(string serial) => serial.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private static StorePage<T> Page<T>(IReadOnlyList<T> matching, int size, Func<T, (DateTimeOffset At, Guid Id)> key)
    {
        if (matching.Count <= size)
        {
            return new StorePage<T>(matching, null);
        }

        var items = matching.Take(size).ToArray();
        var (at, id) = key(items[^1]);
        return new StorePage<T>(items, at.UtcTicks.ToString(CultureInfo.InvariantCulture) + "_" + id.ToString("N"));
    }

    private static (DateTimeOffset At, Guid Id)? ParseToken(string? token)
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

        return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
    }
}
