using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Scm.Client.Tests.Infrastructure;

namespace Scm.Client.Tests;

/// <summary>
/// The HTTP pipeline's breaker, limiter and Retry-After gate (issue 14): the breaker counts calls that finally failed,
/// not attempts; a single probe per break; at most <see cref="ScmClientOptions.MaxConcurrentRequests"/> on the wire;
/// <see cref="ScmClientOptions.MaxRequestsPerSecond"/> paced on the TimeProvider; SCM's Retry-After holds every request.
/// </summary>
public sealed class PipelineTests
{
    private static readonly Uri Base = new("https://scm.test/api");

    private static HttpResponseMessage Details(long sslId) => new(HttpStatusCode.OK) { Content = new StringContent("{\"sslId\":" + sslId + "}") };

    private static HttpResponseMessage Html(int status) => new((HttpStatusCode)status) { Content = new StringContent("<html><body>Bad gateway</body></html>", System.Text.Encoding.UTF8, "text/html") };

    private static long IdOf(HttpRequestMessage request) => long.Parse(request.RequestUri!.Segments[^1], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task GetAsync_EveryFirstAttemptFailsAndItsRetrySucceeds_CircuitNeverOpens()
    {
        // The proxy of F54: the first GET of every order answers an HTML 502, the retry succeeds. 60 attempts, half of
        // them failed: a breaker that saw attempts (the standard pipeline's place, inside the retry) opened after ten.
        var seen = new ConcurrentDictionary<long, int>();
        var handler = new StubHandler((r, _) => Task.FromResult(seen.AddOrUpdate(IdOf(r), 1, (_, n) => n + 1) == 1 ? Html(502) : Details(IdOf(r))));
        var time = new FakeTimeProvider();
        using var client = TestClient.Create(Base, time: time, primary: () => handler);

        for (var id = 1; id <= 30; id++)
        {
            var d = await client.Ssl.GetAsync(id);
            Assert.Equal(id, d.SslId);
        }

        Assert.Equal(60, handler.Count);
        Assert.All(seen.Values, n => Assert.Equal(2, n));
    }

    [Fact]
    public async Task GetAsync_ScmReallyDown_CircuitOpensOnFinalFailuresFailsFastThenOneProbePerBreak()
    {
        var down = true;
        var handler = new StubHandler((r, _) => Task.FromResult(Volatile.Read(ref down) ? Html(503) : Details(IdOf(r))));
        var time = new FakeTimeProvider();
        using var client = TestClient.Create(Base, o => o.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(30), time: time, primary: () => handler);

        // Ten calls fail for good (each after its three retries): the minimum throughput, every one a failure.
        for (var i = 0; i < 10; i++)
        {
            var failed = await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.GetAsync(7));
            Assert.Equal(503, failed.Status);
        }

        Assert.Equal(40, handler.Count);

        // Open: calls fail at once, nothing reaches SCM, and the exception says how long the break lasts.
        var open = await Assert.ThrowsAsync<ScmTransportException>(() => client.Ssl.GetAsync(7));
        Assert.Equal(ScmTransportFailure.CircuitOpen, open.Failure);
        Assert.True(open.RequestNotSent);
        Assert.Equal(TimeSpan.FromSeconds(30), open.RetryAfter);
        time.Advance(TimeSpan.FromSeconds(20));
        open = await Assert.ThrowsAsync<ScmTransportException>(() => client.Ssl.GetAsync(7));
        Assert.Equal(TimeSpan.FromSeconds(10), open.RetryAfter);
        Assert.Equal(40, handler.Count);

        // After the break: one probe, sent once (no retries while half-open); it fails, so the circuit opens again.
        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.GetAsync(7));
        Assert.Equal(41, handler.Count);
        var again = await Assert.ThrowsAsync<ScmTransportException>(() => client.Ssl.GetAsync(7));
        Assert.Equal(ScmTransportFailure.CircuitOpen, again.Failure);
        Assert.Equal(41, handler.Count);

        // SCM is back: the next probe succeeds and closes the circuit.
        Volatile.Write(ref down, false);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(7, (await client.Ssl.GetAsync(7)).SslId);
        Assert.Equal(8, (await client.Ssl.GetAsync(8)).SslId);
        Assert.Equal(43, handler.Count);
    }

    [Fact]
    public async Task GetAsync_RateLimited_NeverCountsAsAFailureOfTheCircuit()
    {
        // 429 is SCM asking to wait, not SCM being down: a Retry-After past the request budget fails the call, but twenty
        // of them leave the circuit closed.
        var handler = new StubHandler((_, _) =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromHours(2));
            return Task.FromResult(r);
        });
        var time = new FakeTimeProvider();
        using var client = TestClient.Create(Base, time: time, primary: () => handler);

        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<ScmRateLimitedException>(() => client.Ssl.GetAsync(7));
            time.Advance(TimeSpan.FromHours(1)); // past the clamped hold, so each call is sent
        }

        Assert.Equal(20, handler.Count);
    }

    [Fact]
    public async Task Requests_MoreThanMaxConcurrent_NeverMoreOnTheWireAllComplete()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = 0;
        var peak = 0;
        var handler = new StubHandler(async (r, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            Interlocked.Decrement(ref inFlight);
            return Details(IdOf(r));
        });
        using var client = TestClient.Create(Base, o => o.MaxConcurrentRequests = 3, primary: () => handler);

        var calls = Enumerable.Range(1, 10).Select(id => client.Ssl.GetAsync(id)).ToArray();
        await WaitUntil(() => Volatile.Read(ref inFlight) == 3);
        await Task.Delay(100); // bounded: would a fourth get through, it would be counted by now
        Assert.Equal(3, handler.Count);

        release.SetResult();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), results.Select(d => d.SslId));
        Assert.Equal(3, peak);
        Assert.Equal(10, handler.Count);
    }

    [Fact]
    public async Task Requests_MaxRequestsPerSecond_PacedOnTheTimeProvider()
    {
        var handler = new StubHandler((r, _) => Task.FromResult(Details(IdOf(r))));
        var time = new FakeTimeProvider();
        using var client = TestClient.Create(Base, o => o.MaxRequestsPerSecond = 2, time: time, primary: () => handler);

        var calls = Enumerable.Range(1, 6).Select(id => client.Ssl.GetAsync(id)).ToArray();

        // A burst of one second's worth, then one every half second.
        await WaitUntil(() => handler.Count == 2);
        await Task.Delay(100);
        Assert.Equal(2, handler.Count);
        for (var expected = 3; expected <= 6; expected++)
        {
            time.Advance(TimeSpan.FromMilliseconds(499));
            await Task.Delay(50);
            Assert.Equal(expected - 1, handler.Count);
            time.Advance(TimeSpan.FromMilliseconds(1));
            await WaitUntil(() => handler.Count == expected);
        }

        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RetryAfter_FromOneRequest_HoldsEveryRequestOfTheClientUntilItPasses()
    {
        var first = true;
        var sent = new ConcurrentQueue<long>();
        var handler = new StubHandler((r, _) =>
        {
            sent.Enqueue(IdOf(r));
            if (Interlocked.Exchange(ref first, false))
            {
                var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
                limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(10));
                return Task.FromResult(limited);
            }

            return Task.FromResult(Details(IdOf(r)));
        });
        var time = new TimerRecordingTime();
        using var client = TestClient.Create(Base, time: time, primary: () => handler);

        var limitedCall = client.Ssl.GetAsync(1);
        await WaitUntil(() => time.Created(TimeSpan.FromSeconds(10))); // the retry waits for Retry-After: the 429 was seen
        var other = client.Ssl.GetAsync(2); // another call, on another path: held back too
        time.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(100);
        Assert.Equal(1, handler.Count);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await limitedCall.WaitAsync(TimeSpan.FromSeconds(30))).SslId);
        Assert.Equal(2, (await other.WaitAsync(TimeSpan.FromSeconds(30))).SslId);
        Assert.Equal(3, handler.Count);
    }

    [Fact]
    public async Task RetryAfter_LongerThanAnAttemptMayWait_OtherCallsRateLimitedAtOnceAndNotSent()
    {
        var handler = new StubHandler((_, _) =>
        {
            var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMinutes(10));
            return Task.FromResult(limited);
        });
        var time = new FakeTimeProvider();
        using var client = TestClient.Create(Base, time: time, primary: () => handler);

        var first = await Assert.ThrowsAsync<ScmRateLimitedException>(() => client.Ssl.GetAsync(1).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromMinutes(10), first.RetryAfter);
        time.Advance(TimeSpan.FromMinutes(4));

        var held = await Assert.ThrowsAsync<ScmRateLimitedException>(() => client.Ssl.GetAsync(2).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromMinutes(6), held.RetryAfter);
        var post = await Assert.ThrowsAsync<ScmRateLimitedException>(() => client.Ssl.RevokeAsync(3, RevocationReason.Unspecified, "r").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromMinutes(6), post.RetryAfter);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Post_TimesOutWaitingForItsTurn_QueuedTooLongNotSent()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StubHandler(async (r, ct) =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            return Details(IdOf(r));
        });
        var time = new FakeTimeProvider();
        using var client = TestClient.Create(Base, o =>
        {
            o.MaxConcurrentRequests = 1;
            o.PostTimeout = TimeSpan.FromSeconds(20);
        }, time: time, primary: () => handler);

        var holder = client.Ssl.GetAsync(1);
        await WaitUntil(() => handler.Count == 1);
        var revoke = client.Ssl.RevokeAsync(2, RevocationReason.Unspecified, "r");
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(21));

        var ex = await Assert.ThrowsAsync<ScmTransportException>(() => revoke.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ScmTransportFailure.QueuedTooLong, ex.Failure);
        Assert.True(ex.RequestNotSent);
        release.SetResult();
        await holder.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, handler.Count);
    }

    /// <summary>A fake clock that remembers the due times of the timers made on it (to know that a wait has begun).</summary>
    private sealed class TimerRecordingTime : FakeTimeProvider
    {
        private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();

        public bool Created(TimeSpan dueTime) => _dueTimes.Contains(dueTime);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _dueTimes.Enqueue(dueTime);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
