using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Lifecycle.KeyProtection;
using Scm.Lifecycle.Scheduling;
using Scm.Lifecycle.Tests.EndToEnd;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.KeyProtection;

/// <summary>
/// F52 through the DI host and the simulator: a store whose keys were protected by key K never silently gets a new K'.
/// Every store (in memory, SQLite) keeps the key ids it needs; the engine refuses to run without them.
/// </summary>
public sealed class KeyRingGuardTests
{
    internal static string KeyFile(EngineHarness h) => Path.Combine(h.Root, "keys", "protector.key");

    internal static string KeyIdOfFile(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)).AsSpan(0, 4)).ToLowerInvariant();

    internal static async Task<ManagedCertificate> IssueAsync(EngineHarness h, string name = "www")
    {
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request(name));
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        return done.InstalledCertificate!;
    }

    /// <summary>Restarts the host on the same store: SQLite reopens its file, the in-memory store is handed over.</summary>
    internal static async Task RestartAsync(EngineHarness h, bool sqlite, IScmStore? store = null, Action<ISectigoCertificateManagementBuilder>? builder = null)
    {
        var inMemory = sqlite ? null : store ?? h.Store;
        await h.StopHostAsync();
        await h.StartHostAsync(sqlite: sqlite, store: inMemory, builder: builder);
    }

    private static async Task<string> SnapshotAsync(IScmStore store)
    {
        var orders = await store.ListOrdersAsync(new OrderQuery { PageSize = 1000 });
        var certificates = await store.ListCertificatesAsync(new CertificateQuery { PageSize = 1000 });
        var audit = await store.QueryAuditAsync(new AuditQuery { Limit = 10_000 });
        var keyIds = await store.GetValueAsync(KeyRingGuard.KeyIdsValue);
        return string.Join("|", orders.Items.Select(o => $"{o.Id}:{o.Version}:{o.State}:{Convert.ToBase64String(o.ProtectedPrivateKey ?? [])}"))
            + "#" + string.Join("|", certificates.Items.Select(c => $"{c.Id}:{c.Version}:{Convert.ToBase64String(c.ProtectedPrivateKey ?? [])}"))
            + "#" + audit.Count + "#" + keyIds;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LostKeyFile_NonEmptyStore_RefusesNamingKeyIdAndPath_CreatesNoKeyAndChangesNothing(bool sqlite)
    {
        await using var h = await EngineHarness.StartAsync(sqlite: sqlite);
        var certificate = await IssueAsync(h);
        var keyFile = KeyFile(h);
        var keyId = KeyIdOfFile(keyFile);
        var store = h.Store;
        var before = await SnapshotAsync(store);
        var renewalsBefore = h.Simulator.Counters.RenewalOrdersFor(certificate.SslId!.Value);

        // A container restarted without its volume: the key file is gone, the store is not.
        File.Delete(keyFile);
        await RestartAsync(h, sqlite, store);

        var refused = await Assert.ThrowsAsync<KeyEncryptionKeyMissingException>(() => h.Lifecycle.RenewAsync(certificate.Id));
        Assert.Equal([keyId], refused.MissingKeyIds);
        Assert.Contains(keyId, refused.Message, StringComparison.Ordinal);
        Assert.Contains(keyFile, refused.Message, StringComparison.Ordinal);
        Assert.Empty(refused.AvailableKeyIds);
        await Assert.ThrowsAsync<KeyEncryptionKeyMissingException>(() => h.Lifecycle.OrderAsync(EngineHarness.Request("other")));
        await Assert.ThrowsAsync<KeyEncryptionKeyMissingException>(() => h.Jobs.RunAsync(LifecycleJob.FollowUp));

        Assert.False(File.Exists(keyFile), "A new key file was created.");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(keyFile)!));
        Assert.Equal(before, await SnapshotAsync(h.Store));
        Assert.Equal(renewalsBefore, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId.Value));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EmptyStore_FirstRun_CreatesTheKeyAndRecordsItsId(bool sqlite)
    {
        await using var h = await EngineHarness.StartAsync(sqlite: sqlite);
        var keyFile = KeyFile(h);
        Assert.False(File.Exists(keyFile)); // nothing before the first operation
        Assert.Empty(await h.Lifecycle.ListCertificatesAsync().ToListAsync());

        Assert.True(File.Exists(keyFile));
        Assert.Equal("v1:" + KeyIdOfFile(keyFile), await h.Store.GetValueAsync(KeyRingGuard.KeyIdsValue));
        await IssueAsync(h);
    }

    [Fact]
    public async Task ReplacedKeyFile_Refuses_NamingTheNeededAndTheFoundKey()
    {
        await using var h = await EngineHarness.StartAsync(sqlite: true);
        var certificate = await IssueAsync(h);
        var keyFile = KeyFile(h);
        var needed = KeyIdOfFile(keyFile);
        await File.WriteAllBytesAsync(keyFile, RandomNumberGenerator.GetBytes(32)); // a different key with the right shape
        var other = KeyIdOfFile(keyFile);
        await RestartAsync(h, sqlite: true);

        var refused = await Assert.ThrowsAsync<KeyEncryptionKeyMissingException>(() => h.Lifecycle.GetKeystoreAsync(certificate.Id));
        Assert.Equal([needed], refused.MissingKeyIds);
        Assert.Equal([other], refused.AvailableKeyIds);
        Assert.Contains(needed, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(await File.ReadAllBytesAsync(keyFile)), refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreWrittenBeforeKeyIdsWereRecorded_DerivesThemFromTheValues()
    {
        await using var h = await EngineHarness.StartAsync(sqlite: true);
        await IssueAsync(h);
        var keyFile = KeyFile(h);
        var keyId = KeyIdOfFile(keyFile);
        await h.Store.SetValueAsync(KeyRingGuard.KeyIdsValue, null); // as a store of an earlier version

        File.Move(keyFile, keyFile + ".away");
        await RestartAsync(h, sqlite: true);
        var refused = await Assert.ThrowsAsync<KeyEncryptionKeyMissingException>(() => h.Lifecycle.CheckPendingOrdersAsync());
        Assert.Equal([keyId], refused.MissingKeyIds);
        Assert.Null(await h.Store.GetValueAsync(KeyRingGuard.KeyIdsValue)); // nothing written while refusing

        // The right key file back: the engine runs, and the derived ids are recorded once.
        File.Move(keyFile + ".away", keyFile);
        await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.Equal("v1:" + keyId, await h.Store.GetValueAsync(KeyRingGuard.KeyIdsValue));
    }

    [Fact]
    public async Task TwoHostsWithDifferentKeyFilesOnOneStore_TheSecondRefusesInsteadOfAddingItsKey()
    {
        await using var h = await EngineHarness.StartAsync(sqlite: true);
        await IssueAsync(h);
        var first = KeyIdOfFile(KeyFile(h));
        await h.StopHostAsync();

        // Another container on the same store with its own, different key volume.
        await h.StartHostAsync(sqlite: true, engine: o => o.KeyProtection.KeyFilePath = Path.Combine(h.Root, "other-keys", "protector.key"));
        var refused = await Assert.ThrowsAsync<KeyEncryptionKeyMissingException>(() => h.Lifecycle.CheckPendingOrdersAsync());
        Assert.Equal([first], refused.MissingKeyIds);
        Assert.False(Directory.Exists(Path.Combine(h.Root, "other-keys")) && Directory.GetFiles(Path.Combine(h.Root, "other-keys")).Length > 0);
        Assert.Equal("v1:" + first, await h.Store.GetValueAsync(KeyRingGuard.KeyIdsValue));
    }

    [Fact]
    public async Task HostedScheduler_LostKeyFile_StopsTheHostInsteadOfRetryingEveryTick()
    {
        await using var h = await EngineHarness.StartAsync(sqlite: true);
        await IssueAsync(h);
        File.Delete(KeyFile(h));
        await h.StopHostAsync();
        await h.StartHostAsync(sqlite: true, engine: o => o.Scheduling.Enabled = true);
        var lifetime = h.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
        await WaitUntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Contains(h.Logs, l => l.Contains("refusing to run", StringComparison.Ordinal) && l.Contains("does not have", StringComparison.Ordinal));
        Assert.False(File.Exists(KeyFile(h)));
    }

    [Fact]
    public async Task HealthCheck_LostKeyFile_UnhealthyNamingTheKey()
    {
        await using var h = await EngineHarness.StartAsync(sqlite: true, builder: b => b.Services.AddHealthChecks().AddSectigoCertificateManagement());
        await IssueAsync(h);
        var keyId = KeyIdOfFile(KeyFile(h));
        File.Delete(KeyFile(h));
        await RestartAsync(h, sqlite: true, builder: b => b.Services.AddHealthChecks().AddSectigoCertificateManagement());

        var report = await h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains(keyId, entry.Description, StringComparison.Ordinal);
        Assert.Equal("keys missing", entry.Data["keyProtection"]);
        Assert.False(File.Exists(KeyFile(h)));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        Assert.True(condition(), "The condition was not met within 10 s.");
    }
}
