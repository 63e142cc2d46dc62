using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Storage;
using Scm.Storage;
using Scm.Storage.Sqlite;
using Scm.Testing;

// Scm.Client and Scm.Storage both have a CustomFieldValue; the engine takes Scm.Storage's.
using CustomFieldValue = Scm.Storage.CustomFieldValue;

namespace Scm.Samples.Worker.Tests;

/// <summary>
/// The code shown in README.md and docs/*.md, compiled and run against the simulator, so the documentation cannot
/// drift from the API. Where the documents use placeholders (www.example.com, organization 1234), these use the
/// simulator's default account (acme.example, organization 2001, profile 102 with the mandatory "Cost Center" field).
/// Keep the two in step when either changes.
/// </summary>
public sealed class DocumentationExamplesTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scm-docs-test-" + Guid.NewGuid().ToString("N")[..12]);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    /// <summary>README.md, "Use it with dependency injection".</summary>
    [Fact]
    public async Task Readme_DependencyInjectionExample_OrdersAndDeploys()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            Log = null,
            ApplyDelay = TimeSpan.FromMilliseconds(100),
            IssueDelay = TimeSpan.FromMilliseconds(100),
        });
        string[] args =
        [
            "--Sectigo:Client:BaseAddress=" + sim.BaseAddress,
            "--Sectigo:Client:Login=" + sim.Credentials.Login,
            "--Sectigo:Client:Password=" + sim.Credentials.Password,
            "--Sectigo:Client:CustomerUri=" + sim.Credentials.CustomerUri,
            "--Sectigo:KeyProtection:KeyFilePath=" + Path.Combine(_root, "keys", "scm-keys.key"),
            "--Sectigo:Scheduling:FollowUpInterval=00:00:00.200",
            "--Sectigo:Polling:InitialDelay=00:00:00.300",
        ];
        var deployDirectory = Path.Combine(_root, "certificates");

        // --- as in README.md ---
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddSectigoCertificateManagement(builder.Configuration)   // the "Sectigo" section
            .UseSqliteStorage(Path.Combine(_root, "scm.db"))
            .AddFileSystemDeployment(o => o.Directory = deployDirectory);
        builder.Services.AddHealthChecks().AddSectigoCertificateManagement();
        using var host = builder.Build();
        await host.StartAsync();

        var lifecycle = host.Services.GetRequiredService<ICertificateLifecycle>();
        var result = await lifecycle.OrderAsync(new OrderCertificateRequest
        {
            CommonName = "www.acme.example",
            SubjectAlternativeNames = ["api.acme.example"],
            OrganizationId = 2001,
            ProfileId = 102,
            TermDays = 365,
            KeyAlgorithm = KeyAlgorithm.EC,
            KeystoreType = KeystoreType.Pkcs12,
            CustomFields = [new CustomFieldValue("Cost Center", "CC-42")],
        });

        // --- checks ---
        Assert.Equal(OrderState.Submitted, result.State);
        Assert.NotNull(result.GeneratedKeystorePassword);
        // Deployment runs right after the installation is committed, so the files follow the Completed state shortly.
        var keystore = Path.Combine(deployDirectory, "www.acme.example-" + result.CertificateId.ToString("N")[^8..], "live", "keystore.pfx");
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (((await lifecycle.GetOrderAsync(result.OrderId))!.State != OrderState.Completed || !File.Exists(keystore)) && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(OrderState.Completed, (await lifecycle.GetOrderAsync(result.OrderId))!.State);
        Assert.True(File.Exists(keystore));
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        await host.StopAsync();
    }

    /// <summary>README.md, "Use it without dependency injection".</summary>
    [Fact]
    public async Task Readme_WithoutDependencyInjection_OrdersPollsAndReadsTheKeystore()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null, ApplyDelay = TimeSpan.Zero, IssueDelay = TimeSpan.Zero });

        // --- as in README.md ---
        var options = new SectigoCertificateManagementOptions();
        options.Client.BaseAddress = sim.BaseAddress;                   // README: left at its default
        options.Client.Login = sim.Credentials.Login;
        options.Client.Password = sim.Credentials.Password;
        options.Client.CustomerUri = sim.Credentials.CustomerUri;
        options.KeyProtection.KeyFilePath = Path.Combine(_root, "scm-keys.key");

        await using var store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_root, "scm.db") });
        await using var lifecycle = CertificateLifecycleFactory.Create(
            options,
            store,
            deploymentTargets: [new FileSystemDeploymentTarget(new FileSystemDeploymentOptions { Directory = Path.Combine(_root, "certificates") })]);

        var ordered = await lifecycle.OrderAsync(new OrderCertificateRequest
        {
            CommonName = "www.acme.example",
            OrganizationId = 2001,
            ProfileId = 102,
            TermDays = 365,
            CustomFields = [new CustomFieldValue("Cost Center", "CC-42")],
        });

        // No hosted scheduler without DI: poll on your own timer.
        StatusCheckResult check;
        var polls = 0;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            check = await lifecycle.CheckStatusAsync(ordered.OrderId);
        }
        while (check.Order.IsOpen && ++polls < 300);                     // the test bounds the README's loop

        var keystore = await lifecycle.GetKeystoreAsync(ordered.CertificateId);   // PKCS#12 bytes and password

        // --- checks ---
        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.Equal(KeystoreType.Pkcs12, keystore.Type);
        using var pfx = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(keystore.Content.ToArray(), keystore.Password);
        Assert.True(pfx.HasPrivateKey);
    }

    /// <summary>README.md and src/Scm.Client: the client alone.</summary>
    [Fact]
    public async Task Readme_ClientAlone_ListsIssuedCertificates()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null });

        // --- as in README.md ---
        using var scm = new ScmClient(new ScmClientOptions
        {
            BaseAddress = sim.BaseAddress,                               // README: left at its default
            Login = sim.Credentials.Login,
            Password = sim.Credentials.Password,
            CustomerUri = sim.Credentials.CustomerUri,
        });
        var profiles = await scm.Ssl.ListProfilesAsync();
        var issued = new List<string?>();
        await foreach (var certificate in scm.Ssl.ListAsync(new SslListFilter { Status = SslCertificateStatus.Issued }))
        {
            issued.Add(certificate.CommonName);
        }

        // --- checks ---
        Assert.NotEmpty(profiles);
        Assert.NotNull(issued);
    }

    /// <summary>docs/simulator.md, "A crash-safety test with a fault rule and the counters".</summary>
    [Fact]
    public async Task Simulator_CommitThenFail_OrderIsReconciledNotDuplicated()
    {
        // --- as in docs/simulator.md ---
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { TimeProvider = time, Seed = 42, Log = null });

        // The next enroll is committed by "SCM", then answered with a 500: the client cannot know it succeeded.
        var fault = sim.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.ServerError).Once());

        var options = new SectigoCertificateManagementOptions();
        options.Client.BaseAddress = sim.BaseAddress;
        options.Client.Login = sim.Credentials.Login;
        options.Client.Password = sim.Credentials.Password;
        options.Client.CustomerUri = sim.Credentials.CustomerUri;
        await using var lifecycle = CertificateLifecycleFactory.Create(options, new InMemoryScmStore(time), timeProvider: time);

        var ordered = await lifecycle.OrderAsync(new OrderCertificateRequest
        {
            CommonName = "shop.acme.example",
            OrganizationId = 2001,
            ProfileId = 102,
            TermDays = 365,
            CustomFields = [new CustomFieldValue("Cost Center", "CC-42")],
        });
        Assert.Equal(OrderState.Ambiguous, ordered.State);             // outcome unknown: nothing is re-sent blindly
        Assert.Equal(1, fault.Hits);

        time.Advance(TimeSpan.FromMinutes(1));                           // past the POST timeout; SCM issues meanwhile
        var check = await lifecycle.CheckStatusAsync(ordered.OrderId);  // searches SCM for the token, adopts, collects

        var token = ordered.Order.CorrelationToken;
        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.Equal(1, sim.Counters.EnrollPostsFor(token));            // one POST ...
        Assert.Equal(1, sim.Counters.BillableOrdersFor(token));         // ... and one paid order
        Assert.Equal("Issued", sim.GetOrder(check.Order.SslId!.Value)!.Status);
    }

    /// <summary>docs/simulator.md, "Driving the simulator from a test".</summary>
    [Fact]
    public async Task Simulator_ControlsCountersAndRequestLog()
    {
        // --- as in docs/simulator.md ---
        // The system clock here: the client's retry backoff waits on its TimeProvider, so a FakeTimeProvider shared with
        // the client would have to be advanced while a retried GET is in flight.
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null });
        using var scm = new ScmClient(new ScmClientOptions
        {
            BaseAddress = sim.BaseAddress,
            Login = sim.Credentials.Login,
            Password = sim.Credentials.Password,
            CustomerUri = sim.Credentials.CustomerUri,
        });

        using var key = System.Security.Cryptography.RSA.Create(2048);      // the EV profile takes RSA only
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=ev.acme.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1).CreateSigningRequestPem();
        var enrolled = await scm.Ssl.EnrollAsync(new SslEnrollRequest
        {
            OrganizationId = 2001,
            ProfileId = 103,                                              // EV: needs an administrator's approval
            Term = 365,
            Csr = csr,
            CustomFields = [new Scm.Client.CustomFieldValue("Cost Center", "CC-42")],
        });
        Assert.Equal("Requested", sim.GetOrder(enrolled.SslId)!.Status);

        sim.Approve(enrolled.SslId);                                      // as an SCM administrator would
        sim.AdvanceTime(TimeSpan.FromSeconds(5));                         // the simulator's own clock: Approved -> Applied -> Issued
        using var collected = await scm.Ssl.CollectAsync(enrolled.SslId, SslCollectFormat.X509);

        Assert.True(collected.IsIssued);
        Assert.NotNull(collected.FindByPublicKey(key));
        Assert.Equal(1, sim.Counters.EnrollPosts);
        Assert.Equal(1, sim.Counters.BillableOrders);
        Assert.Contains(sim.GetRequestLog(), r => r.Method == "POST" && r.Path.EndsWith("/ssl/v1/enroll", StringComparison.Ordinal) && r.StatusCode == 200);

        // Faults by HTTP status, the hostile preset and credential rotation.
        var unavailable = sim.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").ServerError(503).Once());
        var details = await scm.Ssl.GetAsync(enrolled.SslId);           // retried by the client (GETs only), then answered
        Assert.Equal(1, unavailable.Hits);
        Assert.Equal("Issued", details.Status.ToString());
        sim.RotateCredentials();
        var refused = await Assert.ThrowsAsync<ScmRequestException>(() => scm.Ssl.GetAsync(enrolled.SslId));
        Assert.Equal(401, refused.Status);
        Assert.Equal(ScmErrorCodes.UnknownUser, refused.ScmErrorCode);
        Assert.Equal(3, ScmSimulatorOptions.Hostile(seed: 7).MaxPageSize);
    }
}
