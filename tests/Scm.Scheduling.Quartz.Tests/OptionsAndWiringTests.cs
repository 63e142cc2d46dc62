using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Scm.Lifecycle;
using Scm.Lifecycle.Scheduling;
using Scm.Scheduling.Quartz.Internal;
using Scm.Storage.PostgreSql;

namespace Scm.Scheduling.Quartz.Tests;

/// <summary>UseQuartzScheduling's options and DI wiring; nothing here needs a database.</summary>
public sealed class OptionsAndWiringTests
{
    private sealed class Builder : ISectigoCertificateManagementBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }

    internal static void ValidEngine(SectigoCertificateManagementOptions o)
    {
        o.Client.BaseAddress = new Uri("https://scm.example.test/api");
        o.Client.Login = "api-admin";
        o.Client.Password = "not-a-real-password";
        o.Client.CustomerUri = "customer";
        o.KeyProtection.Key = Convert.ToBase64String(new byte[32]);
    }

    [Theory]
    [InlineData(nameof(QuartzSchedulingOptions.CatalogSyncCron), "0 0 3 ? * FUNDAY")]
    [InlineData(nameof(QuartzSchedulingOptions.StatusCheckCron), "0 0 25 * * ?")]
    [InlineData(nameof(QuartzSchedulingOptions.FollowUpCron), "*/10 * * * *")]
    [InlineData(nameof(QuartzSchedulingOptions.AutoRenewalCron), "every day")]
    public void UseQuartzScheduling_BadCron_ThrowsNamingTheOptionAndTheExpression(string option, string cron)
    {
        var builder = new Builder();
        var ex = Assert.Throws<OptionsValidationException>(() => builder.UseQuartzScheduling(o => typeof(QuartzSchedulingOptions).GetProperty(option)!.SetValue(o, cron)));

        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith($"QuartzSchedulingOptions.{option} '{cron}' is not a valid Quartz cron expression", failure, StringComparison.Ordinal);
        Assert.Equal(typeof(QuartzSchedulingOptions), ex.OptionsType);
        Assert.Empty(builder.Services);
    }

    [Fact]
    public void UseQuartzScheduling_BadValues_EveryErrorNamesItsOptionAndRule()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new Builder().UseQuartzScheduling(o =>
        {
            o.Schema = "scm-quartz";
            o.TablePrefix = "";
            o.SchedulerName = "";
            o.TimeZone = "Mars/Olympus_Mons";
            o.ClusterCheckinInterval = TimeSpan.Zero;
            o.RetryInitialDelay = TimeSpan.FromMinutes(5);
            o.RetryMaxDelay = TimeSpan.FromMinutes(1);
            o.MaxConcurrency = 0;
            o.MaxRetries = -1;
        }));

        Assert.Contains("QuartzSchedulingOptions.Schema must be 1-63 letters, digits or '_', starting with a letter; got 'scm-quartz'.", ex.Failures);
        Assert.Contains("QuartzSchedulingOptions.TablePrefix must be 1-30 letters, digits or '_', starting with a letter; got ''.", ex.Failures);
        Assert.Contains("QuartzSchedulingOptions.SchedulerName must be 1-100 characters.", ex.Failures);
        Assert.Contains(ex.Failures, f => f.StartsWith("QuartzSchedulingOptions.TimeZone 'Mars/Olympus_Mons' is not a time zone id", StringComparison.Ordinal));
        Assert.Contains("QuartzSchedulingOptions.ClusterCheckinInterval must be 00:00:01 to 00:10:00; got 00:00:00.", ex.Failures);
        Assert.Contains("QuartzSchedulingOptions.RetryMaxDelay (00:01:00) must not be less than RetryInitialDelay (00:05:00).", ex.Failures);
        Assert.Contains("QuartzSchedulingOptions.MaxConcurrency must be 1-64; got 0.", ex.Failures);
        Assert.Contains("QuartzSchedulingOptions.MaxRetries must be 0-100; got -1.", ex.Failures);
        Assert.Equal(8, ex.Failures.Count());
    }

    [Fact]
    public void UseQuartzScheduling_DefaultsAndEmptyCronExpressions_AreValid()
    {
        Assert.Empty(QuartzOptionsValidator.Collect(new QuartzSchedulingOptions()));
        Assert.Empty(QuartzOptionsValidator.Collect(new QuartzSchedulingOptions { CatalogSyncCron = "", StatusCheckCron = null, FollowUpCron = " ", TimeZone = "Europe/Berlin" }));
    }

    [Fact]
    public void UseQuartzScheduling_CalledTwice_Throws()
    {
        var builder = new Builder();
        builder.UseQuartzScheduling();
        var ex = Assert.Throws<InvalidOperationException>(() => builder.UseQuartzScheduling());
        Assert.Contains("UseQuartzScheduling was already called", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NeverShowsTheConnectionString()
    {
        var text = new QuartzSchedulingOptions { ConnectionString = "Host=db;Username=scm;Password=hunter2-secret" }.ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=db", text, StringComparison.Ordinal);
        Assert.Contains("ConnectionString = ***", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UseQuartzScheduling_FromConfiguration_BindsTheSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:Quartz:StatusCheckCron"] = "0 30 1 * * ?",
            ["Sectigo:Quartz:FollowUpCron"] = "",
            ["Sectigo:Quartz:Schema"] = "quartz_prod",
            ["Sectigo:Quartz:TablePrefix"] = "q_",
            ["Sectigo:Quartz:InstanceId"] = "node-7",
            ["Sectigo:Quartz:ClusterCheckinInterval"] = "00:00:05",
            ["Sectigo:Quartz:MaxRetries"] = "3",
            ["Sectigo:Quartz:TimeZone"] = "Europe/Berlin",
            ["Sectigo:Quartz:RunNeverRunJobsAtFirstStart"] = "false",
        }).Build();
        var builder = new Builder();
        builder.UseQuartzScheduling(configuration.GetSection("Sectigo:Quartz"), o => o.SchedulerName = "Tenant42");

        var options = builder.Services.BuildServiceProvider().GetRequiredService<QuartzSchedulingOptions>();
        Assert.Equal("0 30 1 * * ?", options.StatusCheckCron);
        Assert.Equal("", options.FollowUpCron);
        Assert.Equal(QuartzSchedulingOptions.DefaultCatalogSyncCron, options.CatalogSyncCron);
        Assert.Equal("quartz_prod", options.Schema);
        Assert.Equal("q_", options.TablePrefix);
        Assert.Equal("node-7", options.InstanceId);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ClusterCheckinInterval);
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal("Europe/Berlin", options.TimeZone);
        Assert.False(options.RunNeverRunJobsAtFirstStart);
        Assert.Equal("Tenant42", options.SchedulerName);
    }

    [Fact]
    public void UseQuartzScheduling_FromConfiguration_BadCronNamesTheOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StatusCheckCron"] = "0 0 2 * *",
        }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => new Builder().UseQuartzScheduling(configuration));
        Assert.Contains(ex.Failures, f => f.StartsWith("QuartzSchedulingOptions.StatusCheckCron '0 0 2 * *' is not a valid Quartz cron expression", StringComparison.Ordinal));
    }

    [Fact]
    public void UseQuartzScheduling_RegistersTheJobsApi_TheSetupFirst_AndQuartzHostedServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSectigoCertificateManagement(ValidEngine).UseInMemoryStorage().UseQuartzScheduling(o => o.SchedulerName = "Wiring");

        Assert.Equal(typeof(QuartzJobSetup), services.First(d => d.ServiceType == typeof(IHostedService)).ImplementationType);
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(global::Quartz.QuartzHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(System.Data.Common.DbDataSource) && Equals(d.ServiceKey, "Scm.Scheduling.Quartz:Wiring"));

        using var provider = services.BuildServiceProvider();
        var jobs = provider.GetRequiredService<IQuartzLifecycleJobs>();
        Assert.Same(jobs, provider.GetRequiredService<IQuartzLifecycleJobs>());
        Assert.IsType<QuartzLifecycleJobs>(jobs);
    }

    [Fact]
    public async Task UseQuartzScheduling_InProcessSchedulerConfiguredOn_IsOffAndRunsNothing()
    {
        await using var withQuartz = await InProcessSchedulerAsync(quartz: true);
        Assert.False(withQuartz.Enabled);
        await withQuartz.Scheduler.StartAsync(CancellationToken.None);

        // Its loop has ended (it returns at once when scheduling is off) without asking the runner anything.
        await withQuartz.Scheduler.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(withQuartz.Runner.Runs);
        Assert.Equal(0, withQuartz.Runner.LastRunQueries);

        // The same host without Quartz: the in-process scheduler runs its first round at once (the control that shows
        // the check above can fail).
        await using var without = await InProcessSchedulerAsync(quartz: false);
        Assert.True(without.Enabled);
        await without.Scheduler.StartAsync(CancellationToken.None);
        await without.Runner.WaitForRunAsync(LifecycleJob.FollowUp, TimeSpan.FromSeconds(30));
        Assert.False(without.Scheduler.ExecuteTask!.IsCompleted);
        await without.Scheduler.StopAsync(CancellationToken.None);
        Assert.Contains(LifecycleJob.CatalogSync, without.Runner.Runs);
    }

    /// <summary>The engine's own hosted scheduler (alone: Quartz's hosted service would need a database) and a recording runner.</summary>
    private static Task<InProcess> InProcessSchedulerAsync(bool quartz)
    {
        var runner = new RecordingJobRunner();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ILifecycleJobRunner>(runner);
        var builder = services.AddSectigoCertificateManagement(o =>
        {
            ValidEngine(o);
            o.Scheduling.Enabled = true;
        }).UseInMemoryStorage();
        if (quartz)
        {
            builder.UseQuartzScheduling();
        }

        var provider = services.BuildServiceProvider();
        var enabled = provider.GetRequiredService<IOptions<SectigoCertificateManagementOptions>>().Value.Scheduling.Enabled;
        var registered = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "LifecycleScheduler");
        var scheduler = (BackgroundService)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!);
        return Task.FromResult(new InProcess(provider, scheduler, runner, enabled));
    }

    private sealed record InProcess(ServiceProvider Provider, BackgroundService Scheduler, RecordingJobRunner Runner, bool Enabled) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Scheduler.StopAsync(CancellationToken.None);
            Scheduler.Dispose();
            await Provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task HostStart_NeitherPostgreSqlStoreNorConnectionString_FailsNamingTheOption()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSectigoCertificateManagement(ValidEngine).UseInMemoryStorage().UseQuartzScheduling();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.StartsWith("QuartzSchedulingOptions.ConnectionString is required", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionString_DefaultsToThePostgreSqlStoreAndAnExplicitOneWins()
    {
        const string Store = "Host=127.0.0.1;Port=1;Database=scm;Username=scm";
        var services = new ServiceCollection();
        services.AddSectigoCertificateManagement(ValidEngine).UsePostgreSqlStorage(Store).UseQuartzScheduling();
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<QuartzSchedulingOptions>();
        Assert.Equal(Store, QuartzDatabase.ResolveConnectionString(provider, options));
        Assert.Equal("Host=elsewhere", QuartzDatabase.ResolveConnectionString(provider, new QuartzSchedulingOptions { ConnectionString = "Host=elsewhere" }));

        // A store chosen after the PostgreSQL one is the store: its database is not Quartz's default any more.
        var sqlite = new ServiceCollection();
        sqlite.AddSectigoCertificateManagement(ValidEngine).UsePostgreSqlStorage(Store).UseSqliteStorage(Path.Combine(Path.GetTempPath(), "unused-" + Guid.NewGuid().ToString("N") + ".db"));
        await using var sqliteProvider = sqlite.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => QuartzDatabase.ResolveConnectionString(sqliteProvider, new QuartzSchedulingOptions()));
        Assert.IsType<PostgreSqlStoreOptions>(sqliteProvider.GetRequiredService<PostgreSqlStoreOptions>());
    }
}
