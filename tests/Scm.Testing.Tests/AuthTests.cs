using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Scm.Testing.Tests;

public sealed class AuthTests
{
    [Theory]
    [InlineData("login")]
    [InlineData("password")]
    [InlineData("customerUri")]
    public async Task HeaderAuth_WrongOrMissingHeader_Returns401Minus16(string header)
    {
        await using var f = await SimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = f.Http.BaseAddress };
        SimFixture.SetHeaderAuth(http, f.Sim.Credentials);
        http.DefaultRequestHeaders.Remove(header);
        using var missing = await http.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(missing, HttpStatusCode.Unauthorized, -16);
        http.DefaultRequestHeaders.Add(header, "wrong");
        using var wrong = await http.GetAsync("ssl/v1/types");
        var body = await wrong.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("{\"code\":-16,\"description\":\"Unknown user\"}", body);
    }

    [Fact]
    public async Task HeaderAuth_HeaderNamesInOtherCase_Accepted()
    {
        await using var f = await SimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = f.Http.BaseAddress };
        http.DefaultRequestHeaders.Add("LOGIN", f.Sim.Credentials.Login);
        http.DefaultRequestHeaders.Add("Password", f.Sim.Credentials.Password);
        http.DefaultRequestHeaders.Add("customeruri", f.Sim.Credentials.CustomerUri);
        using var response = await http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Bearer_TokenFromEndpoint_AuthorizesSameRoutes()
    {
        await using var f = await SimFixture.StartAsync();
        using var raw = new HttpClient();
        using var tokenResponse = await raw.PostAsync(f.Sim.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = f.Sim.Credentials.ClientId,
            ["client_secret"] = f.Sim.Credentials.ClientSecret,
        }));
        var token = await Json.ReadAsync(tokenResponse, HttpStatusCode.OK);
        Assert.Equal("Bearer", token["token_type"]!.GetValue<string>());
        Assert.Equal(300, token["expires_in"]!.GetValue<int>());
        Assert.Equal(3, token["access_token"]!.GetValue<string>().Split('.').Length);

        using var bearer = Bearer.Client(f.Sim, token["access_token"]!.GetValue<string>());
        using var types = await bearer.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, types.StatusCode);
        using var enroll = await bearer.PostAsync("ssl/v2/enroll", new StringContent(SimFixture.EnrollBody().ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, enroll.StatusCode);
    }

    [Fact]
    public async Task Bearer_TokenExpiresOnSimulatorClock_Returns401WithWwwAuthenticate()
    {
        await using var f = await SimFixture.StartAsync();
        using var raw = new HttpClient();
        var token = await Bearer.GetTokenAsync(f.Sim, raw);
        using var bearer = Bearer.Client(f.Sim, token);
        f.Advance(TimeSpan.FromSeconds(301));
        using var response = await bearer.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(response, HttpStatusCode.Unauthorized, -16);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var forged = Bearer.Client(f.Sim, "not-a-token");
        using var forgedResponse = await forged.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.Unauthorized, forgedResponse.StatusCode);
    }

    [Fact]
    public async Task TokenEndpoint_BadSecretOrGrant_KeycloakStyleErrors()
    {
        await using var f = await SimFixture.StartAsync();
        using var raw = new HttpClient();
        using var bad = await raw.PostAsync(f.Sim.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = f.Sim.Credentials.ClientId,
            ["client_secret"] = "nope",
        }));
        Assert.Equal("invalid_client", (await Json.ReadAsync(bad, HttpStatusCode.Unauthorized))["error"]!.GetValue<string>());
        using var grant = await raw.PostAsync(f.Sim.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password" }));
        Assert.Equal("unsupported_grant_type", (await Json.ReadAsync(grant, HttpStatusCode.BadRequest))["error"]!.GetValue<string>());
        using var basic = new HttpRequestMessage(HttpMethod.Post, f.Sim.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{f.Sim.Credentials.ClientId}:{f.Sim.Credentials.ClientSecret}")));
        using var basicResponse = await raw.SendAsync(basic);
        Assert.Equal(HttpStatusCode.OK, basicResponse.StatusCode);
    }

    [Fact]
    public async Task RotateCredentials_OldPasswordAndTokens_Rejected()
    {
        await using var f = await SimFixture.StartAsync();
        using var raw = new HttpClient();
        var token = await Bearer.GetTokenAsync(f.Sim, raw);
        var old = f.Sim.Credentials;
        var fresh = f.Sim.RotateCredentials();
        Assert.NotEqual(old.Password, fresh.Password);
        Assert.NotEqual(old.ClientSecret, fresh.ClientSecret);
        using (var stale = await f.Http.GetAsync("ssl/v1/types"))
        {
            await Json.AssertErrorAsync(stale, HttpStatusCode.Unauthorized, -16);
        }

        using (var bearer = Bearer.Client(f.Sim, token))
        using (var staleToken = await bearer.GetAsync("ssl/v1/types"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, staleToken.StatusCode);
        }

        SimFixture.SetHeaderAuth(f.Http, fresh);
        using var ok = await f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task ExpireCredentials_CorrectPassword_Returns401Minus970ButPasswordStateReadable()
    {
        await using var f = await SimFixture.StartAsync();
        f.Sim.ExpireCredentials();
        using (var response = await f.Http.GetAsync("ssl/v1/types"))
        {
            await Json.AssertErrorAsync(response, HttpStatusCode.Unauthorized, -970);
        }

        using (var state = await f.Http.GetAsync("admin/v1/password"))
        {
            Assert.Equal("EXPIRED", (await Json.ReadAsync(state, HttpStatusCode.OK))["state"]!.GetValue<string>());
        }

        using var raw = new HttpClient();
        using var token = await raw.PostAsync(f.Sim.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = f.Sim.Credentials.ClientId,
            ["client_secret"] = f.Sim.Credentials.ClientSecret,
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        SimFixture.SetHeaderAuth(f.Http, f.Sim.RotateCredentials());
        using var restored = await f.Http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
    }

    [Fact]
    public async Task PasswordExpiration_Configured_AliveThenExpiredByClock()
    {
        await using var f = await SimFixture.StartAsync(o => o.Account.PasswordExpiration = new DateOnly(2025, 8, 21));
        using (var alive = await f.Http.GetAsync("admin/v1/password"))
        {
            var json = await Json.ReadAsync(alive, HttpStatusCode.OK);
            Assert.Equal("ALIVE", json["state"]!.GetValue<string>());
            Assert.Equal("2025-08-21", json["expirationDate"]!.GetValue<string>());
        }

        f.Advance(TimeSpan.FromDays(90));
        using var expired = await f.Http.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(expired, HttpStatusCode.Unauthorized, -970);
    }

    [Fact]
    public async Task PrivateApi_HttpMode_SameRoutesWithHeaderAuth()
    {
        await using var f = await SimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(f.Sim.PrivateBaseAddress + "/") };
        SimFixture.SetHeaderAuth(http, f.Sim.Credentials);
        using var response = await http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        http.DefaultRequestHeaders.Remove("password");
        using var noPassword = await http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.Unauthorized, noPassword.StatusCode);
    }

    [Fact]
    public async Task Credentials_ToString_HasNoSecrets()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            Log = null,
            Account = new ScmSimulatorAccount { Password = "canary-password-123", ClientSecret = "canary-secret-456" },
        });
        Assert.Equal("canary-password-123", sim.Credentials.Password);
        var text = sim.Credentials.ToString();
        Assert.Contains("sim-admin", text, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", text, StringComparison.Ordinal);
    }
}

public sealed class HttpsTests
{
    private static HttpClient Client(ScmSimulator sim, Uri baseAddress, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(sim.RootCertificate);
                    chain.ChainPolicy.ExtraStore.Add(sim.IntermediateCertificate);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 c && chain.Build(c);
                },
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseAddress + "/") };
    }

    [Fact]
    public async Task Https_ServerCertificateChainsToTestRoot_HeaderAuthWorks()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { UseHttps = true, Log = null });
        Assert.Equal("https", sim.BaseAddress.Scheme);
        Assert.NotNull(sim.ServerCertificate);
        using var http = Client(sim, sim.BaseAddress, null);
        SimFixture.SetHeaderAuth(http, sim.Credentials);
        using var response = await http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Https_HandshakeCarriesTheIntermediate_RootAloneIsEnoughToTrust()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { UseHttps = true, Log = null });
        var sent = new List<string>();
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust only the root; the intermediate must come from the server's handshake (the chain the client was given).
                RemoteCertificateValidationCallback = (_, certificate, given, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(sim.RootCertificate);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    foreach (var extra in given!.ChainPolicy.ExtraStore)
                    {
                        sent.Add(extra.Thumbprint);
                        chain.ChainPolicy.ExtraStore.Add(extra);
                    }

                    return certificate is X509Certificate2 c && chain.Build(c);
                },
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(sim.BaseAddress + "/") };
        SimFixture.SetHeaderAuth(http, sim.Credentials);

        using var response = await http.GetAsync("ssl/v1/types");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(sim.IntermediateCertificate.Thumbprint, sent);
        Assert.DoesNotContain(sim.RootCertificate.Thumbprint, sent);
    }

    [Fact]
    public async Task Https_PrivateApiWithRegisteredClientCertificate_AuthenticatedWithoutPassword()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { UseHttps = true, Log = null });
        using var clientCertificate = sim.CreateClientCertificate();
        using var http = Client(sim, sim.PrivateBaseAddress, clientCertificate);
        http.DefaultRequestHeaders.Add("login", sim.Credentials.Login);
        http.DefaultRequestHeaders.Add("customerUri", sim.Credentials.CustomerUri);
        using var response = await http.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var enroll = await http.PostAsync("ssl/v1/enroll", new StringContent(SimFixture.EnrollBody().ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, enroll.StatusCode);
    }

    [Fact]
    public async Task Https_PrivateApiWithoutOrUnregisteredCertificate_Returns401()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { UseHttps = true, Log = null });
        await using var other = await ScmSimulator.StartAsync(new ScmSimulatorOptions { UseHttps = true, Log = null });
        using var foreign = other.CreateClientCertificate();
        using (var none = Client(sim, sim.PrivateBaseAddress, null))
        {
            SimFixture.SetHeaderAuth(none, sim.Credentials);
            using var response = await none.GetAsync("ssl/v1/types");
            await Json.AssertErrorAsync(response, HttpStatusCode.Unauthorized, -16);
        }

        using var unregistered = Client(sim, sim.PrivateBaseAddress, foreign);
        unregistered.DefaultRequestHeaders.Add("login", sim.Credentials.Login);
        unregistered.DefaultRequestHeaders.Add("customerUri", sim.Credentials.CustomerUri);
        using var refused = await unregistered.GetAsync("ssl/v1/types");
        await Json.AssertErrorAsync(refused, HttpStatusCode.Unauthorized, -16);
        sim.RegisterClientCertificate(foreign);
        using var accepted = await unregistered.GetAsync("ssl/v1/types");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
