using Microsoft.Extensions.Time.Testing;
using Scm.Client.Tests.Infrastructure;
using WireMock.ResponseBuilders;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class ResilienceTests : IDisposable
{
    private readonly ScmServer _server = ScmServer.Start();
    private readonly TestClient _client;

    public ResilienceTests() => _client = TestClient.Create(_server);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private void TwoFailuresThenOk(WireMock.RequestBuilders.IRequestBuilder request, IResponseBuilder ok)
    {
        _server.Server.Given(request).InScenario("flaky").WillSetStateTo("one").RespondWith(Error(503, -2, "Internal error"));
        _server.Server.Given(request).InScenario("flaky").WhenStateIs("one").WillSetStateTo("two").RespondWith(Response.Create().WithStatusCode(500));
        _server.Server.Given(request).InScenario("flaky").WhenStateIs("two").RespondWith(ok);
    }

    [Fact]
    public async Task GetAsync_TwoTransientFailures_RetriedAndReSignedEachAttempt()
    {
        TwoFailuresThenOk(Get("/api/ssl/v1/5"), Json("""{"sslId":5}"""));

        var d = await _client.Ssl.GetAsync(5);

        Assert.Equal(5, d.SslId);
        var reqs = _server.Requests;
        Assert.Equal(3, reqs.Count);
        Assert.All(reqs, r =>
        {
            Assert.Equal(TestClient.Password, ScmServer.Header(r, "password"));
            Assert.Single(r.Headers!.First(h => h.Key.Equals("password", StringComparison.OrdinalIgnoreCase)).Value);
        });
    }

    [Fact]
    public async Task GetAsync_AlwaysUnavailable_StopsAfterThreeRetries()
    {
        _server.Stub(Get("/api/ssl/v1/5"), Error(503, -2, "Internal error"));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.GetAsync(5));

        Assert.Equal(503, ex.Status);
        Assert.Equal(4, _server.Requests.Count);
    }

    [Fact]
    public async Task GetAsync_MaxRetryAttemptsZero_SendsOnce()
    {
        using var client = TestClient.Create(_server, o => o.MaxRetryAttempts = 0);
        _server.Stub(Get("/api/ssl/v1/5"), Error(503, -2, "Internal error"));

        await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.GetAsync(5));

        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task EnrollAsync_ServerError_NeverRetried()
    {
        TwoFailuresThenOk(Post("/api/ssl/v1/enroll"), Json("""{"sslId":5}"""));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Equal(503, ex.Status);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task UnsafeMethods_ServerError_EachSentExactlyOnce()
    {
        _server.Stub(Put("/api/ssl/v1"), Error(503, -2, "x"));
        _server.Stub(Delete("/api/ssl/v1/5"), Error(503, -2, "x"));
        _server.Stub(Post("/api/ssl/v1/renewById/5"), Error(503, -2, "x"));
        _server.Stub(Post("/api/ssl/v1/revoke/5"), Response.Create().WithStatusCode(429));

        await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.UpdateAsync(new SslUpdateRequest { SslId = 5, Comments = "c" }));
        await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.DeleteAsync(5));
        await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.RenewByIdAsync(5));
        await Assert.ThrowsAsync<ScmRateLimitedException>(() => _client.Ssl.RevokeAsync(5, RevocationReason.Unspecified, "r"));

        Assert.Equal(["PUT", "DELETE", "POST", "POST"], _server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task GetAsync_RateLimitedWithRetryAfter_WaitsForItOnTheTimeProviderBeforeRetrying()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 21, 12, 0, 0, TimeSpan.Zero));
        using var client = TestClient.Create(_server, time: time);
        var request = Get("/api/ssl/v1/5");
        _server.Server.Given(request).InScenario("rl").WillSetStateTo("done").RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "30"));
        _server.Server.Given(request).InScenario("rl").WhenStateIs("done").RespondWith(Json("""{"sslId":5}"""));

        var task = client.Ssl.GetAsync(5);
        await WaitUntil(() => _server.Requests.Count == 1);
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(100);
        Assert.Single(_server.Requests);
        Assert.False(task.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(2));
        var d = await task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(5, d.SslId);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task GetAsync_RetryAfterLongerThanBudget_ThrowsRateLimitedWithoutWaiting()
    {
        _server.Stub(Get("/api/ssl/v1/5"), Response.Create().WithStatusCode(429).WithHeader("Retry-After", "3600"));

        var ex = await Assert.ThrowsAsync<ScmRateLimitedException>(() => _client.Ssl.GetAsync(5).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(TimeSpan.FromHours(1), ex.RetryAfter);
        Assert.Single(_server.Requests);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
