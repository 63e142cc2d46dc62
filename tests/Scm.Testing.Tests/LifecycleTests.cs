using System.Net;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Stages_FakeClockAdvances_RequestedApprovedAppliedIssuedWithDates()
    {
        await using var f = await SimFixture.StartAsync(o =>
        {
            o.AutoApprovalDelay = TimeSpan.FromMinutes(1);
            o.ApplyDelay = TimeSpan.FromMinutes(2);
            o.IssueDelay = TimeSpan.FromMinutes(3);
        });
        var id = await f.EnrollAsync();
        Assert.Equal("Requested", await f.StatusAsync(id));
        f.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("Requested", await f.StatusAsync(id));
        f.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Approved", await f.StatusAsync(id));
        f.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("Applied", await f.StatusAsync(id));
        using (var early = await f.Http.GetAsync($"ssl/v1/collect/{id}"))
        {
            await Json.AssertErrorAsync(early, HttpStatusCode.BadRequest, -183);
        }

        f.Advance(TimeSpan.FromMinutes(3));
        var details = await f.DetailsAsync(id);
        Assert.Equal("Issued", details["status"]!.GetValue<string>());
        Assert.Equal("06/02/2025", details["requested"]!.GetValue<string>());
        Assert.Equal("06/02/2025", details["issued"]!.GetValue<string>());
        Assert.Equal("06/02/2026", details["expires"]!.GetValue<string>());
        Assert.Equal(SimFixture.Start.AddMinutes(6), f.Sim.GetOrder(id)!.Issued);
    }

    [Fact]
    public async Task Stages_LongJumpInOneStep_ChainsAllTransitionsAtTheirOwnTimes()
    {
        await using var f = await SimFixture.StartAsync(o => o.IssueDelay = TimeSpan.FromHours(1));
        var id = await f.EnrollAsync();
        f.Advance(TimeSpan.FromDays(3));
        var order = f.Sim.GetOrder(id)!;
        Assert.Equal("Issued", order.Status);
        Assert.Equal(SimFixture.Start.AddSeconds(1).AddHours(1), order.Issued);
    }

    [Fact]
    public async Task ApprovalProfile_NoApproval_StaysRequestedUntilApproved()
    {
        await using var f = await SimFixture.StartAsync();
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var id = await f.EnrollAsync(edit: b =>
        {
            b["certType"] = 103;
            b["csr"] = Csr.Rsa("www.acme.example", rsa);
        });
        f.Advance(TimeSpan.FromDays(10));
        Assert.Equal("Requested", await f.StatusAsync(id));
        using (var approve = await f.PostJsonAsync($"ssl/v1/approve/{id}", new JsonObject { ["message"] = "ok" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, approve.StatusCode);
        }

        Assert.Equal("Approved", await f.StatusAsync(id));
        using (var again = await f.PostJsonAsync($"ssl/v1/approve/{id}", new JsonObject { ["message"] = "twice" }))
        {
            await Json.AssertErrorAsync(again, HttpStatusCode.BadRequest, -1112);
        }

        f.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("Issued", await f.StatusAsync(id));
        Assert.Equal("Sim Admin", (await f.DetailsAsync(id))["owner"]!.GetValue<string>());
    }

    [Fact]
    public async Task Decline_RequestedOrder_DeclinedAndNotCollectable()
    {
        await using var f = await SimFixture.StartAsync(o => o.AutoApprovalDelay = TimeSpan.FromHours(1));
        var id = await f.EnrollAsync();
        using (var decline = await f.PostJsonAsync($"ssl/v1/decline/{id}", new JsonObject { ["message"] = "no" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, decline.StatusCode);
        }

        var details = await f.DetailsAsync(id);
        Assert.Equal("Declined", details["status"]!.GetValue<string>());
        Assert.NotNull(details["declined"]);
        using var collect = await f.Http.GetAsync($"ssl/v1/collect/{id}");
        await Json.AssertErrorAsync(collect, HttpStatusCode.BadRequest, -183);
    }

    [Fact]
    public async Task Decline_IssuedOrder_ReturnsMinus1112()
    {
        await using var f = await SimFixture.StartAsync();
        var id = await f.EnrollIssuedAsync();
        using var decline = await f.PostJsonAsync($"ssl/v1/decline/{id}", new JsonObject { ["message"] = "late" });
        await Json.AssertErrorAsync(decline, HttpStatusCode.BadRequest, -1112);
    }

    [Fact]
    public async Task RejectAndInvalidate_PendingOrders_TerminalStates()
    {
        await using var f = await SimFixture.StartAsync();
        var a = await f.EnrollAsync("a.acme.example");
        var b = await f.EnrollAsync("b.acme.example");
        f.Sim.Reject(a, "CA said no");
        f.Sim.Invalidate(b);
        f.Advance(TimeSpan.FromHours(1));
        Assert.Equal("Rejected", await f.StatusAsync(a));
        Assert.Equal("Invalid", await f.StatusAsync(b));
        Assert.Equal("CA said no", f.Sim.GetOrder(a)!.StatusReason);
    }

    [Fact]
    public async Task Reject_IssuedOrder_Throws()
    {
        await using var f = await SimFixture.StartAsync();
        var id = await f.EnrollIssuedAsync();
        Assert.Throws<InvalidOperationException>(() => f.Sim.Reject(id));
        Assert.Throws<KeyNotFoundException>(() => f.Sim.Reject(999_999));
    }

    [Fact]
    public async Task Expiry_TimePassesNotAfter_StatusExpiredButStillCollectable()
    {
        await using var f = await SimFixture.StartAsync();
        var id = await f.EnrollIssuedAsync();
        f.Advance(TimeSpan.FromDays(364));
        Assert.Equal("Issued", await f.StatusAsync(id));
        f.Advance(TimeSpan.FromDays(2));
        Assert.Equal("Expired", await f.StatusAsync(id));
        using var collect = await f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        Assert.Equal(HttpStatusCode.OK, collect.StatusCode);
    }

    [Fact]
    public async Task CertificateLifetime_Set_OverridesTermAndExpiresInMinutes()
    {
        await using var f = await SimFixture.StartAsync(o => o.CertificateLifetime = TimeSpan.FromMinutes(5));
        var id = await f.EnrollIssuedAsync();
        using var collect = await f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        using var cert = Pem.Certificates(await collect.Content.ReadAsStringAsync())[0];
        Assert.Equal(TimeSpan.FromMinutes(5), cert.NotAfter - cert.NotBefore);
        f.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("Expired", await f.StatusAsync(id));
    }

    [Theory]
    [InlineData(ScmNotReadyStyle.NotCollectable, -183, "Certificate is not collectable.")]
    [InlineData(ScmNotReadyStyle.BeingProcessed, 0, "Being processed by Sectigo")]
    [InlineData(ScmNotReadyStyle.RequestBeingProcessed, -1400, "The request is being processed by Sectigo.")]
    public async Task Collect_BeforeIssuance_AnswersConfiguredNotReadyStyle(ScmNotReadyStyle style, int code, string description)
    {
        await using var f = await SimFixture.StartAsync(o => o.NotReadyStyle = style);
        var id = await f.EnrollAsync();
        using var collect = await f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        Assert.Equal(HttpStatusCode.BadRequest, collect.StatusCode);
        var json = JsonNode.Parse(await collect.Content.ReadAsStringAsync())!;
        Assert.Equal(code, json["code"]!.GetValue<int>());
        Assert.Equal(description, json["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Collect_MaxNotReadyPolls_AnswersNotReadyAtMostNTimesAfterIssue()
    {
        await using var f = await SimFixture.StartAsync(o => o.MaxNotReadyPollsAfterIssue = 3);
        var notReadyCounts = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            var id = await f.EnrollIssuedAsync($"n{i}.acme.example");
            var notReady = 0;
            while (true)
            {
                using var collect = await f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
                if (collect.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                notReady++;
                Assert.True(notReady <= 3, "more not-ready answers than configured");
            }

            notReadyCounts.Add(notReady);
        }

        Assert.Contains(notReadyCounts, n => n > 0);
    }

    [Fact]
    public async Task DcvToggle_DomainInvalidatedWhileApplied_HeldUntilRevalidated()
    {
        await using var f = await SimFixture.StartAsync();
        var id = await f.EnrollAsync();
        f.Sim.SetDomainValidation("acme.example", ScmSimulatorDomainValidation.NotValidated);
        f.Advance(TimeSpan.FromHours(5));
        Assert.Equal("Applied", await f.StatusAsync(id));
        f.Sim.SetDomainValidation("acme.example", ScmSimulatorDomainValidation.Validated);
        Assert.Equal("Applied", await f.StatusAsync(id));
        f.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Issued", await f.StatusAsync(id));
    }

    [Fact]
    public async Task IssueNow_PendingApproval_IssuedImmediately()
    {
        await using var f = await SimFixture.StartAsync(o => o.ApplyDelay = TimeSpan.FromDays(1));
        var id = await f.EnrollAsync();
        f.Sim.IssueNow(id);
        Assert.Equal("Issued", await f.StatusAsync(id));
    }

    [Fact]
    public async Task AdvanceTime_SystemClock_OffsetMovesStages()
    {
        await using var f = await SimFixture.StartAsync(o => o.IssueDelay = TimeSpan.FromHours(2), fakeClock: false);
        var id = await f.EnrollAsync();
        Assert.NotEqual("Issued", await f.StatusAsync(id));
        f.Sim.AdvanceTime(TimeSpan.FromHours(3));
        Assert.Equal("Issued", await f.StatusAsync(id));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.Sim.AdvanceTime(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Details_UnknownId_Returns404WithScmBody()
    {
        await using var f = await SimFixture.StartAsync();
        using var response = await f.Http.GetAsync("ssl/v1/424242");
        await Json.AssertErrorAsync(response, HttpStatusCode.NotFound, -124);
    }

    [Fact]
    public async Task Details_IssuedOrder_HasFullShapeAndOmitsAbsentFields()
    {
        await using var f = await SimFixture.StartAsync();
        var id = await f.EnrollIssuedAsync(edit: b => b["subjAltNames"] = "www.acme.example,api.acme.example");
        var d = await f.DetailsAsync(id);
        Assert.Equal(id, d["sslId"]!.GetValue<long>());
        Assert.Equal(id, d["id"]!.GetValue<long>());
        Assert.Equal("www.acme.example", d["commonName"]!.GetValue<string>());
        Assert.Equal(101, d["certType"]!["id"]!.GetValue<int>());
        Assert.Equal("P-256", d["certType"]!["keyTypes"]!["EC"]![0]!.GetValue<string>());
        Assert.Equal(["www.acme.example", "api.acme.example"], d["subjectAlternativeNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Matches("^([0-9A-F]{2}:){15}[0-9A-F]{2}$", d["serialNumber"]!.GetValue<string>());
        Assert.Equal("dNSName=www.acme.example, dNSName=api.acme.example", d["certificateDetails"]!["subjectAltNames"]!.GetValue<string>());
        Assert.StartsWith("CN=Scm.Testing Issuing CA,O=Scm.Testing Simulator", d["certificateDetails"]!["issuer"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("CN=www.acme.example,O=Acme Corporation,L=Salford,ST=Greater Manchester,C=GB", d["certificateDetails"]!["subject"]!.GetValue<string>());
        Assert.Equal("Not scheduled", d["autoRenewDetails"]!["state"]!.GetValue<string>());
        Assert.Equal("Web API", d["requestedVia"]!.GetValue<string>());
        Assert.Equal("Cost Center", d["customFields"]![0]!["name"]!.GetValue<string>());
        Assert.False(d["renewed"]!.GetValue<bool>());
        Assert.Null(d["revoked"]);
        Assert.Null(d["declined"]);
        Assert.Null(d["reasonCode"]);
        Assert.Matches(@"^\d{2}/\d{2}/\d{4}$", d["expires"]!.GetValue<string>());
        Assert.Equal(d["orderNumber"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), d["backendCertId"]!.GetValue<string>());
    }
}
