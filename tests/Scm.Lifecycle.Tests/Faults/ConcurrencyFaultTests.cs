using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scm.Lifecycle.Scheduling;
using Scm.Lifecycle.Tests.EndToEnd;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// docs/reliability.md, several instances, leases and scheduling (F38, F39, F43, F44), in-process: several engine hosts on one
/// store (one in-memory store instance, or one SQLite file opened by each host), one simulator and one fake clock.
/// The multi-process versions (4 processes, kill -9; F40's SIGSTOP of a lease holder) live in Scm.EndToEnd.Tests.
/// </summary>
public sealed class ConcurrencyFaultTests
{
    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task AutoRenewal_SeveralInstancesScanAtOnce_EachCertificateRenewedExactlyOnce(int seed)
    {
        // F38: 2-4 instances run the renewal scan at the same moment (the API scan, which has no job lease, and the
        // scheduled job); each certificate is claimed by lease and re-checked under it; only one renewal is ordered.
        var instances = 2 + (seed % 3);
        var certificates = 2 + ((seed + 1) % 3);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, sqlite: seed % 2 == 0, engine: o =>
        {
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.MaxJitter = TimeSpan.FromHours(seed);
        });
        for (var i = 0; i < certificates; i++)
        {
            run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("host" + i))));
        }

        await run.SettleAsync();
        run.StartNoise();
        var hosts = new List<EngineHarness> { run.H };
        for (var i = 1; i < instances; i++)
        {
            hosts.Add(await run.AddPeerAsync("engine-" + (char)('a' + i)));
        }

        var issued = (await run.OrdersAsync()).Select(o => o.SslId!.Value).ToArray();
        var latest = (await Task.WhenAll(issued.Select(id => run.Store.FindCertificatesBySslIdAsync(id)))).SelectMany(c => c).Max(c => c.NotAfter);
        run.Advance(latest - TimeSpan.FromDays(29) - run.Time.GetUtcNow());

        // Every instance scans at the same moment, round after round (a round may leave a certificate for the next one
        // when the read noise hides SCM's answer); over all rounds each certificate is renewed exactly once.
        var renewed = 0;
        for (var round = 0; round < 6 && renewed < certificates; round++)
        {
            var scans = await run.PumpAsync(() => Task.WhenAll(hosts.Select(h => h.Lifecycle.RunAutoRenewalAsync())));
            renewed += scans.Sum(s => run.Observe(s).Decisions.Count(d => d.Decision == AutoRenewDecision.Renewed));
        }

        Assert.Equal(certificates, renewed);
        var jobs = await run.PumpAsync(() => Task.WhenAll(hosts.Select(h => h.Jobs.RunAsync(LifecycleJob.AutoRenewal))));
        Assert.Contains(jobs, j => j.Ran);
        var again = await run.PumpAsync(() => Task.WhenAll(hosts.Select(h => h.Lifecycle.RunAutoRenewalAsync())));
        Assert.DoesNotContain(again.SelectMany(s => s.Decisions), d => d.Decision == AutoRenewDecision.Renewed);

        await run.SettleAsync(via: hosts[^1]);
        foreach (var sslId in issued)
        {
            Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(sslId));
        }

        Assert.Equal(certificates, run.Sim.Counters.RenewPosts);
        Assert.Equal(certificates, (await run.Store.ListCertificatesAsync(new CertificateQuery { Status = CertificateStatus.Active, PageSize = 100 })).Items.Count);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Lease_HolderDiesMidOperation_PeerWaitsForExpiryThenResumesFromStoredState(int seed)
    {
        // F39: the lease holder dies (kill -9: nothing more is written, its lease is never released). A peer leaves the
        // certificate alone while the lease runs, then takes over from what is stored: reconcile first when the POST's
        // outcome is unknown, re-submit only after two empty searches, or simply go on polling and collecting.
        var point = FaultSeeds.Pick(seed, "before-post", "after-post", "polling", "renewal-after-post", "after-post");
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, sqlite: seed % 2 == 1);
        var peer = await run.AddPeerAsync("engine-b");
        Guid orderId;
        if (point == "renewal-after-post")
        {
            var first = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
            await run.SettleAsync();
            run.StartNoise();
            run.Crash.Rule = b => b.Operations.Any(o => o is UpdateOrderOperation { Order: { Kind: OrderKind.Renewal, State: OrderState.Submitted } }) ? CommitFault.DieBefore : CommitFault.None;
            await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.RenewAsync(first.CertificateId));
            orderId = (await run.OrdersAsync()).Single(o => o.Kind == OrderKind.Renewal).Id;
        }
        else if (point == "polling")
        {
            orderId = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request()))).OrderId;
            run.Crash.Rule = _ => CommitFault.DieBefore;
            run.Advance(TimeSpan.FromSeconds(10));
            var lost = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(orderId)));
            Assert.StartsWith("Failed, retried later", lost.Message, StringComparison.Ordinal);
        }
        else
        {
            if (point == "after-post")
            {
                run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.DropConnection).Once());
            }

            var dieAt = point == "before-post" ? OrderState.Submitting : OrderState.Ambiguous;
            run.Crash.Rule = b => CrashingStore.Moves(b, dieAt) ? (point == "before-post" ? CommitFault.DieAfter : CommitFault.DieBefore) : CommitFault.None;
            await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request()));
            orderId = Assert.Single(await run.OrdersAsync()).Id;
        }

        Assert.True(run.Crash.IsDead);
        var stored = (await run.Store.GetOrderAsync(orderId))!;
        var posts = run.Sim.Counters.EnrollPosts + run.Sim.Counters.RenewPosts;

        // While the dead instance's lease runs, the peer leaves the certificate alone.
        var blocked = run.Observe(await run.PumpAsync(() => peer.Lifecycle.CheckPendingOrdersAsync(), TimeSpan.FromMilliseconds(10)));
        var skipped = Assert.Single(blocked.Results, r => r.Order.Id == orderId);
        Assert.True(skipped.Skipped);
        Assert.Equal(stored.Version, (await run.Store.GetOrderAsync(orderId))!.Version);

        // The lease expires; the peer takes over.
        run.Advance(new LeaseOptions().CertificateLeaseDuration);
        run.Observe(await run.PumpAsync(() => peer.Jobs.RunAsync(LifecycleJob.FollowUp)));
        var taken = (await run.Store.GetOrderAsync(orderId))!;
        Assert.NotEqual(stored.Version, taken.Version);
        Assert.Equal(posts, run.Sim.Counters.EnrollPosts + run.Sim.Counters.RenewPosts);
        if (stored.State == OrderState.Submitting)
        {
            Assert.Contains(await run.AuditAsync(), a => a.OrderId == orderId && a.Decision == "Ambiguous");
        }

        await run.SettleAsync(via: peer);
        var done = (await run.Store.GetOrderAsync(orderId))!;
        Assert.Equal(OrderState.Completed, done.State);
        Assert.Contains(peer.Events, e => e is CertificateIssuedEvent issued && issued.OrderId == orderId);
        Assert.DoesNotContain(run.H.Events, e => e is CertificateIssuedEvent issued && issued.OrderId == orderId);
        var expectedPosts = point == "before-post" ? posts + 1 : posts;
        Assert.Equal(expectedPosts, run.Sim.Counters.EnrollPosts + run.Sim.Counters.RenewPosts);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Shutdown_WhileSchedulerPostInFlight_WaitsOrIsCutThenRestartReconcilesOneOrder(int seed)
    {
        // F43: the host is stopped (SIGTERM: its stopping token is cancelled) while the scheduler's enroll POST is in
        // flight. Graceful: the stop waits for the POST up to its timeout and records the unclear outcome. Cut (a short
        // shutdown deadline, then the process is gone): the record is already "Submitting" and the restart reconciles it.
        var graceful = seed % 2 == 1;
        var committed = FaultSeeds.Pick(seed, true, true, false, false, true);
        await using var run = await FaultRun.StartAsync(seed, Noise.None, engine: o => o.Client.PostTimeout = TimeSpan.FromSeconds(20));

        // An order stored but not yet sent (its key write failed once): the scheduler will send it.
        var failedOnce = false;
        run.Crash.Rule = b =>
        {
            if (!failedOnce && CrashingStore.Moves(b, OrderState.KeyPersisted))
            {
                failedOnce = true;
                return CommitFault.FailBefore;
            }

            return CommitFault.None;
        };
        await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request()));
        var planned = Assert.Single(await run.OrdersAsync());
        run.Sim.Faults.Add(committed
            ? ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.Stall, TimeSpan.FromSeconds(100)).Once()
            : ScmFault.On("POST", "/ssl/*/enroll").Stall(TimeSpan.FromSeconds(100)).Once());

        await run.RestartAsync(
            o => o.Scheduling.Enabled = true,
            b => b.Services.Configure<HostOptions>(h => h.ShutdownTimeout = graceful ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(50)));
        for (var i = 0; i < 2000 && run.Sim.Counters.EnrollPosts == 0; i++)
        {
            await Task.Delay(5);
        }

        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        IHost? abandoned = null;
        if (graceful)
        {
            await run.PumpAsync(() => run.H.StopHostAsync());
            var recorded = (await run.Store.GetOrderAsync(planned.Id))!;
            Assert.Equal(OrderState.Ambiguous, recorded.State);
            Assert.Contains("time", recorded.LastError, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            // The deadline passes with the POST still out; then the process is gone.
            abandoned = await run.H.AbandonHostAsync();
            run.Crash.Kill();
            Assert.Equal(OrderState.Submitting, (await run.Store.GetOrderAsync(planned.Id))!.State);
        }

        await run.RestartAsync();
        await run.SettleAsync();
        var done = (await run.Store.GetOrderAsync(planned.Id))!;
        Assert.Equal(OrderState.Completed, done.State);
        Assert.Equal(committed ? 1 : 2, run.Sim.Counters.EnrollPostsFor(planned.CorrelationToken));
        Assert.Equal(1, run.Sim.Counters.BillableOrdersFor(planned.CorrelationToken));
        if (abandoned is not null)
        {
            // The cut-off process's POST ends (on the clock) and writes nothing; then it is gone for good.
            await run.PumpAsync(() => Task.Run(abandoned.Dispose));
            Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(planned.Id))!.State);
        }

        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Scheduler_TickWhilePreviousTickStillWorksOnCertificate_SecondSkipsOrWaitsNoDoubleWork(int seed)
    {
        // F44: a scheduler tick (or an API call) comes while the previous tick still works on the same certificate: the
        // in-process lock per certificate skips it (scans) or makes it wait and re-read (a single check); one poll, one
        // collect, one install.
        var second = FaultSeeds.Pick(seed, "follow-up-job", "status-check-job", "api-scan", "api-check", "follow-up-job");
        await using var run = await FaultRun.StartAsync(seed, Noise.None);
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        run.Advance(TimeSpan.FromSeconds(10));
        var detailsPath = $"/ssl/v1/{ordered.SslId}";
        var slow = run.Sim.Faults.Add(ScmFault.On("GET", detailsPath).Latency(TimeSpan.FromMilliseconds(400)).Once());

        var first = run.H.Jobs.RunAsync(LifecycleJob.FollowUp);
        for (var i = 0; i < 2000 && slow.Hits == 0; i++)
        {
            await Task.Delay(2);
        }

        Assert.Equal(1, slow.Hits);
        switch (second)
        {
            case "follow-up-job" or "status-check-job":
                var job = run.Observe(await run.H.Jobs.RunAsync(second == "follow-up-job" ? LifecycleJob.FollowUp : LifecycleJob.StatusCheck));
                Assert.True(job.Ran);
                Assert.Contains("0 installed", job.Summary, StringComparison.Ordinal);
                break;
            case "api-scan":
                var scan = run.Observe(await run.Lifecycle.CheckPendingOrdersAsync(dueOnly: true));
                var skipped = Assert.Single(scan.Results);
                Assert.True(skipped.Skipped);
                Assert.Contains("working on this certificate", skipped.Message, StringComparison.Ordinal);
                break;
            default:
                // A single check waits for the lock, re-reads, and finds the work done.
                var check = run.Observe(await run.Lifecycle.CheckStatusAsync(ordered.OrderId));
                Assert.Equal(OrderState.Completed, check.Order.State);
                Assert.Null(check.InstalledCertificate);
                break;
        }

        var tick = run.Observe(await first);
        Assert.Contains("1 installed", tick.Summary, StringComparison.Ordinal);
        var log = await run.RequestLogAsync();
        Assert.Equal(1, log.Count(r => r.Method == "GET" && r.Path.EndsWith(detailsPath, StringComparison.Ordinal)));
        Assert.Equal(1, log.Count(r => r.Method == "GET" && r.Path.Contains("/collect/", StringComparison.Ordinal)));
        Assert.Single(run.H.Events.OfType<CertificateIssuedEvent>());
        Assert.Single(await run.Store.FindCertificatesBySslIdAsync(ordered.SslId!.Value));
        await run.VerifyAsync();
    }
}
