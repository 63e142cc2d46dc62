using Scm.Lifecycle.Scheduling;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// docs/reliability.md, HTTP and network faults (F14-F18, F20-F23, F26), injected by the simulator's fault rules with
/// the hostile preset's read noise on top. A POST with an unclear outcome is never re-sent before two reconcile
/// searches found nothing; every scenario ends with the counters and the store walk.
/// </summary>
public sealed class HttpFaultTests
{
    private static readonly TimeSpan ReconcileRetry = new ReconcileOptions().RetryDelay;

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Get_ResetOrRefused_RetriedWithBackoffBoundedByDeadline_NothingLost(int seed)
    {
        // F14: a reset (dropped connection) on a GET is retried with a jittered exponential backoff, at most three
        // times and within the request's deadline; a refused connection is "never sent" (an enroll stays unsent and is
        // retried later; it is never treated as ambiguous). DNS is not exercised: the suite stays on 127.0.0.1.
        var variant = FaultSeeds.Pick(seed, "reset-once", "reset-thrice", "reset-always", "refused", "reset-twice");
        await using var run = await FaultRun.StartAsync(seed, Noise.None);
        var client = new Scm.Client.ScmClientOptions();

        if (variant == "refused")
        {
            var port = LoopbackHttpServer.ClosedPort();
            await run.RestartAsync(o => o.Client.BaseAddress = new Uri($"http://127.0.0.1:{port}/api"));
            var unsent = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
            Assert.Equal(OrderState.KeyPersisted, unsent.State);
            Assert.True(unsent.Order.NextAttemptAt > run.Time.GetUtcNow(), "An enroll that could not connect is retried later, with a backoff.");
            Assert.Equal(0, run.Sim.Counters.EnrollPosts);
            Assert.DoesNotContain(await run.AuditAsync(), a => a.Decision == "Ambiguous");

            await run.RestartAsync();
            await run.SettleAsync();
            Assert.Equal(1, run.Sim.Counters.EnrollPostsFor(unsent.Order.CorrelationToken));
            await run.VerifyAsync();
            return;
        }

        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        var resets = variant switch { "reset-once" => 1, "reset-twice" => 2, "reset-thrice" => 3, _ => int.MaxValue };
        var detailsPath = $"/ssl/v1/{ordered.SslId}";
        run.Sim.Faults.Add(resets == int.MaxValue
            ? ScmFault.On("GET", detailsPath).DropConnection().Always()
            : ScmFault.On("GET", detailsPath).DropConnection().Times(resets));
        run.Advance(TimeSpan.FromSeconds(10));
        var started = run.Time.GetUtcNow();
        var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId), TimeSpan.FromMilliseconds(500)));
        var elapsed = run.Time.GetUtcNow() - started;
        var attempts = (await run.RequestLogAsync()).Where(r => r.Method == "GET" && r.Path.EndsWith(detailsPath, StringComparison.Ordinal)).ToArray();

        Assert.True(elapsed <= client.TotalRequestTimeout + TimeSpan.FromSeconds(5), $"Bounded by the deadline: took {elapsed}.");
        for (var i = 1; i < attempts.Length; i++)
        {
            Assert.True(attempts[i].Time > attempts[i - 1].Time, "Each retry waited on the clock (backoff), none was immediate.");
        }

        if (resets <= 3)
        {
            Assert.Equal(resets + 1, attempts.Length);
            Assert.Equal(OrderState.Completed, check.Order.State);
        }
        else
        {
            Assert.Equal(4, attempts.Length);
            Assert.Equal(OrderState.Submitted, check.Order.State);
            Assert.NotNull(check.Order.LastError);
            Assert.True(check.Order.NextAttemptAt > run.Time.GetUtcNow());
        }

        await run.SettleAsync();
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Enroll_ClientTimesOutServerSlow_AmbiguousReconciledAfterWindowOneOrder(int seed)
    {
        // F15 (plain version: CrashSafetyTests.ClientTimeout_ServerCommitsLate): the POST outlives the client's
        // timeout. Committed later -> adopted; never processed -> re-submitted with the same token after two searches.
        var committed = seed % 2 == 1;
        var timeout = TimeSpan.FromSeconds(FaultSeeds.Pick(seed, 10, 20, 30, 15, 25));
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, engine: o => o.Client.PostTimeout = timeout);
        var fault = committed
            ? ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.Stall, TimeSpan.FromSeconds(100)).Once()
            : ScmFault.On("POST", "/ssl/*/enroll").Stall(TimeSpan.FromSeconds(100)).Once();
        var order = await UnclearEnrollAsync(run, fault, committed, timeout);
        Assert.Contains("time", order.LastError, StringComparison.OrdinalIgnoreCase);
        await FinishUnclearAsync(run, order, committed);
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Enroll_ServerCommitsThen500OrDrop_AmbiguousAdoptedNoSecondPost(int seed)
    {
        // F16 (plain versions: CrashSafetyTests.CommitThenFail500/CommitThenDropConnection): a 5xx or a dropped
        // connection after the commit is as unclear as a timeout.
        var failure = FaultSeeds.Pick(seed, ScmCommitFailure.ServerError, ScmCommitFailure.DropConnection);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var order = await UnclearEnrollAsync(run, ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(failure).Once(), committed: true, new Scm.Client.ScmClientOptions().PostTimeout);
        await FinishUnclearAsync(run, order, committed: true);
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Enroll_Server5xxWithoutCommit_ResubmittedOnceWithSameTokenAfterTwoSearches(int seed)
    {
        // F17 (plain version: CrashSafetyTests.Server500WithoutCommit): nothing was created; after two empty searches
        // (the last after the ambiguity window) one re-submission with the same key and token.
        var status = FaultSeeds.Pick(seed, 500, 502, 503, 504);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var order = await UnclearEnrollAsync(run, ScmFault.On("POST", "/ssl/*/enroll").ServerError(status).Once(), committed: false, new Scm.Client.ScmClientOptions().PostTimeout);
        await FinishUnclearAsync(run, order, committed: false);
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Enroll_429InEveryRetryAfterStyle_NotBeforePersistedReconciledBeforeResubmission(int seed)
    {
        // F18 (POST): a 429 on an enroll is still reconciled before anything is re-sent; a valid Retry-After (seconds,
        // HTTP date) is honoured, a huge one clamped to the configured maximum (1 h), an absent or garbage one falls
        // back to the reconcile delay. The "not before" is stored on the order and the scheduler honours it.
        var (style, retryAfter) = FaultSeeds.Pick(seed,
            (ScmRetryAfterStyle.Seconds, TimeSpan.FromSeconds(5)),
            (ScmRetryAfterStyle.HttpDate, TimeSpan.FromSeconds(90)),
            (ScmRetryAfterStyle.Absent, TimeSpan.FromSeconds(1)),
            (ScmRetryAfterStyle.Seconds, TimeSpan.FromSeconds(3600 * 3)),
            (ScmRetryAfterStyle.Garbage, TimeSpan.FromSeconds(1)));
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").TooManyRequests(style, retryAfter).Once());

        // Not pumped: a 429 on a POST is never waited out inline, so the clock must not move while it is answered.
        var ordered = run.Observe(await run.Lifecycle.OrderAsync(FaultRun.Request()));
        Assert.Equal(OrderState.Ambiguous, ordered.State);
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        var expected = style switch
        {
            ScmRetryAfterStyle.Seconds or ScmRetryAfterStyle.HttpDate => retryAfter > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : retryAfter > ReconcileRetry ? retryAfter : ReconcileRetry,
            _ => ReconcileRetry,
        };
        var notBefore = ordered.Order.NextAttemptAt!.Value;
        AssertClose(expected, notBefore - run.Time.GetUtcNow(), TimeSpan.FromSeconds(2));

        // The scheduler leaves it alone until then: not one request.
        run.Advance(notBefore - run.Time.GetUtcNow() - TimeSpan.FromSeconds(3));
        var requests = run.Sim.Counters.Requests;
        run.Observe(await run.H.Jobs.RunAsync(LifecycleJob.FollowUp));
        Assert.Equal(requests, run.Sim.Counters.Requests);

        run.Advance(TimeSpan.FromSeconds(4));
        await FollowUpUntilSubmittedAsync(run, ordered.OrderId);
        Assert.Equal(2, run.Sim.Counters.EnrollPostsFor(ordered.Order.CorrelationToken));
        await AssertSearchedTwiceBetweenPostsAsync(run);
        await run.SettleAsync();
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Poll_429InEveryRetryAfterStyle_HonouredClampedOrBackoff_NotBeforeStored(int seed)
    {
        // F18 (GET): retried no sooner than a valid Retry-After and at most three times; a Retry-After longer than the
        // request budget is not waited for inline but stored (clamped to 1 h) as the order's "not before"; without a
        // usable value the poll backs off. The follow-up scheduler sends nothing before the stored time.
        var (style, retryAfter) = FaultSeeds.Pick(seed,
            (ScmRetryAfterStyle.Seconds, TimeSpan.FromSeconds(5)),
            (ScmRetryAfterStyle.HttpDate, TimeSpan.FromSeconds(10)),
            (ScmRetryAfterStyle.Absent, TimeSpan.FromSeconds(1)),
            (ScmRetryAfterStyle.Seconds, TimeSpan.FromSeconds(3600 * 3)),
            (ScmRetryAfterStyle.Garbage, TimeSpan.FromSeconds(1)));
        await using var run = await FaultRun.StartAsync(seed, Noise.None);
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        var detailsPath = $"/ssl/v1/{ordered.SslId}";
        run.Sim.Faults.Add(ScmFault.On("GET", detailsPath).TooManyRequests(style, retryAfter).Always());
        run.Advance(TimeSpan.FromSeconds(10));

        var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId), TimeSpan.FromMilliseconds(500)));
        var attempts = (await run.RequestLogAsync()).Where(r => r.Method == "GET" && r.Path.EndsWith(detailsPath, StringComparison.Ordinal)).ToArray();
        var huge = retryAfter > TimeSpan.FromHours(1);
        Assert.Equal(huge ? 1 : 4, attempts.Length);
        if (style is ScmRetryAfterStyle.Seconds or ScmRetryAfterStyle.HttpDate && !huge)
        {
            for (var i = 1; i < attempts.Length; i++)
            {
                Assert.True(attempts[i].Time - attempts[i - 1].Time >= retryAfter - TimeSpan.FromSeconds(1), "No retry before the Retry-After.");
            }
        }

        Assert.Equal(OrderState.Submitted, check.Order.State);
        var notBefore = check.Order.NextAttemptAt!.Value;
        var expected = huge ? TimeSpan.FromHours(1) : style is ScmRetryAfterStyle.Seconds or ScmRetryAfterStyle.HttpDate ? retryAfter : new PollingOptions().RetryDelay;
        AssertClose(expected, notBefore - run.Time.GetUtcNow(), TimeSpan.FromSeconds(2));

        run.Advance(notBefore - run.Time.GetUtcNow() - TimeSpan.FromSeconds(2));
        var requests = run.Sim.Counters.Requests;
        run.Observe(await run.H.Jobs.RunAsync(LifecycleJob.FollowUp));
        Assert.Equal(requests, run.Sim.Counters.Requests);

        await run.SettleAsync();
        Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(ordered.OrderId))!.State);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Request_HeadersNeverArrive_AttemptTimeoutFiresGetRetriedPostAmbiguous(int seed)
    {
        // F20: the answer never starts (a stall). A GET times out per attempt and is retried (once stalled: the retry
        // succeeds; always stalled: the request's deadline ends it and the poll is deferred); a POST becomes Ambiguous.
        // A body that trickles byte by byte is not covered: the simulator has no such fault kind.
        var variant = FaultSeeds.Pick(seed, "get-once", "get-always", "post");
        await using var run = await FaultRun.StartAsync(seed, Noise.None, engine: o => o.Client.PostTimeout = TimeSpan.FromSeconds(20));
        var client = new Scm.Client.ScmClientOptions();
        if (variant == "post")
        {
            var order = await UnclearEnrollAsync(run, ScmFault.On("POST", "/ssl/*/enroll").Stall(TimeSpan.FromSeconds(100)).Once(), committed: false, TimeSpan.FromSeconds(20));
            await FinishUnclearAsync(run, order, committed: false);
            return;
        }

        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        var detailsPath = $"/ssl/v1/{ordered.SslId}";
        var stall = ScmFault.On("GET", detailsPath).Stall(TimeSpan.FromSeconds(100));
        run.Sim.Faults.Add(variant == "get-once" ? stall.Once() : stall.Always());
        run.Advance(TimeSpan.FromSeconds(10));
        var started = run.Time.GetUtcNow();
        var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId)));
        var elapsed = run.Time.GetUtcNow() - started;
        var attempts = (await run.RequestLogAsync()).Where(r => r.Method == "GET" && r.Path.EndsWith(detailsPath, StringComparison.Ordinal)).ToArray();
        Assert.True(elapsed >= client.AttemptTimeout, $"The attempt timeout fired ({elapsed}).");
        if (variant == "get-once")
        {
            Assert.Equal(2, attempts.Length);
            Assert.Equal(0, attempts[0].StatusCode);
            Assert.NotEqual(OrderState.Ambiguous, check.Order.State);
            Assert.Null(check.Order.LastError);
        }
        else
        {
            Assert.InRange(attempts.Length, 2, 4);
            Assert.True(elapsed <= client.TotalRequestTimeout + TimeSpan.FromSeconds(5), $"Bounded by the request deadline ({elapsed}).");
            Assert.Equal(OrderState.Submitted, check.Order.State);
            Assert.Contains("time", check.Order.LastError, StringComparison.OrdinalIgnoreCase);
        }

        await run.SettleAsync();
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Response_HugeOrEndlessBody_AbortedAtSizeCapWithTypedErrorThenRecovers(int seed)
    {
        // F21: a 50 MB JSON body (Content-Length announced), a large body without a usable length on a list, or a
        // never-ending chunked collect: each aborted at its cap (1 MiB JSON, 256 KiB certificate) with a typed error;
        // the order is only deferred. That the endless body ends at all shows nothing reads past the cap.
        var variant = FaultSeeds.Pick(seed, "details-50mb", "collect-endless", "details-endless", "collect-2mb");
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads);
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        var rule = variant switch
        {
            "details-50mb" => ScmFault.On("GET", $"/ssl/v1/{ordered.SslId}").OversizedBody(),
            "details-endless" => ScmFault.On("GET", $"/ssl/v1/{ordered.SslId}").EndlessBody(),
            "collect-2mb" => ScmFault.On("GET", "/ssl/*/collect/**").OversizedBody(2 * 1024 * 1024),
            _ => ScmFault.On("GET", "/ssl/*/collect/**").EndlessBody(),
        };
        var added = run.Sim.Faults.Add(rule.Always());
        run.Advance(TimeSpan.FromSeconds(10));
        CertificateOrder? deferred = null;
        for (var i = 0; i < 10 && added.Hits == 0; i++)
        {
            deferred = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId))).Order;
            run.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.True(added.Hits > 0);
        Assert.NotNull(deferred);
        Assert.Equal(OrderState.Submitted, deferred.State);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(deferred.LastError ?? string.Empty, "(?i)exceed|limit|large|malformed"), deferred.LastError);
        Assert.Empty(await run.Store.FindCertificatesBySslIdAsync(ordered.SslId!.Value));

        await run.SettleAsync();
        Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(ordered.OrderId))!.State);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Response_MalformedJson_TypedProtocolErrorEnrollWithoutUsableSslIdAmbiguous(int seed)
    {
        // F22: truncated JSON, broken JSON, numbers as strings, or an empty 200 in answer to the enroll (the first three
        // after SCM created the order, the last without), or truncated/wrongly typed details on a poll.
        var variant = FaultSeeds.Pick(seed, ScmFaultKind.TruncatedJson, ScmFaultKind.MalformedJson, ScmFaultKind.WrongJsonTypes, ScmFaultKind.EmptyOk, ScmFaultKind.Latency);
        await using var run = await FaultRun.StartAsync(seed, variant == ScmFaultKind.Latency ? Noise.None : Noise.Reads);
        if (variant == ScmFaultKind.Latency)
        {
            // The poll: truncated details, numbers as strings, then a truncated or empty collect (the PEM bundle cut off
            // before the leaf): each only defers the order, none closes it.
            var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
            var truncated = run.Sim.Faults.Add(ScmFault.On("GET", $"/ssl/v1/{ordered.SslId}").TruncatedJson().Once());
            run.Advance(TimeSpan.FromSeconds(10));
            var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId)));
            Assert.Equal(1, truncated.Hits);
            Assert.Equal(OrderState.Submitted, check.Order.State);
            Assert.NotNull(check.Order.LastError);
            run.Sim.Faults.Add(ScmFault.On("GET", $"/ssl/v1/{ordered.SslId}").WrongJsonTypes().Once());
            run.Advance(TimeSpan.FromMinutes(1));
            run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId)));
            var collect = ScmFault.On("GET", "/ssl/*/collect/**");
            var cut = run.Sim.Faults.Add((seed % 2 == 0 ? collect.TruncatedJson() : collect.EmptyOk()).Once());
            for (var i = 0; i < 5 && cut.Hits == 0; i++)
            {
                run.Advance(TimeSpan.FromMinutes(2));
                check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId)));
            }

            Assert.Equal(1, cut.Hits);
            Assert.Equal(OrderState.Submitted, check.Order.State);
            await run.SettleAsync();
            Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(ordered.OrderId))!.State);
            await run.VerifyAsync();
            return;
        }

        var rule = variant switch
        {
            ScmFaultKind.TruncatedJson => ScmFault.On("POST", "/ssl/*/enroll").TruncatedJson(),
            ScmFaultKind.MalformedJson => ScmFault.On("POST", "/ssl/*/enroll").MalformedJson(),
            ScmFaultKind.WrongJsonTypes => ScmFault.On("POST", "/ssl/*/enroll").WrongJsonTypes(),
            _ => ScmFault.On("POST", "/ssl/*/enroll").EmptyOk(),
        };
        run.Sim.Faults.Add(rule.Once());
        var committed = variant != ScmFaultKind.EmptyOk;
        var result = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        if (result.State == OrderState.Ambiguous)
        {
            Assert.NotNull(result.Order.LastError);
            await FinishUnclearAsync(run, result.Order, committed);
            return;
        }

        // Only a tolerant reading of numbers-as-strings may yield the sslId directly; it must be the right one.
        Assert.Equal(ScmFaultKind.WrongJsonTypes, variant);
        Assert.Equal(Assert.Single(run.Sim.GetOrders()).SslId, result.SslId);
        await run.SettleAsync();
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Response_HtmlErrorPageFromProxy_TransientNeverLoggedInFull(int seed)
    {
        // F23: an HTML error page from a proxy: on a GET retried (transient) or deferred; on the enroll an unclear
        // outcome (reconciled, then re-sent once); the page itself appears in no log line, error or record.
        var variant = FaultSeeds.Pick(seed, "get-twice", "get-always", "post", "get-twice", "get-always");
        var status = FaultSeeds.Pick(seed, 502, 503, 504, 500, 502);
        await using var run = await FaultRun.StartAsync(seed, variant == "post" ? Noise.Reads : Noise.None);
        if (variant == "post")
        {
            var order = await UnclearEnrollAsync(run, ScmFault.On("POST", "/ssl/*/enroll").HtmlErrorPage(status).Once(), committed: false, new Scm.Client.ScmClientOptions().PostTimeout);
            await FinishUnclearAsync(run, order, committed: false);
        }
        else
        {
            var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
            var page = ScmFault.On("GET", $"/ssl/v1/{ordered.SslId}").HtmlErrorPage(status);
            run.Sim.Faults.Add(variant == "get-twice" ? page.Times(2) : page.Always());
            run.Advance(TimeSpan.FromSeconds(10));
            var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId)));
            if (variant == "get-twice")
            {
                Assert.NotEqual(OrderState.Failed, check.Order.State);
                Assert.Null(check.Order.LastError);
            }
            else
            {
                Assert.Equal(OrderState.Submitted, check.Order.State);
                Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), check.Order.LastError, StringComparison.Ordinal);
            }

            await run.SettleAsync();
            await run.VerifyAsync();
        }

        var everything = string.Join("\n", run.H.Logs) + string.Join("\n", (await run.OrdersAsync()).Select(o => o.LastError)) + string.Join("\n", (await run.AuditAsync()).Select(a => a.Reason));
        Assert.DoesNotContain("<html", everything, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("The proxy server received", everything, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Request_RedirectToAnotherHost_NotFollowedNoCredentialsLeakErrorReported(int seed)
    {
        // F26: SCM's address answers with a redirect to another host: never followed (the other host sees nothing,
        // least of all the password header); the enroll's outcome is unclear and it is never re-sent while SCM cannot
        // be searched; the account check names the redirect. Once the address is fixed the order completes once.
        var status = FaultSeeds.Pick(seed, 302, 301, 307, 308, 303);
        await using var run = await FaultRun.StartAsync(seed, Noise.None);
        await using var elsewhere = new LoopbackHttpServer(_ => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        await using var redirector = new LoopbackHttpServer(line =>
        {
            var path = line.Split(' ')[1];
            return $"HTTP/1.1 {status} Moved\r\nLocation: {elsewhere.Root}{path.TrimStart('/')}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        });

        var simulatorRequests = run.Sim.Counters.Requests;
        await run.RestartAsync(o => o.Client.BaseAddress = new Uri(redirector.Root, "/api"));
        var account = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckAccountAsync()));
        Assert.False(account.IsReady);
        Assert.Contains(account.Findings, f => f.Message.Contains("redirect", StringComparison.OrdinalIgnoreCase));

        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        Assert.Equal(OrderState.Ambiguous, ordered.State);
        Assert.Contains("redirect", ordered.Order.LastError, StringComparison.OrdinalIgnoreCase);
        for (var i = 0; i < 4; i++)
        {
            run.Advance(TimeSpan.FromMinutes(2));
            var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckStatusAsync(ordered.OrderId)));
            Assert.Equal(OrderState.Ambiguous, check.Order.State);
        }

        Assert.NotEmpty(redirector.Requests);
        Assert.Empty(elsewhere.Requests);
        Assert.Equal(simulatorRequests, run.Sim.Counters.Requests);
        Assert.DoesNotContain(await run.AuditAsync(), a => a.Decision == "Resubmit");

        await run.RestartAsync();
        await run.SettleAsync();
        Assert.Equal(1, run.Sim.Counters.EnrollPostsFor(ordered.Order.CorrelationToken));
        Assert.Empty(elsewhere.Requests);
        await run.VerifyAsync();
    }

    /// <summary>An enroll whose outcome is unclear: one POST, no automatic retry, Ambiguous, reconcile not before the attempt timeout.</summary>
    private static async Task<CertificateOrder> UnclearEnrollAsync(FaultRun run, ScmFaultRule fault, bool committed, TimeSpan postTimeout)
    {
        run.Sim.Faults.Add(fault);
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        Assert.Equal(OrderState.Ambiguous, ordered.State);
        Assert.Null(ordered.SslId);
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);
        Assert.Equal(committed ? 1 : 0, run.Sim.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
        var wait = ordered.Order.NextAttemptAt!.Value - run.Time.GetUtcNow();
        Assert.True(wait >= postTimeout - TimeSpan.FromSeconds(1) && wait >= ReconcileRetry - TimeSpan.FromSeconds(1), $"Reconciled only after the attempt timeout ({wait}).");
        return ordered.Order;
    }

    /// <summary>The scheduler's follow-up takes it from there; the order ends with exactly one SCM order.</summary>
    private static async Task FinishUnclearAsync(FaultRun run, CertificateOrder order, bool committed)
    {
        await FollowUpUntilSubmittedAsync(run, order.Id);
        Assert.Equal(committed ? 1 : 2, run.Sim.Counters.EnrollPostsFor(order.CorrelationToken));
        var audit = await run.AuditAsync();
        Assert.Equal(committed ? 0 : 1, audit.Count(a => a.OrderId == order.Id && a.Decision == "Resubmit"));
        Assert.Equal(committed ? 1 : 0, audit.Count(a => a.OrderId == order.Id && a.Decision == "Reconciled"));
        if (!committed)
        {
            await AssertSearchedTwiceBetweenPostsAsync(run);
        }

        var stored = (await run.Store.GetOrderAsync(order.Id))!;
        Assert.Equal(order.ProtectedPrivateKey, stored.ProtectedPrivateKey);
        Assert.Equal(order.CsrPem, stored.CsrPem);
        await run.SettleAsync();
        Assert.Equal(1, run.Sim.Counters.BillableOrdersFor(order.CorrelationToken));
        await run.VerifyAsync();
    }

    /// <summary>Drives an order through the scheduler's follow-up job (due orders only), on the clock, until SCM knows it.</summary>
    private static async Task FollowUpUntilSubmittedAsync(FaultRun run, Guid orderId)
    {
        for (var i = 0; i < 40; i++)
        {
            var order = (await run.Store.GetOrderAsync(orderId))!;
            if (order.SslId is not null)
            {
                return;
            }

            var now = run.Time.GetUtcNow();
            if (order.NextAttemptAt is { } next && next > now)
            {
                run.Advance(next - now);
            }

            run.Observe(await run.PumpAsync(() => run.H.Jobs.RunAsync(LifecycleJob.FollowUp)));
            run.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Fail("The order never reached SCM: " + await run.Store.GetOrderAsync(orderId));
    }

    /// <summary>Between the first and the last enroll POST, SCM was searched (listed by common name) at least twice.</summary>
    private static async Task AssertSearchedTwiceBetweenPostsAsync(FaultRun run)
    {
        var log = await run.RequestLogAsync();
        var posts = log.Where(r => r.Method == "POST" && r.Path.EndsWith("/enroll", StringComparison.Ordinal)).Select(r => r.Time).Order().ToArray();
        Assert.True(posts.Length >= 2, $"{posts.Length} enroll POSTs logged of {run.Sim.Counters.EnrollPosts} received.");
        var searches = log.Count(r => r.Method == "GET" && r.Path.TrimEnd('/').EndsWith("/ssl/v1", StringComparison.Ordinal) && r.Time >= posts[0] && r.Time <= posts[^1] && r.StatusCode == 200);
        Assert.True(searches >= 2, $"Only {searches} successful searches before the re-submission.");
    }

    private static void AssertClose(TimeSpan expected, TimeSpan actual, TimeSpan tolerance) =>
        Assert.True((expected - actual).Duration() <= tolerance, $"Expected about {expected}, got {actual}.");
}
