using Scm.Client.Tests.Infrastructure;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class SslWireTests : IDisposable
{
    private readonly ScmServer _server = ScmServer.Start();
    private readonly TestClient _client;

    public SslWireTests() => _client = TestClient.Create(_server);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private const string DetailsJson = """
        {"commonName":"ccmqa.com","sslId":3000000001,"id":3000000001,"orgId":2645,"status":"Issued","orderNumber":7344326,
         "backendCertId":"7344326","vendor":"Sectigo Limited",
         "certType":{"id":1001,"name":"OV Multi-Domain","description":"","terms":[365],"keyTypes":{"RSA":["2048","4096"],"EC":["P-256"]},"useSecondaryOrgName":false},
         "term":365,"requestedVia":"Web API","comments":"token:abc","requested":"05/21/2025","issued":"05/22/2025","expires":"05/22/2026",
         "serialNumber":"AB:CD:EF:01","keyType":"EC - P-256","subjectAlternativeNames":["ccmqa.com","www.ccmqa.com"],
         "customFields":[{"name":"cost","value":"42"}],"autoRenewDetails":{"state":"Not scheduled","daysBeforeExpiration":30},
         "certificateDetails":{"issuer":"CN=Test","subject":"CN=ccmqa.com","subjectAltNames":"dNSName=ccmqa.com, dNSName=www.ccmqa.com"}}
        """;

    [Fact]
    public async Task GetAsync_IssuedCertificate_SendsAuthHeadersAndMapsDetails()
    {
        _server.Stub(Get("/api/ssl/v1/3000000001"), Json(DetailsJson));

        var d = await _client.Ssl.GetAsync(3000000001);

        var req = _server.Single();
        Assert.Equal("GET", req.Method);
        Assert.Equal(TestClient.Login, ScmServer.Header(req, "login"));
        Assert.Equal(TestClient.Password, ScmServer.Header(req, "password"));
        Assert.Equal(TestClient.CustomerUri, ScmServer.Header(req, "customerUri"));
        Assert.Equal(3000000001L, d.SslId);
        Assert.Equal(SslCertificateStatus.Issued, d.Status);
        Assert.True(d.Status.IsIssued);
        Assert.Equal(new DateOnly(2026, 5, 22), d.ExpiresOn);
        Assert.Equal(new DateOnly(2025, 5, 21), d.RequestedOn);
        Assert.Equal(2645, d.OrganizationId);
        Assert.Equal(7344326L, d.OrderNumber);
        Assert.Equal(RequestedVia.WebApi, d.RequestedVia);
        Assert.Equal([365], d.Profile!.Terms);
        Assert.Equal(["P-256"], d.Profile.KeyTypes["ec"]);
        Assert.Equal(["ccmqa.com", "www.ccmqa.com"], d.SubjectAlternativeNames);
        Assert.Equal("42", d.CustomFields![0].Value);
        Assert.Equal(AutoRenewState.NotScheduled, d.AutoRenewDetails!.State);
        Assert.Null(d.RevokedOn);
    }

    [Fact]
    public async Task ListPageAsync_WithFilters_SendsQueryAndReturnsTotalCount()
    {
        _server.Stub(Get("/api/ssl/v1"), Json("""[{"sslId":58,"commonName":"ccmqa.com"},{"sslId":59,"commonName":"b.example","subjectAlternativeNames":["b.example"],"serialNumber":"01"}]""").WithHeader("X-Total-Count", "42"));

        var page = await _client.Ssl.ListPageAsync(new SslListFilter { CommonName = "ccmqa.com", Status = SslCertificateStatus.Issued, ProfileId = 7, OrganizationId = 2645, RequestedVia = RequestedVia.WebApi }, 20, 2);

        var req = _server.Single();
        Assert.Equal("2", req.Query!["size"].Single());
        Assert.Equal("20", req.Query["position"].Single());
        Assert.Equal("ccmqa.com", req.Query["commonName"].Single());
        Assert.Equal("Issued", req.Query["status"].Single());
        Assert.Equal("7", req.Query["sslTypeId"].Single());
        Assert.Equal("2645", req.Query["orgId"].Single());
        Assert.Equal("API", req.Query["requestedVia"].Single()); // the REST API 25.5 spelling, the default ApiVersion
        Assert.False(req.Query.ContainsKey("certType"));
        Assert.Equal(42, page.TotalCount);
        Assert.Equal(2, page.Items.Count);
        Assert.Null(page.Items[0].SubjectAlternativeNames);
        Assert.Equal("01", page.Items[1].SerialNumber);
    }

    [Fact]
    public async Task ListAsync_ShortLastPage_WalksPositionsLazilyAndStops()
    {
        _client.Dispose();
        using var client = TestClient.Create(_server, o => o.PageSize = 2);
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "0"), Json("""[{"sslId":1},{"sslId":2}]""").WithHeader("X-Total-Count", "5"));
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "2"), Json("""[{"sslId":3},{"sslId":4}]""").WithHeader("X-Total-Count", "5"));
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "4"), Json("""[{"sslId":5}]""").WithHeader("X-Total-Count", "5"));

        var ids = new List<long>();
        await foreach (var s in client.Ssl.ListAsync())
        {
            ids.Add(s.SslId);
            if (ids.Count == 1)
            {
                Assert.Single(_server.Requests);
            }
        }

        Assert.Equal([1L, 2, 3, 4, 5], ids);
        Assert.Equal(["0", "2", "4"], _server.Requests.Select(r => r.Query!["position"].Single()));
        Assert.All(_server.Requests, r => Assert.Equal("2", r.Query!["size"].Single()));
    }

    [Fact]
    public async Task ListAsync_TotalCountReachedOnFullPage_StopsWithoutExtraRequest()
    {
        using var client = TestClient.Create(_server, o => o.PageSize = 2);
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "0"), Json("""[{"sslId":1},{"sslId":2}]""").WithHeader("X-Total-Count", "2"));

        var all = await client.Ssl.ListAsync().ToListAsync();

        Assert.Equal(2, all.Count);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ListAsync_EmptyAccount_YieldsNothing()
    {
        _server.Stub(Get("/api/ssl/v1"), Json("[]").WithHeader("X-Total-Count", "0"));

        var all = await _client.Ssl.ListAsync().ToListAsync();

        Assert.Empty(all);
        Assert.Equal("200", _server.Single().Query!["size"].Single());
    }

    [Fact]
    public async Task CountAsync_Head_ReturnsXTotalCount()
    {
        _server.Stub(Head("/api/ssl/v1"), Response().WithStatusCode(200).WithHeader("X-Total-Count", "42"));

        var count = await _client.Ssl.CountAsync(new SslListFilter { Status = "Applied" });

        var req = _server.Single();
        Assert.Equal("HEAD", req.Method);
        Assert.Equal("Applied", req.Query!["status"].Single());
        Assert.False(req.Query.ContainsKey("size"));
        Assert.Equal(42, count);
    }

    [Fact]
    public async Task CountAsync_MissingHeader_ThrowsProtocolException()
    {
        _server.Stub(Head("/api/ssl/v1"), Response().WithStatusCode(200));

        await Assert.ThrowsAsync<ScmProtocolException>(() => _client.Ssl.CountAsync());
    }

    internal static SslEnrollRequest SampleEnroll() => new()
    {
        OrganizationId = 2645,
        ProfileId = 1001,
        Term = 365,
        Csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----",
        SubjectAlternativeNames = ["ccmqa.com", "www.ccmqa.com"],
        Comments = "token:7f3",
        ExternalRequester = "ops@example.com",
        CustomFields = [new CustomFieldValue("cost", "42")],
        DcvMode = DcvMode.Cname,
    };

    [Fact]
    public async Task EnrollAsync_FullRequest_SendsExactCompactBodyWithCommaSeparatedSans()
    {
        _server.Stub(Post("/api/ssl/v1/enroll"), Json("""{"sslId":3000000055,"renewId":"gu03sW6WENt7GTvDTuOP"}"""));

        var result = await _client.Ssl.EnrollAsync(SampleEnroll());

        var req = _server.Single();
        Assert.StartsWith("application/json", ScmServer.Header(req, "Content-Type"));
        Assert.Equal(
            """{"orgId":2645,"csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----","subjAltNames":"ccmqa.com,www.ccmqa.com","certType":1001,"term":365,"comments":"token:7f3","externalRequester":"ops@example.com","customFields":[{"name":"cost","value":"42"}],"dcvMode":"CNAME"}""",
            req.Body);
        Assert.Equal(3000000055L, result.SslId);
        Assert.Equal("gu03sW6WENt7GTvDTuOP", result.RenewId);
    }

    [Fact]
    public async Task EnrollAsync_MinimalRequest_OmitsUnsetFields()
    {
        _server.Stub(Post("/api/ssl/v1/enroll"), Json("""{"sslId":55}"""));

        var result = await _client.Ssl.EnrollAsync(new SslEnrollRequest { OrganizationId = 1, ProfileId = 2, Term = 365, Csr = "MIIB" });

        Assert.Equal("""{"orgId":1,"csr":"MIIB","certType":2,"term":365}""", _server.Single().Body);
        Assert.Null(result.RenewId);
    }

    [Theory]
    [InlineData("""{"renewId":"x"}""")]
    [InlineData("""{"sslId":"55","renewId":"x"}""")]
    [InlineData("""{"sslId":null}""")]
    [InlineData("""{"sslId":0}""")]
    [InlineData("""{"sslId":55,"renewId":""")]
    [InlineData("<html>ok</html>")]
    public async Task EnrollAsync_200WithoutUsableSslId_ThrowsProtocolException(string body)
    {
        _server.Stub(Post("/api/ssl/v1/enroll"), Json(body));

        var ex = await Assert.ThrowsAsync<ScmProtocolException>(() => _client.Ssl.EnrollAsync(SampleEnroll()));

        Assert.Equal(200, ex.Status);
        Assert.Equal("/api/ssl/v1/enroll", ex.Path);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task EnrollWithKeyGenerationAsync_Request_SendsKeygenBody()
    {
        _server.Stub(Post("/api/ssl/v1/enroll-keygen"), Json("""{"sslId":77,"renewId":"r"}"""));

        var r = await _client.Ssl.EnrollWithKeyGenerationAsync(new SslKeyGenerationEnrollRequest
        {
            OrganizationId = 5,
            ProfileId = 6,
            Term = 365,
            CommonName = "kg.example.com",
            Algorithm = "EC",
            KeyParameter = "P-256",
            KeyGenerationMethod = KeyGenerationMethod.PrivateKeyAgent,
            PassPhrase = "long-enough-phrase",
        });

        Assert.Equal(
            """{"orgId":5,"commonName":"kg.example.com","certType":6,"term":365,"algorithm":"EC","keyParam":"P-256","keyGenerationMethod":"PK_AGENT","passPhrase":"long-enough-phrase"}""",
            _server.Single().Body);
        Assert.Equal(77, r.SslId);
    }

    [Fact]
    public async Task ApproveAsync_Message_PostsMessageBody()
    {
        _server.Stub(Post("/api/ssl/v1/approve/12"), NoContent());

        await _client.Ssl.ApproveAsync(12, "ok by ops");

        Assert.Equal("""{"message":"ok by ops"}""", _server.Single().Body);
    }

    [Fact]
    public async Task DeclineAsync_Message_PostsMessageBody()
    {
        _server.Stub(Post("/api/ssl/v1/decline/12"), NoContent());

        await _client.Ssl.DeclineAsync(12, "not ours");

        Assert.Equal("""{"message":"not ours"}""", _server.Single().Body);
    }

    [Fact]
    public async Task RevokeAsync_Reason_SendsNumericReasonCode()
    {
        _server.Stub(Post("/api/ssl/v1/revoke/147"), NoContent());

        await _client.Ssl.RevokeAsync(147, RevocationReason.Superseded, "my reason");

        Assert.Equal("""{"reasonCode":4,"reason":"my reason"}""", _server.Single().Body);
    }

    [Fact]
    public async Task RevokeBySerialAsync_ColonSerial_UsesSerialPath()
    {
        _server.Stub(Post("/api/ssl/v1/revoke/serial/A9:3E:C0:61"), NoContent());

        await _client.Ssl.RevokeBySerialAsync("A9:3E:C0:61", RevocationReason.AffiliationChanged, "moved");

        var req = _server.Single();
        Assert.Equal("/api/ssl/v1/revoke/serial/A9:3E:C0:61", req.Path);
        Assert.Equal("""{"reasonCode":3,"reason":"moved"}""", req.Body);
    }

    [Fact]
    public async Task RevokeManuallyAsync_ById_SendsCertIdDateAndCode()
    {
        _server.Stub(Post("/api/ssl/v1/revoke/manual"), NoContent());

        await _client.Ssl.RevokeManuallyAsync(new SslManualRevocationRequest
        {
            SslId = 143,
            RevokeDate = new DateTimeOffset(2025, 5, 21, 12, 24, 27, 916, TimeSpan.Zero),
            ReasonCode = RevocationReason.Superseded,
        });

        Assert.Equal("""{"certId":143,"revokeDate":"2025-05-21T12:24:27.916+00:00","reasonCode":4}""", _server.Single().Body);
    }

    [Fact]
    public async Task RenewAsync_WithoutCsr_SendsEmptyObject()
    {
        _server.Stub(Post("/api/ssl/v1/renew/gu03sW6WENt7GTvDTuOP"), NoContent());

        await _client.Ssl.RenewAsync("gu03sW6WENt7GTvDTuOP");

        Assert.Equal("{}", _server.Single().Body);
    }

    [Fact]
    public async Task RenewAsync_WithCsr_SendsCsr()
    {
        _server.Stub(Post("/api/ssl/v1/renew/abc"), NoContent());

        await _client.Ssl.RenewAsync("abc", "MIIC");

        Assert.Equal("""{"csr":"MIIC"}""", _server.Single().Body);
    }

    [Fact]
    public async Task RenewByIdAsync_NoRequest_SendsEmptyObjectAndReturnsNewId()
    {
        _server.Stub(Post("/api/ssl/v1/renewById/73"), Json("""{"sslId":3000000074}"""));

        var newId = await _client.Ssl.RenewByIdAsync(73);

        Assert.Equal("{}", _server.Single().Body);
        Assert.Equal(3000000074L, newId);
    }

    [Fact]
    public async Task RenewByIdAsync_WithDcv_SendsCsrAndDcv()
    {
        _server.Stub(Post("/api/ssl/v1/renewById/73"), Json("""{"sslId":74}"""));

        await _client.Ssl.RenewByIdAsync(73, new SslRenewRequest { Csr = "MIIC", DcvMode = DcvMode.Email, DcvEmail = "admin@example.com" });

        Assert.Equal("""{"csr":"MIIC","dcvMode":"EMAIL","dcvEmail":"admin@example.com"}""", _server.Single().Body);
    }

    [Fact]
    public async Task MarkRenewedAsync_ById_SendsIdBody()
    {
        _server.Stub(Post("/api/ssl/v1/renew/manual/75"), NoContent());

        await _client.Ssl.MarkRenewedAsync(75, new SslManualRenewRequest { RenewedBySslId = 76 });

        Assert.Equal("""{"id":76}""", _server.Single().Body);
    }

    [Fact]
    public async Task ReplaceAsync_Request_SendsSansAsArray()
    {
        _server.Stub(Post("/api/ssl/v1/replace/90"), NoContent());

        await _client.Ssl.ReplaceAsync(90, new SslReplaceRequest { Csr = "MIIC", Reason = "rekey", CommonName = "a.example", SubjectAlternativeNames = ["a.example", "b.example"] });

        Assert.Equal("""{"csr":"MIIC","reason":"rekey","commonName":"a.example","subjectAlternativeNames":["a.example","b.example"]}""", _server.Single().Body);
    }

    [Fact]
    public async Task UpdateAsync_Request_PutsCertTypeIdAndReturnsDetails()
    {
        _server.Stub(Put("/api/ssl/v1"), Json(DetailsJson));

        var d = await _client.Ssl.UpdateAsync(new SslUpdateRequest
        {
            SslId = 3000000001,
            ProfileId = 1001,
            Comments = "updated",
            CustomFields = [new CustomFieldValue("cost", "43")],
            AutoRenew = new SslAutoRenewDetails { State = AutoRenewState.Scheduled, DaysBeforeExpiration = 30 },
            ApproverAdminId = -1,
        });

        var req = _server.Single();
        Assert.Equal("PUT", req.Method);
        Assert.Equal("""{"sslId":3000000001,"certTypeId":1001,"comments":"updated","customFields":[{"name":"cost","value":"43"}],"autoRenewDetails":{"state":"Scheduled","daysBeforeExpiration":30},"approverAdminId":-1}""", req.Body);
        Assert.Equal("ccmqa.com", d.CommonName);
    }

    [Fact]
    public async Task DeleteAsync_Id_SendsDeleteWithoutBody()
    {
        _server.Stub(Delete("/api/ssl/v1/31"), NoContent());

        await _client.Ssl.DeleteAsync(31);

        var req = _server.Single();
        Assert.Equal("DELETE", req.Method);
        Assert.True(string.IsNullOrEmpty(req.Body));
    }

    [Fact]
    public async Task ImportAsync_Items_SendsV2ArrayWithOrgIdAndMapsResults()
    {
        _server.Stub(Post("/api/ssl/v2/import"), Json("""[{"cert":{"id":159,"subject":"CN=a","serialNumber":"E11BBD70"},"created":true},{"errorMessage":"Custom field cannot be found: testName"}]"""));

        var results = await _client.Ssl.ImportAsync([
            new SslImportItem { OrganizationId = 9, Certificate = new byte[] { 1, 2, 3 }, Comments = "c" },
            new SslImportItem { OrganizationId = 9, Certificate = new byte[] { 4 }, CustomFields = [new CustomFieldValue("testName", "v")] },
        ]);

        Assert.Equal("""[{"orgID":9,"cert":"AQID","comments":"c"},{"orgID":9,"cert":"BA==","customFields":[{"name":"testName","value":"v"}]}]""", _server.Single().Body);
        Assert.Equal(159, results[0].SslId);
        Assert.True(results[0].Created);
        Assert.False(results[0].IsError);
        Assert.True(results[1].IsError);
        Assert.Equal("Custom field cannot be found: testName", results[1].ErrorMessage);
    }

    [Fact]
    public async Task GetDcvAsync_DocumentedObject_MapsLogAndInstructions()
    {
        _server.Stub(Get("/api/ssl/v1/5/dcv"), Json("""
            {"dcvLog":{"error":{"code":0,"description":null},"log":[{"dcvStatus":"Awaiting Validation","domainName":"ccmqa.com","lastCheck":"2025-05-21 12:24:26","nextCheck":"2025-05-21 13:24:26","dcvDate":null,"dcvEmailRefNumber":1}]},
             "instructions":[{"domainName":"ccmqa.com","dcvMode":"CNAME","host":"_4E38.ccmqa.com.","point":"7A16.sectigo.com."}]}
            """));

        var dcv = await _client.Ssl.GetDcvAsync(5);

        var entry = Assert.Single(dcv.Log!.Entries!);
        Assert.Equal(new DateTimeOffset(2025, 5, 21, 12, 24, 26, TimeSpan.Zero), entry.LastCheck);
        Assert.Null(entry.DcvDate);
        Assert.Equal(DcvMode.Cname, dcv.Instructions![0].DcvMode);
        Assert.Equal("7A16.sectigo.com.", dcv.Instructions[0].Point);
    }

    [Fact]
    public async Task GetDcvAsync_OpenApiArray_MergesItems()
    {
        _server.Stub(Get("/api/ssl/v1/5/dcv"), Json("""[{"dcvLog":{"log":[{"domainName":"a"}]},"instructions":[{"domainName":"a"}]},{"dcvLog":{"log":[{"domainName":"b"}]}}]"""));

        var dcv = await _client.Ssl.GetDcvAsync(5);

        Assert.Equal(["a", "b"], dcv.Log!.Entries!.Select(e => e.DomainName));
        Assert.Single(dcv.Instructions!);
    }

    [Fact]
    public async Task RecheckDcvAsync_Accepted_PostsAndMapsBody()
    {
        _server.Stub(Post("/api/ssl/v1/5/dcv/recheck"), Json("""{"dcvLog":{"log":[{"dcvStatus":"Validated","domainName":"a"}]}}""", 202));

        var dcv = await _client.Ssl.RecheckDcvAsync(5);

        Assert.Equal("POST", _server.Single().Method);
        Assert.Equal("Validated", dcv!.Log!.Entries![0].DcvStatus);
    }

    [Fact]
    public async Task LocationOperations_AllVerbs_UseDocumentedPathsAndBodies()
    {
        _server.Stub(Get("/api/ssl/v1/131/location"), Json("""[{"id":53,"locationType":"CUSTOM","name":"","details":{"IP":"1.1.1.1"}}]"""));
        _server.Stub(Post("/api/ssl/v1/131/location"), Response().WithStatusCode(201).WithHeader("Location", "https://cert-manager.com/api/ssl/v1/131/location/50"));
        _server.Stub(Get("/api/ssl/v1/131/location/50"), Json("""{"id":50,"locationType":"CUSTOM","details":{"IP":"2.2.2.2"}}"""));
        _server.Stub(Put("/api/ssl/v1/131/location/50"), Response().WithStatusCode(200));
        _server.Stub(Delete("/api/ssl/v1/131/location/50"), NoContent());

        var list = await _client.Ssl.ListLocationsAsync(131);
        var id = await _client.Ssl.CreateLocationAsync(131, new Dictionary<string, string> { ["IP"] = "2.2.2.2" });
        var one = await _client.Ssl.GetLocationAsync(131, id);
        await _client.Ssl.UpdateLocationAsync(131, id, new Dictionary<string, string> { ["IP"] = "3.3.3.3" });
        await _client.Ssl.DeleteLocationAsync(131, id);

        Assert.Equal(SslLocationType.Custom, list[0].LocationType);
        Assert.Equal("1.1.1.1", list[0].Details!["IP"]);
        Assert.Equal(50, id);
        Assert.Equal("2.2.2.2", one.Details!["IP"]);
        var reqs = _server.Requests;
        Assert.Equal(["GET", "POST", "GET", "PUT", "DELETE"], reqs.Select(r => r.Method));
        Assert.Equal("""{"details":{"IP":"2.2.2.2"}}""", reqs[1].Body);
        Assert.Equal("""{"details":{"IP":"3.3.3.3"}}""", reqs[3].Body);
    }

    [Fact]
    public async Task CreateLocationAsync_201WithoutLocation_ThrowsProtocolException()
    {
        _server.Stub(Post("/api/ssl/v1/131/location"), Response().WithStatusCode(201));

        await Assert.ThrowsAsync<ScmProtocolException>(() => _client.Ssl.CreateLocationAsync(131, new Dictionary<string, string> { ["k"] = "v" }));
    }

    [Fact]
    public async Task ListProfilesAsync_OrganizationFilter_SendsOrganizationIdAndMapsProfiles()
    {
        _server.Stub(Get("/api/ssl/v1/types"), Json("""[{"id":1,"name":"InCommon SSL (SHA-2)","terms":[365,730]},{"id":2,"name":"EV","description":"d","terms":["395"],"keyTypes":{"RSA":["2048",3072]},"useSecondaryOrgName":true}]"""));

        var profiles = await _client.Ssl.ListProfilesAsync(2645);

        Assert.Equal("2645", _server.Single().Query!["organizationId"].Single());
        Assert.Equal([365, 730], profiles[0].Terms);
        Assert.Empty(profiles[0].KeyTypes);
        Assert.Null(profiles[0].UseSecondaryOrgName);
        Assert.Equal([395], profiles[1].Terms);
        Assert.Equal(["2048", "3072"], profiles[1].KeyTypes["RSA"]);
        Assert.True(profiles[1].UseSecondaryOrgName);
    }

    [Fact]
    public async Task ListCustomFieldsAsync_Fields_MapsMandatory()
    {
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("""[{"id":54,"name":"testName","mandatory":true}]"""));

        var fields = await _client.Ssl.ListCustomFieldsAsync();

        Assert.Equal("testName", fields[0].Name);
        Assert.True(fields[0].Mandatory);
    }

    [Fact]
    public async Task GetAsync_SslApiVersionV2_UsesV2Path()
    {
        using var v2 = TestClient.Create(_server, o => o.SslApiVersion = "v2");
        _server.Stub(Get("/api/ssl/v2/9"), Json("""{"sslId":9,"status":"Applied"}"""));

        var d = await v2.Ssl.GetAsync(9);

        Assert.Equal("/api/ssl/v2/9", _server.Single().Path);
        Assert.True(d.Status.IsPendingIssuance);
    }

    private static WireMock.ResponseBuilders.IResponseBuilder Response() => WireMock.ResponseBuilders.Response.Create();
}
