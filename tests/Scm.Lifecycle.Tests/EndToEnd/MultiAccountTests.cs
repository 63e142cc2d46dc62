using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Scm.Client;
using Scm.Lifecycle.Scheduling;
using Scm.Storage;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Issue 16: one host serving several SCM accounts. Two simulators seeded alike (the same sslIds exist in both), one
/// store partitioned by account, each account with its own client, credentials, breaker, licence cap and scheduled work.
/// </summary>
public sealed class MultiAccountTests : IAsyncLifetime
{
    private const int Seeded = 4;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scm-accounts-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> _logs = [];
    private ScmSimulator _acme = null!;
    private ScmSimulator _globex = null!;
    private ServiceProvider? _provider;
    private List<Microsoft.Extensions.Hosting.IHostedService> _hosted = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _acme = await ScmSimulator.StartAsync(new ScmSimulatorOptions { TimeProvider = _time, Seed = 7, Log = null });
        _globex = await ScmSimulator.StartAsync(new ScmSimulatorOptions { TimeProvider = _time, Seed = 7, Log = null });
    }

    public async Task DisposeAsync()
    {
        foreach (var hosted in _hosted)
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        await _acme.DisposeAsync();
        await _globex.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TwoAccounts_SameSslIds_ImportedApart_RenewAndRevokeInOne_TheOtherUntouched()
    {
        var acmeIds = await SeedAsync(_acme);
        var globexIds = await SeedAsync(_globex);
        Assert.Equal(acmeIds, globexIds); // the same sslIds exist in both SCM accounts

        var config = Configuration(Account("acme", _acme), Account("globex", _globex));
        var services = Build(config, sqlite: true);
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();
        Assert.Equal(["acme", "globex"], accounts.Accounts);
        var acme = accounts.Get("acme");
        var globex = services.GetRequiredKeyedService<ICertificateLifecycle>("globex");

        // Import both into the one store: the same sslId in two accounts is two records.
        var acmeImport = await acme.ImportExistingOrdersAsync();
        var globexImport = await globex.ImportExistingOrdersAsync();
        Assert.Equal(Seeded, acmeImport.Progress.Imported);
        Assert.Equal(Seeded, globexImport.Progress.Imported);
        var acmeCertificates = await acme.ListCertificatesAsync().ToListAsync();
        var globexBefore = await globex.ListCertificatesAsync().ToListAsync();
        Assert.Equal(acmeIds.Order(), acmeCertificates.Select(c => c.SslId!.Value).Order());
        Assert.Equal(acmeIds.Order(), globexBefore.Select(c => c.SslId!.Value).Order());
        Assert.Empty(acmeCertificates.Select(c => c.Id).Intersect(globexBefore.Select(c => c.Id)));

        // Renew one and revoke another in acme.
        var renewThis = acmeCertificates.Single(c => c.SslId == acmeIds[0]);
        var revokeThis = acmeCertificates.Single(c => c.SslId == acmeIds[1]);
        var renewal = await acme.RenewAsync(renewThis.Id);
        Assert.Equal(LifecycleOutcome.Submitted, renewal.Outcome);
        var revoked = await acme.RevokeAsync(revokeThis.Id, new RevokeCertificateRequest { Reason = "key compromise drill", ReasonCode = RevocationReason.KeyCompromise });
        Assert.Equal(LifecycleOutcome.Done, revoked.Outcome);

        // acme's SCM saw them; globex's SCM saw nothing of it, and globex's records are exactly as they were.
        Assert.Equal(1, _acme.Counters.RenewalOrdersFor(acmeIds[0]));
        Assert.Equal(0, _globex.Counters.RenewalOrdersFor(acmeIds[0]));
        Assert.Equal("Revoked", _acme.GetOrder(acmeIds[1])!.Status);
        Assert.NotEqual("Revoked", _globex.GetOrder(acmeIds[1])!.Status);
        Assert.False(_globex.GetOrder(acmeIds[0])!.Renewed);
        var globexAfter = await globex.ListCertificatesAsync().ToListAsync();
        Assert.Equal(
            globexBefore.Select(c => (c.Id, c.Status, c.Version)).OrderBy(c => c.Id),
            globexAfter.Select(c => (c.Id, c.Status, c.Version)).OrderBy(c => c.Id));
        Assert.Empty(await globex.ListOrdersAsync([OrderState.Planned, OrderState.KeyPersisted, OrderState.Submitting, OrderState.Ambiguous, OrderState.Submitted, OrderState.AwaitingApproval]).ToListAsync());

        // Neither account can read, renew, revoke or delete the other's records by id.
        Assert.Null(await globex.GetCertificateAsync(renewThis.Id));
        Assert.Null(await globex.GetOrderAsync(renewal.Order!.Id));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => globex.RenewAsync(renewThis.Id));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => globex.RevokeAsync(renewThis.Id, new RevokeCertificateRequest { Reason = "x" }));
        var deleted = await globex.DeleteCertificateAsync(renewThis.Id);
        Assert.False(deleted.Deleted);
        Assert.NotNull(await acme.GetCertificateAsync(renewThis.Id));
        Assert.Null(await acme.GetCertificateAsync(globexBefore[0].Id));
        Assert.Equal(0, _globex.Counters.RenewalOrdersFor(acmeIds[0]));

        // Audit entries are the account's own and carry its name.
        var acmeAudit = await acme.QueryAuditAsync(new AuditQuery { Limit = 500 });
        var globexAudit = await globex.QueryAuditAsync(new AuditQuery { Limit = 500 });
        Assert.NotEmpty(acmeAudit);
        Assert.All(acmeAudit, a => Assert.Equal("acme", a.AccountId));
        Assert.All(globexAudit, a => Assert.Equal("globex", a.AccountId));
        Assert.DoesNotContain(globexAudit, a => a.Decision == "Renewed" || a.Action == "Revoke");

        // The summaries count each account's own records.
        var acmeSummary = await accounts.GetSummaryAsync("acme");
        var globexSummary = await accounts.GetSummaryAsync("globex");
        Assert.Equal(Seeded, globexSummary.ActiveCertificates);
        Assert.Equal(Seeded - 1, acmeSummary.ActiveCertificates); // one revoked; the renewal is still open
        Assert.Equal(1, acmeSummary.OpenOrders);
        Assert.Equal(0, globexSummary.OpenOrders);
        Assert.Equal(_acme.BaseAddress, acmeSummary.BaseAddress);
    }

    [Fact]
    public async Task LicenceCapIsPerAccount_ImportParksOnlyInTheCappedAccount()
    {
        await SeedAsync(_acme);
        await SeedAsync(_globex);
        var acmeSection = Account("acme", _acme);
        acmeSection["Sectigo:Accounts:acme:Inventory:MaxManagedCertificates"] = "2";
        var services = Build(Configuration(acmeSection, Account("globex", _globex)));
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();

        await accounts.Get("acme").ImportExistingOrdersAsync();
        await accounts.Get("globex").ImportExistingOrdersAsync();

        Assert.Equal(2, (await accounts.GetSummaryAsync("acme")).ActiveCertificates);
        Assert.Equal(Seeded - 2, await accounts.Get("acme").ListOrdersAsync([OrderState.Parked]).CountAsync());
        Assert.Equal(Seeded, (await accounts.GetSummaryAsync("globex")).ActiveCertificates);
        Assert.Equal(0, await accounts.Get("globex").ListOrdersAsync([OrderState.Parked]).CountAsync());
    }

    [Theory]
    [InlineData("credentials refused")]
    [InlineData("SCM down")]
    public async Task OneAccountFailing_TheOthersScheduledWorkCompletesOnTime(string failure)
    {
        var config = Configuration(Account("acme", _acme), Account("globex", _globex));
        config["Sectigo:Scheduling:Enabled"] = "true";
        var services = Build(config);
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();
        if (failure == "SCM down")
        {
            _globex.Faults.Add(ScmFault.Any().ServerError(503));
        }
        else
        {
            _globex.RotateCredentials();
        }

        var ordered = await accounts.Get("acme").OrderAsync(EngineHarness.Request());
        var start = _time.GetUtcNow();

        // Scheduler loops run on their own tasks: advance the fake clock in steps, bounded by real time.
        var acmeJobs = accounts.GetJobRunner("acme");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        while (((await accounts.Get("acme").GetOrderAsync(ordered.OrderId))!.State != OrderState.Completed
                || await acmeJobs.GetLastRunAsync(LifecycleJob.CatalogSync) is null)
            && DateTimeOffset.UtcNow < deadline)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.Equal(OrderState.Completed, (await accounts.Get("acme").GetOrderAsync(ordered.OrderId))!.State);
        Assert.NotNull(await acmeJobs.GetLastRunAsync(LifecycleJob.CatalogSync));

        // On time: completed while globex is still failing (held behind globex's retries, pauses or breaker it would wait
        // for globex's outage to end, which never happens here), well inside the hour. The clock moves 1 s per 20 ms of
        // real time whatever the engine does, so on a busy machine the fake time it took grows (a few minutes seen at
        // 5 s steps under load): the bound is about being unblocked, not about speed.
        var completedAt = (await accounts.Get("acme").GetOrderAsync(ordered.OrderId))!.UpdatedAt;
        Assert.True(completedAt - start <= TimeSpan.FromHours(1), $"acme's order completed {completedAt - start} after it was placed");

        // globex did not get its work done, and says so, without a word about acme's.
        Assert.Null(await accounts.GetJobRunner("globex").GetLastRunAsync(LifecycleJob.CatalogSync));
        var health = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = Assert.Single(health.Entries).Value;
        Assert.Equal(2, entry.Data["accounts"]);
        if (failure == "credentials refused")
        {
            Assert.False((await accounts.GetSummaryAsync("globex")).CredentialsAccepted);
            Assert.True((await accounts.GetSummaryAsync("acme")).CredentialsAccepted);
            Assert.Contains("[globex]", entry.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("[acme]", entry.Description, StringComparison.Ordinal);
        }

        // acme's SCM got acme's work only; globex's got no POST.
        Assert.Equal(1, _acme.Counters.EnrollPosts);
        Assert.Equal(0, _globex.Counters.EnrollPosts);
        lock (_logs)
        {
            Assert.Contains(_logs, l => l.Contains("ScmAccount=globex", StringComparison.Ordinal));
        }
    }

    /// <summary>Bulk jobs (sync, check, scan) running per account at each moment, from the job log lines in order.</summary>
    private int MaxAccountsRunningJobsAtOnce()
    {
        var running = new HashSet<string>(StringComparer.Ordinal);
        var max = 0;
        lock (_logs)
        {
            foreach (var line in _logs)
            {
                var account = line.Split(' ').FirstOrDefault(p => p.StartsWith("ScmAccount=", StringComparison.Ordinal));
                if (account is null || !line.Contains("Job ", StringComparison.Ordinal) || line.Contains("Job FollowUp", StringComparison.Ordinal))
                {
                    continue;
                }

                if (line.Contains(" started.", StringComparison.Ordinal))
                {
                    running.Add(account + line[line.IndexOf("Job ", StringComparison.Ordinal)..].Split(' ')[1]);
                    max = Math.Max(max, running.Select(r => r.Split("Job")[0]).Distinct().Count());
                }
                else if (line.Contains(" finished:", StringComparison.Ordinal) || line.Contains(" failed;", StringComparison.Ordinal))
                {
                    running.Remove(account + line[line.IndexOf("Job ", StringComparison.Ordinal)..].Split(' ')[1]);
                }
            }
        }

        return max;
    }

    [Fact]
    public async Task Scheduler_SixAccounts_AtMostMaxConcurrentAccountsRunTheirJobsAtOnce_EveryAccountGetsItsTurn()
    {
        // Six accounts (one SCM answering each call after 50 ms), whose first syncs, checks and scans are all due at once.
        _acme.Faults.Add(ScmFault.Any().Latency(TimeSpan.FromMilliseconds(50)));
        var names = Enumerable.Range(1, 6).Select(i => "tenant" + i).ToArray();
        var config = Configuration(names.Select(n => Account(n, _acme)).ToArray());
        config["Sectigo:Scheduling:Enabled"] = "true";
        config["Sectigo:Scheduling:MaxConcurrentAccounts"] = "2";
        var services = Build(config);
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();

        var deadline = DateTimeOffset.UtcNow.AddSeconds(120);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var done = 0;
            foreach (var name in names)
            {
                done += await accounts.GetJobRunner(name).GetLastRunAsync(LifecycleJob.AutoRenewal) is null ? 0 : 1;
            }

            if (done == names.Length)
            {
                break;
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        foreach (var name in names)
        {
            Assert.NotNull(await accounts.GetJobRunner(name).GetLastRunAsync(LifecycleJob.CatalogSync));
            Assert.NotNull(await accounts.GetJobRunner(name).GetLastRunAsync(LifecycleJob.AutoRenewal));
        }

        Assert.InRange(MaxAccountsRunningJobsAtOnce(), 1, 2);
    }

    [Fact]
    public async Task Scheduler_OneSlot_AnAccountPausedForItsFailingScm_GivesTheSlotToAnother()
    {
        var config = Configuration();
        config["Sectigo:DefaultAccount"] = "false";
        config["Sectigo:Scheduling:Enabled"] = "true";
        config["Sectigo:Scheduling:MaxConcurrentAccounts"] = "1";
        var services = Build(config);
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();
        var registry = services.GetRequiredService<IScmAccountRegistry>();

        // globex has an order in flight, then its SCM goes down; its scheduled status check pauses for the open circuit.
        // (A small breaker, no retries: the circuit opens after a few failed calls.)
        SectigoCertificateManagementOptions Globex(bool scheduling)
        {
            var options = Options(_globex);
            options.Client.MaxRetryAttempts = 0;
            options.Client.CircuitBreakerMinimumThroughput = 2;
            options.Scheduling.Enabled = scheduling;
            return options;
        }

        registry.AddOrUpdate("globex", Globex(scheduling: false));
        for (var i = 0; i < 3; i++)
        {
            await accounts.Get("globex").OrderAsync(EngineHarness.Request("www" + i));
        }

        _globex.Faults.Add(ScmFault.Any().ServerError(503));
        var scheduled = Globex(scheduling: true);
        registry.AddOrUpdate("globex", scheduled);

        bool GlobexPaused()
        {
            lock (_logs)
            {
                return _logs.Any(l => l.Contains("ScmAccount=globex", StringComparison.Ordinal) && l.Contains("circuit breaker is open", StringComparison.Ordinal));
            }
        }

        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        while (!GlobexPaused() && DateTimeOffset.UtcNow < deadline)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        string GlobexLog()
        {
            lock (_logs)
            {
                return string.Join(Environment.NewLine, _logs.Where(l => l.Contains("ScmAccount=globex", StringComparison.Ordinal)).TakeLast(40));
            }
        }

        Assert.True(GlobexPaused(), "globex's status check never paused for the open circuit:" + Environment.NewLine + GlobexLog());
        var pausedAt = _time.GetUtcNow();

        // acme joins: with the only slot held by globex's paused check, it still runs its jobs, long before globex's
        // pause budget (Sectigo:BulkWork:MaxPause, 15 min) runs out.
        var acme = Options(_acme);
        acme.Scheduling.Enabled = true;
        registry.AddOrUpdate("acme", acme);
        var acmeJobs = accounts.GetJobRunner("acme");
        while (await acmeJobs.GetLastRunAsync(LifecycleJob.AutoRenewal) is null && DateTimeOffset.UtcNow < deadline)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.NotNull(await acmeJobs.GetLastRunAsync(LifecycleJob.CatalogSync));
        Assert.NotNull(await acmeJobs.GetLastRunAsync(LifecycleJob.AutoRenewal));
        Assert.True(_time.GetUtcNow() - pausedAt < TimeSpan.FromMinutes(15), $"acme ran its jobs {_time.GetUtcNow() - pausedAt} after globex paused");
        Assert.Null(await accounts.GetJobRunner("globex").GetLastRunAsync(LifecycleJob.StatusCheck));
        lock (_logs)
        {
            Assert.DoesNotContain(_logs, l => l.Contains("ScmAccount=globex", StringComparison.Ordinal) && l.Contains("paused", StringComparison.Ordinal) && l.Contains("in all", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Registry_AddsChangesAndRemovesAccountsAtRunTime_RecordsOutliveRemoval()
    {
        var config = Configuration();
        config["Sectigo:DefaultAccount"] = "false";
        var services = Build(config);
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();
        var registry = services.GetRequiredService<IScmAccountRegistry>();
        var changes = new List<(string, ScmAccountChange)>();
        registry.Changed += (_, e) => changes.Add((e.Account, e.Change));
        Assert.Empty(accounts.Accounts);
        var none = Assert.Throws<KeyNotFoundException>(() => accounts.Get("acme"));
        Assert.Contains("serves none yet", none.Message, StringComparison.Ordinal);

        // Invalid names and options are refused before anything changes, each message naming the rule.
        var badName = Assert.Throws<OptionsValidationException>(() => registry.AddOrUpdate("acme corp!", Options(_acme)));
        Assert.Contains("letters, digits", badName.Message, StringComparison.Ordinal);
        var noAddress = Options(_acme);
        noAddress.Client.BaseAddress = null!;
        var badOptions = Assert.Throws<OptionsValidationException>(() => registry.AddOrUpdate("acme", noAddress));
        Assert.Contains("BaseAddress", badOptions.Message, StringComparison.Ordinal);
        Assert.Empty(accounts.Accounts);

        registry.AddOrUpdate("acme", Options(_acme));
        var acme = accounts.Get("acme");
        var ordered = await acme.OrderAsync(EngineHarness.Request());
        _time.Advance(TimeSpan.FromSeconds(10));
        var installed = (await acme.CheckStatusAsync(ordered.OrderId)).InstalledCertificate!;

        // The tenant's password is changed in SCM and then through the registry: the same proxy follows the new engine.
        var rotated = _acme.RotateCredentials();
        var updated = Options(_acme);
        updated.Client.Password = rotated.Password;
        registry.AddOrUpdate("acme", updated);
        Assert.True((await acme.CheckAccountAsync()).IsReady);

        Assert.True(registry.Remove("acme"));
        Assert.False(registry.Remove("acme"));
        var gone = await Assert.ThrowsAsync<KeyNotFoundException>(() => acme.GetCertificateAsync(installed.Id));
        Assert.Contains("acme", gone.Message, StringComparison.Ordinal);

        // Added again, it takes up its records.
        registry.AddOrUpdate("acme", updated);
        Assert.Equal(installed.Thumbprint, (await accounts.Get("acme").GetCertificateAsync(installed.Id))!.Thumbprint);
        Assert.Equal(
            [("acme", ScmAccountChange.Added), ("acme", ScmAccountChange.Updated), ("acme", ScmAccountChange.Removed), ("acme", ScmAccountChange.Added)],
            changes);
        lock (_logs)
        {
            Assert.DoesNotContain(_logs, l => l.Contains(rotated.Password, StringComparison.Ordinal) || l.Contains(_globex.Credentials.Password, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ConfigurationReload_AddsChangesAndRemovesAccounts()
    {
        var source = new MutableSource(Configuration(Account("acme", _acme)));
        var config = new ConfigurationBuilder().Add(source);
        var services = Build(config);
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();
        Assert.Equal(["acme"], accounts.Accounts);

        // Added by a reload.
        var both = Configuration(Account("acme", _acme), Account("globex", _globex));

        source.Set(both);
        Assert.Equal(["acme", "globex"], accounts.Accounts);
        Assert.True((await accounts.Get("globex").CheckAccountAsync()).IsReady);

        // An invalid change is refused and logged; the account keeps its engine.
        var invalid = new Dictionary<string, string?>(both) { ["Sectigo:Accounts:globex:Import:MaxConcurrency"] = "0" };
        source.Set(invalid);
        Assert.Equal(["acme", "globex"], accounts.Accounts);
        Assert.True((await accounts.Get("globex").CheckAccountAsync()).IsReady);
        lock (_logs)
        {
            Assert.Contains(_logs, l => l.Contains("globex", StringComparison.Ordinal) && l.Contains("MaxConcurrency", StringComparison.Ordinal));
        }

        // Removed by a reload.
        source.Set(Configuration(Account("globex", _globex)));
        Assert.Equal(["globex"], accounts.Accounts);
        Assert.Throws<KeyNotFoundException>(() => accounts.Get("acme"));
    }

    [Fact]
    public void InvalidAccountsInConfiguration_RefusedAtStartNamingTheAccountAndTheOption()
    {
        var config = Configuration(Account("acme", _acme));
        config["Sectigo:Accounts:acme:Import:MaxConcurrency"] = "0";
        config["Sectigo:Accounts:globex:Client:BaseAddress"] = _globex.BaseAddress.ToString();
        config["Sectigo:Accounts:globex:Client:Login"] = "someone";
        config["Sectigo:Accounts:globex:Client:CustomerUri"] = "globex";
        config["Sectigo:Accounts:globex:Inventory:MaxManagedCertificates"] = "-1";

        // The host does not start.
        var ex = Assert.Throws<OptionsValidationException>(() => Build(config));
        Assert.Contains("Sectigo:Accounts:acme:Import:MaxConcurrency", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Sectigo:Accounts:globex:Client: ScmClientOptions.Password is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Sectigo:Accounts:globex:Inventory:MaxManagedCertificates", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_acme.Credentials.Password, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordChange_ForAnAccount_NamesThatAccountsConfigurationKey()
    {
        var services = Build(Configuration(Account("acme", _acme), Account("globex", _globex)));
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();
        var store = new RecordingPasswordStore();

        var result = await accounts.Get("globex").ChangeScmPasswordAsync(store);

        Assert.Equal(ScmPasswordChangeOutcome.Changed, result.Outcome);
        var change = Assert.Single(store.Committed);
        Assert.Equal("Sectigo:Accounts:globex:Client:Password", change.ConfigurationKey);
        Assert.Equal("globex", change.AccountId);
        Assert.DoesNotContain(change.NewPassword, change.ToString(), StringComparison.Ordinal);
        Assert.True((await accounts.Get("globex").CheckAccountAsync()).IsReady); // the engine uses the new password
        Assert.True((await accounts.Get("acme").CheckAccountAsync()).IsReady);   // acme's untouched
    }

    [Fact]
    public async Task MeasurementsAndEvents_CarryTheAccount()
    {
        var services = Build(Configuration(Account("acme", _acme), Account("globex", _globex)));
        var accounts = services.GetRequiredService<ICertificateLifecycleProvider>();
        var seen = new List<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Scm.Lifecycle")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) =>
        {
            lock (seen)
            {
                seen.Add(instrument.Meter.Tags?.FirstOrDefault(t => t.Key == "scm.account").Value as string);
            }
        });
        listener.Start();

        var events = new List<LifecycleEvent>();
        accounts.Get("globex").EventRaised += (_, e) =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };
        var ordered = await accounts.Get("globex").OrderAsync(EngineHarness.Request());
        _time.Advance(TimeSpan.FromSeconds(10));
        await accounts.Get("globex").CheckStatusAsync(ordered.OrderId);

        lock (events)
        {
            Assert.Contains(events, e => e is CertificateIssuedEvent);
            Assert.All(events, e => Assert.Equal("globex", e.AccountId));
        }

        lock (seen)
        {
            Assert.Contains("globex", seen);
            Assert.DoesNotContain("acme", seen);
        }
    }
    private static Task<long[]> SeedAsync(ScmSimulator sim) => ScmSeeding.IssuedOrdersAsync(sim, Seeded);

    private static Dictionary<string, string?> Account(string name, ScmSimulator sim) => new()
    {
        [$"Sectigo:Accounts:{name}:Client:BaseAddress"] = sim.BaseAddress.ToString(),
        [$"Sectigo:Accounts:{name}:Client:Login"] = sim.Credentials.Login,
        [$"Sectigo:Accounts:{name}:Client:Password"] = sim.Credentials.Password,
        [$"Sectigo:Accounts:{name}:Client:CustomerUri"] = sim.Credentials.CustomerUri,
    };

    private static SectigoCertificateManagementOptions Options(ScmSimulator sim)
    {
        var options = new SectigoCertificateManagementOptions();
        options.Client.BaseAddress = sim.BaseAddress;
        options.Client.Login = sim.Credentials.Login;
        options.Client.Password = sim.Credentials.Password;
        options.Client.CustomerUri = sim.Credentials.CustomerUri;
        options.Scheduling.Enabled = false;
        return options;
    }

    private Dictionary<string, string?> Configuration(params Dictionary<string, string?>[] accounts)
    {
        var values = new Dictionary<string, string?>
        {
            ["Sectigo:Scheduling:Enabled"] = "false",
            ["Sectigo:KeyProtection:KeyFilePath"] = Path.Combine(_root, "keys", "scm.key"),
        };
        foreach (var account in accounts)
        {
            foreach (var (k, v) in account)
            {
                values[k] = v;
            }
        }

        return values;
    }

    private ServiceProvider Build(Dictionary<string, string?> values, bool sqlite = false) =>
        Build(new ConfigurationBuilder().AddInMemoryCollection(values), sqlite);

    private ServiceProvider Build(IConfigurationBuilder configuration, bool sqlite = false)
    {
        var root = configuration.Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IConfiguration>(root);
        services.AddLogging(l => l.AddProvider(new ScopedListLoggerProvider(_logs)).SetMinimumLevel(LogLevel.Debug));
        services.AddHealthChecks().AddSectigoCertificateManagement();
        var builder = services.AddSectigoCertificateManagement(root.GetSection("Sectigo"));
        if (sqlite)
        {
            builder.UseSqliteStorage(Path.Combine(_root, "scm.db"), o => o.FullSync = false);
        }
        else
        {
            builder.UseInMemoryStorage();
        }

        _provider = services.BuildServiceProvider();
        _hosted = _provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
        foreach (var hosted in _hosted)
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return _provider;
    }

    private sealed class RecordingPasswordStore : IScmPasswordStore
    {
        public List<ScmPasswordChange> Committed { get; } = [];

        public Task SavePendingAsync(ScmPasswordChange change, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CommitAsync(ScmPasswordChange change, CancellationToken cancellationToken)
        {
            Committed.Add(change);
            return Task.CompletedTask;
        }

        public Task DiscardAsync(ScmPasswordChange change, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A configuration source whose whole content can be replaced, raising a reload (what a watched file does).</summary>
    private sealed class MutableSource(Dictionary<string, string?> initial) : IConfigurationSource
    {
        private readonly Provider _provider = new(initial);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

        public void Set(Dictionary<string, string?> values) => _provider.Set(values);

        private sealed class Provider(Dictionary<string, string?> initial) : ConfigurationProvider
        {
            public override void Load() => Data = Fresh(initial);

            public void Set(Dictionary<string, string?> values)
            {
                Data = Fresh(values);
                OnReload();
            }

            private static Dictionary<string, string?> Fresh(Dictionary<string, string?> values)
            {
                var data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase)
                {
                    ["Sectigo:Scheduling:Enabled"] = "false",
                };
                return data;
            }
        }
    }

    /// <summary>Captures log lines with their scopes' key/value pairs (<c>ScmAccount=acme</c>).</summary>
    private sealed class ScopedListLoggerProvider(List<string> lines) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, lines);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class ListLogger(ScopedListLoggerProvider owner, List<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                owner._scopes.ForEachScope(
                    (scope, list) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            list.AddRange(pairs.Select(p => $"{p.Key}={p.Value}"));
                        }
                    },
                    scopes);
                lock (lines)
                {
                    lines.Add(string.Join(" ", scopes) + " " + formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
                }
            }
        }
    }
}
