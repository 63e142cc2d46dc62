using System.Security.Cryptography;
using Scm.Lifecycle.Storage;

namespace Scm.Storage.Tests;

/// <summary>The default protector's key ring: ids, binding, format 1, rotation on disk, configured previous keys.</summary>
public sealed class KeyRingProtectorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-ring-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static readonly byte[] BindingA = "scm-sdk/2\nprivate-key\nspki-sha256:AA"u8.ToArray();
    private static readonly byte[] BindingB = "scm-sdk/2\nprivate-key\nspki-sha256:BB"u8.ToArray();

    private AesGcmPrivateKeyProtector FromFile(string name = "scm-keys.key") => new(new AesGcmKeyProtectorOptions { KeyFilePath = Path.Combine(_folder, name) });

    [Fact]
    public async Task UnprotectAsync_OtherAssociatedData_Refused()
    {
        using var protector = AesGcmPrivateKeyProtector.CreateEphemeral();
        var value = await protector.ProtectAsync(new byte[] { 1, 2, 3 }, BindingA);
        Assert.Equal(new byte[] { 1, 2, 3 }, await protector.UnprotectAsync(value, BindingA));
        var error = await Assert.ThrowsAsync<KeyProtectionException>(() => protector.UnprotectAsync(value, BindingB).AsTask());
        Assert.Contains("another record or field", error.Message, StringComparison.Ordinal);
        Assert.True(protector.Inspect(value)!.IsBound);
    }

    [Fact]
    public async Task GetKeyRingAsync_NoKeyFile_ReportsAnEmptyRingAndCreatesNothing()
    {
        using var protector = FromFile();
        var ring = await protector.GetKeyRingAsync();
        Assert.Null(ring.CurrentKeyId);
        Assert.Empty(ring.KeyIds);
        Assert.Equal(Path.Combine(_folder, "scm-keys.key"), ring.Location);
        Assert.False(Directory.Exists(_folder) && Directory.GetFiles(_folder).Length > 0);
        await Assert.ThrowsAsync<KeyProtectionException>(() => protector.UnprotectAsync(new byte[40], BindingA).AsTask());
        Assert.False(File.Exists(Path.Combine(_folder, "scm-keys.key")), "Unprotect created a key.");

        var created = await protector.CreateFirstKeyAsync();
        Assert.Equal(created, (await protector.GetKeyRingAsync()).CurrentKeyId);
        Assert.Equal(created, await protector.CreateFirstKeyAsync()); // idempotent
    }

    [Fact]
    public async Task AddKeyAsync_OldValuesStillDecrypt_KeysKeptBesideTheKeyFile_OtherInstancesFollow()
    {
        using var protector = FromFile();
        var oldValue = await protector.ProtectAsync(new byte[] { 7 }, BindingA);
        var oldId = protector.Inspect(oldValue)!.KeyId;
        using var otherInstance = FromFile();
        Assert.Equal(new byte[] { 7 }, await otherInstance.UnprotectAsync(oldValue, BindingA));

        var newId = await protector.AddKeyAsync();
        Assert.NotEqual(oldId, newId);
        var newValue = await protector.ProtectAsync(new byte[] { 8 }, BindingA);
        Assert.Equal(newId, protector.Inspect(newValue)!.KeyId);
        Assert.Equal(new byte[] { 7 }, await protector.UnprotectAsync(oldValue, BindingA));
        var files = Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "scm-keys.key", $"scm-keys.{oldId}.key", $"scm-keys.{newId}.key" }.Order(StringComparer.Ordinal), files);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.GetFiles(_folder))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        // An instance that read the ring before the rotation reads the new key's values (it re-reads the ring once).
        Assert.Equal(new byte[] { 8 }, await otherInstance.UnprotectAsync(newValue, BindingA));
        using var fresh = FromFile();
        var ring = await fresh.GetKeyRingAsync();
        Assert.Equal(newId, ring.CurrentKeyId);
        Assert.Equal(new[] { oldId, newId }.Order(StringComparer.Ordinal), ring.KeyIds);
    }

    [Fact]
    public async Task RingFile_NamedAfterAnotherKey_IsRefusedWithTheRightName()
    {
        using var protector = FromFile();
        await protector.CreateFirstKeyAsync();
        var stray = Path.Combine(_folder, "scm-keys.0badc0de.key");
        await File.WriteAllBytesAsync(stray, RandomNumberGenerator.GetBytes(32));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stray, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var reader = FromFile();
        var error = await Assert.ThrowsAsync<KeyProtectionException>(() => reader.GetKeyRingAsync().AsTask());
        Assert.Contains("not 0badc0de as its name says", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreviousKeys_FromConfiguration_DecryptOnly_AddKeyNotSupported()
    {
        var oldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using var before = new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { Key = oldKey });
        var value = await before.ProtectAsync(new byte[] { 5 }, BindingA);

        using var after = new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), PreviousKeys = [oldKey] });
        Assert.Equal(new byte[] { 5 }, await after.UnprotectAsync(value, BindingA));
        var ring = await after.GetKeyRingAsync();
        Assert.Equal(2, ring.KeyIds.Count);
        Assert.NotEqual(before.Inspect(value)!.KeyId, ring.CurrentKeyId);
        Assert.NotEqual(before.Inspect(value)!.KeyId, after.Inspect(await after.ProtectAsync(new byte[] { 5 }, BindingA))!.KeyId);
        await Assert.ThrowsAsync<NotSupportedException>(() => after.AddKeyAsync().AsTask());
        Assert.DoesNotContain(oldKey, new AesGcmKeyProtectorOptions { Key = oldKey, PreviousKeys = [oldKey] }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FormatOneValue_ReadWithAnyAssociatedData_ReportedUnbound()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var protector = new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { Key = Convert.ToBase64String(key) });
        var plaintext = new byte[] { 4, 2 };
        var value = new byte[1 + 4 + 12 + plaintext.Length + 16];
        value[0] = 1;
        SHA256.HashData(key).AsSpan(0, 4).CopyTo(value.AsSpan(1));
        RandomNumberGenerator.Fill(value.AsSpan(5, 12));
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(value.AsSpan(5, 12), plaintext, value.AsSpan(17, 2), value.AsSpan(19, 16), value.AsSpan(0, 5));
        }

        Assert.False(protector.Inspect(value)!.IsBound);
        Assert.Equal(plaintext, await protector.UnprotectAsync(value, BindingA));
        value[18] ^= 1;
        await Assert.ThrowsAsync<KeyProtectionException>(() => protector.UnprotectAsync(value, BindingA).AsTask());
    }
}
