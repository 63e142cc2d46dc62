using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scm.Lifecycle.Scheduling;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>DI, configuration and the hosted scheduler.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Scheduler_OnFakeClock_SyncsCatalogAndFollowsOrdersToInstallation()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.Scheduling.Enabled = true);
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());

        // The scheduler runs on its own task: advance the fake clock in steps and give it real time to act,
        // bounded by a real-time deadline (the machine may be busy), not by a step count.
        // On a busy machine a request can outlive its attempt timeout on the fast-moving fake clock: a job that fails is
        // retried by the scheduler later, so the loop waits for all three outcomes, not for the first one.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (((await h.Lifecycle.GetOrderAsync(ordered.OrderId))!.State != OrderState.Completed
                || await h.Jobs.GetLastRunAsync(LifecycleJob.CatalogSync) is null
                || await h.Jobs.GetLastRunAsync(LifecycleJob.StatusCheck) is null)
            && DateTimeOffset.UtcNow < deadline)
        {
            h.Time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(50);
        }

        Assert.Equal(OrderState.Completed, (await h.Lifecycle.GetOrderAsync(ordered.OrderId))!.State);
        Assert.NotNull(await h.Jobs.GetLastRunAsync(LifecycleJob.CatalogSync));
        Assert.NotNull(await h.Jobs.GetLastRunAsync(LifecycleJob.StatusCheck));
        Assert.Contains(await h.Lifecycle.QueryAuditAsync(new AuditQuery()), a => a.Actor == "scheduler" && a.Decision == "Issued");
    }

    [Fact]
    public async Task Scheduler_WeeklySync_NotRepeatedBeforeItsInterval()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.Scheduling.Enabled = true);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (await h.Jobs.GetLastRunAsync(LifecycleJob.CatalogSync) is null && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await h.Jobs.GetLastRunAsync(LifecycleJob.CatalogSync);
        Assert.NotNull(first);
        for (var i = 0; i < 30; i++)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(10);
        }

        Assert.Equal(first, await h.Jobs.GetLastRunAsync(LifecycleJob.CatalogSync));
        h.Time.Advance(TimeSpan.FromDays(7));
        deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (await h.Jobs.GetLastRunAsync(LifecycleJob.CatalogSync) == first && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
            h.Time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.NotEqual(first, await h.Jobs.GetLastRunAsync(LifecycleJob.CatalogSync));
    }

    [Fact]
    public async Task JobRunner_TwoHostsOneStore_OnlyOneRunsAJobAtATime()
    {
        await using var h = await EngineHarness.StartAsync();
        var store = h.Store;
        var lease = await store.TryAcquireLeaseAsync("job:CatalogSync:default", "another-host", TimeSpan.FromMinutes(5));
        Assert.NotNull(lease);
        var busy = await h.Jobs.RunAsync(LifecycleJob.CatalogSync);
        Assert.False(busy.Ran);

        await store.ReleaseLeaseAsync(lease);
        var ran = await h.Jobs.RunAsync(LifecycleJob.CatalogSync);
        Assert.True(ran.Ran);
        Assert.NotNull(await h.Lifecycle.GetCatalogAsync());
    }

    [Fact]
    public async Task AddFromConfiguration_BindsSectigoSection()
    {
        await using var sim = await Scm.Testing.ScmSimulator.StartAsync(new Scm.Testing.ScmSimulatorOptions { Log = null });
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:AccountId"] = "prod",
            ["Sectigo:Client:BaseAddress"] = sim.BaseAddress.ToString(),
            ["Sectigo:Client:Login"] = sim.Credentials.Login,
            ["Sectigo:Client:Password"] = sim.Credentials.Password,
            ["Sectigo:Client:CustomerUri"] = sim.Credentials.CustomerUri,
            ["Sectigo:Client:PostTimeout"] = "00:00:45",
            ["Sectigo:Inventory:MaxManagedCertificates"] = "250",
            ["Sectigo:Scheduling:Enabled"] = "false",
            ["Sectigo:Polling:InitialDelay"] = "00:00:20",
        }).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSectigoCertificateManagement(root).UseInMemoryStorage();
        using var host = builder.Build();
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<SectigoCertificateManagementOptions>>().Value;
        Assert.Equal("prod", options.AccountId);
        Assert.Equal(250, options.Inventory.MaxManagedCertificates);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Polling.InitialDelay);
        Assert.Equal(TimeSpan.FromSeconds(45), options.Client.PostTimeout);
        var client = host.Services.GetRequiredService<IOptions<Scm.Client.ScmClientOptions>>().Value;
        Assert.Equal(sim.Credentials.Login, client.Login);
        Assert.Equal(TimeSpan.FromSeconds(45), client.PostTimeout);
        var check = await host.Services.GetRequiredService<ICertificateLifecycle>().CheckAccountAsync();
        Assert.True(check.IsReady);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddFromConfiguration_CredentialsRotatedInScm_NewValuesInConfigurationResumeWorkWithoutRestart()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        await using var sim = await Scm.Testing.ScmSimulator.StartAsync(new Scm.Testing.ScmSimulatorOptions { Log = null, TimeProvider = time });
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:Client:BaseAddress"] = sim.BaseAddress.ToString(),
            ["Sectigo:Client:Login"] = sim.Credentials.Login,
            ["Sectigo:Client:Password"] = sim.Credentials.Password,
            ["Sectigo:Client:CustomerUri"] = sim.Credentials.CustomerUri,
            ["Sectigo:Scheduling:Enabled"] = "false",
            ["Sectigo:Credentials:ProbeInterval"] = "00:05:00",
        }).Build();
        var logs = new List<string>();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(l => l.AddProvider(new ListLoggerProvider(logs)));
        services.AddSectigoCertificateManagement(root).UseInMemoryStorage();
        await using var provider = services.BuildServiceProvider();
        var lifecycle = provider.GetRequiredService<ICertificateLifecycle>();
        var jobs = provider.GetRequiredService<ILifecycleJobRunner>();
        Assert.True((await jobs.RunAsync(LifecycleJob.CatalogSync)).Ran);

        // 1. The password is changed in SCM: work stops on 401 and pauses.
        var first = sim.RotateCredentials().Password;
        await Record.ExceptionAsync(() => jobs.RunAsync(LifecycleJob.CatalogSync));
        var paused = await jobs.RunAsync(LifecycleJob.CatalogSync);
        Assert.False(paused.Ran);
        Assert.Contains("Paused", paused.Summary, StringComparison.Ordinal);

        // 2. The operator writes the new password into configuration without a reload event (a provider that does not
        //    watch): the next credential probe reads it, and work resumes with no restart.
        root["Sectigo:Client:Password"] = first;
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await jobs.RunAsync(LifecycleJob.CatalogSync)).Ran);
        Assert.Contains(await provider.GetRequiredService<IScmStore>().QueryAuditAsync(new AuditQuery { Limit = 100 }), a => a.Action == "Credentials" && a.Decision == "Restored");

        // 3. Rotated again, this time with a configuration reload: applied at once, before SCM refuses anything.
        var second = sim.RotateCredentials().Password;
        root["Sectigo:Client:Password"] = second;
        root.Reload();
        Assert.True((await jobs.RunAsync(LifecycleJob.CatalogSync)).Ran);
        Assert.True((await lifecycle.CheckAccountAsync()).IsReady);

        // 4. A key emptied in configuration keeps the value in use; nothing secret reaches the logs.
        root["Sectigo:Client:Password"] = "  ";
        root.Reload();
        Assert.True((await jobs.RunAsync(LifecycleJob.CatalogSync)).Ran);
        Assert.Contains(logs, l => l.Contains("credentials reloaded", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains(first, StringComparison.Ordinal) || l.Contains(second, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CredentialReload_PasswordSetInCode_OnlyAChangedConfigurationValueReplacesIt()
    {
        await using var sim = await Scm.Testing.ScmSimulator.StartAsync(new Scm.Testing.ScmSimulatorOptions { Log = null });
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:Client:BaseAddress"] = sim.BaseAddress.ToString(),
            ["Sectigo:Client:Login"] = sim.Credentials.Login,
            ["Sectigo:Client:Password"] = "placeholder-in-appsettings",
            ["Sectigo:Client:CustomerUri"] = sim.Credentials.CustomerUri,
            ["Sectigo:Scheduling:Enabled"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddSectigoCertificateManagement(root, o => o.Client.Password = sim.Credentials.Password).UseInMemoryStorage();
        await using var provider = services.BuildServiceProvider();
        var lifecycle = provider.GetRequiredService<ICertificateLifecycle>();

        // A reload that leaves the password key as it was does not replace the password the host set in code.
        root["Sectigo:Polling:InitialDelay"] = "00:00:20";
        root.Reload();
        Assert.True((await lifecycle.CheckAccountAsync()).IsReady);

        // A changed configuration value does (here a wrong one, so SCM refuses it).
        root["Sectigo:Client:Password"] = "wrong-password-from-config";
        root.Reload();
        Assert.False((await lifecycle.CheckAccountAsync()).IsReady);
    }

    private sealed class ListLoggerProvider(List<string> lines) : Microsoft.Extensions.Logging.ILoggerProvider
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<string> lines) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (lines)
                {
                    lines.Add(formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
                }
            }
        }
    }

    [Fact]
    public void AddFromConfiguration_BindsAutoRenewalAndCredentials()
    {
        var id1 = Guid.NewGuid();
        var id2 = Guid.NewGuid();
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:Client:Login"] = "api",
            ["Sectigo:Client:Password"] = "pw",
            ["Sectigo:Client:CustomerUri"] = "acme",
            ["Sectigo:AutoRenewal:Enabled"] = "true",
            ["Sectigo:AutoRenewal:RenewBeforeDays"] = "21",
            ["Sectigo:AutoRenewal:RenewBefore"] = "2.00:00:00",
            ["Sectigo:AutoRenewal:Selection"] = "listed",
            ["Sectigo:AutoRenewal:CertificateIds:0"] = id1.ToString(),
            ["Sectigo:AutoRenewal:CertificateIds:1"] = id2.ToString(),
            ["Sectigo:AutoRenewal:Tags:0"] = "web",
            ["Sectigo:AutoRenewal:MaxJitter"] = "00:10:00",
            ["Sectigo:AutoRenewal:IncludeObserveOnly"] = "true",
            ["Sectigo:Credentials:ProbeInterval"] = "00:02:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSectigoCertificateManagement(root, o => o.AutoRenewal.Predicate = c => c.CommonName.Length > 0).UseInMemoryStorage();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SectigoCertificateManagementOptions>>().Value;
        Assert.True(options.AutoRenewal.Enabled);
        Assert.Equal(21, options.AutoRenewal.RenewBeforeDays);
        Assert.Equal(TimeSpan.FromDays(2), options.AutoRenewal.RenewBefore);
        Assert.Equal(AutoRenewSelection.Listed, options.AutoRenewal.Selection);
        Assert.Equal([id1, id2], options.AutoRenewal.CertificateIds);
        Assert.Equal(["web"], options.AutoRenewal.Tags);
        Assert.Equal(TimeSpan.FromMinutes(10), options.AutoRenewal.MaxJitter);
        Assert.True(options.AutoRenewal.IncludeObserveOnly);
        Assert.NotNull(options.AutoRenewal.Predicate);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Credentials.ProbeInterval);
    }

    [Theory]
    [InlineData("Sectigo:AutoRenewal:CertificateIds:0", "not-a-guid", "Sectigo:AutoRenewal:CertificateIds:0 must be a certificate id")]
    [InlineData("Sectigo:AutoRenewal:Selection", "some", "Sectigo:AutoRenewal:Selection 'some' is not one of")]
    [InlineData("Sectigo:AutoRenewal:Enabled", "yes", "Sectigo:AutoRenewal:Enabled must be true or false")]
    [InlineData("Sectigo:Client:PostTimeout", "soon", "Sectigo:Client:PostTimeout must be a time span")]
    public void AddFromConfiguration_WrongType_FailsNamingTheKey(string key, string value, string expected)
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var services = new ServiceCollection();
        services.AddSectigoCertificateManagement(root).UseInMemoryStorage();
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<SectigoCertificateManagementOptions>>().Value);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AutoRenewal:RenewBeforeDays", "Sectigo:AutoRenewal:RenewBeforeDays must be between 1 and 3650; got 0.")]
    [InlineData("AutoRenewal:RenewBefore", "Sectigo:AutoRenewal:RenewBefore must be positive")]
    [InlineData("AutoRenewal:MaxJitter", "Sectigo:AutoRenewal:MaxJitter must be zero or positive")]
    [InlineData("Credentials:ProbeInterval", "Sectigo:Credentials:ProbeInterval must be positive")]
    [InlineData("Leases:CertificateLeaseDuration", "Sectigo:Leases:CertificateLeaseDuration (00:01:00) must exceed Client:PostTimeout + 15 s (00:01:15)")]
    public void InvalidAutoRenewalCredentialAndLeaseOptions_NameTheOption(string option, string expected)
    {
        var options = new SectigoCertificateManagementOptions();
        _ = option switch
        {
            "AutoRenewal:RenewBeforeDays" => options.AutoRenewal.RenewBeforeDays = 0,
            "AutoRenewal:RenewBefore" => (options.AutoRenewal.RenewBefore = TimeSpan.Zero).Value.Days,
            "AutoRenewal:MaxJitter" => (options.AutoRenewal.MaxJitter = TimeSpan.FromHours(-1)).Days,
            "Credentials:ProbeInterval" => (options.Credentials.ProbeInterval = TimeSpan.Zero).Days,
            _ => (options.Leases.CertificateLeaseDuration = TimeSpan.FromMinutes(1)).Days,
        };
        var errors = Scm.Lifecycle.Internal.LifecycleOptionsValidator.Collect(options);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        Assert.Empty(Scm.Lifecycle.Internal.LifecycleOptionsValidator.Collect(new SectigoCertificateManagementOptions()));
    }

    [Fact]
    public async Task InvalidOptions_FailAtStartNamingTheOption()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSectigoCertificateManagement(o =>
        {
            o.Client.Login = "api";
            o.Client.Password = "secret-password-canary";
            o.Client.CustomerUri = "acme";
            o.Polling.InitialDelay = TimeSpan.Zero;
        }).UseInMemoryStorage();
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Sectigo:Polling:InitialDelay must be positive", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password-canary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidClientOptions_FailAtStartNamingTheOption()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSectigoCertificateManagement(o =>
        {
            o.Client.BaseAddress = new Uri("http://scm.example.com/api");
            o.Client.Login = "api";
            o.Client.Password = "pw";
            o.Client.CustomerUri = "acme";
        }).UseInMemoryStorage();
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("BaseAddress", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoStorage_ResolvingTheEngine_SaysWhatToCall()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSectigoCertificateManagement(o =>
        {
            o.Client.Login = "api";
            o.Client.Password = "pw";
            o.Client.CustomerUri = "acme";
        });
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ICertificateLifecycle>());
        Assert.Contains("UsePostgreSqlStorage(...) or UseInMemoryStorage()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqliteStorage_SurvivesRestart()
    {
        await using var h = await EngineHarness.StartAsync(sqlite: true);
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        await h.StopHostAsync();
        await h.StartHostAsync(sqlite: true);
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        Assert.Equal(1, h.Simulator.Counters.BillableOrders);
    }
}
