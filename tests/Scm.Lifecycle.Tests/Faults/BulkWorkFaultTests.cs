using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Scm.Client;
using Scm.Lifecycle.Tests.EndToEnd;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// Bulk work on a hostile network (issue 14): a proxy that fails the first GET of every order and every list page
/// (F54), and SCM down long enough to open the circuit breaker, during imports and status scans.
/// </summary>
public sealed class BulkWorkFaultTests
{
    /// <summary>Orders placed in SCM by another tool (not through the engine), EC P-256, 8 at a time; the first <paramref name="issued"/> issued at once.</summary>
    private static async Task<long[]> SeedAsync(FaultRun run, int count, int issued)
    {
        using var client = run.H.NewOtherToolClient();
        var ids = new long[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest($"CN=bulk{i}.acme.example", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            var result = await client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = EngineHarness.Org,
                ProfileId = EngineHarness.MultiDomainProfile,
                Term = 365,
                Csr = csr,
                Comments = "placed in SCM before the SDK",
                CustomFields = [new Scm.Client.CustomFieldValue(EngineHarness.CostCenter, "1")],
            }, ct);
            ids[i] = result.SslId;
        });
        foreach (var id in ids.Take(issued))
        {
            run.Sim.IssueNow(id);
        }

        return ids;
    }

    private sealed class Reports : IProgress<ImportProgress>
    {
        public ConcurrentQueue<ImportProgress> All { get; } = new();

        public TaskCompletionSource<ImportProgress> FirstPause { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstPage { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Report(ImportProgress value)
        {
            All.Enqueue(value);
            if (value.PausedFor is not null)
            {
                FirstPause.TrySetResult(value);
            }
            else
            {
                FirstPage.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task Import_ProxyFailsFirstGetOfEveryOrderAndEveryListPageWith429_ThousandsImportedOnceWithoutAPause()
    {
        // F54 at import scale: 2,000 orders, 1,500 issued. A proxy answers the first details GET and the first collect
        // of every order with an HTML 502 and the first call for every list page with 429 (Retry-After 2 s). Every retry
        // succeeds, so the breaker (which counts calls that finally failed) never opens: nothing pauses, nothing fails,
        // every order is imported once, and SCM sees exactly one failed and one good request per order and page.
        const int Orders = 2_000;
        const int Issued = 1_500;
        const int PageSize = 200;
        await using var run = await FaultRun.StartAsync(seed: 54, simulator: o => o.IssueDelay = TimeSpan.FromDays(30), engine: o => o.Client.PageSize = PageSize);
        var ids = await SeedAsync(run, Orders, Issued);
        var details = run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").HtmlErrorPage(502).FirstPerRequest());
        var collects = run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/collect/*").HtmlErrorPage(502).FirstPerRequest());
        var lists = run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1").TooManyRequests(ScmRetryAfterStyle.Seconds, TimeSpan.FromSeconds(2)).FirstPerRequest());
        var before = run.Sim.Counters.Requests;
        var reports = new Reports();

        var result = run.Observe(await run.PumpAsync(() => run.Lifecycle.ImportExistingOrdersAsync(progress: reports), step: TimeSpan.FromSeconds(2)));

        Assert.Empty(result.Failures);
        Assert.Equal(Orders, result.Progress.Processed);
        Assert.Equal(Orders, result.Progress.Imported);
        Assert.Equal(0, result.Progress.AlreadyKnown + result.Progress.Skipped + result.Progress.Failed);
        Assert.Equal(TimeSpan.Zero, result.Paused);
        Assert.DoesNotContain(reports.All, p => p.PausedFor is not null);

        // Every order imported once: one local order per sslId, a certificate for each issued one.
        var orders = await run.OrdersAsync();
        Assert.Equal(ids.Order(), orders.Select(o => o.SslId!.Value).Order());
        Assert.Equal(Issued, await run.Store.CountCertificatesAsync(CertificateStatus.Active));
        Assert.Equal(Orders - Issued, orders.Count(o => o.IsOpen));

        // The proxy failed each order's first GETs and each page's first list call once; nothing else was sent: every
        // failure retried once by the client (never by a second import pass or a pause).
        var pages = Orders / PageSize; // SCM's X-Total-Count ends the walk after the last full page
        Assert.Equal(Orders, details.Hits);
        Assert.Equal(Issued, collects.Hits);
        Assert.Equal(pages, lists.Hits);
        Assert.Equal(2L * (pages + Orders + Issued), run.Sim.Counters.Requests - before);
        Assert.Equal(Orders, run.Sim.Counters.EnrollPosts); // the seeding; the import sent no POST
        Assert.DoesNotContain(run.H.Logs, l => l.Contains("CircuitOpen", StringComparison.Ordinal));

        await run.VerifyAsync(requireCollected: false);
    }

    [Fact]
    public async Task Import_ScmCapsPagesBelowTheSizeAsked_TotalCountKeepsTheWalkGoing_EveryOrderImported()
    {
        // SCM answers at most 7 orders per page while the client asks for 20: a page shorter than asked is not the end
        // while X-Total-Count says more orders follow.
        const int Orders = 50;
        await using var run = await FaultRun.StartAsync(seed: 57, simulator: o =>
        {
            o.IssueDelay = TimeSpan.FromDays(30);
            o.MaxPageSize = 7;
        }, engine: o => o.Client.PageSize = 20);
        var ids = await SeedAsync(run, Orders, 30);

        var result = run.Observe(await run.PumpAsync(() => run.Lifecycle.ImportExistingOrdersAsync()));

        Assert.Empty(result.Failures);
        Assert.Equal(Orders, result.Progress.Processed);
        Assert.Equal(Orders, result.Progress.Imported);
        Assert.Equal(ids.Order(), (await run.OrdersAsync()).Select(o => o.SslId!.Value).Order());
        await run.VerifyAsync(requireCollected: false);
    }

    [Fact]
    public async Task Import_ScmDownLongEnoughToOpenTheBreaker_PausesSaysSoResumesEveryOrderOnce_SingleCallsFailFast()
    {
        // SCM starts failing every details GET after the first page: the calls fail for good (no client retries here),
        // the import tries them again after short waits, the breaker opens once failures outweigh the successes in its
        // window, and the import pauses for the break instead of failing orders or aborting: a progress report says so. While it waits, a single call fails at once without
        // reaching SCM. SCM recovers; after the break one probe goes through, and the import finishes: every order once.
        const int Orders = 100;
        await using var run = await FaultRun.StartAsync(seed: 19, simulator: o => o.IssueDelay = TimeSpan.FromDays(30), engine: o =>
        {
            o.Client.PageSize = 20;
            o.Client.MaxRetryAttempts = 0;
            o.Client.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(30);
        });
        var ids = await SeedAsync(run, Orders, issued: 0);
        var reports = new Reports();
        ScmFaultRule? down = null;
        var first = true;
        var progress = new InlineProgress(p =>
        {
            if (Interlocked.Exchange(ref first, false))
            {
                down = run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").ServerError(503));
            }

            reports.Report(p);
        });

        var import = run.Lifecycle.ImportExistingOrdersAsync(progress: progress);

        // The failed reads are tried again after short waits on the clock until the breaker opens: pumped until the pause.
        var pause = await run.PumpAsync(() => reports.FirstPause.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.InRange(pause.PausedFor!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.False(import.IsCompleted);
        Assert.True(pause.Imported >= 20, $"{pause}");
        Assert.Equal(0, pause.Failed);

        // A single call meanwhile: refused at once by the open circuit, nothing sent.
        var sent = run.Sim.Counters.Requests;
        var single = await Assert.ThrowsAsync<ScmTransportException>(() => run.H.Services.GetRequiredService<ScmClient>().Ssl.GetAsync(ids[0]));
        Assert.Equal(ScmTransportFailure.CircuitOpen, single.Failure);
        Assert.Equal(sent, run.Sim.Counters.Requests);

        // SCM is back; the break runs out on the clock.
        run.Sim.Faults.Remove(down!);
        var result = run.Observe(await run.PumpAsync(() => import, step: TimeSpan.FromSeconds(1)));

        Assert.Empty(result.Failures);
        Assert.Equal(Orders, result.Progress.Imported);
        Assert.Equal(Orders, result.Progress.Processed);
        Assert.InRange(result.Paused, pause.PausedFor.Value, TimeSpan.FromMinutes(2));
        Assert.Equal(ids.Order(), (await run.OrdersAsync()).Select(o => o.SslId!.Value).Order());
        Assert.Contains(run.H.Logs, l => l.Contains("the import pauses for", StringComparison.Ordinal));
        await run.VerifyAsync(requireCollected: false);
    }

    [Fact]
    public async Task Import_ScmStaysDownPastMaxPause_StopsWithTheCircuitErrorAndResumesLaterFromItsCheckpoint()
    {
        // SCM fails every details GET from the first page's commit on, and stays down: the import pauses for breaks until
        // its pause budget (2 min here) is spent, then stops with the open circuit's error; the pages written so far are
        // checkpointed, and the next import carries on from there once SCM is back.
        const int Orders = 60;
        await using var run = await FaultRun.StartAsync(seed: 20, simulator: o => o.IssueDelay = TimeSpan.FromDays(30), engine: o =>
        {
            o.Client.PageSize = 20;
            o.Client.MaxRetryAttempts = 0;
            o.BulkWork.MaxPause = TimeSpan.FromMinutes(2);
        });
        var ids = await SeedAsync(run, Orders, issued: 0);
        var first = true;
        var progress = new InlineProgress(_ =>
        {
            if (Interlocked.Exchange(ref first, false))
            {
                run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").ServerError(503));
            }
        });

        var any = await Record.ExceptionAsync(() => run.PumpAsync(() => run.Lifecycle.ImportExistingOrdersAsync(progress: progress), step: TimeSpan.FromSeconds(5)));
        var failure = Assert.IsType<ScmTransportException>(any);
        Assert.Equal(ScmTransportFailure.CircuitOpen, failure.Failure);
        Assert.Contains(run.H.Logs, l => l.Contains("paused 00:02:00 in all", StringComparison.Ordinal));
        var stored = (await run.OrdersAsync()).Count;
        Assert.InRange(stored, 20, Orders - 1);

        run.Sim.Faults.Clear();
        run.Advance(TimeSpan.FromMinutes(1));
        var resumed = await run.PumpAsync(() => run.Lifecycle.ImportExistingOrdersAsync());
        Assert.True(resumed.Resumed);
        Assert.Empty(resumed.Failures);
        Assert.Equal(ids.Order(), (await run.OrdersAsync()).Select(o => o.SslId!.Value).Order());
    }

    [Fact]
    public async Task StatusScan_BreakerOpensMidScan_PausesAndResumes_EveryOrderChecked()
    {
        // Thirty imported pending orders are issued in SCM; SCM fails every details GET when the scan starts. The scan
        // pauses on the open circuit instead of deferring every order with a failure, and installs all thirty once SCM
        // is back.
        const int Orders = 30;
        await using var run = await FaultRun.StartAsync(seed: 27, simulator: o => o.IssueDelay = TimeSpan.FromDays(30), engine: o => o.Client.MaxRetryAttempts = 0);
        var ids = await SeedAsync(run, Orders, issued: 0);
        await run.PumpAsync(() => run.Lifecycle.ImportExistingOrdersAsync());
        foreach (var id in ids)
        {
            run.Sim.IssueNow(id);
        }

        run.Advance(TimeSpan.FromMinutes(2)); // the import's successful calls leave the breaker's window
        var down = run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").ServerError(503));
        var scan = run.Lifecycle.CheckPendingOrdersAsync();
        await run.PumpAsync(async () =>
        {
            for (var i = 0; i < 6000 && !run.H.Logs.Any(l => l.Contains("the status scan pauses", StringComparison.Ordinal)); i++)
            {
                await Task.Delay(10); // bounded (60 s)
            }
        });

        Assert.Contains(run.H.Logs, l => l.Contains("the status scan pauses", StringComparison.Ordinal));
        Assert.False(scan.IsCompleted);
        Assert.Equal(0, await run.Store.CountCertificatesAsync(CertificateStatus.Active));
        run.Sim.Faults.Remove(down);

        var result = run.Observe(await run.PumpAsync(() => scan));
        Assert.Equal(Orders, result.Checked);
        Assert.Equal(Orders, result.Installed);
        Assert.Equal(Orders, await run.Store.CountCertificatesAsync(CertificateStatus.Active));
        Assert.DoesNotContain(await run.OrdersAsync(), o => o.IsOpen);
    }

    [Fact]
    public async Task AutoRenewal_BreakerOpensMidRun_PausesAndResumes_EveryDueCertificateRenewedOnce()
    {
        // Twelve certificates are due; SCM fails every details GET when the run starts. The run pauses on the open
        // circuit instead of skipping every certificate ("SCM could not be asked"), and renews each exactly once when
        // SCM is back.
        const int Certificates = 12;
        await using var run = await FaultRun.StartAsync(seed: 31, engine: o =>
        {
            o.Client.MaxRetryAttempts = 0;
            o.AutoRenewal.Enabled = true;
        });
        for (var i = 0; i < Certificates; i++)
        {
            run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request($"renew{i}"))));
        }

        await run.SettleAsync();
        var certificates = await run.H.Lifecycle.ListCertificatesAsync().ToListAsync();
        Assert.Equal(Certificates, certificates.Count);

        run.Advance(TimeSpan.FromDays(340));
        var down = run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").ServerError(503));
        var renewal = run.Lifecycle.RunAutoRenewalAsync();
        await run.PumpAsync(async () =>
        {
            for (var i = 0; i < 6000 && !run.H.Logs.Any(l => l.Contains("the auto-renewal pauses", StringComparison.Ordinal)); i++)
            {
                await Task.Delay(10); // bounded (60 s)
            }
        });

        Assert.Contains(run.H.Logs, l => l.Contains("the auto-renewal pauses", StringComparison.Ordinal));
        Assert.False(renewal.IsCompleted);
        run.Sim.Faults.Remove(down);

        var result = run.Observe(await run.PumpAsync(() => renewal));
        Assert.Equal(Certificates, result.Decisions.Count(d => d.Decision == AutoRenewDecision.Renewed));
        Assert.All(certificates, c => Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(c.SslId!.Value)));
        await run.SettleAsync();
        await run.VerifyAsync();
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread.</summary>
    private sealed class InlineProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
