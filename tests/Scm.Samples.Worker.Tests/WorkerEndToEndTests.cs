using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Security;
using Scm.Lifecycle;
using Scm.Lifecycle.Scheduling;
using Scm.Samples.Worker;
using Scm.Storage;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Samples.Worker.Tests;

/// <summary>
/// The sample worker as it ships: its appsettings.json and appsettings.Simulator.json, its own composition code
/// (<see cref="SampleWorker.BuildAsync"/>), simulator mode pointed at an in-process simulator, the hosted schedules on
/// the system clock with short intervals.
/// </summary>
public sealed class WorkerEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scm-worker-test-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly ConcurrentQueue<string> _logs = new();
    private ScmSimulator _simulator = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            Seed = 20261128,
            ApplyDelay = TimeSpan.FromMilliseconds(200),
            IssueDelay = TimeSpan.FromMilliseconds(300),
            Log = null,
        });
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string LiveFolder(string deploy, ManagedCertificate certificate) =>
        Path.Combine(deploy, certificate.CommonName + "-" + certificate.Id.ToString("N")[^8..], "live");

    [Fact]
    public async Task Worker_SimulatorMode_OrdersConfiguredCertificatesAndDeploysThemWithoutDuplicatesAcrossRestart()
    {
        string[] expected = ["www.acme.example", "legacy.acme.example", "mail.acme.example"];
        var deploy = Path.Combine(_root, "certificates");

        using (var host = await StartWorkerAsync())
        {
            var lifecycle = host.Services.GetRequiredService<ICertificateLifecycle>();
            var certificates = await WaitForAsync(async () =>
            {
                var active = await ToListAsync(lifecycle.ListCertificatesAsync(CertificateStatus.Active));
                return active.Count == expected.Length && active.All(c => File.Exists(Path.Combine(LiveFolder(deploy, c), "keystore.password")))
                    ? active
                    : null;
            });

            Assert.Equal(expected.Order(), certificates.Select(c => c.CommonName).Order());
            var orders = await ToListAsync(lifecycle.ListOrdersAsync());
            Assert.Equal(3, orders.Count);
            Assert.All(orders, o => Assert.Equal(OrderState.Completed, o.State));

            // Ordered at start through the engine; collected, installed and deployed by the hosted scheduler's follow-up
            // (or, on a slow machine, already by the ordering call when its first poll fell due before it returned).
            var audit = await lifecycle.QueryAuditAsync(new AuditQuery());
            Assert.All(orders, o => Assert.Single(audit, e => e.OrderId == o.Id && e.Decision == "Issued"));
            var jobs = host.Services.GetRequiredService<ILifecycleJobRunner>();
            Assert.NotNull(await jobs.GetLastRunAsync(LifecycleJob.CatalogSync));
            Assert.NotNull(await jobs.GetLastRunAsync(LifecycleJob.StatusCheck));
            Assert.Equal(3, audit.Count(e => e.Action == "Deploy" && e.Outcome == "Succeeded"));

            foreach (var certificate in certificates)
            {
                // Issued in SCM (the simulator), installed locally with its key, delivered to the folder.
                Assert.Equal("Issued", _simulator.GetOrder(certificate.SslId!.Value)!.Status);
                Assert.False(certificate.IsObserveOnly);
                // One folder per managed certificate (common name + the id's last 8 hex digits); servers read through live/.
                var folder = LiveFolder(deploy, certificate);
                var password = (await File.ReadAllTextAsync(Path.Combine(folder, "keystore.password"))).Trim();
                var keystore = await lifecycle.GetKeystoreAsync(certificate.Id);
                Assert.Equal(keystore.Password, password);
                var chain = await File.ReadAllTextAsync(Path.Combine(folder, "fullchain.pem"));
                Assert.StartsWith("-----BEGIN CERTIFICATE-----", chain, StringComparison.Ordinal);
                Assert.DoesNotContain("PRIVATE KEY", chain, StringComparison.Ordinal);

                switch (certificate.KeystoreType)
                {
                    case KeystoreType.Pkcs12:
                        {
                            var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, "keystore.pfx"));
                            using var pfx = X509CertificateLoader.LoadPkcs12(bytes, password);
                            Assert.True(pfx.HasPrivateKey);
                            Assert.Equal(certificate.Thumbprint, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(pfx.RawData)));
                            Assert.Contains("api.acme.example", certificate.SubjectAlternativeNames);
                            break;
                        }

                    case KeystoreType.Jks:
                        {
                            var jks = new JksStore();
                            await using (var stream = File.OpenRead(Path.Combine(folder, "keystore.jks")))
                            {
                                jks.Load(stream, password.ToCharArray());
                            }

                            var alias = Assert.Single(jks.Aliases);
                            Assert.True(jks.IsKeyEntry(alias));
                            Assert.NotNull(jks.GetKey(alias, password.ToCharArray()));
                            Assert.Equal(new Org.BouncyCastle.Math.BigInteger(certificate.SerialNumber, 16), jks.GetCertificateChain(alias)[0].SerialNumber);
                            break;
                        }

                    case KeystoreType.Pem:
                        {
                            var pem = await File.ReadAllTextAsync(Path.Combine(folder, "keystore.pem"));
                            Assert.Contains("ENCRYPTED PRIVATE KEY", pem, StringComparison.Ordinal);
                            using var withKey = X509Certificate2.CreateFromEncryptedPem(pem, pem, password);
                            Assert.True(withKey.HasPrivateKey);
                            break;
                        }
                }

                if (!OperatingSystem.IsWindows())
                {
                    const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                    Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(folder, "keystore" + Extension(certificate.KeystoreType))));
                    Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(folder, "keystore.password")));
                    Assert.Equal(ownerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(folder, "fullchain.pem")));
                }
            }

            // The lifecycle event handler logged each issuance and deployment; health is reported to the log.
            Assert.Equal(3, CountLogs("Certificate issued and installed"));
            Assert.Equal(3, CountLogs("Deployed "));
            var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, health.Status);
            await WaitForAsync(() => Task.FromResult(CountLogs("Health sectigo-certificates Healthy") > 0 ? (object)true : null));
            Assert.Equal(3, _simulator.Counters.BillableOrders);

            await host.StopAsync();
        }

        // A restart on the same store finds every configured certificate and orders nothing.
        using (var again = await StartWorkerAsync())
        {
            await WaitForAsync(() => Task.FromResult(CountLogs("Configured certificates checked") >= 2 ? (object)true : null));
            Assert.Equal(3, CountLogs("is already in the store"));
            Assert.Equal(3, _simulator.Counters.BillableOrders);
            Assert.Equal(3, _simulator.Counters.EnrollPosts);
            await again.StopAsync();
        }

        Assert.DoesNotContain(_logs, l => l.Contains(_simulator.Credentials.Password, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Worker_QuartzSchedulingOnPostgreSql_FollowsConfiguredCertificatesToDeploymentWithQuartzJobs()
    {
        var connectionString = PostgreSqlTestServer.Require();
        var storeSchema = PostgreSqlTestServer.NewSchema();
        var quartzSchema = PostgreSqlTestServer.NewSchema();
        string[] expected = ["www.acme.example", "legacy.acme.example", "mail.acme.example"];
        try
        {
            using var host = await StartWorkerAsync(
                "--Worker:Scheduling=Quartz",
                "--Worker:Storage=PostgreSql",
                "--Worker:PostgreSql:ConnectionString=" + connectionString,
                "--Worker:PostgreSql:Schema=" + storeSchema,
                "--Sectigo:Quartz:Schema=" + quartzSchema,
                "--Sectigo:Quartz:FollowUpCron=* * * * * ?",
                "--Sectigo:Quartz:ClusterCheckinInterval=00:00:01");

            // The in-process scheduler is off; Quartz polls the orders every second until they are issued and deployed.
            Assert.False(host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SectigoCertificateManagementOptions>>().Value.Scheduling.Enabled);
            var lifecycle = host.Services.GetRequiredService<ICertificateLifecycle>();
            var certificates = await WaitForAsync(async () =>
            {
                var active = await ToListAsync(lifecycle.ListCertificatesAsync(CertificateStatus.Active));
                return active.Count == expected.Length && CountLogs("Deployed ") == 3 ? active : null;
            });
            Assert.Equal(expected.Order(), certificates.Select(c => c.CommonName).Order());
            Assert.Equal(3, _simulator.Counters.BillableOrders);
            Assert.Equal(1, CountLogs("Quartz scheduling of the engine's jobs: scheduler ScmSdk"));
            Assert.Contains(_logs, l => l.Contains("Sample worker: store PostgreSQL ", StringComparison.Ordinal) && l.Contains("Quartz (clustered) scheduling", StringComparison.Ordinal));
            var next = await host.Services.GetRequiredService<Scm.Scheduling.Quartz.IQuartzLifecycleJobs>().GetNextFireTimeAsync(LifecycleJob.FollowUp);
            Assert.NotNull(next);
            Assert.NotNull(await host.Services.GetRequiredService<ILifecycleJobRunner>().GetLastRunAsync(LifecycleJob.CatalogSync));
            Assert.DoesNotContain(_logs, l => l.Contains(_simulator.Credentials.Password, StringComparison.Ordinal));
            await host.StopAsync();
        }
        finally
        {
            await PostgreSqlTestServer.DropSchemaAsync(quartzSchema);
            await PostgreSqlTestServer.DropSchemaAsync(storeSchema);
        }
    }

    [Fact]
    public async Task Worker_QuartzSchedulingWithSqliteStorage_IsAConfigurationError()
    {
        var ex = await Assert.ThrowsAsync<WorkerConfigurationException>(() => StartWorkerAsync("--Worker:Scheduling=Quartz"));
        Assert.Equal("Worker:Scheduling = Quartz needs Worker:Storage = PostgreSql (the hosts of a Quartz cluster share one PostgreSQL store).", ex.Message);
    }

    [Fact]
    public async Task Worker_TwoAccountsByConfiguration_EachOrdersItsOwnCertificatesInItsOwnScm()
    {
        // appsettings.TwoAccounts.json: accounts acme and globex, one simulator each; www.acme.example is wanted in both
        // accounts (two records, two SCM orders), mail.acme.example in globex only.
        await using var globexSimulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            Seed = 20261128,
            ApplyDelay = TimeSpan.FromMilliseconds(200),
            IssueDelay = TimeSpan.FromMilliseconds(300),
            Log = null,
        });
        string[] args =
        [
            "--Worker:Simulators:acme=" + new Uri(_simulator.BaseAddress, "/").ToString().TrimEnd('/'),
            "--Worker:Simulators:globex=" + new Uri(globexSimulator.BaseAddress, "/").ToString().TrimEnd('/'),
        ];

        using (var host = await StartWorkerAsync("TwoAccounts", args))
        {
            var accounts = host.Services.GetRequiredService<ICertificateLifecycleProvider>();
            Assert.Equal(["acme", "globex"], accounts.Accounts);
            var acme = accounts.Get("acme");
            var globex = host.Services.GetRequiredKeyedService<ICertificateLifecycle>("globex");
            // Installed (Active) comes before deployed: wait for both, as the single-account test does.
            var deploy = Path.Combine(_root, "certificates");
            await WaitForAsync(async () =>
            {
                var installed = (await ToListAsync(acme.ListCertificatesAsync(CertificateStatus.Active)))
                    .Concat(await ToListAsync(globex.ListCertificatesAsync(CertificateStatus.Active))).ToList();
                return installed.Count == 3 && installed.All(c => File.Exists(Path.Combine(LiveFolder(deploy, c), "keystore.password"))) ? (object)true : null;
            });

            var acmeCertificates = await ToListAsync(acme.ListCertificatesAsync(CertificateStatus.Active));
            var globexCertificates = await ToListAsync(globex.ListCertificatesAsync(CertificateStatus.Active));
            Assert.Equal(["www.acme.example"], acmeCertificates.Select(c => c.CommonName));
            Assert.Equal(["mail.acme.example", "www.acme.example"], globexCertificates.Select(c => c.CommonName).Order());
            Assert.All(acmeCertificates, c => Assert.Equal("Issued", _simulator.GetOrder(c.SslId!.Value)!.Status));
            Assert.All(globexCertificates, c => Assert.Equal("Issued", globexSimulator.GetOrder(c.SslId!.Value)!.Status));
            Assert.Equal(1, _simulator.Counters.BillableOrders);
            Assert.Equal(2, globexSimulator.Counters.BillableOrders);

            // Per-account settings on top of the shared section, and health across both accounts.
            Assert.Equal(TimeSpan.FromDays(45), (await globex.GetAutoRenewalPolicyAsync()).RenewBefore);
            Assert.Equal(TimeSpan.FromDays(30), (await acme.GetAutoRenewalPolicyAsync()).RenewBefore);
            var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, health.Status);
            Assert.Equal(2, health.Entries["sectigo-certificates"].Data["accounts"]);
            Assert.All(acmeCertificates.Concat(globexCertificates), c => Assert.True(Directory.Exists(LiveFolder(deploy, c))));
            Assert.Contains(_logs, l => l.Contains("acme at " + _simulator.BaseAddress, StringComparison.Ordinal));
            await host.StopAsync();
        }

        // A restart orders nothing in either account.
        using (var again = await StartWorkerAsync("TwoAccounts", args))
        {
            await WaitForAsync(() => Task.FromResult(CountLogs("Configured certificates checked") >= 2 ? (object)true : null));
            Assert.Equal(3, CountLogs("is already in the store"));
            Assert.Equal(1, _simulator.Counters.EnrollPosts);
            Assert.Equal(2, globexSimulator.Counters.EnrollPosts);
            await again.StopAsync();
        }

        Assert.DoesNotContain(_logs, l => l.Contains(_simulator.Credentials.Password, StringComparison.Ordinal) || l.Contains(globexSimulator.Credentials.Password, StringComparison.Ordinal));
    }

    private Task<IHost> StartWorkerAsync(params string[] extra) => StartWorkerAsync("Simulator", extra);

    private async Task<IHost> StartWorkerAsync(string environment, string[] extra)
    {
        var simulatorRoot = new Uri(_simulator.BaseAddress, "/").ToString().TrimEnd('/');
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // The sample's own appsettings.json and appsettings.{Simulator,TwoAccounts}.json are copied next to the test.
            EnvironmentName = environment,
            ContentRootPath = AppContext.BaseDirectory,
            Args =
            [
                .. environment == "Simulator" ? ["--Worker:Simulator=" + simulatorRoot] : Array.Empty<string>(),
                "--Worker:DataDirectory=" + _root,
                "--Worker:HealthReportInterval=00:00:00.500",
                "--Sectigo:Scheduling:FollowUpInterval=00:00:00.250",
                "--Sectigo:Polling:InitialDelay=00:00:00.500",
                "--Sectigo:Polling:MaxDelay=00:00:01",
                "--Sectigo:Ordering:Pkcs12Iterations=2000",
                .. extra,
            ],
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(new CapturingLoggerProvider(_logs));
        var host = await SampleWorker.BuildAsync(builder);
        await host.StartAsync();
        return host;
    }

    private int CountLogs(string fragment) => _logs.Count(l => l.Contains(fragment, StringComparison.Ordinal));

    private static string Extension(KeystoreType type) => type switch
    {
        KeystoreType.Pkcs12 => ".pfx",
        KeystoreType.Jks => ".jks",
        _ => ".pem",
    };

    private async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = TimeProvider.System.GetUtcNow() + s_deadline;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                Assert.Fail("Timed out. Worker log:\n" + string.Join("\n", _logs));
            }

            await Task.Delay(100);
        }
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
