using Microsoft.Extensions.DependencyInjection;
using Scm.Client;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// <see cref="ILifecycleActorAccessor"/>: a host (a web dashboard) names who acts, and the audit records that user instead
/// of "api"; an unusable actor is refused before anything is stored or sent.
/// </summary>
public sealed class ActorAccessorTests
{
    private static async Task<ManagedCertificate> IssueAsync(EngineHarness h, string name = "www")
    {
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request(name));
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        return done.InstalledCertificate ?? throw new InvalidOperationException($"Not issued: {done.Order.State}.");
    }

    private static Task<EngineHarness> StartAsync(TestActor? actor) =>
        EngineHarness.StartAsync(builder: actor is null ? null : b => b.Services.AddSingleton<ILifecycleActorAccessor>(actor));

    [Fact]
    public async Task RenewAndRevoke_WithAccessor_AuditActorIsTheUser()
    {
        var actor = new TestActor { Actor = "alice@example.com" };
        await using var h = await StartAsync(actor);
        var certificate = await IssueAsync(h);

        actor.Actor = "bob";
        var renewal = await h.Lifecycle.RenewAsync(certificate.Id);
        Assert.Equal(LifecycleOutcome.Submitted, renewal.Outcome);
        var renewed = (await h.AdvanceAndCheckAsync(renewal.Order!.Id)).InstalledCertificate!;

        actor.Actor = "carol";
        var revoked = await h.Lifecycle.RevokeAsync(renewed.Id, new RevokeCertificateRequest { ReasonCode = RevocationReason.Superseded, Reason = "host retired" });
        Assert.Equal(LifecycleOutcome.Done, revoked.Outcome);

        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery());
        var order = Assert.Single(audit, a => a.Action == "Order" && a.Decision == "Requested");
        Assert.Equal("alice@example.com", order.Actor);
        var renew = Assert.Single(audit, a => a.Action == "Renew" && a.OrderId == renewal.Order.Id && a.Decision == "Requested");
        Assert.Equal("bob", renew.Actor);
        var revoke = Assert.Single(audit, a => a.Action == "Revoke");
        Assert.Equal("carol", revoke.Actor);
        Assert.Equal(renewed.Id, revoke.CertificateId);
        Assert.DoesNotContain(audit, a => a.Actor == "api");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RenewAndRevoke_WithoutActor_AuditActorIsApi(bool accessorReturnsNull)
    {
        await using var h = await StartAsync(accessorReturnsNull ? new TestActor { Actor = null } : null);
        var certificate = await IssueAsync(h);
        var renewal = await h.Lifecycle.RenewAsync(certificate.Id);
        var renewed = (await h.AdvanceAndCheckAsync(renewal.Order!.Id)).InstalledCertificate!;
        await h.Lifecycle.RevokeAsync(renewed.Id, new RevokeCertificateRequest { ReasonCode = RevocationReason.Superseded, Reason = "host retired" });

        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery());
        Assert.Equal("api", Assert.Single(audit, a => a.Action == "Order" && a.Decision == "Requested").Actor);
        Assert.Equal("api", Assert.Single(audit, a => a.Action == "Renew" && a.OrderId == renewal.Order.Id && a.Decision == "Requested").Actor);
        Assert.Equal("api", Assert.Single(audit, a => a.Action == "Revoke").Actor);
    }

    [Fact]
    public async Task EmptyActor_RecordedAsApi()
    {
        var actor = new TestActor { Actor = string.Empty };
        await using var h = await StartAsync(actor);
        var certificate = await IssueAsync(h);
        await h.Lifecycle.SetCertificateAutoRenewAsync(certificate.Id, AutoRenewMode.Disabled);
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id });
        Assert.All(audit.Where(a => a.Action is "Order" or "AutoRenew"), a => Assert.Equal("api", a.Actor));
        Assert.Contains(audit, a => a.Action == "AutoRenew" && a.Decision == "OptedOut");
    }

    [Theory]
    [InlineData("bob\nadmin", "actor-control-characters")]
    [InlineData("nul\0byte", "actor-control-characters")]
    [InlineData("tab\there", "actor-control-characters")]
    [InlineData("   ", "actor-blank")]
    [InlineData(null, "actor-length")]
    public async Task InvalidActor_RenewRevokeAndOrderRefusedBeforeAnythingIsStoredOrSent(string? value, string rule)
    {
        var actor = new TestActor { Actor = "alice" };
        await using var h = await StartAsync(actor);
        var certificate = await IssueAsync(h);
        var requests = h.Simulator.Counters.Requests;
        var auditEntries = (await h.Lifecycle.QueryAuditAsync(new AuditQuery())).Count;

        actor.Actor = value ?? new string('a', CertificateRequestLimits.MaxActorLength + 1);
        var renew = await Assert.ThrowsAsync<CertificateRequestValidationException>(() => h.Lifecycle.RenewAsync(certificate.Id));
        var revoke = await Assert.ThrowsAsync<CertificateRequestValidationException>(() => h.Lifecycle.RevokeAsync(certificate.Id, new RevokeCertificateRequest { Reason = "test" }));
        var order = await Assert.ThrowsAsync<CertificateRequestValidationException>(() => h.Lifecycle.OrderAsync(EngineHarness.Request("other")));
        foreach (var ex in new[] { renew, revoke, order })
        {
            var error = Assert.Single(ex.Errors);
            Assert.Equal("Actor", error.Field);
            Assert.Equal(rule, error.Rule);
            Assert.Contains("ILifecycleActorAccessor", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(actor.Actor, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(requests, h.Simulator.Counters.Requests);
        Assert.Equal(auditEntries, (await h.Lifecycle.QueryAuditAsync(new AuditQuery())).Count);
        Assert.Equal(CertificateStatus.Active, (await h.Lifecycle.GetCertificateAsync(certificate.Id))!.Status);
        Assert.Equal(1, h.Simulator.Counters.BillableOrders);
    }

    [Fact]
    public async Task LongestAllowedActor_Accepted()
    {
        var name = new string('z', CertificateRequestLimits.MaxActorLength);
        await using var h = await StartAsync(new TestActor { Actor = name });
        var certificate = await IssueAsync(h);
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id });
        Assert.Equal(name, Assert.Single(audit, a => a.Action == "Order" && a.Decision == "Requested").Actor);
    }

    private sealed class TestActor : ILifecycleActorAccessor
    {
        public string? Actor { get; set; }
    }
}
