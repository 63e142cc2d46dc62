using Microsoft.Extensions.Logging;
using Scm.Client.Tests.Infrastructure;
using WireMock.ResponseBuilders;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class SecretRedactionTests : IDisposable
{
    private readonly ScmServer _server = ScmServer.Start();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task PasswordMode_TraceLogsIncludingHttpClientFactory_NeverContainPassword()
    {
        using var client = TestClient.Create(_server);
        _server.Stub(Get("/api/ssl/v1/5"), Json("""{"sslId":5}"""));
        _server.Stub(Post("/api/ssl/v1/enroll"), Error(400, -7, "csr is required but missing"));
        _server.Server.Given(Get("/api/ssl/v1/6")).InScenario("s").WillSetStateTo("ok").RespondWith(Response.Create().WithStatusCode(503));
        _server.Server.Given(Get("/api/ssl/v1/6")).InScenario("s").WhenStateIs("ok").RespondWith(Json("""{"sslId":6}"""));

        await client.Ssl.GetAsync(5);
        await client.Ssl.GetAsync(6);
        await Assert.ThrowsAsync<ScmRequestException>(() => client.Ssl.EnrollAsync(SslWireTests.SampleEnroll()));

        var records = client.Logs.GetSnapshot();

        // Every HTTP attempt is logged through the factory's IHttpClientLogger hook (3 attempts: 1 + 2 for the retried GET
        // ... + 1 POST), the factory's default header-dumping loggers are not in the pipeline, and no record - message or
        // structured state - carries the password.
        Assert.Equal(4, records.Count(r => r.Category == "Scm.Client.Http" && r.Id.Id == 1012 && r.Level == LogLevel.Trace));
        Assert.DoesNotContain(records, r => r.Category?.StartsWith("System.Net.Http.HttpClient.Scm.Client", StringComparison.Ordinal) == true);
        Assert.Contains(records, r => r.Id.Id == 1002);
        Assert.Contains(records, r => r.Level == LogLevel.Debug && r.Category == "Scm.Client");
        Assert.DoesNotContain(TestClient.Password, client.AllLogText());
    }

    [Fact]
    public async Task OAuthMode_TraceLogs_NeverContainSecretOrToken()
    {
        const string token = "canary-token-0c9d1e";
        const string tokenPath = "/auth/realms/apiclients/protocol/openid-connect/token";
        _server.Stub(Post(tokenPath), Json("{\"access_token\":\"" + token + "\",\"expires_in\":300}"));
        _server.Stub(Get("/api/ssl/v1/5"), Json("""{"sslId":5}"""));
        using var client = TestClient.Create(_server, o =>
        {
            o.AuthenticationMode = ScmAuthenticationMode.OAuth2ClientCredentials;
            o.ClientId = "client-1";
            o.ClientSecret = TestClient.ClientSecret;
            o.TokenEndpoint = new Uri(_server.Root, tokenPath);
        });

        await client.Ssl.GetAsync(5);

        var text = client.AllLogText();
        Assert.DoesNotContain(token, text);
        Assert.DoesNotContain(TestClient.ClientSecret, text);
        Assert.Contains(client.Logs.GetSnapshot(), r => r.Id.Id == 1006);
    }

    [Fact]
    public void ToString_OptionsWithSecrets_MasksEverySecret()
    {
        var options = new ScmClientOptions
        {
            Login = "admin",
            Password = TestClient.Password,
            CustomerUri = "acme",
            ClientSecret = TestClient.ClientSecret,
            ClientCertificatePassword = "canary-pfx-pass",
        };

        var text = options.ToString();

        Assert.DoesNotContain(TestClient.Password, text);
        Assert.DoesNotContain(TestClient.ClientSecret, text);
        Assert.DoesNotContain("canary-pfx-pass", text);
        Assert.Contains("Login = admin", text);
        Assert.Contains("Password = ***", text);
    }
}
