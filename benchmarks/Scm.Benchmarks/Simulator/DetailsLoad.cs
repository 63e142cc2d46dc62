using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Scm.Testing;

namespace Scm.Benchmarks.Simulator;

/// <summary>
/// A loopback server answering the SSL details GET: either the simulator (one issued certificate) or a bare Kestrel
/// endpoint returning the very same bytes with the same headers, plus the HttpClient the load driver uses.
/// </summary>
internal sealed class DetailsTarget : IAsyncDisposable
{
    private readonly ScmSimulator? _simulator;
    private readonly WebApplication? _bare;

    private DetailsTarget(ScmSimulator? simulator, WebApplication? bare, Uri url, HttpClient client)
    {
        _simulator = simulator;
        _bare = bare;
        Url = url;
        Client = client;
    }

    public Uri Url { get; }

    public HttpClient Client { get; }

    public static async Task<DetailsTarget> StartAsync(bool bare, int connections)
    {
        var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Seed = 1, Log = null, RequestLogCapacity = 10_000 });
        var client = CreateClient(sim.Credentials, connections);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=www.acme.example", key, HashAlgorithmName.SHA256).CreateSigningRequestPem().Replace("\n", "\\n", StringComparison.Ordinal);
        var body = "{\"orgId\":2001,\"certType\":101,\"term\":365,\"subjAltNames\":\"www.acme.example,api.acme.example\",\"comments\":\"benchmark\","
            + "\"customFields\":[{\"name\":\"Cost Center\",\"value\":\"CC-1\"}],\"csr\":\"" + csr + "\"}";
        using var enroll = await client.PostAsync(new Uri(sim.BaseAddress + "/ssl/v1/enroll"), new StringContent(body, Encoding.UTF8, "application/json"));
        enroll.EnsureSuccessStatusCode();
        var id = System.Text.Json.JsonDocument.Parse(await enroll.Content.ReadAsStringAsync()).RootElement.GetProperty("sslId").GetInt64();
        sim.IssueNow(id);
        var url = new Uri($"{sim.BaseAddress}/ssl/v1/{id}");
        if (!bare)
        {
            return new DetailsTarget(sim, null, url, client);
        }

        // The bare endpoint serves exactly what the simulator answers for that URL.
        using var sample = await client.GetAsync(url);
        var bytes = await sample.Content.ReadAsByteArrayAsync();
        var contentType = sample.Content.Headers.ContentType!.ToString();
        await sim.DisposeAsync();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = contentType;
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new DetailsTarget(null, app, new Uri(address, url.AbsolutePath), client);
    }

    private static HttpClient CreateClient(ScmSimulatorCredentials credentials, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("login", credentials.Login);
        client.DefaultRequestHeaders.Add("password", credentials.Password);
        client.DefaultRequestHeaders.Add("customerUri", credentials.CustomerUri);
        return client;
    }

    /// <summary>Sends <paramref name="total"/> GETs from <paramref name="workers"/> concurrent loops; returns the non-200 count.</summary>
    public async Task<long> RunAsync(int workers, long total)
    {
        long next = 0;
        long failures = 0;
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                var buffer = new byte[8192];
                while (Interlocked.Increment(ref next) <= total)
                {
                    using var response = await Client.GetAsync(Url, HttpCompletionOption.ResponseHeadersRead);
                    await using var stream = await response.Content.ReadAsStreamAsync();
                    while (await stream.ReadAsync(buffer) > 0)
                    {
                    }

                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        return failures;
    }

    public static string Memory()
    {
        using var process = Process.GetCurrentProcess();
        var info = GC.GetGCMemoryInfo();
        return $"working set {process.WorkingSet64 / (1024.0 * 1024):F1} MiB, GC heap {GC.GetTotalMemory(false) / (1024.0 * 1024):F1} MiB "
            + $"(heap size {info.HeapSizeBytes / (1024.0 * 1024):F1} MiB), gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}";
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        if (_bare is not null)
        {
            await _bare.StopAsync();
            await _bare.DisposeAsync();
        }
    }
}
