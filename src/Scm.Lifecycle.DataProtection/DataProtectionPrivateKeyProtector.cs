using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Scm.Storage;

namespace Scm.Lifecycle.DataProtection;

/// <summary>Options of <see cref="DataProtectionPrivateKeyProtector"/>.</summary>
public sealed class DataProtectionKeyProtectorOptions
{
    /// <summary>
    /// The root purpose of every protector the adapter creates (default <c>Scm.Sdk.PrivateKeys.v1</c>). Changing it makes
    /// everything protected before unreadable: set it once.
    /// </summary>
    public string Purpose { get; set; } = "Scm.Sdk.PrivateKeys.v1";

    /// <summary>
    /// Whether values protected by a key that was revoked in the Data Protection key ring may still be decrypted (with
    /// <see cref="IPersistedDataProtector.DangerousUnprotect"/>), so that a rotation can re-wrap them (default false:
    /// they fail, and their orders are parked for an operator). Turn it on only to recover from a revocation.
    /// </summary>
    public bool AllowRevokedKeys { get; set; }

    /// <summary>The lifetime of a key made by a rotation or for an empty ring (default 90 days, Data Protection's own default).</summary>
    public TimeSpan NewKeyLifetime { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>
/// An <see cref="IKeyRingProtector"/> over ASP.NET Core Data Protection: values are protected by the host's Data
/// Protection key ring, with the associated data as an extra purpose (so a value only decrypts for the record and field
/// it was protected for), and the Data Protection key id (a GUID) read from each value's header. Output layout: a format
/// byte (1), then the Data Protection payload.
/// </summary>
/// <remarks>
/// Data Protection was made for short-lived data; this store keeps keys for years. Its keys expire after 90 days by
/// default (expired keys still decrypt; new values use a newer key), but a key that is deleted from the ring, or a ring
/// that is lost, makes every value it protected unreadable, and a revoked key refuses to decrypt unless
/// <see cref="DataProtectionKeyProtectorOptions.AllowRevokedKeys"/> is set. Keep the ring persistent, shared by every
/// instance with the same application name, and backed up with the store; never let a key-ring cleanup delete old keys.
/// </remarks>
public sealed class DataProtectionPrivateKeyProtector : IKeyRingProtector
{
    private const byte FormatVersion = 1;

    /// <summary>The magic header of a Data Protection payload (its key-ring-based format).</summary>
    private const uint MagicHeader = 0x09F0C9F0;

    private const int HeaderLength = 1 + 4 + 16;

    private readonly IDataProtector _root;
    private readonly IKeyManager _keyManager;
    private readonly DataProtectionKeyProtectorOptions _options;
    private readonly TimeProvider _time;
    private readonly string _location;

    /// <summary>Creates the adapter.</summary>
    /// <param name="provider">The host's Data Protection provider.</param>
    /// <param name="keyManager">The key manager of the same key ring (lists, creates keys).</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock used to pick the current key and to date keys made by a rotation; the system clock by default (Data Protection's own clock).</param>
    public DataProtectionPrivateKeyProtector(IDataProtectionProvider provider, IKeyManager keyManager, DataProtectionKeyProtectorOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(keyManager);
        _options = options ?? new DataProtectionKeyProtectorOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.Purpose, nameof(options));
        if (_options.NewKeyLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.NewKeyLifetime, "DataProtectionKeyProtectorOptions.NewKeyLifetime must be positive.");
        }

        _root = provider.CreateProtector(_options.Purpose);
        _keyManager = keyManager;
        _time = timeProvider ?? TimeProvider.System;
        _location = $"the ASP.NET Core Data Protection key ring (purpose {_options.Purpose})";
    }

    /// <inheritdoc />
    public ValueTask<byte[]> ProtectAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] payload;
        try
        {
            payload = For(associatedData.Span).Protect(plaintext.ToArray());
        }
        catch (CryptographicException ex)
        {
            throw new KeyProtectionException($"Data Protection could not protect the value: {ex.Message}", ex);
        }

        var output = new byte[payload.Length + 1];
        output[0] = FormatVersion;
        payload.CopyTo(output, 1);
        return ValueTask.FromResult(output);
    }

    /// <inheritdoc />
    public ValueTask<byte[]> UnprotectAsync(ReadOnlyMemory<byte> protectedData, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Inspect(protectedData.Span) is null)
        {
            throw new KeyProtectionException("The protected data is not a Data Protection value of this SDK (truncated, tampered with, or written by another protector).");
        }

        var payload = protectedData[1..].ToArray();
        var protector = For(associatedData.Span);
        try
        {
            if (_options.AllowRevokedKeys && protector is IPersistedDataProtector persisted)
            {
                return ValueTask.FromResult(persisted.DangerousUnprotect(payload, ignoreRevocationErrors: true, out _, out _));
            }

            return ValueTask.FromResult(protector.Unprotect(payload));
        }
        catch (CryptographicException ex)
        {
            throw new KeyProtectionException(
                $"Data Protection refused the value (key {KeyIdOf(protectedData.Span[1..])}): {ex.Message} It was tampered with, belongs to another record or field, or its key is missing from or revoked in {_location}.", ex);
        }
    }

    /// <inheritdoc />
    public ProtectedValueInfo? Inspect(ReadOnlySpan<byte> protectedData)
    {
        if (protectedData.Length < HeaderLength || protectedData[0] != FormatVersion || BinaryPrimitives.ReadUInt32BigEndian(protectedData[1..]) != MagicHeader)
        {
            return null;
        }

        return new ProtectedValueInfo(KeyIdOf(protectedData[1..]), IsBound: true);
    }

    /// <inheritdoc />
    public ValueTask<KeyRingInfo> GetKeyRingAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _keyManager.GetAllKeys();
        var now = _time.GetUtcNow();
        var current = keys
            .Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now)
            .OrderByDescending(k => k.ActivationDate)
            .FirstOrDefault();
        return ValueTask.FromResult(new KeyRingInfo(
            current?.KeyId.ToString("D"),
            keys.Select(k => k.KeyId.ToString("D")).Order(StringComparer.Ordinal).ToArray(),
            _location));
    }

    /// <inheritdoc />
    /// <remarks>Data Protection makes the key itself (with its own dates and settings) on a first protect; the key id is read from that value.</remarks>
    public async ValueTask<string> CreateFirstKeyAsync(CancellationToken cancellationToken = default)
    {
        var ring = await GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
        if (ring.CurrentKeyId is { } current)
        {
            return current;
        }

        var probe = _root.CreateProtector("key-probe").Protect([0]);
        return KeyIdOf(probe);
    }

    /// <inheritdoc />
    public ValueTask<string> AddKeyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(NewKey());
    }

    /// <inheritdoc />
    public override string ToString() => $"DataProtectionPrivateKeyProtector ({_location})";

    private string NewKey()
    {
        var now = _time.GetUtcNow();
        return _keyManager.CreateNewKey(now, now + _options.NewKeyLifetime).KeyId.ToString("D");
    }

    /// <summary>The protector for one binding: the associated data becomes a purpose (purposes are authenticated).</summary>
    private IDataProtector For(ReadOnlySpan<byte> associatedData) => _root.CreateProtector(Convert.ToBase64String(associatedData));

    private static string KeyIdOf(ReadOnlySpan<byte> payload) =>
        payload.Length >= 20 ? new Guid(payload.Slice(4, 16)).ToString("D") : "unknown";
}
