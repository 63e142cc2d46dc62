using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

public sealed class RevokeRenewTests : IAsyncLifetime
{
    private const string Token = "0123456789abcdef0123456789abcdef";
    private SimFixture _f = null!;

    public async Task InitializeAsync() => _f = await SimFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task RevokeById_Issued_204ThenMinus159AndCollectMinus110()
    {
        var id = await _f.EnrollIssuedAsync();
        using (var revoke = await _f.PostJsonAsync($"ssl/v1/revoke/{id}", new JsonObject { ["reasonCode"] = 4, ["reason"] = "superseded" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var d = await _f.DetailsAsync(id);
        Assert.Equal("Revoked", d["status"]!.GetValue<string>());
        Assert.Equal(4, d["reasonCode"]!.GetValue<int>());
        Assert.NotNull(d["revoked"]);
        using (var again = await _f.PostJsonAsync($"ssl/v1/revoke/{id}", new JsonObject { ["reason"] = "again" }))
        {
            await Json.AssertErrorAsync(again, HttpStatusCode.BadRequest, -159);
        }

        using var collect = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509");
        await Json.AssertErrorAsync(collect, HttpStatusCode.BadRequest, -110);
    }

    [Fact]
    public async Task RevokeById_NotIssued_ReturnsMinus102()
    {
        var id = await _f.EnrollAsync();
        using var revoke = await _f.PostJsonAsync($"ssl/v1/revoke/{id}", new JsonObject { ["reason"] = "early" });
        await Json.AssertErrorAsync(revoke, HttpStatusCode.BadRequest, -102);
    }

    [Theory]
    [InlineData("{\"reasonCode\":2,\"reason\":\"ca compromise\"}", -1601)]
    [InlineData("{\"reasonCode\":\"9\",\"reason\":\"x\"}", -1601)]
    [InlineData("{\"reasonCode\":1}", -7)]
    [InlineData("{\"reasonCode\":[1],\"reason\":\"x\"}", -1002)]
    public async Task RevokeById_BadReason_Rejected(string body, int code)
    {
        var id = await _f.EnrollIssuedAsync();
        using var revoke = await _f.PostJsonAsync($"ssl/v1/revoke/{id}", body);
        await Json.AssertErrorAsync(revoke, HttpStatusCode.BadRequest, code);
        Assert.Equal("Issued", await _f.StatusAsync(id));
    }

    [Fact]
    public async Task RevokeById_ReasonCodeAsString_Accepted()
    {
        var id = await _f.EnrollIssuedAsync();
        using var revoke = await _f.PostJsonAsync($"ssl/v1/revoke/{id}", "{\"reasonCode\":\"1\",\"reason\":\"key compromise\"}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(1, (await _f.DetailsAsync(id))["reasonCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task RevokeBySerial_ColonHexSerial_Revoked()
    {
        var id = await _f.EnrollIssuedAsync();
        var serial = (await _f.DetailsAsync(id))["serialNumber"]!.GetValue<string>();
        using var revoke = await _f.PostJsonAsync($"ssl/v1/revoke/serial/{Uri.EscapeDataString(serial)}", new JsonObject { ["reasonCode"] = 0, ["reason"] = "x" });
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal("Revoked", await _f.StatusAsync(id));
        using var unknown = await _f.PostJsonAsync("ssl/v1/revoke/serial/AB:CD", new JsonObject { ["reason"] = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task RevokeManual_ByCertId_MarksRevokedWithGivenDate()
    {
        var id = await _f.EnrollIssuedAsync();
        using var revoke = await _f.PostJsonAsync("ssl/v1/revoke/manual", new JsonObject
        {
            ["certId"] = id,
            ["revokeDate"] = "2025-05-21T12:24:27.916+00:00",
            ["reasonCode"] = 4,
        });
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var d = await _f.DetailsAsync(id);
        Assert.Equal("Revoked", d["status"]!.GetValue<string>());
        Assert.Equal("05/21/2025", d["revoked"]!.GetValue<string>());
        using var neither = await _f.PostJsonAsync("ssl/v1/revoke/manual", new JsonObject { ["reasonCode"] = 4 });
        await Json.AssertErrorAsync(neither, HttpStatusCode.BadRequest, -951);
    }

    [Fact]
    public async Task RenewById_Issued_NewSslIdOldMarkedRenewedCommentsCopiedAndCounted()
    {
        var id = await _f.EnrollIssuedAsync(edit: b => b["comments"] = $"renew me [scm-sdk:{Token}]");
        using var response = await _f.PostJsonAsync($"ssl/v1/renewById/{id}", "{}");
        var newId = (await Json.ReadAsync(response, HttpStatusCode.OK))["sslId"]!.GetValue<long>();
        Assert.NotEqual(id, newId);
        var old = await _f.DetailsAsync(id);
        Assert.True(old["renewed"]!.GetValue<bool>());
        Assert.Equal("06/02/2025", old["renewedDate"]!.GetValue<string>());
        var renewal = await _f.DetailsAsync(newId);
        Assert.Equal($"renew me [scm-sdk:{Token}]", renewal["comments"]!.GetValue<string>());
        Assert.Equal(2, _f.Sim.Counters.BillableOrdersFor(Token));
        Assert.Equal(1, _f.Sim.Counters.EnrollPostsFor(Token));
        Assert.Equal(1, _f.Sim.Counters.RenewalOrdersFor(id));
        Assert.Equal(id, _f.Sim.GetOrder(newId)!.RenewedFromSslId);
        _f.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("Issued", await _f.StatusAsync(newId));
    }

    [Fact]
    public async Task RenewById_NewCsr_RenewalUsesNewKey()
    {
        var id = await _f.EnrollIssuedAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var response = await _f.PostJsonAsync($"ssl/v1/renewById/{id}", new JsonObject { ["csr"] = Csr.Ec("www.acme.example", key) });
        var newId = (await Json.ReadAsync(response, HttpStatusCode.OK))["sslId"]!.GetValue<long>();
        _f.Advance(TimeSpan.FromSeconds(5));
        using var cert = _f.Sim.GetOrder(newId)!.GetCertificate()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), cert.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    public async Task RenewById_EmptyOrEmptyObjectBody_Accepted(string body)
    {
        var id = await _f.EnrollIssuedAsync();
        using var response = await _f.PostJsonAsync($"ssl/v1/renewById/{id}", body);
        await Json.ReadAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task RenewById_BareEmptyStringBody_ReturnsMinus1002()
    {
        var id = await _f.EnrollIssuedAsync();
        using var response = await _f.PostJsonAsync($"ssl/v1/renewById/{id}", "\"\"");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1002);
        Assert.Equal(0, _f.Sim.Counters.RenewalOrdersFor(id));
    }

    [Fact]
    public async Task RenewById_ProfileForbidsRenewal_ReturnsMinus180()
    {
        var id = await _f.EnrollIssuedAsync(edit: b =>
        {
            b["certType"] = 104;
            b["term"] = 90;
        });
        using var response = await _f.PostJsonAsync($"ssl/v1/renewById/{id}", "{}");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -180);
    }

    [Fact]
    public async Task RenewById_NotYetIssued_ReturnsMinus105()
    {
        var id = await _f.EnrollAsync();
        using var response = await _f.PostJsonAsync($"ssl/v1/renewById/{id}", "{}");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -105);
    }

    [Fact]
    public async Task RenewByRenewId_Valid_204AndNewOrderCreated()
    {
        using var enroll = await _f.EnrollRawAsync();
        var json = await Json.ReadAsync(enroll, HttpStatusCode.OK);
        var id = json["sslId"]!.GetValue<long>();
        _f.Advance(TimeSpan.FromSeconds(5));
        using var renew = await _f.PostJsonAsync($"ssl/v1/renew/{json["renewId"]!.GetValue<string>()}", "");
        Assert.Equal(HttpStatusCode.NoContent, renew.StatusCode);
        Assert.Equal(1, _f.Sim.Counters.RenewalOrdersFor(id));
        Assert.Equal(2, _f.Sim.GetOrders().Count);
        using var unknown = await _f.PostJsonAsync("ssl/v1/renew/NOPE", "");
        await Json.AssertErrorAsync(unknown, HttpStatusCode.BadRequest, -123);
    }

    [Fact]
    public async Task RenewManual_LinksOrder_MarkedRenewedWithoutNewOrder()
    {
        var a = await _f.EnrollIssuedAsync("a.acme.example");
        var b = await _f.EnrollIssuedAsync("b.acme.example");
        using var response = await _f.PostJsonAsync($"ssl/v1/renew/manual/{a}", new JsonObject { ["id"] = b });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True((await _f.DetailsAsync(a))["renewed"]!.GetValue<bool>());
        Assert.Equal(0, _f.Sim.Counters.RenewalOrdersFor(a));
        using var missing = await _f.PostJsonAsync($"ssl/v1/renew/manual/{a}", "{}");
        await Json.AssertErrorAsync(missing, HttpStatusCode.BadRequest, -951);
    }

    [Fact]
    public async Task AutoRenew_ScheduledViaPut_SimulatorCreatesRenewalInWindow()
    {
        var id = await _f.EnrollIssuedAsync(edit: b => b["comments"] = $"[scm-sdk:{Token}]");
        using (var put = await _f.Http.PutAsync("ssl/v1", new StringContent(
            new JsonObject { ["sslId"] = id, ["autoRenewDetails"] = new JsonObject { ["state"] = "Scheduled", ["daysBeforeExpiration"] = 30 } }.ToJsonString(),
            System.Text.Encoding.UTF8, "application/json")))
        {
            var updated = await Json.ReadAsync(put, HttpStatusCode.OK);
            Assert.Equal("Scheduled", updated["autoRenewDetails"]!["state"]!.GetValue<string>());
            Assert.Equal(30, updated["autoRenewDetails"]!["daysBeforeExpiration"]!.GetValue<int>());
        }

        _f.Advance(TimeSpan.FromDays(334));
        Assert.Equal(0, _f.Sim.Counters.RenewalOrdersFor(id));
        Assert.False((await _f.DetailsAsync(id))["renewed"]!.GetValue<bool>());
        _f.Advance(TimeSpan.FromDays(2));
        var old = await _f.DetailsAsync(id);
        Assert.True(old["renewed"]!.GetValue<bool>());
        Assert.Equal("Successful", old["autoRenewDetails"]!["state"]!.GetValue<string>());
        Assert.Equal(1, _f.Sim.Counters.RenewalOrdersFor(id));
        Assert.Equal(2, _f.Sim.Counters.BillableOrdersFor(Token));
        var renewal = _f.Sim.GetOrders().Single(o => o.RenewedFromSslId == id);
        Assert.Equal("Issued", renewal.Status);
    }

    [Fact]
    public async Task Replace_Issued_SameSslIdNewCertificateAfterStages()
    {
        var id = await _f.EnrollIssuedAsync();
        var firstSerial = (await _f.DetailsAsync(id))["serialNumber"]!.GetValue<string>();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var replace = await _f.PostJsonAsync($"ssl/v1/replace/{id}", new JsonObject
        {
            ["csr"] = Csr.Ec("www.acme.example", key),
            ["reason"] = "key rotation",
            ["commonName"] = "www.acme.example",
            ["subjectAlternativeNames"] = new JsonArray("www.acme.example", "new.acme.example"),
        }))
        {
            Assert.Equal(HttpStatusCode.NoContent, replace.StatusCode);
        }

        Assert.NotEqual("Issued", await _f.StatusAsync(id));
        using (var pending = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO"))
        {
            await Json.AssertErrorAsync(pending, HttpStatusCode.BadRequest, -183);
        }

        _f.Advance(TimeSpan.FromSeconds(5));
        var d = await _f.DetailsAsync(id);
        Assert.Equal("Issued", d["status"]!.GetValue<string>());
        Assert.NotEqual(firstSerial, d["serialNumber"]!.GetValue<string>());
        Assert.NotNull(d["replaced"]);
        Assert.Equal(["www.acme.example", "new.acme.example"], d["subjectAlternativeNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        using var cert = _f.Sim.GetOrder(id)!.GetCertificate()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), cert.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(0, _f.Sim.Counters.RenewalOrdersFor(id));
    }

    [Fact]
    public async Task Replace_SansAsCommaString_ReturnsMinus1002()
    {
        var id = await _f.EnrollIssuedAsync();
        using var replace = await _f.PostJsonAsync($"ssl/v1/replace/{id}", new JsonObject
        {
            ["csr"] = Csr.Ec("www.acme.example"),
            ["reason"] = "x",
            ["subjectAlternativeNames"] = "www.acme.example,new.acme.example",
        });
        await Json.AssertErrorAsync(replace, HttpStatusCode.BadRequest, -1002);
    }

    [Fact]
    public async Task Replace_NotIssued_ReturnsMinus130()
    {
        var id = await _f.EnrollAsync();
        using var replace = await _f.PostJsonAsync($"ssl/v1/replace/{id}", new JsonObject { ["csr"] = Csr.Ec("www.acme.example"), ["reason"] = "x" });
        await Json.AssertErrorAsync(replace, HttpStatusCode.BadRequest, -130);
    }

    [Fact]
    public async Task Update_CommentsOnIssued_ChangedAndReturnsDetails()
    {
        var id = await _f.EnrollIssuedAsync();
        using var put = await _f.Http.PutAsync("ssl/v1", new StringContent(
            new JsonObject { ["sslId"] = id, ["comments"] = "edited", ["suspendNotifications"] = true }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var d = await Json.ReadAsync(put, HttpStatusCode.OK);
        Assert.Equal("edited", d["comments"]!.GetValue<string>());
        Assert.True(d["suspendNotifications"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Update_TermOnIssued_RejectedNotEditable()
    {
        var id = await _f.EnrollIssuedAsync();
        using var put = await _f.Http.PutAsync("ssl/v1", new StringContent(
            new JsonObject { ["sslId"] = id, ["term"] = 730 }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        await Json.AssertErrorAsync(put, HttpStatusCode.BadRequest, -1601);
        Assert.Equal(365, (await _f.DetailsAsync(id))["term"]!.GetValue<int>());
    }

    [Fact]
    public async Task Update_TermOnRequested_Changed()
    {
        await using var f = await SimFixture.StartAsync(o => o.AutoApprovalDelay = TimeSpan.FromHours(1));
        var id = await f.EnrollAsync();
        using var put = await f.Http.PutAsync("ssl/v1", new StringContent(
            new JsonObject { ["sslId"] = id, ["term"] = 730, ["subjectAlternativeNames"] = new JsonArray("www.acme.example", "x.acme.test") }.ToJsonString(),
            System.Text.Encoding.UTF8, "application/json"));
        var d = await Json.ReadAsync(put, HttpStatusCode.OK);
        Assert.Equal(730, d["term"]!.GetValue<int>());
        Assert.Equal(2, d["subjectAlternativeNames"]!.AsArray().Count);
        using var bad = await f.Http.PutAsync("ssl/v1", new StringContent(
            new JsonObject { ["sslId"] = id, ["term"] = 5 }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        await Json.AssertErrorAsync(bad, HttpStatusCode.BadRequest, -36);
    }

    [Fact]
    public async Task Update_MissingSslId_ReturnsMinus7()
    {
        using var put = await _f.Http.PutAsync("ssl/v1", new StringContent("{\"comments\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        await Json.AssertErrorAsync(put, HttpStatusCode.BadRequest, -7);
    }
}
