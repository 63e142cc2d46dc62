using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Scm.Lifecycle.Storage;
using Scm.Lifecycle.Worker;
using Scm.Storage;
using Scm.Storage.Sqlite;
using Scm.Testing;
using Xunit.Abstractions;

namespace Scm.EndToEnd.Tests.MultiProcess;

/// <summary>
/// One run of a pause test (docs/reliability.md, F40): one simulator on the system clock, one SQLite file and one key
/// file, a "holder" worker that orders one certificate and stops at a pause point, and a "peer" worker that takes over
/// through its scheduler. Leases are short (4 s, re-checked before a POST with 3 s to spare) so an expiry takes seconds.
/// Every worker is killed on dispose; the folder is deleted when the test passed, kept (and named) otherwise.
/// </summary>
internal sealed partial class PauseRun : IAsyncDisposable
{
    /// <summary>The certificate lease of both workers.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);
    private readonly ITestOutputHelper _output;
    private readonly TimeSpan _ambiguityWindow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<WorkerProcess> _workers = [];
    private readonly string _workerDll;
    private SqliteScmStore? _store;

    private PauseRun(ITestOutputHelper output, ScmSimulator simulator, string root, TimeSpan ambiguityWindow, string workerDll)
    {
        _output = output;
        Sim = simulator;
        Root = root;
        _ambiguityWindow = ambiguityWindow;
        _workerDll = workerDll;
    }

    public ScmSimulator Sim { get; }

    public string Root { get; }

    public string Database => Path.Combine(Root, "scm.db");

    public string KeyFile => Path.Combine(Root, "keys", "protector.key");

    /// <summary>Set by the test when everything was asserted: the run's folder is then deleted.</summary>
    public bool Passed { get; set; }

    public static async Task<PauseRun> StartAsync(ITestOutputHelper output, TimeSpan ambiguityWindow)
    {
        var workerDll = Path.Combine(AppContext.BaseDirectory, "worker", "Scm.Lifecycle.Worker.dll");
        Assert.True(File.Exists(workerDll), $"The worker was not built next to the tests: {workerDll}");
        var root = Path.Combine(Path.GetTempPath(), "scm-pause-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            ApplyDelay = TimeSpan.FromMilliseconds(200),
            IssueDelay = TimeSpan.FromMilliseconds(200),
            Log = null,
        });
        return new PauseRun(output, simulator, root, ambiguityWindow, workerDll);
    }

    /// <summary>The holder: orders one certificate through the API (its scheduler is off) and stops once at <paramref name="pauseAt"/>.</summary>
    public WorkerProcess StartHolder(PausePoint pauseAt) => Start("holder",
        "--Sectigo:Scheduling:Enabled=false",
        "--Worker:OrderCount=1",
        "--Worker:OrderSpread=00:00:00",
        $"--Worker:PauseAt={pauseAt}");

    /// <summary>The peer: orders nothing; its scheduler follows up open orders every second.</summary>
    public WorkerProcess StartPeer() => Start("peer");

    /// <summary>
    /// Waits for the holder's "PAUSE POINT" line, then stops it (SIGSTOP) while it waits there, and checks that the
    /// process really is stopped (Linux: state 'T' in /proc). The holder holds the certificate's lease and is about to write.
    /// </summary>
    public async Task<PausedHolder> StopAtPausePointAsync(WorkerProcess holder, PausePoint point)
    {
        var line = await holder.WaitForLineAsync(l => l.StartsWith($"PAUSE POINT {point}:", StringComparison.Ordinal), StartTimeout, $"PAUSE POINT {point}");
        var match = PauseLine().Match(line);
        Assert.True(match.Success, $"Unexpected pause line: {line}");
        holder.Stop();
        Log($"holder paused at {point} and stopped (SIGSTOP, pid {holder.Pid}): {line}");
        for (var i = 0; i < 250 && holder.SchedulingState() is not (null or 'T'); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(holder.SchedulingState() is null or 'T', $"The holder (pid {holder.Pid}) is not stopped after SIGSTOP: state {holder.SchedulingState()}.");
        return new PausedHolder(
            Guid.Parse(match.Groups["order"].Value),
            match.Groups["token"].Value,
            long.Parse(match.Groups["fence"].Value, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(match.Groups["expires"].Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }

    /// <summary>SIGCONT, then "continue" on its standard input: the holder goes on from the pause point, its lease long gone.</summary>
    public void Wake(WorkerProcess holder)
    {
        holder.Continue();
        holder.SendLine("continue");
        Log($"holder woken (SIGCONT, pid {holder.Pid})");
    }

    public async Task<CertificateOrder> OrderAsync(Guid id)
    {
        _store ??= new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Database, BusyTimeout = TimeSpan.FromSeconds(30), VerifyOnInitialize = false });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _store.GetOrderAsync(id, timeout.Token) ?? throw new InvalidOperationException($"Order {id} is not in the store.");
    }

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(Guid certificateId)
    {
        _store ??= new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Database, BusyTimeout = TimeSpan.FromSeconds(30), VerifyOnInitialize = false });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _store.QueryAuditAsync(new AuditQuery { CertificateId = certificateId, Limit = 1000 }, timeout.Token);
    }

    /// <summary>The store and the simulator checked by <see cref="InvariantVerifier"/> (after the workers are stopped).</summary>
    public async Task<InvariantReport> VerifyAsync(int expectedCertificates)
    {
        foreach (var worker in _workers)
        {
            worker.Kill();
        }

        SqliteConnection.ClearAllPools();
        await using var store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Database, BusyTimeout = TimeSpan.FromSeconds(30) });
        using var protector = new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { KeyFilePath = KeyFile });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var report = await InvariantVerifier.VerifyAsync(store, Sim, protector, expectedCertificates, timeout.Token);
        Log(report.ToString());
        return report;
    }

    public void Log(string line)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
        _output.WriteLine(text);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await Sim.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Passed)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        else
        {
            Log($"kept the run's database and worker logs in {Root}");
        }
    }

    private WorkerProcess Start(string name, params string[] extra)
    {
        var arguments = new List<string>
        {
            $"--Worker:Database={Database}",
            "--Worker:FullSync=false",
            "--Worker:Trace=true",
            $"--Sectigo:InstanceName={name}",
            $"--Sectigo:Client:BaseAddress={Sim.BaseAddress}",
            $"--Sectigo:Client:Login={Sim.Credentials.Login}",
            $"--Sectigo:Client:CustomerUri={Sim.Credentials.CustomerUri}",
            "--Sectigo:Client:PostTimeout=00:00:04",
            "--Sectigo:Client:AttemptTimeout=00:00:05",
            "--Sectigo:Client:TotalRequestTimeout=00:00:15",
            $"--Sectigo:KeyProtection:KeyFilePath={KeyFile}",
            "--Sectigo:Ordering:Pkcs12Iterations=1000",
            "--Sectigo:Scheduling:FollowUpInterval=00:00:01",
            "--Sectigo:Scheduling:JobLeaseDuration=00:00:08",
            "--Sectigo:Polling:InitialDelay=00:00:01",
            "--Sectigo:Polling:MaxDelay=00:00:02",
            "--Sectigo:Polling:RetryDelay=00:00:01",
            $"--Sectigo:Reconcile:AmbiguityWindow={_ambiguityWindow:c}",
            "--Sectigo:Reconcile:RetryDelay=00:00:01",
            $"--Sectigo:Leases:CertificateLeaseDuration={LeaseDuration:c}",
            "--Sectigo:Leases:MinimumRemainingBeforePost=00:00:03",
            "--Sectigo:AutoRenewal:Enabled=false",
        };
        arguments.AddRange(extra);
        var worker = new WorkerProcess(name, _workerDll, arguments,
            new Dictionary<string, string> { ["Sectigo__Client__Password"] = Sim.Credentials.Password }, Path.Combine(Root, name + ".log"));
        _workers.Add(worker);
        worker.Start();
        Log($"started {name} (pid {worker.Pid})");
        return worker;
    }

    [GeneratedRegex(@"order (?<order>[0-9a-f-]{36}) token (?<token>[0-9a-f]{32}):.* fence (?<fence>\d+) until (?<expires>\S+);")]
    private static partial Regex PauseLine();
}

/// <summary>Where the holder stopped: its order, the order's correlation token, and the lease it held.</summary>
internal sealed record PausedHolder(Guid OrderId, string Token, long Fence, DateTimeOffset LeaseExpires);
