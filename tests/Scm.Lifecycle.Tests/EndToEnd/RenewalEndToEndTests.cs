using Microsoft.Extensions.DependencyInjection;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>Manual renewal and auto-renewal through the host against the simulator, on a fake clock.</summary>
public sealed class RenewalEndToEndTests
{
    private static async Task<ManagedCertificate> IssueAsync(EngineHarness h, string name = "www", int profile = EngineHarness.MultiDomainProfile, int term = 365)
    {
        var request = EngineHarness.Request(name) with { ProfileId = profile, TermDays = term };
        if (profile == EngineHarness.NoRenewalProfile)
        {
            request = request with { SubjectAlternativeNames = [] };
        }

        var ordered = await h.Lifecycle.OrderAsync(request);
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        return done.InstalledCertificate!;
    }

    private static async Task<byte[]> PublicKeyAsync(EngineHarness h, ManagedCertificate certificate)
    {
        using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificate.CertificatePem);
        await Task.CompletedTask;
        return cert.PublicKey.ExportSubjectPublicKeyInfo();
    }

    [Fact]
    public async Task Renew_Manual_NewKeyAndRecord_OldStaysInServiceUntilNewInstalled()
    {
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h);

        var result = await h.Lifecycle.RenewAsync(old.Id);
        Assert.Equal(LifecycleOutcome.Submitted, result.Outcome);
        Assert.Equal(OrderKind.Renewal, result.Order!.Kind);
        Assert.NotEqual(old.SslId, result.Order.SslId);
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(old.SslId!.Value));

        // Until the new pair is collected and verified, the current certificate stays active and deployable.
        var stillActive = (await h.Lifecycle.GetCertificateAsync(old.Id))!;
        Assert.Equal(CertificateStatus.Active, stillActive.Status);
        Assert.Equal(old.ProtectedPrivateKey, stillActive.ProtectedPrivateKey);

        var check = await h.AdvanceAndCheckAsync(result.Order.Id);
        var renewed = check.InstalledCertificate!;
        Assert.Equal(old.Id, renewed.RenewedFromId);
        Assert.Equal(CertificateStatus.Active, renewed.Status);
        Assert.Equal(7, result.Order.Id.Version); // time-ordered ids on the renewal path too (RecordId)
        Assert.Equal(7, renewed.Id.Version);
        var superseded = (await h.Lifecycle.GetCertificateAsync(old.Id))!;
        Assert.Equal(CertificateStatus.Superseded, superseded.Status);
        Assert.Equal(renewed.Id, superseded.RenewedById);
        Assert.NotEqual(await PublicKeyAsync(h, old), await PublicKeyAsync(h, renewed));
        Assert.Equal(old.Tags, renewed.Tags);
        Assert.True(h.Simulator.GetOrder(old.SslId.Value)!.Renewed);
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = renewed.Id });
        Assert.Contains(audit, a => a.Decision == "Renewed");
        await StoreVerifier.VerifyAsync(h.Store, h.Simulator, h.Services.GetRequiredService<IPrivateKeyProtector>());
    }

    [Fact]
    public async Task Renew_ReuseKey_KeepsThePublicKey()
    {
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h);
        var result = await h.Lifecycle.RenewAsync(old.Id, new RenewCertificateRequest { ReuseKey = true });
        var renewed = (await h.AdvanceAndCheckAsync(result.Order!.Id)).InstalledCertificate!;
        Assert.Equal(await PublicKeyAsync(h, old), await PublicKeyAsync(h, renewed));
    }

    [Fact]
    public async Task Renew_ProfileForbidsRenewal_NotAllowedAndCertificateUntouched()
    {
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h, profile: EngineHarness.NoRenewalProfile, term: 90);
        var result = await h.Lifecycle.RenewAsync(old.Id);
        Assert.Equal(LifecycleOutcome.NotAllowed, result.Outcome);
        Assert.Contains("-180", result.Message, StringComparison.Ordinal);
        var after = (await h.Lifecycle.GetCertificateAsync(old.Id))!;
        Assert.Equal(CertificateStatus.Active, after.Status);
        Assert.Equal(1, after.RenewalFailures);
        Assert.NotNull(after.RenewalNotBefore);
        Assert.Equal(0, h.Simulator.Counters.RenewalOrdersFor(old.SslId!.Value));
    }

    [Fact]
    public async Task Renew_WhileOneIsOpen_AlreadyInProgressNoSecondOrder()
    {
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h);
        var first = await h.Lifecycle.RenewAsync(old.Id);
        var second = await h.Lifecycle.RenewAsync(old.Id);
        Assert.Equal(LifecycleOutcome.AlreadyInProgress, second.Outcome);
        Assert.Equal(first.Order!.Id, second.Order!.Id);
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(old.SslId!.Value));
    }

    [Fact]
    public async Task AutoRenew_Due_RenewsOnceAcrossRepeatedScans_AndAudits()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.AutoRenewal.Enabled = true);
        var certificate = await IssueAsync(h);
        var notDue = await h.Lifecycle.RunAutoRenewalAsync();
        Assert.Empty(notDue.Decisions);

        h.Time.Advance(TimeSpan.FromDays(340));
        var run = await h.Lifecycle.RunAutoRenewalAsync();
        var decision = Assert.Single(run.Decisions);
        Assert.Equal(AutoRenewDecision.Renewed, decision.Decision);
        Assert.Contains("30 days before expiry", decision.Reason, StringComparison.Ordinal);

        var again = await h.Lifecycle.RunAutoRenewalAsync();
        Assert.Equal(AutoRenewDecision.Skipped, Assert.Single(again.Decisions).Decision);
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId!.Value));

        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.Lifecycle.CheckPendingOrdersAsync();
        var afterInstall = await h.Lifecycle.RunAutoRenewalAsync();
        Assert.Empty(afterInstall.Decisions);
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId.Value));

        var audit = await h.Lifecycle.GetAutoRenewalAuditAsync(certificateId: certificate.Id);
        Assert.Equal(["Renewed", "Skipped"], audit.Select(a => a.Decision));
    }

    [Fact]
    public async Task AutoRenew_WindowNotShorterThanLifetime_FallsBackToLastThird()
    {
        await using var h = await EngineHarness.StartAsync(engine: o =>
        {
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.RenewBeforeDays = 120;
            o.AutoRenewal.MaxJitter = TimeSpan.Zero;
        });
        var certificate = await IssueAsync(h, profile: EngineHarness.NoRenewalProfile, term: 90);
        var lifetime = certificate.NotAfter - certificate.NotBefore;
        h.Time.Advance(lifetime * 2 / 3 - TimeSpan.FromHours(2) - (h.Time.GetUtcNow() - certificate.NotBefore));
        Assert.Empty((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);

        h.Time.Advance(TimeSpan.FromHours(3));
        var decision = Assert.Single((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);
        Assert.Contains("last third", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoRenew_Failure_BacksOff_EmergencyWindowOverridesBackoff()
    {
        await using var h = await EngineHarness.StartAsync(engine: o =>
        {
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.RenewBeforeDays = 20;
            o.AutoRenewal.MaxJitter = TimeSpan.Zero;
        });
        var certificate = await IssueAsync(h, profile: EngineHarness.NoRenewalProfile, term: 90);

        h.Time.Advance(certificate.NotAfter - TimeSpan.FromDays(19) - h.Time.GetUtcNow());
        var failed = Assert.Single((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);
        Assert.Equal(AutoRenewDecision.Failed, failed.Decision);
        var backedOff = (await h.Lifecycle.GetCertificateAsync(certificate.Id))!;
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromHours(1), backedOff.RenewalNotBefore);

        h.Time.Advance(TimeSpan.FromMinutes(30));
        var waiting = Assert.Single((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);
        Assert.Equal(AutoRenewDecision.BackingOff, waiting.Decision);

        h.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(AutoRenewDecision.Failed, Assert.Single((await h.Lifecycle.RunAutoRenewalAsync()).Decisions).Decision);
        var second = (await h.Lifecycle.GetCertificateAsync(certificate.Id))!;
        Assert.Equal(2, second.RenewalFailures);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromHours(2), second.RenewalNotBefore);

        // In the last twentieth of the lifetime the backoff no longer holds the renewal back.
        var lifetime = certificate.NotAfter - certificate.NotBefore;
        h.Time.Advance(certificate.NotAfter - (lifetime / 20) - h.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var third = await h.Lifecycle.GetCertificateAsync(certificate.Id);
        var emergencyDecision = Assert.Single((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);
        if (third!.RenewalNotBefore > h.Time.GetUtcNow())
        {
            Assert.Equal(AutoRenewDecision.Failed, emergencyDecision.Decision);
            Assert.Contains("emergency window", emergencyDecision.Reason, StringComparison.Ordinal);
        }

        var audit = await h.Lifecycle.GetAutoRenewalAuditAsync(certificateId: certificate.Id);
        Assert.Contains(audit, a => a.Decision == "BackingOff");
        Assert.All(audit.Where(a => a.Decision == "Failed"), a => Assert.Contains("-180", a.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AutoRenew_SelectionAndOptOut_AreHonoured()
    {
        await using var h = await EngineHarness.StartAsync();
        var tagged = await IssueAsync(h, "tagged");
        var untagged = await IssueAsync(h, "plain");
        var optedOut = await IssueAsync(h, "optout");
        await h.Store.CommitAsync(new StoreBatch().UpdateCertificate((await h.Lifecycle.GetCertificateAsync(tagged.Id))! with { Tags = ["prod"] }));
        await h.Lifecycle.SetCertificateAutoRenewAsync(optedOut.Id, AutoRenewMode.Disabled);
        await h.Lifecycle.SetAutoRenewalPolicyAsync(new AutoRenewalPolicy { Enabled = true, RenewBefore = TimeSpan.FromDays(30), Selection = AutoRenewSelection.Tagged, Tags = ["prod"] });
        Assert.Equal(AutoRenewSelection.Tagged, (await h.Lifecycle.GetAutoRenewalPolicyAsync()).Selection);

        h.Time.Advance(TimeSpan.FromDays(340));
        var run = await h.Lifecycle.RunAutoRenewalAsync();
        Assert.Equal(AutoRenewDecision.Renewed, run.Decisions.Single(d => d.CertificateId == tagged.Id).Decision);
        Assert.Equal(AutoRenewDecision.Skipped, run.Decisions.Single(d => d.CertificateId == untagged.Id).Decision);
        Assert.Equal(AutoRenewDecision.Skipped, run.Decisions.Single(d => d.CertificateId == optedOut.Id).Decision);
        Assert.Equal(0, h.Simulator.Counters.RenewalOrdersFor(untagged.SslId!.Value));
        Assert.Equal(0, h.Simulator.Counters.RenewalOrdersFor(optedOut.SslId!.Value));

        await h.Lifecycle.SetAutoRenewalPolicyAsync(new AutoRenewalPolicy { Enabled = false });
        Assert.Empty((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);
        Assert.Contains(await h.Lifecycle.GetAutoRenewalAuditAsync(), a => a.Decision == "PolicyChanged");
    }

    [Fact]
    public async Task AutoRenew_ObserveOnly_SkippedUntilOptedIn_ThenRenewedWithFreshKey()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.AutoRenewal.Enabled = true);
        var certificate = await IssueAsync(h);
        var observeOnly = (await h.Lifecycle.GetCertificateAsync(certificate.Id))! with { ProtectedPrivateKey = null, ProtectedKeystore = null, ProtectedKeystorePassword = null, Origin = CertificateOrigin.Imported };
        await h.Store.CommitAsync(new StoreBatch().UpdateCertificate(observeOnly));

        h.Time.Advance(TimeSpan.FromDays(340));
        var skipped = Assert.Single((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);
        Assert.Equal(AutoRenewDecision.Skipped, skipped.Decision);
        Assert.Contains("Observe-only", skipped.Reason, StringComparison.Ordinal);

        await h.Lifecycle.SetCertificateAutoRenewAsync(certificate.Id, AutoRenewMode.Enabled);
        var renewed = Assert.Single((await h.Lifecycle.RunAutoRenewalAsync()).Decisions);
        Assert.Equal(AutoRenewDecision.Renewed, renewed.Decision);
        var check = await h.AdvanceAndCheckAsync(renewed.OrderId!.Value);
        Assert.False(check.InstalledCertificate!.IsObserveOnly);
        Assert.NotNull(check.InstalledCertificate.ProtectedKeystore);
    }

    [Fact]
    public async Task AutoRenew_ScmRenewsItself_AdoptsScmRenewalNeverOrdersSecond()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.AutoRenewal.Enabled = true);
        var certificate = await IssueAsync(h);
        using (var client = new Scm.Client.ScmClient(new Scm.Client.ScmClientOptions
        {
            BaseAddress = h.Simulator.BaseAddress,
            Login = h.Simulator.Credentials.Login,
            Password = h.Simulator.Credentials.Password,
            CustomerUri = h.Simulator.Credentials.CustomerUri,
        }, timeProvider: h.Time))
        {
            await client.Ssl.UpdateAsync(new Scm.Client.SslUpdateRequest
            {
                SslId = certificate.SslId!.Value,
                AutoRenew = new Scm.Client.SslAutoRenewDetails { State = Scm.Client.AutoRenewState.Scheduled, DaysBeforeExpiration = 40 },
            });
        }

        // SCM's own window (40 days) opens before ours (30 days); by the time ours opens, SCM has renewed.
        h.Time.Advance(TimeSpan.FromDays(340));
        var run = await h.Lifecycle.RunAutoRenewalAsync();
        var decision = Assert.Single(run.Decisions);
        Assert.Equal(AutoRenewDecision.AdoptedScmRenewal, decision.Decision);
        Assert.Equal(0, h.Simulator.Counters.RenewPosts);

        var check = await h.AdvanceAndCheckAsync(decision.OrderId!.Value);
        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.Equal(certificate.Id, check.InstalledCertificate!.RenewedFromId);
        Assert.Equal(await PublicKeyAsync(h, certificate), await PublicKeyAsync(h, check.InstalledCertificate));
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId!.Value));
        Assert.Contains(await h.Lifecycle.GetAutoRenewalAuditAsync(certificateId: certificate.Id), a => a.Decision == "AdoptedScmRenewal");
    }

    [Fact]
    public void Plan_DeterministicJitterWithinBounds()
    {
        var certificate = new ManagedCertificate
        {
            Id = Guid.NewGuid(),
            CommonName = "a.example.com",
            SerialNumber = "01",
            Thumbprint = "00",
            NotBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            NotAfter = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            CertificatePem = string.Empty,
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        };
        var a = Scm.Lifecycle.Internal.Engine.AutoRenewalScanner.Plan(certificate, TimeSpan.FromDays(30), TimeSpan.FromHours(6));
        var b = Scm.Lifecycle.Internal.Engine.AutoRenewalScanner.Plan(certificate, TimeSpan.FromDays(30), TimeSpan.FromHours(6));
        Assert.Equal(a, b);
        Assert.InRange(a.RenewAt, certificate.NotAfter - TimeSpan.FromDays(30) - TimeSpan.FromHours(6), certificate.NotAfter - TimeSpan.FromDays(30));
        Assert.False(a.FellBackToThird);
        Assert.Equal(certificate.NotAfter - ((certificate.NotAfter - certificate.NotBefore) / 20), a.EmergencyFrom);

        var spread = Enumerable.Range(0, 200).Select(_ => Scm.Lifecycle.Internal.Engine.AutoRenewalScanner.JitterFraction(Guid.NewGuid())).ToArray();
        Assert.All(spread, f => Assert.InRange(f, 0, 1));
        Assert.True(spread.Max() - spread.Min() > 0.5, "jitter spreads certificates");

        // The engine's ids are time-ordered (their first digits alike for records made together): still spread.
        var rng = new Random(3);
        var madeTogether = Enumerable.Range(0, 200).Select(i =>
        {
            var random = new byte[10];
            rng.NextBytes(random);
            return Scm.Lifecycle.Internal.Engine.AutoRenewalScanner.JitterFraction(Scm.Lifecycle.Internal.RecordId.Create(certificate.NotBefore.AddMilliseconds(i), random));
        }).ToArray();
        Assert.All(madeTogether, f => Assert.InRange(f, 0, 1));
        Assert.True(madeTogether.Max() - madeTogether.Min() > 0.5, "jitter spreads certificates whose ids were made in the same second");
        Assert.True(madeTogether.Count(f => f < 0.5) is > 60 and < 140, "about half in each half");
    }

    /// <summary>Records the certificate leases a store is asked for, and lets a test act when the renewal reads the catalog.</summary>
    private sealed class LeaseWatchingStore(IScmStore inner) : DelegatingScmStore(inner)
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Leases { get; } = new();

        private volatile bool _certificateLeased;

        /// <summary>Runs once, on the first catalog read after a certificate lease is next granted (the renewal reading its profile).</summary>
        public Func<Task>? OnCatalogRead { get; private set; }

        public void ArmOnCatalogRead(Func<Task> hook)
        {
            _certificateLeased = false;
            OnCatalogRead = hook;
        }

        public override async Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
        {
            var token = await base.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);
            if (name.StartsWith("cert:", StringComparison.Ordinal))
            {
                Leases.Enqueue($"acquire {name} by {owner}: {(token is null ? "refused" : "granted")}");
                _certificateLeased |= token is not null;
            }

            return token;
        }

        public override async Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
        {
            if (lease.Name.StartsWith("cert:", StringComparison.Ordinal))
            {
                Leases.Enqueue($"release {lease.Name} by {lease.Owner}");
            }

            await base.ReleaseLeaseAsync(lease, cancellationToken);
        }

        public override async Task<ScmAccountCatalog?> GetCatalogAsync(string accountId, CancellationToken cancellationToken = default)
        {
            if (_certificateLeased && OnCatalogRead is { } hook)
            {
                OnCatalogRead = null;
                await hook();
            }

            return await base.GetCatalogAsync(accountId, cancellationToken);
        }
    }

    private static async Task<(EngineHarness Harness, LeaseWatchingStore Store)> StartWatchedAsync()
    {
        var h = await EngineHarness.StartAsync(engine: o => o.AutoRenewal.Enabled = true);
        await h.StopHostAsync();
        var store = new LeaseWatchingStore(new Scm.Lifecycle.Storage.InMemoryScmStore(h.Time));
        await h.StartHostAsync(engine: o => o.AutoRenewal.Enabled = true, store: store);
        return (h, store);
    }

    [Fact]
    public async Task AutoRenew_HoldsTheCertificateLeaseFromDecisionToOrder_OneLeaseOneScmLookup()
    {
        var (h, store) = await StartWatchedAsync();
        await using var _ = h;
        var certificate = await IssueAsync(h);
        h.Time.Advance(TimeSpan.FromDays(340));
        while (store.Leases.TryDequeue(out var _))
        {
        }

        h.Simulator.ClearRequestLog();
        var run = await h.Lifecycle.RunAutoRenewalAsync();

        Assert.Equal(AutoRenewDecision.Renewed, Assert.Single(run.Decisions).Decision);
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId!.Value));

        // One acquisition for the decision and the order together, released once at the end: no gap in which another host
        // could take the certificate, decide again and ask SCM the same question.
        var lease = EngineContextLeaseName(certificate.Id);
        var owner = Assert.Single(store.Leases, l => l.StartsWith("acquire", StringComparison.Ordinal));
        Assert.Equal($"acquire {lease} by", owner[..(owner.IndexOf(" by", StringComparison.Ordinal) + 3)]);
        Assert.EndsWith("granted", owner, StringComparison.Ordinal);
        Assert.Single(store.Leases, l => l.StartsWith($"release {lease}", StringComparison.Ordinal));
        // The original's details are read twice by design (the scan asks whether SCM renews it itself; the renewal records
        // its baseline before the POST), never a third time by a second decision.
        Assert.Equal(2, h.Simulator.GetRequestLog().Count(r => r.Method == "GET" && r.Path.EndsWith("/" + certificate.SslId.Value, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AutoRenew_LeaseLostBetweenDecisionAndOrder_NothingSentAnotherHostDecides()
    {
        var (h, store) = await StartWatchedAsync();
        await using var _ = h;
        var certificate = await IssueAsync(h);
        h.Time.Advance(TimeSpan.FromDays(340));
        var lease = EngineContextLeaseName(certificate.Id);

        // While the renewal is being prepared (it reads the profile from the catalog), this host freezes past its lease and
        // another host takes the certificate.
        store.ArmOnCatalogRead(async () =>
        {
            h.Time.Advance(TimeSpan.FromMinutes(4));
            Assert.NotNull(await store.TryAcquireLeaseAsync(lease, "other-host", TimeSpan.FromMinutes(3)));
        });
        var run = await h.Lifecycle.RunAutoRenewalAsync();

        Assert.Empty(run.Decisions);
        Assert.Null(store.OnCatalogRead);
        Assert.Equal(0, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId!.Value));
        Assert.Null(await h.Store.GetOpenOrderForCertificateAsync(certificate.Id));
        Assert.Contains(h.Logs, l => l.Contains("Lost the lease of certificate " + certificate.Id, StringComparison.Ordinal));
        Assert.Equal(CertificateStatus.Active, (await h.Store.GetCertificateAsync(certificate.Id))!.Status);
    }

    private static string EngineContextLeaseName(Guid certificateId) => "cert:" + certificateId.ToString("N");
}
