using System.Security.Cryptography;
using Scm.Storage;

namespace Scm.Lifecycle.Storage;

/// <summary>Where the default key protector gets its 256-bit key.</summary>
public sealed class AesGcmKeyProtectorOptions
{
    /// <summary>The key as base64 (32 bytes). Takes precedence over <see cref="KeyFilePath"/>. Never logged.</summary>
    public string? Key { get; set; }

    /// <summary>A key file: created on first use with 32 random bytes and Unix mode 0600, then read on every start.</summary>
    public string? KeyFilePath { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"AesGcmKeyProtectorOptions {{ Key = {(Key is null ? "(none)" : "***")}, KeyFilePath = {KeyFilePath} }}";
}

/// <summary>
/// The default <see cref="IPrivateKeyProtector"/>: AES-256-GCM. Output layout: version byte (1), key id (the first
/// 4 bytes of SHA-256 of the key, so data protected with another key is recognized as such), 12-byte random nonce,
/// ciphertext, 16-byte tag. Tampered, truncated or foreign data fails with <see cref="KeyProtectionException"/>.
/// </summary>
public sealed class AesGcmPrivateKeyProtector : IPrivateKeyProtector, IDisposable
{
    private const byte FormatVersion = 1;
    private const int KeyIdLength = 4;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + KeyIdLength + NonceLength;

    private readonly AesGcmKeyProtectorOptions _options;
    private readonly object _gate = new();
    private byte[]? _key;
    private byte[]? _keyId;

    /// <summary>Creates a protector; the key file, if any, is read or created on first use.</summary>
    /// <param name="options">Where the key comes from.</param>
    public AesGcmPrivateKeyProtector(AesGcmKeyProtectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Key is null && string.IsNullOrWhiteSpace(options.KeyFilePath))
        {
            throw new ArgumentException("AesGcmKeyProtectorOptions needs a Key or a KeyFilePath.", nameof(options));
        }

        _options = options;
    }

    /// <summary>Creates a protector with a fresh random key that lives only in this process (for ephemeral hosts and tests).</summary>
    /// <returns>The protector.</returns>
    public static AesGcmPrivateKeyProtector CreateEphemeral()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            return new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { Key = Convert.ToBase64String(key) });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]> ProtectAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        var (key, keyId) = Key();
        var output = new byte[HeaderLength + plaintext.Length + TagLength];
        output[0] = FormatVersion;
        keyId.CopyTo(output, 1);
        var nonce = output.AsSpan(1 + KeyIdLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plaintext.Span, output.AsSpan(HeaderLength, plaintext.Length), output.AsSpan(HeaderLength + plaintext.Length), output.AsSpan(0, 1 + KeyIdLength));
        return ValueTask.FromResult(output);
    }

    /// <inheritdoc />
    public ValueTask<byte[]> UnprotectAsync(ReadOnlyMemory<byte> protectedData, CancellationToken cancellationToken = default)
    {
        var data = protectedData.Span;
        if (data.Length < HeaderLength + TagLength)
        {
            throw new KeyProtectionException("The protected data is truncated.");
        }

        if (data[0] != FormatVersion)
        {
            throw new KeyProtectionException($"The protected data has an unknown format version ({data[0]}).");
        }

        var (key, keyId) = Key();
        if (!data.Slice(1, KeyIdLength).SequenceEqual(keyId))
        {
            throw new KeyProtectionException("The data was protected with another key than the configured one (key id mismatch).");
        }

        var length = data.Length - HeaderLength - TagLength;
        var plaintext = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(data.Slice(1 + KeyIdLength, NonceLength), data.Slice(HeaderLength, length), data.Slice(HeaderLength + length, TagLength), plaintext, data[..(1 + KeyIdLength)]);
        }
        catch (CryptographicException ex)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new KeyProtectionException("The protected data failed authentication: it was tampered with or corrupted.", ex);
        }

        return ValueTask.FromResult(plaintext);
    }

    /// <summary>Clears the key from memory.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_key is not null)
            {
                CryptographicOperations.ZeroMemory(_key);
                _key = null;
            }
        }
    }

    private (byte[] Key, byte[] KeyId) Key()
    {
        lock (_gate)
        {
            if (_key is null)
            {
                var key = _options.Key is { } text ? FromBase64(text) : LoadOrCreateKeyFile(_options.KeyFilePath!);
                _keyId = SHA256.HashData(key).AsSpan(0, KeyIdLength).ToArray();
                _key = key;
            }

            return (_key, _keyId!);
        }
    }

    private static byte[] FromBase64(string text)
    {
        var buffer = new byte[64];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || written != 32)
        {
            CryptographicOperations.ZeroMemory(buffer);
            throw new KeyProtectionException("The configured key protection key must be 32 bytes, base64-encoded.");
        }

        var key = buffer[..32];
        CryptographicOperations.ZeroMemory(buffer);
        return key;
    }

    /// <summary>Reads the key file, or creates it atomically (two processes racing end up with one key).</summary>
    private static byte[] LoadOrCreateKeyFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            var directory = Path.GetDirectoryName(full)!;
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var stream = new FileStream(temp, options))
                {
                    stream.Write(key);
                    stream.Flush(flushToDisk: true);
                }

                // Publish without overwriting: the first process to link wins, the others read its key.
                try
                {
                    File.Move(temp, full, overwrite: false);
                }
                catch (IOException) when (File.Exists(full))
                {
                    File.Delete(temp);
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(full);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            {
                throw new KeyProtectionException($"The key file {full} is readable by others (mode {Convert.ToString((int)mode, 8)}); restrict it to 0600.");
            }
        }

        var bytes = File.ReadAllBytes(full);
        if (bytes.Length != 32)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new KeyProtectionException($"The key file {full} must hold exactly 32 bytes; it holds {bytes.Length}.");
        }

        return bytes;
    }
}
