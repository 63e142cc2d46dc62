using System.Net;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

/// <summary>
/// The simulator answers as the configured vendor document (REST API 25.5 or Admin API 25.9) and refuses what that
/// document does not list, the way SCM refuses a request (400 with -1601, 404 for a path, 405 for a verb); plus the
/// endpoints issue 14 adds: password change, custom fields v2, organization validations (-843), the SSL report.
/// </summary>
public sealed class VendorVersionTests
{
    private static Task<SimFixture> Start(ScmSimulatorApiVersion version = ScmSimulatorApiVersion.Rest25_5, Action<ScmSimulatorOptions>? configure = null) =>
        SimFixture.StartAsync(o =>
        {
            o.ApiVersion = version;
            configure?.Invoke(o);
        });

    // ---------------------------------------------------------------- list filters

    [Theory]
    [InlineData(ScmSimulatorApiVersion.Rest25_5)]
    [InlineData(ScmSimulatorApiVersion.Admin25_9)]
    public async Task DomainList_StateInUpperCase_RefusedAsScmRefusesIt(ScmSimulatorApiVersion version)
    {
        await using var f = await Start(version);

        foreach (var value in new[] { "ACTIVE", "SUSPENDED", "Active" })
        {
            using var refused = await f.Http.GetAsync("domain/v1?state=" + value);
            await Json.AssertErrorAsync(refused, HttpStatusCode.BadRequest, -1601);
        }

        using var active = await f.Http.GetAsync("domain/v1?state=active");
        Assert.Equal(6, ((JsonArray)await Json.ReadAsync(active, HttpStatusCode.OK)).Count);
        using var inactive = await f.Http.GetAsync("domain/v1?state=inactive");
        Assert.Equal("suspended.example", ((JsonArray)await Json.ReadAsync(inactive, HttpStatusCode.OK)).Single()!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "status=SAApproved", "status=SA%20Approved")]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "status=SA%20Approved", "status=SAApproved")]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "installStatus=KEY_READY", "installStatus=Key%20and%20CSR%20ready")]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "installStatus=Key%20and%20CSR%20ready", "installStatus=KEY_READY")]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "renewalStatus=NOT_SCHEDULED", "renewalStatus=Not%20scheduled")]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "renewalStatus=Not%20scheduled", "renewalStatus=NOT_SCHEDULED")]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "requestedVia=WEB_FORM", "requestedVia=Enrollment%20Form")]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "requestedVia=Enrollment%20Form", "requestedVia=WEB_FORM")]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "status=Unmanaged", "status=issued")]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "status=Issued", "status=Unmanaged")]
    public async Task SslList_EnumeratedFilter_OnlyTheVersionsSpellingIsAccepted(ScmSimulatorApiVersion version, string accepted, string refused)
    {
        await using var f = await Start(version);

        using var ok = await f.Http.GetAsync("ssl/v1?" + accepted);
        using var bad = await f.Http.GetAsync("ssl/v1?" + refused);
        using var head = await f.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "ssl/v1?" + refused));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Json.AssertErrorAsync(bad, HttpStatusCode.BadRequest, -1601);
        Assert.Equal(HttpStatusCode.BadRequest, head.StatusCode);
    }

    [Fact]
    public async Task SslList_FiltersSelectRows_InEitherVersionsSpelling()
    {
        await using var rest = await Start();
        await using var admin = await Start(ScmSimulatorApiVersion.Admin25_9);
        foreach (var f in new[] { rest, admin })
        {
            _ = await f.EnrollIssuedAsync("via.acme.example");
        }

        async Task<int> Count(SimFixture f, string query)
        {
            using var response = await f.Http.GetAsync("ssl/v1?" + query);
            return ((JsonArray)await Json.ReadAsync(response, HttpStatusCode.OK)).Count;
        }

        Assert.Equal(1, await Count(rest, "requestedVia=API"));
        Assert.Equal(0, await Count(rest, "requestedVia=WEB_FORM"));
        Assert.Equal(1, await Count(admin, "requestedVia=Web%20API"));
        Assert.Equal(1, await Count(rest, "installStatus=NONE"));
        Assert.Equal(0, await Count(rest, "installStatus=COMPLETED"));
        Assert.Equal(1, await Count(admin, "installStatus=Not%20configured"));
        Assert.Equal(0, await Count(rest, "status=Unmanaged"));
    }

    [Fact]
    public async Task SslList_Sha256Hash_FiltersUnderAdmin25_9_IsNoFilterUnderRest25_5()
    {
        await using var rest = await Start();
        await using var admin = await Start(ScmSimulatorApiVersion.Admin25_9);
        foreach (var f in new[] { rest, admin })
        {
            _ = await f.EnrollIssuedAsync("hash.acme.example");
        }

        using var restRows = await rest.Http.GetAsync("ssl/v1?sha256Hash=00");
        using var adminRows = await admin.Http.GetAsync("ssl/v1?sha256Hash=00");

        Assert.Single((JsonArray)await Json.ReadAsync(restRows, HttpStatusCode.OK));
        Assert.Empty((JsonArray)await Json.ReadAsync(adminRows, HttpStatusCode.OK));
    }

    [Fact]
    public async Task SslList_PageCappedBelowTheRequestedSize_TotalSaysMoreRowsFollow()
    {
        await using var f = await Start(configure: o => o.MaxPageSize = 3);
        for (var i = 0; i < 5; i++)
        {
            _ = await f.EnrollAsync($"page{i}.acme.example");
        }

        using var first = await f.Http.GetAsync("ssl/v1?size=200&position=0");
        using var second = await f.Http.GetAsync("ssl/v1?size=200&position=3");

        Assert.Equal(3, ((JsonArray)await Json.ReadAsync(first, HttpStatusCode.OK)).Count);
        Assert.Equal("5", first.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(2, ((JsonArray)await Json.ReadAsync(second, HttpStatusCode.OK)).Count);
    }

    [Theory]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, HttpStatusCode.BadRequest)]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, HttpStatusCode.OK)]
    public async Task Enroll_DcvModeAuto_OnlyUnderAdmin25_9(ScmSimulatorApiVersion version, HttpStatusCode expected)
    {
        await using var f = await Start(version);

        using var response = await f.EnrollRawAsync("auto.acme.example", b => b["dcvMode"] = "AUTO");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            await Json.AssertErrorAsync(response, expected, -1601);
        }
    }

    [Theory]
    [InlineData("4")]
    [InlineData("\"4\"")]
    public async Task Revoke_ReasonCodeAsNumberOrString_Accepted(string reasonCode)
    {
        await using var f = await Start();
        var id = await f.EnrollIssuedAsync();

        using var response = await f.PostJsonAsync($"ssl/v1/revoke/{id}", "{\"reasonCode\":" + reasonCode + ",\"reason\":\"moved\"}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("Revoked", await f.StatusAsync(id));
    }

    [Fact]
    public async Task ScmErrorFault_WithDetailsAndItems_WritesThemInTheBody()
    {
        await using var f = await Start();
        f.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").ScmError(-1601, "Field 'term' has invalid value", "Validation failed", ["term: must be one of [365, 730]"]).Once());

        using var response = await f.EnrollRawAsync();

        var json = await Json.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Validation failed", json["details"]!.GetValue<string>());
        Assert.Equal("term: must be one of [365, 730]", json["items"]![0]!.GetValue<string>());
    }

    // ---------------------------------------------------------------- password change

    [Fact]
    public async Task ChangePassword_Accepted_OnlyTheNewPasswordAuthenticatesAfterwards()
    {
        await using var f = await Start();
        var old = f.Sim.Credentials;

        using var change = await f.PostJsonAsync("admin/v1/changepassword", "{\"newPassword\":\"Rotated-Pw-2025\"}");
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        using var withOld = await f.Http.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(withOld, HttpStatusCode.Unauthorized, -16);

        Assert.Equal("Rotated-Pw-2025", f.Sim.Credentials.Password);
        Assert.Equal(old.Login, f.Sim.Credentials.Login);
        SimFixture.SetHeaderAuth(f.Http, f.Sim.Credentials);
        using var withNew = await f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
    }

    [Theory]
    [InlineData("lowercase-only", -7306, "uppercase")]
    [InlineData("Short1", -7306, "8 or more characters")]
    [InlineData("Sim-Admin-Password-1", -982, "Login")]
    [InlineData("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", -976, "between 8 and 32")]
    public async Task ChangePassword_PolicyViolated_RefusedWithScmsCodeAndTheOldPasswordStillWorks(string newPassword, int code, string text)
    {
        await using var f = await Start();

        using var change = await f.PostJsonAsync("admin/v1/changepassword", new JsonObject { ["newPassword"] = newPassword });

        var json = await Json.ReadAsync(change, HttpStatusCode.BadRequest);
        Assert.Equal(code, json["code"]!.GetValue<int>());
        Assert.Contains(text, json["description"]!.GetValue<string>(), StringComparison.Ordinal);
        using var still = await f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task ChangePassword_SamePassword_Minus220()
    {
        await using var f = await Start();

        using var change = await f.PostJsonAsync("admin/v1/changepassword", new JsonObject { ["newPassword"] = f.Sim.Credentials.Password });

        await Json.AssertErrorAsync(change, HttpStatusCode.BadRequest, -220);
    }

    [Fact]
    public async Task ChangePassword_ExpiredPassword_CanBeChanged_ThenAlive()
    {
        await using var f = await Start(configure: o => o.Account.PasswordExpiration = DateOnly.FromDateTime(SimFixture.Start.UtcDateTime).AddDays(-1));
        using var refused = await f.Http.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(refused, HttpStatusCode.Unauthorized, -970);

        using var change = await f.PostJsonAsync("admin/v1/changepassword", "{\"newPassword\":\"Fresh-Pw-0001\"}");
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        SimFixture.SetHeaderAuth(f.Http, f.Sim.Credentials);
        using var state = await f.Http.GetAsync("admin/v1/password");

        var json = await Json.ReadAsync(state, HttpStatusCode.OK);
        Assert.Equal("ALIVE", json["state"]!.GetValue<string>());
        Assert.Equal("2025-08-31", json["expirationDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChangePassword_BearerWithoutTheCurrentPasswordHeader_Minus213()
    {
        await using var f = await Start(ScmSimulatorApiVersion.Admin25_9);
        var token = await Bearer.GetTokenAsync(f.Sim, f.Http);
        using var bearer = Bearer.Client(f.Sim, token);

        using var without = await bearer.PostAsync("admin/v1/changepassword", new StringContent("{\"newPassword\":\"Bearer-Pw-0001\"}", System.Text.Encoding.UTF8, "application/json"));
        await Json.AssertErrorAsync(without, HttpStatusCode.BadRequest, -213);
        bearer.DefaultRequestHeaders.Add("password", f.Sim.Credentials.Password);
        using var with = await bearer.PostAsync("admin/v1/changepassword", new StringContent("{\"newPassword\":\"Bearer-Pw-0001\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, with.StatusCode);
        Assert.Equal("Bearer-Pw-0001", f.Sim.Credentials.Password);
    }

    // ---------------------------------------------------------------- custom fields v2

    private static void RichFields(ScmSimulatorOptions o)
    {
        o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 60, Name = "Environment", Input = ScmSimulatorCustomFieldInput.TextOption, Options = { "prod", "test" } });
        o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 61, Name = "Ticket", OtherMandatoryChannels = ScmSimulatorCustomFieldChannels.WebForm });
        o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 62, Name = "Legacy Code", Mandatory = true, Active = false });
        o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 63, Name = "Go-live", Input = ScmSimulatorCustomFieldInput.Date });
    }

    [Fact]
    public async Task CustomFieldsV2_ListsStateInputAndChannels_V1ListsActiveOnes()
    {
        await using var f = await Start(configure: RichFields);

        using var v2 = await f.Http.GetAsync("customField/v2/?certType=SSL");
        using var v1 = await f.Http.GetAsync("ssl/v1/customFields");

        var fields = (JsonArray)await Json.ReadAsync(v2, HttpStatusCode.OK);
        var cost = fields.Single(x => x!["id"]!.GetValue<int>() == 54)!;
        Assert.Equal("ssl", cost["certType"]!.GetValue<string>());
        Assert.Equal(["ADMIN_UI", "WEB_FORM", "REST_API"], cost["mandatories"]!.AsArray().Select(m => m!.GetValue<string>()));
        var environment = fields.Single(x => x!["id"]!.GetValue<int>() == 60)!;
        Assert.Equal("TEXT_OPTION", environment["input"]!["type"]!.GetValue<string>());
        Assert.Equal(["prod", "test"], environment["input"]!["options"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("INACTIVE", fields.Single(x => x!["id"]!.GetValue<int>() == 62)!["state"]!.GetValue<string>());
        Assert.Equal(["WEB_FORM"], fields.Single(x => x!["id"]!.GetValue<int>() == 61)!["mandatories"]!.AsArray().Select(m => m!.GetValue<string>()));
        var short1 = (JsonArray)await Json.ReadAsync(v1, HttpStatusCode.OK);
        Assert.DoesNotContain(short1, x => x!["id"]!.GetValue<int>() == 62);
        Assert.False(short1.Single(x => x!["id"]!.GetValue<int>() == 61)!["mandatory"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "CodeSign", HttpStatusCode.OK)]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "CodeSign", HttpStatusCode.BadRequest)]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "Device", HttpStatusCode.OK)]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "ssl", HttpStatusCode.BadRequest)]
    public async Task CustomFieldsV2_CertTypeFilter_PerVersion(ScmSimulatorApiVersion version, string certType, HttpStatusCode expected)
    {
        await using var f = await Start(version);

        using var response = await f.Http.GetAsync("customField/v2?certType=" + certType);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Empty((JsonArray)await Json.ReadAsync(response, expected));
        }
    }

    [Fact]
    public async Task CustomFieldsV2_GetUnknownId_404Minus135()
    {
        await using var f = await Start();

        using var known = await f.Http.GetAsync("customField/v2/55");
        using var unknown = await f.Http.GetAsync("customField/v2/999");

        Assert.Equal("Application", (await Json.ReadAsync(known, HttpStatusCode.OK))["name"]!.GetValue<string>());
        await Json.AssertErrorAsync(unknown, HttpStatusCode.NotFound, -135);
    }

    [Fact]
    public async Task Enroll_CustomFieldValues_CheckedAgainstInputTypeAndState()
    {
        await using var f = await Start(configure: RichFields);
        JsonArray Fields(params (string Name, string Value)[] extra)
        {
            var array = new JsonArray(new JsonObject { ["name"] = "Cost Center", ["value"] = "CC-1" });
            foreach (var (name, value) in extra)
            {
                array.Add(new JsonObject { ["name"] = name, ["value"] = value });
            }

            return array;
        }

        using var option = await f.EnrollRawAsync(edit: b => b["customFields"] = Fields(("Environment", "staging")));
        using var date = await f.EnrollRawAsync(edit: b => b["customFields"] = Fields(("Go-live", "06/01/2025")));
        using var inactive = await f.EnrollRawAsync(edit: b => b["customFields"] = Fields(("Legacy Code", "L-1")));
        using var good = await f.EnrollRawAsync(edit: b => b["customFields"] = Fields(("Environment", "prod"), ("Go-live", "2025-06-01")));

        await Json.AssertErrorAsync(option, HttpStatusCode.BadRequest, -1601);
        await Json.AssertErrorAsync(date, HttpStatusCode.BadRequest, -1601);
        await Json.AssertErrorAsync(inactive, HttpStatusCode.BadRequest, -135);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    // ---------------------------------------------------------------- organization validations and -843

    [Theory]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "validationLevel", "OV_SSL", "EV_SSL")]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "type", "OV", "EV")]
    public async Task OrganizationValidations_ShapePerVersion_DepartmentsShareTheirOrganizations(ScmSimulatorApiVersion version, string field, string ov, string ev)
    {
        await using var f = await Start(version);

        using var org = await f.Http.GetAsync("organization/v2/2001/validations");
        using var department = await f.Http.GetAsync("organization/v2/2101/validations");
        using var unknown = await f.Http.GetAsync("organization/v2/9999/validations");

        var list = (JsonArray)await Json.ReadAsync(org, HttpStatusCode.OK);
        Assert.Equal([ov, ev], list.Select(v => v![field]!.GetValue<string>()));
        Assert.All(list, v => Assert.Equal("VALIDATED", v!["status"]!.GetValue<string>()));
        Assert.Equal("2026-06-02T08:00:00.000Z", list[0]!["expires"]!.GetValue<string>());
        Assert.Equal(list.ToJsonString(), ((JsonArray)await Json.ReadAsync(department, HttpStatusCode.OK)).ToJsonString());
        await Json.AssertErrorAsync(unknown, HttpStatusCode.NotFound, -1023);
    }

    [Fact]
    public async Task Enroll_EvProfileWhileTheEvValidationIsPending_Minus843NamingTheStatus()
    {
        await using var f = await Start();
        f.Sim.SetOrganizationValidation(2001, ScmSimulatorValidationLevel.EvSsl, ScmSimulatorValidationStatus.Pending);

        using var ev = await f.EnrollRawAsync("ev.acme.example", b => b["certType"] = 103);
        using var ov = await f.EnrollRawAsync("ov.acme.example");
        using var departmentEv = await f.EnrollRawAsync("ev2.acme.example", b =>
        {
            b["certType"] = 103;
            b["orgId"] = 2101;
        });

        var json = await Json.ReadAsync(ev, HttpStatusCode.BadRequest);
        Assert.Equal(-843, json["code"]!.GetValue<int>());
        Assert.Contains("\u2018PENDING\u2019 validation status", json["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ov.StatusCode);
        await Json.AssertErrorAsync(departmentEv, HttpStatusCode.BadRequest, -843);
        Assert.Equal(1L, f.Sim.Counters.BillableOrders);
    }

    [Fact]
    public async Task Enroll_OvValidationExpiredByTime_Minus843_ThenRenewedValidationAllowsOrders()
    {
        await using var f = await Start();
        f.Sim.SetOrganizationValidation(2002, ScmSimulatorValidationLevel.OvSsl, ScmSimulatorValidationStatus.Validated, SimFixture.Start.AddDays(10));
        var before = await f.EnrollAsync("g1.globex.example", b => b["orgId"] = 2002);
        f.Advance(TimeSpan.FromDays(11));

        using var after = await f.EnrollRawAsync("g2.globex.example", b => b["orgId"] = 2002);
        using var renew = await f.PostJsonAsync($"ssl/v1/renewById/{before}", "{}");
        using var list = await f.Http.GetAsync("organization/v2/2002/validations");
        f.Sim.SetOrganizationValidation(2002, ScmSimulatorValidationLevel.OvSsl, ScmSimulatorValidationStatus.Validated);
        using var again = await f.EnrollRawAsync("g3.globex.example", b => b["orgId"] = 2002);

        Assert.Contains("\u2018EXPIRED\u2019", (await Json.ReadAsync(after, HttpStatusCode.BadRequest))["description"]!.GetValue<string>(), StringComparison.Ordinal);
        await Json.AssertErrorAsync(renew, HttpStatusCode.BadRequest, -843);
        Assert.Equal("EXPIRED", ((JsonArray)await Json.ReadAsync(list, HttpStatusCode.OK))[0]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Enroll_DvProfile_NeedsNoOrganizationValidation()
    {
        await using var f = await Start(configure: o => o.Account.Organizations[1].Validations.Clear());

        using var dv = await f.EnrollRawAsync("dv.globex.example", b =>
        {
            b["orgId"] = 2002;
            b["certType"] = 104;
            b["term"] = 90;
        });
        using var ov = await f.EnrollRawAsync("ov.globex.example", b => b["orgId"] = 2002);

        Assert.Equal(HttpStatusCode.OK, dv.StatusCode);
        Assert.Contains("\u2018NOT_VALIDATED\u2019", (await Json.ReadAsync(ov, HttpStatusCode.BadRequest))["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- SSL report

    [Fact]
    public async Task Report_FiltersByStatusAndDates_CodesAsNumbersOrStrings()
    {
        await using var f = await Start();
        var issued = await f.EnrollIssuedAsync("rep1.acme.example");
        var pending = await f.EnrollAsync("rep2.acme.example");

        async Task<long[]> Ids(string body)
        {
            using var response = await f.PostJsonAsync("report/v1/ssl-certificates?output_type=buffered", body);
            var json = await Json.ReadAsync(response, HttpStatusCode.OK);
            Assert.Equal(0, json["statusCode"]!.GetValue<int>());
            Assert.Equal("rest_api_ssl-certificates.json", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            return [.. json["reports"]!.AsArray().Select(r => r!["id"]!.GetValue<long>())];
        }

        Assert.Equal([issued], await Ids("{\"certificateStatus\":2}"));
        Assert.Equal([issued], await Ids("{\"certificateStatus\":\"2\"}"));
        Assert.Equal([pending], await Ids("{\"certificateStatus\":1,\"organizationIds\":[2001]}"));
        Assert.Equal([issued, pending], await Ids("{\"certificateDateAttribute\":4,\"from\":\"2025-06-02\",\"to\":\"2025-06-02\"}"));
        Assert.Empty(await Ids("{\"certificateDateAttribute\":\"4\",\"from\":\"2025-06-03\",\"to\":\"2025-06-30\"}"));
        Assert.Equal([issued, pending], await Ids("{\"certificateDateAttribute\":4,\"from\":\"2025-06-01T00:00:00.000Z\"}"));
        Assert.Equal([issued, pending], await Ids("{\"certificateRequestSource\":2}"));
        Assert.Empty(await Ids("{\"certificateRequestSource\":12}"));
    }

    [Theory]
    [InlineData("{\"from\":\"06/01/2025\"}")]
    [InlineData("{\"from\":\"2025-06-10\",\"to\":\"2025-06-01\"}")]
    [InlineData("{\"certificateStatus\":11}")]
    [InlineData("{\"certificateDateAttribute\":1}")]
    [InlineData("{\"certificateRequestSource\":6}")]
    [InlineData("{\"commonName\":\"<script>\"}")]
    public async Task Report_UndocumentedValue_Minus1601(string body)
    {
        await using var f = await Start();

        using var response = await f.PostJsonAsync("report/v1/ssl-certificates?output_type=buffered", body);

        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1601);
    }

    [Fact]
    public async Task Report_FailureFault_AnswersANonZeroStatusCode()
    {
        await using var f = await Start();
        f.Sim.Faults.Add(ScmFault.On("POST", "/report/v1/ssl-certificates").ReportFailure(-2, "Report generation failed").Once());

        using var response = await f.PostJsonAsync("report/v1/ssl-certificates?output_type=buffered", "{}");

        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(-2, json["statusCode"]!.GetValue<int>());
        Assert.Equal("Report generation failed", json["message"]!.GetValue<string>());
        Assert.Empty(json["reports"]!.AsArray());
    }
}
