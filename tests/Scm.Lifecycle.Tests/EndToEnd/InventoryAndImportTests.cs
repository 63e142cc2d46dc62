using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Scm.Client;
using Scm.Lifecycle.Storage;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>Licence-cap parking and release, and the import of existing SCM orders.</summary>
public sealed class InventoryAndImportTests
{
    /// <summary>A quota whose limit a test changes (the overridable quota hook).</summary>
    private sealed class AdjustableQuota : IInventoryQuota
    {
        public static int Limit { get; set; }

        public ValueTask<QuotaDecision> CanInstallAsync(InventoryQuotaContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(context.ActiveCertificates + (context.ReplacesActiveCertificate ? 0 : 1) <= Limit
                ? QuotaDecision.Allow
                : QuotaDecision.Park($"Licence server allows {Limit}."));
    }

    [Fact]
    public async Task LicenceCap_Reached_ParksVisiblyThenInstallsWhenCapacityFrees()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.Inventory.MaxManagedCertificates = 1);
        var first = await h.Lifecycle.OrderAsync(EngineHarness.Request("one"));
        var second = await h.Lifecycle.OrderAsync(EngineHarness.Request("two"));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.Lifecycle.CheckPendingOrdersAsync();

        // Both were issued; exactly one fits under the cap (whichever installed first), the other is parked.
        var states = new[] { (await h.Lifecycle.GetOrderAsync(first.OrderId))!, (await h.Lifecycle.GetOrderAsync(second.OrderId))! };
        var winner = Assert.Single(states, o => o.State == OrderState.Completed);
        var parked = Assert.Single(states, o => o.State == OrderState.Parked);
        Assert.Contains("licence cap of 1", parked.LastError, StringComparison.Ordinal);
        Assert.NotNull(parked.CollectedCertificatePem);
        Assert.Contains(h.Events, e => e is CertificateParkedEvent p && p.OrderId == parked.Id);
        Assert.Contains(await h.Lifecycle.QueryAuditAsync(new AuditQuery()), a => a.Decision == "Parked" && a.OrderId == parked.Id);
        Assert.Equal(1, await h.Store.CountCertificatesAsync(CertificateStatus.Active));

        // Parked orders are re-checked on every scan; nothing changes while the cap holds.
        await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.Equal(OrderState.Parked, (await h.Lifecycle.GetOrderAsync(parked.Id))!.State);

        // Capacity frees (the installed certificate leaves the inventory): the parked one is installed, never dropped.
        var installed = (await h.Lifecycle.GetCertificateAsync(winner.CertificateId))!;
        await h.Store.CommitAsync(new StoreBatch().UpdateCertificate(installed with { Status = CertificateStatus.Revoked }));
        await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.Equal(OrderState.Completed, (await h.Lifecycle.GetOrderAsync(parked.Id))!.State);
        Assert.NotNull(await h.Lifecycle.GetCertificateAsync(parked.CertificateId));
        Assert.Equal(2, h.Simulator.Counters.BillableOrders);
    }

    [Fact]
    public async Task QuotaHook_ReplacesDefaultAndReleasesWhenRaised()
    {
        AdjustableQuota.Limit = 0;
        await using var h = await EngineHarness.StartAsync(builder: b => b.UseInventoryQuota<AdjustableQuota>());
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        var parked = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Parked, parked.Order.State);
        Assert.Contains("Licence server allows 0", parked.Order.LastError, StringComparison.Ordinal);

        AdjustableQuota.Limit = 5;
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
    }

    /// <summary>A host on <paramref name="store"/> that lists <paramref name="pageSize"/> orders per page; SCM issues after <paramref name="issueDelay"/>.</summary>
    private static Task<EngineHarness> StartWithStoreAsync(IScmStore store, int pageSize, TimeSpan? issueDelay = null, Action<ISectigoCertificateManagementBuilder>? builder = null) => EngineHarness.StartAsync(
        simulator: issueDelay is { } delay ? o => o.IssueDelay = delay : null,
        engine: o => o.Client.PageSize = pageSize,
        builder: b =>
        {
            b.Services.AddSingleton(store);
            builder?.Invoke(b);
        });

    /// <summary>Creates orders in SCM the way another tool would (through the client, not the engine).</summary>
    private static async Task<List<long>> SeedScmAsync(EngineHarness h, int issued, int pending)
    {
        using var client = h.NewOtherToolClient();
        var ids = new List<long>();
        for (var i = 0; i < issued + pending; i++)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=legacy{i}.acme.example", key, HashAlgorithmName.SHA256);
            var result = await client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = EngineHarness.Org,
                ProfileId = EngineHarness.MultiDomainProfile,
                Term = 365,
                Csr = request.CreateSigningRequestPem(),
                Comments = "made by another tool",
                CustomFields = [new Scm.Client.CustomFieldValue(EngineHarness.CostCenter, "1")],
            });
            if (i < issued)
            {
                h.Simulator.IssueNow(result.SslId);
            }

            ids.Add(result.SslId);
        }

        return ids;
    }

    [Fact]
    public async Task Import_IssuedAndPending_ObserveOnlyCertificatesAndFollowedOrders_RerunImportsNothingTwice()
    {
        await using var h = await EngineHarness.StartAsync(simulator: o => o.IssueDelay = TimeSpan.FromHours(1), engine: o => o.Client.PageSize = 3);
        var ids = await SeedScmAsync(h, issued: 5, pending: 2);
        var progress = new List<ImportProgress>();

        var result = await h.Lifecycle.ImportExistingOrdersAsync(progress: new SyncProgress<ImportProgress>(progress.Add));
        Assert.Equal(7, result.Progress.Processed);
        Assert.Equal(7, result.Progress.Imported);
        Assert.Empty(result.Failures);
        Assert.True(progress.Count >= 3, "progress per page of 3");
        Assert.Equal(7, progress[^1].Total);

        var certificates = await h.Lifecycle.ListCertificatesAsync().ToListAsync();
        Assert.Equal(5, certificates.Count);
        Assert.All(certificates, c =>
        {
            Assert.True(c.IsObserveOnly);
            Assert.Equal(CertificateOrigin.Imported, c.Origin);
            Assert.Null(c.ProtectedKeystore);
            Assert.True(c.NotAfter > h.Time.GetUtcNow());
        });
        var pending = (await h.Lifecycle.ListOrdersAsync([OrderState.Submitted, OrderState.AwaitingApproval]).ToListAsync());
        Assert.Equal(2, pending.Count);
        Assert.All(pending, o => Assert.Equal(OrderKind.Import, o.Kind));

        // Time-ordered ids (UUID version 7), so that a store's id indexes grow at one end (RecordId).
        Assert.All(pending, o => Assert.Equal(7, o.Id.Version));
        Assert.All(certificates, c => Assert.Equal(7, c.Id.Version));

        var again = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.Equal(0, again.Progress.Imported);
        Assert.Equal(7, again.Progress.AlreadyKnown);
        Assert.Equal(5, (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Count);

        // The pending ones are collected (observe-only) when SCM issues them.
        h.Simulator.IssueNow(ids[5]);
        h.Simulator.IssueNow(ids[6]);
        await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.Equal(7, (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Count);
        Assert.Equal(7, h.Simulator.Counters.BillableOrders);
    }

    [Fact]
    public async Task Import_OneTransactionPerPage_FailedPageWrittenOneByOneSoOnlyTheBadRecordFails()
    {
        var store = new FaultyStore(new InMemoryScmStore());
        await using var h = await StartWithStoreAsync(store, pageSize: 5, issueDelay: TimeSpan.FromHours(1));
        var ids = await SeedScmAsync(h, issued: 2, pending: 8);
        var inserts = new List<(int Orders, int Audits, bool Failed)>();
        store.FailWhen = batch =>
        {
            var orders = batch.Operations.OfType<InsertOrderOperation>().ToArray();
            var fail = orders.Any(o => o.Order.SslId == ids[3]);
            if (orders.Length > 0)
            {
                lock (inserts)
                {
                    inserts.Add((orders.Length, batch.Operations.OfType<AppendAuditOperation>().Count(), fail));
                }
            }

            return fail;
        };

        var result = await h.Lifecycle.ImportExistingOrdersAsync();

        // Page 1 (two issued, three pending): its one transaction fails (it holds the bad record), then its five orders are
        // written one by one (an issued one with its certificate and both audit entries) and only the bad one fails.
        // Page 2: one transaction of five. Every order travels with its own audit entries.
        Assert.Equal(10, result.Progress.Processed);
        Assert.Equal(9, result.Progress.Imported);
        Assert.Equal(1, result.Progress.Failed);
        Assert.Equal(ids[3], Assert.Single(result.Failures).SslId);
        Assert.Equal(
            [(5, 7, true), (1, 1, false), (1, 1, false), (1, 1, true), (1, 2, false), (1, 2, false), (5, 5, false)],
            inserts.OrderBy(i => i.Orders == 5 ? (i.Failed ? 0 : 2) : 1).ThenBy(i => i.Audits).ThenBy(i => i.Failed));
        Assert.Equal([ids[0], ids[1]], (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Select(c => c.SslId!.Value).Order());
        Assert.Equal(ids.Where((_, i) => i != 3).Order(), (await h.Lifecycle.ListOrdersAsync().ToListAsync()).Select(o => o.SslId!.Value).Order());

        // The next run imports the one that failed, in one transaction of one, and nothing twice.
        inserts.Clear();
        store.FailWhen = batch =>
        {
            var orders = batch.Operations.OfType<InsertOrderOperation>().Count();
            if (orders > 0)
            {
                inserts.Add((orders, batch.Operations.OfType<AppendAuditOperation>().Count(), false));
            }

            return false;
        };
        var again = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.Equal(1, again.Progress.Imported);
        Assert.Equal(9, again.Progress.AlreadyKnown);
        Assert.Equal([(1, 1, false)], inserts);
        var orders = await h.Lifecycle.ListOrdersAsync().ToListAsync();
        Assert.Equal(ids.Order(), orders.Select(o => o.SslId!.Value).Order());
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery());
        Assert.All(orders, o => Assert.Equal(
            o.State == OrderState.Completed ? ["Pending", "Succeeded"] : ["Succeeded"],
            audit.Where(a => a.OrderId == o.Id && a.Action == "Import" && a.Decision == "Imported").OrderBy(a => a.Sequence).Select(a => a.Outcome)));
        Assert.Equal(10, h.Simulator.Counters.BillableOrders);
        Assert.Equal(2, h.Events.OfType<CertificateIssuedEvent>().Count());
    }

    [Fact]
    public async Task Import_IssuedOrdersInstalledInThePageCommit_CollectNotReadyOrExpiredTakesTheGeneralPath()
    {
        var store = new FaultyStore(new InMemoryScmStore());
        await using var h = await StartWithStoreAsync(store, pageSize: 10);
        var ids = await SeedScmAsync(h, issued: 4, pending: 0);
        var notReady = h.Simulator.Faults.Add(Scm.Testing.ScmFault.On("GET", $"/ssl/*/collect/{ids[1]}").NotReady(Scm.Testing.ScmNotReadyStyle.NotCollectable).Once());
        h.Simulator.Faults.Add(Scm.Testing.ScmFault.On("GET", $"/ssl/*/collect/{ids[2]}").ExpiredCertificate().Always());
        var certificateCommits = new List<long[]>();
        store.FailWhen = batch =>
        {
            var inserted = batch.Operations.OfType<InsertCertificateOperation>().Select(c => c.Certificate.SslId!.Value).Order().ToArray();
            if (inserted.Length > 0)
            {
                lock (certificateCommits)
                {
                    certificateCommits.Add(inserted);
                }
            }

            return false;
        };

        var result = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.Equal(4, result.Progress.Imported);
        Assert.Empty(result.Failures);
        Assert.Equal(1, notReady.Hits);

        // The two plain ones are installed together by the page's one transaction; the one not collectable at first is
        // installed on its own by the general path; the expired one is never installed. Each gets its issued event.
        Assert.Equal(2, certificateCommits.Count);
        Assert.Contains(new[] { ids[0], ids[3] }, certificateCommits);
        Assert.Contains(new[] { ids[1] }, certificateCommits);
        Assert.Equal([ids[0], ids[1], ids[3]], h.Events.OfType<CertificateIssuedEvent>().Select(e => e.SslId!.Value).Order());

        // Every issued order is stored with its observe-only certificate and both audit entries, whichever path it took
        // (the one-commit fast path, or the general path after a first "not collectable yet").
        var certificates = await h.Lifecycle.ListCertificatesAsync().ToListAsync();
        Assert.Equal([ids[0], ids[1], ids[3]], certificates.Select(c => c.SslId!.Value).Order());
        var orders = await h.Lifecycle.ListOrdersAsync().ToListAsync();
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery());
        foreach (var certificate in certificates)
        {
            var order = Assert.Single(orders, o => o.SslId == certificate.SslId);
            Assert.Equal(OrderState.Completed, order.State);
            Assert.Equal(certificate.Id, order.CertificateId);
            Assert.Equal(OrderKind.Import, order.Kind);
            Assert.True(certificate.IsObserveOnly);
            Assert.Equal(["Pending", "Succeeded"], audit.Where(a => a.OrderId == order.Id && a.Action == "Import").OrderBy(a => a.Timestamp).Select(a => a.Outcome));
        }

        // An expired certificate is never installed, whichever path sees it.
        var invalid = Assert.Single(orders, o => o.SslId == ids[2]);
        Assert.Equal(OrderState.InvalidCertificate, invalid.State);
        Assert.Equal(4, orders.Count);
        Assert.Equal(4, h.Simulator.Counters.BillableOrders);

        var again = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.Equal(4, again.Progress.AlreadyKnown);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_ListShiftsWhileImporting_PageSeenAgainWhileItsTransactionRunsImportsNothingTwice(bool sqlite)
    {
        // SCM's list is not a snapshot: an earlier order that becomes Issued during an import of Issued orders shifts the
        // rest down, so the next page starts with the last order of the page before, whose transaction may still be
        // running. It is counted as known, never stored twice; the order that moved in ahead is found by the next run.
        // The shift happens right after SCM answered the second page's list request, whatever the store is doing.
        var shift = new AfterListPageHandler(position: 3);
        await using var h = await EngineHarness.StartAsync(
            simulator: o => o.IssueDelay = TimeSpan.FromHours(1), engine: o => o.Client.PageSize = 3, sqlite: sqlite, builder: b => shift.AddTo(b));
        var ids = await SeedScmAsync(h, issued: 0, pending: 10);
        foreach (var id in ids.Skip(1))
        {
            h.Simulator.IssueNow(id);
        }

        shift.Then = () => h.Simulator.IssueNow(ids[0]);
        var reports = new List<ImportProgress>();
        var result = await h.Lifecycle.ImportExistingOrdersAsync(
            new ImportRequest { Statuses = ["Issued"] },
            new SyncProgress<ImportProgress>(reports.Add));
        Assert.True(shift.Happened);

        // Every report's outcomes add up to at most what was seen, and the last one to exactly that.
        Assert.All(reports, p => Assert.True(p.Imported + p.AlreadyKnown + p.Skipped + p.Failed <= p.Processed, $"{p}"));
        Assert.Equal(reports[^1].Processed, reports[^1].Imported + reports[^1].AlreadyKnown + reports[^1].Skipped + reports[^1].Failed);

        Assert.Empty(result.Failures);
        Assert.Equal(9, result.Progress.Imported);
        Assert.Equal(1, result.Progress.AlreadyKnown);
        var orders = await h.Lifecycle.ListOrdersAsync().ToListAsync();
        Assert.Equal(ids.Skip(1).Order(), orders.Select(o => o.SslId!.Value).Order());
        Assert.Equal(9, (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Count);

        var again = await h.Lifecycle.ImportExistingOrdersAsync(new ImportRequest { Statuses = ["Issued"] });
        Assert.Equal(1, again.Progress.Imported);
        Assert.Equal(ids.Order(), (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Select(c => c.SslId!.Value).Order());
    }

    [Fact]
    public async Task Import_ListShiftsAndThePageBeforeFailedToStoreAnOrder_RepeatedOrderIsTriedAgain()
    {
        // As above, but the page whose last order SCM's shifted list repeats failed to store that order: the next page
        // waits for that page's transaction, finds the order still missing and stores it; nothing twice, nothing lost.
        var store = new FaultyStore(new InMemoryScmStore());
        var shift = new AfterListPageHandler(position: 3);
        await using var h = await StartWithStoreAsync(store, pageSize: 3, issueDelay: TimeSpan.FromHours(1), builder: shift.AddTo);
        var ids = await SeedScmAsync(h, issued: 0, pending: 10);
        foreach (var id in ids.Skip(1))
        {
            h.Simulator.IssueNow(id);
        }

        shift.Then = () => h.Simulator.IssueNow(ids[0]);

        var failedWrites = 0;
        store.FailWhen = batch =>
        {
            if (failedWrites < 2 && batch.Operations.OfType<InsertOrderOperation>().Any(o => o.Order.SslId == ids[6]))
            {
                failedWrites++; // the page's transaction, then the order's own
                return true;
            }

            return false;
        };

        var result = await h.Lifecycle.ImportExistingOrdersAsync(new ImportRequest { Statuses = ["Issued"] });

        Assert.True(shift.Happened);
        Assert.Equal(2, failedWrites);
        Assert.Equal(ids[6], Assert.Single(result.Failures).SslId);
        Assert.Equal(9, result.Progress.Imported);
        Assert.Equal(10, result.Progress.Processed);
        var certificates = await h.Lifecycle.ListCertificatesAsync().ToListAsync();
        Assert.Equal(ids.Skip(1).Order(), certificates.Select(c => c.SslId!.Value).Order());
        Assert.Equal(ids.Skip(1).Order(), (await h.Lifecycle.ListOrdersAsync().ToListAsync()).Select(o => o.SslId!.Value).Order());
    }

    [Fact]
    public async Task Import_CancelledWhileAnnouncingAStoredPage_EveryStoredCertificateStillGetsItsEvent()
    {
        // The page's certificates are stored; the import is cancelled while their issued events go out (here by the first
        // event's handler). The others still get theirs: a resumed import finds them known and would never announce them.
        using var cts = new CancellationTokenSource();
        var handler = new CancellingHandler(cts);
        await using var h = await EngineHarness.StartAsync(engine: o => o.Client.PageSize = 3, builder: b => b.Services.AddSingleton<ILifecycleEventHandler>(handler));
        await SeedScmAsync(h, issued: 3, pending: 0);

        try
        {
            await h.Lifecycle.ImportExistingOrdersAsync(cancellationToken: cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Cancelled after the page was stored: either outcome of the call is fine here.
        }

        Assert.True(cts.IsCancellationRequested);
        Assert.Equal(3, (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Count);
        Assert.Equal(3, handler.Issued);
    }

    private sealed class CancellingHandler(CancellationTokenSource cancel) : ILifecycleEventHandler
    {
        private int _issued;

        public int Issued => Volatile.Read(ref _issued);

        public ValueTask HandleAsync(LifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (lifecycleEvent is CertificateIssuedEvent)
            {
                Interlocked.Increment(ref _issued);
                cancel.Cancel();
            }

            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Import_InterruptedMidway_ResumesFromCheckpoint()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.Client.PageSize = 3);
        await SeedScmAsync(h, issued: 8, pending: 0);
        using var cts = new CancellationTokenSource();
        var reports = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Lifecycle.ImportExistingOrdersAsync(
            progress: new SyncProgress<ImportProgress>(_ =>
            {
                if (++reports == 2)
                {
                    cts.Cancel();
                }
            }),
            cancellationToken: cts.Token));
        var afterCrash = (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Count;
        Assert.InRange(afterCrash, 6, 7);

        var resumed = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.True(resumed.Resumed);
        Assert.Equal(8, (await h.Lifecycle.ListCertificatesAsync().ToListAsync()).Count);
        Assert.Equal(8, resumed.Progress.Processed);
    }

    [Fact]
    public async Task Import_StoreSlowerThanScm_NextPageFetchedMeanwhileAndCheckpointsFollowTheirCommitsInOrder()
    {
        // While the first page's transaction is held, the import lists and fetches the next page (one page ahead of the
        // store, no more) and checkpoints nothing; once released, the pages commit in list order, each checkpoint after
        // its own commit.
        var store = new GatedImportStore(new InMemoryScmStore());
        await using var h = await StartWithStoreAsync(store, pageSize: 3, issueDelay: TimeSpan.FromHours(1));
        var ids = await SeedScmAsync(h, issued: 0, pending: 12);
        h.Simulator.ClearRequestLog();

        var import = h.Lifecycle.ImportExistingOrdersAsync();
        try
        {
            await store.FirstPageEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            for (var i = 0; i < 3000 && DetailsRequests(h) < 6; i++)
            {
                await Task.Delay(10); // page 2 is fetched on other threads; bounded wait (30 s)
            }

            Assert.Equal(6, DetailsRequests(h));
            Assert.Equal(2, ListRequests(h)); // page 3 waits until page 1 has committed
            Assert.Empty(store.Events);
            Assert.False(import.IsCompleted);
        }
        finally
        {
            store.Release.TrySetResult(); // never leaves the import blocked, even when an assertion above failed
        }

        var result = await import.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(12, result.Progress.Imported);
        Assert.Equal(["commit:3", "checkpoint:3", "commit:3", "checkpoint:6", "commit:3", "checkpoint:9", "commit:3", "checkpoint:12", "checkpoint:"], store.Events);
        Assert.Equal(ids.Order(), (await h.Lifecycle.ListOrdersAsync().ToListAsync()).Select(o => o.SslId!.Value).Order());
    }

    [Fact]
    public async Task Import_PageCommitFailsWhileTheNextPageIsFetched_NextPageNotWrittenCheckpointStaysResumeImportsTheRestOnce()
    {
        // An unexpected failure in page 2's transaction: page 3, fetched meanwhile, is not written and the checkpoint
        // stays after page 1, so a resumed import starts at page 2 and imports nothing twice.
        var store = new GatedImportStore(new InMemoryScmStore()) { FailOnPage = 2 };
        store.Release.SetResult();
        await using var h = await StartWithStoreAsync(store, pageSize: 3, issueDelay: TimeSpan.FromHours(1));
        var ids = await SeedScmAsync(h, issued: 0, pending: 12);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Lifecycle.ImportExistingOrdersAsync());
        Assert.Contains("page 2", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["commit:3", "checkpoint:3"], store.Events);
        Assert.Equal(3, (await h.Lifecycle.ListOrdersAsync().ToListAsync()).Count);

        store.FailOnPage = null;
        var resumed = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.True(resumed.Resumed);
        Assert.Equal(9, resumed.Progress.Imported);
        Assert.Equal(ids.Order(), (await h.Lifecycle.ListOrdersAsync().ToListAsync()).Select(o => o.SslId!.Value).Order());
    }

    [Fact]
    public async Task Import_StatusesSkippedByReason_UnknownStatusImportedFollowedAndListedForReview()
    {
        // F55: SCM reports statuses beyond its documented list (here through a rewriting hop, as a newer SCM would). They
        // are never dropped: imported as open orders, followed, SCM's status kept verbatim, listed for review. Skipped
        // orders are counted by reason.
        var rewrite = new StatusRewriter();
        await using var h = await EngineHarness.StartAsync(simulator: o => o.IssueDelay = TimeSpan.FromHours(1), engine: o => o.Client.PageSize = 4,
            builder: b => b.Services.AddHttpClient(ScmServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => rewrite));
        var ids = await SeedScmAsync(h, issued: 6, pending: 4);
        using (var other = h.NewOtherToolClient())
        {
            await other.Ssl.RevokeAsync(ids[0], RevocationReason.Superseded, "replaced by hand");
            await other.Ssl.RevokeAsync(ids[1], RevocationReason.Superseded, "replaced by hand");
            using var key = RSA.Create(2048); // the approval profile takes RSA
            var declined = await other.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = EngineHarness.Org,
                ProfileId = EngineHarness.ApprovalProfile,
                Term = 365,
                Csr = new CertificateRequest("CN=declined.acme.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem(),
                CustomFields = [new Scm.Client.CustomFieldValue(EngineHarness.CostCenter, "1")],
            });
            h.Simulator.Decline(declined.SslId);
        }

        h.Simulator.Reject(ids[6]);
        h.Simulator.Invalidate(ids[7]);
        rewrite.Statuses[ids[2]] = "Expired";
        rewrite.Statuses[ids[4]] = "Replaced";
        rewrite.Statuses[ids[8]] = "Pending Validation";
        rewrite.Statuses[ids[9]] = "AWAITING_DCV";

        var result = await h.Lifecycle.ImportExistingOrdersAsync();

        var p = result.Progress;
        Assert.Equal(11, p.Processed);
        Assert.Equal(4, p.Imported);
        Assert.Equal(2, p.NeedsReview);
        Assert.Equal(7, p.Skipped);
        Assert.Equal(0, p.Failed);
        Assert.Equal(
            new Dictionary<ImportSkipReason, int>
            {
                [ImportSkipReason.Revoked] = 2, [ImportSkipReason.Expired] = 1, [ImportSkipReason.Replaced] = 1,
                [ImportSkipReason.Rejected] = 1, [ImportSkipReason.Invalid] = 1, [ImportSkipReason.Declined] = 1,
            }.OrderBy(x => x.Key),
            p.SkippedBy.OrderBy(x => x.Key));
        Assert.Equal([(ids[8], "Pending Validation"), (ids[9], "AWAITING_DCV")], result.NeedsReview.Select(r => (r.SslId, r.ScmStatus)));

        // Imported as open orders, SCM's status verbatim, with an audit entry that asks for a review.
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery());
        foreach (var review in result.NeedsReview)
        {
            var order = (await h.Lifecycle.GetOrderAsync(review.OrderId))!;
            Assert.Equal(review.SslId, order.SslId);
            Assert.Equal(OrderKind.Import, order.Kind);
            Assert.Equal(OrderState.Submitted, order.State);
            Assert.Equal(review.ScmStatus, order.ScmStatus);
            var entry = Assert.Single(audit, a => a.OrderId == order.Id);
            Assert.Equal("NeedsAttention", entry.Outcome);
            Assert.Contains($"'{review.ScmStatus}'", entry.Reason, StringComparison.Ordinal);
        }

        Assert.Contains(h.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("status 'Pending Validation', which the SDK does not know", StringComparison.Ordinal));
        var summary = Assert.Single(audit, a => a.Action == "Import" && a.OrderId is null);
        Assert.Contains("7 skipped (1 expired, 2 revoked, 1 declined, 1 rejected, 1 invalid, 1 replaced)", summary.Reason, StringComparison.Ordinal);
        Assert.Contains("2 in a status the SDK does not know ('Pending Validation', 'AWAITING_DCV') imported for review", summary.Reason, StringComparison.Ordinal);

        // Followed: a scan keeps them open while SCM says the same; once SCM issues them they are collected.
        var scan = await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.All(result.NeedsReview, r => Assert.True(scan.Results.Single(x => x.Order.Id == r.OrderId).Order.IsOpen));
        rewrite.Statuses.Clear();
        h.Simulator.IssueNow(ids[8]);
        h.Simulator.IssueNow(ids[9]);
        await h.Lifecycle.CheckPendingOrdersAsync();
        foreach (var review in result.NeedsReview)
        {
            var order = (await h.Lifecycle.GetOrderAsync(review.OrderId))!;
            Assert.Equal(OrderState.Completed, order.State);
            Assert.True((await h.Lifecycle.GetCertificateAsync(order.CertificateId))!.IsObserveOnly);
        }

        // Nothing twice; the two SCM now reports as Issued (no longer rewritten) are imported, the rest skipped again.
        var again = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.Equal(4, again.Progress.AlreadyKnown);
        Assert.Equal(2, again.Progress.Imported);
        Assert.Equal(5, again.Progress.Skipped);
        Assert.Empty(again.NeedsReview);
    }

    /// <summary>Rewrites the status SCM reports for chosen sslIds in details and list answers (a newer SCM's statuses).</summary>
    private sealed class StatusRewriter : DelegatingHandler
    {
        public System.Collections.Concurrent.ConcurrentDictionary<long, string> Statuses { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method != HttpMethod.Get || !response.IsSuccessStatusCode
                || System.Text.RegularExpressions.Regex.Match(request.RequestUri!.AbsolutePath, "/ssl/v1/([0-9]+)$") is not { Success: true } match
                || !Statuses.TryGetValue(long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), out var status))
            {
                return response;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            body = System.Text.RegularExpressions.Regex.Replace(body, "\"status\"\\s*:\\s*\"[^\"]*\"", "\"status\":\"" + status + "\"");
            var rewritten = new HttpResponseMessage(response.StatusCode) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"), RequestMessage = request };
            response.Dispose();
            return rewritten;
        }
    }

    private static int ListRequests(EngineHarness h) =>
        h.Simulator.GetRequestLog().Count(r => r.Method == "GET" && r.Path.TrimEnd('/').EndsWith("/ssl/v1", StringComparison.Ordinal));

    private static int DetailsRequests(EngineHarness h) =>
        h.Simulator.GetRequestLog().Count(r => r.Method == "GET" && System.Text.RegularExpressions.Regex.IsMatch(r.Path, "/ssl/v1/[0-9]+$"));

    /// <summary>
    /// Holds the import's first page transaction until <see cref="Release"/>, can fail page N's with an unexpected
    /// exception, and records the page commits and import checkpoints in the order they happen.
    /// </summary>
    private sealed class GatedImportStore(IScmStore inner) : Scm.Tests.Shared.ForwardingScmStore(inner)
    {
        private int _pages;

        public TaskCompletionSource FirstPageEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int? FailOnPage { get; set; }

        public System.Collections.Concurrent.ConcurrentQueue<string> Events { get; } = new();

        public override async Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
        {
            var inserts = batch.Operations.OfType<InsertOrderOperation>().Count();
            if (inserts == 0)
            {
                return await Inner.CommitAsync(batch, cancellationToken);
            }

            var page = Interlocked.Increment(ref _pages);
            if (page == 1)
            {
                FirstPageEntered.TrySetResult();
                await Release.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            }

            if (page == FailOnPage)
            {
                throw new InvalidOperationException($"Injected unexpected failure in page {page}'s transaction.");
            }

            var result = await Inner.CommitAsync(batch, cancellationToken);
            Events.Enqueue("commit:" + inserts);
            return result;
        }

        public override async Task SetValueAsync(string key, string? value, CancellationToken cancellationToken = default)
        {
            await Inner.SetValueAsync(key, value, cancellationToken);
            if (key.StartsWith("import:", StringComparison.Ordinal))
            {
                Events.Enqueue("checkpoint:" + value);
            }
        }
    }

    [Fact]
    public async Task Import_FindsScmOrderOfLocalAmbiguousOrder_LinksThem()
    {
        // F35: an enroll whose outcome was unknown is found by the import (its token is in SCM's comments).
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.Faults.Add(Scm.Testing.ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail().Once());
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        Assert.Equal(OrderState.Ambiguous, ordered.State);

        var result = await h.Lifecycle.ImportExistingOrdersAsync();
        Assert.Equal(1, result.Reconciled);
        var linked = (await h.Lifecycle.GetOrderAsync(ordered.OrderId))!;
        Assert.Equal(OrderState.Submitted, linked.State);
        Assert.NotNull(linked.SslId);
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        Assert.False((await h.Lifecycle.GetCertificateAsync(ordered.CertificateId))!.IsObserveOnly);
    }

    /// <summary>
    /// Runs <see cref="Then"/> once, right after SCM answered the list request for <c>position</c> (in a handler on the
    /// engine's HttpClient, inside its pipeline): a change in SCM at a fixed point of the import, whatever the store is doing.
    /// </summary>
    private sealed class AfterListPageHandler(int position)
    {
        private int _claimed;
        private int _ran;

        public Action? Then { get; set; }

        /// <summary>Whether <see cref="Then"/> ran.</summary>
        public bool Happened => Volatile.Read(ref _ran) == 1;

        public void AddTo(ISectigoCertificateManagementBuilder builder) =>
            builder.Services.AddHttpClient(ScmServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new Handler(this));

        private void OnResponse(HttpRequestMessage request)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri is { } uri && uri.AbsolutePath.TrimEnd('/').EndsWith("/ssl/v1", StringComparison.Ordinal)
                && System.Text.RegularExpressions.Regex.IsMatch(uri.Query, $"[?&]position={position}(&|$)") && Then is { } then
                && Interlocked.Exchange(ref _claimed, 1) == 0)
            {
                then();
                Volatile.Write(ref _ran, 1);
            }
        }

        private sealed class Handler(AfterListPageHandler owner) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = await base.SendAsync(request, cancellationToken);
                owner.OnResponse(request);
                return response;
            }
        }
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
