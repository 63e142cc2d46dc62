using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Scm.Storage;
using Scm.Storage.PostgreSql;

namespace Scm.Samples.Worker;

/// <summary>
/// The worker's composition, shared by <c>Program.cs</c> and the tests: the lifecycle engine from the <c>Sectigo</c>
/// configuration section with SQLite (or PostgreSQL) storage and file-system deployment, the hosted schedules (or
/// Quartz, <c>Worker:Scheduling</c>), health checks reported
/// to the log, a lifecycle event logger, OpenTelemetry metrics and traces of <c>Scm.Client</c> and <c>Scm.Lifecycle</c>,
/// and the configured certificates ordered at start.
/// </summary>
public static class SampleWorker
{
    /// <summary>The meter and activity source names of the SDK (one of each per assembly).</summary>
    public static readonly string[] TelemetrySources = ["Scm.Client", "Scm.Lifecycle"];

    /// <summary>Completes <paramref name="builder"/> (reading a simulator's credentials first in simulator mode) and builds the host.</summary>
    /// <param name="builder">A host builder whose configuration holds the <c>Sectigo</c> and <c>Worker</c> sections.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The host, not started.</returns>
    public static async Task<IHost> BuildAsync(HostApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = WorkerSettings.From(builder.Configuration);
        if (!string.IsNullOrWhiteSpace(settings.Simulator))
        {
            // Added last, so the simulator's address and credentials win over appsettings.json.
            var client = await SimulatorConnection.ReadClientSettingsAsync(settings.Simulator, TimeProvider.System, cancellationToken);
            builder.Configuration.AddInMemoryCollection(client);
        }

        foreach (var (account, url) in settings.Simulators)
        {
            // One simulator per account: Sectigo:Accounts:{account}:Client from its management API.
            var client = await SimulatorConnection.ReadClientSettingsAsync(url, $"Sectigo:Accounts:{account}:Client", TimeProvider.System, cancellationToken);
            builder.Configuration.AddInMemoryCollection(client);
        }

        AddSampleWorker(builder.Services, builder.Configuration, settings);
        return builder.Build();
    }

    /// <summary>Registers everything the worker runs.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration (sections <c>Sectigo</c> and <c>Worker</c>).</param>
    /// <param name="settings">The <c>Worker</c> section, already read.</param>
    public static void AddSampleWorker(IServiceCollection services, IConfiguration configuration, WorkerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(settings);
        var simulatorMode = !string.IsNullOrWhiteSpace(settings.Simulator) || settings.Simulators.Count > 0;
        var data = DataDirectory(settings, simulatorMode);
        var deploy = string.IsNullOrWhiteSpace(settings.Deployment.Directory) ? Path.Combine(data, "certificates") : Path.GetFullPath(settings.Deployment.Directory);
        var store = Path.Combine(data, "scm.db");
        services.AddSingleton(settings);
        if (settings.Scheduling == WorkerScheduling.Quartz && settings.Storage != WorkerStorage.PostgreSql)
        {
            // Quartz's cluster spans hosts; a SQLite file belongs to one of them, so the jobs would act on one host's state.
            throw new WorkerConfigurationException("Worker:Scheduling = Quartz needs Worker:Storage = PostgreSql (the hosts of a Quartz cluster share one PostgreSQL store).");
        }

        if (settings.Storage == WorkerStorage.PostgreSql && string.IsNullOrWhiteSpace(settings.PostgreSql.ConnectionString))
        {
            throw new WorkerConfigurationException("Worker:Storage = PostgreSql needs Worker:PostgreSql:ConnectionString (set it in the environment as Worker__PostgreSql__ConnectionString).");
        }

        var engine = services.AddSectigoCertificateManagement(configuration, o =>
            {
                // In simulator mode everything is throw-away, so the key that protects private keys at rest lives beside
                // the store instead of in the user's profile (the SDK's default).
                if (simulatorMode && o.KeyProtection.Key is null && o.KeyProtection.KeyFilePath is null)
                {
                    o.KeyProtection.KeyFilePath = Path.Combine(data, "keys", "protector.key");
                }
            });
        if (settings.Storage == WorkerStorage.PostgreSql)
        {
            engine.UsePostgreSqlStorage(settings.PostgreSql.ConnectionString!, o => o.Schema = settings.PostgreSql.Schema);
        }
        else
        {
            engine.UseSqliteStorage(store);
        }

        if (settings.Scheduling == WorkerScheduling.Quartz)
        {
            // The jobs run on Quartz (cron expressions and cluster settings from Sectigo:Quartz); the in-process
            // scheduler is turned off by UseQuartzScheduling.
            engine.UseQuartzScheduling(configuration.GetSection("Sectigo:Quartz"));
        }

        engine
            .AddFileSystemDeployment(o =>
            {
                o.Directory = deploy;
                o.WriteKeystorePassword = settings.Deployment.WriteKeystorePassword;
                o.WriteUnencryptedPrivateKey = settings.Deployment.WriteUnencryptedPrivateKey;
                o.VersionsToKeep = settings.Deployment.VersionsToKeep ?? o.VersionsToKeep;
            })
            .AddEventHandler<LifecycleEventLogger>();

        services.AddHealthChecks().AddSectigoCertificateManagement();
        services.AddHostedService<HealthReporter>();
        services.AddHostedService<DesiredCertificates>();
        services.AddHostedService(sp => new StartupBanner(
            sp.GetRequiredService<ILogger<StartupBanner>>(),
            sp.GetRequiredService<IScmStore>() is PostgreSqlScmStore postgres ? "PostgreSQL " + postgres.Location : store,
            deploy,
            Describe(configuration),
            settings.Scheduling == WorkerScheduling.Quartz ? "Quartz (clustered)" : "hosted"));

        var otel = services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(TelemetrySources))
            .WithTracing(tracing => tracing.AddSource(TelemetrySources));
        if (settings.Telemetry.ConsoleExporter)
        {
            otel.WithMetrics(metrics => metrics.AddConsoleExporter()).WithTracing(tracing => tracing.AddConsoleExporter());
        }
    }

    /// <summary>Which SCM (or, with several accounts, which account at which address) the worker serves; never a secret.</summary>
    private static string Describe(IConfiguration configuration)
    {
        var accounts = configuration.GetSection("Sectigo:Accounts").GetChildren().ToList();
        if (accounts.Count == 0)
        {
            return configuration["Sectigo:Client:BaseAddress"] ?? "the default SCM address";
        }

        var fallback = configuration["Sectigo:Client:BaseAddress"] ?? "the default SCM address";
        return string.Join(", ", accounts.Select(a => $"{a.Key} at {a["Client:BaseAddress"] ?? fallback}"));
    }

    private static string DataDirectory(WorkerSettings settings, bool simulatorMode)
    {
        if (!string.IsNullOrWhiteSpace(settings.DataDirectory))
        {
            return Path.GetFullPath(settings.DataDirectory);
        }

        if (simulatorMode)
        {
            // The simulator forgets everything when it stops, so its store must not outlive it either.
            return Path.Combine(Path.GetTempPath(), "scm-worker-" + Guid.NewGuid().ToString("N")[..12]);
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Scm.Sdk", "worker");
    }

    /// <summary>Logs where the worker keeps its state, once at start (never a secret).</summary>
    private sealed class StartupBanner(ILogger<StartupBanner> logger, string store, string deploy, string scm, string scheduling) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            WorkerLog.Started(logger, store, deploy, scm, scheduling);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
