using Microsoft.Extensions.Logging;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.KeyProtection;

/// <summary>
/// Makes the key-encryption key part of the store's state (reliability.md F52). The store records which key ids protect
/// its values (a job-state value, so every store works without a schema change; a store written before this existed gets
/// it once from a scan of its values' headers). Before the first operation, the guard compares that set with the key
/// ring: a key the store needs and the ring lacks refuses everything with <see cref="KeyEncryptionKeyMissingException"/>,
/// before any key could be created; a first key is created only while the store needs none. Every protect records its
/// key id before the value can be stored. Changes to the set are made under a store lease, so racing first runs of
/// several processes end with one key: the loser finds the winner's id recorded and refuses if it cannot read it.
/// </summary>
internal sealed class KeyRingGuard
{
    public const string KeyIdsValue = "key-protection:key-ids";
    public const string RotationValue = "key-protection:rotation";
    public const string UnreadableValue = "key-protection:unreadable";
    private const string LeaseName = "key-protection";
    private const string Header = "v1:";
    private const int MaxUnreadableEntries = 200;

    private readonly IScmStore _store;
    private readonly TimeProvider _time;
    private readonly LocalLocks _locks;
    private readonly string _owner;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _readyLock = new(1, 1);
    private readonly object _cacheGate = new();
    private HashSet<string> _recorded = new(StringComparer.Ordinal);
    private volatile bool _ready;

    public KeyRingGuard(IScmStore store, IPrivateKeyProtector protector, TimeProvider time, LocalLocks locks, string owner, ILogger logger)
    {
        _store = store;
        Protector = protector;
        _time = time;
        _locks = locks;
        _owner = owner;
        _logger = logger;
    }

    public IPrivateKeyProtector Protector { get; }

    /// <summary>The protector's key ring, or null for a protector without key ids (nothing to guard).</summary>
    public IKeyRingProtector? Ring => Protector as IKeyRingProtector;

    /// <summary>
    /// Checks once per process (again after a failure) that the ring holds every key the store needs; creates the first
    /// key only for a store that needs none.
    /// </summary>
    /// <exception cref="KeyEncryptionKeyMissingException">The store needs keys the ring lacks; nothing was created or changed.</exception>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready || Ring is not { } ring)
        {
            return;
        }

        await _readyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            var needed = await ReadRecordedAsync(cancellationToken).ConfigureAwait(false);
            var info = await ring.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
            if (needed is not null)
            {
                ThrowIfMissing(needed, info);
            }

            if (needed is null || info.CurrentKeyId is null || !needed.Contains(info.CurrentKeyId))
            {
                await WithLeaseAsync(async () =>
                {
                    // Again under the lease: another process may have recorded its key meanwhile.
                    needed = await ReadRecordedAsync(cancellationToken).ConfigureAwait(false)
                        ?? await ScanKeyIdsAsync(ring, cancellationToken).ConfigureAwait(false);
                    info = await ring.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
                    ThrowIfMissing(needed, info);
                    var current = info.CurrentKeyId;
                    if (current is null)
                    {
                        current = await ring.CreateFirstKeyAsync(cancellationToken).ConfigureAwait(false);
                        Log.KeyCreated(_logger, current, info.Location);
                    }

                    needed.Add(current);
                    await WriteRecordedAsync(needed, cancellationToken).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
            }

            Remember(needed!);
            _ready = true;
        }
        finally
        {
            _readyLock.Release();
        }
    }

    /// <summary>Protects with the current key after the guard's check, and records the key id in the store before returning.</summary>
    public async Task<byte[]> ProtectAsync(ReadOnlyMemory<byte> plaintext, byte[] associatedData, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var value = await Protector.ProtectAsync(plaintext, associatedData, cancellationToken).ConfigureAwait(false);
        if (Ring?.Inspect(value) is { } info)
        {
            await RecordAsync(info.KeyId, cancellationToken).ConfigureAwait(false);
        }

        return value;
    }

    /// <summary>Decrypts a value bound to <paramref name="associatedData"/>.</summary>
    public async Task<byte[]> UnprotectAsync(ReadOnlyMemory<byte> value, byte[] associatedData, CancellationToken cancellationToken) =>
        await Protector.UnprotectAsync(value, associatedData, cancellationToken).ConfigureAwait(false);

    /// <summary>The key id of a stored value, when the protector writes one.</summary>
    public string? KeyIdOf(byte[]? value) => value is null ? null : Ring?.Inspect(value)?.KeyId;

    /// <summary>The key ids the store needs and the ring lacks (for the health check); never throws for a missing key.</summary>
    public async Task<(IReadOnlyList<string> Missing, string? Location)> FindMissingAsync(CancellationToken cancellationToken)
    {
        if (Ring is not { } ring)
        {
            return ([], null);
        }

        var needed = await ReadRecordedAsync(cancellationToken).ConfigureAwait(false) ?? [];
        var info = await ring.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
        return (needed.Where(id => !info.KeyIds.Contains(id, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToArray(), info.Location);
    }

    /// <summary>Adds a key id to the store's set (under the lease) unless this process already knows it is there.</summary>
    public async Task RecordAsync(string keyId, CancellationToken cancellationToken)
    {
        lock (_cacheGate)
        {
            if (_recorded.Contains(keyId))
            {
                return;
            }
        }

        await WithLeaseAsync(async () =>
        {
            var needed = await ReadRecordedAsync(cancellationToken).ConfigureAwait(false) ?? [];
            if (needed.Add(keyId))
            {
                await WriteRecordedAsync(needed, cancellationToken).ConfigureAwait(false);
            }

            Remember(needed);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the store's set (the end of a rotation: the ids that still protect something).</summary>
    public async Task ReplaceRecordedAsync(IReadOnlySet<string> keyIds, CancellationToken cancellationToken) =>
        await WithLeaseAsync(async () =>
        {
            var set = new HashSet<string>(keyIds, StringComparer.Ordinal);
            await WriteRecordedAsync(set, cancellationToken).ConfigureAwait(false);
            lock (_cacheGate)
            {
                _recorded = set;
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>The set of key ids the store records as needed, or null when it was never recorded.</summary>
    public async Task<HashSet<string>?> ReadRecordedAsync(CancellationToken cancellationToken)
    {
        var value = await _store.GetValueAsync(KeyIdsValue, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return null;
        }

        if (!value.StartsWith(Header, StringComparison.Ordinal))
        {
            throw new ScmStoreException(StoreErrorKind.Corrupt, $"The store's value '{KeyIdsValue}' is not in a known format.");
        }

        return new HashSet<string>(value[Header.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
    }

    /// <summary>Records (or clears) a record whose protected values cannot be decrypted, for the health check and the status.</summary>
    public async Task SetUnreadableAsync(string record, bool unreadable, CancellationToken cancellationToken)
    {
        var current = await ReadUnreadableAsync(cancellationToken).ConfigureAwait(false);
        if (current.Contains(record, StringComparer.Ordinal) == unreadable)
        {
            return;
        }

        await WithLeaseAsync(async () =>
        {
            var list = (await ReadUnreadableAsync(cancellationToken).ConfigureAwait(false)).ToList();
            list.RemoveAll(r => string.Equals(r, record, StringComparison.Ordinal));
            if (unreadable)
            {
                list.Add(record);
            }

            await WriteUnreadableAsync(list, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the list of unreadable records (after a rotation has tried every value).</summary>
    public Task ReplaceUnreadableAsync(IReadOnlyList<string> records, CancellationToken cancellationToken) =>
        WithLeaseAsync(async () =>
        {
            await WriteUnreadableAsync(records, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Records (<c>order:&lt;id&gt;</c>, <c>certificate:&lt;id&gt;</c>) with a value that could not be decrypted.</summary>
    public async Task<IReadOnlyList<string>> ReadUnreadableAsync(CancellationToken cancellationToken)
    {
        var value = await _store.GetValueAsync(UnreadableValue, cancellationToken).ConfigureAwait(false);
        return value is null ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Walks every order and certificate of the store.</summary>
    public async IAsyncEnumerable<object> AllRecordsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await _store.ListOrdersAsync(new OrderQuery { PageSize = 500, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var order in page.Items)
            {
                yield return order;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        do
        {
            var page = await _store.ListCertificatesAsync(new CertificateQuery { PageSize = 500, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var certificate in page.Items)
            {
                yield return certificate;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>The protected values of a record.</summary>
    public static IEnumerable<(ProtectedField Field, byte[] Value)> ValuesOf(object record)
    {
        switch (record)
        {
            case CertificateOrder order:
                if (order.ProtectedPrivateKey is { } orderKey)
                {
                    yield return (ProtectedField.PrivateKey, orderKey);
                }

                if (order.ProtectedKeystorePassword is { } orderPassword)
                {
                    yield return (ProtectedField.KeystorePassword, orderPassword);
                }

                break;
            case ManagedCertificate certificate:
                if (certificate.ProtectedPrivateKey is { } key)
                {
                    yield return (ProtectedField.PrivateKey, key);
                }

                if (certificate.ProtectedKeystore is { } keystore)
                {
                    yield return (ProtectedField.Keystore, keystore);
                }

                if (certificate.ProtectedKeystorePassword is { } password)
                {
                    yield return (ProtectedField.KeystorePassword, password);
                }

                break;
        }
    }

    /// <summary>The associated data a record's value is bound to.</summary>
    public async Task<byte[]> BindingAsync(object record, ProtectedField field, CancellationToken cancellationToken) => (record, field) switch
    {
        (CertificateOrder order, ProtectedField.PrivateKey) => await KeyBindings.PrivateKeyAsync(order, _store, cancellationToken).ConfigureAwait(false),
        (CertificateOrder order, _) => KeyBindings.KeystorePassword(order.CertificateId),
        (ManagedCertificate certificate, ProtectedField.PrivateKey) => KeyBindings.PrivateKey(certificate),
        (ManagedCertificate certificate, ProtectedField.Keystore) => KeyBindings.Keystore(certificate.Thumbprint),
        (ManagedCertificate certificate, _) => KeyBindings.KeystorePassword(certificate.Id),
        _ => throw new ArgumentException("Not a record with protected values.", nameof(record)),
    };

    public static string RecordName(object record) => record switch
    {
        CertificateOrder order => "order:" + order.Id.ToString("D"),
        ManagedCertificate certificate => "certificate:" + certificate.Id.ToString("D"),
        _ => "record",
    };

    /// <summary>Runs <paramref name="action"/> holding the key-protection lease (in this process and in the store).</summary>
    public async Task<T> WithLeaseAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var lease = await CertificateLease.TryAcquireAsync(_store, _locks, LeaseName, _owner, TimeSpan.FromMinutes(1), _time, wait: true, cancellationToken).ConfigureAwait(false);
            if (lease is not null)
            {
                await using (lease.ConfigureAwait(false))
                {
                    return await action().ConfigureAwait(false);
                }
            }

            if (attempt >= 100)
            {
                throw new ScmStoreException(StoreErrorKind.Unavailable, "Another instance holds the key-protection lease; try again shortly.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HashSet<string>> ScanKeyIdsAsync(IKeyRingProtector ring, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var record in AllRecordsAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var (_, value) in ValuesOf(record))
            {
                if (ring.Inspect(value) is { } info)
                {
                    ids.Add(info.KeyId);
                }
            }
        }

        Log.KeyIdsDerived(_logger, ids.Count == 0 ? "none" : string.Join(", ", ids.Order(StringComparer.Ordinal)));
        return ids;
    }

    private Task WriteRecordedAsync(HashSet<string> keyIds, CancellationToken cancellationToken) =>
        _store.SetValueAsync(KeyIdsValue, Header + string.Join(",", keyIds.Order(StringComparer.Ordinal)), cancellationToken);

    private Task WriteUnreadableAsync(IReadOnlyList<string> records, CancellationToken cancellationToken) =>
        _store.SetValueAsync(UnreadableValue, records.Count == 0 ? null : string.Join(",", records.Distinct(StringComparer.Ordinal).TakeLast(MaxUnreadableEntries)), cancellationToken);

    private void Remember(HashSet<string> keyIds)
    {
        lock (_cacheGate)
        {
            _recorded = new HashSet<string>(keyIds, StringComparer.Ordinal);
        }
    }

    private static void ThrowIfMissing(HashSet<string> needed, KeyRingInfo info)
    {
        var missing = needed.Where(id => !info.KeyIds.Contains(id, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            throw new KeyEncryptionKeyMissingException(missing, info.Location, info.KeyIds);
        }
    }
}
