namespace Scm.Storage;

/// <summary>
/// Encrypts private keys and other secrets before they are stored, and decrypts them when needed.
/// Implementations must authenticate the data and the associated data: tampered or foreign ciphertext, or ciphertext
/// presented with other associated data than it was protected with, fails with <see cref="KeyProtectionException"/>,
/// never with garbage.
/// </summary>
/// <remarks>
/// The engine passes associated data that binds each protected value to its record and field (for example "the private
/// key whose public key is X", "the keystore password of certificate Y"), so a value copied into another record or
/// another field is refused. The associated data is not secret and is not stored in the output by the engine; an
/// implementation must not need it to be stored either.
/// </remarks>
public interface IPrivateKeyProtector
{
    /// <summary>Encrypts.</summary>
    /// <param name="plaintext">The secret bytes (the caller clears them after the call).</param>
    /// <param name="associatedData">Data authenticated with the ciphertext but not encrypted; the same bytes must be given to <see cref="UnprotectAsync"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Protected bytes, safe to store.</returns>
    ValueTask<byte[]> ProtectAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default);

    /// <summary>Decrypts.</summary>
    /// <param name="protectedData">Bytes returned by <see cref="ProtectAsync"/>.</param>
    /// <param name="associatedData">The associated data given to <see cref="ProtectAsync"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The secret bytes; the caller clears them after use.</returns>
    /// <exception cref="KeyProtectionException">
    /// The data was tampered with, truncated, protected with a key that is not available, or bound to other associated data.
    /// </exception>
    ValueTask<byte[]> UnprotectAsync(ReadOnlyMemory<byte> protectedData, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default);
}

/// <summary>
/// A protector whose keys (key-encryption keys) have ids written into every protected value, kept in a key ring: one
/// current key encrypts, every key of the ring decrypts. The engine uses it to refuse to start when the store holds
/// values protected by a key the ring does not have (instead of making a new key that cannot read them), and to rotate.
/// </summary>
public interface IKeyRingProtector : IPrivateKeyProtector
{
    /// <summary>Reads the key id of a protected value from its header, without decrypting it.</summary>
    /// <param name="protectedData">A value returned by <see cref="IPrivateKeyProtector.ProtectAsync"/>.</param>
    /// <returns>
    /// The key id and whether the value is bound to associated data, or <see langword="null"/> when the value is not in
    /// a format of this protector.
    /// </returns>
    ProtectedValueInfo? Inspect(ReadOnlySpan<byte> protectedData);

    /// <summary>The keys the ring holds now. Never creates a key.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The ring: key ids, the current one (none before the first key exists) and where keys are looked for.</returns>
    /// <exception cref="KeyProtectionException">The ring exists but cannot be read (permissions, a damaged key file).</exception>
    ValueTask<KeyRingInfo> GetKeyRingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the first key of an empty ring. Racers (threads or processes sharing the ring) end up with one key: a
    /// caller that loses the race gets the winner's id. When the ring already has a current key, returns its id.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The id of the current key.</returns>
    ValueTask<string> CreateFirstKeyAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rotation: makes a new key the current one; the previous keys stay in the ring for decryption. The new key is in
    /// the ring (stored) before it becomes current, so a process killed at any point leaves every key readable.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The id of the new current key.</returns>
    /// <exception cref="NotSupportedException">The ring's keys are owned elsewhere (for example configuration); add the key there.</exception>
    ValueTask<string> AddKeyAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a protected value's header says.</summary>
/// <param name="KeyId">The id of the key that protects it.</param>
/// <param name="IsBound">Whether it is bound to associated data (values written before binding existed are not; rotation upgrades them).</param>
public sealed record ProtectedValueInfo(string KeyId, bool IsBound);

/// <summary>The keys of a key ring.</summary>
/// <param name="CurrentKeyId">The key new values are protected with; <see langword="null"/> before the first key exists.</param>
/// <param name="KeyIds">Every key id the ring holds (the current one included).</param>
/// <param name="Location">Where the keys are looked for (a path or a description; never key material).</param>
public sealed record KeyRingInfo(string? CurrentKeyId, IReadOnlyList<string> KeyIds, string Location);
