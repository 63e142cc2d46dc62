using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Lifecycle.DomainValidation;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Domain control validation kept alive before renewals: the simulator enforces DCV expiry (10-day validations), on a
/// fake clock; a responder publishes CNAME challenges into the simulator's DNS zone, or fails, or there is none.
/// </summary>
public sealed class DcvKeepAliveTests
{
    private const string Domain = "acme.example";

    /// <summary>Publishes CNAME challenges into the simulator's zone and records what it did.</summary>
    private sealed class ZoneResponder(ScmSimulatorDnsZone zone) : IDcvResponder
    {
        public List<DcvChallenge> Published { get; } = [];

        public List<DcvChallenge> Removed { get; } = [];

        public IReadOnlyList<DcvChallengeMethod> SupportedMethods { get; } = [DcvChallengeMethod.Cname];

        public Task PublishAsync(DcvChallenge challenge, CancellationToken cancellationToken)
        {
            Published.Add(challenge);
            zone.Set(challenge.RecordName!, ScmSimulatorDnsRecordType.Cname, challenge.RecordValue!);
            return Task.CompletedTask;
        }

        public Task RemoveAsync(DcvChallenge challenge, CancellationToken cancellationToken)
        {
            Removed.Add(challenge);
            zone.Remove(challenge.RecordName!, ScmSimulatorDnsRecordType.Cname);
            return Task.CompletedTask;
        }
    }

    /// <summary>A responder whose DNS provider refuses every change.</summary>
    private sealed class FailingResponder : IDcvResponder
    {
        public int Removes { get; private set; }

        public IReadOnlyList<DcvChallengeMethod> SupportedMethods { get; } = [DcvChallengeMethod.Cname];

        public Task PublishAsync(DcvChallenge challenge, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("DNS provider refused the change");

        public Task RemoveAsync(DcvChallenge challenge, CancellationToken cancellationToken)
        {
            Removes++;
            return Task.CompletedTask;
        }
    }

    private static async Task<(EngineHarness H, ManagedCertificate Certificate)> StartAsync(ScmSimulatorDnsZone zone, Action<ISectigoCertificateManagementBuilder>? builder)
    {
        var h = await EngineHarness.StartAsync(
            simulator: o =>
            {
                o.EnforceDcvExpiry = true;
                o.DcvValidityPeriod = TimeSpan.FromDays(10);
                o.DnsResolver = zone;
            },
            builder: b =>
            {
                b.Services.AddSingleton(zone);
                b.Services.AddHealthChecks().AddSectigoCertificateManagement();
                builder?.Invoke(b);
            });
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);

        // The domain's validation now lasts 10 days (SC-081's reuse period); the catalog learns it.
        h.Simulator.SetDomainValidation(Domain, ScmSimulatorDomainValidation.Validated);
        await h.Lifecycle.SyncCatalogAsync();
        return (h, done.InstalledCertificate!);
    }

    [Fact]
    public async Task Renew_DcvLapsed_ResponderRevalidatesByCname_RenewalSentAndRecordRemoved()
    {
        var zone = new ScmSimulatorDnsZone();
        var (h, certificate) = await StartAsync(zone, b => b.AddDcvResponder<ZoneResponder>());
        await using var _ = h;
        var responder = (ZoneResponder)h.Services.GetRequiredService<IDcvResponder>();
        h.Time.Advance(TimeSpan.FromDays(12)); // the validation expired two days ago

        var result = await h.Lifecycle.RenewAsync(certificate.Id);

        Assert.Equal(LifecycleOutcome.Submitted, result.Outcome);
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId!.Value));
        var published = Assert.Single(responder.Published);
        Assert.Equal(Domain, published.Domain);
        Assert.Equal(DcvChallengeMethod.Cname, published.Method);
        Assert.Equal(responder.Published, responder.Removed);
        Assert.Empty(zone.Resolve(published.RecordName!, ScmSimulatorDnsRecordType.Cname));
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { Action = "Dcv" });
        var entry = Assert.Single(audit);
        Assert.Equal("Revalidated", entry.Decision);
        Assert.Contains(Domain, entry.Reason, StringComparison.Ordinal);
        var catalog = await h.Store.GetCatalogAsync("default");
        var domain = catalog!.Domains.Single(d => d.Name == Domain);
        Assert.Equal("VALIDATED", domain.ValidationStatus);
        Assert.Equal(DateOnly.FromDateTime(h.Time.GetUtcNow().AddDays(10).UtcDateTime), domain.DcvExpiration);

        // The renewal is issued (SCM checks the domain again at issuance).
        var check = await h.AdvanceAndCheckAsync(result.Order!.Id);
        Assert.Equal(OrderState.Completed, check.Order.State);
    }

    [Fact]
    public async Task Renew_DcvLapsed_ResponderFails_DeferredNothingSentAudited()
    {
        var zone = new ScmSimulatorDnsZone();
        var (h, certificate) = await StartAsync(zone, b => b.AddDcvResponder<FailingResponder>());
        await using var _ = h;
        var responder = (FailingResponder)h.Services.GetRequiredService<IDcvResponder>();
        h.Time.Advance(TimeSpan.FromDays(12));
        var renewPosts = h.Simulator.Counters.RenewPosts;
        var enrollPosts = h.Simulator.Counters.EnrollPosts;

        var result = await h.Lifecycle.RenewAsync(certificate.Id);

        Assert.Equal(LifecycleOutcome.Deferred, result.Outcome);
        Assert.Null(result.Order);
        Assert.Contains("DNS provider refused the change", result.Message, StringComparison.Ordinal);
        Assert.Equal(renewPosts, h.Simulator.Counters.RenewPosts);
        Assert.Equal(enrollPosts, h.Simulator.Counters.EnrollPosts);
        Assert.Equal(1, responder.Removes); // cleaned up after the failure too
        Assert.Null(await h.Store.GetOpenOrderForCertificateAsync(certificate.Id));
        var dcv = await h.Lifecycle.QueryAuditAsync(new AuditQuery { Action = "Dcv" });
        Assert.Contains(dcv, a => a.Decision == "RevalidationFailed" && a.Outcome == "Failed" && a.Reason!.Contains(Domain, StringComparison.Ordinal));
        var renew = await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id, Action = "Renew" });
        Assert.Contains(renew, a => a.Decision == "Deferred");
        Assert.Contains(h.Events, e => e is DcvExpiringEvent { Domain: Domain });
    }

    [Fact]
    public async Task AutoRenewal_NoResponder_WarnsDaysBeforeAndNeverSendsADoomedOrder()
    {
        var zone = new ScmSimulatorDnsZone();
        var (h, certificate) = await StartAsync(zone, null);
        await using var _ = h;
        await h.Lifecycle.SetAutoRenewalPolicyAsync(new AutoRenewalPolicy { Enabled = true, RenewBefore = TimeSpan.FromDays(30) });

        // Ten days before the renewal is due (its window plus jitter at most 3 days): the daily run warns.
        h.Time.Advance(certificate.NotAfter - TimeSpan.FromDays(43) - h.Time.GetUtcNow());
        var first = await h.Lifecycle.RunAutoRenewalAsync();
        Assert.Empty(first.Decisions);
        var warning = Assert.Single(h.Events.OfType<DcvExpiringEvent>());
        Assert.Equal(Domain, warning.Domain);
        Assert.True(warning.RenewalAt - h.Time.GetUtcNow() >= TimeSpan.FromDays(9), $"warned only {warning.RenewalAt - h.Time.GetUtcNow()} ahead");
        var health = await h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = health.Entries["sectigo-certificates"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("lapsing", entry.Data["domainValidation"]);
        Assert.Contains(Domain, entry.Description, StringComparison.Ordinal);
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { Action = "Dcv" });
        Assert.Contains(audit, a => a.Decision == "Expiring" && a.Reason!.Contains(Domain, StringComparison.Ordinal));

        // Once due, the renewal is deferred, never sent (SCM would refuse it with -1137); the warning is not repeated.
        h.Time.Advance(TimeSpan.FromDays(14));
        var due = await h.Lifecycle.RunAutoRenewalAsync();
        var decision = Assert.Single(due.Decisions);
        Assert.Equal(AutoRenewDecision.Deferred, decision.Decision);
        Assert.Contains(Domain, decision.Reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Simulator.Counters.RenewalOrdersFor(certificate.SslId!.Value));
        Assert.Single(h.Events.OfType<DcvExpiringEvent>());
    }
}
