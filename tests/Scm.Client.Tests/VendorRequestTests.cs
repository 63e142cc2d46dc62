using System.Text.Json;
using Scm.Client.Tests.Infrastructure;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

/// <summary>
/// Wire shapes of the requests the two SCM documents describe differently (issue 14, section 1), per
/// <see cref="ScmClientOptions.ApiVersion"/>: exact query values and JSON types, paths and verbs, values refused before
/// sending, paging by <c>X-Total-Count</c>, report errors, error <c>details</c>/<c>items</c>, and the new operations.
/// </summary>
public sealed class VendorRequestTests : IDisposable
{
    private const string Csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBvendor\n-----END CERTIFICATE REQUEST-----\n";

    private readonly ScmServer _server = ScmServer.Start();

    public void Dispose() => _server.Dispose();

    private TestClient Client(ScmApiVersion version = ScmApiVersion.Rest25_5, Action<ScmClientOptions>? configure = null) =>
        TestClient.Create(_server, o =>
        {
            o.ApiVersion = version;
            configure?.Invoke(o);
        });

    private static string Query(WireMock.IRequestMessage request, string name) => request.Query![name].Single();

    // ---------------------------------------------------------------- domain list filter

    [Theory]
    [InlineData("active", "active")]
    [InlineData("ACTIVE", "active")]
    [InlineData("Inactive", "inactive")]
    public async Task Domains_StateFilter_SendsTheDocumentedLowerCaseValue(string given, string sent)
    {
        using var client = Client();
        _server.Stub(Get("/api/domain/v1"), Json("[]").WithHeader("X-Total-Count", "0"));

        await client.Client.Domains.ListPageAsync(new DomainListFilter { State = new DomainStateFilter(given), DelegationStatus = DomainDelegationFilter.Requested }, 0, 10);

        Assert.Equal(sent, Query(_server.Single(), "state"));
        Assert.Equal("requested", Query(_server.Single(), "status"));
    }

    [Theory]
    [InlineData("SUSPENDED")]
    [InlineData("DELETED")]
    public async Task Domains_StateFilterNotDocumented_RefusedBeforeSending(string value)
    {
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Client.Domains.ListAsync(new DomainListFilter { State = new DomainStateFilter(value) }).ToListAsync().AsTask());

        Assert.Equal("filter.State", ex.ParamName);
        Assert.Contains("active, inactive", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    // ---------------------------------------------------------------- SSL list filters per version

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5, "SAApproved", "KEY_READY", "NOT_SCHEDULED", "WEB_FORM")]
    [InlineData(ScmApiVersion.Admin25_9, "SA Approved", "Key and CSR ready", "Not scheduled", "Enrollment Form")]
    public async Task SslList_Filters_SentInTheConfiguredVersionsSpelling(ScmApiVersion version, string status, string install, string renewal, string via)
    {
        using var client = Client(version);
        _server.Stub(Get("/api/ssl/v1"), Json("[]").WithHeader("X-Total-Count", "0"));

        // Given in the other version's spelling on purpose: the client translates.
        await client.Ssl.ListPageAsync(new SslListFilter
        {
            Status = version == ScmApiVersion.Rest25_5 ? new SslCertificateStatus("SA Approved") : SslCertificateStatus.SAApproved,
            InstallStatus = version == ScmApiVersion.Rest25_5 ? SslInstallStatus.KeyReady : new SslInstallStatus("KEY_READY"),
            RenewalStatus = version == ScmApiVersion.Rest25_5 ? AutoRenewState.NotScheduled : new AutoRenewState("NOT_SCHEDULED"),
            RequestedVia = version == ScmApiVersion.Rest25_5 ? RequestedVia.EnrollmentForm : new RequestedVia("WEB_FORM"),
            DiscoveryStatus = "deployed",
        }, 0, 10);

        var request = _server.Single();
        Assert.Equal(status, Query(request, "status"));
        Assert.Equal(install, Query(request, "installStatus"));
        Assert.Equal(renewal, Query(request, "renewalStatus"));
        Assert.Equal(via, Query(request, "requestedVia"));
        Assert.Equal("Deployed", Query(request, "discoveryStatus"));
    }

    [Fact]
    public async Task SslList_UnmanagedUnderAdmin25_9_RefusedNamingFieldAndVersion()
    {
        using var client = Client(ScmApiVersion.Admin25_9);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Ssl.CountAsync(new SslListFilter { Status = SslCertificateStatus.Unmanaged }));

        Assert.Equal("filter.Status", ex.ParamName);
        Assert.Contains("not documented by the Admin API 25.9", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task SslList_Sha256HashUnderRest25_5_RefusedBeforeSending()
    {
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Ssl.ListPageAsync(new SslListFilter { Sha256Hash = "ab" }, 0, 1));

        Assert.Equal("filter", ex.ParamName);
        Assert.Contains("Sha256Hash", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task SslList_Sha256HashUnderAdmin25_9_IsSent()
    {
        using var client = Client(ScmApiVersion.Admin25_9);
        _server.Stub(Get("/api/ssl/v1"), Json("[]").WithHeader("X-Total-Count", "0"));

        await client.Ssl.ListPageAsync(new SslListFilter { Sha256Hash = "ab" }, 0, 1);

        Assert.Equal("ab", Query(_server.Single(), "sha256Hash"));
    }

    [Fact]
    public async Task SslList_UnknownInstallStatus_RefusedListingTheVersionsValues()
    {
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Ssl.ListPageAsync(new SslListFilter { InstallStatus = new SslInstallStatus("Almost") }, 0, 1));

        Assert.Equal("filter.InstallStatus", ex.ParamName);
        Assert.Contains("NONE, NOT_STARTED", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    // ---------------------------------------------------------------- bodies per version

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5, """{"reasonCode":4,"reason":"moved"}""")]
    [InlineData(ScmApiVersion.Admin25_9, """{"reasonCode":"4","reason":"moved"}""")]
    public async Task Revoke_ReasonCode_IsANumberOrAStringPerVersion(ScmApiVersion version, string body)
    {
        using var client = Client(version);
        _server.Stub(Post("/api/ssl/v1/revoke/7"), NoContent());

        await client.Ssl.RevokeAsync(7, RevocationReason.Superseded, "moved");

        Assert.Equal(body, _server.Single().Body);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5, """{"certId":7,"reasonCode":1}""")]
    [InlineData(ScmApiVersion.Admin25_9, """{"certId":7,"reasonCode":"1"}""")]
    public async Task RevokeManually_ReasonCode_IsANumberOrAStringPerVersion(ScmApiVersion version, string body)
    {
        using var client = Client(version);
        _server.Stub(Post("/api/ssl/v1/revoke/manual"), NoContent());

        await client.Ssl.RevokeManuallyAsync(new SslManualRevocationRequest { SslId = 7, ReasonCode = RevocationReason.KeyCompromise });

        Assert.Equal(body, _server.Single().Body);
    }

    [Fact]
    public async Task Enroll_DcvModeAutoUnderRest25_5_RefusedBeforeSending()
    {
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Ssl.EnrollAsync(new SslEnrollRequest { OrganizationId = 1, ProfileId = 2, Term = 365, Csr = Csr, DcvMode = DcvMode.Auto }));

        Assert.Equal("request.DcvMode", ex.ParamName);
        Assert.Contains("only", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Enroll_DcvModeAutoUnderAdmin25_9_AndLowerCaseMode_SentCanonical()
    {
        using var client = Client(ScmApiVersion.Admin25_9);
        _server.Stub(Post("/api/ssl/v1/enroll"), Json("""{"sslId":9,"renewId":"r"}"""));
        _server.Stub(Post("/api/ssl/v1/renewById/9"), Json("""{"sslId":10}"""));

        await client.Ssl.EnrollAsync(new SslEnrollRequest { OrganizationId = 1, ProfileId = 2, Term = 365, Csr = Csr, DcvMode = DcvMode.Auto });
        await client.Ssl.RenewByIdAsync(9, new SslRenewRequest { DcvMode = new DcvMode("cname") });

        using var enroll = JsonDocument.Parse(_server.Requests[0].Body!);
        Assert.Equal("AUTO", enroll.RootElement.GetProperty("dcvMode").GetString());
        using var renew = JsonDocument.Parse(_server.Requests[1].Body!);
        Assert.Equal("CNAME", renew.RootElement.GetProperty("dcvMode").GetString());
    }

    [Fact]
    public async Task Update_AutoRenewState_SentInTheDocumentedSpellingAndOthersRefused()
    {
        using var client = Client();
        _server.Stub(Put("/api/ssl/v1"), Json("""{"sslId":5}"""));

        await client.Ssl.UpdateAsync(new SslUpdateRequest { SslId = 5, AutoRenew = new SslAutoRenewDetails { State = new AutoRenewState("SCHEDULED"), DaysBeforeExpiration = 20 } });
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => client.Ssl.UpdateAsync(new SslUpdateRequest { SslId = 5, AutoRenew = new SslAutoRenewDetails { State = AutoRenewState.Started } }));

        Assert.Equal("""{"sslId":5,"autoRenewDetails":{"state":"Scheduled","daysBeforeExpiration":20}}""", _server.Single().Body);
        Assert.Equal("request.AutoRenew.State", refused.ParamName);
    }

    // ---------------------------------------------------------------- reports

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5, """{"from":"2025-01-01","to":"2025-01-31","certificateStatus":2,"certificateDateAttribute":3,"certificateRequestSource":12}""")]
    [InlineData(ScmApiVersion.Admin25_9, """{"from":"2025-01-01","to":"2025-01-31","certificateStatus":"2","certificateDateAttribute":"3","certificateRequestSource":"12"}""")]
    public async Task Report_DatesAreCalendarDates_CodesTypedPerVersion(ScmApiVersion version, string body)
    {
        using var client = Client(version);
        _server.Stub(Post("/api/report/v1/ssl-certificates"), Json("""{"statusCode":0,"reports":[]}"""));

        var rows = await client.Client.Reports.GetSslCertificatesAsync(new SslReportRequest
        {
            From = new DateOnly(2025, 1, 1),
            To = new DateOnly(2025, 1, 31),
            CertificateStatus = SslReportCertificateStatus.Issued,
            DateAttribute = SslReportDateAttribute.Expiration,
            RequestSource = SslReportRequestSource.RestApi,
        });

        Assert.Empty(rows);
        Assert.Equal(body, _server.Single().Body);
    }

    [Fact]
    public async Task Report_NonZeroStatusCode_IsAnErrorWithScmsMessage_NotAnEmptyList()
    {
        using var client = Client();
        _server.Stub(Post("/api/report/v1/ssl-certificates"), Json("""{"statusCode":-1,"message":"Report generation failed: too many rows","reports":[]}"""));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => client.Client.Reports.GetSslCertificatesAsync(new SslReportRequest()));

        Assert.Equal(200, ex.Status);
        Assert.Equal(-1, ex.ScmErrorCode);
        Assert.Contains("too many rows", ex.Description, StringComparison.Ordinal);
        Assert.Contains("statusCode -1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_UndocumentedCode_RefusedBeforeSending()
    {
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Client.Reports.GetSslCertificatesAsync(new SslReportRequest { RequestSource = (SslReportRequestSource)6 }));

        Assert.Equal("request.RequestSource", ex.ParamName);
        Assert.Empty(_server.Requests);
    }

    // ---------------------------------------------------------------- error details and items

    [Fact]
    public async Task Error_DetailsAndItems_ReachTheException_SecretsRedacted()
    {
        using var client = Client();
        _server.Stub(Post("/api/ssl/v1/enroll"), Json("""{"code":-1601,"description":"Field 'term' has invalid value","details":"Validation failed","items":["term: must be one of [365]","comments: size must be between 0 and 1024","login used """ + TestClient.Password + """ "]}""", 400));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.EnrollAsync(new SslEnrollRequest { OrganizationId = 1, ProfileId = 2, Term = 3, Csr = Csr }));

        Assert.Equal(-1601, ex.ScmErrorCode);
        Assert.Equal("Validation failed", ex.Details);
        Assert.Equal(3, ex.Items.Count);
        Assert.Equal("term: must be one of [365]", ex.Items[0]);
        Assert.Contains("items: term: must be one of [365]; comments: size must be between 0 and 1024", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClient.Password, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClient.Password, ex.Items[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_ItemsThatAreObjects_KeptAsCompactJson()
    {
        using var client = Client();
        _server.Stub(Get("/api/ssl/v1/5"), Json("""{"code":-124,"description":"Wrong SSL certificate id 5.","items":[{"field":"sslId","reason":"unknown"}]}""", 404));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.GetAsync(5));

        Assert.Equal(["""{"field":"sslId","reason":"unknown"}"""], ex.Items);
        Assert.Null(ex.Details);
    }

    [Fact]
    public async Task Error_WithoutDetails_MessageUnchanged()
    {
        using var client = Client();
        _server.Stub(Get("/api/ssl/v1/5"), Error(404, -124, "Wrong SSL certificate id 5."));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.GetAsync(5));

        Assert.Empty(ex.Items);
        Assert.Equal("SCM request GET /api/ssl/v1/5 failed: HTTP 404, SCM code -124: Wrong SSL certificate id 5..", ex.Message);
    }

    // ---------------------------------------------------------------- paging by X-Total-Count

    [Fact]
    public async Task SslListAsync_ShortPagesBelowTheTotal_WalksOnUntilTheTotal()
    {
        using var client = Client(configure: o => o.PageSize = 5);
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "0"), Json("""[{"sslId":1},{"sslId":2},{"sslId":3}]""").WithHeader("X-Total-Count", "7"));
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "3"), Json("""[{"sslId":4},{"sslId":5},{"sslId":6}]""").WithHeader("X-Total-Count", "7"));
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "6"), Json("""[{"sslId":7}]""").WithHeader("X-Total-Count", "7"));

        var ids = await client.Ssl.ListAsync(new SslListFilter { CommonName = "a.example" }).Select(s => s.SslId).ToListAsync();

        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], ids);
        Assert.Equal(["0", "3", "6"], _server.Requests.Select(r => Query(r, "position")));
        Assert.All(_server.Requests, r => Assert.Equal("5", Query(r, "size")));
    }

    [Fact]
    public async Task SslListAsync_NoTotalAndShortPage_Stops()
    {
        using var client = Client(configure: o => o.PageSize = 5);
        _server.Stub(Get("/api/ssl/v1"), Json("""[{"sslId":1},{"sslId":2}]"""));

        var ids = await client.Ssl.ListAsync().Select(s => s.SslId).ToListAsync();

        Assert.Equal([1L, 2], ids);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task SslListAsync_TotalOverstated_StopsAtTheFirstEmptyPage()
    {
        using var client = Client(configure: o => o.PageSize = 5);
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "0"), Json("""[{"sslId":1},{"sslId":2}]""").WithHeader("X-Total-Count", "9"));
        _server.Stub(Get("/api/ssl/v1").WithParam("position", "2"), Json("[]").WithHeader("X-Total-Count", "9"));

        var ids = await client.Ssl.ListAsync().Select(s => s.SslId).ToListAsync();

        Assert.Equal([1L, 2], ids);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task DomainsListAsync_ShortPagesBelowTheTotal_WalksOnUntilTheTotal()
    {
        using var client = Client(configure: o => o.PageSize = 4);
        _server.Stub(Get("/api/domain/v1").WithParam("position", "0"), Json("""[{"id":1,"name":"a"},{"id":2,"name":"b"}]""").WithHeader("X-Total-Count", "3"));
        _server.Stub(Get("/api/domain/v1").WithParam("position", "2"), Json("""[{"id":3,"name":"c"}]""").WithHeader("X-Total-Count", "3"));

        var ids = await client.Client.Domains.ListAsync().Select(d => d.Id).ToListAsync();

        Assert.Equal([1, 2, 3], ids);
        Assert.Equal(2, _server.Requests.Count);
    }

    // ---------------------------------------------------------------- keystore link

    [Fact]
    public async Task KeystoreLink_Rest25_5_IsAGetWithoutBody()
    {
        using var client = Client();
        _server.Stub(Get("/api/ssl/v1/keystore/135/p12"), Json("""{"link":"https://pk.example/download?token=DIN309I2AAVH4L5BHF3KP53SK0&keyformat=p12"}"""));

        var link = await client.Ssl.GetKeystoreLinkAsync(135, SslKeystoreFormat.Pkcs12);

        var request = _server.Single();
        Assert.Equal("GET", request.Method);
        Assert.True(string.IsNullOrEmpty(request.Body));
        Assert.Equal(new Uri("https://pk.example/download?token=DIN309I2AAVH4L5BHF3KP53SK0&keyformat=p12"), link.Uri);
        Assert.Equal(SslKeystoreFormat.Pkcs12, link.Format);
        Assert.DoesNotContain("DIN309", link.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeystoreLink_Admin25_9_IsAPostWithThePassPhrase()
    {
        using var client = Client(ScmApiVersion.Admin25_9);
        _server.Stub(Post("/api/ssl/v1/keystore/135/pem"), Json("""{"link":"https:/download?token=T&keyformat=pem"}"""));

        var link = await client.Ssl.GetKeystoreLinkAsync(135, new SslKeystoreFormat("PEM"), "pass-phrase-1");

        var request = _server.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("""{"passphrase":"pass-phrase-1"}""", request.Body);
        Assert.Equal("https:/download?token=T&keyformat=pem", link.Link);
        Assert.Null(link.Uri);
        Assert.DoesNotContain("pass-phrase-1", client.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeystoreLink_BadInput_RefusedBeforeSending()
    {
        using var rest = Client();
        using var admin = Client(ScmApiVersion.Admin25_9);

        var passphraseUnderRest = await Assert.ThrowsAsync<ArgumentException>(() => rest.Ssl.GetKeystoreLinkAsync(1, SslKeystoreFormat.Key, "pass-phrase-1"));
        var zip = await Assert.ThrowsAsync<ArgumentException>(() => admin.Ssl.GetKeystoreLinkAsync(1, new SslKeystoreFormat("zip")));
        var longPassphrase = await Assert.ThrowsAsync<ArgumentException>(() => admin.Ssl.GetKeystoreLinkAsync(1, SslKeystoreFormat.Jks, new string('p', 33)));

        Assert.Equal("passphrase", passphraseUnderRest.ParamName);
        Assert.Equal("format", zip.ParamName);
        Assert.Contains("key, p12, p12aes, jks, pem", zip.Message, StringComparison.Ordinal);
        Assert.Equal("passphrase", longPassphrase.ParamName);
        Assert.DoesNotContain(new string('p', 33), longPassphrase.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    // ---------------------------------------------------------------- admin password change

    [Fact]
    public async Task ChangePassword_SignedWithTheCurrentPassword_ThenTheNewOneIsUsed()
    {
        using var client = Client();
        const string NewPassword = "canary-New-Pw-77aa";
        _server.Stub(Post("/api/admin/v1/changepassword"), NoContent());
        _server.Stub(Get("/api/admin/v1/password"), Json("""{"expirationDate":"2026-08-21","state":"ALIVE"}"""));

        await client.Client.Admin.ChangePasswordAsync(NewPassword);
        await client.Client.Admin.GetPasswordStatusAsync();

        var change = _server.Requests[0];
        Assert.Equal("""{"newPassword":"canary-New-Pw-77aa"}""", change.Body);
        Assert.Equal(TestClient.Password, ScmServer.Header(change, "password"));
        Assert.Equal(NewPassword, ScmServer.Header(_server.Requests[1], "password"));
        Assert.DoesNotContain(NewPassword, client.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_PolicyViolated_KeepsTheCurrentPasswordAndCarriesScmsReasons()
    {
        using var client = Client();
        _server.Stub(Post("/api/admin/v1/changepassword"), Json("""{"code":-7306,"description":"Password policy violated: Password must contain 1 or more uppercase characters."}""", 400));
        _server.Stub(Get("/api/admin/v1/password"), Json("""{"state":"ALIVE"}"""));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => client.Client.Admin.ChangePasswordAsync("lowercase-only-1"));
        await client.Client.Admin.GetPasswordStatusAsync();

        Assert.Equal(-7306, ex.ScmErrorCode);
        Assert.Contains("uppercase", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TestClient.Password, ScmServer.Header(_server.Requests[1], "password"));
    }

    [Theory]
    [InlineData("", "1..32")]
    [InlineData("0123456789012345678901234567890123", "1..32")]
    [InlineData(TestClient.Password, "differ")]
    [InlineData("x-API-ADMIN-x", "login")]
    [InlineData("tab\there", "control")]
    public async Task ChangePassword_BreaksAKnownRule_RefusedBeforeSendingWithoutTheValue(string newPassword, string rule)
    {
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Client.Admin.ChangePasswordAsync(newPassword));

        Assert.Equal("newPassword", ex.ParamName);
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        if (newPassword.Length > 0)
        {
            Assert.DoesNotContain(newPassword, ex.Message, StringComparison.Ordinal);
        }

        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ChangePassword_OAuth2Client_RefusedBeforeSending()
    {
        using var client = TestClient.Create(_server, o =>
        {
            o.AuthenticationMode = ScmAuthenticationMode.OAuth2ClientCredentials;
            o.ClientId = "id";
            o.ClientSecret = TestClient.ClientSecret;
            o.TokenEndpoint = new Uri(_server.Root, "/token");
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.Client.Admin.ChangePasswordAsync("Another-Pw-1"));

        Assert.Empty(_server.Requests);
    }

    // ---------------------------------------------------------------- custom fields v2

    [Fact]
    public async Task CustomFieldsV2_List_ParsesMandatoriesAndInput()
    {
        using var client = Client();
        _server.Stub(Get("/api/customField/v2"), Json("""[{"id":144,"name":"Test field","certType":"ssl","state":"ACTIVE","input":{"type":"TEXT_OPTION","options":["option1","option2"]},"mandatories":["ADMIN_UI","WEB_FORM","REST_API","SOAP_API"]},{"id":145,"name":"UI only","certType":"ssl","state":"ACTIVE","input":{"type":"TEXT_SINGLE_LINE"},"mandatories":["ADMIN_UI"]},{"id":146,"name":"Old","certType":"ssl","state":"INACTIVE","input":{"type":"DATE"},"mandatories":["REST_API"]}]"""));

        var fields = await client.Client.CustomFields.ListAsync(CustomFieldCertificateType.Ssl);

        Assert.Equal("SSL", Query(_server.Single(), "certType"));
        Assert.Equal(CustomFieldCertificateType.Ssl, fields[0].CertificateType);
        Assert.Equal(["option1", "option2"], fields[0].Input!.Options);
        Assert.Equal(CustomFieldInputType.TextOption, fields[0].Input!.Type);
        Assert.Equal([true, false, false], fields.Select(f => f.IsRequiredByRestApi));
        Assert.True(fields[1].IsMandatoryFor(CustomFieldAccessMethod.AdminUi));
        Assert.False(fields[2].IsActive);
    }

    [Fact]
    public async Task CustomFieldsV2_CodeSignFilter_OnlyUnderRest25_5()
    {
        using var rest = Client();
        using var admin = Client(ScmApiVersion.Admin25_9);
        _server.Stub(Get("/api/customField/v2"), Json("[]"));

        await rest.Client.CustomFields.ListAsync(CustomFieldCertificateType.CodeSigning);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => admin.Client.CustomFields.ListAsync(CustomFieldCertificateType.CodeSigning));

        Assert.Equal("CodeSign", Query(_server.Single(), "certType"));
        Assert.Equal("certificateType", refused.ParamName);
    }

    [Fact]
    public async Task CustomFieldsV2_Get_ReadsOneField()
    {
        using var client = Client();
        _server.Stub(Get("/api/customField/v2/143"), Json("""{"id":143,"name":"Cost","certType":"SSL","state":"SUSPENDED_ACTIVE","input":{"type":"NUMBER"},"mandatories":[]}"""));

        var field = await client.Client.CustomFields.GetAsync(143);

        Assert.Equal(CustomFieldState.SuspendedActive, field.State);
        Assert.False(field.IsRequiredByRestApi);
    }

    // ---------------------------------------------------------------- organization validations

    [Fact]
    public async Task OrganizationValidations_ReadsBothDocumentsShapes()
    {
        using var client = Client();
        _server.Stub(Get("/api/organization/v2/1786/validations"), Json("""[{"id":233,"validationLevel":"OV_SSL","status":"PENDING","alternative":false,"backendId":1135,"backendType":"SASP"},{"id":234,"validationLevel":"OV_SSL","status":"VALIDATED","expires":"2025-11-21T12:28:52.023Z","alternative":false,"backendId":1136,"backendType":"DIGI_CERT"},{"id":235,"type":"EV","status":"EXPIRED","backgroundStatus":"FAILED","permittedCertTypes":["SSL"]}]"""));

        var validations = await client.Client.Organizations.ListValidationsAsync(1786);

        Assert.Equal(3, validations.Count);
        Assert.True(validations[0].IsSslOrganizationValidation);
        Assert.False(validations[0].IsValidated);
        Assert.True(validations[1].IsValidated);
        Assert.Equal(new DateTimeOffset(2025, 11, 21, 12, 28, 52, 23, TimeSpan.Zero), validations[1].Expires);
        Assert.True(validations[2].IsSslExtendedValidation);
        Assert.Equal(OrganizationValidationStatus.Failed, validations[2].BackgroundStatus);
        Assert.Equal(["SSL"], validations[2].PermittedCertificateTypes);
    }
}
