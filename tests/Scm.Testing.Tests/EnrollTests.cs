using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

public sealed class EnrollTests : IAsyncLifetime
{
    private SimFixture _f = null!;

    public async Task InitializeAsync() => _f = await SimFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Enroll_ValidBody_ReturnsSslIdAndTwentyCharRenewId()
    {
        using var response = await _f.EnrollRawAsync();
        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        Assert.Equal(1000, json["sslId"]!.GetValue<long>());
        Assert.Matches("^[A-Za-z0-9]{20}$", json["renewId"]!.GetValue<string>());
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orgId")]
    [InlineData("certType")]
    [InlineData("term")]
    [InlineData("csr")]
    public async Task Enroll_MissingRequiredField_Returns400Minus7(string field)
    {
        using var response = await _f.EnrollRawAsync(edit: b => b.Remove(field));
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -7);
    }

    [Fact]
    public async Task Enroll_GarbageCsr_ReturnsMinus10()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["csr"] = "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -10);
    }

    [Fact]
    public async Task Enroll_CsrWithBadSignature_ReturnsMinus10()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["csr"] = Csr.WithBadSignature("www.acme.example"));
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -10);
    }

    [Fact]
    public async Task Enroll_BareBase64Csr_Accepted()
    {
        var pem = Csr.Ec("bare.acme.example");
        var bare = string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
        using var response = await _f.EnrollRawAsync("bare.acme.example", b => b["csr"] = bare);
        await Json.ReadAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Enroll_EcKeyOnRsaOnlyProfile_ReturnsMinus11()
    {
        // Profile 103 (EV) allows RSA only.
        using var response = await _f.EnrollRawAsync(edit: b => b["certType"] = 103);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -11);
    }

    [Fact]
    public async Task Enroll_CurveNotInProfile_ReturnsMinus13()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["csr"] = Csr.Curve("www.acme.example", ECCurve.NamedCurves.nistP521));
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -13);
    }

    [Fact]
    public async Task Enroll_P384OnProfileThatListsIt_Accepted()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["csr"] = Csr.Curve("www.acme.example", ECCurve.NamedCurves.nistP384));
        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        var details = await _f.DetailsAsync(json["sslId"]!.GetValue<long>());
        Assert.Equal("EC - P-384", details["keyType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Enroll_TermNotInProfile_ReturnsMinus36()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["term"] = 400);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -36);
    }

    [Fact]
    public async Task Enroll_UnknownProfile_ReturnsMinus111()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["certType"] = 999999);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -111);
    }

    [Fact]
    public async Task Enroll_ProfileOfAnotherOrganization_ReturnsMinus39()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["certType"] = 105);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -39);
    }

    [Fact]
    public async Task Enroll_MandatoryCustomFieldMissing_ReturnsMinus62()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b.Remove("customFields"));
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -62);
    }

    [Fact]
    public async Task Enroll_UnknownCustomField_ReturnsMinus135()
    {
        using var response = await _f.EnrollRawAsync(edit: b => ((JsonArray)b["customFields"]!).Add(new JsonObject { ["name"] = "Nope", ["value"] = "x" }));
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -135);
    }

    [Fact]
    public async Task Enroll_OrgIdZero_ReturnsMinus639()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["orgId"] = 0);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -639);
    }

    [Fact]
    public async Task Enroll_UnknownOrg_ReturnsMinus1023()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["orgId"] = 777);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1023);
    }

    [Fact]
    public async Task Enroll_DepartmentId_AcceptedAsOrgId()
    {
        var id = await _f.EnrollAsync(edit: b => b["orgId"] = 2101);
        Assert.Equal(2101, (await _f.DetailsAsync(id))["orgId"]!.GetValue<int>());
    }

    [Fact]
    public async Task Enroll_SubjAltNamesAsArray_ReturnsMinus1002()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["subjAltNames"] = new JsonArray("www.acme.example", "api.acme.example"));
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1002);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"\"")]
    [InlineData("{not json")]
    [InlineData("")]
    public async Task Enroll_NonObjectBody_ReturnsMinus1002(string body)
    {
        using var response = await _f.PostJsonAsync("ssl/v1/enroll", body);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1002);
    }

    [Fact]
    public async Task Enroll_OrgIdAsObject_ReturnsMinus1002()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["orgId"] = new JsonObject { ["id"] = 2001 });
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1002);
    }

    [Fact]
    public async Task Enroll_NumericStringOrgId_CoercedLikeJackson()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["orgId"] = "2001");
        await Json.ReadAsync(response, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("www.pending-dcv.example")]
    [InlineData("www.expired-dcv.example")]
    [InlineData("www.requested.example")]
    [InlineData("www.globex.example")]
    public async Task Enroll_DomainNotValidatedOrNotDelegated_ReturnsMinus737(string name)
    {
        using var response = await _f.EnrollRawAsync(name);
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -737);
    }

    [Fact]
    public async Task Enroll_SanOnUnknownDomain_ReturnsMinus1010()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["subjAltNames"] = "www.acme.example,evil.example.org");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1010);
    }

    [Fact]
    public async Task Enroll_CommentsOver1024_ReturnsMinus1601()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["comments"] = new string('c', 1025));
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1601);
    }

    [Fact]
    public async Task Enroll_DcvEmailModeWithoutEmail_ReturnsMinus7()
    {
        using var response = await _f.EnrollRawAsync(edit: b => b["dcvMode"] = "EMAIL");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -7);
    }

    [Fact]
    public async Task Enroll_LegacyNumberServersAndCommonName_Ignored()
    {
        using var response = await _f.EnrollRawAsync(edit: b =>
        {
            b["numberServers"] = 1;
            b["serverType"] = -1;
            b["commonName"] = "ignored.example";
        });
        await Json.ReadAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Enroll_V2Path_SameHandler()
    {
        using var response = await _f.PostJsonAsync("ssl/v2/enroll", SimFixture.EnrollBody());
        await Json.ReadAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Enroll_RsaKeySizeNotAllowed_ReturnsMinus13()
    {
        // Profile 104 allows RSA 2048 only; RSA-3072 is the point of this test.
        using var rsa = RSA.Create(3072);
        using var response = await _f.EnrollRawAsync(edit: b =>
        {
            b["certType"] = 104;
            b["term"] = 90;
            b["csr"] = Csr.Rsa("www.acme.example", rsa);
        });
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -13);
    }

    [Fact]
    public async Task EnrollKeygen_ValidBody_IssuesWithServerKeyAndKeystoreLinkWorks()
    {
        // The Admin API 25.9 keystore call: a POST whose body carries the pass phrase.
        await using var f = await SimFixture.StartAsync(o => o.ApiVersion = ScmSimulatorApiVersion.Admin25_9);
        using var response = await f.PostJsonAsync("ssl/v1/enroll-keygen", new JsonObject
        {
            ["orgId"] = 2001,
            ["commonName"] = "keygen.acme.example",
            ["certType"] = 101,
            ["term"] = 365,
            ["algorithm"] = "EC",
            ["keyParam"] = "P-256",
            ["keyGenerationMethod"] = "PK_AGENT",
            ["passPhrase"] = "correct horse",
            ["customFields"] = new JsonArray(new JsonObject { ["name"] = "Cost Center", ["value"] = "CC-9" }),
        });
        var id = (await Json.ReadAsync(response, HttpStatusCode.OK))["sslId"]!.GetValue<long>();
        f.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("EC - P-256", (await f.DetailsAsync(id))["keyType"]!.GetValue<string>());

        using var link = await f.PostJsonAsync($"ssl/v1/keystore/{id}/key", new JsonObject { ["passphrase"] = "pw-123456" });
        var url = (await Json.ReadAsync(link, HttpStatusCode.OK))["link"]!.GetValue<string>();
        using var download = await f.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var pem = await download.Content.ReadAsStringAsync();
        using var key = ECDsa.Create();
        key.ImportFromEncryptedPem(pem, "pw-123456");
        using var collect = await f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        using var cert = Pem.Certificates(await collect.Content.ReadAsStringAsync())[0];
        Assert.Equal(cert.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());

        using var reused = await f.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, reused.StatusCode);
        using var get = await f.Http.GetAsync($"ssl/v1/keystore/{id}/key");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task EnrollKeygen_Rest25_5KeystoreLinkIsAGet_ProtectedByTheEnrollPassPhrase()
    {
        using var response = await _f.PostJsonAsync("ssl/v1/enroll-keygen", new JsonObject
        {
            ["orgId"] = 2001,
            ["commonName"] = "keygen25.acme.example",
            ["certType"] = 101,
            ["term"] = 365,
            ["algorithm"] = "RSA",
            ["keyParam"] = "2048",
            ["keyGenerationMethod"] = "PK_AGENT",
            ["passPhrase"] = "correct horse",
            ["customFields"] = new JsonArray(new JsonObject { ["name"] = "Cost Center", ["value"] = "CC-9" }),
        });
        var id = (await Json.ReadAsync(response, HttpStatusCode.OK))["sslId"]!.GetValue<long>();
        _f.Advance(TimeSpan.FromSeconds(5));

        using var post = await _f.PostJsonAsync($"ssl/v1/keystore/{id}/p12", new JsonObject { ["passphrase"] = "pw-123456" });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        using var link = await _f.Http.GetAsync($"ssl/v1/keystore/{id}/p12");
        var url = (await Json.ReadAsync(link, HttpStatusCode.OK))["link"]!.GetValue<string>();
        using var download = await _f.Http.GetAsync(url);
        var p12 = await download.Content.ReadAsByteArrayAsync();
        using var withKey = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(p12, "correct horse");
        Assert.True(withKey.HasPrivateKey);
        Assert.Equal("keygen25.acme.example", withKey.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
    }

    [Fact]
    public async Task EnrollKeygen_MissingCommonName_ReturnsMinus7()
    {
        using var response = await _f.PostJsonAsync("ssl/v1/enroll-keygen", new JsonObject { ["orgId"] = 2001, ["certType"] = 101, ["term"] = 365 });
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -7);
    }

    [Fact]
    public async Task Keystore_OrderWithClientCsr_ReturnsMinus3()
    {
        var id = await _f.EnrollIssuedAsync();
        using var response = await _f.Http.GetAsync($"ssl/v1/keystore/{id}/p12");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -3);
    }
}
