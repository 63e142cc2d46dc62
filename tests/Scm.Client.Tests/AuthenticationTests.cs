using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scm.Client.Internal;
using Scm.Client.Tests.Infrastructure;
using WireMock.ResponseBuilders;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class AuthenticationTests : IDisposable
{
    private const string TokenPath = "/auth/realms/apiclients/protocol/openid-connect/token";
    private readonly ScmServer _server = ScmServer.Start();

    public void Dispose() => _server.Dispose();

    private TestClient OAuthClient(TimeProvider? time = null) => TestClient.Create(_server, o =>
    {
        o.AuthenticationMode = ScmAuthenticationMode.OAuth2ClientCredentials;
        o.ClientId = "client-1";
        o.ClientSecret = TestClient.ClientSecret;
        o.TokenEndpoint = new Uri(_server.Root, TokenPath);
    }, time);

    private void StubToken(string token, int expiresIn = 300) =>
        _server.Stub(Post(TokenPath), Json("{\"access_token\":\"" + token + "\",\"expires_in\":" + expiresIn + ",\"token_type\":\"Bearer\"}"));

    private IReadOnlyList<WireMock.IRequestMessage> TokenRequests => _server.Requests.Where(r => r.Path == TokenPath).ToList();

    private IReadOnlyList<WireMock.IRequestMessage> ApiRequests => _server.Requests.Where(r => r.Path != TokenPath).ToList();

    [Fact]
    public async Task OAuth_FirstCall_PostsClientCredentialsFormAndSendsBearer()
    {
        StubToken("tok-1");
        _server.Stub(Get("/api/admin/v1/password"), Json("""{"expirationDate":"2025-08-21","state":"ALIVE"}"""));
        using var client = OAuthClient();

        var status = await client.Client.Admin.GetPasswordStatusAsync();

        var token = Assert.Single(TokenRequests);
        Assert.StartsWith("application/x-www-form-urlencoded", ScmServer.Header(token, "Content-Type"));
        Assert.Equal("grant_type=client_credentials&client_id=client-1&client_secret=" + TestClient.ClientSecret, token.Body);
        var api = Assert.Single(ApiRequests);
        Assert.Equal("Bearer tok-1", ScmServer.Header(api, "Authorization"));
        Assert.False(ScmServer.HasHeader(api, "password"));
        Assert.Equal(AdminPasswordState.Alive, status.State);
        Assert.Equal(new DateOnly(2025, 8, 21), status.ExpirationDate);
    }

    [Fact]
    public async Task OAuth_TokenCached_RefreshedOnlyAfterExpiresInMinus60Seconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 21, 12, 0, 0, TimeSpan.Zero));
        StubToken("tok-1", 300);
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("[]"));
        using var client = OAuthClient(time);

        await client.Ssl.ListCustomFieldsAsync();
        time.Advance(TimeSpan.FromSeconds(239));
        await client.Ssl.ListCustomFieldsAsync();
        Assert.Single(TokenRequests);

        time.Advance(TimeSpan.FromSeconds(2));
        await client.Ssl.ListCustomFieldsAsync();

        Assert.Equal(2, TokenRequests.Count);
        Assert.Equal(3, ApiRequests.Count);
    }

    [Fact]
    public async Task OAuth_SuccessfulTokenAndApiAttempts_LoggedAtDebugByTheResiliencePipelines()
    {
        // Issue 14, section 5: both pipelines (the token endpoint's and SCM's) report a successful attempt at Debug.
        StubToken("tok-1");
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("[]"));
        using var client = OAuthClient();

        await client.Ssl.ListCustomFieldsAsync();

        var attempts = client.Logs.GetSnapshot().Where(r => r.Category == "Polly" && r.Id.Id == 3).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Contains(attempts, r => r.Message.Contains("Scm.Client.Token-token", StringComparison.Ordinal));
        Assert.Contains(attempts, r => r.Message.Contains("Scm.Client-scm", StringComparison.Ordinal));
        Assert.All(attempts, r => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, r.Level));
    }

    [Fact]
    public async Task OAuth_TwentyConcurrentCalls_FetchTokenOnce()
    {
        _server.Server.Given(Post(TokenPath)).RespondWith(Json("""{"access_token":"tok-c","expires_in":300}""").WithDelay(TimeSpan.FromMilliseconds(200)));
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("[]"));
        using var client = OAuthClient();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.Ssl.ListCustomFieldsAsync()));

        Assert.Single(TokenRequests);
        Assert.Equal(20, ApiRequests.Count);
        Assert.All(ApiRequests, r => Assert.Equal("Bearer tok-c", ScmServer.Header(r, "Authorization")));
    }

    [Fact]
    public async Task OAuth_CachedTokenRejectedOnGet_RefetchesAndRetriesOnce()
    {
        _server.Server.Given(Post(TokenPath)).InScenario("tok").WillSetStateTo("second").RespondWith(Json("""{"access_token":"old","expires_in":300}"""));
        _server.Server.Given(Post(TokenPath)).InScenario("tok").WhenStateIs("second").RespondWith(Json("""{"access_token":"new","expires_in":300}"""));
        _server.Server.Given(Get("/api/ssl/v1/customFields").WithHeader("Authorization", "Bearer old")).RespondWith(Json("[]"));
        using var client = OAuthClient();
        await client.Ssl.ListCustomFieldsAsync();
        _server.Server.Given(Get("/api/ssl/v1/9").WithHeader("Authorization", "Bearer old")).RespondWith(Error(401, -16, "Unknown user"));
        _server.Server.Given(Get("/api/ssl/v1/9").WithHeader("Authorization", "Bearer new")).RespondWith(Json("""{"sslId":9}"""));

        var d = await client.Ssl.GetAsync(9);

        Assert.Equal(9, d.SslId);
        Assert.Equal(2, TokenRequests.Count);
    }

    [Fact]
    public async Task OAuth_CachedTokenRejectedOnPost_NotResent()
    {
        StubToken("tok-1");
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("[]"));
        _server.Stub(Post("/api/ssl/v1/enroll"), Error(401, -16, "Unknown user"));
        using var client = OAuthClient();
        await client.Ssl.ListCustomFieldsAsync();

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        Assert.Equal(401, ex.Status);
        Assert.Single(_server.Requests, r => r.Path == "/api/ssl/v1/enroll");
    }

    [Fact]
    public async Task OAuth_TokenEndpointRejects_ThrowsWithoutSecret()
    {
        _server.Stub(Post(TokenPath), Json("""{"error":"unauthorized_client","error_description":"Invalid client secret"}""", 401));
        using var client = OAuthClient();

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.ListCustomFieldsAsync());

        Assert.Equal(401, ex.Status);
        Assert.Contains("Invalid client secret", ex.Message);
        Assert.DoesNotContain(TestClient.ClientSecret, ex.ToString());
        Assert.Empty(ApiRequests);
    }

    [Fact]
    public async Task ClientCertificateMode_Request_SendsLoginAndCustomerUriButNoPassword()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=admin", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _server.Stub(Get("/private/api/ssl/v1/types"), Json("[]"));
        using var client = TestClient.Create(new Uri(_server.Root, "/private/api"), o =>
        {
            o.AuthenticationMode = ScmAuthenticationMode.ClientCertificate;
            o.Password = null;
            o.ClientCertificate = cert;
        });

        await client.Ssl.ListProfilesAsync();

        var req = _server.Single();
        Assert.Equal(TestClient.Login, ScmServer.Header(req, "login"));
        Assert.Equal(TestClient.CustomerUri, ScmServer.Header(req, "customerUri"));
        Assert.False(ScmServer.HasHeader(req, "password"));
    }

    [Fact]
    public void CreatePrimaryHandler_ClientCertificateMode_PresentsCertificateAndNeverFollowsRedirects()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=admin", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var options = new ScmClientOptions { AuthenticationMode = ScmAuthenticationMode.ClientCertificate, Login = "a", CustomerUri = "c", ClientCertificate = cert };

        using var handler = ScmHttpHandlerFactory.CreatePrimaryHandler(options, NullLogger.Instance, forTokenEndpoint: false);

        Assert.False(handler.AllowAutoRedirect);
        Assert.Same(cert, Assert.Single(handler.SslOptions.ClientCertificates!.Cast<X509Certificate>()));
        Assert.Null(handler.SslOptions.RemoteCertificateValidationCallback);
    }

    [Fact]
    public void ValidateServerCertificate_ChainsToCustomRoot_Accepted()
    {
        using var pki = TestPki.Create("scm.test");
        using var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.Add(pki.Intermediate);
        chain.Build(pki.Leaf);

        var ok = ScmHttpHandlerFactory.ValidateServerCertificate(pki.Leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, [pki.Root], NullLogger.Instance);

        Assert.True(ok);
    }

    [Fact]
    public void ValidateServerCertificate_OtherRoot_Rejected()
    {
        using var pki = TestPki.Create("scm.test");
        using var other = TestPki.Create("other.test");

        var ok = ScmHttpHandlerFactory.ValidateServerCertificate(pki.Leaf, null, SslPolicyErrors.RemoteCertificateChainErrors, [other.Root], NullLogger.Instance);

        Assert.False(ok);
    }

    [Fact]
    public void ValidateServerCertificate_NameMismatch_RejectedEvenWithTrustedRoot()
    {
        using var pki = TestPki.Create("scm.test");

        var ok = ScmHttpHandlerFactory.ValidateServerCertificate(pki.Leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors, [pki.Root], NullLogger.Instance);

        Assert.False(ok);
    }

    [Fact]
    public async Task PasswordMode_HeaderAuth_HeadersPresentOnce()
    {
        _server.Stub(Get("/api/organization/v1"), Json("""[{"id":1,"name":"Org","departments":[{"id":2,"name":"Dept","parentName":"Org"}],"certTypes":["SSL"]}]"""));
        using var client = TestClient.Create(_server);

        var orgs = await client.Client.Organizations.ListAsync();

        var req = _server.Single();
        Assert.Equal(TestClient.Password, ScmServer.Header(req, "password"));
        Assert.Equal(2, orgs[0].Departments![0].Id);
    }

    [Fact]
    public async Task UpdateCredentials_PasswordMode_NextRequestSignedWithNewPasswordOthersKept()
    {
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("[]"));
        using var client = TestClient.Create(_server);
        await client.Client.Ssl.ListCustomFieldsAsync();

        var update = new ScmCredentialUpdate { Password = "canary-Rotated-7a7a" };
        Assert.True(client.Client.UpdateCredentials(update));
        Assert.False(client.Client.UpdateCredentials(update));
        await client.Client.Ssl.ListCustomFieldsAsync();

        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(TestClient.Password, ScmServer.Header(requests[0], "password"));
        Assert.Equal("canary-Rotated-7a7a", ScmServer.Header(requests[1], "password"));
        Assert.Equal(TestClient.Login, ScmServer.Header(requests[1], "login"));
        Assert.Equal(TestClient.CustomerUri, ScmServer.Header(requests[1], "customerUri"));
        Assert.Equal("ScmCredentialUpdate { Password = *** }", update.ToString());
    }

    [Fact]
    public async Task UpdateCredentials_OAuth_CachedTokenOfOldSecretDroppedNewSecretPosted()
    {
        StubToken("tok-1");
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("[]"));
        using var client = OAuthClient();
        await client.Client.Ssl.ListCustomFieldsAsync();
        await client.Client.Ssl.ListCustomFieldsAsync();
        Assert.Single(TokenRequests);

        Assert.True(client.Client.UpdateCredentials(new ScmCredentialUpdate { ClientSecret = "canary-NewSecret-1b2c" }));
        await client.Client.Ssl.ListCustomFieldsAsync();

        Assert.Equal(2, TokenRequests.Count);
        Assert.Equal("grant_type=client_credentials&client_id=client-1&client_secret=canary-NewSecret-1b2c", TokenRequests[1].Body);
    }

    [Fact]
    public async Task UpdateCredentials_BlankOrMissingForTheMode_ArgumentErrorNamingThePropertyNothingChanged()
    {
        _server.Stub(Get("/api/ssl/v1/customFields"), Json("[]"));
        using var client = TestClient.Create(_server);

        var blank = Assert.Throws<ArgumentException>(() => client.Client.UpdateCredentials(new ScmCredentialUpdate { Password = "  ", Login = "other-admin" }));
        Assert.Contains("Password", blank.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => client.Client.UpdateCredentials(null!));

        using var oauth = OAuthClient();
        var empty = Assert.Throws<ArgumentException>(() => oauth.Client.UpdateCredentials(new ScmCredentialUpdate { ClientId = "client-2", ClientSecret = "" }));
        Assert.Contains("ClientSecret", empty.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("client-2", empty.Message, StringComparison.Ordinal);
        Assert.False(oauth.Client.UpdateCredentials(new ScmCredentialUpdate { ClientId = "client-1" }));

        await client.Client.Ssl.ListCustomFieldsAsync();
        var request = Assert.Single(_server.Requests);
        Assert.Equal(TestClient.Login, ScmServer.Header(request, "login"));
        Assert.Equal(TestClient.Password, ScmServer.Header(request, "password"));
    }

    [Fact]
    public async Task UpdateCredentials_ScmEchoesTheNewOrTheOldPassword_RedactedInTheException()
    {
        var rotated = "canary-Rotated-" + new string('x', 600);
        _server.Stub(Get("/api/ssl/v1/customFields"), Error(400, -16, "bad password " + TestClient.Password + " / " + rotated));
        using var client = TestClient.Create(_server);
        client.Client.UpdateCredentials(new ScmCredentialUpdate { Password = rotated });

        var ex = await Assert.ThrowsAnyAsync<ScmRequestException>(() => client.Client.Ssl.ListCustomFieldsAsync());

        // Redacted before the description is cut to its length limit: no part of either password survives.
        Assert.DoesNotContain("canary", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("***", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateCredentials_TokenEndpointEchoesTheNewSecret_RedactedInTheException()
    {
        _server.Stub(Post(TokenPath), Error(400, -1, "invalid client secret canary-NewSecret-77aa"));
        using var client = OAuthClient();
        client.Client.UpdateCredentials(new ScmCredentialUpdate { ClientSecret = "canary-NewSecret-77aa" });

        var ex = await Assert.ThrowsAnyAsync<ScmRequestException>(() => client.Client.Ssl.ListCustomFieldsAsync());

        Assert.DoesNotContain("canary", ex.ToString(), StringComparison.Ordinal);
    }
}
