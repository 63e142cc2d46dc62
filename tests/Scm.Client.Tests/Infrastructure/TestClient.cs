using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;

namespace Scm.Client.Tests.Infrastructure;

/// <summary>An <see cref="ScmClient"/> built through AddScmClient, with fake logging at Trace and zero retry delay.</summary>
internal sealed class TestClient : IDisposable
{
    public const string Login = "api-admin";
    public const string Password = "canary-Pw-93f1c7e2";
    public const string CustomerUri = "acme-corp";
    public const string ClientSecret = "canary-Secret-5d0a8b44";

    private TestClient(ServiceProvider services)
    {
        Services = services;
        Client = services.GetRequiredService<ScmClient>();
        Logs = services.GetRequiredService<FakeLogCollector>();
    }

    public ServiceProvider Services { get; }

    public ScmClient Client { get; }

    public FakeLogCollector Logs { get; }

    public SslCertificatesClient Ssl => Client.Ssl;

    public static ScmClientOptions DefaultOptions(Uri baseAddress) => new()
    {
        BaseAddress = baseAddress,
        Login = Login,
        Password = Password,
        CustomerUri = CustomerUri,
        RetryBaseDelay = TimeSpan.Zero,
    };

    public static TestClient Create(ScmServer server, Action<ScmClientOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null) =>
        Create(server.BaseAddress, configure, time, services);

    public static TestClient Create(Uri baseAddress, Action<ScmClientOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null, Func<HttpMessageHandler>? primary = null)
    {
        var sc = new ServiceCollection();
        sc.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        if (time is not null)
        {
            sc.AddSingleton(time);
        }

        var builder = sc.AddScmClient(o =>
        {
            var d = DefaultOptions(baseAddress);
            o.BaseAddress = d.BaseAddress;
            o.Login = d.Login;
            o.Password = d.Password;
            o.CustomerUri = d.CustomerUri;
            o.RetryBaseDelay = d.RetryBaseDelay;
            configure?.Invoke(o);
        });
        if (primary is not null)
        {
            builder.ConfigurePrimaryHttpMessageHandler(primary);
        }

        services?.Invoke(sc);
        return new TestClient(sc.BuildServiceProvider());
    }

    public string AllLogText() => string.Join("\n", Logs.GetSnapshot().Select(r =>
        r.Level + " " + r.Category + " " + r.Message + " " + string.Join(";", r.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? []) + " " + r.Exception));

    public void Dispose() => Services.Dispose();
}
