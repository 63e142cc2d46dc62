using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle.Scheduling;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// The engine as a host builds it (AddSectigoCertificateManagement on a generic host), against an in-process
/// simulator, sharing one fake clock. Logs are captured for secret canary checks.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public const int Org = 2001;
    public const int Department = 2101;
    public const int MultiDomainProfile = 102;
    public const int ApprovalProfile = 103;
    public const int NoRenewalProfile = 104;
    public const string CostCenter = "Cost Center";

    private IHost? _host;

    private EngineHarness(ScmSimulator simulator, FakeTimeProvider time, string root)
    {
        Simulator = simulator;
        Time = time;
        Root = root;
    }

    public ScmSimulator Simulator { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>A fresh folder for this test (deployments, databases, key files).</summary>
    public string Root { get; }

    public ConcurrentQueue<string> Logs { get; } = new();

    public ConcurrentQueue<LifecycleEvent> Events { get; } = new();

    public IServiceProvider Services => _host!.Services;

    public ICertificateLifecycle Lifecycle => Services.GetRequiredService<ICertificateLifecycle>();

    public IScmStore Store => Services.GetRequiredService<IScmStore>();

    public ILifecycleJobRunner Jobs => Services.GetRequiredService<ILifecycleJobRunner>();

    public string DeployDirectory => Path.Combine(Root, "deploy");

    public static async Task<EngineHarness> StartAsync(
        Action<ScmSimulatorOptions>? simulator = null,
        Action<SectigoCertificateManagementOptions>? engine = null,
        Action<ISectigoCertificateManagementBuilder>? builder = null,
        bool sqlite = false,
        ScmSimulator? sharedSimulator = null,
        FakeTimeProvider? sharedTime = null)
    {
        var time = sharedTime ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        var simOptions = new ScmSimulatorOptions { TimeProvider = time, Seed = 7, Log = null };
        simulator?.Invoke(simOptions);
        var sim = sharedSimulator ?? await ScmSimulator.StartAsync(simOptions);
        var root = Path.Combine(Path.GetTempPath(), "scm-engine-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var harness = new EngineHarness(sim, time, root) { OwnsSimulator = sharedSimulator is null };
        await harness.StartHostAsync(engine, builder, sqlite);
        return harness;
    }

    public bool OwnsSimulator { get; private init; }

    /// <summary>Builds and starts a host (call again after <see cref="StopHostAsync"/> to simulate a restart on the same store).</summary>
    public async Task StartHostAsync(Action<SectigoCertificateManagementOptions>? engine = null, Action<ISectigoCertificateManagementBuilder>? builder = null, bool sqlite = false, IScmStore? store = null)
    {
        var hostBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        hostBuilder.Services.AddSingleton<TimeProvider>(Time);
        hostBuilder.Logging.ClearProviders();
        hostBuilder.Logging.SetMinimumLevel(LogLevel.Trace);
        hostBuilder.Logging.AddProvider(new CapturingLoggerProvider(Logs));
        var sectigo = hostBuilder.Services.AddSectigoCertificateManagement(o =>
        {
            o.Client.BaseAddress = Simulator.BaseAddress;
            o.Client.Login = Simulator.Credentials.Login;
            o.Client.Password = Simulator.Credentials.Password;
            o.Client.CustomerUri = Simulator.Credentials.CustomerUri;
            o.Scheduling.Enabled = false;
            o.KeyProtection.KeyFilePath = Path.Combine(Root, "keys", "protector.key");
            engine?.Invoke(o);
        });
        if (store is not null)
        {
            hostBuilder.Services.AddSingleton(store);
        }
        else if (sqlite)
        {
            sectigo.UseSqliteStorage(Path.Combine(Root, "scm.db"), o => o.FullSync = false);
        }
        else
        {
            sectigo.UseInMemoryStorage();
        }

        sectigo.AddFileSystemDeployment(o => o.Directory = DeployDirectory);
        builder?.Invoke(sectigo);
        _host = hostBuilder.Build();
        await _host.StartAsync();
        Lifecycle.EventRaised += (_, e) => Events.Enqueue(e);
    }

    public async Task StopHostAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }

    /// <summary>
    /// Stops the host (its stopping token is cancelled; the host's shutdown deadline applies) but neither disposes nor
    /// keeps it: a process cut off at its deadline, whose work still in flight is abandoned. A new host can be started
    /// at once; the caller disposes the returned one once that work has ended.
    /// </summary>
    public async Task<IHost> AbandonHostAsync()
    {
        var host = _host ?? throw new InvalidOperationException("No host is running.");
        _host = null;
        await host.StopAsync();
        return host;
    }

    /// <summary>A valid order for a name under acme.example.</summary>
    public static OrderCertificateRequest Request(string host = "www", KeystoreType keystore = KeystoreType.Pkcs12, KeyAlgorithm algorithm = KeyAlgorithm.EC) => new()
    {
        CommonName = $"{host}.acme.example",
        SubjectAlternativeNames = [$"{host}-alt.acme.example"],
        OrganizationId = Org,
        ProfileId = MultiDomainProfile,
        TermDays = 365,
        KeyAlgorithm = algorithm,
        Curve = algorithm == KeyAlgorithm.EC ? "P-256" : null,
        KeySize = algorithm == KeyAlgorithm.Rsa ? 2048 : null,
        KeystoreType = keystore,
        CustomFields = [new CustomFieldValue(CostCenter, "CC-42")],
        Comments = "ordered by the engine tests",
    };

    /// <summary>Lets the simulator move the order on, then asks the engine to check it.</summary>
    /// <summary>A client of the simulator that is not the engine's: another tool or administrator working on the same account.</summary>
    public Scm.Client.ScmClient NewOtherToolClient() => new(new Scm.Client.ScmClientOptions
    {
        BaseAddress = Simulator.BaseAddress,
        Login = Simulator.Credentials.Login,
        Password = Simulator.Credentials.Password,
        CustomerUri = Simulator.Credentials.CustomerUri,
    }, timeProvider: Time);

    public async Task<StatusCheckResult> AdvanceAndCheckAsync(Guid orderId, TimeSpan? by = null)
    {
        Time.Advance(by ?? TimeSpan.FromSeconds(10));
        return await Lifecycle.CheckStatusAsync(orderId);
    }

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync();
        if (OwnsSimulator)
        {
            await Simulator.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(sink, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            sink.Enqueue($"{logLevel} {category} {formatter(state, exception)} {structured} {exception}");
        }
    }
}
