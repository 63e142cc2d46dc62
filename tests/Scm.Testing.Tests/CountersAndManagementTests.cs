using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Scm.Testing.Tests;

public sealed class CountersTests
{
    private const string TokenA = "11111111111111111111111111111111";
    private const string TokenB = "22222222222222222222222222222222";

    [Fact]
    public async Task Counters_PerToken_PostsCountedEvenWhenRejectedBillableOnlyWhenCreated()
    {
        await using var f = await SimFixture.StartAsync();
        await f.EnrollAsync(edit: b => b["comments"] = $"first [scm-sdk:{TokenA}]");
        using (var rejected = await f.EnrollRawAsync(edit: b =>
        {
            b["comments"] = $"[scm-sdk:{TokenA}]";
            b["term"] = 1;
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        }

        await f.EnrollAsync("b.acme.example", b => b["comments"] = $"[scm-sdk:{TokenB}] and noise [scm-sdk:XYZ]");
        await f.EnrollAsync("c.acme.example", b => b["comments"] = "no marker");
        var c = f.Sim.Counters;
        Assert.Equal(4, c.EnrollPosts);
        Assert.Equal(3, c.BillableOrders);
        Assert.Equal(2, c.EnrollPostsFor(TokenA));
        Assert.Equal(1, c.BillableOrdersFor(TokenA));
        Assert.Equal(1, c.BillableOrdersFor(TokenB));
        Assert.Equal(0, c.BillableOrdersFor("33333333333333333333333333333333"));
        Assert.Equal(new Dictionary<string, long> { [TokenA] = 1, [TokenB] = 1 }, c.BillableOrdersByToken());
        Assert.Equal([TokenB], c.ExtractTokens($"x [scm-sdk:{TokenB}] [scm-sdk:{TokenB}]"));
        Assert.Empty(c.ExtractTokens("[scm-sdk:ABCDEF0123456789ABCDEF0123456789]"));

        c.Reset();
        Assert.Equal(0, c.EnrollPosts);
        Assert.Equal(0, c.BillableOrdersFor(TokenA));
        Assert.Empty(c.EnrollPostsByToken());
    }

    [Fact]
    public async Task Counters_CustomPattern_ExtractsConfiguredTokens()
    {
        await using var f = await SimFixture.StartAsync(o => o.CorrelationPattern = new Regex(@"ticket=(\d+)"));
        await f.EnrollAsync(edit: b => b["comments"] = "ticket=4711");
        Assert.Equal(1, f.Sim.Counters.BillableOrdersFor("4711"));
        Assert.Equal(1, f.Sim.Counters.EnrollPostsFor("4711"));
    }

    [Fact]
    public async Task RequestLog_Capped_KeepsNewestWithoutQueryOrSecrets()
    {
        await using var f = await SimFixture.StartAsync(o => o.RequestLogCapacity = 5);
        for (var i = 0; i < 8; i++)
        {
            using var response = await f.Http.GetAsync($"ssl/v1?commonName=secret-{i}&position={i}");
        }

        using (await f.Http.GetAsync("ssl/v1/424242"))
        {
        }

        var log = f.Sim.GetRequestLog();
        Assert.Equal(5, log.Count);
        Assert.All(log.Take(4), e => Assert.Equal("/api/ssl/v1", e.Path));
        Assert.Equal("/api/ssl/v1/424242", log[^1].Path);
        Assert.Equal(404, log[^1].StatusCode);
        Assert.Equal("GET", log[0].Method);
        Assert.Equal(SimFixture.Start, log[0].Time);
        var text = string.Join('\n', log.Select(e => e.ToString()));
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain(f.Sim.Credentials.Password, text, StringComparison.Ordinal);
        Assert.Equal(9, f.Sim.Counters.Requests);
        f.Sim.ClearRequestLog();
        Assert.Empty(f.Sim.GetRequestLog());
    }

    [Fact]
    public async Task InFlight_StalledRequest_CountedUntilItsClientLeaves_AnsweredOnesNot()
    {
        await using var f = await SimFixture.StartAsync();
        f.Sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/424242").Stall(TimeSpan.FromMinutes(5)).Once());
        Assert.Equal(0, f.Sim.Counters.InFlight);
        using var leave = new CancellationTokenSource();
        var stalled = f.Http.GetAsync("ssl/v1/424242", leave.Token);
        await WaitUntilAsync(() => f.Sim.Counters.InFlight == 1, "the stalled request was never in flight");

        // A request answered meanwhile is not in flight once its answer arrived; the stalled one still is.
        using (var answered = await f.Http.GetAsync("ssl/v1/424243"))
        {
            Assert.Equal(HttpStatusCode.NotFound, answered.StatusCode);
        }

        Assert.Equal(1, f.Sim.Counters.InFlight);
        Assert.Equal(2, f.Sim.Counters.Requests);

        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled);
        await WaitUntilAsync(() => f.Sim.Counters.InFlight == 0, "the abandoned request stayed in flight");
        f.Sim.Counters.Reset();
        Assert.Equal(0, f.Sim.Counters.InFlight);
    }

    /// <summary>Polls (real time, bounded to 10 s) until the condition holds: the server sees a request a moment after the client sent it.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), failure);
    }

    [Fact]
    public async Task RequestLog_ManagementCalls_NotLogged()
    {
        await using var f = await SimFixture.StartAsync();
        using var http = new HttpClient();
        using (await http.GetAsync(f.Sim.ManagementAddress + "/counters"))
        {
        }

        Assert.Empty(f.Sim.GetRequestLog());
        Assert.Equal(0, f.Sim.Counters.Requests);
    }
}

public sealed class ManagementApiTests : IAsyncLifetime
{
    private SimFixture _f = null!;
    private HttpClient _m = null!;

    public async Task InitializeAsync()
    {
        _f = await SimFixture.StartAsync(o => o.AutoApprovalDelay = TimeSpan.FromDays(1));
        _m = new HttpClient { BaseAddress = new Uri(_f.Sim.ManagementAddress + "/") };
    }

    public async Task DisposeAsync()
    {
        _m.Dispose();
        await _f.DisposeAsync();
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json = "{}")
        => _m.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Info_ReturnsAddressesSeedAndCredentials()
    {
        using var response = await _m.GetAsync("info");
        var info = await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(_f.Sim.BaseAddress.ToString(), info["baseAddress"]!.GetValue<string>());
        Assert.Equal(_f.Sim.TokenEndpoint.ToString(), info["tokenEndpoint"]!.GetValue<string>());
        Assert.Equal(4242, info["seed"]!.GetValue<int>());
        Assert.Equal(_f.Sim.Credentials.Password, info["credentials"]!["password"]!.GetValue<string>());
    }

    [Fact]
    public async Task Orders_ApproveDeclineRejectInvalidateIssue_OverHttp()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await _f.EnrollAsync($"m{i}.acme.example"));
        }

        string[] actions = ["approve", "decline", "reject", "invalidate", "issue"];
        string[] expected = ["Approved", "Declined", "Rejected", "Invalid", "Issued"];
        for (var i = 0; i < 5; i++)
        {
            using var response = await PostAsync($"orders/{ids[i]}/{actions[i]}", "{\"reason\":\"mgmt\"}");
            Assert.Equal(expected[i], (await Json.ReadAsync(response, HttpStatusCode.OK))["status"]!.GetValue<string>());
            Assert.Equal(expected[i], await _f.StatusAsync(ids[i]));
        }

        using var again = await PostAsync($"orders/{ids[1]}/approve");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        using var missing = await PostAsync("orders/5/approve");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var list = await _m.GetAsync("orders");
        Assert.Equal(5, ((JsonArray)await Json.ReadAsync(list, HttpStatusCode.OK)).Count);
        using var one = await _m.GetAsync($"orders/{ids[4]}");
        Assert.NotNull((await Json.ReadAsync(one, HttpStatusCode.OK))["serialNumber"]);
    }

    [Fact]
    public async Task TimeAdvance_OverHttp_MovesStages()
    {
        var id = await _f.EnrollAsync();
        using var advance = await PostAsync("time/advance", "{\"seconds\": 90000}");
        var now = (await Json.ReadAsync(advance, HttpStatusCode.OK))["now"]!.GetValue<DateTimeOffset>();
        Assert.Equal(SimFixture.Start.AddSeconds(90000), now);
        Assert.Equal("Issued", await _f.StatusAsync(id));
        using var duration = await PostAsync("time/advance", "{\"duration\": \"1.00:00:00\"}");
        Assert.Equal(SimFixture.Start.AddSeconds(90000).AddDays(1), (await Json.ReadAsync(duration, HttpStatusCode.OK))["now"]!.GetValue<DateTimeOffset>());
        using var bad = await PostAsync("time/advance", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Faults_AddListDeleteOverHttp_RuleFiresAsConfigured()
    {
        using var add = await PostAsync("faults", "{\"method\":\"GET\",\"path\":\"/ssl/*/types\",\"kind\":\"tooManyRequests\",\"retryAfter\":\"seconds\",\"retryAfterSeconds\":9,\"times\":2}");
        var rule = await Json.ReadAsync(add, HttpStatusCode.Created);
        var id = rule["id"]!.GetValue<string>();
        for (var i = 0; i < 2; i++)
        {
            using var throttled = await _f.Http.GetAsync("ssl/v1/types");
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal("9", throttled.Headers.GetValues("Retry-After").Single());
        }

        using var ok = await _f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var list = await _m.GetAsync("faults");
        var rules = (JsonArray)await Json.ReadAsync(list, HttpStatusCode.OK);
        Assert.Equal(2, rules.Single()!["hits"]!.GetValue<int>());
        using var delete = await _m.DeleteAsync($"faults/{id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty(_f.Sim.Faults);
        using var unknownKind = await PostAsync("faults", "{\"kind\":\"meteorStrike\"}");
        Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);
        using var noCode = await PostAsync("faults", "{\"kind\":\"scmError\"}");
        Assert.Equal(HttpStatusCode.BadRequest, noCode.StatusCode);
        using var fractional = await PostAsync("faults", "{\"kind\":\"scmError\",\"code\":-195.5}");
        Assert.Equal(HttpStatusCode.BadRequest, fractional.StatusCode);

        using var scmError = await PostAsync("faults", "{\"path\":\"/ssl/*/types\",\"kind\":\"scmError\",\"code\":-140,\"description\":\"CSR decoding temporarily unavailable\",\"times\":1}");
        var added = await Json.ReadAsync(scmError, HttpStatusCode.Created);
        Assert.Equal(-140, added["code"]!.GetValue<int>());
        Assert.Equal(400, added["status"]!.GetValue<int>());
        using var refused = await _f.Http.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(refused, HttpStatusCode.BadRequest, -140);
    }

    [Fact]
    public async Task Faults_PerRequestOverHttp_FiresOncePerDistinctRequestAndIsListed()
    {
        using var add = await PostAsync("faults", "{\"method\":\"GET\",\"path\":\"/ssl/*/types\",\"kind\":\"htmlErrorPage\",\"status\":502,\"perRequest\":1}");
        var rule = await Json.ReadAsync(add, HttpStatusCode.Created);
        Assert.Equal(1, rule["perRequest"]!.GetValue<int>());
        using (var failed = await _f.Http.GetAsync("ssl/v1/types"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        using (var ok = await _f.Http.GetAsync("ssl/v1/types"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var otherQuery = await _f.Http.GetAsync("ssl/v1/types?organizationId=2001"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, otherQuery.StatusCode);
        }

        using var list = await _m.GetAsync("faults");
        var listed = ((JsonArray)await Json.ReadAsync(list, HttpStatusCode.OK)).Single()!;
        Assert.Equal(2, listed["hits"]!.GetValue<int>());
        Assert.Equal(1, listed["perRequest"]!.GetValue<int>());
    }

    [Fact]
    public async Task Faults_CommitThenFailOverHttp_CountersShowTheOrder()
    {
        using (var add = await PostAsync("faults", "{\"method\":\"POST\",\"path\":\"/ssl/v1/enroll\",\"kind\":\"CommitThenFail\",\"commitFailure\":\"serverError\",\"percent\":100,\"times\":1}"))
        {
            Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        }

        using var enroll = await _f.EnrollRawAsync(edit: b => b["comments"] = "[scm-sdk:cccccccccccccccccccccccccccccccc]");
        Assert.Equal(HttpStatusCode.InternalServerError, enroll.StatusCode);
        using var counters = await _m.GetAsync("counters");
        var json = await Json.ReadAsync(counters, HttpStatusCode.OK);
        Assert.Equal(1, json["billableOrders"]!.GetValue<int>());
        Assert.Equal(1, json["billableOrdersByToken"]!["cccccccccccccccccccccccccccccccc"]!.GetValue<int>());
        Assert.Equal(1, json["enrollPostsByToken"]!["cccccccccccccccccccccccccccccccc"]!.GetValue<int>());
        using var requests = await _m.GetAsync("requests");
        var log = (JsonArray)await Json.ReadAsync(requests, HttpStatusCode.OK);
        Assert.Equal("CommitThenFail", log.Single()!["fault"]!.GetValue<string>());
        Assert.Equal(500, log.Single()!["status"]!.GetValue<int>());
        using var reset = await PostAsync("counters/reset");
        Assert.Equal(0, _f.Sim.Counters.BillableOrders);
    }

    [Fact]
    public async Task Credentials_RotateAndExpireOverHttp()
    {
        using (var expire = await PostAsync("credentials/expire"))
        {
            Assert.Equal(HttpStatusCode.NoContent, expire.StatusCode);
        }

        using (var refused = await _f.Http.GetAsync("ssl/v1/types"))
        {
            await Json.AssertErrorAsync(refused, HttpStatusCode.Unauthorized, -970);
        }

        using var rotate = await PostAsync("credentials/rotate");
        var info = await Json.ReadAsync(rotate, HttpStatusCode.OK);
        Assert.Equal(_f.Sim.Credentials.Password, info["credentials"]!["password"]!.GetValue<string>());
        SimFixture.SetHeaderAuth(_f.Http, _f.Sim.Credentials);
        using var ok = await _f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task DomainValidation_ToggledOverHttp_EnrollThenRefusedWithMinus737()
    {
        using (var put = await _m.PutAsJsonAsync("domains/acme.test/validation", new { status = "NOT_VALIDATED" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        using (var refused = await _f.EnrollRawAsync("www.acme.test"))
        {
            await Json.AssertErrorAsync(refused, HttpStatusCode.BadRequest, -737);
        }

        using (var domain = await _f.Http.GetAsync("domain/v1/3002"))
        {
            Assert.Equal("NOT_VALIDATED", (await Json.ReadAsync(domain, HttpStatusCode.OK))["validationStatus"]!.GetValue<string>());
        }

        using (var put = await _m.PutAsJsonAsync("domains/acme.test/validation", new { status = "VALIDATED" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        using var accepted = await _f.EnrollRawAsync("www.acme.test");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using var unknown = await _m.PutAsJsonAsync("domains/nowhere.example/validation", new { status = "VALIDATED" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task CaRoot_OverHttp_SameAsRootCertificate()
    {
        using var response = await _m.GetAsync("ca/root");
        using var root = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await response.Content.ReadAsStringAsync());
        Assert.Equal(_f.Sim.RootCertificate.Thumbprint, root.Thumbprint);
    }

    [Fact]
    public async Task UnknownManagementRoute_Returns404()
    {
        using var response = await _m.GetAsync("nothing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
