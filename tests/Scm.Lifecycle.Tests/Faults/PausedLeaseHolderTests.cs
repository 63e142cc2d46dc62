using System.Security.Cryptography;
using Scm.Client;
using Scm.Lifecycle.Scheduling;
using Scm.Lifecycle.Tests.EndToEnd;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// F40 (docs/reliability.md), in-process: a lease holder that pauses (a stopped process, a long GC) right between its
/// last lease check and the POST, long enough for another instance to take the order over and send it again. SCM has no
/// idempotency key, so this is the one place where two orders can exist; the engine must detect and report the
/// duplicate at once, from both sides. (The same pause with real processes and SIGSTOP/SIGCONT lives in
/// Scm.EndToEnd.Tests.)
/// </summary>
public sealed class PausedLeaseHolderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HolderPausedBetweenLeaseCheckAndPost_PeerResends_LatePostReportedAsDuplicateByBothSides(bool sqlite)
    {
        await using var run = await FaultRun.StartAsync(21, Noise.None, sqlite: sqlite);
        var peer = await run.AddPeerAsync("engine-b");

        // Engine A stores "Submitting" (after its lease check) and then freezes before the POST leaves.
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frozen = 0;
        run.Crash.AfterCommit = async batch =>
        {
            if (CrashingStore.Moves(batch, OrderState.Submitting) && Interlocked.Exchange(ref frozen, 1) == 0)
            {
                paused.SetResult();
                await resume.Task;
            }
        };
        var a = Task.Run(() => run.Lifecycle.OrderAsync(FaultRun.Request("frozen")));
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var orderId = (await run.OrdersAsync()).Single().Id;

        // A's lease runs out while it is frozen; B takes the order over: the POST's outcome is unknown, two searches
        // (the last after the ambiguity window) find nothing, so B sends it again with the same key and token.
        run.Advance(new LeaseOptions().CertificateLeaseDuration + TimeSpan.FromSeconds(1));
        for (var i = 0; i < 6 && (await run.Store.GetOrderAsync(orderId))!.SslId is null; i++)
        {
            run.Observe(await run.PumpAsync(() => peer.Lifecycle.CheckStatusAsync(orderId)));
            run.Advance(TimeSpan.FromMinutes(1));
        }

        var resent = (await run.Store.GetOrderAsync(orderId))!;
        Assert.NotNull(resent.SslId);
        Assert.NotNull(resent.DuplicateCheckAt);
        Assert.Contains(await run.AuditAsync(), e => e.OrderId == orderId && e.Decision == "Resubmit");

        // A wakes up and its POST goes out: SCM creates a second order with the same token. A cannot write the order (its
        // lease is gone: fencing) but reports the duplicate it just made.
        resume.SetResult();
        // The caller of A's OrderAsync gets the order as the store holds it (B's), not an internal error.
        var handedOver = run.Observe(await a);
        Assert.Equal(resent.SslId, handedOver.Order.SslId);
        var tokens = run.Sim.Counters.BillableOrdersFor(resent.CorrelationToken);
        Assert.Equal(2, tokens);
        var second = Assert.Single(run.Sim.GetOrders(), o => o.CorrelationTokens.Contains(resent.CorrelationToken) && o.SslId != resent.SslId);
        var fromA = Assert.Single(run.H.Events.OfType<DuplicateOrderDetectedEvent>());
        Assert.Equal(resent.SslId, fromA.SslId);
        Assert.Equal([second.SslId], fromA.DuplicateSslIds);
        Assert.Contains(await run.AuditAsync(), e => e.OrderId == orderId && e.Decision == "PostAfterLeaseLost" && e.Outcome == "NeedsAttention");
        Assert.Equal(resent.SslId, (await run.Store.GetOrderAsync(orderId))!.SslId);

        // B finds it too, on its next check of the order (within one reconcile cycle), and reports it once.
        run.Advance(new ReconcileOptions().AmbiguityWindow);
        run.Observe(await run.PumpAsync(() => peer.Lifecycle.CheckStatusAsync(orderId)));
        var fromB = Assert.Single(peer.Events.OfType<DuplicateOrderDetectedEvent>());
        Assert.Equal([second.SslId], fromB.DuplicateSslIds);
        Assert.Contains(await run.AuditAsync(), e => e.OrderId == orderId && e.Decision == "DuplicateDetected" && e.Outcome == "NeedsAttention");
        Assert.Null((await run.Store.GetOrderAsync(orderId))!.DuplicateCheckAt);

        await run.SettleAsync(via: peer);
        Assert.Single(peer.Events.OfType<DuplicateOrderDetectedEvent>());
        Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(orderId))!.State);
    }

    [Fact]
    public async Task ResentOrder_NoLatePost_DuplicateCheckFindsNothingAndClears()
    {
        // The check costs one search and stays quiet when nothing else reached SCM.
        await using var run = await FaultRun.StartAsync(22, Noise.None);
        run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").ServerError(503).Once());
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("quiet"))));
        await run.SettleAsync();
        var done = (await run.Store.GetOrderAsync(ordered.OrderId))!;
        Assert.Equal(OrderState.Completed, done.State);
        Assert.Null(done.DuplicateCheckAt);
        Assert.Equal(2, run.Sim.Counters.EnrollPostsFor(done.CorrelationToken));
        Assert.Equal(1, run.Sim.Counters.BillableOrdersFor(done.CorrelationToken));
        Assert.Empty(run.H.Events.OfType<DuplicateOrderDetectedEvent>());
        Assert.DoesNotContain(await run.AuditAsync(), e => e.Decision == "DuplicateDetected");
        await run.VerifyAsync();
    }

    [Fact]
    public async Task ResentRenewal_LateRenewalOfTokenlessOriginal_ReportedAsDuplicate()
    {
        // A renewal of an imported certificate (no token anywhere) sent again after proof that the first did not arrive;
        // then the first arrives late after all. The check finds the second new order for the name since the baseline.
        await using var run = await FaultRun.StartAsync(23, Noise.None);
        long original;
        using (var client = run.H.NewOtherToolClient())
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=late.acme.example", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            original = (await run.PumpAsync(() => client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = EngineHarness.Org,
                ProfileId = EngineHarness.MultiDomainProfile,
                Term = 365,
                Csr = csr,
                CustomFields = [new Scm.Client.CustomFieldValue(EngineHarness.CostCenter, "1")],
            }))).SslId;
        }

        run.Sim.IssueNow(original);
        run.Observe(await run.PumpAsync(() => run.Lifecycle.ImportExistingOrdersAsync()));
        await run.SettleAsync();
        var certificate = Assert.Single(await run.Store.FindCertificatesBySslIdAsync(original));

        run.Sim.Faults.Add(ScmFault.On("POST", $"/ssl/*/renewById/{original}").ServerError(502).Once());
        var renewal = run.Observe(await run.PumpAsync(() => run.Lifecycle.RenewAsync(certificate.Id)));
        var orderId = renewal.Order!.Id;
        for (var i = 0; i < 6 && (await run.Store.GetOrderAsync(orderId))!.SslId is null; i++)
        {
            run.Advance(TimeSpan.FromMinutes(1));
            run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(orderId)));
        }

        var resent = (await run.Store.GetOrderAsync(orderId))!;
        Assert.NotNull(resent.DuplicateCheckAt);

        // The first renewal request reaches SCM late (as another tool's call here): a second renewal of the original.
        using (var client = run.H.NewOtherToolClient())
        {
            await run.PumpAsync(() => client.Ssl.RenewByIdAsync(original, new SslRenewRequest { Csr = resent.CsrPem }));
        }

        run.Advance(new ReconcileOptions().AmbiguityWindow);
        run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(orderId)));
        var duplicate = Assert.Single(run.H.Events.OfType<DuplicateOrderDetectedEvent>());
        Assert.Equal(resent.SslId, duplicate.SslId);
        var late = Assert.Single(run.Sim.GetOrders(), o => o.RenewedFromSslId == original && o.SslId != resent.SslId);
        Assert.Equal([late.SslId], duplicate.DuplicateSslIds);
        Assert.Equal(2, run.Sim.Counters.RenewalOrdersFor(original));
    }
}
