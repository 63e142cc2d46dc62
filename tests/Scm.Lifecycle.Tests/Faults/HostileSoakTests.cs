using Scm.Lifecycle.Scheduling;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// The whole hostile preset of docs/reliability.md at once (<c>ScmSimulatorOptions.Hostile(seed)</c>: 5xx and 429 on any
/// call, commit-then-fail / drop / stall on enroll, malformed bodies, not-ready polls, paging by 3, sslIds above 2^31),
/// with several orders and their renewals driven by the scheduler's jobs: the mix of F14-F18, F20, F22, F23 and F28 the
/// single scenarios isolate. Goals 2-4: one billable order per token, one renewal per certificate, every key stored, every
/// certificate collected once the faults stop.
/// </summary>
public sealed class HostileSoakTests
{
    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Lifecycle_FullHostilePreset_EveryOrderOnceEveryKeyStoredEveryCertificateCollected(int seed)
    {
        var count = 3 + (seed % 3);
        await using var run = await FaultRun.StartAsync(seed, Noise.Full, engine: o =>
        {
            o.Client.PostTimeout = TimeSpan.FromSeconds(20);
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.MaxJitter = TimeSpan.Zero;
        });

        var orders = new List<OrderCertificateResult>();
        for (var i = 0; i < count; i++)
        {
            orders.Add(run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("soak" + i)))));
        }

        Assert.All(orders, o => Assert.Contains(o.State, new[] { OrderState.Submitted, OrderState.Ambiguous, OrderState.KeyPersisted }));
        await DriveWithSchedulerAsync(run);
        await run.SettleAsync();
        var notCompleted = (await run.OrdersAsync()).Where(o => o.State != OrderState.Completed).ToArray();
        Assert.True(notCompleted.Length == 0, string.Join("; ", notCompleted.Select(o => $"{o} {o.LastError}")) + " | faults: "
            + string.Join(", ", run.Sim.GetRequestLog().Where(r => r.Fault is not null).Select(r => r.ToString())));
        await run.VerifyAsync();

        // Renewal of every certificate under the same noise.
        run.StartNoise();
        var certificates = (await run.Store.ListCertificatesAsync(new CertificateQuery { Status = CertificateStatus.Active, PageSize = 100 })).Items;
        Assert.Equal(count, certificates.Count);
        run.Advance(certificates.Max(c => c.NotAfter) - TimeSpan.FromDays(29) - run.Time.GetUtcNow());
        for (var round = 0; round < 6; round++)
        {
            run.Observe(await run.PumpAsync(() => run.H.Jobs.RunAsync(LifecycleJob.AutoRenewal)));
            run.Advance(TimeSpan.FromHours(1));
        }

        await DriveWithSchedulerAsync(run);
        await run.SettleAsync();
        for (var round = 0; round < 3 && certificates.Any(c => run.Sim.Counters.RenewalOrdersFor(c.SslId!.Value) == 0); round++)
        {
            run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync()));
            await run.SettleAsync();
        }

        Assert.All(certificates, c => Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(c.SslId!.Value)));
        Assert.All(certificates, c => Assert.Equal(CertificateStatus.Superseded, run.Store.GetCertificateAsync(c.Id).GetAwaiter().GetResult()!.Status));
        await run.VerifyAsync();
    }

    /// <summary>The scheduler's follow-up job, with the noise still on, for a simulated half hour.</summary>
    private static async Task DriveWithSchedulerAsync(FaultRun run)
    {
        for (var tick = 0; tick < 30; tick++)
        {
            run.Advance(TimeSpan.FromMinutes(1));
            run.Observe(await run.PumpAsync(() => run.H.Jobs.RunAsync(LifecycleJob.FollowUp)));
        }
    }
}
