using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Scm.Testing;
using Scm.Tests.Shared;
using Xunit.Abstractions;

namespace Scm.Scheduling.Quartz.Tests;

/// <summary>
/// The Quartz cluster in real processes: two engine hosts (tests/Scm.Scheduling.Quartz.Worker) on one PostgreSQL
/// database (SCM_TEST_POSTGRES) and one simulator. Each host writes every job firing to a table the test reads; every
/// wait is for a line a host prints, bounded; every process started is killed by its PID at the end.
/// </summary>
public sealed partial class ClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);
    private readonly ITestOutputHelper _output;
    private readonly string _testSchema = PostgreSqlTestServer.NewSchema();
    private readonly string _storeSchema = PostgreSqlTestServer.NewSchema();
    private readonly string _quartzSchema = PostgreSqlTestServer.NewSchema();
    private readonly List<ChildProcess> _processes = [];
    private ScmSimulator? _simulator;

    public ClusterTests(ITestOutputHelper output) => _output = output;

    private string Fires => _testSchema + ".fires";

    public async Task InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgreSqlTestServer.Variable)))
        {
            return;
        }

        await ExecuteAsync($"CREATE SCHEMA {_testSchema}; " +
            $"CREATE TABLE {Fires} (fire_id text PRIMARY KEY, job text NOT NULL, trigger_key text NOT NULL, scheduled bigint NOT NULL, recovering bool NOT NULL, retry int NOT NULL, instance text NOT NULL, done bool NOT NULL DEFAULT false, ran bool, error text); " +
            $"CREATE TABLE {_testSchema}.holds (name text PRIMARY KEY, pid int NOT NULL);");
        _simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null });
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            _output.WriteLine($"---- {process.Name} (pid {process.Pid}), last lines:{Environment.NewLine}{process.Tail(25)}");
            process.Dispose();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        await PostgreSqlTestServer.DropSchemaAsync(_quartzSchema);
        await PostgreSqlTestServer.DropSchemaAsync(_storeSchema);
        await PostgreSqlTestServer.DropSchemaAsync(_testSchema);
    }

    [SkippableFact]
    [Trait("Category", "MultiProcess")]
    public async Task TwoProcessesOneDatabase_EachTriggerFiresOncePerScheduledTime_AndNoJobRunsTwiceAtOnce()
    {
        PostgreSqlTestServer.Require();
        string[] crons = ["--Quartz:FollowUpCron=* * * * * ?", "--Quartz:StatusCheckCron=0/2 * * * * ?", "--Quartz:AutoRenewalCron=0/3 * * * * ?", "--Quartz:CatalogSyncCron=0/5 * * * * ?"];
        var followUps = new CountdownOfLines(12, line => line.StartsWith("DONE job=FollowUp ", StringComparison.Ordinal));
        var a = Start("A", crons, followUps);
        var b = Start("B", crons, followUps);
        await a.WaitForLineAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), Startup, "READY");
        await b.WaitForLineAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), Startup, "READY");

        // Both nodes live; then a dozen follow-up runs (one a second) and at least one job run by each node.
        await followUps.WaitAsync(Bound, "12 follow-up runs");
        await a.WaitForLineAsync(l => l.StartsWith("DONE ", StringComparison.Ordinal), Bound, "a finished job");
        await b.WaitForLineAsync(l => l.StartsWith("DONE ", StringComparison.Ordinal), Bound, "a finished job");
        a.Kill();
        b.Kill();

        var fires = await ReadFiresAsync();
        _output.WriteLine(string.Join(Environment.NewLine, fires.GroupBy(f => f.Instance).Select(g => $"{g.Key}: {g.Count()} firings")));
        var twice = fires.GroupBy(f => (f.Trigger, f.Scheduled)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Trigger} at {new DateTimeOffset(g.Key.Scheduled, TimeSpan.Zero):O} x{g.Count()}").ToList();
        Assert.True(twice.Count == 0, "Fired more than once: " + string.Join("; ", twice));
        Assert.Equal(2, fires.Select(f => f.Instance).Distinct().Count());
        Assert.DoesNotContain(fires, f => f.Recovering || f.Retry > 0);

        // Every second of the follow-up schedule between its first and last firing fired (once, per the check above).
        var seconds = fires.Where(f => f.Trigger == "scm.FollowUp.cron").Select(f => f.Scheduled / TimeSpan.TicksPerSecond).Order().ToList();
        Assert.True(seconds.Count >= 12, $"{seconds.Count} follow-up firings");
        Assert.Equal(seconds[^1] - seconds[0] + 1, seconds.Count);
        foreach (var trigger in new[] { "scm.StatusCheck.cron", "scm.AutoRenewal.cron", "scm.CatalogSync.cron" })
        {
            Assert.Contains(fires, f => f.Trigger == trigger && f.Done);
        }

        // The engine's job lease never refused a run: the cluster never started a job while another run of it was going on.
        var refused = fires.Where(f => f.Done && f.Ran != true).Select(f => $"{f.Job} at {new DateTimeOffset(f.Scheduled, TimeSpan.Zero):O}: ran {f.Ran}, {f.Error}").ToList();
        Assert.True(refused.Count == 0, "Runs that did not run: " + string.Join("; ", refused));
    }

    [SkippableFact]
    [Trait("Category", "MultiProcess")]
    public async Task TwoIndependentSchedulers_SameRecordTable_ShowDuplicateFirings()
    {
        // The control of the test above: two schedulers that are not one cluster (each its own tables) fire the same
        // scheduled times twice, and the record table shows it.
        PostgreSqlTestServer.Require();
        string[] crons = ["--Quartz:FollowUpCron=* * * * * ?", "--Quartz:StatusCheckCron=", "--Quartz:AutoRenewalCron=", "--Quartz:CatalogSyncCron="];
        var a = Start("A", [.. crons, "--Quartz:TablePrefix=qa_"]);
        var b = Start("B", [.. crons, "--Quartz:TablePrefix=qb_"]);
        await a.WaitForLineAsync(IsNthFollowUpDone(3), Startup, "3 follow-up runs");
        await b.WaitForLineAsync(IsNthFollowUpDone(3), Startup, "3 follow-up runs");
        a.Kill();
        b.Kill();

        var fires = await ReadFiresAsync();
        Assert.Contains(fires.GroupBy(f => (f.Trigger, f.Scheduled)), g => g.Count() == 2 && g.Select(f => f.Instance).Distinct().Count() == 2);
    }

    [SkippableFact]
    [Trait("Category", "MultiProcess")]
    public async Task ProcessKilledWhileItsJobRuns_TheOtherRunsTheJobAgainOnceTheLeaseFrees()
    {
        PostgreSqlTestServer.Require();

        // The status check runs once at first start (its daily time is far away) and its first run, on whichever node
        // gets it, stops while holding the job's store lease (20 s). That node is killed; the other must recover the job.
        var hour = (DateTimeOffset.UtcNow.Hour + 12) % 24;
        string[] options =
        [
            $"--Quartz:StatusCheckCron=0 0 {hour} * * ?", "--Quartz:FollowUpCron=* * * * * ?", "--Quartz:AutoRenewalCron=", "--Quartz:CatalogSyncCron=",
            "--Sectigo:Scheduling:JobLeaseDuration=00:00:20",
            "--Worker:HoldLease=job:StatusCheck:default", $"--Worker:HoldTable={_testSchema}.holds",
        ];
        var a = Start("A", options);
        var b = Start("B", options);
        await a.WaitForLineAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), Startup, "READY");
        await b.WaitForLineAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), Startup, "READY");
        var held = new TaskCompletionSource<ChildProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var p in new[] { a, b })
        {
            _ = p.WaitForLineAsync(l => l.StartsWith("HOLD lease=job:StatusCheck:default ", StringComparison.Ordinal), Bound, "HOLD")
                .ContinueWith(t => held.TrySetResult(p), TaskContinuationOptions.OnlyOnRanToCompletion);
        }

        var victim = await held.Task.WaitAsync(Bound);
        var survivor = victim == a ? b : a;
        var victimInstance = Instance(await victim.WaitForLineAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), Bound, "READY"));
        var survivorInstance = Instance(await survivor.WaitForLineAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), Bound, "READY"));
        victim.Kill();
        _output.WriteLine($"killed {victim.Name} ({victimInstance}) while it held the status check; {survivor.Name} ({survivorInstance}) survives");

        // The survivor recovers the firing the dead node left (the job requests recovery). The recovered run finds the
        // job's lease still held by the dead node, does not run, and fails so the retry policy runs it again; once the
        // lease has expired, a retry runs the job to the end.
        var recovered = await survivor.WaitForLineAsync(l => l.StartsWith("FIRE job=StatusCheck ", StringComparison.Ordinal) && l.Contains(" recovering=True ", StringComparison.Ordinal), Bound, "the recovered status check");
        var recoveryTrigger = Field(recovered, "trigger");
        Assert.Contains("recover_" + victimInstance, recoveryTrigger, StringComparison.Ordinal);
        var refused = await survivor.WaitForLineAsync(l => l.StartsWith($"DONE job=StatusCheck trigger={recoveryTrigger} ", StringComparison.Ordinal), Bound, "the recovered run's end");
        Assert.True(Field(refused, "ran") == "False", $"The recovered run should have found the dead node's lease (20 s) still held; detection was slower than that: {refused}");
        var ran = await survivor.WaitForLineAsync(l => l.StartsWith($"DONE job=StatusCheck trigger={recoveryTrigger} ", StringComparison.Ordinal) && l.Contains(" ran=True ", StringComparison.Ordinal), Bound, "the retried run");
        Assert.Equal(survivorInstance, Field(ran, "instance"));

        var fires = await ReadFiresAsync();
        var statusChecks = fires.Where(f => f.Job == "StatusCheck").ToList();
        Assert.Contains(statusChecks, f => f.Instance == victimInstance && !f.Done && !f.Recovering);
        Assert.Contains(statusChecks, f => f.Instance == survivorInstance && f.Trigger == recoveryTrigger && f.Retry > 0 && f.Ran == true);
        Assert.True(victim.HasExited);
    }

    private ChildProcess Start(string name, IEnumerable<string> extra, CountdownOfLines? countdown = null)
    {
        var simulator = _simulator!;
        string[] arguments =
        [
            $"--Worker:ConnectionString={PostgreSqlTestServer.Require()}",
            $"--Worker:StoreSchema={_storeSchema}",
            $"--Worker:RecordTable={Fires}",
            $"--Sectigo:InstanceName={name}",
            $"--Sectigo:Client:BaseAddress={simulator.BaseAddress}",
            $"--Sectigo:Client:Login={simulator.Credentials.Login}",
            $"--Sectigo:Client:CustomerUri={simulator.Credentials.CustomerUri}",
            $"--Sectigo:KeyProtection:Key={Convert.ToBase64String(new byte[32])}",
            $"--Quartz:Schema={_quartzSchema}",
            "--Quartz:ClusterCheckinInterval=00:00:01",
            "--Quartz:ClusterCheckinMisfireThreshold=00:00:02",
            "--Quartz:RetryInitialDelay=00:00:01",
            "--Quartz:RetryMaxDelay=00:00:02",
            "--Quartz:MaxRetries=30",
            .. extra,
        ];
        var process = new ChildProcess(name, arguments, new Dictionary<string, string> { ["Sectigo__Client__Password"] = simulator.Credentials.Password });
        if (countdown is not null)
        {
            process.LineReceived += (_, line) => countdown.Observe(line);
        }

        _processes.Add(process);
        return process;
    }

    private static Func<string, bool> IsNthFollowUpDone(int n)
    {
        var seen = 0;
        return line => line.StartsWith("DONE job=FollowUp ", StringComparison.Ordinal) && ++seen >= n;
    }

    private static string Instance(string readyLine) => readyLine["READY instance=".Length..].Trim();

    private static string Field(string line, string name) => FieldPattern().Matches(line).Single(m => m.Groups[1].Value == name).Groups[2].Value;

    [GeneratedRegex(@"(\w+)=(\S+)")]
    private static partial Regex FieldPattern();

    private async Task<List<Fire>> ReadFiresAsync()
    {
        await using var connection = new NpgsqlConnection(PostgreSqlTestServer.Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT job, trigger_key, scheduled, recovering, retry, instance, done, ran, error FROM {Fires}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var fires = new List<Fire>();
        while (await reader.ReadAsync())
        {
            fires.Add(new Fire(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetBoolean(3), reader.GetInt32(4), reader.GetString(5),
                reader.GetBoolean(6), reader.IsDBNull(7) ? null : reader.GetBoolean(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return fires;
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgreSqlTestServer.Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Fire(string Job, string Trigger, long Scheduled, bool Recovering, int Retry, string Instance, bool Done, bool? Ran, string? Error);

    /// <summary>Completes once <c>count</c> matching lines were printed, by any of the processes it observes.</summary>
    private sealed class CountdownOfLines(int count, Func<string, bool> match)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public void Observe(string line)
        {
            if (match(line) && Interlocked.Increment(ref _seen) >= count)
            {
                _done.TrySetResult();
            }
        }

        public async Task WaitAsync(TimeSpan timeout, string what)
        {
            try
            {
                await _done.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"Not {what} within {timeout} (saw {Volatile.Read(ref _seen)}).");
            }
        }
    }
}
