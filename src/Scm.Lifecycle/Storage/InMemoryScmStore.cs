using System.Globalization;
using System.Text;
using Scm.Storage;

using static Scm.Storage.StoreArguments;

namespace Scm.Lifecycle.Storage;

/// <summary>
/// A thread-safe store kept in memory, with exactly the semantics of the durable stores: optimistic concurrency
/// (insert stores version 1, every update or delete must name the stored version), atomic batches fenced by a lease,
/// at most one open order per certificate (checked after every operation of a batch, as a unique index would),
/// audit sequences in append order, and leases whose fencing tokens only ever increase. Records are copied on the
/// way in and out, so a caller changing an array it passed or received never changes the stored state.
/// For tests and ephemeral hosts: everything is lost when the process ends. Records are partitioned by account (see
/// <see cref="ForAccount"/>); this instance holds the account <c>default</c>.
/// </summary>
public sealed class InMemoryScmStore : IPartitionedScmStore
{

    private readonly object _gate;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, InMemoryScmStore> _accounts;
    private readonly Dictionary<Guid, CertificateOrder> _orders = [];
    private readonly Dictionary<Guid, Guid> _openOrderByCertificate = [];
    private readonly Dictionary<Guid, ManagedCertificate> _certificates = [];
    private readonly Dictionary<long, HashSet<Guid>> _ordersBySslId = [];
    private readonly Dictionary<long, HashSet<Guid>> _certificatesBySslId = [];
    private readonly List<AuditEntry> _audit = [];
    private readonly Dictionary<string, ScmAccountCatalog> _catalogs;
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LeaseRecord> _leases = new(StringComparer.Ordinal);
    private long _auditSequence;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for lease expiry (default: the system clock).</param>
    public InMemoryScmStore(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _gate = new object();
        _catalogs = new Dictionary<string, ScmAccountCatalog>(StringComparer.Ordinal);
        _accounts = new Dictionary<string, InMemoryScmStore>(StringComparer.Ordinal);
        Account = "default";
        _accounts[Account] = this;
    }

    private InMemoryScmStore(InMemoryScmStore root, string account)
    {
        _time = root._time;
        _gate = root._gate;
        _catalogs = root._catalogs;
        _accounts = root._accounts;
        Account = account;
    }

    /// <summary>The account this instance reads and writes (<c>default</c> for a store made with the constructor).</summary>
    public string Account { get; }

    /// <summary>
    /// The store of another account: its own orders, certificates, audit log, job state and leases (the catalogs, keyed by
    /// account, are shared). The same instance is returned for the same name.
    /// </summary>
    /// <param name="account">The account (1-200 characters).</param>
    /// <returns>The store of that account.</returns>
    /// <exception cref="ArgumentException">The account is empty or longer than 200 characters.</exception>
    public InMemoryScmStore ForAccount(string account)
    {
        ValidateName(account, nameof(account));
        lock (_gate)
        {
            if (!_accounts.TryGetValue(account, out var store))
            {
                store = new InMemoryScmStore(this, account);
                _accounts[account] = store;
            }

            return store;
        }
    }

    /// <inheritdoc />
    IScmStore IPartitionedScmStore.ForAccount(string account) => ForAccount(account);

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ValidateBatch(batch);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (batch.RequiredLease is { } required && !IsHeld(required))
            {
                throw new StoreConflictException(StoreConflictReason.LeaseLost, "lease");
            }

            // Every change goes to a staging overlay first; the overlay is applied only when every operation passed,
            // so a failing operation leaves nothing behind (records, open-order index or audit).
            var staging = new Staging(this);
            foreach (var operation in batch.Operations)
            {
                staging.Apply(operation);
            }

            staging.Publish();
            return Task.FromResult(new StoreBatchResult(
                staging.WrittenOrders.Select(Copy).ToArray(),
                staging.WrittenCertificates.Select(Copy).ToArray(),
                staging.Audit.ToArray()));
        }
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOrderAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_orders.TryGetValue(id, out var order) ? Copy(order) : null);
        }
    }

    /// <inheritdoc />
    public Task<ManagedCertificate?> GetCertificateAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_certificates.TryGetValue(id, out var certificate) ? Copy(certificate) : null);
        }
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> GetOpenOrderForCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_openOrderByCertificate.TryGetValue(certificateId, out var id) ? Copy(_orders[id]) : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> FindOrdersBySslIdAsync(long sslId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CertificateOrder>>(Indexed(_ordersBySslId, sslId).Select(id => _orders[id])
                .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
                .Select(Copy)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<long>> FindKnownSslIdsAsync(IReadOnlyCollection<long> sslIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sslIds);
        if (sslIds.Count > MaxSslIdLookup)
        {
            throw new ArgumentOutOfRangeException(nameof(sslIds), sslIds.Count, "At most 1,000 sslIds can be looked up at once.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var known = new HashSet<long>();
            foreach (var sslId in sslIds)
            {
                if (_ordersBySslId.ContainsKey(sslId) || _certificatesBySslId.ContainsKey(sslId))
                {
                    known.Add(sslId);
                }
            }

            return Task.FromResult<IReadOnlySet<long>>(known);
        }
    }

    /// <inheritdoc />
    public Task<CertificateOrder?> FindOrderByCorrelationTokenAsync(string correlationToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(correlationToken);
        lock (_gate)
        {
            var found = _orders.Values
                .Where(o => AsciiEqualsIgnoreCase(o.CorrelationToken, correlationToken))
                .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
                .FirstOrDefault();
            return Task.FromResult(found is null ? null : Copy(found));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> FindCertificatesBySslIdAsync(long sslId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ManagedCertificate>>(Indexed(_certificatesBySslId, sslId).Select(id => _certificates[id])
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
                .Select(Copy)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public Task<ManagedCertificate?> FindCertificateBySerialAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serialNumber);
        var wanted = NormalizeSerial(serialNumber);
        lock (_gate)
        {
            var found = _certificates.Values
                .Where(c => string.Equals(NormalizeSerial(c.SerialNumber), wanted, StringComparison.Ordinal))
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
                .FirstOrDefault();
            return Task.FromResult(found is null ? null : Copy(found));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificateOrder>> ListOpenOrdersAsync(DateTimeOffset? dueAtOrBefore, int limit, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit, MaxListLimit, nameof(limit));
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CertificateOrder>>(_openOrderByCertificate.Values
                .Select(id => _orders[id])
                .Where(o => dueAtOrBefore is null || o.NextAttemptAt is null || o.NextAttemptAt <= dueAtOrBefore)
                .OrderBy(o => o.NextAttemptAt.HasValue ? 1 : 0).ThenBy(o => o.NextAttemptAt).ThenBy(o => o.CreatedAt).ThenBy(o => o.Id)
                .Take(limit)
                .Select(Copy)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ManagedCertificate>> ListCertificatesDueAsync(DateTimeOffset notAfterBefore, int limit, CertificateDuePosition? after = null, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit, MaxListLimit, nameof(limit));
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ManagedCertificate>>(_certificates.Values
                .Where(c => c.Status == CertificateStatus.Active && c.NotAfter < notAfterBefore)
                .Where(c => after is null || c.NotAfter > after.NotAfter || (c.NotAfter == after.NotAfter && c.Id.CompareTo(after.Id) > 0))
                .OrderBy(c => c.NotAfter).ThenBy(c => c.Id)
                .Take(limit)
                .Select(Copy)
                .ToArray());
        }
    }

    /// <inheritdoc />
    public Task<StorePage<ManagedCertificate>> ListCertificatesAsync(CertificateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ValidateLimit(query.PageSize, MaxPageSize, nameof(query));
        var position = ContinuationToken.Parse(query.ContinuationToken, nameof(query));
        lock (_gate)
        {
            var matching = _certificates.Values
                .Where(c => query.Status is null || c.Status == query.Status)
                .Where(c => query.CommonName is null || AsciiEqualsIgnoreCase(c.CommonName, query.CommonName))
                .Where(c => position is null || c.CreatedAt.UtcTicks > position.Value.Ticks || (c.CreatedAt.UtcTicks == position.Value.Ticks && c.Id.CompareTo(position.Value.Id) > 0))
                .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
                .Take(query.PageSize + 1)
                .Select(Copy)
                .ToList();
            return Task.FromResult(ContinuationToken.Page(matching, query.PageSize, c => (c.CreatedAt, c.Id)));
        }
    }

    /// <inheritdoc />
    public Task<StorePage<CertificateOrder>> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.States, nameof(query));
        ValidateLimit(query.PageSize, MaxPageSize, nameof(query));
        var position = ContinuationToken.Parse(query.ContinuationToken, nameof(query));
        lock (_gate)
        {
            var matching = _orders.Values
                .Where(o => query.States.Count == 0 || query.States.Contains(o.State))
                .Where(o => query.CertificateId is null || o.CertificateId == query.CertificateId)
                .Where(o => position is null || o.CreatedAt.UtcTicks > position.Value.Ticks || (o.CreatedAt.UtcTicks == position.Value.Ticks && o.Id.CompareTo(position.Value.Id) > 0))
                .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
                .Take(query.PageSize + 1)
                .Select(Copy)
                .ToList();
            return Task.FromResult(ContinuationToken.Page(matching, query.PageSize, o => (o.CreatedAt, o.Id)));
        }
    }

    /// <inheritdoc />
    public Task<int> CountCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(status is null ? _certificates.Count : _certificates.Values.Count(c => c.Status == status));
        }
    }

    /// <inheritdoc />
    public Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ValidateName(accountId, nameof(accountId));
        lock (_gate)
        {
            return Task.FromResult(_catalogs.GetValueOrDefault(accountId));
        }
    }

    /// <inheritdoc />
    public Task SaveCatalogAsync(ScmAccountCatalog catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ValidateName(catalog.AccountId, nameof(catalog));
        cancellationToken.ThrowIfCancellationRequested();
        var frozen = Freeze(catalog);
        lock (_gate)
        {
            _catalogs[catalog.AccountId] = frozen;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ValidateAudit(entry, nameof(entry));
        cancellationToken.ThrowIfCancellationRequested();
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
        ValidateLimit(query.Limit, MaxListLimit, nameof(query));
        lock (_gate)
        {
            // The log is kept in sequence order, so paging by sequence skips ahead with a binary search.
            var start = query.AfterSequence is { } after ? FirstAfter(after) : 0;
            var result = new List<AuditEntry>();
            for (var i = start; i < _audit.Count && result.Count < query.Limit; i++)
            {
                var e = _audit[i];
                if ((query.From is null || e.Timestamp >= query.From)
                    && (query.To is null || e.Timestamp < query.To)
                    && (query.CertificateId is null || e.CertificateId == query.CertificateId)
                    && (query.Action is null || string.Equals(e.Action, query.Action, StringComparison.Ordinal)))
                {
                    result.Add(e);
                }
            }

            return Task.FromResult<IReadOnlyList<AuditEntry>>(result);
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
        cancellationToken.ThrowIfCancellationRequested();
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
        ValidateDuration(duration, nameof(duration));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _leases.TryGetValue(name, out var current);
            if (current is { Owner: not null } && current.ExpiresAt > now)
            {
                if (!string.Equals(current.Owner, owner, StringComparison.Ordinal))
                {
                    return Task.FromResult<LeaseToken?>(null);
                }

                // Re-acquisition by the holder extends the lease and keeps its fencing token.
                _leases[name] = current with { ExpiresAt = now + duration };
                return Task.FromResult<LeaseToken?>(new LeaseToken(name, owner, current.FencingToken, now + duration));
            }

            // Free, released or expired: a new holder, always with a higher fencing token than any before it.
            var fence = (current?.FencingToken ?? 0) + 1;
            _leases[name] = new LeaseRecord(owner, fence, now + duration);
            return Task.FromResult<LeaseToken?>(new LeaseToken(name, owner, fence, now + duration));
        }
    }

    /// <inheritdoc />
    public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        ValidateDuration(duration, nameof(duration));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!IsHeld(lease))
            {
                return Task.FromResult<LeaseToken?>(null);
            }

            var expires = _time.GetUtcNow() + duration;
            _leases[lease.Name] = _leases[lease.Name] with { ExpiresAt = expires };
            return Task.FromResult<LeaseToken?>(lease with { ExpiresAt = expires });
        }
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        lock (_gate)
        {
            // Releasing keeps the fencing token, so the next holder still gets a higher one.
            if (_leases.TryGetValue(lease.Name, out var current)
                && current.FencingToken == lease.FencingToken
                && string.Equals(current.Owner, lease.Owner, StringComparison.Ordinal))
            {
                _leases[lease.Name] = new LeaseRecord(null, current.FencingToken, DateTimeOffset.MinValue);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        lock (_gate)
        {
            return Task.FromResult(IsHeld(lease) ? lease with { ExpiresAt = _leases[lease.Name].ExpiresAt } : null);
        }
    }

    private int FirstAfter(long sequence)
    {
        int low = 0, high = _audit.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (_audit[middle].Sequence <= sequence)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private bool IsHeld(LeaseToken lease) =>
        _leases.TryGetValue(lease.Name, out var current)
        && current.Owner is not null
        && current.FencingToken == lease.FencingToken
        && string.Equals(current.Owner, lease.Owner, StringComparison.Ordinal)
        && current.ExpiresAt > _time.GetUtcNow();

    private void ValidateBatch(StoreBatch batch) => StoreArguments.ValidateBatch(batch, Account);

    /// <summary>Case-insensitive for ASCII letters only, exactly like SQLite's NOCASE collation.</summary>
    private static bool AsciiEqualsIgnoreCase(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            char x = a[i], y = b[i];
            if (x != y && !(char.IsAsciiLetter(x) && char.IsAsciiLetter(y) && (x | 0x20) == (y | 0x20)))
            {
                return false;
            }
        }

        return true;
    }

    private static CertificateOrder Freeze(CertificateOrder order) => order with
    {
        ProtectedPrivateKey = CopyBytes(order.ProtectedPrivateKey),
        ProtectedKeystorePassword = CopyBytes(order.ProtectedKeystorePassword),
        Request = order.Request with
        {
            SubjectAlternativeNames = FreezeList(order.Request.SubjectAlternativeNames),
            ExternalRequesters = FreezeList(order.Request.ExternalRequesters),
            CustomFields = FreezeList(order.Request.CustomFields),
            Tags = FreezeList(order.Request.Tags),
        },
    };

    private static ManagedCertificate Freeze(ManagedCertificate certificate) => certificate with
    {
        SubjectAlternativeNames = FreezeList(certificate.SubjectAlternativeNames),
        Tags = FreezeList(certificate.Tags),
        ProtectedPrivateKey = CopyBytes(certificate.ProtectedPrivateKey),
        ProtectedKeystore = CopyBytes(certificate.ProtectedKeystore),
        ProtectedKeystorePassword = CopyBytes(certificate.ProtectedKeystorePassword),
    };

    private static ScmAccountCatalog Freeze(ScmAccountCatalog catalog) => catalog with
    {
        Organizations = FreezeList(catalog.Organizations?.Select(o => o with { CertificateTypes = FreezeList(o.CertificateTypes) })),
        Domains = FreezeList(catalog.Domains?.Select(d => d with
        {
            Delegations = FreezeList(d.Delegations?.Select(x => x with { CertificateTypes = FreezeList(x.CertificateTypes) })),
        })),
        Profiles = FreezeList(catalog.Profiles?.Select(p => p with
        {
            Terms = FreezeList(p.Terms),
            OrganizationIds = FreezeList(p.OrganizationIds),
            KeyTypes = (p.KeyTypes ?? new Dictionary<string, IReadOnlyList<string>>()).ToDictionary(k => k.Key, k => FreezeList(k.Value), StringComparer.Ordinal).AsReadOnly(),
        })),
        CustomFields = FreezeList(catalog.CustomFields),
    };

    /// <summary>A stored record handed out: its byte arrays are copies (lists are already read-only).</summary>
    private static CertificateOrder Copy(CertificateOrder order) => order with
    {
        ProtectedPrivateKey = CopyBytes(order.ProtectedPrivateKey),
        ProtectedKeystorePassword = CopyBytes(order.ProtectedKeystorePassword),
    };

    private static ManagedCertificate Copy(ManagedCertificate certificate) => certificate with
    {
        ProtectedPrivateKey = CopyBytes(certificate.ProtectedPrivateKey),
        ProtectedKeystore = CopyBytes(certificate.ProtectedKeystore),
        ProtectedKeystorePassword = CopyBytes(certificate.ProtectedKeystorePassword),
    };

    private static IEnumerable<Guid> Indexed(Dictionary<long, HashSet<Guid>> index, long sslId) =>
        index.TryGetValue(sslId, out var ids) ? ids : [];

    /// <summary>Moves a record in an sslId index from its previous sslId to its new one (null: not indexed).</summary>
    private static void Reindex(Dictionary<long, HashSet<Guid>> index, Guid id, long? previous, long? current)
    {
        if (previous == current)
        {
            return;
        }

        if (previous is { } old && index.TryGetValue(old, out var ids))
        {
            ids.Remove(id);
            if (ids.Count == 0)
            {
                index.Remove(old);
            }
        }

        if (current is { } now)
        {
            if (!index.TryGetValue(now, out var set))
            {
                index[now] = set = [];
            }

            set.Add(id);
        }
    }

    private static byte[]? CopyBytes(byte[]? bytes) => bytes is null ? null : (byte[])bytes.Clone();

    private static IReadOnlyList<T> FreezeList<T>(IEnumerable<T>? items) => items is null ? [] : Array.AsReadOnly(items.ToArray());

    /// <summary>A lease row: the owner is null once released; the fencing token is never lowered.</summary>
    private sealed record LeaseRecord(string? Owner, long FencingToken, DateTimeOffset ExpiresAt);

    /// <summary>The changes of one batch, layered over the committed state until every operation passed.</summary>
    private sealed class Staging(InMemoryScmStore store)
    {
        private readonly Dictionary<Guid, CertificateOrder?> _orders = [];
        private readonly Dictionary<Guid, Guid?> _openOrders = [];
        private readonly Dictionary<Guid, ManagedCertificate?> _certificates = [];
        private long _sequence = store._auditSequence;

        public List<CertificateOrder> WrittenOrders { get; } = [];

        public List<ManagedCertificate> WrittenCertificates { get; } = [];

        public List<AuditEntry> Audit { get; } = [];

        public void Apply(StoreOperation operation)
        {
            switch (operation)
            {
                case InsertOrderOperation insert:
                    if (Order(insert.Order.Id) is not null)
                    {
                        throw new StoreConflictException(StoreConflictReason.AlreadyExists, "order", insert.Order.Id);
                    }

                    PutOrder(Freeze(insert.Order with { Version = 1 }), previous: null);
                    break;
                case UpdateOrderOperation update:
                    var currentOrder = Order(update.Order.Id);
                    CheckVersion(currentOrder?.Version, update.Order.Version, "order", update.Order.Id);
                    PutOrder(Freeze(update.Order with { Version = currentOrder!.Version + 1 }), currentOrder);
                    break;
                case DeleteOrderOperation delete:
                    var deletedOrder = Order(delete.Id);
                    CheckVersion(deletedOrder?.Version, delete.ExpectedVersion, "order", delete.Id);
                    ReleaseOpenSlot(deletedOrder!);
                    _orders[delete.Id] = null;
                    break;
                case InsertCertificateOperation insert:
                    if (Certificate(insert.Certificate.Id) is not null)
                    {
                        throw new StoreConflictException(StoreConflictReason.AlreadyExists, "certificate", insert.Certificate.Id);
                    }

                    PutCertificate(Freeze(insert.Certificate with { Version = 1 }));
                    break;
                case UpdateCertificateOperation update:
                    var currentCertificate = Certificate(update.Certificate.Id);
                    CheckVersion(currentCertificate?.Version, update.Certificate.Version, "certificate", update.Certificate.Id);
                    PutCertificate(Freeze(update.Certificate with { Version = currentCertificate!.Version + 1 }));
                    break;
                case DeleteCertificateOperation delete:
                    var deletedCertificate = Certificate(delete.Id);
                    CheckVersion(deletedCertificate?.Version, delete.ExpectedVersion, "certificate", delete.Id);
                    _certificates[delete.Id] = null;
                    break;
                case AppendAuditOperation append:
                    Audit.Add(append.Entry with { Sequence = ++_sequence });
                    break;
            }
        }

        public void Publish()
        {
            foreach (var (id, order) in _orders)
            {
                Reindex(store._ordersBySslId, id, store._orders.GetValueOrDefault(id)?.SslId, order?.SslId);
                if (order is null)
                {
                    store._orders.Remove(id);
                }
                else
                {
                    store._orders[id] = order;
                }
            }

            foreach (var (certificateId, orderId) in _openOrders)
            {
                if (orderId is { } open)
                {
                    store._openOrderByCertificate[certificateId] = open;
                }
                else
                {
                    store._openOrderByCertificate.Remove(certificateId);
                }
            }

            foreach (var (id, certificate) in _certificates)
            {
                Reindex(store._certificatesBySslId, id, store._certificates.GetValueOrDefault(id)?.SslId, certificate?.SslId);
                if (certificate is null)
                {
                    store._certificates.Remove(id);
                }
                else
                {
                    store._certificates[id] = certificate;
                }
            }

            store._audit.AddRange(Audit);
            store._auditSequence = _sequence;
        }

        private static void CheckVersion(long? stored, long expected, string type, Guid id)
        {
            if (stored is null)
            {
                throw new StoreConflictException(StoreConflictReason.NotFound, type, id, expected);
            }

            if (stored != expected)
            {
                throw new StoreConflictException(StoreConflictReason.VersionMismatch, type, id, expected, stored);
            }
        }

        private CertificateOrder? Order(Guid id) => _orders.TryGetValue(id, out var staged) ? staged : store._orders.GetValueOrDefault(id);

        private ManagedCertificate? Certificate(Guid id) => _certificates.TryGetValue(id, out var staged) ? staged : store._certificates.GetValueOrDefault(id);

        private Guid? OpenOrder(Guid certificateId) =>
            _openOrders.TryGetValue(certificateId, out var staged) ? staged
            : store._openOrderByCertificate.TryGetValue(certificateId, out var committed) ? committed : null;

        private void ReleaseOpenSlot(CertificateOrder previous)
        {
            if (previous.IsOpen && OpenOrder(previous.CertificateId) == previous.Id)
            {
                _openOrders[previous.CertificateId] = null;
            }
        }

        private void PutOrder(CertificateOrder stored, CertificateOrder? previous)
        {
            if (previous is not null)
            {
                ReleaseOpenSlot(previous);
            }

            if (stored.IsOpen)
            {
                if (OpenOrder(stored.CertificateId) is { } holder && holder != stored.Id)
                {
                    throw new StoreConflictException(StoreConflictReason.OpenOrderExists, "order", stored.CertificateId);
                }

                _openOrders[stored.CertificateId] = stored.Id;
            }

            _orders[stored.Id] = stored;
            WrittenOrders.Add(stored);
        }

        private void PutCertificate(ManagedCertificate stored)
        {
            _certificates[stored.Id] = stored;
            WrittenCertificates.Add(stored);
        }
    }

    /// <summary>
    /// The continuation token of the list queries: an opaque, URL-safe encoding of the (created-at, id) position of the
    /// last item of a page. The SQLite store issues the same format.
    /// </summary>
    private static class ContinuationToken
    {
        private const string Prefix = "p1.";

        public static string Create(DateTimeOffset createdAt, Guid id)
        {
            var text = createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + id.ToString("N");
            return Prefix + Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

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
            return new StorePage<T>(items, Create(createdAt, id));
        }
    }
}
