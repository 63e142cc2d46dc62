using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Client;
using Scm.Lifecycle.Tests.EndToEnd;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// F51 (docs/reliability.md): an unclear renewal or reissue of a certificate whose SCM record carries no SDK token (an
/// imported certificate, or one whose comments an administrator edited), with SCM slow to issue. SCM's renewal copies
/// the original's comments, so no token can find it: the engine must decide from what it recorded right before the POST
/// (the orders listed for the name, the original's renewed flag, serial and status) and, once issued, from the public
/// key. Exactly one billable order every time; where nothing proves the outcome the order is escalated, never re-sent.
/// </summary>
public sealed class TokenlessReconcileTests
{
    /// <summary>Longer than every window of the engine (ambiguity 2 min, follow-up 1 h, stuck 1 h, escalation 24 h).</summary>
    private static readonly TimeSpan SlowIssuance = TimeSpan.FromDays(3);

    private static readonly ScmCommitFailure[] Failures = [ScmCommitFailure.ServerError, ScmCommitFailure.DropConnection, ScmCommitFailure.Stall];

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Renew_TokenlessCertificate_CommitThenFailAndSlowIssuance_OneRenewalAdoptedNeverResent(int seed)
    {
        var failure = Failures[(seed - 1) % Failures.Length];
        var edited = seed % 2 == 0;
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, simulator: o => o.IssueDelay = SlowIssuance, sqlite: seed % 3 == 0);
        var certificate = edited ? await EditedCertificateAsync(run, "edited") : await ImportedCertificateAsync(run, "legacy");
        var original = certificate.SslId!.Value;
        Assert.Empty(CorrelationTokensOf(run, original));

        run.Sim.Faults.Add(ScmFault.On("POST", $"/ssl/*/renewById/{original}").CommitThenFail(failure, TimeSpan.FromSeconds(100)).Once());
        var renewal = run.Observe(await run.PumpAsync(() => run.Lifecycle.RenewAsync(certificate.Id)));
        var state = (await run.Store.GetOrderAsync(renewal.Order!.Id))!.State;
        if (state == OrderState.Ambiguous)
        {
            state = await AdvanceUntilAdoptedAsync(run, renewal.Order!.Id);
        }

        Assert.Equal(OrderState.Submitted, state);
        var order = (await run.Store.GetOrderAsync(renewal.Order!.Id))!;

        // Adopted on evidence: the single order for the name that appeared after the POST, with the original marked renewed.
        var created = Assert.Single(run.Sim.GetOrders(), o => o.RenewedFromSslId == original);
        Assert.Equal(created.SslId, order.SslId);
        Assert.NotNull(order.Baseline);
        Assert.Contains(original, order.Baseline!.SslIdsForCommonName!);
        Assert.False(order.Baseline.OriginalRenewed);
        Assert.Contains(await run.AuditAsync(), a => a.OrderId == order.Id && a.Decision == "Reconciled" && a.Reason!.Contains("marked", StringComparison.Ordinal));

        // Issuance takes days, past every window: the order is followed (and flagged stuck), never re-sent.
        await FollowUntilIssuedAsync(run, order.Id);
        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(original));
        Assert.Equal(1, RenewPosts(run, original));
        Assert.DoesNotContain(await run.AuditAsync(), a => a.OrderId == order.Id && a.Decision == "Resubmit");
        Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(order.Id))!.State);
        Assert.Equal(CertificateStatus.Superseded, (await run.Store.GetCertificateAsync(certificate.Id))!.Status);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Reissue_TokenlessCertificate_CommitThenFailAndSlowIssuance_OneReplaceAdopted(int seed)
    {
        var failure = Failures[(seed - 1) % Failures.Length];
        var edited = seed % 2 == 1;
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, simulator: o => o.IssueDelay = SlowIssuance, sqlite: seed % 3 == 0);
        var certificate = edited ? await EditedCertificateAsync(run, "edited") : await ImportedCertificateAsync(run, "legacy");
        var sslId = certificate.SslId!.Value;

        run.Sim.Faults.Add(ScmFault.On("POST", $"/ssl/*/replace/{sslId}").CommitThenFail(failure, TimeSpan.FromSeconds(100)).Once());
        var reissue = run.Observe(await run.PumpAsync(() => run.Lifecycle.ReissueAsync(certificate.Id, new ReissueCertificateRequest
        {
            Reason = "Key rotation drill",
            KeyAlgorithm = KeyAlgorithm.EC,
            Curve = "P-256",
        })));
        var state = (await run.Store.GetOrderAsync(reissue.Order!.Id))!.State;
        if (state == OrderState.Ambiguous)
        {
            state = await AdvanceUntilAdoptedAsync(run, reissue.Order!.Id);
        }

        Assert.Equal(OrderState.Submitted, state);
        var order = (await run.Store.GetOrderAsync(reissue.Order!.Id))!;
        Assert.Equal(sslId, order.Baseline!.OriginalSslId);
        Assert.Equal("Issued", order.Baseline.OriginalStatus, ignoreCase: true);
        Assert.Contains(await run.AuditAsync(), a => a.OrderId == order.Id && a.Decision == "Reconciled" && a.Reason!.Contains("changed after the replace", StringComparison.Ordinal));

        await FollowUntilIssuedAsync(run, order.Id);
        Assert.Equal(1, ReplacePosts(run, sslId));
        var done = (await run.Store.GetOrderAsync(order.Id))!;
        Assert.Equal(OrderState.Completed, done.State);
        var reissued = (await run.Store.FindCertificatesBySslIdAsync(sslId)).First(c => c.Status == CertificateStatus.Active);
        using var issued = run.Sim.GetOrder(sslId)!.GetCertificate()!;
        Assert.Equal(issued.SerialNumber, reissued.SerialNumber, ignoreCase: true);
        Assert.Equal(0, run.Sim.Counters.RenewalOrdersFor(sslId));
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Renew_TokenlessCertificate_FailsWithoutCommit_ResentOnceAfterProof(int seed)
    {
        // The proof that the POST created nothing: two searches (the last after the ambiguity window) list no new order for
        // the name and SCM still shows the original as not renewed. Then, and only then, the same renewal is sent again.
        var status = FaultSeeds.Pick(seed, 500, 502, 503, 504);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var certificate = await ImportedCertificateAsync(run, "legacy");
        var original = certificate.SslId!.Value;

        run.Sim.Faults.Add(ScmFault.On("POST", $"/ssl/*/renewById/{original}").ServerError(status).Once());
        var renewal = run.Observe(await run.PumpAsync(() => run.Lifecycle.RenewAsync(certificate.Id)));
        Assert.Equal(OrderState.Ambiguous, (await run.Store.GetOrderAsync(renewal.Order!.Id))!.State);
        await run.SettleAsync();

        Assert.Equal(2, RenewPosts(run, original));
        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(original));
        var resubmit = Assert.Single(await run.AuditAsync(), a => a.OrderId == renewal.Order!.Id && a.Decision == "Resubmit");
        Assert.Contains("not marked renewed", resubmit.Reason, StringComparison.Ordinal);
        Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(renewal.Order!.Id))!.State);
        await run.VerifyAsync();
    }

    [Fact]
    public async Task Renew_OriginalAlreadyMarkedRenewed_NoProofEitherWay_EscalatedThenAdoptedByPublicKey()
    {
        // SCM showed the original as renewed before the POST (someone linked it to another order), so the flag proves
        // nothing. The single new order for the name is not proven ours until it is issued: the engine escalates (stuck,
        // event, health check, audit), never re-sends, and adopts the order once its certificate carries our public key.
        await using var run = await FaultRun.StartAsync(11, Noise.None, simulator: o => o.IssueDelay = SlowIssuance,
            builder: b => b.Services.AddHealthChecks().AddSectigoCertificateManagement());
        var certificate = await ImportedCertificateAsync(run, "relinked");
        var original = certificate.SslId!.Value;
        var unrelated = (await ImportedCertificateAsync(run, "unrelated")).SslId!.Value;
        using (var client = run.H.NewOtherToolClient())
        {
            await run.PumpAsync(() => client.Ssl.MarkRenewedAsync(original, new SslManualRenewRequest { RenewedBySslId = unrelated }));
        }

        run.Sim.Faults.Add(ScmFault.On("POST", $"/ssl/*/renewById/{original}").CommitThenFail(ScmCommitFailure.ServerError).Once());
        var renewal = run.Observe(await run.PumpAsync(() => run.Lifecycle.RenewAsync(certificate.Id)));
        Assert.True((await run.Store.GetOrderAsync(renewal.Order!.Id))!.Baseline!.OriginalRenewed);

        // Past the ambiguity window: not provable, so stuck and reported, with the order's SCM id still unknown.
        for (var i = 0; i < 6 && (await run.Store.GetOrderAsync(renewal.Order!.Id))!.State != OrderState.Stuck; i++)
        {
            run.Advance(TimeSpan.FromMinutes(1));
            await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(renewal.Order!.Id));
        }

        var stuck = (await run.Store.GetOrderAsync(renewal.Order!.Id))!;
        Assert.Equal(OrderState.Stuck, stuck.State);
        Assert.Null(stuck.SslId);
        Assert.Contains("never sent again", stuck.LastError, StringComparison.Ordinal);
        Assert.Contains(run.H.Events, e => e is OrderStuckEvent s && s.OrderId == renewal.Order!.Id);
        Assert.Contains(await run.AuditAsync(), a => a.OrderId == renewal.Order!.Id && a.Decision == "Stuck" && a.Outcome == "NeedsAttention");
        var health = await run.H.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = Assert.Single(health.Entries).Value;
        Assert.NotEqual(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1, entry.Data["ordersStuck"]);

        // Days later SCM issues it: the daily search collects it, finds our public key, adopts and installs it.
        await FollowUntilIssuedAsync(run, renewal.Order!.Id);
        var done = (await run.Store.GetOrderAsync(renewal.Order!.Id))!;
        Assert.Equal(OrderState.Completed, done.State);
        Assert.Equal(Assert.Single(run.Sim.GetOrders(), o => o.RenewedFromSslId == original).SslId, done.SslId);
        Assert.Contains(await run.AuditAsync(), a => a.OrderId == renewal.Order!.Id && a.Decision == "Reconciled" && a.Reason!.Contains("public key", StringComparison.Ordinal));
        Assert.Equal(1, RenewPosts(run, original));
        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(original));
        await run.VerifyAsync();
    }

    [Fact]
    public async Task Renew_OrderStoredWithoutBaseline_UnprovenCandidate_EscalatedNeverResentAdoptedOnceIssued()
    {
        // An order written by an older version (no baseline): the SCM order for the name requested since the submission is
        // not provably ours until issued, so it is escalated, never re-sent, and adopted by its public key later.
        await using var run = await FaultRun.StartAsync(12, Noise.None, simulator: o => o.IssueDelay = SlowIssuance);
        var certificate = await ImportedCertificateAsync(run, "upgraded");
        var original = certificate.SslId!.Value;
        run.Sim.Faults.Add(ScmFault.On("POST", $"/ssl/*/renewById/{original}").CommitThenFail(ScmCommitFailure.ServerError).Once());
        var renewal = run.Observe(await run.PumpAsync(() => run.Lifecycle.RenewAsync(certificate.Id)));

        // The upgrade: the stored order loses its baseline. The renewal SCM created is listed for the name, but carries no
        // token and is not issued: it may be ours, and nothing proves it either way.
        var stored = (await run.Store.GetOrderAsync(renewal.Order!.Id))!;
        await run.Store.CommitAsync(new StoreBatch().UpdateOrder(stored with { Baseline = null }));
        var created = Assert.Single(run.Sim.GetOrders(), o => o.RenewedFromSslId == original);

        for (var i = 0; i < 8 && (await run.Store.GetOrderAsync(renewal.Order!.Id))!.State != OrderState.Stuck; i++)
        {
            run.Advance(TimeSpan.FromMinutes(1));
            await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(renewal.Order!.Id));
        }

        var stuck = (await run.Store.GetOrderAsync(renewal.Order!.Id))!;
        Assert.Equal(OrderState.Stuck, stuck.State);
        Assert.Contains($"may have created (sslId {created.SslId})", stuck.LastError, StringComparison.Ordinal);

        await FollowUntilIssuedAsync(run, renewal.Order!.Id);
        Assert.Equal(created.SslId, (await run.Store.GetOrderAsync(renewal.Order!.Id))!.SslId);
        Assert.Equal(1, RenewPosts(run, original));
        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(original));
    }

    [Fact]
    public async Task Order_CommittedTwiceWithOneToken_DuplicateDetectedReportedAndAudited()
    {
        // F40's admitted exception, and an administrator who repeats a request by hand: two SCM orders carry one token.
        // Reconciliation adopts one (the issued one, else the oldest), reports the others with DuplicateOrderDetectedEvent
        // and an audit entry, and never sends a third.
        await using var run = await FaultRun.StartAsync(13, Noise.None);
        run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.ServerError).Once());
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("twice"))));
        var order = (await run.Store.GetOrderAsync(ordered.OrderId))!;
        Assert.Equal(OrderState.Ambiguous, order.State);
        var first = Assert.Single(run.Sim.GetOrders(), o => o.CorrelationTokens.Contains(order.CorrelationToken));

        // The second POST with the same token (the copy of the first, as a paused peer would send it).
        using (var client = run.H.NewOtherToolClient())
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await run.PumpAsync(() => client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = order.Request.OrganizationId,
                ProfileId = order.Request.ProfileId,
                Term = order.Request.TermDays,
                Csr = order.CsrPem!,
                Comments = first.Comments,
                CustomFields = [new Scm.Client.CustomFieldValue(EngineHarness.CostCenter, "CC-42")],
            }));
        }

        run.Advance(TimeSpan.FromMinutes(1));
        run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(order.Id)));
        var adopted = (await run.Store.GetOrderAsync(order.Id))!;
        var duplicate = Assert.Single(run.H.Events.OfType<DuplicateOrderDetectedEvent>());
        Assert.Equal(order.Id, duplicate.OrderId);
        Assert.Equal(first.SslId, adopted.SslId);
        var other = Assert.Single(duplicate.DuplicateSslIds);
        Assert.NotEqual(first.SslId, other);
        Assert.Equal(2, run.Sim.Counters.BillableOrdersFor(order.CorrelationToken));
        Assert.Contains(await run.AuditAsync(), a => a.OrderId == order.Id && a.Reason!.Contains($"DUPLICATES of this order: {other}", StringComparison.Ordinal));

        await run.SettleAsync();
        Assert.Equal(2, run.Sim.Counters.EnrollPosts); // the engine's one and the copy: no third
        Assert.DoesNotContain(await run.AuditAsync(), a => a.OrderId == order.Id && a.Decision == "Resubmit");
    }

    [Fact]
    public async Task Order_CommentsEditedBeforeReconcile_SlowIssuance_NeverResent_AdoptedByPublicKey()
    {
        // A new order's token is lost (an administrator edits the comments right after SCM committed it) and SCM takes days
        // to issue: the order for the name may be ours, so nothing is re-sent; once issued, the public key proves it.
        await using var run = await FaultRun.StartAsync(14, Noise.None, simulator: o => o.IssueDelay = SlowIssuance);
        run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.DropConnection).Once());
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("retitled"))));
        var token = (await run.Store.GetOrderAsync(ordered.OrderId))!.CorrelationToken;
        var created = Assert.Single(run.Sim.GetOrders(), o => o.CorrelationTokens.Contains(token));
        using (var client = run.H.NewOtherToolClient())
        {
            await run.PumpAsync(() => client.Ssl.UpdateAsync(new SslUpdateRequest { SslId = created.SslId, Comments = "renamed by the web team" }));
        }

        for (var i = 0; i < 8 && (await run.Store.GetOrderAsync(ordered.OrderId))!.State != OrderState.Stuck; i++)
        {
            run.Advance(TimeSpan.FromMinutes(1));
            await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId));
        }

        var stuck = (await run.Store.GetOrderAsync(ordered.OrderId))!;
        Assert.Equal(OrderState.Stuck, stuck.State);
        Assert.Contains($"sslId {created.SslId}", stuck.LastError, StringComparison.Ordinal);

        await FollowUntilIssuedAsync(run, ordered.OrderId);
        Assert.Equal(created.SslId, (await run.Store.GetOrderAsync(ordered.OrderId))!.SslId);
        Assert.Equal(1, run.Sim.Counters.EnrollPostsFor(token));
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        Assert.Equal(1, run.Sim.Counters.BillableOrders);
    }

    [Theory]
    [InlineData("RSA - 2048", KeyAlgorithm.EC, null, "P-256", true)]
    [InlineData("EC - P-256", KeyAlgorithm.Rsa, 2048, null, true)]
    [InlineData("RSA - 3072", KeyAlgorithm.Rsa, 2048, null, true)]
    [InlineData("RSA - 2048", KeyAlgorithm.Rsa, 2048, null, false)]
    [InlineData("RSA", KeyAlgorithm.Rsa, 4096, null, false)]
    [InlineData("EC - P-384", KeyAlgorithm.EC, null, "P-256", true)]
    [InlineData("EC - secp256r1", KeyAlgorithm.EC, null, "P-256", false)]
    [InlineData("EC - something new", KeyAlgorithm.EC, null, "P-256", false)]
    [InlineData(null, KeyAlgorithm.EC, null, "P-256", false)]
    [InlineData("DSA - 1024", KeyAlgorithm.EC, null, "P-256", false)]
    public void KeyTypeContradicts_ScmKeyTypeTexts(string? keyType, KeyAlgorithm algorithm, int? size, string? curve, bool expected)
    {
        var request = new CertificateOrderRequest { CommonName = "a.example", OrganizationId = 1, ProfileId = 1, TermDays = 90, KeyAlgorithm = algorithm, KeySize = size, Curve = curve };
        Assert.Equal(expected, Scm.Lifecycle.Internal.Engine.OrderReconciler.KeyTypeContradicts(keyType, request));
    }

    /// <summary>An issued certificate created in SCM by another tool (no SDK token), imported as observe-only.</summary>
    private static async Task<ManagedCertificate> ImportedCertificateAsync(FaultRun run, string host)
    {
        long sslId;
        using (var client = run.H.NewOtherToolClient())
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest($"CN={host}.acme.example", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            var enrolled = await run.PumpAsync(() => client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = EngineHarness.Org,
                ProfileId = EngineHarness.MultiDomainProfile,
                Term = 365,
                Csr = csr,
                Comments = "made by another tool",
                CustomFields = [new Scm.Client.CustomFieldValue(EngineHarness.CostCenter, "1")],
            }));
            sslId = enrolled.SslId;
        }

        run.Sim.IssueNow(sslId);
        run.Observe(await run.PumpAsync(() => run.Lifecycle.ImportExistingOrdersAsync()));

        // With read noise SCM may answer "not collectable yet" a few times after issuance: the import then follows the
        // order until the certificate is collected.
        await run.SettleAsync();
        run.StartNoise();
        var imported = Assert.Single(await run.Store.FindCertificatesBySslIdAsync(sslId));
        Assert.True(imported.IsObserveOnly);
        return imported;
    }

    /// <summary>A certificate the engine ordered, whose SCM comments an administrator then replaced (the token is gone).</summary>
    private static async Task<ManagedCertificate> EditedCertificateAsync(FaultRun run, string host)
    {
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request(host))));
        var sslId = (await run.Store.GetOrderAsync(ordered.OrderId))!.SslId!.Value;
        run.Sim.IssueNow(sslId);
        await run.SettleAsync();
        run.StartNoise();
        using (var client = run.H.NewOtherToolClient())
        {
            await run.PumpAsync(() => client.Ssl.UpdateAsync(new SslUpdateRequest { SslId = sslId, Comments = "Owner: web team (ticket 4711)" }));
        }

        return (await run.Store.GetCertificateAsync(ordered.CertificateId))!;
    }

    /// <summary>Checks the order every minute until reconciliation decided (at most a few windows); returns the state.</summary>
    private static async Task<OrderState> AdvanceUntilAdoptedAsync(FaultRun run, Guid orderId)
    {
        var state = OrderState.Ambiguous;
        for (var i = 0; i < 10 && state == OrderState.Ambiguous; i++)
        {
            run.Advance(TimeSpan.FromMinutes(1));
            run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(orderId)));
            state = (await run.Store.GetOrderAsync(orderId))!.State;
        }

        return state;
    }

    /// <summary>Lets SCM's slow issuance pass in steps of hours, checking the order each time, until it completed.</summary>
    private static async Task FollowUntilIssuedAsync(FaultRun run, Guid orderId)
    {
        for (var i = 0; i < 40; i++)
        {
            var order = (await run.Store.GetOrderAsync(orderId))!;
            if (!order.IsOpen)
            {
                return;
            }

            run.Advance(TimeSpan.FromHours(3));
            run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(orderId)));
        }

        Assert.Fail($"Order {orderId} did not complete: {await run.Store.GetOrderAsync(orderId)}");
    }

    private static IReadOnlyList<string> CorrelationTokensOf(FaultRun run, long sslId) => run.Sim.GetOrder(sslId)!.CorrelationTokens;

    private static int RenewPosts(FaultRun run, long sslId) =>
        run.Sim.GetRequestLog().Count(r => r.Method == "POST" && r.Path.EndsWith($"/renewById/{sslId}", StringComparison.Ordinal));

    private static int ReplacePosts(FaultRun run, long sslId) =>
        run.Sim.GetRequestLog().Count(r => r.Method == "POST" && r.Path.EndsWith($"/replace/{sslId}", StringComparison.Ordinal));
}
