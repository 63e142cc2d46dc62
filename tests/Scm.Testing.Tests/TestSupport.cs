using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Scm.Testing.Tests;

/// <summary>A running simulator plus a plain HttpClient with header credentials (never the SDK's client).</summary>
internal sealed class SimFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);

    private SimFixture(ScmSimulator sim, FakeTimeProvider? clock)
    {
        Sim = sim;
        Clock = clock;
        Http = new HttpClient { BaseAddress = new Uri(sim.BaseAddress + "/"), Timeout = TimeSpan.FromSeconds(30) };
        SetHeaderAuth(Http, sim.Credentials);
    }

    public ScmSimulator Sim { get; }

    public FakeTimeProvider? Clock { get; }

    public HttpClient Http { get; }

    /// <summary>Starts a simulator on a fake clock (stage delays 0 / 1 s / 2 s unless configured).</summary>
    public static async Task<SimFixture> StartAsync(Action<ScmSimulatorOptions>? configure = null, bool fakeClock = true)
    {
        var clock = fakeClock ? new FakeTimeProvider(Start) : null;
        var options = new ScmSimulatorOptions { Seed = 4242, Log = null };
        if (clock is not null)
        {
            options.TimeProvider = clock;
        }

        configure?.Invoke(options);
        var sim = await ScmSimulator.StartAsync(options);
        return new SimFixture(sim, clock);
    }

    public static void SetHeaderAuth(HttpClient http, ScmSimulatorCredentials credentials)
    {
        http.DefaultRequestHeaders.Remove("login");
        http.DefaultRequestHeaders.Remove("password");
        http.DefaultRequestHeaders.Remove("customerUri");
        http.DefaultRequestHeaders.Add("login", credentials.Login);
        http.DefaultRequestHeaders.Add("password", credentials.Password);
        http.DefaultRequestHeaders.Add("customerUri", credentials.CustomerUri);
    }

    /// <summary>Moves the fake clock (stage delays are evaluated on the next request).</summary>
    public void Advance(TimeSpan by) => Clock!.Advance(by);

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json)
        => Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PostJsonAsync(string path, JsonNode body) => PostJsonAsync(path, body.ToJsonString());

    /// <summary>Enrolls with a valid default body (P-256 CSR for <paramref name="commonName"/>), changed by <paramref name="edit"/>.</summary>
    public async Task<HttpResponseMessage> EnrollRawAsync(string commonName = "www.acme.example", Action<JsonObject>? edit = null, ECDsa? key = null)
    {
        var body = EnrollBody(commonName, key);
        edit?.Invoke(body);
        return await PostJsonAsync("ssl/v1/enroll", body);
    }

    public static JsonObject EnrollBody(string commonName = "www.acme.example", ECDsa? key = null, int certType = 101, int orgId = 2001)
    {
        var csr = key is null ? Csr.Ec(commonName) : Csr.Ec(commonName, key);
        return new JsonObject
        {
            ["orgId"] = orgId,
            ["csr"] = csr,
            ["subjAltNames"] = commonName,
            ["certType"] = certType,
            ["term"] = certType == 104 ? 90 : 365,
            ["comments"] = "test order",
            ["externalRequester"] = "ops@acme.example",
            ["customFields"] = new JsonArray(new JsonObject { ["name"] = "Cost Center", ["value"] = "CC-1" }),
        };
    }

    /// <summary>Enrolls successfully and returns the sslId.</summary>
    public async Task<long> EnrollAsync(string commonName = "www.acme.example", Action<JsonObject>? edit = null, ECDsa? key = null)
    {
        using var response = await EnrollRawAsync(commonName, edit, key);
        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        return json["sslId"]!.GetValue<long>();
    }

    /// <summary>Enrolls and moves the fake clock until the order is issued.</summary>
    public async Task<long> EnrollIssuedAsync(string commonName = "www.acme.example", Action<JsonObject>? edit = null, ECDsa? key = null)
    {
        var id = await EnrollAsync(commonName, edit, key);
        Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("Issued", await StatusAsync(id));
        return id;
    }

    public async Task<string> StatusAsync(long sslId)
    {
        using var response = await Http.GetAsync($"ssl/v1/{sslId}");
        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        return json["status"]!.GetValue<string>();
    }

    public async Task<JsonObject> DetailsAsync(long sslId)
    {
        using var response = await Http.GetAsync($"ssl/v1/{sslId}");
        return (JsonObject)await Json.ReadAsync(response, HttpStatusCode.OK);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Sim.DisposeAsync();
    }
}

internal static class Json
{
    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Asserts an SCM error answer and returns it.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, int code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var json = JsonNode.Parse(text)!;
        Assert.True(json["code"]!.GetValue<int>() == code, $"Expected code {code}: {text}");
        Assert.False(string.IsNullOrEmpty(json["description"]!.GetValue<string>()));
    }

    public static JsonDocument Parse(string text) => JsonDocument.Parse(text);
}

internal static class Csr
{
    public static string Ec(string commonName, ECDsa? key = null)
    {
        using var owned = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var request = new CertificateRequest($"CN={commonName}", key ?? owned!, HashAlgorithmName.SHA256);
        return request.CreateSigningRequestPem();
    }

    public static string Rsa(string commonName, RSA key)
    {
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSigningRequestPem();
    }

    public static string Curve(string commonName, ECCurve curve)
    {
        using var key = ECDsa.Create(curve);
        return Ec(commonName, key);
    }

    /// <summary>A CSR whose signature no longer matches (one byte of the signature flipped).</summary>
    public static string WithBadSignature(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        der[^5] ^= 0x55;
        return PemEncoding.WriteString("CERTIFICATE REQUEST", der);
    }
}

internal static class Pem
{
    public static List<X509Certificate2> Certificates(string pem)
    {
        var result = new List<X509Certificate2>();
        foreach (var block in pem.Split("-----END CERTIFICATE-----", StringSplitOptions.RemoveEmptyEntries))
        {
            if (block.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                result.Add(X509Certificate2.CreateFromPem(block.Trim() + "\n-----END CERTIFICATE-----"));
            }
        }

        return result;
    }
}

internal static class Bearer
{
    public static async Task<string> GetTokenAsync(ScmSimulator sim, HttpClient http)
    {
        using var response = await http.PostAsync(sim.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = sim.Credentials.ClientId,
            ["client_secret"] = sim.Credentials.ClientSecret,
        }));
        var json = await Json.ReadAsync(response, HttpStatusCode.OK);
        return json["access_token"]!.GetValue<string>();
    }

    public static HttpClient Client(ScmSimulator sim, string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(sim.BaseAddress + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
