using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Lifecycle.KeyProtection;
using Scm.Lifecycle.Scheduling;
using Scm.Lifecycle.Storage;
using Scm.Lifecycle.Tests.EndToEnd;
using Scm.Storage;
using static Scm.Lifecycle.Tests.KeyProtection.KeyRingGuardTests;

namespace Scm.Lifecycle.Tests.KeyProtection;

/// <summary>Rotation (F53), record binding, values of format 1, and key material that cannot be decrypted (F13).</summary>
public sealed class KeyRotationTests
{
    private static IKeyProtectionService Keys(EngineHarness h) => h.Services.GetRequiredService<IKeyProtectionService>();

    /// <summary>Every certificate's keystore and password decrypt, and every private key matches its certificate.</summary>
    private static async Task AssertAllReadableAsync(EngineHarness h)
    {
        await foreach (var certificate in h.Lifecycle.ListCertificatesAsync())
        {
            var keystore = await h.Lifecycle.GetKeystoreAsync(certificate.Id);
            Assert.NotEmpty(keystore.Password);
            var engine = h.Services.GetRequiredService<CertificateLifecycle>();
            using var key = await engine.Workflow.UnprotectKeyAsync(certificate, CancellationToken.None);
            using var leaf = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificate.CertificatePem);
            Assert.True(leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(((ECDsa)key).ExportSubjectPublicKeyInfo()));
        }
    }

    [Fact]
    public async Task Rotate_NewKeyCurrent_EverythingRewrapped_OldKeyRetirable()
    {
        await using var h = await EngineHarness.StartAsync(sqlite: true);
        var first = await IssueAsync(h, "a");
        await IssueAsync(h, "b");
        var pending = await h.Lifecycle.OrderAsync(EngineHarness.Request("c")); // an open order with a key
        var oldKey = KeyIdOfFile(KeyFile(h));

        var result = await Keys(h).RotateAsync();
        Assert.True(result.CreatedNewKey);
        Assert.False(result.Resumed);
        Assert.Equal(oldKey, result.PreviousKeyId);
        Assert.NotEqual(oldKey, result.CurrentKeyId);
        Assert.Equal(KeyIdOfFile(KeyFile(h)), result.CurrentKeyId);
        Assert.Equal(5, result.RecordsRewrapped); // 3 orders, 2 certificates
        Assert.Equal([oldKey], result.RetiredKeyIds);
        Assert.Empty(result.FailedRecords);

        var status = await Keys(h).GetStatusAsync();
        Assert.Equal(result.CurrentKeyId, status.CurrentKeyId);
        var old = Assert.Single(status.Keys, k => k.KeyId == oldKey);
        Assert.Equal((0, false, true), (old.ProtectedValues, old.IsRecorded, old.InRing));
        Assert.Equal(12, Assert.Single(status.Keys, k => k.IsCurrent).ProtectedValues); // 3 orders x (key + password), 2 certificates x (key + keystore + password)
        Assert.Null(status.RotationInProgressTo);
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { Action = KeyProtectionService.AuditAction });
        Assert.Equal(5, audit.Count(a => a.Decision == "Rewrapped"));
        Assert.Contains(audit, a => a.Decision == "Completed" && a.Outcome == "Succeeded");

        // The old key is kept beside the key file; once nothing needs it, it can go, and everything still works.
        var archived = AesGcmPrivateKeyProtector.RingFilePath(KeyFile(h), oldKey);
        Assert.True(File.Exists(archived));
        File.Delete(archived);
        await RestartAsync(h, sqlite: true);
        await AssertAllReadableAsync(h);
        var done = await h.AdvanceAndCheckAsync(pending.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        var renewal = await h.Lifecycle.RenewAsync(first.Id, new RenewCertificateRequest { ReuseKey = true });
        Assert.Equal(LifecycleOutcome.Submitted, renewal.Outcome);
        Assert.Equal(OrderState.Completed, (await h.AdvanceAndCheckAsync(renewal.Order!.Id)).Order.State);
    }

    [Fact]
    public async Task Rotate_KilledHalfway_EverythingReadable_ReRunCompletesWithTheSameKey()
    {
        await using var h = await EngineHarness.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await IssueAsync(h, "n" + i);
        }

        var oldKey = KeyIdOfFile(KeyFile(h));
        var faulty = new FaultyStore(h.Store);
        var rewraps = 0;
        faulty.FailWhen = batch => batch.Operations.Any(o => o is AppendAuditOperation { Entry.Decision: "Rewrapped" }) && ++rewraps > 2;
        await RestartAsync(h, sqlite: false, faulty);

        // The process "dies" after two re-wrapped records: the third write never happens.
        await Assert.ThrowsAsync<ScmStoreException>(() => Keys(h).RotateAsync());
        var newKey = KeyIdOfFile(KeyFile(h));
        Assert.NotEqual(oldKey, newKey);
        var halfway = await Keys(h).GetStatusAsync();
        Assert.Equal(newKey, halfway.RotationInProgressTo);
        Assert.True(halfway.Keys.Single(k => k.KeyId == oldKey).ProtectedValues > 0);
        Assert.True(halfway.Keys.Single(k => k.KeyId == newKey).ProtectedValues > 0);
        Assert.All(halfway.Keys, k => Assert.True(k.IsRecorded));
        Assert.Empty(halfway.MissingKeyIds);

        // A new process on the same store and ring reads everything.
        faulty.FailWhen = null;
        await RestartAsync(h, sqlite: false, faulty);
        await AssertAllReadableAsync(h);

        var rerun = await Keys(h).RotateAsync();
        Assert.True(rerun.Resumed);
        Assert.False(rerun.CreatedNewKey);
        Assert.Equal(newKey, rerun.CurrentKeyId);
        Assert.Equal(newKey, KeyIdOfFile(KeyFile(h))); // no second new key
        Assert.Equal([oldKey], rerun.RetiredKeyIds);
        var after = await Keys(h).GetStatusAsync();
        Assert.Null(after.RotationInProgressTo);
        Assert.Equal(0, after.Keys.Single(k => k.KeyId == oldKey).ProtectedValues);

        File.Delete(AesGcmPrivateKeyProtector.RingFilePath(KeyFile(h), oldKey));
        await RestartAsync(h, sqlite: false, faulty);
        await AssertAllReadableAsync(h);
    }

    [Fact]
    public async Task Rotate_ConcurrentEngineWrite_IsNotLost_TheRecordIsReReadAndRewrapped()
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        var racing = new RacingStore(h.Store);
        await RestartAsync(h, sqlite: false, racing);

        // Right before the rotation's write of the certificate, "the engine" changes it (auto-renew choice).
        racing.BeforeRewrap = async () => await h.Lifecycle.SetCertificateAutoRenewAsync(certificate.Id, AutoRenewMode.Disabled);
        var result = await Keys(h).RotateAsync();
        Assert.True(result.Conflicts >= 1);
        var stored = (await h.Lifecycle.GetCertificateAsync(certificate.Id))!;
        Assert.Equal(AutoRenewMode.Disabled, stored.AutoRenew); // the engine's change survived
        Assert.Equal(result.CurrentKeyId, h.Services.GetRequiredService<CertificateLifecycle>().Context.Keys.KeyIdOf(stored.ProtectedPrivateKey));
        await AssertAllReadableAsync(h);
    }

    [Fact]
    public async Task SwappedValues_BetweenRecordsOrFields_AreRefused()
    {
        await using var h = await EngineHarness.StartAsync();
        var a = await IssueAsync(h, "a");
        var b = await IssueAsync(h, "b");

        // B's keystore password replaced by A's (same key, same format: only the binding tells them apart).
        var swapped = (await h.Store.CommitAsync(new StoreBatch().UpdateCertificate(b with { ProtectedKeystorePassword = a.ProtectedKeystorePassword }))).Certificate(b.Id);
        var error = await Assert.ThrowsAsync<KeyProtectionException>(() => h.Lifecycle.GetKeystoreAsync(b.Id));
        Assert.Contains("another record or field", error.Message, StringComparison.Ordinal);
        Assert.Contains(h.Events, e => e is PrivateKeyUnreadableEvent { CertificateId: var id } && id == b.Id);

        // A's private key moved into B; and a keystore password moved into a private-key field.
        var engine = h.Services.GetRequiredService<CertificateLifecycle>();
        await Assert.ThrowsAsync<KeyProtectionException>(() => engine.Workflow.UnprotectKeyAsync(swapped with { ProtectedPrivateKey = a.ProtectedPrivateKey }, CancellationToken.None));
        await Assert.ThrowsAsync<KeyProtectionException>(() => engine.Workflow.UnprotectKeyAsync(a with { ProtectedPrivateKey = a.ProtectedKeystorePassword }, CancellationToken.None));

        // The genuine values still decrypt.
        Assert.NotEmpty((await h.Lifecycle.GetKeystoreAsync(a.Id)).Password);
    }

    [Fact]
    public async Task RenewalInstall_RebindsOnlyThePassword_TheKeyMovesWithoutRewrap()
    {
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h);
        var order = (await h.Lifecycle.ListOrdersAsync().ToListAsync()).Single();
        Assert.Equal(order.ProtectedPrivateKey, old.ProtectedPrivateKey); // order -> certificate: the same bytes

        var renewal = await h.Lifecycle.RenewAsync(old.Id, new RenewCertificateRequest { ReuseKey = true });
        var renewed = (await h.AdvanceAndCheckAsync(renewal.Order!.Id)).InstalledCertificate!;
        Assert.Equal(old.ProtectedPrivateKey, renewed.ProtectedPrivateKey); // bound to the public key: no re-wrap
        Assert.NotEqual(old.ProtectedKeystorePassword, renewed.ProtectedKeystorePassword); // bound to the new record
        Assert.Equal((await h.Lifecycle.GetKeystoreAsync(old.Id)).Password, (await h.Lifecycle.GetKeystoreAsync(renewed.Id)).Password);
    }

    [Fact]
    public async Task FormatOneValues_StillReadable_AndBoundByRotation()
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        var key = await File.ReadAllBytesAsync(KeyFile(h));
        var engine = h.Services.GetRequiredService<CertificateLifecycle>();
        var keystore = await h.Lifecycle.GetKeystoreAsync(certificate.Id);
        var pkcs8 = await engine.Context.Keys.UnprotectAsync(certificate.ProtectedPrivateKey!, KeyBindings.PrivateKey(certificate), CancellationToken.None);

        // Values as the previous version wrote them: format 1, no associated data.
        var legacy = certificate with
        {
            ProtectedPrivateKey = FormatOne(key, pkcs8),
            ProtectedKeystore = FormatOne(key, keystore.Content.ToArray()),
            ProtectedKeystorePassword = FormatOne(key, System.Text.Encoding.UTF8.GetBytes(keystore.Password)),
        };
        await h.Store.CommitAsync(new StoreBatch().UpdateCertificate(legacy));
        Assert.Equal(keystore.Password, (await h.Lifecycle.GetKeystoreAsync(certificate.Id)).Password);
        Assert.Equal(3, (await Keys(h).GetStatusAsync()).UnboundValues);

        var result = await Keys(h).RotateAsync(new KeyRotationRequest { CreateNewKey = false });
        Assert.False(result.CreatedNewKey);
        Assert.Equal(0, (await Keys(h).GetStatusAsync()).UnboundValues);
        var upgraded = (await h.Lifecycle.GetCertificateAsync(certificate.Id))!;
        Assert.Equal(2, upgraded.ProtectedPrivateKey![0]);
        Assert.Equal(keystore.Password, (await h.Lifecycle.GetKeystoreAsync(certificate.Id)).Password);
        await AssertAllReadableAsync(h);
    }

    [Fact]
    public async Task UndecryptableOrderKey_StuckVisible_EventAndHealth_NoRetryLoop_RecoversAfterRepair()
    {
        await using var h = await EngineHarness.StartAsync(builder: b => b.Services.AddHealthChecks().AddSectigoCertificateManagement());
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        var order = (await h.Lifecycle.GetOrderAsync(ordered.OrderId))!;
        Assert.Equal(OrderState.Submitted, order.State);
        var genuine = order.ProtectedPrivateKey!;
        var corrupt = (byte[])genuine.Clone();
        corrupt[^1] ^= 0x01; // F13: a tampered or corrupted stored key
        await h.Store.CommitAsync(new StoreBatch().UpdateOrder(order with { ProtectedPrivateKey = corrupt }));

        var check = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Stuck, check.Order.State);
        Assert.Equal(OrderWorkflow.KeyUnreadableParkedUntil, check.Order.NextAttemptAt);
        Assert.Contains("cannot be decrypted", check.Order.LastError, StringComparison.Ordinal);
        Assert.Equal(corrupt, check.Order.ProtectedPrivateKey); // never a new key
        Assert.Single(h.Events.OfType<PrivateKeyUnreadableEvent>());
        var health = (await h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries.Single().Value;
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("order:" + ordered.OrderId, health.Description, StringComparison.Ordinal);

        // The scheduler's jobs (follow-up, full status check) leave it alone, however often they run.
        var stuck = (await h.Lifecycle.GetOrderAsync(ordered.OrderId))!;
        var collects = h.Simulator.GetRequestLog().Count(r => r.Path.Contains("/collect/", StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromDays(1));
            await h.Jobs.RunAsync(LifecycleJob.FollowUp);
            await h.Jobs.RunAsync(LifecycleJob.StatusCheck);
        }

        Assert.Equal(stuck.Version, (await h.Lifecycle.GetOrderAsync(ordered.OrderId))!.Version);
        Assert.Equal(collects, h.Simulator.GetRequestLog().Count(r => r.Path.Contains("/collect/", StringComparison.Ordinal)));
        Assert.Single(h.Events.OfType<PrivateKeyUnreadableEvent>());
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery());
        Assert.Single(audit, a => a.Decision == "KeyUnreadable");

        // An operator restores the genuine key material and checks the order: it is installed, and the health clears.
        await h.Store.CommitAsync(new StoreBatch().UpdateOrder(stuck with { ProtectedPrivateKey = genuine }));
        var repaired = await h.Lifecycle.CheckStatusAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, repaired.Order.State);
        Assert.Equal(HealthStatus.Healthy, (await h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    /// <summary>A value as format 1 wrote it: version 1, key id, nonce, ciphertext, tag; only the header authenticated.</summary>
    private static byte[] FormatOne(byte[] key, byte[] plaintext)
    {
        var output = new byte[1 + 4 + 12 + plaintext.Length + 16];
        output[0] = 1;
        SHA256.HashData(key).AsSpan(0, 4).CopyTo(output.AsSpan(1));
        RandomNumberGenerator.Fill(output.AsSpan(5, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(output.AsSpan(5, 12), plaintext, output.AsSpan(17, plaintext.Length), output.AsSpan(17 + plaintext.Length, 16), output.AsSpan(0, 5));
        return output;
    }

    /// <summary>Runs a hook right before the first re-wrap commit of a certificate (a concurrent engine write that wins the race).</summary>
    private sealed class RacingStore(IScmStore inner) : Scm.Tests.Shared.ForwardingScmStore(inner)
    {
        public Func<Task>? BeforeRewrap { get; set; }

        public override async Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
        {
            if (BeforeRewrap is { } hook && batch.Operations.Any(o => o is UpdateCertificateOperation)
                && batch.Operations.Any(o => o is AppendAuditOperation { Entry.Decision: "Rewrapped" }))
            {
                BeforeRewrap = null;
                await hook();
            }

            return await Inner.CommitAsync(batch, cancellationToken);
        }
    }
}
