using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

public sealed class FaultTests : IAsyncLifetime
{
    private SimFixture _f = null!;

    public async Task InitializeAsync() => _f = await SimFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private async Task WaitForLogAsync(Func<IReadOnlyList<ScmSimulatorRequest>, bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition(_f.Sim.GetRequestLog()))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "request log condition not met in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ServerError_Once_FirstCall5xxThenNormalAndNothingCreated()
    {
        var rule = _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").ServerError(503).Once());
        using (var first = await _f.EnrollRawAsync())
        {
            await Json.AssertErrorAsync(first, HttpStatusCode.ServiceUnavailable, -2);
        }

        Assert.Empty(_f.Sim.GetOrders());
        Assert.Equal(1, _f.Sim.Counters.EnrollPosts);
        using (var second = await _f.EnrollRawAsync())
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(1, rule.Hits);
        Assert.True(rule.IsExhausted);
        Assert.Equal(ScmFaultKind.ServerError, _f.Sim.GetRequestLog()[0].Fault);
        Assert.Null(_f.Sim.GetRequestLog()[1].Fault);
    }

    [Fact]
    public async Task Rule_MethodAndPath_OnlyMatchingRequestsAffected()
    {
        _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").ServerError());
        using var types = await _f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, types.StatusCode);
        using var list = await _f.Http.GetAsync("ssl/v1");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var enroll = await _f.EnrollRawAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, enroll.StatusCode);
        using var enroll2 = await _f.PostJsonAsync("ssl/v2/enroll", SimFixture.EnrollBody());
        Assert.Equal(HttpStatusCode.InternalServerError, enroll2.StatusCode);
    }

    [Fact]
    public async Task Times_Three_FiresExactlyThreeTimes()
    {
        var rule = _f.Sim.Faults.Add(ScmFault.Any("/ssl/v1/types").ServerError(502).Times(3));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await _f.Http.GetAsync("ssl/v1/types");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        Assert.Equal(3, rule.Hits);
    }

    [Fact]
    public async Task FirstPerRequest_FailsEachDistinctPathAndQueryOnceThenAnswersNormally()
    {
        // The proxy of F54: the first GET of every order's details fails, and the first call of every list page.
        var first = await _f.EnrollAsync("one.acme.example");
        var second = await _f.EnrollAsync("two.acme.example");
        var details = _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").HtmlErrorPage(502).FirstPerRequest());
        var lists = _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1").TooManyRequests(ScmRetryAfterStyle.Seconds, TimeSpan.FromSeconds(2)).FirstPerRequest());

        async Task<HttpStatusCode> GetAsync(string uri)
        {
            using var response = await _f.Http.GetAsync(uri);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.BadGateway, await GetAsync($"ssl/v1/{first}"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync($"ssl/v1/{first}"));
        Assert.Equal(HttpStatusCode.BadGateway, await GetAsync($"ssl/v1/{second}"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync($"ssl/v1/{second}"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync($"ssl/v1/{first}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync("ssl/v1?position=0&size=1"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("ssl/v1?position=0&size=1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync("ssl/v1?position=1&size=1"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("ssl/v1?position=1&size=1"));

        Assert.Equal(2, details.Hits);
        Assert.Equal(2, lists.Hits);
        Assert.False(details.IsExhausted);
        Assert.Equal(1, details.PerRequestLimit);
        Assert.Contains("first 1 per request", details.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstPerRequest_WithTimesAndCount_BothLimitsHold()
    {
        var id = await _f.EnrollAsync();
        var rule = _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").ServerError(503).FirstPerRequest(2).Times(3));
        var statuses = new List<HttpStatusCode>();
        foreach (var uri in new[] { $"ssl/v1/{id}", $"ssl/v1/{id}", $"ssl/v1/{id}", "ssl/v1/types", "ssl/v1/types" })
        {
            using var response = await _f.Http.GetAsync(uri);
            statuses.Add(response.StatusCode);
        }

        // Two for the details (its per-request limit), one for the types (the total of three), then nothing.
        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
        Assert.Equal(3, rule.Hits);
        Assert.True(rule.IsExhausted);
        Assert.Throws<ArgumentOutOfRangeException>(() => rule.FirstPerRequest(0));
    }

    [Fact]
    public async Task Percent_Fifty_RoughlyHalfAndSameSequenceForSameSeed()
    {
        async Task<string> Run()
        {
            await using var f = await SimFixture.StartAsync(o => o.Seed = 1234);
            f.Sim.Faults.Add(ScmFault.Any("/ssl/v1/types").ServerError().Percent(50));
            var pattern = new System.Text.StringBuilder();
            for (var i = 0; i < 120; i++)
            {
                using var response = await f.Http.GetAsync("ssl/v1/types");
                pattern.Append(response.StatusCode == HttpStatusCode.OK ? '.' : 'X');
            }

            return pattern.ToString();
        }

        var first = await Run();
        var hits = first.Count(c => c == 'X');
        Assert.InRange(hits, 35, 85);
        Assert.Equal(first, await Run());
    }

    [Theory]
    [InlineData(ScmRetryAfterStyle.Seconds)]
    [InlineData(ScmRetryAfterStyle.HttpDate)]
    [InlineData(ScmRetryAfterStyle.Absent)]
    [InlineData(ScmRetryAfterStyle.Garbage)]
    public async Task TooManyRequests_RetryAfterStyles(ScmRetryAfterStyle style)
    {
        _f.Sim.Faults.Add(ScmFault.Any().TooManyRequests(style, TimeSpan.FromSeconds(7)).Once());
        using var response = await _f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : null;
        switch (style)
        {
            case ScmRetryAfterStyle.Seconds:
                Assert.Equal("7", retryAfter);
                break;
            case ScmRetryAfterStyle.HttpDate:
                Assert.Equal(SimFixture.Start.AddSeconds(7), DateTimeOffset.ParseExact(retryAfter!, "R", CultureInfo.InvariantCulture));
                break;
            case ScmRetryAfterStyle.Absent:
                Assert.Null(retryAfter);
                break;
            default:
                Assert.False(int.TryParse(retryAfter, out _));
                Assert.False(DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
                break;
        }
    }

    [Fact]
    public async Task Latency_Fixed_DelaysThenAnswersNormally()
    {
        _f.Sim.Faults.Add(ScmFault.Any("/ssl/v1/types").Latency(TimeSpan.FromMilliseconds(300)).Once());
        var watch = Stopwatch.StartNew();
        using var response = await _f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(280), $"took {watch.Elapsed}");
        using var second = await _f.Http.GetAsync("ssl/v1/types");
        var log = _f.Sim.GetRequestLog();
        Assert.Equal(ScmFaultKind.Latency, log[0].Fault);
        Assert.Null(log[1].Fault);
    }

    [Fact]
    public async Task Stall_ClientTimesOut_RequestNotProcessed()
    {
        _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/v1/enroll").Stall(TimeSpan.FromMinutes(5)).Once());
        using var http = new HttpClient { BaseAddress = _f.Http.BaseAddress, Timeout = TimeSpan.FromMilliseconds(400) };
        SimFixture.SetHeaderAuth(http, _f.Sim.Credentials);
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => http.PostAsync("ssl/v1/enroll", new StringContent(SimFixture.EnrollBody().ToJsonString(), System.Text.Encoding.UTF8, "application/json")));
        await WaitForLogAsync(log => log.Count == 1);
        Assert.Equal(0, _f.Sim.GetRequestLog()[0].StatusCode);
        Assert.Empty(_f.Sim.GetOrders());
        Assert.Equal(1, _f.Sim.Counters.EnrollPosts);
    }

    [Fact]
    public async Task DropConnection_Get_ClientSeesConnectionError()
    {
        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/types").DropConnection().Once());
        await Assert.ThrowsAsync<HttpRequestException>(() => _f.Http.GetAsync("ssl/v1/types"));
        await WaitForLogAsync(log => log.Count == 1);
        Assert.Equal(ScmFaultKind.DropConnection, _f.Sim.GetRequestLog()[0].Fault);
        Assert.Equal(0, _f.Sim.GetRequestLog()[0].StatusCode);
    }

    [Fact]
    public async Task TruncatedJson_Details_HalfBodyThatDoesNotParse()
    {
        var id = await _f.EnrollIssuedAsync();
        var full = (await _f.DetailsAsync(id)).ToJsonString();
        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/*").TruncatedJson().Once());
        using var response = await _f.Http.GetAsync($"ssl/v1/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(full.Length / 2, text.Length);
        Assert.StartsWith(text, full, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task MalformedJson_Enroll_CommittedButBodyUnparsable()
    {
        _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/v1/enroll").MalformedJson().Once());
        using var response = await _f.EnrollRawAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var malformed = await response.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(malformed));
        Assert.Single(_f.Sim.GetOrders());
    }

    [Fact]
    public async Task WrongJsonTypes_Enroll_SslIdAsString()
    {
        _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/v1/enroll").WrongJsonTypes().Once());
        using var response = await _f.EnrollRawAsync();
        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.String, json["sslId"]!.GetValueKind());
        Assert.Equal(_f.Sim.GetOrders()[0].SslId.ToString(CultureInfo.InvariantCulture), json["sslId"]!.GetValue<string>());
    }

    [Fact]
    public async Task HtmlErrorPage_AnyCall_TextHtmlWithStatus()
    {
        _f.Sim.Faults.Add(ScmFault.Any().HtmlErrorPage(504).Once());
        using var response = await _f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyOk_Collect_200WithEmptyBody()
    {
        var id = await _f.EnrollIssuedAsync();
        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/collect/**").EmptyOk().Once());
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task OversizedBody_ContentLengthAndStreamedBytes()
    {
        const long Size = 8L * 1024 * 1024;
        _f.Sim.Faults.Add(ScmFault.Any("/ssl/v1").OversizedBody(Size).Once());
        using var response = await _f.Http.GetAsync("ssl/v1", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(Size, response.Content.Headers.ContentLength);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        Assert.Equal(Size, total);
    }

    [Fact]
    public async Task EndlessBody_ClientStopsReading_ServerStopsWriting()
    {
        _f.Sim.Faults.Add(ScmFault.Any("/ssl/v1").EndlessBody().Once());
        using (var response = await _f.Http.GetAsync("ssl/v1", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Null(response.Content.Headers.ContentLength);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[81920];
            long total = 0;
            while (total < 3 * 1024 * 1024)
            {
                total += await stream.ReadAsync(buffer);
            }
        }

        await WaitForLogAsync(log => log.Count == 1);
        Assert.Equal(ScmFaultKind.EndlessBody, _f.Sim.GetRequestLog()[0].Fault);
    }

    [Fact]
    public async Task CertificateForAnotherKey_Collect_PublicKeyDiffers()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = await _f.EnrollIssuedAsync(key: key);
        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/collect/**").CertificateForAnotherKey().Once());
        using var bad = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        using var badCert = Pem.Certificates(await bad.Content.ReadAsStringAsync())[0];
        Assert.NotEqual(key.ExportSubjectPublicKeyInfo(), badCert.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal("www.acme.example", badCert.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false));
        using var good = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        using var goodCert = Pem.Certificates(await good.Content.ReadAsStringAsync())[0];
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), goodCert.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task ExpiredCertificate_Collect_NotAfterBeforeSimulatorNow()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = await _f.EnrollIssuedAsync(key: key);
        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/collect/**").ExpiredCertificate().Once());
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        using var cert = Pem.Certificates(await response.Content.ReadAsStringAsync())[0];
        Assert.True(cert.NotAfter.ToUniversalTime() < _f.Sim.TimeProvider.GetUtcNow().UtcDateTime);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), cert.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task ChainInOddOrder_Collect_LeafNeitherFirstNorLast()
    {
        var id = await _f.EnrollIssuedAsync();
        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/collect/**").ChainInOddOrder().Once());
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509");
        var certs = Pem.Certificates(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, certs.Count);
        Assert.Equal(_f.Sim.IntermediateCertificate.Subject, certs[0].Subject);
        Assert.Equal("CN=www.acme.example", certs[1].Subject.Split(", ")[0]);
        Assert.Equal(_f.Sim.RootCertificate.Subject, certs[2].Subject);
    }

    [Fact]
    public async Task CommitThenFail_ServerError_OrderCreatedButClientSees500()
    {
        const string Token = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/v1/enroll").CommitThenFail(ScmCommitFailure.ServerError).Once());
        using var response = await _f.EnrollRawAsync(edit: b => b["comments"] = $"[scm-sdk:{Token}]");
        await Json.AssertErrorAsync(response, HttpStatusCode.InternalServerError, -2);
        var order = Assert.Single(_f.Sim.GetOrders());
        Assert.Equal([Token], order.CorrelationTokens);
        Assert.Equal(1, _f.Sim.Counters.BillableOrdersFor(Token));
        using var search = await _f.Http.GetAsync("ssl/v1?commonName=www.acme.example");
        Assert.Single((JsonArray)await Json.ReadAsync(search, HttpStatusCode.OK));
    }

    [Fact]
    public async Task CommitThenFail_DropConnection_OrderCreatedClientGetsNoAnswer()
    {
        _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/v1/enroll").CommitThenFail(ScmCommitFailure.DropConnection).Once());
        await Assert.ThrowsAsync<HttpRequestException>(() => _f.EnrollRawAsync());
        await WaitForLogAsync(log => log.Count == 1);
        Assert.Single(_f.Sim.GetOrders());
        Assert.Equal(1, _f.Sim.Counters.BillableOrders);
    }

    [Fact]
    public async Task CommitThenFail_Stall_OrderCreatedClientTimesOut()
    {
        _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/v1/enroll").CommitThenFail(ScmCommitFailure.Stall, TimeSpan.FromMinutes(5)).Once());
        using var http = new HttpClient { BaseAddress = _f.Http.BaseAddress, Timeout = TimeSpan.FromMilliseconds(400) };
        SimFixture.SetHeaderAuth(http, _f.Sim.Credentials);
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => http.PostAsync("ssl/v1/enroll", new StringContent(SimFixture.EnrollBody().ToJsonString(), System.Text.Encoding.UTF8, "application/json")));
        Assert.Single(_f.Sim.GetOrders());
    }

    [Fact]
    public async Task NotReady_OnIssuedCollect_AnswersLegacyBody()
    {
        var id = await _f.EnrollIssuedAsync();
        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/collect/**").NotReady(ScmNotReadyStyle.BeingProcessed).Once());
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, 0);
    }

    [Fact]
    public async Task ScmError_OnEnroll_AnswersTheCodeAndCreatesNothing()
    {
        var rule = _f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").ScmError(-195, "CA is not available now, retry later").Once());
        using (var refused = await _f.EnrollRawAsync())
        {
            var body = await Json.ReadAsync(refused, HttpStatusCode.BadRequest);
            Assert.Equal(-195, body["code"]!.GetValue<int>());
            Assert.Equal("CA is not available now, retry later", body["description"]!.GetValue<string>());
        }

        Assert.Empty(_f.Sim.GetOrders());
        Assert.Equal(0, _f.Sim.Counters.BillableOrders);
        using (var next = await _f.EnrollRawAsync())
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        Assert.Equal(1, rule.Hits);
        Assert.Equal(ScmFaultKind.ScmError, _f.Sim.GetRequestLog()[0].Fault);
        Assert.Equal(400, _f.Sim.GetRequestLog()[0].StatusCode);

        _f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/types").ScmError(-3114, "Modified by another user", 409).Once());
        using var types = await _f.Http.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(types, HttpStatusCode.Conflict, -3114);
    }

    [Fact]
    public async Task FaultRules_RemoveAndClear_StopFiring()
    {
        var rule = _f.Sim.Faults.Add(ScmFault.Any().ServerError());
        Assert.True(_f.Sim.Faults.Remove(rule));
        Assert.False(_f.Sim.Faults.Remove(rule.Id));
        _f.Sim.Faults.Add(ScmFault.Any().ServerError());
        Assert.Single(_f.Sim.Faults);
        _f.Sim.Faults.Clear();
        using var response = await _f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void FaultBuilder_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScmFault.Any().ServerError(404));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScmFault.Any().ScmError(-195, "x", 200));
        Assert.Throws<ArgumentNullException>(() => ScmFault.Any().ScmError(-195, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScmFault.Any().ServerError().Percent(101));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScmFault.Any().ServerError().Times(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScmFault.Any().Latency(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
    }
}

public sealed class HostileTests
{
    [Fact]
    public async Task Hostile_Preset_FaultsPagingAndIdsFromSeed()
    {
        var options = ScmSimulatorOptions.Hostile(31337);
        options.Log = null;
        options.Faults.Clear();
        options.Faults.Add(ScmFault.Any("/ssl/v1/types").ServerError(503).Percent(5));
        options.Faults.Add(ScmFault.Any("/ssl/v1/types").TooManyRequests(ScmRetryAfterStyle.Random).Percent(2));
        options.TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SimFixture.Start);
        await using var sim = await ScmSimulator.StartAsync(options);
        using var http = new HttpClient { BaseAddress = new Uri(sim.BaseAddress + "/") };
        SimFixture.SetHeaderAuth(http, sim.Credentials);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 400; i++)
        {
            using var response = await http.GetAsync("ssl/v1/types");
            statuses.Add(response.StatusCode);
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.ServiceUnavailable), 8, 40);
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.TooManyRequests), 1, 20);
        Assert.Equal(31337, sim.Seed);
        Assert.Equal(3, options.MaxPageSize);
        Assert.True(options.IdBase > int.MaxValue);
    }

    [Fact]
    public void Hostile_DefaultRules_CoverServerErrorsThrottlingMalformedAndCommitThenFail()
    {
        var options = ScmSimulatorOptions.Hostile(1);
        var kinds = options.Faults.Select(f => f.Kind).ToHashSet();
        Assert.Superset(new HashSet<ScmFaultKind>
        {
            ScmFaultKind.ServerError, ScmFaultKind.TooManyRequests, ScmFaultKind.Latency, ScmFaultKind.TruncatedJson,
            ScmFaultKind.HtmlErrorPage, ScmFaultKind.EmptyOk, ScmFaultKind.CommitThenFail,
        }, kinds);
        Assert.InRange(options.Faults.Where(f => f.Kind == ScmFaultKind.ServerError).Sum(f => f.PercentChance), 4.9, 5.1);
        Assert.Equal(2, options.Faults.Where(f => f.Kind == ScmFaultKind.TooManyRequests).Sum(f => f.PercentChance));
        Assert.True(options.RandomizeNotReadyStyle);
        Assert.Equal(5, options.MaxNotReadyPollsAfterIssue);
        Assert.True(options.NonSequentialIds);
    }
}
