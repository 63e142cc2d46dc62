namespace Scm.Storage;

/// <summary>What went wrong in a store.</summary>
public enum StoreErrorKind
{
    /// <summary>The store cannot be reached or failed transiently (locked, I/O error, disk full).</summary>
    Unavailable = 0,

    /// <summary>A write conflicted with the stored state; see <see cref="StoreConflictException"/>.</summary>
    Conflict = 1,

    /// <summary>The database was written by a newer schema version than this code knows.</summary>
    NewerSchema = 2,

    /// <summary>The database file or a record is corrupt.</summary>
    Corrupt = 3,

    /// <summary>The database cannot be written (read-only file or directory).</summary>
    ReadOnly = 4,

    /// <summary>The store is misconfigured (for example a bad path).</summary>
    Configuration = 5,
}

/// <summary>A typed storage failure. The message names the problem and never contains a secret or key material.</summary>
public class ScmStoreException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">A message safe to show.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public ScmStoreException(StoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>What went wrong.</summary>
    public StoreErrorKind Kind { get; }

    /// <summary>Whether retrying later may succeed.</summary>
    public bool IsTransient => Kind is StoreErrorKind.Unavailable;
}

/// <summary>Why a write was refused.</summary>
public enum StoreConflictReason
{
    /// <summary>The record's stored version differs from the expected one (someone else wrote first).</summary>
    VersionMismatch = 0,

    /// <summary>The record to update or delete does not exist.</summary>
    NotFound = 1,

    /// <summary>A record with this id already exists.</summary>
    AlreadyExists = 2,

    /// <summary>The certificate already has an open order.</summary>
    OpenOrderExists = 3,

    /// <summary>The lease that fences the batch is no longer held.</summary>
    LeaseLost = 4,
}

/// <summary>A write was refused because it conflicts with the stored state; nothing in the batch was written. Re-read and re-decide.</summary>
public sealed class StoreConflictException : ScmStoreException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="reason">Why the write was refused.</param>
    /// <param name="recordType">The record type (<c>order</c>, <c>certificate</c>, <c>lease</c>).</param>
    /// <param name="recordId">The record id, when it applies.</param>
    /// <param name="expectedVersion">The version the writer expected.</param>
    /// <param name="actualVersion">The version found in the store.</param>
    public StoreConflictException(StoreConflictReason reason, string recordType, Guid? recordId = null, long? expectedVersion = null, long? actualVersion = null)
        : base(StoreErrorKind.Conflict, BuildMessage(reason, recordType, recordId, expectedVersion, actualVersion))
    {
        Reason = reason;
        RecordType = recordType;
        RecordId = recordId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Why the write was refused.</summary>
    public StoreConflictReason Reason { get; }

    /// <summary>The record type (<c>order</c>, <c>certificate</c>, <c>lease</c>).</summary>
    public string RecordType { get; }

    /// <summary>The record id, when it applies.</summary>
    public Guid? RecordId { get; }

    /// <summary>The version the writer expected.</summary>
    public long? ExpectedVersion { get; }

    /// <summary>The version found in the store, if the record exists.</summary>
    public long? ActualVersion { get; }

    private static string BuildMessage(StoreConflictReason reason, string recordType, Guid? id, long? expected, long? actual) => reason switch
    {
        StoreConflictReason.VersionMismatch => $"The {recordType} {id} was changed by another writer (expected version {expected}, found {actual}).",
        StoreConflictReason.NotFound => $"The {recordType} {id} does not exist.",
        StoreConflictReason.AlreadyExists => $"A {recordType} with id {id} already exists.",
        StoreConflictReason.OpenOrderExists => $"The certificate {id} already has an open order; at most one is allowed.",
        StoreConflictReason.LeaseLost => $"The lease fencing this write is no longer held.",
        _ => $"The write to {recordType} {id} conflicts with the stored state.",
    };
}

/// <summary>Protecting or unprotecting private key material failed (wrong key, tampered or truncated data).</summary>
public class KeyProtectionException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">A message safe to show (never key material).</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public KeyProtectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The store holds values protected by key-encryption keys that the configured key ring does not have (a lost or replaced
/// key file, a wrong secret, a store restored without its keys). Nothing was created or changed: put the right keys back.
/// </summary>
public sealed class KeyEncryptionKeyMissingException : KeyProtectionException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="missingKeyIds">The key ids the store needs that the ring lacks.</param>
    /// <param name="location">Where the keys were looked for.</param>
    /// <param name="availableKeyIds">The key ids the ring has.</param>
    public KeyEncryptionKeyMissingException(IReadOnlyList<string> missingKeyIds, string location, IReadOnlyList<string> availableKeyIds)
        : base(BuildMessage(missingKeyIds, location, availableKeyIds))
    {
        MissingKeyIds = missingKeyIds;
        Location = location;
        AvailableKeyIds = availableKeyIds;
    }

    /// <summary>The key ids the store needs that the ring lacks.</summary>
    public IReadOnlyList<string> MissingKeyIds { get; }

    /// <summary>Where the keys were looked for.</summary>
    public string Location { get; }

    /// <summary>The key ids the ring has (possibly none).</summary>
    public IReadOnlyList<string> AvailableKeyIds { get; }

    private static string BuildMessage(IReadOnlyList<string> missing, string location, IReadOnlyList<string> available) =>
        $"The store holds private keys protected by key {(missing.Count == 1 ? "id " + missing[0] : "ids " + string.Join(", ", missing))}, " +
        $"which the key ring at {location} does not have ({(available.Count == 0 ? "it has no key" : "it has " + string.Join(", ", available))}). " +
        "Nothing was created or changed. Put the key file (or key ring) that belongs to this store back, then run again; never delete the store. " +
        "See docs/operations.md, 'Key protection'.";
}
