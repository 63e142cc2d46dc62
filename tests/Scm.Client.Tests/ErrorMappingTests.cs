using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Scm.Client.Tests.Infrastructure;
using WireMock.ResponseBuilders;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class ErrorMappingTests : IDisposable
{
    private readonly ScmServer _server = ScmServer.Start();
    private readonly TestClient _client;

    public ErrorMappingTests() => _client = TestClient.Create(_server);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task GetAsync_Unauthorized_ThrowsWithCodeMinus16AndIsNotRetried()
    {
        _server.Stub(Get("/api/ssl/v1/5"), Error(401, -16, "Unknown user"));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.GetAsync(5));

        Assert.Equal(401, ex.Status);
        Assert.Equal(ScmErrorCodes.UnknownUser, ex.ScmErrorCode);
        Assert.Equal("Unknown user", ex.Description);
        Assert.Equal(HttpMethod.Get, ex.Method);
        Assert.Equal("/api/ssl/v1/5", ex.Path);
        Assert.True(ScmErrorCodes.IsAuthenticationFailure(ex.ScmErrorCode!.Value));
        Assert.DoesNotContain(TestClient.Password, ex.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task GetAsync_NotFoundJson_ThrowsWithScmCode()
    {
        _server.Stub(Get("/api/ssl/v1/5"), Error(404, -124, "Wrong SSL certificate id 5."));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.GetAsync(5));

        Assert.Equal(404, ex.Status);
        Assert.Equal(-124, ex.ScmErrorCode);
        Assert.Contains("Wrong SSL certificate id 5.", ex.Message);
        Assert.Contains("GET /api/ssl/v1/5", ex.Message);
    }

    [Fact]
    public async Task ListPageAsync_Error_PathExcludesQueryString()
    {
        _server.Stub(Get("/api/ssl/v1"), Error(400, -7, "size is invalid"));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.ListPageAsync(new SslListFilter { CommonName = "secret-cn.example" }, 0, 10));

        Assert.Equal("/api/ssl/v1", ex.Path);
        Assert.DoesNotContain("secret-cn", ex.Message);
        Assert.DoesNotContain("?", ex.Message);
    }

    [Fact]
    public async Task EnrollAsync_TooManyRequestsWithSeconds_ThrowsRateLimitedWithRetryAfter()
    {
        _server.Stub(Post("/api/ssl/v1/enroll"), Response.Create().WithStatusCode(429).WithHeader("Retry-After", "120"));

        var ex = await Assert.ThrowsAsync<ScmRateLimitedException>(() => _client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.Equal(429, ex.Status);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task EnrollAsync_TooManyRequestsWithHttpDate_ComputesRetryAfterFromTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 21, 12, 0, 0, TimeSpan.Zero));
        using var client = TestClient.Create(_server, time: time);
        var date = time.GetUtcNow().AddSeconds(90).ToString("R", CultureInfo.InvariantCulture);
        _server.Stub(Post("/api/ssl/v1/enroll"), Response.Create().WithStatusCode(429).WithHeader("Retry-After", date));

        var ex = await Assert.ThrowsAsync<ScmRateLimitedException>(() => client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Equal(TimeSpan.FromSeconds(90), ex.RetryAfter);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("Wed, 21 Oct 2015 07:28:00 GMT")]
    public async Task EnrollAsync_TooManyRequestsWithInvalidRetryAfter_RetryAfterIsNull(string header)
    {
        _server.Stub(Post("/api/ssl/v1/enroll"), Response.Create().WithStatusCode(429).WithHeader("Retry-After", header));

        var ex = await Assert.ThrowsAsync<ScmRateLimitedException>(() => _client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Null(ex.RetryAfter);
    }

    [Fact]
    public async Task EnrollAsync_HugeRetryAfter_IsClampedToMaxRetryAfter()
    {
        using var client = TestClient.Create(_server, o => o.MaxRetryAfter = TimeSpan.FromMinutes(10));
        _server.Stub(Post("/api/ssl/v1/enroll"), Response.Create().WithStatusCode(429).WithHeader("Retry-After", "86400"));

        var ex = await Assert.ThrowsAsync<ScmRateLimitedException>(() => client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Equal(TimeSpan.FromMinutes(10), ex.RetryAfter);
    }

    [Fact]
    public async Task EnrollAsync_HtmlServerError_DescribesStatusWithoutBody()
    {
        _server.Stub(Post("/api/ssl/v1/enroll"), Response.Create().WithStatusCode(502).WithHeader("Content-Type", "text/html").WithBody("<html><body>Bad gateway from proxy-secret-node</body></html>"));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Equal(502, ex.Status);
        Assert.Null(ex.ScmErrorCode);
        Assert.Contains("BadGateway", ex.Description);
        Assert.DoesNotContain("proxy-secret-node", ex.Message);
        Assert.DoesNotContain("<html>", ex.Message);
    }

    [Fact]
    public async Task DeleteAsync_EmptyErrorBody_DescribesStatus()
    {
        _server.Stub(Delete("/api/ssl/v1/5"), Response.Create().WithStatusCode(500));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.DeleteAsync(5));

        Assert.Equal(500, ex.Status);
        Assert.Contains("InternalServerError", ex.Description);
    }

    [Fact]
    public async Task GetAsync_ErrorDescriptionEchoesPassword_SecretIsMasked()
    {
        _server.Stub(Get("/api/ssl/v1/5"), Error(401, -16, "Unknown user with password " + TestClient.Password));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.GetAsync(5));

        Assert.DoesNotContain(TestClient.Password, ex.ToString());
        Assert.Contains("***", ex.Description);
    }

    [Theory]
    [InlineData("""{"sslId":5,"status":""")]
    [InlineData("""{"sslId":"five"}""")]
    [InlineData("null")]
    [InlineData("[")]
    public async Task GetAsync_MalformedJson_ThrowsProtocolException(string body)
    {
        _server.Stub(Get("/api/ssl/v1/5"), Json(body));

        var ex = await Assert.ThrowsAsync<ScmProtocolException>(() => _client.Ssl.GetAsync(5));

        Assert.Equal(200, ex.Status);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task GetAsync_DeeplyNestedJson_RejectedByDepthLimit()
    {
        var nested = "{\"sslId\":5,\"x\":" + string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)) + "}";
        _server.Stub(Get("/api/ssl/v1/5"), Json(nested));

        await Assert.ThrowsAsync<ScmProtocolException>(() => _client.Ssl.GetAsync(5));
    }

    [Fact]
    public async Task GetAsync_JsonOverCap_ThrowsProtocolException()
    {
        using var client = TestClient.Create(_server, o => o.MaxJsonResponseBytes = 4096);
        _server.Stub(Get("/api/ssl/v1/5"), Json("{\"sslId\":5,\"comments\":\"" + new string('a', 10_000) + "\"}"));

        var ex = await Assert.ThrowsAsync<ScmProtocolException>(() => client.Ssl.GetAsync(5));

        Assert.Contains("4096", ex.Message);
    }

    [Fact]
    public async Task GetAsync_EndlessChunkedBody_AbortsAtCapWithoutReadingFurther()
    {
        var endless = new EndlessStream();
        var handler = new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(endless) }));
        using var client = TestClient.Create(new Uri("https://scm.test/api"), o => o.MaxJsonResponseBytes = 64 * 1024, primary: () => handler);

        var ex = await Assert.ThrowsAsync<ScmProtocolException>(() => client.Ssl.GetAsync(5));

        Assert.Contains("65536", ex.Message);
        Assert.True(endless.Served < 256 * 1024, "read " + endless.Served + " bytes");
    }

    [Fact]
    public async Task GetAsync_RedirectToOtherHost_NotFollowedAndNoCredentialsLeak()
    {
        using var other = ScmServer.Start();
        other.Stub(Get("/api/ssl/v1/5"), Json("""{"sslId":5}"""));
        _server.Stub(Get("/api/ssl/v1/5"), Response.Create().WithStatusCode(302).WithHeader("Location", other.Root + "api/ssl/v1/5?token=leak"));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.GetAsync(5));

        Assert.Equal(302, ex.Status);
        Assert.Empty(other.Requests);
        Assert.DoesNotContain("token=leak", ex.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task EnrollAsync_ServerHangsPastPostTimeout_ThrowsTimeoutTransportExceptionAfterOneAttempt()
    {
        var handler = new StubHandler((_, ct) => StubHandler.Hang(ct));
        using var client = TestClient.Create(new Uri("https://scm.test/api"), o =>
        {
            o.PostTimeout = TimeSpan.FromMilliseconds(150);
            o.AttemptTimeout = TimeSpan.FromMilliseconds(100);
            o.TotalRequestTimeout = TimeSpan.FromSeconds(2);
        }, primary: () => handler);

        var ex = await Assert.ThrowsAsync<ScmTransportException>(() => client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Equal(ScmTransportFailure.Timeout, ex.Failure);
        Assert.Equal(0, ex.Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task GetAsync_ConnectionRefused_ThrowsConnectionFailedAfterRetries()
    {
        var handler = new StubHandler((_, _) => throw new HttpRequestException("refused", null, HttpStatusCode.ServiceUnavailable));
        using var client = TestClient.Create(new Uri("https://scm.test/api"), primary: () => handler);

        var ex = await Assert.ThrowsAsync<ScmTransportException>(() => client.Ssl.GetAsync(5));

        Assert.Equal(ScmTransportFailure.ConnectionFailed, ex.Failure);
        Assert.Equal(4, handler.Count);
    }

    [Fact]
    public async Task GetAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var handler = new StubHandler((_, ct) => StubHandler.Hang(ct));
        using var client = TestClient.Create(new Uri("https://scm.test/api"), primary: () => handler);
        using var cts = new CancellationTokenSource();

        var task = client.Ssl.GetAsync(5, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }
}
