using System.Net;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

/// <summary>The simulator's <c>/dcv</c> wire shapes per vendor version, independent of the SDK client.</summary>
public sealed class DcvSimulatorTests
{
    [Fact]
    public async Task Rest25_5_ServesV1AndTheV2Status_NoTxtStart_NoV2List()
    {
        await using var f = await SimFixture.StartAsync();

        using var list = await f.Http.GetAsync("dcv/v1/validation?size=2&position=0&domain=&org=&department=&dcvStatus=&orderStatus=&expiresIn=");
        var rows = (JsonArray)await Json.ReadAsync(list, HttpStatusCode.OK);
        using var v2List = await f.Http.GetAsync("dcv/v2/validation");
        using var txtStart = await f.PostJsonAsync("dcv/v1/validation/start/domain/txt", """{"domain":"acme.example"}""");
        using var status = await f.PostJsonAsync("dcv/v2/validation/status", """{"domain":"acme.example"}""");
        var body = (JsonObject)await Json.ReadAsync(status, HttpStatusCode.OK);

        Assert.Equal("7", list.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(2, rows.Count);
        Assert.Equal(["domain", "dcvStatus", "dcvMethod", "dcvOrderStatus", "expirationDate"], ((JsonObject)rows[0]!).Select(p => p.Key));
        Assert.Equal(HttpStatusCode.NotFound, v2List.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, txtStart.StatusCode);
        Assert.Equal("VALIDATED", body["status"]!.GetValue<string>());
        Assert.Equal("NOT_INITIATED", body["orderStatus"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", body["expirationDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admin25_9_ServesV2Only_TxtStartAnswersAMessage_DisplayFilterValues()
    {
        await using var f = await SimFixture.StartAsync(o => o.ApiVersion = ScmSimulatorApiVersion.Admin25_9);

        using var v1 = await f.PostJsonAsync("dcv/v1/validation/start/domain/cname", """{"domain":"acme.example"}""");
        using var txt = await f.PostJsonAsync("dcv/v2/validation/start/domain/txt", """{"domain":"acme.example"}""");
        using var display = await f.Http.GetAsync("dcv/v2/validation?dcvStatus=Not%20validated");
        var rows = (JsonArray)await Json.ReadAsync(display, HttpStatusCode.OK);
        using var snake = await f.Http.GetAsync("dcv/v2/validation?dcvStatus=NOT_VALIDATED");

        Assert.Equal(HttpStatusCode.NotFound, v1.StatusCode);
        Assert.Contains("submit directly", ((JsonObject)await Json.ReadAsync(txt, HttpStatusCode.OK))["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("pending-dcv.example", Assert.Single(rows)!["domain"]!.GetValue<string>());
        await Json.AssertErrorAsync(snake, HttpStatusCode.BadRequest, -1601);
    }

    [Fact]
    public async Task StartCname_ThenSubmitWithoutRecord_Answers1603_AndTheStartIsKept()
    {
        var zone = new ScmSimulatorDnsZone();
        await using var f = await SimFixture.StartAsync(o => o.DnsResolver = zone);

        using var start = await f.PostJsonAsync("dcv/v1/validation/start/domain/cname", """{"domain":"pending-dcv.example"}""");
        var challenge = (JsonObject)await Json.ReadAsync(start, HttpStatusCode.OK);
        using var again = await f.PostJsonAsync("dcv/v1/validation/start/domain/cname", """{"domain":"pending-dcv.example"}""");
        var same = (JsonObject)await Json.ReadAsync(again, HttpStatusCode.OK);
        using var refused = await f.PostJsonAsync("dcv/v1/validation/submit/domain/cname", """{"domain":"pending-dcv.example"}""");
        await Json.AssertErrorAsync(refused, HttpStatusCode.BadRequest, -1603);
        zone.Set(challenge["host"]!.GetValue<string>(), ScmSimulatorDnsRecordType.Cname, challenge["point"]!.GetValue<string>().TrimEnd('.'));
        using var accepted = await f.PostJsonAsync("dcv/v1/validation/submit/domain/cname", """{"domain":"pending-dcv.example"}""");
        var result = (JsonObject)await Json.ReadAsync(accepted, HttpStatusCode.OK);
        using var details = await f.Http.GetAsync("domain/v1/3003");
        var domain = (JsonObject)await Json.ReadAsync(details, HttpStatusCode.OK);

        Assert.Equal(challenge.ToJsonString(), same.ToJsonString());
        Assert.Equal("VALIDATED", result["status"]!.GetValue<string>());
        Assert.Equal("SUBMITTED", result["orderStatus"]!.GetValue<string>());
        Assert.Equal("Submitted successfully", result["message"]!.GetValue<string>());
        Assert.Equal("VALIDATED", domain["validationStatus"]!.GetValue<string>());
        Assert.Equal("2025-06-02", domain["dcvValidation"]!.GetValue<string>());
        Assert.Equal("2026-07-05", domain["dcvExpiration"]!.GetValue<string>()); // 398 days
    }

    [Fact]
    public async Task SetDomainValidation_UsesTheValidityPeriod_AndExpiresWithTheClockWhenEnforced()
    {
        await using var f = await SimFixture.StartAsync(o =>
        {
            o.EnforceDcvExpiry = true;
            o.DcvValidityPeriod = TimeSpan.FromDays(10);
        });
        f.Sim.SetDomainValidation("pending-dcv.example", ScmSimulatorDomainValidation.Validated);

        using var before = await f.PostJsonAsync("dcv/v2/validation/status", """{"domain":"pending-dcv.example"}""");
        var validated = (JsonObject)await Json.ReadAsync(before, HttpStatusCode.OK);
        f.Advance(TimeSpan.FromDays(10));
        using var after = await f.PostJsonAsync("dcv/v2/validation/status", """{"domain":"pending-dcv.example"}""");
        var expired = (JsonObject)await Json.ReadAsync(after, HttpStatusCode.OK);
        using var seeded = await f.PostJsonAsync("dcv/v2/validation/status", """{"domain":"expired-dcv.example"}""");

        Assert.Equal("VALIDATED", validated["status"]!.GetValue<string>());
        Assert.Equal("2025-06-12", validated["expirationDate"]!.GetValue<string>());
        Assert.Equal("EXPIRED", expired["status"]!.GetValue<string>());
        Assert.Equal("EXPIRED", ((JsonObject)await Json.ReadAsync(seeded, HttpStatusCode.OK))["status"]!.GetValue<string>());
    }
}
