using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

public sealed class ListAndCatalogTests : IAsyncLifetime
{
    private SimFixture _f = null!;

    public async Task InitializeAsync() => _f = await SimFixture.StartAsync(o => o.MaxPageSize = 3);

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private async Task<(long Total, JsonArray Rows)> ListAsync(string query)
    {
        using var response = await _f.Http.GetAsync("ssl/v1" + query);
        var rows = (JsonArray)await Json.ReadAsync(response, HttpStatusCode.OK);
        return (long.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture), rows);
    }

    [Fact]
    public async Task List_PageSizeCapThree_PagesWithTotalCount()
    {
        for (var i = 0; i < 7; i++)
        {
            await _f.EnrollAsync($"p{i}.acme.example");
        }

        var seen = new List<long>();
        for (var position = 0; ; position += 3)
        {
            var (total, rows) = await ListAsync($"?position={position}&size=200");
            Assert.Equal(7, total);
            Assert.True(rows.Count <= 3);
            seen.AddRange(rows.Select(r => r!["sslId"]!.GetValue<long>()));
            if (rows.Count < 3)
            {
                break;
            }
        }

        Assert.Equal(7, seen.Distinct().Count());
        var (_, empty) = await ListAsync("?position=0&size=0");
        Assert.Empty(empty);
    }

    [Fact]
    public async Task List_NegativePosition_Returns400()
    {
        using var response = await _f.Http.GetAsync("ssl/v1?position=-1");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1601);
    }

    [Fact]
    public async Task Head_WithFilter_ReturnsCountHeaderWithoutBody()
    {
        await _f.EnrollAsync("head1.acme.example");
        await _f.EnrollAsync("head2.acme.example");
        await _f.EnrollAsync("other.acme.example");
        using var request = new HttpRequestMessage(HttpMethod.Head, "ssl/v1?commonName=head");
        using var response = await _f.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("X-Total-Count").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task List_Filters_SelectMatchingRowsOnly()
    {
        var a = await _f.EnrollIssuedAsync("filter-a.acme.example", b => b["subjAltNames"] = "filter-a.acme.example,alias.acme.test");
        var b = await _f.EnrollAsync("filter-b.acme.example", x => x["orgId"] = 2101);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var c = await _f.EnrollAsync("filter-c.acme.example", x => x["csr"] = Csr.Rsa("filter-c.acme.example", rsa));
        var serial = (await _f.DetailsAsync(a))["serialNumber"]!.GetValue<string>();

        async Task<long[]> Ids(string q)
        {
            var all = new List<long>();
            for (var position = 0; ; position += 3)
            {
                var (_, rows) = await ListAsync(q + $"&position={position}");
                all.AddRange(rows.Select(r => r!["sslId"]!.GetValue<long>()));
                if (rows.Count < 3)
                {
                    return [.. all];
                }
            }
        }

        Assert.Equal([a], await Ids("?subjectAlternativeName=alias.acme.test"));
        Assert.Equal([a], await Ids("?status=Issued"));
        Assert.Equal([b, c], await Ids("?status=Approved"));
        Assert.Equal([b], await Ids("?orgId=2101"));
        Assert.Equal([c], await Ids("?keyAlgorithm=RSA"));
        Assert.Equal([a], await Ids("?serialNumber=" + Uri.EscapeDataString(serial)));
        Assert.Equal([a], await Ids("?serialNumber=" + serial.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant()));
        Assert.Equal([a, b, c], await Ids("?sslTypeId=101&commonName=filter"));
        Assert.Empty(await Ids("?sslTypeId=102"));
        Assert.Equal([a, b, c], await Ids("?requestedVia=API&commonName=filter"));
        Assert.Equal([a, b, c], await Ids("?externalRequester=ops@acme.example&commonName=filter"));
        Assert.Empty(await Ids("?status=Unmanaged"));
        Assert.Equal([a, b, c], await Ids("?installStatus=NONE&commonName=filter"));
        Assert.Equal([a, b, c], await Ids("?renewalStatus=NOT_SCHEDULED&commonName=filter"));
        Assert.Empty(await Ids("?renewalStatus=SCHEDULED&commonName=filter"));
        using var bad = await _f.Http.GetAsync("ssl/v1?sslTypeId=abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task List_RowShape_SerialOnlyOnceIssued()
    {
        var pending = await _f.EnrollAsync("row-pending.acme.example");
        var (_, rows) = await ListAsync("?commonName=row-pending");
        var row = Assert.Single(rows)!;
        Assert.Equal(pending, row["sslId"]!.GetValue<long>());
        Assert.Null(row["serialNumber"]);
        Assert.Equal("row-pending.acme.example", row["subjectAlternativeNames"]![0]!.GetValue<string>());
        _f.Advance(TimeSpan.FromSeconds(5));
        (_, rows) = await ListAsync("?commonName=row-pending");
        Assert.NotNull(rows[0]!["serialNumber"]);
    }

    [Fact]
    public async Task Types_OrganizationFilter_OnlyAvailableProfiles()
    {
        using var all = await _f.Http.GetAsync("ssl/v1/types");
        var allTypes = (JsonArray)await Json.ReadAsync(all, HttpStatusCode.OK);
        Assert.Equal(5, allTypes.Count);
        var ov = allTypes.Single(t => t!["id"]!.GetValue<int>() == 101)!;
        Assert.Equal([365, 730], ov["terms"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(["2048", "3072", "4096"], ov["keyTypes"]!["RSA"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["P-256", "P-384"], ov["keyTypes"]!["EC"]!.AsArray().Select(n => n!.GetValue<string>()));
        using var acme = await _f.Http.GetAsync("ssl/v1/types?organizationId=2101");
        var acmeTypes = (JsonArray)await Json.ReadAsync(acme, HttpStatusCode.OK);
        Assert.DoesNotContain(acmeTypes, t => t!["id"]!.GetValue<int>() == 105);
        using var globex = await _f.Http.GetAsync("ssl/v2/types?organizationId=2201");
        Assert.Contains((JsonArray)await Json.ReadAsync(globex, HttpStatusCode.OK), t => t!["id"]!.GetValue<int>() == 105);
    }

    [Fact]
    public async Task CustomFields_Listed_OneMandatory()
    {
        using var response = await _f.Http.GetAsync("ssl/v1/customFields");
        var fields = (JsonArray)await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(2, fields.Count);
        Assert.Single(fields, f => f!["mandatory"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Organizations_ListAndDetails_WithDepartments()
    {
        using var list = await _f.Http.GetAsync("organization/v1");
        var orgs = (JsonArray)await Json.ReadAsync(list, HttpStatusCode.OK);
        Assert.Equal(2, orgs.Count);
        Assert.Equal(2, orgs[0]!["departments"]!.AsArray().Count);
        Assert.Equal("Acme Corporation", orgs[0]!["departments"]![0]!["parentName"]!.GetValue<string>());
        Assert.False(list.Headers.Contains("X-Total-Count"));

        using var details = await _f.Http.GetAsync("organization/v1/2001");
        var org = await Json.ReadAsync(details, HttpStatusCode.OK);
        Assert.Equal("Greater Manchester", org["stateOrProvince"]!.GetValue<string>());
        Assert.Equal("Acme Corp", org["secondaryName"]!.GetValue<string>());
        using var dep = await _f.Http.GetAsync("organization/v1/2101");
        Assert.Equal(2001, (await Json.ReadAsync(dep, HttpStatusCode.OK))["parentId"]!.GetValue<int>());
        using var missing = await _f.Http.GetAsync("organization/v1/9");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData(ScmSimulatorApiVersion.Rest25_5, "managedBy", "managed-by")]
    [InlineData(ScmSimulatorApiVersion.Admin25_9, "managed-by", "managedBy")]
    public async Task Organizations_ManagedBy_OnlyTheVersionsSpelling(ScmSimulatorApiVersion version, string segment, string other)
    {
        await using var f = await SimFixture.StartAsync(o => o.ApiVersion = version);
        using var response = await f.Http.GetAsync($"organization/v1/{segment}/RAO_SSL");
        Assert.Equal(5, ((JsonArray)await Json.ReadAsync(response, HttpStatusCode.OK)).Count);
        using var bad = await f.Http.GetAsync($"organization/v1/{segment}/KING");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var otherSpelling = await f.Http.GetAsync($"organization/v1/{other}/RAO_SSL");
        Assert.Equal(HttpStatusCode.NotFound, otherSpelling.StatusCode);
    }

    [Fact]
    public async Task Domains_PagedWithTotalAndFilters()
    {
        using var page = await _f.Http.GetAsync("domain/v1?position=0&size=2");
        Assert.Equal(2, ((JsonArray)await Json.ReadAsync(page, HttpStatusCode.OK)).Count);
        Assert.Equal("7", page.Headers.GetValues("X-Total-Count").Single());
        using var requested = await _f.Http.GetAsync("domain/v1?status=requested");
        Assert.Equal("requested.example", ((JsonArray)await Json.ReadAsync(requested, HttpStatusCode.OK)).Single()!["name"]!.GetValue<string>());
        using var inactive = await _f.Http.GetAsync("domain/v1?state=inactive");
        Assert.Equal("1", inactive.Headers.GetValues("X-Total-Count").Single());
        using var globex = await _f.Http.GetAsync("domain/v1?orgId=2201");
        Assert.Equal("1", globex.Headers.GetValues("X-Total-Count").Single());
        using var count = await _f.Http.GetAsync("domain/v1/count");
        Assert.Equal(7, (await Json.ReadAsync(count, HttpStatusCode.OK))["count"]!.GetValue<int>());
        using var bad = await _f.Http.GetAsync("domain/v1?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [InlineData(3001, "VALIDATED", "ACTIVE")]
    [InlineData(3003, "NOT_VALIDATED", "ACTIVE")]
    [InlineData(3004, "EXPIRED", "ACTIVE")]
    [InlineData(3005, "VALIDATED", "REQUESTED")]
    public async Task Domain_Details_ValidationAndDelegationStates(int id, string validation, string delegation)
    {
        using var response = await _f.Http.GetAsync($"domain/v1/{id}");
        var d = await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(validation, d["validationStatus"]!.GetValue<string>());
        Assert.Equal(delegation, d["delegationStatus"]!.GetValue<string>());
        if (validation != "NOT_VALIDATED")
        {
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", d["dcvExpiration"]!.GetValue<string>());
        }
        else
        {
            Assert.Null(d["dcvExpiration"]);
        }
    }

    [Fact]
    public async Task AdminPassword_Default_NeverExpire()
    {
        using var response = await _f.Http.GetAsync("admin/v1/password");
        Assert.Equal("NEVER_EXPIRE", (await Json.ReadAsync(response, HttpStatusCode.OK))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownRoute_Returns404WithScmBody()
    {
        using var response = await _f.Http.GetAsync("ssl/v1/nothing/here");
        await Json.AssertErrorAsync(response, HttpStatusCode.NotFound, -1);
        using var area = await _f.Http.GetAsync("report/v9/x");
        await Json.AssertErrorAsync(area, HttpStatusCode.NotFound, -1);
        using var outside = await _f.Http.GetAsync(new Uri(_f.Sim.BaseAddress, "/elsewhere"));
        await Json.AssertErrorAsync(outside, HttpStatusCode.NotFound, -1);
    }

    [Fact]
    public async Task Dcv_DetailsAndRecheck_LogPerNameAnd202()
    {
        var id = await _f.EnrollAsync(edit: b => b["subjAltNames"] = "www.acme.example,x.acme.test");
        using var response = await _f.Http.GetAsync($"ssl/v1/{id}/dcv");
        var dcv = await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(2, dcv["dcvLog"]!["log"]!.AsArray().Count);
        Assert.Equal("Validated", dcv["dcvLog"]!["log"]![0]!["dcvStatus"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", dcv["dcvLog"]!["log"]![0]!["lastCheck"]!.GetValue<string>());
        Assert.Equal("CNAME", dcv["instructions"]![0]!["dcvMode"]!.GetValue<string>());
        using var recheck = await _f.PostJsonAsync($"ssl/v1/{id}/dcv/recheck", "");
        Assert.Equal(HttpStatusCode.Accepted, recheck.StatusCode);
    }

    [Fact]
    public async Task Locations_CreateReadUpdateDelete()
    {
        var id = await _f.EnrollIssuedAsync();
        using var create = await _f.PostJsonAsync($"ssl/v1/{id}/location", new JsonObject { ["details"] = new JsonObject { ["IP"] = "1.1.1.1" } });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var location = create.Headers.Location!;
        Assert.True(location.IsAbsoluteUri);
        var locationId = location.Segments[^1];
        using var list = await _f.Http.GetAsync($"ssl/v1/{id}/location");
        var rows = (JsonArray)await Json.ReadAsync(list, HttpStatusCode.OK);
        Assert.Equal("CUSTOM", rows.Single()!["locationType"]!.GetValue<string>());
        using var put = await _f.Http.PutAsync($"ssl/v1/{id}/location/{locationId}", new StringContent("{\"details\":{\"IP\":\"2.2.2.2\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var get = await _f.Http.GetAsync($"ssl/v1/{id}/location/{locationId}");
        Assert.Equal("2.2.2.2", (await Json.ReadAsync(get, HttpStatusCode.OK))["details"]!["IP"]!.GetValue<string>());
        using var delete = await _f.Http.DeleteAsync($"ssl/v1/{id}/location/{locationId}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await _f.Http.GetAsync($"ssl/v1/{id}/location/{locationId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var empty = await _f.PostJsonAsync($"ssl/v1/{id}/location", new JsonObject { ["details"] = new JsonObject() });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task ImportV2_CertificateFromElsewhere_CreatedOnceThenDeletable()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=imported.acme.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(SimFixture.Start.AddDays(-10), SimFixture.Start.AddDays(80));
        var item = new JsonObject { ["orgID"] = 2001, ["cert"] = Convert.ToBase64String(cert.RawData), ["comments"] = "imported" };
        using var first = await _f.PostJsonAsync("ssl/v2/import", new JsonArray(item.DeepClone(), new JsonObject { ["orgID"] = 2001, ["cert"] = "bm9wZQ==" }, new JsonObject { ["cert"] = "x" }));
        var results = (JsonArray)await Json.ReadAsync(first, HttpStatusCode.OK);
        Assert.True(results[0]!["created"]!.GetValue<bool>());
        Assert.Equal(cert.SerialNumber.TrimStart('0'), results[0]!["cert"]!["serialNumber"]!.GetValue<string>());
        Assert.StartsWith("Failed to parse certificate", results[1]!["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("orgID", results[2]!["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        var id = results[0]!["cert"]!["id"]!.GetValue<long>();
        var d = await _f.DetailsAsync(id);
        Assert.Equal("Imported", d["requestedVia"]!.GetValue<string>());
        Assert.Equal("Issued", d["status"]!.GetValue<string>());
        Assert.Equal(0, _f.Sim.Counters.BillableOrders);

        using var again = await _f.PostJsonAsync("ssl/v2/import", new JsonArray(item.DeepClone()));
        Assert.False(((JsonArray)await Json.ReadAsync(again, HttpStatusCode.OK))[0]!["created"]!.GetValue<bool>());
        using var notArray = await _f.PostJsonAsync("ssl/v2/import", item);
        await Json.AssertErrorAsync(notArray, HttpStatusCode.BadRequest, -1002);

        using var delete = await _f.Http.DeleteAsync($"ssl/v1/{id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await _f.Http.GetAsync($"ssl/v1/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ImportV1_ZipOfCertificates_ProcessedCountAndErrors()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var cert = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=zip.acme.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(SimFixture.Start.AddDays(-1), SimFixture.Start.AddDays(30));
        using var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = archive.CreateEntry("a.cer").Open())
            {
                s.Write(cert.RawData);
            }

            using (var s = archive.CreateEntry("admin.p12").Open())
            {
                s.Write([1, 2, 3]);
            }
        }

        using var form = new MultipartFormDataContent { { new ByteArrayContent(zip.ToArray()), "file", "certs.zip" } };
        using var response = await _f.Http.PostAsync("ssl/v1/import?orgId=2001", form);
        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(1, json["processedCount"]!.GetValue<int>());
        Assert.Equal("admin.p12 - Unsupported file extension", json["errors"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_EnrolledCertificate_Refused()
    {
        var id = await _f.EnrollIssuedAsync();
        using var delete = await _f.Http.DeleteAsync($"ssl/v1/{id}");
        await Json.AssertErrorAsync(delete, HttpStatusCode.BadRequest, -3);
        Assert.Equal("Issued", await _f.StatusAsync(id));
    }
}

public sealed class IdTests
{
    [Fact]
    public async Task IdBase_AboveInt32NonSequential_IdsBeyond2Pow31AndGapped()
    {
        await using var f = await SimFixture.StartAsync(o =>
        {
            o.IdBase = (1L << 31) + 5;
            o.NonSequentialIds = true;
        });
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await f.EnrollAsync($"id{i}.acme.example"));
        }

        Assert.Equal((1L << 31) + 5, ids[0]);
        Assert.All(ids, id => Assert.True(id > int.MaxValue));
        Assert.Contains(ids.Zip(ids.Skip(1)), p => p.Second - p.First > 1);
        Assert.Equal("Approved", await f.StatusAsync(ids[3]));
    }

    [Fact]
    public async Task Start_Log_PrintsAddressAndSeedButNoSecrets()
    {
        using var writer = new StringWriter();
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Seed = 8080, Log = writer });
        var text = writer.ToString();
        Assert.Contains("(seed 8080)", text, StringComparison.Ordinal);
        Assert.Contains(sim.BaseAddress.ToString(), text, StringComparison.Ordinal);
        Assert.Contains(sim.TokenEndpoint.ToString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain(sim.Credentials.Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(sim.Credentials.ClientSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_SameSeed_SameIdsAndRenewIds()
    {
        async Task<string> Run()
        {
            await using var f = await SimFixture.StartAsync(o =>
            {
                o.Seed = 99;
                o.NonSequentialIds = true;
            });
            using var response = await f.EnrollRawAsync();
            var json = await Json.ReadAsync(response, HttpStatusCode.OK);
            Assert.Equal(99, f.Sim.Seed);
            return json.ToJsonString() + f.Sim.Credentials.Password;
        }

        Assert.Equal(await Run(), await Run());
    }
}
