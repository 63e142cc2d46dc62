using System.Security.Cryptography;
using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.KeyProtection;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.KeyProtection;

/// <summary>Status and rotation of the key ring (reliability.md F52, F53).</summary>
internal sealed class KeyProtectionService : IKeyProtectionService
{
    internal const string AuditAction = "KeyRotation";
    private const int MaxConflictRetries = 8;
    private const int MaxPasses = 3;

    private readonly Func<CertificateLifecycle> _engine;

    public KeyProtectionService(CertificateLifecycle lifecycle) => _engine = () => lifecycle;

    /// <summary>For an account whose engine may be replaced (a reloaded account): every call uses the engine of the moment.</summary>
    public KeyProtectionService(Func<CertificateLifecycle> engine) => _engine = engine;

    private CertificateLifecycle Lifecycle => _engine();

    private EngineContext Ctx => Lifecycle.Context;

    private KeyRingGuard Guard => Ctx.Keys;

    public async Task<KeyProtectionStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await Lifecycle.EnsureStoreInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (Guard.Ring is not { } ring)
        {
            return new KeyProtectionStatus { SupportsKeyIds = false, UnreadableRecords = await Guard.ReadUnreadableAsync(cancellationToken).ConfigureAwait(false) };
        }

        var info = await ring.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
        var recorded = await Guard.ReadRecordedAsync(cancellationToken).ConfigureAwait(false) ?? [];
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        var records = new Dictionary<string, int>(StringComparer.Ordinal);
        var unbound = 0;
        await foreach (var record in Guard.AllRecordsAsync(cancellationToken).ConfigureAwait(false))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, value) in KeyRingGuard.ValuesOf(record))
            {
                if (ring.Inspect(value) is not { } header)
                {
                    continue;
                }

                values[header.KeyId] = values.GetValueOrDefault(header.KeyId) + 1;
                unbound += header.IsBound ? 0 : 1;
                if (seen.Add(header.KeyId))
                {
                    records[header.KeyId] = records.GetValueOrDefault(header.KeyId) + 1;
                }
            }
        }

        var ids = info.KeyIds.Concat(recorded).Concat(values.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var keys = ids.Select(id => new KeyEncryptionKeyStatus
        {
            KeyId = id,
            InRing = info.KeyIds.Contains(id, StringComparer.Ordinal),
            IsCurrent = string.Equals(id, info.CurrentKeyId, StringComparison.Ordinal),
            IsRecorded = recorded.Contains(id),
            ProtectedValues = values.GetValueOrDefault(id),
            Records = records.GetValueOrDefault(id),
        }).ToArray();
        return new KeyProtectionStatus
        {
            SupportsKeyIds = true,
            Location = info.Location,
            CurrentKeyId = info.CurrentKeyId,
            Keys = keys,
            MissingKeyIds = keys.Where(k => !k.InRing && (k.IsRecorded || k.ProtectedValues > 0)).Select(k => k.KeyId).ToArray(),
            UnboundValues = unbound,
            RotationInProgressTo = await Ctx.Store.GetValueAsync(KeyRingGuard.RotationValue, cancellationToken).ConfigureAwait(false),
            UnreadableRecords = await Guard.ReadUnreadableAsync(cancellationToken).ConfigureAwait(false),
        };
    }

    public async Task<KeyRotationResult> RotateAsync(KeyRotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new KeyRotationRequest();
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Actor, nameof(request));
        if (Guard.Ring is not { } ring)
        {
            throw new InvalidOperationException("The configured key protector has no key ids (it is not an IKeyRingProtector); it rotates its keys itself.");
        }

        // Every key the store needs must be in the ring before anything is touched.
        await Lifecycle.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var lease = await CertificateLease.TryAcquireAsync(Ctx.Store, Ctx.Locks, "job:key-rotation", Ctx.InstanceName,
            Ctx.Options.Scheduling.JobLeaseDuration, Ctx.Time, wait: false, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Another key rotation is running (in this or another instance); try again when it has finished.");
        await using var leaseScope = lease.ConfigureAwait(false);

        var before = await ring.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
        var pending = await Ctx.Store.GetValueAsync(KeyRingGuard.RotationValue, cancellationToken).ConfigureAwait(false);
        var resumed = pending is not null && string.Equals(pending, before.CurrentKeyId, StringComparison.Ordinal);
        var created = false;
        string current;
        if (request.CreateNewKey && !resumed)
        {
            // The new key is stored in the ring before it becomes current, and recorded before any value uses it.
            current = await ring.AddKeyAsync(cancellationToken).ConfigureAwait(false);
            created = true;
            await Guard.RecordAsync(current, cancellationToken).ConfigureAwait(false);
            Log.KeyAdded(Ctx.Logger, current, before.CurrentKeyId ?? "none");
        }
        else
        {
            current = before.CurrentKeyId ?? await ring.CreateFirstKeyAsync(cancellationToken).ConfigureAwait(false);
            await Guard.RecordAsync(current, cancellationToken).ConfigureAwait(false);
        }

        await Ctx.Store.SetValueAsync(KeyRingGuard.RotationValue, current, cancellationToken).ConfigureAwait(false);
        await Ctx.Store.AppendAuditAsync(Ctx.Audit(request.Actor, AuditAction, resumed ? "Resumed" : "Started", "Pending",
            resumed
                ? $"Resumed the re-wrap of stored keys to key {current}."
                : created
                    ? $"Key {current} made current (previous: {before.CurrentKeyId ?? "none"}); re-wrapping stored keys to it."
                    : $"Re-wrapping stored keys to the current key {current}."), cancellationToken).ConfigureAwait(false);

        int records = 0, values = 0, conflicts = 0;
        var failed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var rewrappedThisPass = 0;
            await foreach (var record in Guard.AllRecordsAsync(cancellationToken).ConfigureAwait(false))
            {
                await lease.KeepAliveAsync(cancellationToken).ConfigureAwait(false);
                var outcome = await RewrapAsync(ring, record, current, request.Actor, cancellationToken).ConfigureAwait(false);
                conflicts += outcome.Conflicts;
                if (outcome.Values > 0)
                {
                    records++;
                    values += outcome.Values;
                    rewrappedThisPass++;
                }

                if (outcome.FailedKeyIds is { } keyIds)
                {
                    failed[KeyRingGuard.RecordName(record)] = keyIds;
                }
                else
                {
                    failed.Remove(KeyRingGuard.RecordName(record));
                }
            }

            // A pass that re-wrapped nothing saw every value on the current key (values written meanwhile by the
            // engine use the current key; one copied from an old value would show up here).
            if (rewrappedThisPass == 0)
            {
                break;
            }
        }

        // The store now needs the current key and the keys of values that could not be re-wrapped.
        var stillNeeded = new HashSet<string>(StringComparer.Ordinal) { current };
        await foreach (var record in Guard.AllRecordsAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var (_, value) in KeyRingGuard.ValuesOf(record))
            {
                if (ring.Inspect(value) is { } header)
                {
                    stillNeeded.Add(header.KeyId);
                }
            }
        }

        var previouslyNeeded = await Guard.ReadRecordedAsync(cancellationToken).ConfigureAwait(false) ?? [];
        await Guard.ReplaceRecordedAsync(stillNeeded, cancellationToken).ConfigureAwait(false);
        await Guard.ReplaceUnreadableAsync(failed.Keys.Order(StringComparer.Ordinal).ToArray(), cancellationToken).ConfigureAwait(false);
        await Ctx.Store.SetValueAsync(KeyRingGuard.RotationValue, null, cancellationToken).ConfigureAwait(false);
        var retired = previouslyNeeded.Concat(before.KeyIds).Where(id => !stillNeeded.Contains(id)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        await Ctx.Store.AppendAuditAsync(Ctx.Audit(request.Actor, AuditAction, "Completed", failed.Count == 0 ? "Succeeded" : "Failed",
            $"Re-wrapped {values} values in {records} records to key {current}" +
            (retired.Length > 0 ? $"; keys no longer needed: {string.Join(", ", retired)}" : string.Empty) +
            (failed.Count > 0 ? $"; {failed.Count} records could not be decrypted and keep their key: {string.Join(", ", failed.Keys.Order(StringComparer.Ordinal))}" : string.Empty) + "."),
            cancellationToken).ConfigureAwait(false);
        Log.RotationCompleted(Ctx.Logger, current, records, failed.Count);
        return new KeyRotationResult
        {
            CurrentKeyId = current,
            PreviousKeyId = string.Equals(before.CurrentKeyId, current, StringComparison.Ordinal) ? null : before.CurrentKeyId,
            CreatedNewKey = created,
            Resumed = resumed,
            RecordsRewrapped = records,
            ValuesRewrapped = values,
            Conflicts = conflicts,
            FailedRecords = failed.Keys.Order(StringComparer.Ordinal).ToArray(),
            RetiredKeyIds = retired,
        };
    }

    /// <summary>Re-wraps one record's values that need it, through the versioned commit; re-reads and redoes it on a conflict.</summary>
    private async Task<(int Values, int Conflicts, HashSet<string>? FailedKeyIds)> RewrapAsync(
        IKeyRingProtector ring, object record, string current, string actor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var rewrapped = new Dictionary<ProtectedField, byte[]>();
            HashSet<string>? failedKeyIds = null;
            foreach (var (field, value) in KeyRingGuard.ValuesOf(record))
            {
                var header = ring.Inspect(value);
                if (header is not null && header.IsBound && string.Equals(header.KeyId, current, StringComparison.Ordinal))
                {
                    continue;
                }

                byte[]? plaintext = null;
                try
                {
                    var binding = await Guard.BindingAsync(record, field, cancellationToken).ConfigureAwait(false);
                    plaintext = await Guard.UnprotectAsync(value, binding, cancellationToken).ConfigureAwait(false);
                    rewrapped[field] = await Guard.ProtectAsync(plaintext, binding, cancellationToken).ConfigureAwait(false);
                }
                catch (KeyProtectionException ex)
                {
                    Log.RewrapFailed(Ctx.Logger, KeyRingGuard.RecordName(record), KeyBindings.Describe(field), ex.Message);
                    (failedKeyIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(header?.KeyId ?? "unknown");
                }
                finally
                {
                    if (plaintext is not null)
                    {
                        CryptographicOperations.ZeroMemory(plaintext);
                    }
                }
            }

            if (rewrapped.Count == 0)
            {
                return (0, attempt, failedKeyIds);
            }

            var now = Ctx.Now;
            var what = $"Re-wrapped the {string.Join(", ", rewrapped.Keys.Select(KeyBindings.Describe))} to key {current}, bound to the record.";
            var batch = new StoreBatch();
            switch (record)
            {
                case CertificateOrder order:
                    batch.UpdateOrder(order with
                    {
                        ProtectedPrivateKey = rewrapped.GetValueOrDefault(ProtectedField.PrivateKey, order.ProtectedPrivateKey!),
                        ProtectedKeystorePassword = rewrapped.GetValueOrDefault(ProtectedField.KeystorePassword, order.ProtectedKeystorePassword!),
                        UpdatedAt = now,
                    }).Audit(Ctx.Audit(actor, AuditAction, "Rewrapped", "Succeeded", what, order));
                    break;
                case ManagedCertificate certificate:
                    batch.UpdateCertificate(certificate with
                    {
                        ProtectedPrivateKey = rewrapped.GetValueOrDefault(ProtectedField.PrivateKey, certificate.ProtectedPrivateKey!),
                        ProtectedKeystore = rewrapped.GetValueOrDefault(ProtectedField.Keystore, certificate.ProtectedKeystore!),
                        ProtectedKeystorePassword = rewrapped.GetValueOrDefault(ProtectedField.KeystorePassword, certificate.ProtectedKeystorePassword!),
                        UpdatedAt = now,
                    }).Audit(Ctx.Audit(actor, AuditAction, "Rewrapped", "Succeeded", what, certificate: certificate));
                    break;
            }

            try
            {
                await Ctx.Store.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
                return (rewrapped.Count, attempt, failedKeyIds);
            }
            catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.VersionMismatch && attempt < MaxConflictRetries)
            {
                // The engine changed the record meanwhile: re-read it and re-wrap what it holds now.
                _ = ex;
                var fresh = record switch
                {
                    CertificateOrder order => (object?)await Ctx.Store.GetOrderAsync(order.Id, cancellationToken).ConfigureAwait(false),
                    ManagedCertificate certificate => await Ctx.Store.GetCertificateAsync(certificate.Id, cancellationToken).ConfigureAwait(false),
                    _ => null,
                };
                if (fresh is null)
                {
                    return (0, attempt + 1, null); // deleted meanwhile: nothing left to re-wrap
                }

                record = fresh;
            }
            catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.NotFound)
            {
                return (0, attempt, null); // deleted meanwhile: nothing left to re-wrap
            }
        }
    }
}
