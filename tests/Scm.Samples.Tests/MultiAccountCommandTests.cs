using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Lifecycle.Scheduling;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Samples.Tests;

/// <summary>
/// Issue 16 in the CLI: one configuration with two SCM accounts (<c>Sectigo:Accounts:acme</c> and <c>globex</c>), each
/// against its own simulator; the simulators are seeded alike, so the same sslIds exist in both. One store, one fake clock.
/// </summary>
public sealed class MultiAccountCommandTests : IAsyncLifetime
{
    private const int Seeded = 4;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scm-cli-accounts-" + Guid.NewGuid().ToString("N"));
    private ScmSimulator _acme = null!;
    private ScmSimulator _globex = null!;
    private long[] _sslIds = [];
    private long _globexSeedRequests;

    private string Store => Path.Combine(_root, "scm.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _acme = await ScmSimulator.StartAsync(new ScmSimulatorOptions { TimeProvider = _time, Seed = 7, Log = null });
        _globex = await ScmSimulator.StartAsync(new ScmSimulatorOptions { TimeProvider = _time, Seed = 7, Log = null });
        _sslIds = await SeedAsync(_acme);
        Assert.Equal(_sslIds, await SeedAsync(_globex)); // the same sslIds exist in both SCM accounts
        _globexSeedRequests = _globex.Counters.Requests;
    }

    public async Task DisposeAsync()
    {
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
    public async Task ImportIntoEach_RenewAndRevokeInAcme_OnlyAcmesScmAndRecordsChange()
    {
        var acmeImport = await RunAsync("--account", "acme", "import");
        Assert.True(acmeImport.ExitCode == 0, acmeImport.ToString());
        Assert.Contains($"{Seeded} imported", acmeImport.Output, StringComparison.Ordinal);
        Assert.Contains("SCM account 'acme' at " + _acme.BaseAddress.GetLeftPart(UriPartial.Authority), acmeImport.Error, StringComparison.Ordinal);
        var globexImport = await RunAsync("--account", "globex", "import");
        Assert.True(globexImport.ExitCode == 0, globexImport.ToString());
        Assert.Contains($"{Seeded} imported", globexImport.Output, StringComparison.Ordinal);

        // The same sslIds, two sets of records.
        var acme = await CertificatesAsync("acme");
        var globexBefore = await CertificatesAsync("globex");
        var globexOrdersBefore = Orders(await ListAsync("globex"));
        Assert.Equal(_sslIds.Order(), acme.Select(c => c.GetProperty("sslId").GetInt64()).Order());
        Assert.Equal(_sslIds.Order(), globexBefore.Select(c => c.GetProperty("sslId").GetInt64()).Order());
        Assert.Empty(acme.Select(Id).Intersect(globexBefore.Select(Id)));
        var globexRequests = _globex.Counters.Requests;

        // Renew by short id and revoke by sslId (an sslId globex has too) in acme.
        var renewThis = acme.Single(c => c.GetProperty("sslId").GetInt64() == _sslIds[0]);
        var renew = await RunAsync("--account", "acme", "renew", Id(renewThis).Replace("-", string.Empty, StringComparison.Ordinal)[^8..]);
        Assert.True(renew.ExitCode == 0, renew.ToString());
        Assert.Contains("Renewal submitted", renew.Output, StringComparison.Ordinal);
        var revoke = await RunAsync("--account", "acme", "revoke", Text(_sslIds[1]), "--reason-code", "4", "--comments", "moved to a new host");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Contains("Revoked shared1.acme.example", revoke.Output, StringComparison.Ordinal);

        // acme's SCM saw both; globex's SCM was not called at all, and its records are as they were.
        Assert.Equal(1, _acme.Counters.RenewalOrdersFor(_sslIds[0]));
        Assert.Equal("Revoked", _acme.GetOrder(_sslIds[1])!.Status);
        Assert.Equal(0, _globex.Counters.RenewalOrdersFor(_sslIds[0]));
        Assert.Equal(0, _globex.Counters.RenewPosts);
        Assert.Equal("Issued", _globex.GetOrder(_sslIds[1])!.Status);
        Assert.Equal(globexRequests, _globex.Counters.Requests);
        var globexAfter = await ListAsync("globex");
        Assert.Equal(
            globexBefore.Select(c => (Id(c), c.GetProperty("status").GetString())).Order(),
            globexAfter.GetProperty("certificates").EnumerateArray().Select(c => (Id(c), c.GetProperty("status").GetString())).Order());
        Assert.Equal(globexOrdersBefore, Orders(globexAfter));
        Assert.Empty(Orders(await ListAsync("globex", allOrders: false)));
        var acmeAfter = await ListAsync("acme", allOrders: false);
        Assert.Equal("Revoked", acmeAfter.GetProperty("certificates").EnumerateArray().Single(c => c.GetProperty("sslId").GetInt64() == _sslIds[1]).GetProperty("status").GetString());
        Assert.Equal(Id(renewThis), acmeAfter.GetProperty("orders").EnumerateArray().Single().GetProperty("certificateId").GetString()); // the open renewal

        // Each account's audit trail is its own.
        var acmeAudit = await RunAsync("--account", "acme", "audit", "--action", "Revoke");
        Assert.True(acmeAudit.ExitCode == 0, acmeAudit.ToString());
        Assert.Contains("shared1.acme.example", acmeAudit.Output, StringComparison.Ordinal);
        var globexAudit = await RunAsync("--account", "globex", "audit", "--action", "Revoke");
        Assert.True(globexAudit.ExitCode == 0, globexAudit.ToString());
        Assert.Contains("No audit entries match.", globexAudit.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcmeIds_WithAccountGlobex_NotFound_NothingSentToGlobex()
    {
        Assert.Equal(0, (await RunAsync("--account", "acme", "import")).ExitCode);
        Assert.Equal(0, (await RunAsync("--account", "globex", "import")).ExitCode);
        var acme = (await CertificatesAsync("acme")).Single(c => c.GetProperty("sslId").GetInt64() == _sslIds[0]);
        var full = Id(acme);
        var shortId = full.Replace("-", string.Empty, StringComparison.Ordinal)[^8..];
        var globexRequests = _globex.Counters.Requests;
        var acmeRequests = _acme.Counters.Requests;

        foreach (var args in new[]
        {
            new[] { "renew", full },
            ["renew", shortId],
            ["revoke", shortId, "--comments", "wrong account"],
            ["reissue", full, "--reason", "wrong account"],
            ["delete", full],
            ["status", shortId],
        })
        {
            var result = await RunAsync(["--account", "globex", .. args]);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Matches("No (certificate|order) matches '[0-9a-f-]+' in account 'globex'", result.ErrorLine);
        }

        Assert.Equal(globexRequests, _globex.Counters.Requests);
        Assert.Equal(acmeRequests, _acme.Counters.Requests);
        Assert.Equal(0, _globex.Counters.RenewPosts);
        Assert.All(_sslIds, id => Assert.Equal("Issued", _globex.GetOrder(id)!.Status));
        Assert.Contains(full, (await CertificatesAsync("acme")).Select(Id)); // not deleted by the globex run
        Assert.Equal(Seeded, (await CertificatesAsync("globex")).Length);
    }

    [Fact]
    public async Task UnknownOrMissingAccount_ExitsTwoNamingTheAccounts_BeforeAnythingIsSent()
    {
        var requests = (_acme.Counters.Requests, _globex.Counters.Requests);

        var unknown = await RunAsync("--account", "nobody", "list");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--account 'nobody'", unknown.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("acme, globex", unknown.ErrorLine, StringComparison.Ordinal);

        var unknownImport = await RunAsync("import", "--account", "nobody");
        Assert.Equal(2, unknownImport.ExitCode);
        Assert.Contains("'nobody'", unknownImport.ErrorLine, StringComparison.Ordinal);

        // Two accounts and none named 'default': a command must say which.
        var none = await RunAsync("import");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--account", none.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("acme, globex", none.ErrorLine, StringComparison.Ordinal);

        var invalid = await RunAsync("--account", "acme corp!", "list");
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("1-64 letters, digits", invalid.ErrorLine, StringComparison.Ordinal);

        Assert.Equal(requests, (_acme.Counters.Requests, _globex.Counters.Requests));
    }

    [Fact]
    public async Task AccountsList_ShowsEachAccountsStateAndCounts_FromTheStoreOnly()
    {
        Assert.Equal(0, (await RunAsync("--account", "acme", "import")).ExitCode);
        Assert.Equal(0, (await RunAsync("--account", "globex", "import")).ExitCode);
        Assert.Equal(0, (await RunAsync("--account", "globex", "sync")).ExitCode);
        var acme = await CertificatesAsync("acme");
        Assert.Equal(0, (await RunAsync("--account", "acme", "renew", Text(_sslIds[0]))).ExitCode);
        Assert.Equal(0, (await RunAsync("--account", "acme", "revoke", Text(_sslIds[1]), "--comments", "retired")).ExitCode);
        var requests = (_acme.Counters.Requests, _globex.Counters.Requests);

        var json = await RunAsync("accounts", "list", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("defaultAccount").ValueKind);
        var accounts = document.RootElement.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal(["acme", "globex"], accounts.Keys.Order());
        var a = accounts["acme"];
        Assert.Equal(Seeded - 1, a.GetProperty("activeCertificates").GetInt32()); // one revoked; the renewal is still open
        Assert.Equal(Seeded, a.GetProperty("certificates").GetInt32());
        Assert.Equal(1, a.GetProperty("openOrders").GetInt32());
        Assert.True(a.GetProperty("credentialsAccepted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("lastCatalogSync").ValueKind);
        Assert.Equal(_acme.BaseAddress.ToString().TrimEnd('/'), a.GetProperty("baseAddress").GetString()!.TrimEnd('/'));
        var g = accounts["globex"];
        Assert.Equal(Seeded, g.GetProperty("activeCertificates").GetInt32());
        Assert.Equal(Seeded, g.GetProperty("certificates").GetInt32());
        Assert.Equal(0, g.GetProperty("openOrders").GetInt32());
        Assert.Equal(_time.GetUtcNow(), g.GetProperty("lastCatalogSync").GetDateTimeOffset());
        Assert.Equal(_globex.BaseAddress.ToString().TrimEnd('/'), g.GetProperty("baseAddress").GetString()!.TrimEnd('/'));

        var table = await RunAsync("accounts", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        // Account, SCM, Credentials, Last catalog sync, Active, Certificates, Open orders.
        var acmeRow = Row(table.Output, "acme");
        Assert.Equal(["acme", Render(_acme.BaseAddress), "ok", "never", "3", "4", "1"], acmeRow);
        var globexRow = Row(table.Output, "globex");
        Assert.Equal(["globex", Render(_globex.BaseAddress), "ok", "2026-11-28 09:00:00Z (0s ago)", "4", "4", "0"], globexRow);
        Assert.Contains("2 accounts; no default account", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_acme.Credentials.Password, table.All, StringComparison.Ordinal);
        Assert.DoesNotContain(_globex.Credentials.Password, table.All, StringComparison.Ordinal);

        // --account narrows it to one; nothing of this was asked of SCM.
        var one = await RunAsync("--account", "globex", "accounts", "list", "--json");
        Assert.True(one.ExitCode == 0, one.ToString());
        using var oneDocument = JsonDocument.Parse(one.Output);
        Assert.Equal("globex", Assert.Single(oneDocument.RootElement.GetProperty("accounts").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(requests, (_acme.Counters.Requests, _globex.Counters.Requests));
        Assert.Equal(Seeded, acme.Length);
    }

    [Fact]
    public async Task AccountsList_SchedulerSharingTheStoreFoundGlobexRefused_ShowsRefusedForGlobexOnly_UntilAnAccountCheckWorks()
    {
        // A host running the schedule on the same store (the worker sample, say) with globex's old password.
        var worker = Configuration();
        worker["Sectigo:Accounts:globex:Client:Password"] = "old-globex-password-3c1f";
        worker["Sectigo:Accounts:globex:Client:MaxRetryAttempts"] = "0";
        worker["Sectigo:Scheduling:Enabled"] = "false";
        worker["Sectigo:KeyProtection:KeyFilePath"] = KeyFile;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSectigoCertificateManagement(new ConfigurationBuilder().AddInMemoryCollection(worker).Build()).UseSqliteStorage(Store);
        await using (var provider = services.BuildServiceProvider())
        {
            var globexJobs = provider.GetRequiredService<ICertificateLifecycleProvider>().GetJobRunner("globex");
            var refused = await Assert.ThrowsAsync<ScmRequestException>(() => globexJobs.RunAsync(LifecycleJob.CatalogSync)); // the credential circuit opens
            Assert.Equal(401, refused.Status);
            var paused = await globexJobs.RunAsync(LifecycleJob.CatalogSync); // paused, and recorded in the store for every host
            Assert.Contains("refused", paused.Summary, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, (await provider.GetRequiredService<ICertificateLifecycleProvider>().GetSummaryAsync("acme")).OpenOrders);
        }

        var requests = (_acme.Counters.Requests, _globex.Counters.Requests);
        var list = await RunAsync("accounts", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal("refused", Row(list.Output, "globex")[2]);
        Assert.Equal("ok", Row(list.Output, "acme")[2]);
        Assert.Equal(requests, (_acme.Counters.Requests, _globex.Counters.Requests));

        // The CLI has the right password: its account check (the credential probe) works and closes the circuit for everyone.
        var check = await RunAsync("--account", "globex", "account", "check");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal("ok", Row((await RunAsync("accounts", "list")).Output, "globex")[2]);
        Assert.DoesNotContain("old-globex-password-3c1f", list.All + check.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneNamedAccount_IsUsedWithoutAccountOption()
    {
        var configuration = Configuration();
        foreach (var key in configuration.Keys.Where(k => k.StartsWith("Sectigo:Accounts:globex:", StringComparison.Ordinal)).ToList())
        {
            configuration.Remove(key);
        }

        var import = await CliRun.RunAsync(["--store", Store, "import"], Environment(configuration));
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("SCM account 'acme'", import.Error, StringComparison.Ordinal);
        Assert.Equal(_globexSeedRequests, _globex.Counters.Requests);

        var list = await CliRun.RunAsync(["--store", Store, "accounts", "list"], Environment(configuration));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("commands without --account use acme", list.Output, StringComparison.Ordinal);
        Assert.Equal(Seeded, (await CertificatesAsync("acme")).Length);
    }

    [Fact]
    public async Task SingleAccountConfiguration_AccountDefault_AndAccountsListShowsIt()
    {
        var single = new Dictionary<string, string?>
        {
            ["Sectigo:Client:BaseAddress"] = _acme.BaseAddress.ToString(),
            ["Sectigo:Client:Login"] = _acme.Credentials.Login,
            ["Sectigo:Client:Password"] = _acme.Credentials.Password,
            ["Sectigo:Client:CustomerUri"] = _acme.Credentials.CustomerUri,
        };
        var import = await CliRun.RunAsync(["--store", Store, "--account", "default", "import"], Environment(single));
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains($"{Seeded} imported", import.Output, StringComparison.Ordinal);

        var wrong = await CliRun.RunAsync(["--store", Store, "--account", "acme", "list"], Environment(single));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("configured are: default", wrong.ErrorLine, StringComparison.Ordinal);

        var list = await CliRun.RunAsync(["--store", Store, "accounts", "list", "--json"], Environment(single));
        Assert.True(list.ExitCode == 0, list.ToString());
        using var document = JsonDocument.Parse(list.Output);
        Assert.Equal("default", document.RootElement.GetProperty("defaultAccount").GetString());
        var account = Assert.Single(document.RootElement.GetProperty("accounts").EnumerateArray());
        Assert.Equal(Seeded, account.GetProperty("activeCertificates").GetInt32());
    }

    [Fact]
    public async Task ChangePassword_ForAcme_AcmesScmAndFileOnly_NamesTheAccountsKey()
    {
        var folder = Path.Combine(_root, "work");
        Directory.CreateDirectory(folder);
        var globexPassword = _globex.Credentials.Password;

        var result = await CliRun.RunAsync(["--store", Store, "--account", "acme", "account", "change-password"], Environment(Configuration()) with { WorkingDirectory = folder });

        Assert.True(result.ExitCode == 0, result.ToString());
        var file = Path.Combine(folder, "scm-api-password-acme");
        var stored = (await File.ReadAllTextAsync(file)).Trim();
        Assert.Equal(stored, _acme.Credentials.Password);
        Assert.Equal(globexPassword, _globex.Credentials.Password);
        Assert.Contains("Sectigo:Accounts:acme:Client:Password", result.Output, StringComparison.Ordinal);
        Assert.Contains("Sectigo__Accounts__acme__Client__Password", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(stored, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysStatus_PerAccount_CountsThatAccountsRecords()
    {
        var order = await RunAsync("--account", "acme", "order", "--cn", "keys.acme.example", "--org", "2001", "--profile", "102", "--term", "365", "--key", "ec", "--custom-field", "Cost Center=CC-7");
        Assert.True(order.ExitCode == 0, order.ToString());

        var acme = await RunAsync("--account", "acme", "keys", "status");
        var globex = await RunAsync("--account", "globex", "keys", "status");
        Assert.True(acme.ExitCode == 0, acme.ToString());
        Assert.True(globex.ExitCode == 0, globex.ToString());
        Assert.Contains("Account acme: the key ring is shared by every account", acme.Output, StringComparison.Ordinal);
        // Key id, In ring, Current, Needed by the store, Values, Records: the one key protects acme's order and none of globex's.
        var acmeKey = Rows(acme.Output).Single(r => r.Length == 6 && r[2] == "current");
        var globexKey = Rows(globex.Output).Single(r => r.Length == 6 && r[2] == "current");
        Assert.Equal(acmeKey[0], globexKey[0]);
        Assert.Equal("1", acmeKey[5]);
        Assert.True(int.Parse(acmeKey[4], CultureInfo.InvariantCulture) >= 1, acme.Output);
        Assert.Equal("0", globexKey[5]);
        Assert.Equal(1, _acme.Counters.EnrollPosts - Seeded);
        Assert.Equal(Seeded, _globex.Counters.EnrollPosts);
    }

    /// <summary>The cells of a table's rows (Spectre draws the borders with '│').</summary>
    private static List<string[]> Rows(string output) =>
        output.Split('\n').Where(l => l.Count(c => c == '│') >= 2).Select(l => l.Split('│')[1..^1].Select(c => c.Trim()).ToArray()).ToList();

    /// <summary>The row of an account in `accounts list`.</summary>
    private static string[] Row(string output, string account) => Assert.Single(Rows(output), r => r[0] == account || r[0] == account + " (default)");

    private static string Render(Uri address) => address.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private static string Id(JsonElement certificate) => certificate.GetProperty("id").GetString()!;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private Dictionary<string, string?> Configuration()
    {
        var values = new Dictionary<string, string?>();
        foreach (var (name, sim) in new[] { ("acme", _acme), ("globex", _globex) })
        {
            values[$"Sectigo:Accounts:{name}:Client:BaseAddress"] = sim.BaseAddress.ToString();
            values[$"Sectigo:Accounts:{name}:Client:Login"] = sim.Credentials.Login;
            values[$"Sectigo:Accounts:{name}:Client:Password"] = sim.Credentials.Password;
            values[$"Sectigo:Accounts:{name}:Client:CustomerUri"] = sim.Credentials.CustomerUri;
        }

        return values;
    }

    private string KeyFile => Path.Combine(_root, "keys", "protector.key");

    private Scm.Samples.Console.CliEnvironment Environment(IReadOnlyDictionary<string, string?> configuration) =>
        CliRun.Isolated(configuration, keyFile: KeyFile) with { Time = _time };

    private Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(["--store", Store, .. args], Environment(Configuration()));

    private static List<(string?, string?)> Orders(JsonElement list) =>
        list.GetProperty("orders").EnumerateArray().Select(o => (o.GetProperty("id").GetString(), o.GetProperty("state").GetString())).Order().ToList();

    private async Task<JsonElement> ListAsync(string account, bool allOrders = true)
    {
        var list = await RunAsync(["--account", account, "list", "--json", .. allOrders ? new[] { "--all-orders" } : []]);
        Assert.True(list.ExitCode == 0, list.ToString());
        using var json = JsonDocument.Parse(list.Output);
        return json.RootElement.Clone();
    }

    private async Task<JsonElement[]> CertificatesAsync(string account) => (await ListAsync(account)).GetProperty("certificates").EnumerateArray().ToArray();

    private static Task<long[]> SeedAsync(ScmSimulator sim) => ScmSeeding.IssuedOrdersAsync(sim, Seeded);
}
