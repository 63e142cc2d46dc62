using System.Security.Cryptography;

namespace Scm.Samples.Tests;

/// <summary>`scm keys status`, `scm keys rotate`, and a lost key file, against `scm simulator` through --simulator-url.</summary>
public sealed class KeyCommandTests(CliSimulatorFixture fixture) : IClassFixture<CliSimulatorFixture>
{
    private static string KeyFile(CliStore store) => Path.Combine(store.Folder, "keys", "protector.key");

    private static string KeyId(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)).AsSpan(0, 4)).ToLowerInvariant();

    [Fact]
    public async Task Renew_LostKeyFile_ExitsOneNamingTheKeyIdAndPath_NoNewKeyFile()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("lostkey.acme.example");
        var keyFile = KeyFile(store);
        var keyId = KeyId(keyFile);
        File.Delete(keyFile);

        var renew = await store.RunAsync("renew", certificate.GetProperty("id").GetString()!);
        Assert.True(renew.ExitCode == 1, renew.ToString());
        Assert.Contains("key protection:", renew.ErrorLine, StringComparison.Ordinal);
        Assert.Contains(keyId, renew.ErrorLine, StringComparison.Ordinal);
        Assert.Contains(keyFile, renew.ErrorLine, StringComparison.Ordinal);
        Assert.False(File.Exists(keyFile), "scm renew created a new key file.");
        Assert.DoesNotContain("Renewal submitted", renew.Output, StringComparison.Ordinal);

        var status = await store.RunAsync("keys", "status");
        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Contains("MISSING", status.Output, StringComparison.Ordinal);
        Assert.Contains("The store needs key " + keyId, status.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(keyFile), "scm keys status created a new key file.");
    }

    [Fact]
    public async Task KeysRotate_NewCurrentKey_StatusShowsTheOldOneFree_RenewStillWorks()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("rotate.acme.example");
        var oldKey = KeyId(KeyFile(store));

        var status = await store.RunAsync("keys", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains(oldKey, status.Output, StringComparison.Ordinal);
        Assert.Contains("current", status.Output, StringComparison.Ordinal);

        var rotate = await store.RunAsync("keys", "rotate");
        Assert.True(rotate.ExitCode == 0, rotate.ToString());
        var newKey = KeyId(KeyFile(store));
        Assert.NotEqual(oldKey, newKey);
        Assert.Contains($"Rotated: current key {newKey} (was {oldKey})", rotate.Output, StringComparison.Ordinal);
        Assert.Contains("Keys no longer needed by this store: " + oldKey, rotate.Output, StringComparison.Ordinal);

        var after = await store.RunAsync("keys", "status");
        Assert.True(after.ExitCode == 0, after.ToString());
        var oldRow = after.Output.Split('\n').Single(l => l.Contains(oldKey, StringComparison.Ordinal) && l.Contains('│'));
        Assert.Matches(@"│\s*no\s*│\s*0\s*│\s*0\s*│", oldRow); // not needed, protects nothing

        var audit = await store.RunAsync("audit", "--action", "KeyRotation");
        Assert.Contains("Completed", audit.Output, StringComparison.Ordinal);

        var renew = await store.RunAsync("renew", certificate.GetProperty("id").GetString()!, "--wait", "--timeout", "60");
        Assert.True(renew.ExitCode == 0, renew.ToString());
        Assert.Contains("Renewed rotate.acme.example", renew.Output, StringComparison.Ordinal);
    }
}
