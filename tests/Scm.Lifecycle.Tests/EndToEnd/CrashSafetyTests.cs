using Microsoft.Extensions.DependencyInjection;
using Scm.Lifecycle.Storage;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Crash points around the enroll POST. Each ends with exactly one billable order per token and the key stored,
/// checked by walking the store, not by trusting the engine.
/// </summary>
public sealed class CrashSafetyTests
{
    private static async Task<T> PumpAsync<T>(EngineHarness h, Func<Task<T>> action, TimeSpan? step = null)
    {
        var task = action();
        for (var i = 0; i < 2000 && !task.IsCompleted; i++)
        {
            await Task.Delay(5);
            h.Time.Advance(step ?? TimeSpan.FromSeconds(1));
        }

        return await task;
    }

    [Fact]
    public async Task KilledBeforeIntentStored_NothingSentNothingStored()
    {
        var store = new FaultyStore(new InMemoryScmStore()) { FailWhen = FaultyStore.Inserts };
        await using var h = await EngineHarness.StartAsync(builder: b => b.Services.AddSingleton<IScmStore>(store));
        await h.Lifecycle.SyncCatalogAsync();

        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => h.Lifecycle.OrderAsync(EngineHarness.Request()));
        Assert.True(ex.IsTransient);
        Assert.Equal(0, h.Simulator.Counters.EnrollPosts);
        Assert.Empty(await h.Lifecycle.ListOrdersAsync().ToListAsync());
    }

    [Fact]
    public async Task KeyWriteFails_AbortsBeforeAnyPost_RetriedLaterWithFreshKey()
    {
        // F02: the write of the new key fails; nothing goes to SCM; the order stays Planned and the next run completes it.
        var store = new FaultyStore(new InMemoryScmStore()) { FailWhen = b => FaultyStore.Moves(b, OrderState.KeyPersisted) };
        await using var h = await EngineHarness.StartAsync(builder: b => b.Services.AddSingleton<IScmStore>(store));
        await h.Lifecycle.SyncCatalogAsync();

        await Assert.ThrowsAsync<ScmStoreException>(() => h.Lifecycle.OrderAsync(EngineHarness.Request()));
        Assert.Equal(0, h.Simulator.Counters.EnrollPosts);
        var planned = Assert.Single(await h.Lifecycle.ListOrdersAsync().ToListAsync());
        Assert.Equal(OrderState.Planned, planned.State);
        Assert.Null(planned.ProtectedPrivateKey);

        store.FailWhen = null;
        await h.Lifecycle.CheckPendingOrdersAsync();
        var submitted = await h.Lifecycle.GetOrderAsync(planned.Id);
        Assert.Equal(OrderState.Submitted, submitted!.State);
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(planned.CorrelationToken));
        await StoreVerifier.VerifyAsync(h.Store, h.Simulator, h.Services.GetRequiredService<IPrivateKeyProtector>());
    }

    [Fact]
    public async Task KilledAfterPostCommittedBeforeSslIdStored_RestartReconcilesAndAdoptsWithoutSecondPost()
    {
        // F05/F08: SCM accepted the enroll; every attempt to store the sslId fails (the process dies before it lands).
        var inner = new InMemoryScmStore();
        var store = new FaultyStore(inner) { FailWhen = b => FaultyStore.Moves(b, OrderState.Submitted) };
        await using var h = await EngineHarness.StartAsync(builder: b => b.Services.AddSingleton<IScmStore>(store));
        await h.Lifecycle.SyncCatalogAsync();

        await Assert.ThrowsAsync<ScmStoreException>(() => PumpAsync(h, () => h.Lifecycle.OrderAsync(EngineHarness.Request())));
        var order = Assert.Single(await h.Lifecycle.ListOrdersAsync().ToListAsync());
        Assert.Equal(OrderState.Submitting, order.State);
        Assert.Null(order.SslId);
        Assert.Equal(1, h.Simulator.Counters.EnrollPosts);

        // Restart: a new host on the same store (the fault is gone).
        await h.StopHostAsync();
        store.FailWhen = null;
        await h.StartHostAsync(store: store);
        await h.Lifecycle.CheckPendingOrdersAsync();
        var adopted = await h.Lifecycle.GetOrderAsync(order.Id);
        Assert.NotNull(adopted!.SslId);
        Assert.Equal(1, h.Simulator.Counters.EnrollPosts);

        var done = await h.AdvanceAndCheckAsync(order.Id);
        Assert.Equal(OrderState.Completed, done.Order.State);
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(order.CorrelationToken));
        Assert.Contains(await h.Lifecycle.QueryAuditAsync(new AuditQuery()), a => a.Decision == "Reconciled");
        await StoreVerifier.VerifyAsync(h.Store, h.Simulator, h.Services.GetRequiredService<IPrivateKeyProtector>());
    }

    [Fact]
    public async Task CommitThenFail500_AmbiguousThenReconciledNoSecondPost()
    {
        // F16: the server creates the order, then answers 500.
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.ServerError).Once());
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        Assert.Equal(OrderState.Ambiguous, ordered.State);
        Assert.Null(ordered.SslId);

        var check = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(2));
        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.Equal(1, h.Simulator.Counters.EnrollPosts);
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
        await StoreVerifier.VerifyAsync(h.Store, h.Simulator, h.Services.GetRequiredService<IPrivateKeyProtector>());
    }

    [Fact]
    public async Task CommitThenDropConnection_AmbiguousThenReconciled()
    {
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.DropConnection).Once());
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        Assert.Equal(OrderState.Ambiguous, ordered.State);
        var check = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(2));
        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
    }

    [Fact]
    public async Task ClientTimeout_ServerCommitsLate_AmbiguousThenReconciled()
    {
        // F15: the POST outlives the client's timeout; the server commits it anyway.
        await using var h = await EngineHarness.StartAsync(engine: o => o.Client.PostTimeout = TimeSpan.FromSeconds(20));
        await h.Lifecycle.SyncCatalogAsync();
        h.Simulator.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.Stall, TimeSpan.FromSeconds(30)).Once());
        var ordered = await PumpAsync(h, () => h.Lifecycle.OrderAsync(EngineHarness.Request()), TimeSpan.FromSeconds(2));
        Assert.Equal(OrderState.Ambiguous, ordered.State);
        Assert.Contains("time", ordered.Order.LastError, StringComparison.OrdinalIgnoreCase);

        var check = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(2));
        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.Equal(1, h.Simulator.Counters.EnrollPosts);
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
        await StoreVerifier.VerifyAsync(h.Store, h.Simulator, h.Services.GetRequiredService<IPrivateKeyProtector>());
    }

    [Fact]
    public async Task Server500WithoutCommit_ResubmittedWithSameTokenAndKeyAfterWindow()
    {
        // F17: nothing was created; two empty searches (the last after the ambiguity window) then one re-submission.
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").ServerError().Once());
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        Assert.Equal(OrderState.Ambiguous, ordered.State);
        var keyBefore = ordered.Order.ProtectedPrivateKey;

        var first = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromSeconds(61));
        Assert.Equal(OrderState.Ambiguous, first.Order.State);
        Assert.Equal(1, h.Simulator.Counters.EnrollPosts);

        var second = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(3));
        Assert.NotEqual(OrderState.Ambiguous, second.Order.State);
        Assert.Equal(2, h.Simulator.Counters.EnrollPosts);
        Assert.Equal(2, h.Simulator.Counters.EnrollPostsFor(ordered.Order.CorrelationToken));
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
        Assert.Equal(keyBefore, (await h.Lifecycle.GetOrderAsync(ordered.OrderId))!.ProtectedPrivateKey);
        Assert.Contains(await h.Lifecycle.QueryAuditAsync(new AuditQuery()), a => a.Decision == "Resubmit");

        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        await StoreVerifier.VerifyAsync(h.Store, h.Simulator, h.Services.GetRequiredService<IPrivateKeyProtector>());
    }

    [Fact]
    public async Task RejectedByScm_FailsAtOnceWithScmCode()
    {
        // A 4xx with an SCM code means nothing was created: terminal, never retried.
        await using var h = await EngineHarness.StartAsync();
        await h.Lifecycle.SyncCatalogAsync();
        h.Simulator.SetDomainValidation("acme.example", ScmSimulatorDomainValidation.NotValidated);
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        Assert.Equal(OrderState.Failed, ordered.State);
        Assert.Equal(-737, ordered.Order.LastScmErrorCode);
        Assert.Equal(0, h.Simulator.Counters.BillableOrders);
        await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromHours(1));
        Assert.Equal(1, h.Simulator.Counters.EnrollPosts);
    }
}
