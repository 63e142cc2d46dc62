using System.Globalization;
using System.Security.Cryptography;
using Scm.Storage;

namespace Scm.Lifecycle.Storage;

/// <summary>Where the default key protector gets its 256-bit keys.</summary>
public sealed class AesGcmKeyProtectorOptions
{
    /// <summary>The current key as base64 (32 bytes). Takes precedence over <see cref="KeyFilePath"/>. Default: none. Never logged.</summary>
    public string? Key { get; set; }

    /// <summary>
    /// Older keys as base64 (32 bytes each), kept only to decrypt what they protected: after a rotation, until
    /// <c>scm keys status</c> shows that they protect nothing any more. Default: none. Never logged.
    /// </summary>
    public IList<string> PreviousKeys { get; set; } = [];

    /// <summary>
    /// A key file holding the 32 raw bytes of the current key. Default: none. When the file does not exist, the engine
    /// creates it on first use with 32 random bytes and (on Unix) mode 0600, atomically, so processes racing to create it
    /// end up with one key - but only while the store holds nothing protected by another key. Older keys of the ring live
    /// next to it, named after their key id (<c>scm-keys.1a2b3c4d.key</c> beside <c>scm-keys.key</c>); a rotation puts them
    /// there. A file of another length, or (on Unix) readable or writable by anyone but its owner, is refused. Back the
    /// folder up together with the store: data protected with a key cannot be read without it.
    /// </summary>
    public string? KeyFilePath { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"AesGcmKeyProtectorOptions {{ Key = {(Key is null ? "(none)" : "***")}, PreviousKeys = {PreviousKeys.Count}, KeyFilePath = {KeyFilePath} }}";
}

/// <summary>
/// The default <see cref="IPrivateKeyProtector"/>: AES-256-GCM with a key ring. Output layout: version byte (2), key id
/// (the first 4 bytes of SHA-256 of the key, so data protected with another key is recognized as such), 12-byte random
/// nonce, ciphertext, 16-byte tag. The version, the key id and the caller's associated data are authenticated, so a
/// value presented for another record or field fails. Values of version 1 (written before associated data existed) are
/// still read; a rotation rewrites them. Tampered, truncated or foreign data fails with <see cref="KeyProtectionException"/>.
/// Keys never appear in a message, a log or <see cref="object.ToString"/>.
/// </summary>
public sealed class AesGcmPrivateKeyProtector : IKeyRingProtector, IDisposable
{
    private const byte LegacyFormatVersion = 1;
    private const byte FormatVersion = 2;
    private const int KeyLength = 32;
    private const int KeyIdLength = 4;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int AuthenticatedHeaderLength = 1 + KeyIdLength;
    private const int HeaderLength = AuthenticatedHeaderLength + NonceLength;
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// How long a reader waits for a key file another racer has just created. Its creator writes 32 bytes and fsyncs;
    /// on a machine busy with disk writes the fsync alone took more than 5 s (a race test failed that way), so the wait
    /// matches the 30 s in which an empty file counts as fresh.
    /// </summary>
    private static readonly TimeSpan KeyFileWriteWait = TimeSpan.FromSeconds(30);

    /// <summary>How long a reader sleeps between two looks at a key file being written.</summary>
    private static readonly TimeSpan KeyFilePollInterval = TimeSpan.FromMilliseconds(5);

    private readonly string? _keyFilePath;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _configuredPrevious = new(StringComparer.Ordinal);
    private string? _currentKeyId;
    private bool _loaded;
    private bool _disposed;

    /// <summary>Creates a protector. Base64 keys are checked now; key files are read (or the first one created) on first use.</summary>
    /// <param name="options">Where the keys come from.</param>
    /// <param name="timeProvider">The clock for waits on a key file another process is writing; the system clock by default.</param>
    /// <exception cref="ArgumentException">Neither a key nor a key file is configured.</exception>
    /// <exception cref="KeyProtectionException">A configured key is not 32 bytes of base64.</exception>
    public AesGcmPrivateKeyProtector(AesGcmKeyProtectorOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = timeProvider ?? TimeProvider.System;
        foreach (var previous in options.PreviousKeys ?? [])
        {
            var key = FromBase64(previous, "KeyProtection:PreviousKeys");
            _configuredPrevious[KeyIdOf(key)] = key;
        }

        if (options.Key is { } text)
        {
            var key = FromBase64(text, "KeyProtection:Key");
            _currentKeyId = KeyIdOf(key);
            _keys[_currentKeyId] = key;
            AddConfiguredPrevious();
            _loaded = true;
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
            return new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { Key = Convert.ToBase64String(key) });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Where keys are looked for: the key file (older keys next to it), or the configuration.</summary>
    public string Location => _keyFilePath is null ? "configuration (KeyProtection:Key and KeyProtection:PreviousKeys)" : _keyFilePath;

    /// <inheritdoc />
    /// <remarks>Without a key yet (a key file that does not exist), the first key is created: the engine only lets that happen while its store holds nothing protected by another key.</remarks>
    public async ValueTask<byte[]> ProtectAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            if (_currentKeyId is null)
            {
                await CreateFirstKeyCoreAsync(cancellationToken).ConfigureAwait(false);
            }

            var keyId = _currentKeyId!;
            var output = new byte[HeaderLength + plaintext.Length + TagLength];
            output[0] = FormatVersion;
            Convert.FromHexString(keyId).CopyTo(output, 1);
            var nonce = output.AsSpan(AuthenticatedHeaderLength, NonceLength);
            RandomNumberGenerator.Fill(nonce);
            var aad = AssociatedData(output.AsSpan(0, AuthenticatedHeaderLength), associatedData.Span);
            using var aes = new AesGcm(_keys[keyId], TagLength);
            aes.Encrypt(
                nonce,
                plaintext.Span,
                output.AsSpan(HeaderLength, plaintext.Length),
                output.AsSpan(HeaderLength + plaintext.Length, TagLength),
                aad);
            return output;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]> UnprotectAsync(ReadOnlyMemory<byte> protectedData, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = Parse(protectedData.Span);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            if (!_keys.ContainsKey(info.KeyId) && _keyFilePath is not null)
            {
                // Another process may have rotated the ring since it was read: read it again once.
                await LoadRingAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_keys.TryGetValue(info.KeyId, out var key))
            {
                throw new KeyProtectionException(
                    $"The data was protected with another key (key id {info.KeyId}) than the keys of the ring at {Location} ({Describe(_keys.Keys)}).");
            }

            var data = protectedData.Span;
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
                    info.IsBound ? AssociatedData(data[..AuthenticatedHeaderLength], associatedData.Span) : data[..AuthenticatedHeaderLength]);
            }
            catch (CryptographicException ex)
            {
                // AesGcm clears its output on failure; clear again so nothing partial can leak whatever the platform.
                CryptographicOperations.ZeroMemory(plaintext);
                throw new KeyProtectionException(
                    "The protected data failed authentication: it was tampered with, corrupted, or belongs to another record or field.", ex);
            }

            return plaintext;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public ProtectedValueInfo? Inspect(ReadOnlySpan<byte> protectedData)
    {
        if (protectedData.Length < HeaderLength + TagLength || protectedData[0] is not (LegacyFormatVersion or FormatVersion))
        {
            return null;
        }

        return new ProtectedValueInfo(Convert.ToHexString(protectedData.Slice(1, KeyIdLength)).ToLowerInvariant(), protectedData[0] == FormatVersion);
    }

    /// <inheritdoc />
    public async ValueTask<KeyRingInfo> GetKeyRingAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_keyFilePath is not null)
            {
                await LoadRingAsync(cancellationToken).ConfigureAwait(false);
            }

            return Snapshot();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<string> CreateFirstKeyAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            if (_currentKeyId is null)
            {
                await CreateFirstKeyCoreAsync(cancellationToken).ConfigureAwait(false);
            }

            return _currentKeyId!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Key files only: the current key is copied next to the key file under its id, the new key is written there under
    /// its id, then the key file is replaced by the new key (an atomic rename). Each step leaves every key in the ring.
    /// </remarks>
    public async ValueTask<string> AddKeyAsync(CancellationToken cancellationToken = default)
    {
        if (_keyFilePath is null)
        {
            throw new NotSupportedException(
                "The keys come from configuration: generate a new 32-byte key, set it as KeyProtection:Key, move the old one to KeyProtection:PreviousKeys, restart, then re-wrap with 'scm keys rotate --no-new-key' (or RotateAsync with CreateNewKey = false).");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadRingAsync(cancellationToken).ConfigureAwait(false);
            if (_currentKeyId is null)
            {
                await CreateFirstKeyCoreAsync(cancellationToken).ConfigureAwait(false);
            }

            var path = _keyFilePath;
            await WriteRingFileAsync(RingFilePath(path, _currentKeyId!), _keys[_currentKeyId!], cancellationToken).ConfigureAwait(false);
            var key = RandomNumberGenerator.GetBytes(KeyLength);
            var keyId = KeyIdOf(key);
            await WriteRingFileAsync(RingFilePath(path, keyId), key, cancellationToken).ConfigureAwait(false);

            var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            try
            {
                await WriteExclusiveAsync(temporary, key, cancellationToken).ConfigureAwait(false);
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryDelete(temporary);
                throw new KeyProtectionException($"The new key {keyId} is stored at {RingFilePath(path, keyId)} but could not replace the key file {path}: {ex.Message}", ex);
            }

            _keys[keyId] = key;
            _currentKeyId = keyId;
            return keyId;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Clears the keys from memory; the protector cannot be used afterwards.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            foreach (var key in _keys.Values.Concat(_configuredPrevious.Values))
            {
                CryptographicOperations.ZeroMemory(key);
            }

            _keys.Clear();
            _configuredPrevious.Clear();
            _disposed = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() => _keyFilePath is null ? "AesGcmPrivateKeyProtector (configured key)" : $"AesGcmPrivateKeyProtector (key file {_keyFilePath})";

    /// <summary>The file beside the key file that keeps a key of the ring under its id.</summary>
    internal static string RingFilePath(string keyFilePath, string keyId)
    {
        var directory = Path.GetDirectoryName(keyFilePath)!;
        return Path.Combine(directory, Path.GetFileNameWithoutExtension(keyFilePath) + "." + keyId + Path.GetExtension(keyFilePath));
    }

    private static ProtectedValueInfo Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength + TagLength)
        {
            throw new KeyProtectionException($"The protected data is truncated ({data.Length} bytes; at least {HeaderLength + TagLength} expected).");
        }

        if (data[0] is not (LegacyFormatVersion or FormatVersion))
        {
            throw new KeyProtectionException($"The protected data has an unknown format version ({data[0]}); it was tampered with or written by a newer version.");
        }

        return new ProtectedValueInfo(Convert.ToHexString(data.Slice(1, KeyIdLength)).ToLowerInvariant(), data[0] == FormatVersion);
    }

    /// <summary>What GCM authenticates besides the ciphertext: the header, then the caller's associated data.</summary>
    private static byte[] AssociatedData(ReadOnlySpan<byte> header, ReadOnlySpan<byte> associatedData)
    {
        var aad = new byte[header.Length + associatedData.Length];
        header.CopyTo(aad);
        associatedData.CopyTo(aad.AsSpan(header.Length));
        return aad;
    }

    private static string KeyIdOf(ReadOnlySpan<byte> key) => Convert.ToHexString(SHA256.HashData(key).AsSpan(0, KeyIdLength)).ToLowerInvariant();

    private static string Describe(IEnumerable<string> keyIds)
    {
        var ids = keyIds.Order(StringComparer.Ordinal).ToArray();
        return ids.Length == 0 ? "it has no key" : "it has " + string.Join(", ", ids);
    }

    private KeyRingInfo Snapshot() => new(_currentKeyId, _keys.Keys.Order(StringComparer.Ordinal).ToArray(), Location);

    private void AddConfiguredPrevious()
    {
        foreach (var (id, key) in _configuredPrevious)
        {
            _keys.TryAdd(id, key);
        }
    }

    /// <summary>Reads the ring once (key files are read lazily, never created here). Called under <see cref="_gate"/>.</summary>
    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_loaded)
        {
            await LoadRingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the key file and the older keys beside it. Called under <see cref="_gate"/>.</summary>
    private async Task LoadRingAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_keyFilePath is null)
        {
            return;
        }

        var path = _keyFilePath;
        try
        {
            var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            string? current = null;
            if (File.Exists(path) || Directory.Exists(path))
            {
                var key = await ReadKeyFileWhenCompleteAsync(path, cancellationToken).ConfigureAwait(false);
                current = KeyIdOf(key);
                found[current] = key;
            }

            var directory = Path.GetDirectoryName(path)!;
            if (Directory.Exists(directory))
            {
                var stem = Path.GetFileNameWithoutExtension(path);
                var extension = Path.GetExtension(path);
                foreach (var file in Directory.EnumerateFiles(directory, stem + ".*" + extension))
                {
                    var name = Path.GetFileName(file);
                    var id = name.Substring(stem.Length + 1, name.Length - stem.Length - 1 - extension.Length);
                    if (id.Length != KeyIdLength * 2 || !id.All(char.IsAsciiHexDigitLower))
                    {
                        continue;
                    }

                    var key = await ReadKeyFileAsync(file, allowEmpty: false, cancellationToken).ConfigureAwait(false);
                    var actual = KeyIdOf(key);
                    if (!string.Equals(actual, id, StringComparison.Ordinal))
                    {
                        CryptographicOperations.ZeroMemory(key);
                        throw new KeyProtectionException($"The key file {file} holds the key with id {actual}, not {id} as its name says; rename it to {Path.GetFileName(RingFilePath(path, actual))}.");
                    }

                    if (!found.TryAdd(id, key))
                    {
                        CryptographicOperations.ZeroMemory(key);
                    }
                }
            }

            foreach (var key in _keys.Values)
            {
                if (!found.Values.Contains(key) && !_configuredPrevious.Values.Contains(key))
                {
                    CryptographicOperations.ZeroMemory(key);
                }
            }

            _keys.Clear();
            foreach (var (id, key) in found)
            {
                _keys[id] = key;
            }

            AddConfiguredPrevious();
            _currentKeyId = current;
            _loaded = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyProtectionException($"The key file {path} cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Creates the key file (racers, in this process or others, end up with one key). Called under <see cref="_gate"/>.</summary>
    private async Task CreateFirstKeyCoreAsync(CancellationToken cancellationToken)
    {
        var path = _keyFilePath!;
        try
        {
            var key = await TryCreateKeyFileAsync(path, cancellationToken).ConfigureAwait(false)
                ?? await ReadKeyFileWhenCompleteAsync(path, cancellationToken).ConfigureAwait(false);
            var id = KeyIdOf(key);
            _keys[id] = key;
            _currentKeyId = id;
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
    private static async Task<byte[]?> TryCreateKeyFileAsync(string path, CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        try
        {
            return await WriteExclusiveAsync(path, key, cancellationToken).ConfigureAwait(false) ? key : Clear(key);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(key);
            throw;
        }

        static byte[]? Clear(byte[] key)
        {
            CryptographicOperations.ZeroMemory(key);
            return null;
        }
    }

    /// <summary>Writes a key to a new file (mode 0600) with an exclusive create; false when the file already exists.</summary>
    private static async Task<bool> WriteExclusiveAsync(string path, byte[] key, CancellationToken cancellationToken)
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

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
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
            return false;
        }

        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(key, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        return true;
    }

    /// <summary>Keeps a key of the ring in its own file; an existing file must hold that very key.</summary>
    private async Task WriteRingFileAsync(string path, byte[] key, CancellationToken cancellationToken)
    {
        if (await WriteExclusiveAsync(path, key, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var existing = await ReadKeyFileWhenCompleteAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(existing, key))
            {
                throw new KeyProtectionException($"The key file {path} exists and holds another key than its name says.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(existing);
        }
    }

    /// <summary>
    /// Reads the key file; while it was created moments ago and is still locked (its creator is writing it) or empty (its
    /// creator has not locked it yet), waits for it (asynchronously, on the protector's clock), for at most
    /// <see cref="KeyFileWriteWait"/>. A file that is readable and holds some bytes but not a whole key is final, and refused at once.
    /// </summary>
    private async Task<byte[]> ReadKeyFileWhenCompleteAsync(string path, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var waited = _time.GetElapsedTime(started);
            try
            {
                return await ReadKeyFileAsync(path, allowEmpty: waited < KeyFileWriteWait && IsFresh(path), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException) when (waited < KeyFileWriteWait && IsFresh(path))
            {
                // Locked by its creator (or still being written): try again shortly.
            }
            catch (KeyFileIncompleteException)
            {
                // Empty and created moments ago: its creator has not written it yet.
            }

            await Task.Delay(KeyFilePollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IsFresh(string path) =>
        File.Exists(path) && TimeProvider.System.GetUtcNow() - File.GetLastWriteTimeUtc(path) < TimeSpan.FromSeconds(30);

    /// <summary>An empty key file that may still be being written (only thrown when waiting is allowed).</summary>
    private sealed class KeyFileIncompleteException : Exception
    {
    }

    private static async Task<byte[]> ReadKeyFileAsync(string path, bool allowEmpty, CancellationToken cancellationToken)
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

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
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

    private static byte[] FromBase64(string text, string option)
    {
        var buffer = new byte[((text.Length / 4) + 1) * 3];
        try
        {
            if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written) || written != KeyLength)
            {
                throw new KeyProtectionException($"The configured key protection key ({option}) must be 32 bytes, base64-encoded.");
            }

            return buffer[..KeyLength];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
