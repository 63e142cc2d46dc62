using System.Text.Json;
using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary>
/// `scm simulator` running in-process (as a user would run it in a second terminal); the tests point the other commands
/// at it with --simulator-url and a store of their own, and read the simulator's ground truth.
/// </summary>
public abstract class CliSimulatorFixtureBase : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scm-cli-tests-" + Guid.NewGuid().ToString("N"));
    private Task<CliResult>? _run;

    public ScmSimulator Simulator { get; private set; } = null!;

    public string Url => Simulator.BaseAddress.GetLeftPart(UriPartial.Authority);

    protected virtual string[] Arguments => ["simulator"];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var started = new TaskCompletionSource<ScmSimulator>(TaskCreationOptions.RunContinuationsAsynchronously);
        _run = CliRun.RunAsync(Arguments, CliRun.Isolated(simulatorStarted: started.SetResult), _stop.Token);
        var first = await Task.WhenAny(started.Task, _run).WaitAsync(TimeSpan.FromSeconds(60));
        if (first != started.Task)
        {
            throw new InvalidOperationException("`scm simulator` ended before it started: " + await _run);
        }

        Simulator = await started.Task;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        var result = await _run!;
        _stop.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        if (result.ExitCode != 0 || !result.Output.Contains("stopped", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("`scm simulator` did not stop cleanly on cancellation: " + result);
        }
    }

    /// <summary>A store (and key file) of one test's own.</summary>
    public CliStore NewStore() => new(this, Path.Combine(_root, Guid.NewGuid().ToString("N")));
}

public sealed class CliSimulatorFixture : CliSimulatorFixtureBase;

/// <summary>The simulator with 30-second certificates, so auto-renewal becomes due during a test.</summary>
public sealed class ShortLivedCliSimulatorFixture : CliSimulatorFixtureBase
{
    protected override string[] Arguments => ["simulator", "--lifetime", "30"];
}

/// <summary>Runs commands against the fixture's simulator with one store.</summary>
public sealed class CliStore(CliSimulatorFixtureBase fixture, string folder)
{
    public string Folder { get; } = folder;

    public string StorePath => Path.Combine(Folder, "scm.db");

    public Task<CliResult> RunAsync(params string[] args) =>
        CliRun.RunAsync(["--simulator-url", fixture.Url, "--store", StorePath, .. args], CliRun.Isolated(keyFile: Path.Combine(Folder, "keys", "protector.key")));

    /// <summary>
    /// Runs a command configured the way a real deployment is (the simulator's address and credentials as
    /// <c>Sectigo:Client</c> keys, not <c>--simulator-url</c>), with extra configuration keys (e.g. <c>Sectigo:Client:MaxRetryAttempts</c>).
    /// </summary>
    public Task<CliResult> RunConfiguredAsync(IReadOnlyDictionary<string, string?> configuration, params string[] args)
    {
        var simulator = fixture.Simulator;
        var settings = new Dictionary<string, string?>(configuration)
        {
            ["Sectigo:Client:BaseAddress"] = simulator.BaseAddress.ToString(),
            ["Sectigo:Client:Login"] = simulator.Credentials.Login,
            ["Sectigo:Client:Password"] = simulator.Credentials.Password,
            ["Sectigo:Client:CustomerUri"] = simulator.Credentials.CustomerUri,
        };
        return CliRun.RunAsync(["--store", StorePath, .. args], CliRun.Isolated(settings, keyFile: Path.Combine(Folder, "keys", "protector.key")));
    }

    /// <summary>Orders a certificate and waits until it is issued; returns its JSON record from `list --json`.</summary>
    public async Task<JsonElement> IssueAsync(string commonName, int profile = 102, int term = 365, string key = "ec", params string[] extra)
    {
        var order = await RunAsync(["order", "--cn", commonName, "--org", "2001", "--profile", profile.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--term", term.ToString(System.Globalization.CultureInfo.InvariantCulture), "--key", key, "--custom-field", "Cost Center=CC-7", "--wait", "--timeout", "60", .. extra]);
        Assert.True(order.ExitCode == 0, order.ToString());
        Assert.Contains("Issued " + commonName, order.Output, StringComparison.Ordinal);
        return (await CertificatesAsync()).Single(c => c.GetProperty("commonName").GetString() == commonName && c.GetProperty("status").GetString() == "Active");
    }

    public async Task<JsonElement[]> CertificatesAsync() => (await ListAsync()).GetProperty("certificates").EnumerateArray().ToArray();

    public async Task<JsonElement> ListAsync()
    {
        var list = await RunAsync("list", "--json", "--all-orders");
        Assert.True(list.ExitCode == 0, list.ToString());
        using var json = JsonDocument.Parse(list.Output);
        return json.RootElement.Clone();
    }
}
