using System.Security.Cryptography;
using System.Text;
using Scm.Lifecycle.Storage;

namespace Scm.Storage.Tests;

public sealed class KeyProtectorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-keys-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static AesGcmPrivateKeyProtector WithKey(byte fill) =>
        new(new AesGcmKeyProtectorOptions { Key = Convert.ToBase64String(Enumerable.Repeat(fill, 32).ToArray()) });

    [Fact]
    public async Task ProtectUnprotect_RoundTrips_AndHidesPlaintext()
    {
        var protector = WithKey(1);
        var secret = Encoding.ASCII.GetBytes("-----BEGIN PRIVATE KEY----- canary");
        var protectedBytes = await protector.ProtectAsync(secret);
        Assert.Equal(secret.Length + 1 + 4 + 12 + 16, protectedBytes.Length);
        Assert.True(protectedBytes.AsSpan().IndexOf("canary"u8) < 0);
        Assert.Equal(secret, await protector.UnprotectAsync(protectedBytes));
        Assert.NotEqual(protectedBytes, await protector.ProtectAsync(secret));
    }

    [Fact]
    public async Task Unprotect_AnyFlippedBit_FailsLoudly()
    {
        var protector = WithKey(2);
        var protectedBytes = await protector.ProtectAsync(RandomNumberGenerator.GetBytes(64));
        for (var i = 0; i < protectedBytes.Length; i++)
        {
            var tampered = (byte[])protectedBytes.Clone();
            tampered[i] ^= 0x01;
            await Assert.ThrowsAsync<KeyProtectionException>(() => protector.UnprotectAsync(tampered).AsTask());
        }
    }

    [Fact]
    public async Task Unprotect_Truncated_Fails()
    {
        var protector = WithKey(3);
        var protectedBytes = await protector.ProtectAsync(new byte[40]);
        var ex = await Assert.ThrowsAsync<KeyProtectionException>(() => protector.UnprotectAsync(protectedBytes[..20]).AsTask());
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<KeyProtectionException>(() => protector.UnprotectAsync(protectedBytes[..^1]).AsTask());
    }

    [Fact]
    public async Task Unprotect_WithAnotherKey_SaysSo()
    {
        var protectedBytes = await WithKey(4).ProtectAsync(new byte[16]);
        var ex = await Assert.ThrowsAsync<KeyProtectionException>(() => WithKey(5).UnprotectAsync(protectedBytes).AsTask());
        Assert.Contains("another key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFile_CreatedOnFirstUseWithMode0600_AndReusedAfterwards()
    {
        var path = Path.Combine(_folder, "sub", "protector.key");
        var first = new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { KeyFilePath = path });
        var protectedBytes = await first.ProtectAsync(new byte[] { 7, 7, 7 });
        Assert.Equal(32, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var second = new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { KeyFilePath = path });
        Assert.Equal(new byte[] { 7, 7, 7 }, await second.UnprotectAsync(protectedBytes));
    }

    [Fact]
    public async Task KeyFile_ConcurrentFirstUse_EndsWithOneKey()
    {
        var path = Path.Combine(_folder, "race.key");
        var protectors = Enumerable.Range(0, 8).Select(_ => new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { KeyFilePath = path })).ToArray();
        var results = await Task.WhenAll(protectors.Select(p => Task.Run(() => p.ProtectAsync(new byte[] { 1 }).AsTask())));
        foreach (var p in protectors)
        {
            foreach (var r in results)
            {
                Assert.Equal(new byte[] { 1 }, await p.UnprotectAsync(r));
            }
        }

        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task KeyFile_WrongLengthOrTooOpen_IsRejected()
    {
        Directory.CreateDirectory(_folder);
        var shortKey = Path.Combine(_folder, "short.key");
        await File.WriteAllBytesAsync(shortKey, new byte[16]);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shortKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var ex = await Assert.ThrowsAsync<KeyProtectionException>(() => new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { KeyFilePath = shortKey }).ProtectAsync(new byte[1]).AsTask());
        Assert.Contains("exactly 32 bytes", ex.Message, StringComparison.Ordinal);

        if (!OperatingSystem.IsWindows())
        {
            var open = Path.Combine(_folder, "open.key");
            await File.WriteAllBytesAsync(open, new byte[32]);
            File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            var tooOpen = await Assert.ThrowsAsync<KeyProtectionException>(() => new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { KeyFilePath = open }).ProtectAsync(new byte[1]).AsTask());
            Assert.Contains("0600", tooOpen.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Options_ToString_HidesKey()
    {
        var options = new AesGcmKeyProtectorOptions { Key = Convert.ToBase64String(new byte[32]) };
        Assert.DoesNotContain(options.Key, options.ToString(), StringComparison.Ordinal);
    }
}
