using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Scm.Lifecycle.Storage;
using Scm.Storage;
using Scm.Storage.PostgreSql;
using Scm.Storage.Sqlite;
using Scm.Tests.Shared;
using Scm.Testing;
using Xunit.Abstractions;

namespace Scm.EndToEnd.Tests.MultiProcess;

/// <summary>
/// docs/reliability.md goal 5, F38 and F39 (issue 6, "Several hosts at once"): four engine instances as separate processes
/// share one SQLite file and one simulator on the system clock. They order 200 certificates with short lifetimes and
/// auto-renew them through three cycles while a random instance is killed (SIGKILL) and restarted every 10-30 s
/// (seeded; the seed is printed). Then every instance is stopped, one fresh instance drains what was in flight, and the
/// store and the simulator are checked: 0 double renewals, 0 duplicate orders, 0 lost keys, every renewal ordered
/// before the renewed certificate's last twentieth of lifetime, none lapsed.
/// </summary>
[Collection(EngineProcessCollection.Name)]
public sealed class MultiProcessRenewalTests
{
    private static readonly TimeSpan GracefulStop = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(90);

    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public MultiProcessRenewalTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Category", "MultiProcess")]
    public Task FourProcessesOneSqliteFile_RandomKills_EveryCertificateRenewedEachCycleWithoutDoubleRenewalDuplicateOrderOrLostKey()
    {
        var root = NewRoot();
        return RunAsync(MultiProcessProfile.FromEnvironment(), new SqliteTarget(Path.Combine(root, "scm.db")), root, freezeOne: false);
    }

    /// <summary>
    /// The same on one PostgreSQL database (issue 15: 500 certificates, three cycles), and one worker frozen past its lease:
    /// it stops (SIGSTOP) right after an enroll POST, before it stores the answer, while holding the certificate's lease;
    /// a peer takes the order over and adopts it by its token; woken (SIGCONT), the frozen worker's write is refused by
    /// fencing, and nothing is duplicated.
    /// </summary>
    [SkippableFact]
    [Trait("Category", "MultiProcess")]
    public Task FourProcessesOnePostgreSqlDatabase_RandomKillsAndAFrozenWorker_EveryCertificateRenewedEachCycleWithoutDoubleRenewalDuplicateOrderOrLostKey()
    {
        Skip.If(OperatingSystem.IsWindows(), "SIGSTOP and SIGCONT do not exist on Windows.");
        var connectionString = PostgreSqlTestServer.Require();
        var profile = MultiProcessProfile.FromEnvironment(postgreSql: true);
        return RunAsync(profile, new PostgreSqlTarget(connectionString, PostgreSqlTestServer.NewSchema()), NewRoot(), freezeOne: true);
    }

    private static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "scm-multiprocess-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        return root;
    }

    private async Task RunAsync(MultiProcessProfile profile, RunTarget target, string root, bool freezeOne)
    {
        Log(profile + $", store {target}");
        Log($"reproduce with SCM_MULTIPROCESS_SEED={profile.Seed}");
        var workerDll = Path.Combine(AppContext.BaseDirectory, "worker", "Scm.Lifecycle.Worker.dll");
        Assert.True(File.Exists(workerDll), $"The worker was not built next to the tests: {workerDll}");

        var keyFile = Path.Combine(root, "keys", "protector.key");
        var passed = false;
        var workers = new List<WorkerProcess>();
        await using var simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            CertificateLifetime = profile.Lifetime,
            ApplyDelay = TimeSpan.FromMilliseconds(500),
            IssueDelay = TimeSpan.FromMilliseconds(500),
            Seed = profile.Seed,
            Log = null,
        });
        try
        {
            var environment = new Dictionary<string, string> { ["Sectigo__Client__Password"] = simulator.Credentials.Password };
            var perWorker = (profile.Certificates + profile.Instances - 1) / profile.Instances;
            for (var i = 0; i < profile.Instances; i++)
            {
                var start = i * perWorker;
                var count = Math.Min(perWorker, profile.Certificates - start);
                var arguments = EngineArguments(profile, simulator, target, keyFile, $"worker-{i}", autoRenewal: true)
                    .Concat([$"--Worker:OrderStart={start}", $"--Worker:OrderCount={count}", $"--Worker:OrderSpread={profile.OrderSpread:c}"]).ToList();
                if (freezeOne && i == 0)
                {
                    // The worker that will be frozen: it stops at its first enroll, after the POST, until told to continue.
                    arguments.AddRange(["--Worker:PauseAt=AfterPost", "--Worker:Trace=true"]);
                }

                workers.Add(new WorkerProcess($"worker-{i}", workerDll, arguments, environment, Path.Combine(root, $"worker-{i}.log")));
            }

            foreach (var worker in workers)
            {
                worker.Start();
            }

            Log($"started {workers.Count} workers (pids {string.Join(", ", workers.Select(w => w.Pid))}); logs in {root}");

            var freeze = freezeOne ? FreezeFirstWorkerAsync(workers[0], target) : null;
            var kills = await RunUntilRenewedAsync(profile, workers, target, root, freeze);
            if (freeze is not null)
            {
                Log(await freeze);
            }


            // Stop everyone (SIGTERM, then SIGKILL after a grace period) and let one fresh instance finish what was in flight.
            var graceful = await Task.WhenAll(workers.Select(w => w.StopAsync(GracefulStop)));
            Log($"stopped all workers ({graceful.Count(g => g)} of {graceful.Length} shut down gracefully)");
            using var drain = new WorkerProcess("drain", workerDll,
                EngineArguments(profile, simulator, target, keyFile, "drain", autoRenewal: false)
                    .Concat(["--Worker:Drain=true", $"--Worker:DrainTimeout={DrainTimeout:c}"]).ToList(),
                environment, Path.Combine(root, "drain.log"));
            drain.Start();
            if (!await drain.WaitForExitAsync(DrainTimeout + TimeSpan.FromSeconds(30)) || drain.ExitCode != 0)
            {
                Assert.Fail($"The drain instance did not finish the in-flight orders (exit code {drain.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none: killed"}); logs in {root}:{Environment.NewLine}{drain.Tail()}");
            }

            Log("drained: no open order left");

            target.ReleasePools();
            await using var store = target.Open();
            using var protector = new AesGcmPrivateKeyProtector(new AesGcmKeyProtectorOptions { KeyFilePath = keyFile });
            using var verifyTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var report = await InvariantVerifier.VerifyAsync(store, simulator, protector, profile.Certificates, verifyTimeout.Token);
            var summary = $"{profile}{Environment.NewLine}kills/restarts: {kills.Count} ({string.Join("; ", kills)}){Environment.NewLine}{report}runtime: {_clock.Elapsed.TotalSeconds:0} s";
            Log(summary);
            await File.WriteAllTextAsync(Path.Combine(root, "report.txt"), summary);

            Assert.True(report.DoubleRenewals.Count == 0, $"{report.DoubleRenewals.Count} double renewals (seed {profile.Seed}):{Environment.NewLine}{report}");
            Assert.True(report.DuplicateOrders.Count == 0, $"{report.DuplicateOrders.Count} duplicate orders (seed {profile.Seed}):{Environment.NewLine}{report}");
            Assert.True(report.LostKeys.Count == 0, $"{report.LostKeys.Count} lost keys (seed {profile.Seed}):{Environment.NewLine}{report}");
            Assert.True(report.Uncollected.Count == 0 && report.Other.Count == 0, $"Certificates uncollected or records inconsistent (seed {profile.Seed}):{Environment.NewLine}{report}");
            Assert.True(report.MinActiveGeneration >= profile.Cycles, $"Not every certificate went through {profile.Cycles} renewal cycles (seed {profile.Seed}):{Environment.NewLine}{report}");
            Assert.True(report.LateRenewals.Count == 0 && report.Lapsed.Count == 0,
                $"{report.LateRenewals.Count} renewals were ordered inside the last twentieth of lifetime and {report.Lapsed.Count} certificates expired before their renewal was installed (seed {profile.Seed}):{Environment.NewLine}{report}");
            Assert.True(kills.Count > 0, "No worker was killed: the run was too short to test recovery.");
            passed = report.Passed;
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }

            target.ReleasePools();
            if (passed)
            {
                TryDelete(root);
                await target.DropAsync();
            }
            else
            {
                Log($"kept the run's database and logs in {root}");
            }
        }
    }

    /// <summary>
    /// Watches progress in the store until every certificate's active generation reaches the required cycle, killing and
    /// restarting a random worker on the seeded schedule. Fails with a clear message when a worker exits by itself, when
    /// nothing is installed for <see cref="MultiProcessProfile.StallTimeout"/>, or at the deadline.
    /// </summary>
    private async Task<List<string>> RunUntilRenewedAsync(MultiProcessProfile profile, List<WorkerProcess> workers, RunTarget target, string root, Task<string>? freeze)
    {
        var random = new Random(profile.Seed);
        var kills = new List<string>();
        var nextKill = _clock.Elapsed + Between(random, profile.MinKillInterval, profile.MaxKillInterval);
        var deadline = _clock.Elapsed + profile.Deadline;
        var lastInstalled = -1;
        var storeRead = false;
        var lastProgress = _clock.Elapsed;
        var nextReport = _clock.Elapsed;
        RunStore? store = null;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                foreach (var worker in workers.Where(w => w.ExitedUnexpectedly))
                {
                    Assert.Fail($"{worker.Name} exited by itself (exit code {worker.ExitCode}); logs in {root}:{Environment.NewLine}{worker.Tail()}");
                }

                if (store is null && target.Exists)
                {
                    store = target.Open();
                }

                var progress = Progress.None;
                try
                {
                    progress = store is null ? Progress.None : await Progress.ReadAsync(store);
                    storeRead |= store is not null;
                }
                catch (ScmStoreException ex) when (!storeRead)
                {
                    // The first worker may still be creating the file; the stall timeout bounds how long this is tolerated.
                    Log($"store not readable yet: {ex.Message}");
                    await store!.DisposeAsync();
                    store = null;
                }

                if (_clock.Elapsed >= nextReport || progress.Done(profile))
                {
                    Log($"{progress}; kills {kills.Count}");
                    nextReport = _clock.Elapsed + TimeSpan.FromSeconds(10);
                }

                if (progress.Done(profile))
                {
                    return kills;
                }

                if (progress.Installed > lastInstalled)
                {
                    lastInstalled = progress.Installed;
                    lastProgress = _clock.Elapsed;
                }
                else if (_clock.Elapsed - lastProgress > profile.StallTimeout)
                {
                    Assert.Fail($"No certificate was installed for {profile.StallTimeout.TotalSeconds:0} s: progress stalled at {progress} (seed {profile.Seed}); logs in {root}.{Environment.NewLine}{string.Join(Environment.NewLine, workers.Select(w => $"--- {w.Name}{Environment.NewLine}{w.Tail()}"))}");
                }

                if (_clock.Elapsed > deadline)
                {
                    Assert.Fail($"The run did not reach {profile.Cycles} renewal cycles within {profile.Deadline.TotalSeconds:0} s: {progress} (seed {profile.Seed}); logs in {root}.");
                }

                // A kill is due: it waits (up to 10 s) for a moment with orders in flight, so kills land mid-operation
                // (renewal waves come every half lifetime and last seconds) rather than in the quiet between waves.
                if (_clock.Elapsed >= nextKill && (progress.OpenOrders > 0 || _clock.Elapsed >= nextKill + TimeSpan.FromSeconds(10)))
                {
                    // The frozen worker is left alone until its freeze is over.
                    var candidates = freeze is { IsCompleted: false } ? workers.Skip(1).ToList() : workers;
                    var victim = candidates[random.Next(candidates.Count)];
                    var pid = victim.Pid;
                    victim.Kill();
                    await Task.Delay(Between(random, TimeSpan.FromMilliseconds(200), profile.MaxRestartDelay));

                    // Half the restarts keep the instance name (a service restarted with a configured name takes its dead
                    // predecessor's leases back at once); the others come back under a new name (the default name has the
                    // PID in it), so the dead holder's leases must expire before anyone takes over.
                    var name = random.Next(2) == 0 ? victim.Name : string.Create(CultureInfo.InvariantCulture, $"{victim.Name}-r{victim.Starts}");
                    victim.Start($"--Sectigo:InstanceName={name}", "--Worker:PauseAt=None");
                    kills.Add(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds:0}s {victim.Name} pid {pid}->{victim.Pid} as {name}, {progress.OpenOrders} orders open"));
                    Log($"killed {victim.Name} (pid {pid}) and restarted it as pid {victim.Pid}, instance name {name}");
                    nextKill = _clock.Elapsed + Between(random, profile.MinKillInterval, profile.MaxKillInterval);
                }
            }
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync();
            }
        }
    }

    private static List<string> EngineArguments(MultiProcessProfile profile, ScmSimulator simulator, RunTarget target, string keyFile, string instance, bool autoRenewal) =>
    [
        .. target.WorkerArguments,
        $"--Sectigo:InstanceName={instance}",
        $"--Sectigo:Client:BaseAddress={simulator.BaseAddress}",
        $"--Sectigo:Client:Login={simulator.Credentials.Login}",
        $"--Sectigo:Client:CustomerUri={simulator.Credentials.CustomerUri}",
        "--Sectigo:Client:PostTimeout=00:00:04",
        "--Sectigo:Client:AttemptTimeout=00:00:05",
        "--Sectigo:Client:TotalRequestTimeout=00:00:15",
        $"--Sectigo:KeyProtection:KeyFilePath={keyFile}",
        "--Sectigo:Ordering:Pkcs12Iterations=1000",
        "--Sectigo:Scheduling:FollowUpInterval=00:00:01",
        "--Sectigo:Scheduling:AutoRenewalInterval=00:00:02",
        "--Sectigo:Scheduling:StatusCheckInterval=00:00:30",
        "--Sectigo:Scheduling:JobLeaseDuration=00:00:08",
        "--Sectigo:Polling:InitialDelay=00:00:01",
        "--Sectigo:Polling:MaxDelay=00:00:02",
        "--Sectigo:Polling:RetryDelay=00:00:01",
        "--Sectigo:Reconcile:AmbiguityWindow=00:00:10",
        "--Sectigo:Reconcile:RetryDelay=00:00:02",
        "--Sectigo:Leases:CertificateLeaseDuration=00:00:10",
        "--Sectigo:Leases:MinimumRemainingBeforePost=00:00:06",
        $"--Sectigo:AutoRenewal:Enabled={(autoRenewal ? "true" : "false")}",
        $"--Sectigo:AutoRenewal:RenewBefore={profile.RenewBefore:c}",
        $"--Sectigo:AutoRenewal:MaxJitter={profile.MaxJitter:c}",
    ];

    /// <summary>
    /// Freezes the first worker where it announced its pause point (after its first enroll POST, before it stores the
    /// answer, holding the certificate's lease), waits until a peer has taken the order over and adopted it, then wakes it
    /// and waits for its late write to be refused by fencing.
    /// </summary>
    private async Task<string> FreezeFirstWorkerAsync(WorkerProcess worker, RunTarget target)
    {
        var line = await worker.WaitForLineAsync(l => l.StartsWith("PAUSE POINT AfterPost:", StringComparison.Ordinal), TimeSpan.FromMinutes(2), "its pause point after its first POST");
        var orderId = Guid.Parse(System.Text.RegularExpressions.Regex.Match(line, "order ([0-9a-fA-F-]{36})").Groups[1].Value);
        worker.Stop();
        Log($"froze {worker.Name} (SIGSTOP, pid {worker.Pid}) after its POST for order {orderId}, holding the lease");
        var frozenAt = _clock.Elapsed;
        await using var store = target.Open();
        CertificateOrder? order = null;
        while (_clock.Elapsed - frozenAt < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(500);
            order = await store.GetOrderAsync(orderId);
            if (order?.SslId is not null)
            {
                break;
            }
        }

        Assert.True(order?.SslId is not null, $"No peer took over and adopted order {orderId} of the frozen worker within 90 s: {order}");
        var mark = worker.LineCount;
        worker.Continue();
        worker.SendLine("continue");
        var fenced = await worker.WaitForLineAsync(l => l.StartsWith("TRACE FENCED", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "its late write refused by fencing", mark);
        return string.Create(CultureInfo.InvariantCulture,
            $"frozen worker: order {orderId} adopted by a peer as sslId {order!.SslId} after {(_clock.Elapsed - frozenAt).TotalSeconds:0} s; woken, its write was refused: {fenced}");
    }

    /// <summary>Where a run keeps its state: one SQLite file, or one PostgreSQL schema.</summary>
    private abstract class RunTarget
    {
        public abstract IReadOnlyList<string> WorkerArguments { get; }

        public abstract bool Exists { get; }

        public abstract RunStore Open();

        public virtual void ReleasePools()
        {
        }

        public virtual Task DropAsync() => Task.CompletedTask;
    }

    private sealed class SqliteTarget(string database) : RunTarget
    {
        // synchronous=NORMAL: in WAL mode a killed process never loses a commit (only a power loss could), and the run
        // kills processes, not the machine; FULL would add an fsync to every lease and state write of four processes.
        public override IReadOnlyList<string> WorkerArguments { get; } = [$"--Worker:Database={database}", "--Worker:FullSync=false"];

        public override bool Exists => File.Exists(database);

        public override RunStore Open()
        {
            var store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = database, BusyTimeout = TimeSpan.FromSeconds(30), VerifyOnInitialize = false });
            return new RunStore(store, store);
        }

        public override void ReleasePools() => SqliteConnection.ClearAllPools();

        public override string ToString() => "SQLite " + database;
    }

    private sealed class PostgreSqlTarget(string connectionString, string schema) : RunTarget
    {
        public override IReadOnlyList<string> WorkerArguments { get; } = [$"--Worker:PostgreSql={connectionString}", $"--Worker:Schema={schema}", $"--Worker:Database=postgresql:{schema}"];

        public override bool Exists => true;

        public override RunStore Open()
        {
            var store = new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = connectionString, Schema = schema });
            return new RunStore(store, store);
        }

        public override Task DropAsync() => PostgreSqlTestServer.DropSchemaAsync(schema);

        public override string ToString() => "PostgreSQL schema " + schema;
    }

    /// <summary>A store the test opened (and disposes).</summary>
    private sealed class RunStore(IScmStore store, IAsyncDisposable owner) : DelegatingScmStore(store), IAsyncDisposable
    {
        public ValueTask DisposeAsync() => owner.DisposeAsync();
    }

    private static TimeSpan Between(Random random, TimeSpan min, TimeSpan max) => min + ((max - min) * random.NextDouble());

    private void Log(string line)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
        _output.WriteLine(text);
        Console.WriteLine(text);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>What the store shows: orders placed, certificates installed, and how many names are at each generation.</summary>
    private sealed record Progress(int Ordered, int Installed, int OpenOrders, IReadOnlyList<int> ActiveByGeneration)
    {
        public static Progress None { get; } = new(0, 0, 0, []);

        public bool Done(MultiProcessProfile profile) => ActiveByGeneration.Skip(profile.Cycles).Sum() >= profile.Certificates;

        public static async Task<Progress> ReadAsync(IScmStore store)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var certificates = await InvariantVerifier.ReadCertificatesAsync(store, timeout.Token);
            var orders = await InvariantVerifier.ReadOrdersAsync(store, timeout.Token);
            var byId = certificates.ToDictionary(c => c.Id);
            int Generation(ManagedCertificate c) => c.RenewedFromId is { } parent && byId.TryGetValue(parent, out var p) ? Generation(p) + 1 : 0;
            var generations = new int[16];
            foreach (var certificate in certificates.Where(c => c.Status == CertificateStatus.Active))
            {
                generations[Math.Min(Generation(certificate), generations.Length - 1)]++;
            }

            var last = Array.FindLastIndex(generations, g => g > 0);
            return new Progress(orders.Count(o => o.Kind == OrderKind.New), certificates.Count, orders.Count(o => o.IsOpen), generations[..Math.Max(1, last + 1)]);
        }

        public override string ToString() =>
            $"ordered {Ordered}, installed {Installed}, open orders {OpenOrders}, active by cycle [{string.Join(", ", ActiveByGeneration)}]";
    }
}
