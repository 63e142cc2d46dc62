using System.Globalization;
using System.Security.Cryptography;
using Scm.Storage;

namespace Scm.Lifecycle.Storage;

/// <summary>Where the default key protector gets its 256-bit key.</summary>
public sealed class AesGcmKeyProtectorOptions
{
    /// <summary>The key as base64 (32 bytes). Takes precedence over <see cref="KeyFilePath"/>. Default: none. Never logged.</summary>
    public string? Key { get; set; }

    /// <summary>
    /// A key file holding the 32 raw key bytes. Default: none. When the file does not exist it is created on first use
    /// with 32 random bytes and (on Unix) mode 0600, atomically, so processes racing to create it end up with one key;
    /// afterwards it is read. A file of another length, or (on Unix) readable or writable by anyone but its owner, is refused.
    /// Back it up: data protected with it cannot be read without it.
    /// </summary>
    public string? KeyFilePath { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"AesGcmKeyProtectorOptions {{ Key = {(Key is null ? "(none)" : "***")}, KeyFilePath = {KeyFilePath} }}";
}

/// <summary>
/// The default <see cref="IPrivateKeyProtector"/>: AES-256-GCM. Output layout: version byte (1), key id (the first
/// 4 bytes of SHA-256 of the key, so data protected with another key is recognized as such), 12-byte random nonce,
/// ciphertext, 16-byte tag; the version and key id are authenticated too. Tampered, truncated or foreign data fails with
/// <see cref="KeyProtectionException"/>. The key never appears in a message, a log or <see cref="object.ToString"/>.
/// </summary>
public sealed class AesGcmPrivateKeyProtector : IPrivateKeyProtector, IDisposable
{
    private const byte FormatVersion = 1;
    private const int KeyLength = 32;
    private const int KeyIdLength = 4;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int AuthenticatedHeaderLength = 1 + KeyIdLength;
    private const int HeaderLength = AuthenticatedHeaderLength + NonceLength;
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>How long a reader waits for a key file another racer has just created.</summary>
    private static readonly TimeSpan KeyFileWriteWait = TimeSpan.FromSeconds(5);

    private readonly string? _keyFilePath;
    private readonly object _gate = new();
    private byte[]? _key;
    private byte[]? _keyId;
    private bool _disposed;

    /// <summary>Creates a protector. A base64 key is checked now; a key file is read or created on first use.</summary>
    /// <param name="options">Where the key comes from.</param>
    /// <exception cref="ArgumentException">Neither a key nor a key file is configured.</exception>
    /// <exception cref="KeyProtectionException">The configured key is not 32 bytes of base64.</exception>
    public AesGcmPrivateKeyProtector(AesGcmKeyProtectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Key is { } text)
        {
            SetKey(FromBase64(text));
        }
        else if (string.IsNullOrWhiteSpace(options.KeyFilePath))
        {
            throw new ArgumentException("AesGcmKeyProtectorOptions needs a Key or a KeyFilePath.", nameof(options));
        }
        else
        {
            _keyFilePath = Path.GetFullPath(options.KeyFilePath);
        }
    }

    /// <summary>Creates a protector with a fresh random key that lives only in this process (for ephemeral hosts and tests).</summary>
    /// <returns>The protector.</returns>
    public static AesGcmPrivateKeyProtector CreateEphemeral()
    {
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        try
        {
            return new AesGcmPrivateKeyProtector(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private AesGcmPrivateKeyProtector(byte[] key) => SetKey((byte[])key.Clone());

    /// <inheritdoc />
    public ValueTask<byte[]> ProtectAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var (key, keyId) = Key();
            var output = new byte[HeaderLength + plaintext.Length + TagLength];
            output[0] = FormatVersion;
            keyId.CopyTo(output, 1);
            var nonce = output.AsSpan(AuthenticatedHeaderLength, NonceLength);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key, TagLength);
            aes.Encrypt(
                nonce,
                plaintext.Span,
                output.AsSpan(HeaderLength, plaintext.Length),
                output.AsSpan(HeaderLength + plaintext.Length, TagLength),
                output.AsSpan(0, AuthenticatedHeaderLength));
            return ValueTask.FromResult(output);
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]> UnprotectAsync(ReadOnlyMemory<byte> protectedData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var data = protectedData.Span;
        if (data.Length < HeaderLength + TagLength)
        {
            throw new KeyProtectionException($"The protected data is truncated ({data.Length} bytes; at least {HeaderLength + TagLength} expected).");
        }

        if (data[0] != FormatVersion)
        {
            throw new KeyProtectionException($"The protected data has an unknown format version ({data[0]}); it was tampered with or written by a newer version.");
        }

        lock (_gate)
        {
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
                aes.Decrypt(
                    data.Slice(AuthenticatedHeaderLength, NonceLength),
                    data.Slice(HeaderLength, length),
                    data.Slice(HeaderLength + length, TagLength),
                    plaintext,
                    data[..AuthenticatedHeaderLength]);
            }
            catch (CryptographicException ex)
            {
                // AesGcm clears its output on failure; clear again so nothing partial can leak whatever the platform.
                CryptographicOperations.ZeroMemory(plaintext);
                throw new KeyProtectionException("The protected data failed authentication: it was tampered with, truncated or corrupted.", ex);
            }

            return ValueTask.FromResult(plaintext);
        }
    }

    /// <summary>Clears the key from memory; the protector cannot be used afterwards.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_key is not null)
            {
                CryptographicOperations.ZeroMemory(_key);
                _key = null;
            }

            _disposed = true;
        }
    }

    /// <inheritdoc />
    public override string ToString() => _keyFilePath is null ? "AesGcmPrivateKeyProtector (configured key)" : $"AesGcmPrivateKeyProtector (key file {_keyFilePath})";

    /// <summary>The key and its id; called under <see cref="_gate"/> so <see cref="Dispose"/> cannot clear it mid-use.</summary>
    private (byte[] Key, byte[] KeyId) Key()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_key is null)
        {
            SetKey(LoadOrCreateKeyFile(_keyFilePath!));
        }

        return (_key!, _keyId!);
    }

    private void SetKey(byte[] key)
    {
        _keyId = SHA256.HashData(key).AsSpan(0, KeyIdLength).ToArray();
        _key = key;
    }

    private static byte[] FromBase64(string text)
    {
        var buffer = new byte[((text.Length / 4) + 1) * 3];
        try
        {
            if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written) || written != KeyLength)
            {
                throw new KeyProtectionException("The configured key protection key must be 32 bytes, base64-encoded.");
            }

            return buffer[..KeyLength];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Reads the key file, or creates it atomically (racers, in this process or others, end up with one key).</summary>
    private static byte[] LoadOrCreateKeyFile(string path)
    {
        try
        {
            if (!File.Exists(path) && TryCreateKeyFile(path) is { } created)
            {
                return created;
            }

            return ReadKeyFileWhenComplete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyProtectionException($"The key file {path} cannot be read or created: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Creates the key file with an exclusive create (O_CREAT | O_EXCL): whatever the number of racers, in this process or
    /// others, exactly one creates it and returns its key; the others get null and read that key. (Publishing a finished
    /// temporary file with File.Move(overwrite: false) is not atomic on Unix: .NET checks that the target is absent, then
    /// renames, which replaces a key another racer published in between and may already have used.) The creator holds the
    /// file exclusively until the key is written and flushed; a reader that comes in between waits for it.
    /// </summary>
    private static byte[]? TryCreateKeyFile(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // another racer created it first
        }

        var key = RandomNumberGenerator.GetBytes(KeyLength);
        try
        {
            using (stream)
            {
                stream.Write(key);
                stream.Flush(flushToDisk: true);
            }

            return key;
        }
        catch
        {
            CryptographicOperations.ZeroMemory(key);
            throw;
        }
    }

    /// <summary>
    /// Reads the key file; while it was created moments ago and is still locked (its creator is writing it) or empty (its
    /// creator has not locked it yet), waits for it, for at most <see cref="KeyFileWriteWait"/>. A file that is readable and
    /// holds some bytes but not a whole key is final, and refused at once.
    /// </summary>
    private static byte[] ReadKeyFileWhenComplete(string path)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var waited = TimeProvider.System.GetElapsedTime(started);
            try
            {
                return ReadKeyFile(path, allowEmpty: waited < KeyFileWriteWait && IsFresh(path));
            }
            catch (IOException) when (waited < KeyFileWriteWait && IsFresh(path))
            {
                // Locked by its creator (or still being written): try again shortly.
            }
            catch (KeyFileIncompleteException)
            {
                // Empty and created moments ago: its creator has not written it yet.
            }

            Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System).Wait();
        }
    }

    private static bool IsFresh(string path) =>
        File.Exists(path) && TimeProvider.System.GetUtcNow() - File.GetLastWriteTimeUtc(path) < TimeSpan.FromSeconds(30);

    /// <summary>An empty key file that may still be being written (only thrown when waiting is allowed).</summary>
    private sealed class KeyFileIncompleteException : Exception
    {
    }

    private static byte[] ReadKeyFile(string path, bool allowEmpty)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ~OwnerReadWrite) != 0)
            {
                throw new KeyProtectionException(
                    $"The key file {path} has mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}; it must be 0600 (read and write for its owner only). Fix it with: chmod 600 {path}");
            }
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != KeyLength)
        {
            var length = bytes.Length;
            CryptographicOperations.ZeroMemory(bytes);
            if (allowEmpty && length == 0)
            {
                throw new KeyFileIncompleteException();
            }

            throw new KeyProtectionException(string.Create(CultureInfo.InvariantCulture,
                $"The key file {path} must hold exactly {KeyLength} bytes; it holds {length}.{(length == 0 ? " If a process stopped while creating it, nothing was protected with it: delete it and a new key is made." : string.Empty)}"));
        }

        return bytes;
    }
}
