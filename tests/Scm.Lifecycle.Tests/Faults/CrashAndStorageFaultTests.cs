using System.Security.Cryptography.X509Certificates;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// docs/reliability.md, crash and storage faults (F01-F06, F08, F11, F12): a process killed at a named point, or one
/// specific write failing, through a store wrapper. Every scenario ends with the counters and the store walk.
/// The plain single-run versions of F02, F05/F08, F15-F17 live in <c>EndToEnd/CrashSafetyTests</c>; these add seeds,
/// crash variants, a restart as a new process and the hostile preset's read noise during recovery.
/// </summary>
public sealed class CrashAndStorageFaultTests
{
    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Order_KilledAfterKeyGeneratedBeforeStored_NothingSentRestartUsesFreshKeyOnce(int seed)
    {
        // F01: the key exists only in memory when the process dies; nothing may have been sent.
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var algorithm = FaultSeeds.Pick(seed, KeyAlgorithm.EC, KeyAlgorithm.EC, KeyAlgorithm.Rsa);
        run.Crash.Rule = b => CrashingStore.Moves(b, OrderState.KeyPersisted) ? CommitFault.DieBefore : CommitFault.None;
        var requestsBefore = run.Sim.Counters.Requests;

        await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request(algorithm: algorithm)));
        Assert.Equal(requestsBefore, run.Sim.Counters.Requests);
        var intent = Assert.Single(await run.OrdersAsync());
        Assert.Equal(OrderState.Planned, intent.State);
        Assert.Null(intent.ProtectedPrivateKey);
        Assert.Null(intent.CsrPem);

        await run.RestartAsync();
        run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckPendingOrdersAsync()));

        // Usually the first check after the restart resumes the order. The pump moves the fake clock while the key is
        // generated, so on a loaded machine (an RSA key, seed 3, beside a benchmark) the pass can run out of lease and
        // leave the order to the next follow-up: settle before counting, the claim is "one fresh key, one order".
        await run.SettleAsync();
        var resumed = (await run.Store.GetOrderAsync(intent.Id))!;
        Assert.NotNull(resumed.ProtectedPrivateKey);
        Assert.Equal(OrderState.Completed, resumed.State);
        Assert.Equal(1, run.Sim.Counters.EnrollPostsFor(intent.CorrelationToken));
        Assert.Single(await run.AuditAsync(), a => a.OrderId == intent.Id && a.Decision == "KeyGenerated");
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Order_KeyWriteFails_TypedErrorZeroPostsThenSchedulerRetriesWithBackoff(int seed)
    {
        // F02: the key write fails (disk full / read-only); nothing goes out; the record stays Planned and the
        // scheduler's follow-up retries it with a backoff, sending exactly one order once the store works again.
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var failures = 1 + (seed % 3);
        var failed = 0;
        run.Crash.Rule = b =>
        {
            if (CrashingStore.Moves(b, OrderState.KeyPersisted) && failed < failures)
            {
                failed++;
                return CommitFault.FailBefore;
            }

            return CommitFault.None;
        };

        var ex = await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request()));
        Assert.True(ex.IsTransient);
        Assert.Equal(StoreErrorKind.Unavailable, ex.Kind);
        var planned = Assert.Single(await run.OrdersAsync());
        Assert.Equal(OrderState.Planned, planned.State);
        Assert.Null(planned.ProtectedPrivateKey);
        Assert.Equal(0, run.Sim.Counters.EnrollPosts);

        // The scheduler's follow-up: a failed step backs off (1 min doubling); ticks inside the backoff skip the order.
        for (var attempt = 1; attempt < failures; attempt++)
        {
            var scan = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckPendingOrdersAsync(dueOnly: true)));
            Assert.StartsWith("Failed, retried later", Assert.Single(scan.Results).Message, StringComparison.Ordinal);
            var tick = run.Observe(await run.Lifecycle.CheckPendingOrdersAsync(dueOnly: true));
            var skipped = Assert.Single(tick.Results);
            Assert.True(skipped.Skipped);
            Assert.Contains("Backing off", skipped.Message, StringComparison.Ordinal);
            Assert.Equal(0, run.Sim.Counters.EnrollPosts);
            run.Advance(TimeSpan.FromMinutes(1) * Math.Pow(2, attempt - 1) + TimeSpan.FromSeconds(1));
        }

        run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckPendingOrdersAsync(dueOnly: true)));
        var submitted = (await run.Store.GetOrderAsync(planned.Id))!;
        Assert.NotNull(submitted.SslId);
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        Assert.Equal(failures, run.Crash.FailedCommits);

        await run.SettleAsync();
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Order_KilledAfterSubmittingStoredBeforePost_RestartSearchesThenResubmitsSameTokenKeyAndCsr(int seed)
    {
        // F03: "Submitting" is stored, the process dies before the POST leaves. The restart must not trust that:
        // it searches SCM (twice, the last after the ambiguity window), then re-submits with the same token, key and CSR.
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        run.Crash.Rule = b => CrashingStore.Moves(b, OrderState.Submitting) ? CommitFault.DieAfter : CommitFault.None;

        await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request()));
        Assert.Equal(0, run.Sim.Counters.EnrollPosts);
        var crashed = Assert.Single(await run.OrdersAsync());
        Assert.Equal(OrderState.Submitting, crashed.State);
        Assert.NotNull(crashed.ProtectedPrivateKey);

        await run.RestartAsync();
        for (var i = 0; i < 30 && (await run.Store.GetOrderAsync(crashed.Id))!.SslId is null; i++)
        {
            var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(crashed.Id)));
            if (check.Order.State == OrderState.Ambiguous)
            {
                Assert.Equal(0, run.Sim.Counters.EnrollPosts);
            }

            run.Advance(TimeSpan.FromMinutes(1));
        }

        var resubmitted = (await run.Store.GetOrderAsync(crashed.Id))!;
        Assert.NotNull(resubmitted.SslId);
        Assert.Equal(crashed.ProtectedPrivateKey, resubmitted.ProtectedPrivateKey);
        Assert.Equal(crashed.CsrPem, resubmitted.CsrPem);
        Assert.Equal(crashed.CorrelationToken, resubmitted.CorrelationToken);
        Assert.Equal(1, run.Sim.Counters.EnrollPostsFor(crashed.CorrelationToken));
        var audit = await run.AuditAsync();
        Assert.Single(audit, a => a.OrderId == crashed.Id && a.Decision == "Resubmit");

        await run.SettleAsync();
        Assert.Equal(1, run.Sim.Counters.BillableOrdersFor(crashed.CorrelationToken));
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Order_KilledAfterScmCommittedBeforeResponseRead_RestartAdoptsByTokenNoSecondPost(int seed)
    {
        // F04: SCM created the order; the process dies before it has read (or recorded) the answer.
        var variant = FaultSeeds.Pick(seed, ScmCommitFailure.DropConnection, ScmCommitFailure.Stall, ScmCommitFailure.ServerError);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, engine: o => o.Client.PostTimeout = TimeSpan.FromSeconds(20));
        run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(variant, TimeSpan.FromSeconds(30)).Once());
        if (variant == ScmCommitFailure.Stall)
        {
            // Killed while the POST is still waiting for its answer.
            var ordering = run.Lifecycle.OrderAsync(FaultRun.Request());
            for (var i = 0; i < 1000 && run.Sim.Counters.EnrollPosts == 0; i++)
            {
                await Task.Delay(5);
            }

            run.Crash.Kill();
            await run.ThrowsAsync<ScmStoreException>(() => ordering, TimeSpan.FromSeconds(2));
        }
        else
        {
            // Killed right after the failed answer, before its outcome is recorded.
            run.Crash.Rule = b => CrashingStore.Moves(b, OrderState.Ambiguous) ? CommitFault.DieBefore : CommitFault.None;
            await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request()));
        }

        var crashed = Assert.Single(await run.OrdersAsync());
        Assert.Equal(OrderState.Submitting, crashed.State);
        Assert.Null(crashed.SslId);
        Assert.Equal(1, run.Sim.Counters.BillableOrdersFor(crashed.CorrelationToken));

        await run.RestartAsync();
        await AdoptAfterRestartAsync(run, crashed);
        await run.SettleAsync();
        Assert.Equal(1, run.Sim.Counters.EnrollPostsFor(crashed.CorrelationToken));
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Order_ResponseReadKilledBeforeSslIdStored_RestartAdoptsByTokenNoSecondPost(int seed)
    {
        // F05: the answer with the sslId was read; the process dies before the sslId is stored.
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        run.Crash.Rule = b => CrashingStore.Moves(b, OrderState.Submitted) ? CommitFault.DieBefore : CommitFault.None;
        await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request()));
        var crashed = Assert.Single(await run.OrdersAsync());
        Assert.Equal(OrderState.Submitting, crashed.State);
        Assert.Null(crashed.SslId);
        var inScm = Assert.Single(run.Sim.GetOrders());
        Assert.Contains(crashed.CorrelationToken, inScm.CorrelationTokens);

        await run.RestartAsync();
        var adopted = await AdoptAfterRestartAsync(run, crashed);
        Assert.Equal(inScm.SslId, adopted.SslId);
        await run.SettleAsync();
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Order_KilledWhilePollingOrCollecting_RestartResumesWithGetsOnly(int seed)
    {
        // F06: the sslId is stored; the process dies while polling (not issued yet), while collecting (before the
        // install commit), or right after the install commit.
        var point = FaultSeeds.Pick(seed, "polling", "collecting", "installed");
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        Assert.Equal(OrderState.Submitted, ordered.State);
        run.Crash.Rule = _ => point == "installed" ? CommitFault.DieAfter : CommitFault.DieBefore;
        if (point == "polling")
        {
            run.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/collect/**").NotReady(ScmNotReadyStyle.BeingProcessed).Always());
        }

        run.Advance(TimeSpan.FromSeconds(10));
        var died = await Assert.ThrowsAnyAsync<ScmStoreException>(async () =>
        {
            var check = await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId));

            // CheckStatus reports a failed step instead of throwing; a dead store fails the step.
            throw run.Crash.IsDead ? new ScmStoreException(StoreErrorKind.Unavailable, check.Message ?? "dead") : new InvalidOperationException("The step did not reach the store.");
        });
        run.Observe(died);
        Assert.True(run.Crash.IsDead);
        var collectsBefore = CountRequests(run, "GET", "/collect/");

        run.Sim.Faults.Clear();
        await run.RestartAsync();
        run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckPendingOrdersAsync()));
        await run.SettleAsync();
        var done = (await run.Store.GetOrderAsync(ordered.OrderId))!;
        Assert.Equal(OrderState.Completed, done.State);
        Assert.Single(await run.Store.FindCertificatesBySslIdAsync(done.SslId!.Value));
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        if (point != "installed")
        {
            Assert.True(CountRequests(run, "GET", "/collect/") > collectsBefore, "The restarted engine collected again.");
        }

        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Order_StoreUnavailableRightAfterSslId_KeepsItInMemoryRetriesWriteNeverPostsTwice(int seed)
    {
        // F08: the store fails right after SCM returned the sslId: the engine retries the write with backoff (the
        // sslId lives in memory meanwhile); if the store stays down past the retries, the process "dies" and F05 recovers it.
        var failures = FaultSeeds.Pick(seed, 1, 3, 5, 2, int.MaxValue);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var failed = 0;
        run.Crash.Rule = b =>
        {
            if (CrashingStore.Moves(b, OrderState.Submitted) && failed < failures)
            {
                failed++;
                return CommitFault.FailBefore;
            }

            return CommitFault.None;
        };

        var logsBefore = run.H.Logs.Count;
        if (failures < 6)
        {
            var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request()), TimeSpan.FromMilliseconds(100)));
            Assert.Equal(OrderState.Submitted, ordered.State);
            Assert.NotNull(ordered.SslId);
            Assert.Equal(failures, run.H.Logs.Skip(logsBefore).Count(l => l.Contains("Storing the outcome of order", StringComparison.Ordinal)));
        }
        else
        {
            await run.ThrowsAsync<ScmStoreException>(() => run.Lifecycle.OrderAsync(FaultRun.Request()), TimeSpan.FromMilliseconds(100));
            var lost = Assert.Single(await run.OrdersAsync());
            Assert.Equal(OrderState.Submitting, lost.State);
            run.Crash.Kill();
            await run.RestartAsync();
            await AdoptAfterRestartAsync(run, lost);
        }

        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        await run.SettleAsync();
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Commit_StaleWriteRacesAnotherWriter_CasRejectsLoserWhichRereadsAndRedecides(int seed)
    {
        // F11: another writer changes the record between the engine's read and its write. The compare-and-swap
        // rejects the stale write; the loser re-reads and decides again, and nothing is sent twice.
        var target = FaultSeeds.Pick(seed, OrderState.Submitting, OrderState.Submitted, OrderState.Completed, (OrderState)(-1));
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);

        // The store itself: two writers from one version, exactly one wins.
        var first = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("cas"))));
        var stale = (await run.Store.GetOrderAsync(first.OrderId))!;
        await run.Store.CommitAsync(new StoreBatch().UpdateOrder(stale with { LastError = "writer one" }));
        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() => run.Store.CommitAsync(new StoreBatch().UpdateOrder(stale with { LastError = "writer two" })));
        Assert.Equal(StoreConflictReason.VersionMismatch, conflict.Reason);
        Assert.Equal("writer one", (await run.Store.GetOrderAsync(first.OrderId))!.LastError);

        if (target == (OrderState)(-1))
        {
            // A certificate-level race: an operator opts out while another writer re-tags the same record.
            await run.SettleAsync();
            var certificate = (await run.Store.GetCertificateAsync(first.CertificateId))!;
            var races = 1 + (seed % 4);
            run.Crash.BeforeCommit = async b =>
            {
                if (races > 0 && b.Operations.OfType<UpdateCertificateOperation>().Any(u => u.Certificate.Id == certificate.Id && u.Certificate.AutoRenew == AutoRenewMode.Disabled))
                {
                    races--;
                    var current = (await run.Store.GetCertificateAsync(certificate.Id))!;
                    await run.Store.CommitAsync(new StoreBatch().UpdateCertificate(current with { Tags = [.. current.Tags, "raced-" + races] }));
                }
            };
            var updated = run.Observe(await run.Lifecycle.SetCertificateAutoRenewAsync(certificate.Id, AutoRenewMode.Disabled));
            Assert.Equal(AutoRenewMode.Disabled, updated.AutoRenew);
            Assert.Equal(1 + (seed % 4), updated.Tags.Count(t => t.StartsWith("raced-", StringComparison.Ordinal)));
            await run.VerifyAsync();
            return;
        }

        var raced = 0;
        run.Crash.BeforeCommit = async b =>
        {
            var update = b.Operations.OfType<UpdateOrderOperation>().FirstOrDefault(u => u.Order.State == target && u.Order.Request.CommonName.StartsWith("race.", StringComparison.Ordinal));
            if (update is not null && raced == 0)
            {
                raced++;
                var current = (await run.Store.GetOrderAsync(update.Order.Id))!;
                await run.Store.CommitAsync(new StoreBatch().UpdateOrder(current with { LastError = "changed by another writer" }));
            }
        };

        Guid orderId;
        if (target == OrderState.Completed)
        {
            // The stale write is the install: nothing of it lands, and the next check installs from a fresh read.
            var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("race"))));
            orderId = ordered.OrderId;
            for (var i = 0; i < 10 && raced == 0; i++)
            {
                run.Advance(TimeSpan.FromSeconds(10));
                var lost = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(orderId)));
                if (raced == 1)
                {
                    Assert.StartsWith("Failed, retried later", lost.Message, StringComparison.Ordinal);
                }
            }

            Assert.Empty(await run.Store.FindCertificatesBySslIdAsync(ordered.SslId!.Value));
        }
        else
        {
            // The stale write is "Submitting" (before the POST: nothing is sent) or the sslId (after it: found again by token).
            var ex = await run.ThrowsAsync<StoreConflictException>(() => run.Lifecycle.OrderAsync(FaultRun.Request("race")));
            Assert.Equal(StoreConflictReason.VersionMismatch, ex.Reason);
            var order = (await run.OrdersAsync()).Single(o => o.Request.CommonName.StartsWith("race.", StringComparison.Ordinal));
            Assert.Equal(target == OrderState.Submitting ? OrderState.KeyPersisted : OrderState.Submitting, order.State);
            Assert.Equal(target == OrderState.Submitting ? 0 : 1, run.Sim.Counters.EnrollPostsFor(order.CorrelationToken));
            orderId = order.Id;
        }

        Assert.Equal(1, raced);
        run.Crash.BeforeCommit = null;
        await run.SettleAsync();
        var done = (await run.Store.GetOrderAsync(orderId))!;
        Assert.Equal(OrderState.Completed, done.State);
        Assert.Single(await run.Store.FindCertificatesBySslIdAsync(done.SslId!.Value));
        Assert.Equal(1, run.Sim.Counters.EnrollPostsFor(done.CorrelationToken));
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Renew_NewKeyStoredThenCertificateWriteFails_CurrentCertificateAndKeyUntouched(int seed)
    {
        // F12: the renewal's key lives under the renewal order, never over the current key; a failing (or crashed)
        // install of the new certificate leaves the current certificate, key and keystore exactly as they were.
        var variant = FaultSeeds.Pick(seed, CommitFault.FailBefore, CommitFault.DieBefore, CommitFault.FailBefore, CommitFault.DieBefore, CommitFault.FailBefore);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        await run.SettleAsync();
        run.StartNoise();
        var current = (await run.Store.GetCertificateAsync(ordered.CertificateId))!;
        var keystoreBefore = run.Observe(await run.Lifecycle.GetKeystoreAsync(current.Id));
        var deployed = Directory.GetFiles(run.H.DeployDirectory, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        Assert.NotEmpty(deployed);

        run.Crash.Rule = b => b.Operations.Any(o => o is InsertCertificateOperation i && i.Certificate.RenewedFromId == current.Id) ? variant : CommitFault.None;
        var renewal = run.Observe(await run.PumpAsync(() => run.Lifecycle.RenewAsync(current.Id)));
        Assert.Equal(LifecycleOutcome.Submitted, renewal.Outcome);
        var renewalOrder = (await run.Store.GetOrderAsync(renewal.Order!.Id))!;
        Assert.NotNull(renewalOrder.ProtectedPrivateKey);
        Assert.NotEqual(current.ProtectedPrivateKey, renewalOrder.ProtectedPrivateKey);

        for (var attempt = 0; attempt < 20 && (run.Crash.FailedCommits < 2 && !run.Crash.IsDead); attempt++)
        {
            run.Advance(TimeSpan.FromMinutes(2));
            run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(renewalOrder.Id)));
        }

        Assert.True(run.Crash.FailedCommits > 0, "The install of the renewed certificate was attempted and failed.");
        if (run.Crash.IsDead)
        {
            await run.RestartAsync();
        }

        var untouched = (await run.Store.GetCertificateAsync(current.Id))!;
        Assert.Equal(CertificateStatus.Active, untouched.Status);
        Assert.Equal(current.ProtectedPrivateKey, untouched.ProtectedPrivateKey);
        Assert.Equal(current.ProtectedKeystore, untouched.ProtectedKeystore);
        Assert.Equal(current.CertificatePem, untouched.CertificatePem);
        Assert.True(KeyMatches(run.Observe(await run.Lifecycle.GetKeystoreAsync(current.Id)), current), "The current keystore still pairs the current certificate with its own key.");
        Assert.Equal(keystoreBefore.Content.ToArray(), (await run.Lifecycle.GetKeystoreAsync(current.Id)).Content.ToArray());
        foreach (var (file, bytes) in deployed)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
        }

        Assert.Equal(renewalOrder.ProtectedPrivateKey, (await run.Store.GetOrderAsync(renewalOrder.Id))!.ProtectedPrivateKey);

        run.Crash.Rule = null;
        await run.SettleAsync();
        var renewed = (await run.Store.GetOrderAsync(renewalOrder.Id))!;
        Assert.Equal(OrderState.Completed, renewed.State);
        var superseded = (await run.Store.GetCertificateAsync(current.Id))!;
        Assert.Equal(CertificateStatus.Superseded, superseded.Status);
        var successor = (await run.Store.GetCertificateAsync(superseded.RenewedById!.Value))!;
        Assert.Equal(renewalOrder.ProtectedPrivateKey, successor.ProtectedPrivateKey);
        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(current.SslId!.Value));
        await run.VerifyAsync();
    }

    /// <summary>After a restart: the Submitting order becomes Ambiguous and is adopted by its token, without a POST.</summary>
    private static async Task<CertificateOrder> AdoptAfterRestartAsync(FaultRun run, CertificateOrder crashed)
    {
        var posts = run.Sim.Counters.EnrollPosts;
        for (var i = 0; i < 30 && (await run.Store.GetOrderAsync(crashed.Id))!.SslId is null; i++)
        {
            run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(crashed.Id)));
            Assert.Equal(posts, run.Sim.Counters.EnrollPosts);
            run.Advance(TimeSpan.FromSeconds(30));
        }

        var adopted = (await run.Store.GetOrderAsync(crashed.Id))!;
        Assert.NotNull(adopted.SslId);
        Assert.Contains(await run.AuditAsync(), a => a.OrderId == crashed.Id && a.Decision == "Reconciled");
        return adopted;
    }

    private static int CountRequests(FaultRun run, string method, string pathPart) =>
        run.Sim.GetRequestLog().Count(r => r.Method == method && r.Path.Contains(pathPart, StringComparison.Ordinal));

    private static bool KeyMatches(CertificateKeystore keystore, ManagedCertificate certificate)
    {
        using var fromKeystore = X509CertificateLoader.LoadPkcs12(keystore.Content.ToArray(), keystore.Password);
        using var expected = X509Certificate2.CreateFromPem(certificate.CertificatePem);
        return fromKeystore.HasPrivateKey
            && fromKeystore.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expected.PublicKey.ExportSubjectPublicKeyInfo());
    }
}
