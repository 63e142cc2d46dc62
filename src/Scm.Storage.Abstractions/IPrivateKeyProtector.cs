namespace Scm.Storage;

/// <summary>
/// Encrypts private keys and other secrets before they are stored, and decrypts them when needed.
/// Implementations must authenticate the data: tampered or foreign ciphertext fails with
/// <see cref="KeyProtectionException"/>, never with garbage.
/// </summary>
public interface IPrivateKeyProtector
{
    /// <summary>Encrypts.</summary>
    /// <param name="plaintext">The secret bytes (the caller clears them after the call).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Protected bytes, safe to store.</returns>
    ValueTask<byte[]> ProtectAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default);

    /// <summary>Decrypts.</summary>
    /// <param name="protectedData">Bytes returned by <see cref="ProtectAsync"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The secret bytes; the caller clears them after use.</returns>
    /// <exception cref="KeyProtectionException">The data was tampered with, truncated, or protected with another key.</exception>
    ValueTask<byte[]> UnprotectAsync(ReadOnlyMemory<byte> protectedData, CancellationToken cancellationToken = default);
}
