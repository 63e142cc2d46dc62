using Scm.Storage;

namespace Scm.Lifecycle.KeyProtection;

/// <summary>
/// The key ring that protects the store's private keys, keystores and keystore passwords: what it holds, what the store
/// needs, and rotation. Resolve it from DI (<c>AddSectigoCertificateManagement</c> registers it) or get it with
/// <see cref="CertificateLifecycleFactory.GetKeyProtection"/>. Works with any <see cref="IKeyRingProtector"/> (the default
/// AES-256-GCM protector, the ASP.NET Core Data Protection adapter); a protector without key ids reports no keys.
/// </summary>
public interface IKeyProtectionService
{
    /// <summary>
    /// Which key ids the ring holds, which one is current, how many stored values and records each protects, and which
    /// keys the store needs but the ring lacks. Reads every record's headers (nothing is decrypted); works when keys are
    /// missing, to say which.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The status.</returns>
    Task<KeyProtectionStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rotates: makes a new key current (unless <see cref="KeyRotationRequest.CreateNewKey"/> is false), then re-wraps
    /// every stored value that another key protects, or that is not yet bound to its record, with the current key. Each
    /// record is written through the store's versioned commit (a concurrent change is re-read and re-wrapped, never
    /// overwritten), with an audit entry. A rotation cut short leaves every value readable with the ring; running it
    /// again completes it (the same new key, no second one). Keys that protect nothing afterwards are no longer needed by
    /// the store and can be removed from the ring (keep a backup).
    /// </summary>
    /// <param name="request">Options; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation (a later run resumes).</param>
    /// <returns>What was done.</returns>
    /// <exception cref="KeyEncryptionKeyMissingException">The store needs keys the ring lacks; nothing was changed.</exception>
    /// <exception cref="NotSupportedException">The protector cannot create keys (for example keys from configuration) and a new key was asked for.</exception>
    /// <exception cref="InvalidOperationException">Another rotation is running, or the protector has no key ids.</exception>
    Task<KeyRotationResult> RotateAsync(KeyRotationRequest? request = null, CancellationToken cancellationToken = default);
}

/// <summary>Options of <see cref="IKeyProtectionService.RotateAsync"/>.</summary>
public sealed record KeyRotationRequest
{
    /// <summary>Make a new key current before re-wrapping (default). False: only re-wrap to the current key (after the host changed the key itself, or to bind old values).</summary>
    public bool CreateNewKey { get; init; } = true;

    /// <summary>Who rotates, for the audit log (default <c>api</c>).</summary>
    public string Actor { get; init; } = "api";
}

/// <summary>The key ring and what the store needs from it.</summary>
public sealed record KeyProtectionStatus
{
    /// <summary>Whether the protector has key ids (<see cref="IKeyRingProtector"/>); without them the other members are empty.</summary>
    public required bool SupportsKeyIds { get; init; }

    /// <summary>Where the keys are looked for (never key material).</summary>
    public string? Location { get; init; }

    /// <summary>The key new values are protected with; <see langword="null"/> before the first key exists.</summary>
    public string? CurrentKeyId { get; init; }

    /// <summary>Every key id the ring holds, the store records as needed, or a stored value names.</summary>
    public IReadOnlyList<KeyEncryptionKeyStatus> Keys { get; init; } = [];

    /// <summary>Key ids the store needs (recorded, or named by a stored value) that the ring lacks.</summary>
    public IReadOnlyList<string> MissingKeyIds { get; init; } = [];

    /// <summary>Stored values not yet bound to their record (written before binding existed); a rotation binds them.</summary>
    public int UnboundValues { get; init; }

    /// <summary>The key a rotation that did not finish was re-wrapping to; run the rotation again to complete it.</summary>
    public string? RotationInProgressTo { get; init; }

    /// <summary>Records (<c>order:&lt;id&gt;</c>, <c>certificate:&lt;id&gt;</c>) with a value that could not be decrypted.</summary>
    public IReadOnlyList<string> UnreadableRecords { get; init; } = [];
}

/// <summary>One key of the ring or of the store's needs.</summary>
public sealed record KeyEncryptionKeyStatus
{
    /// <summary>The key id (a fingerprint, not the key).</summary>
    public required string KeyId { get; init; }

    /// <summary>Whether the ring holds it.</summary>
    public required bool InRing { get; init; }

    /// <summary>Whether it is the current key.</summary>
    public required bool IsCurrent { get; init; }

    /// <summary>Whether the store records it as needed.</summary>
    public required bool IsRecorded { get; init; }

    /// <summary>How many stored values it protects.</summary>
    public required int ProtectedValues { get; init; }

    /// <summary>How many orders and certificates have at least one value it protects.</summary>
    public required int Records { get; init; }
}

/// <summary>What a rotation did.</summary>
public sealed record KeyRotationResult
{
    /// <summary>The key everything is now protected with.</summary>
    public required string CurrentKeyId { get; init; }

    /// <summary>The current key before the rotation, if it changed.</summary>
    public string? PreviousKeyId { get; init; }

    /// <summary>Whether this run made a new key current.</summary>
    public bool CreatedNewKey { get; init; }

    /// <summary>Whether this run completed a rotation that an earlier run did not finish.</summary>
    public bool Resumed { get; init; }

    /// <summary>Records re-written.</summary>
    public int RecordsRewrapped { get; init; }

    /// <summary>Values re-wrapped.</summary>
    public int ValuesRewrapped { get; init; }

    /// <summary>Writes that met a concurrent change and were redone on the fresh record.</summary>
    public int Conflicts { get; init; }

    /// <summary>Records whose values could not be decrypted (they keep their key; see the health check).</summary>
    public IReadOnlyList<string> FailedRecords { get; init; } = [];

    /// <summary>Key ids the store no longer needs: they protect nothing and can be removed from the ring (after a backup).</summary>
    public IReadOnlyList<string> RetiredKeyIds { get; init; } = [];
}
