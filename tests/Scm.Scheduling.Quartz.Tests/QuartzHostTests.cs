using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Quartz;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Lifecycle.Scheduling;
using Scm.Storage;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Scheduling.Quartz.Tests;

/// <summary>
/// One host in the test's process on a real PostgreSQL server (SCM_TEST_POSTGRES; skipped without one, failing in CI):
/// Quartz's tables provisioned in their own schema, jobs and triggers put in place and kept across restarts, the misfire
/// policy of each job after downtime, and jobs triggered on demand. Each test has its own store and Quartz schemas.
/// </summary>
public sealed class QuartzHostTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _storeSchema = PostgreSqlTestServer.NewSchema();
    private readonly string _quartzSchema = PostgreSqlTestServer.NewSchema();
    private readonly List<IHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await PostgreSqlTestServer.DropSchemaAsync(_quartzSchema);
        await PostgreSqlTestServer.DropSchemaAsync(_storeSchema);
    }

    private IHost Host(Action<QuartzSchedulingOptions> quartz, ILifecycleJobRunner? runner = null, ScmSimulator? simulator = null, QuartzEvents? events = null, Action<SectigoCertificateManagementOptions>? engine = null)
    {
        var connectionString = PostgreSqlTestServer.Require();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (runner is not null)
        {
            // Registered first: the engine only adds its own runner when none is registered.
            builder.Services.AddSingleton(runner);
        }

        builder.Services.AddSectigoCertificateManagement(o =>
            {
                OptionsAndWiringTests.ValidEngine(o);
                if (simulator is not null)
                {
                    o.Client.BaseAddress = simulator.BaseAddress;
                    o.Client.Login = simulator.Credentials.Login;
                    o.Client.Password = simulator.Credentials.Password;
                    o.Client.CustomerUri = simulator.Credentials.CustomerUri;
                }

                engine?.Invoke(o);
            })
            .UsePostgreSqlStorage(connectionString, o => o.Schema = _storeSchema)
            .UseQuartzScheduling(o =>
            {
                o.Schema = _quartzSchema;
                o.ClusterCheckinInterval = TimeSpan.FromSeconds(1);
                quartz(o);
            });
        if (events is not null)
        {
            builder.Services.ConfigureAllQuartzSchedulers(q =>
            {
                q.AddJobListener(events, [GroupMatcher<JobKey>.AnyGroup()]);
                q.AddTriggerListener(events, [GroupMatcher<TriggerKey>.AnyGroup()]);
            });
        }

        var host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    private static void NoCron(QuartzSchedulingOptions o)
    {
        o.CatalogSyncCron = null;
        o.StatusCheckCron = null;
        o.FollowUpCron = null;
        o.AutoRenewalCron = null;
    }

    private IScheduler Scheduler(IHost host) => host.Services.GetRequiredKeyedService<IScheduler>("ScmSdk");

    [SkippableFact]
    public async Task Start_ProvisionsQuartzTablesInTheirSchema_StoresTheJobs_AndRunsNeverRunJobsOnce()
    {
        var runner = new RecordingJobRunner();
        var host = Host(_ => { }, runner);
        await host.StartAsync();

        // First start, nothing ever ran: the daily and weekly jobs run once at once (follow-up polling has its own 10 s).
        await runner.WaitForRunAsync(LifecycleJob.CatalogSync, Bound);
        await runner.WaitForRunAsync(LifecycleJob.StatusCheck, Bound);
        await runner.WaitForRunAsync(LifecycleJob.AutoRenewal, Bound);

        var tables = await QueryAsync($"SELECT table_name FROM information_schema.tables WHERE table_schema = '{_quartzSchema}'", r => r.GetString(0));
        foreach (var required in new[] { "job_details", "triggers", "cron_triggers", "simple_triggers", "fired_triggers", "scheduler_state", "locks", "calendars", "paused_trigger_grps" })
        {
            Assert.Contains("qrtz_" + required, tables);
        }

        var nodes = await QueryAsync($"SELECT instance_name FROM {_quartzSchema}.qrtz_scheduler_state WHERE sched_name = 'ScmSdk'", r => r.GetString(0));
        Assert.Equal([Scheduler(host).SchedulerInstanceId], nodes);

        var scheduler = Scheduler(host);
        foreach (var (job, cron, misfire) in new[]
        {
            (LifecycleJob.CatalogSync, QuartzSchedulingOptions.DefaultCatalogSyncCron, CronTriggerMisfireInstruction.FireAndProceed),
            (LifecycleJob.StatusCheck, QuartzSchedulingOptions.DefaultStatusCheckCron, CronTriggerMisfireInstruction.FireAndProceed),
            (LifecycleJob.FollowUp, QuartzSchedulingOptions.DefaultFollowUpCron, CronTriggerMisfireInstruction.DoNothing),
            (LifecycleJob.AutoRenewal, QuartzSchedulingOptions.DefaultAutoRenewalCron, CronTriggerMisfireInstruction.FireAndProceed),
        })
        {
            var detail = (await scheduler.GetJobDetail(new JobKey(job.ToString(), "scm")))!;
            Assert.True(detail.Durable && detail.RequestsRecovery && detail.ConcurrentExecutionDisallowed, $"{job}: durable, recovery, not concurrent");
            var trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(new TriggerKey(job + ".cron", "scm")));
            Assert.Equal(cron, trigger.CronExpressionString);
            Assert.Equal("UTC", trigger.TimeZone.Id);
            Assert.Equal((int)misfire, trigger.MisfireInstructionCode);
        }

        var import = (await scheduler.GetJobDetail(new JobKey("Import", "scm")))!;
        Assert.True(import.Durable && import.RequestsRecovery && import.ConcurrentExecutionDisallowed);

        var now = DateTimeOffset.UtcNow;
        var next = await host.Services.GetRequiredService<IQuartzLifecycleJobs>().GetNextFireTimeAsync(LifecycleJob.StatusCheck);
        var expected = new DateTimeOffset(now.Year, now.Month, now.Day, 2, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected > now ? expected : expected.AddDays(1), next);
        Assert.Equal(1, runner.Runs.Count(j => j == LifecycleJob.CatalogSync));
    }

    [SkippableFact]
    public async Task Restart_UnchangedTriggerIsKept_ChangedOneReplaced_EmptiedOneRemoved()
    {
        void Options(QuartzSchedulingOptions o) => o.RunNeverRunJobsAtFirstStart = false;

        // The jobs are put in place by the first use, without starting the scheduler (nothing fires).
        var first = Host(Options);
        var jobs = first.Services.GetRequiredService<IQuartzLifecycleJobs>();
        Assert.NotNull(await jobs.GetNextFireTimeAsync(LifecycleJob.FollowUp));
        var statusStart = (await Scheduler(first).GetTrigger(new TriggerKey("StatusCheck.cron", "scm")))!.StartTimeUtc;
        var followUpStart = (await Scheduler(first).GetTrigger(new TriggerKey("FollowUp.cron", "scm")))!.StartTimeUtc;

        var same = Host(Options);
        Assert.NotNull(await same.Services.GetRequiredService<IQuartzLifecycleJobs>().GetNextFireTimeAsync(LifecycleJob.FollowUp));
        Assert.Equal(statusStart, (await Scheduler(same).GetTrigger(new TriggerKey("StatusCheck.cron", "scm")))!.StartTimeUtc);
        Assert.Equal(followUpStart, (await Scheduler(same).GetTrigger(new TriggerKey("FollowUp.cron", "scm")))!.StartTimeUtc);

        var changed = Host(o =>
        {
            Options(o);
            o.StatusCheckCron = "0 15 2 * * ?";
            o.FollowUpCron = "";
        });
        var changedJobs = changed.Services.GetRequiredService<IQuartzLifecycleJobs>();
        var next = await changedJobs.GetNextFireTimeAsync(LifecycleJob.StatusCheck);
        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await Scheduler(changed).GetTrigger(new TriggerKey("StatusCheck.cron", "scm")));
        Assert.Equal("0 15 2 * * ?", trigger.CronExpressionString);
        Assert.Equal(new TimeSpan(2, 15, 0), next!.Value.TimeOfDay);
        Assert.Null(await changedJobs.GetNextFireTimeAsync(LifecycleJob.FollowUp));
        Assert.NotNull(await Scheduler(changed).GetJobDetail(new JobKey("FollowUp", "scm")));
        Assert.Equal(3, (await QueryAsync($"SELECT count(*) FROM {_quartzSchema}.qrtz_cron_triggers", r => r.GetInt64(0))).Single());
    }

    [SkippableFact]
    public async Task AfterDowntime_DailyAndWeeklyJobsRunOnceAtStart_FollowUpSkipsItsMissedRun()
    {
        // Every job at a time of day far from now, so none comes due by itself during the test.
        var hour = (DateTimeOffset.UtcNow.Hour + 12) % 24;
        void Options(QuartzSchedulingOptions o)
        {
            o.RunNeverRunJobsAtFirstStart = false;
            o.CatalogSyncCron = $"0 0 {hour} * * ?";
            o.StatusCheckCron = $"0 10 {hour} * * ?";
            o.AutoRenewalCron = $"0 20 {hour} * * ?";
            o.FollowUpCron = $"0 30 {hour} * * ?";
        }

        var before = Host(Options);
        Assert.NotNull(await before.Services.GetRequiredService<IQuartzLifecycleJobs>().GetNextFireTimeAsync(LifecycleJob.FollowUp));
        var stored = (await Scheduler(before).GetTrigger(new TriggerKey("StatusCheck.cron", "scm")))!.NextFireTimeUtc!.Value;
        var storedTicks = (await QueryAsync($"SELECT next_fire_time FROM {_quartzSchema}.qrtz_triggers WHERE trigger_name = 'StatusCheck.cron'", r => r.GetInt64(0))).Single();
        Assert.Equal(stored.UtcTicks, storedTicks);

        // Downtime: every trigger's next run was due two hours ago while no node was running.
        var missed = DateTimeOffset.UtcNow.AddHours(-2).UtcTicks;
        await ExecuteAsync($"UPDATE {_quartzSchema}.qrtz_triggers SET next_fire_time = {missed.ToString(CultureInfo.InvariantCulture)} WHERE trigger_group = 'scm'");

        var runner = new RecordingJobRunner();
        var events = new QuartzEvents();
        var after = Host(Options, runner, events: events);
        await after.StartAsync();
        foreach (var trigger in new[] { "CatalogSync.cron", "StatusCheck.cron", "AutoRenewal.cron", "FollowUp.cron" })
        {
            await events.WaitForMisfireAsync(trigger, Bound);
        }

        foreach (var job in new[] { LifecycleJob.CatalogSync, LifecycleJob.StatusCheck, LifecycleJob.AutoRenewal })
        {
            await runner.WaitForRunAsync(job, Bound);
        }

        // Fire once now: each ran once, and waits for its next time; skip: follow-up did not run and waits for its next time.
        var now = DateTimeOffset.UtcNow;
        foreach (var job in new[] { LifecycleJob.CatalogSync, LifecycleJob.StatusCheck, LifecycleJob.AutoRenewal, LifecycleJob.FollowUp })
        {
            var next = (await Scheduler(after).GetTrigger(new TriggerKey(job + ".cron", "scm")))!.NextFireTimeUtc;
            Assert.True(next > now, $"{job}: the next run ({next:O}) should be after now ({now:O})");
        }

        Assert.Equal(1, runner.Runs.Count(j => j == LifecycleJob.CatalogSync));
        Assert.Equal(1, runner.Runs.Count(j => j == LifecycleJob.StatusCheck));
        Assert.Equal(1, runner.Runs.Count(j => j == LifecycleJob.AutoRenewal));
        Assert.DoesNotContain(LifecycleJob.FollowUp, runner.Runs);
    }

    [SkippableFact]
    public async Task TriggerAsync_RunsTheJobOnceThroughTheRunner()
    {
        var runner = new RecordingJobRunner();
        var events = new QuartzEvents();
        var host = Host(NoCron, runner, events: events);
        await host.StartAsync();

        await host.Services.GetRequiredService<IQuartzLifecycleJobs>().TriggerAsync(LifecycleJob.AutoRenewal);
        var context = await events.WaitForCompletionAsync("AutoRenewal", Bound);

        Assert.Equal([LifecycleJob.AutoRenewal], runner.Runs);
        Assert.Equal(new Scm.Lifecycle.Scheduling.JobRunResult(LifecycleJob.AutoRenewal, true, "recorded"), context.Result);
        Assert.Empty(await QueryAsync($"SELECT trigger_name FROM {_quartzSchema}.qrtz_cron_triggers", r => r.GetString(0)));
    }

    [SkippableFact]
    public async Task TriggerImportAsync_ImportsTheOrdersSomeoneElsePlacedInScm()
    {
        await using var simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null, IssueDelay = TimeSpan.FromHours(1) });
        var sslIds = await SeedScmAsync(simulator, issued: 2, pending: 1);
        var events = new QuartzEvents();
        var host = Host(NoCron, simulator: simulator, events: events);
        await host.StartAsync();

        await host.Services.GetRequiredService<IQuartzLifecycleJobs>().TriggerImportAsync(new ImportRequest { Resume = false });
        var context = await events.WaitForCompletionAsync("Import", Bound);

        var result = Assert.IsType<ImportResult>(context.Result);
        Assert.Equal(3, result.Progress.Imported);
        var store = host.Services.GetRequiredService<IScmStore>();
        foreach (var sslId in sslIds)
        {
            Assert.Single(await store.FindOrdersBySslIdAsync(sslId));
        }
    }

    [SkippableFact]
    public async Task TriggerImportAsync_StatusWithComma_IsRefusedBeforeAnythingIsStored()
    {
        var host = Host(NoCron, new RecordingJobRunner());
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            host.Services.GetRequiredService<IQuartzLifecycleJobs>().TriggerImportAsync(new ImportRequest { Statuses = ["Issued,Applied"] }));
        Assert.Contains("ImportRequest.Statuses", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await QueryAsync($"SELECT table_name FROM information_schema.tables WHERE table_schema = '{_quartzSchema}'", r => r.GetString(0)));
    }

    [SkippableFact]
    public async Task TwoAccounts_OneRefusingCredentials_JobCompletesTheOtherAndFailsNamingIt_ImportTargetsOneAccount()
    {
        await using var acme = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null, IssueDelay = TimeSpan.FromHours(1) });
        await using var globex = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null, IssueDelay = TimeSpan.FromHours(1) });
        var acmeIds = await SeedScmAsync(acme, issued: 1, pending: 1);
        var globexIds = await SeedScmAsync(globex, issued: 2, pending: 0);
        Assert.Equal(acmeIds, globexIds.Take(2)); // the same sslIds in both accounts
        var acmeOptions = AccountOptions(acme);
        var globexOptions = AccountOptions(globex);
        globex.RotateCredentials(); // the host keeps globex's old password: SCM refuses it
        var events = new QuartzEvents();
        var host = Host(NoCron, events: events, engine: o =>
        {
            o.Accounts["acme"] = acmeOptions;
            o.Accounts["globex"] = globexOptions;
        });
        await host.StartAsync();
        var jobs = host.Services.GetRequiredService<IQuartzLifecycleJobs>();
        var accounts = host.Services.GetRequiredService<ICertificateLifecycleProvider>();

        await jobs.TriggerAsync(LifecycleJob.CatalogSync);
        await events.WaitForCompletionAsync("CatalogSync", Bound);

        // acme's sync completed; globex's failed, and the run's failure names globex only (the retry policy comes back).
        var failure = events.Exceptions["CatalogSync"];
        Assert.NotNull(failure);
        Assert.Contains("globex", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("acme", failure.Message, StringComparison.Ordinal);
        Assert.NotNull(await accounts.GetJobRunner("acme").GetLastRunAsync(LifecycleJob.CatalogSync));
        Assert.Null(await accounts.GetJobRunner("globex").GetLastRunAsync(LifecycleJob.CatalogSync));

        // An import is for one account, refused before anything is stored when the host does not serve it.
        await Assert.ThrowsAsync<KeyNotFoundException>(() => jobs.TriggerImportAsync(new ImportRequest(), "initech"));
        await jobs.TriggerImportAsync(new ImportRequest { Resume = false }, "acme");
        var import = Assert.IsType<ImportResult>((await events.WaitForCompletionAsync("Import", Bound)).Result);
        Assert.Equal(2, import.Progress.Imported);
        Assert.Equal(2, await accounts.Get("acme").ListOrdersAsync().CountAsync());
        Assert.Equal(0, await accounts.Get("globex").ListOrdersAsync().CountAsync());
    }

    private static SectigoCertificateManagementOptions AccountOptions(ScmSimulator simulator)
    {
        var options = new SectigoCertificateManagementOptions();
        options.Client.BaseAddress = simulator.BaseAddress;
        options.Client.Login = simulator.Credentials.Login;
        options.Client.Password = simulator.Credentials.Password;
        options.Client.CustomerUri = simulator.Credentials.CustomerUri;
        return options;
    }

    /// <summary>Orders placed in SCM the way another tool would (through the client, not the engine).</summary>
    private static async Task<List<long>> SeedScmAsync(ScmSimulator simulator, int issued, int pending)
    {
        using var client = new ScmClient(new ScmClientOptions
        {
            BaseAddress = simulator.BaseAddress,
            Login = simulator.Credentials.Login,
            Password = simulator.Credentials.Password,
            CustomerUri = simulator.Credentials.CustomerUri,
        });
        var ids = new List<long>();
        for (var i = 0; i < issued + pending; i++)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=legacy{i}.acme.example", key, HashAlgorithmName.SHA256);
            var result = await client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = 2001,
                ProfileId = 102,
                Term = 365,
                Csr = request.CreateSigningRequestPem(),
                Comments = "made by another tool",
                CustomFields = [new Scm.Client.CustomFieldValue("Cost Center", "1")],
            });
            if (i < issued)
            {
                simulator.IssueNow(result.SslId);
            }

            ids.Add(result.SslId);
        }

        return ids;
    }

    private static async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(PostgreSqlTestServer.Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgreSqlTestServer.Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
