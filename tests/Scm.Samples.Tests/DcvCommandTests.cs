using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Scm.Samples.Console;
using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary>`scm dcv list` and `scm dcv validate` against a simulator of each test's own (its DNS zone and DCV options).</summary>
public sealed partial class DcvCommandTests
{
    private const string Pending = "pending-dcv.example";

    [Fact]
    public async Task DcvList_SeededAccount_ShowsEachDomainWithStatusAndExpiry_FiltersAndJson()
    {
        await using var sim = await DcvSimulator.StartAsync();

        var list = await sim.RunAsync("dcv", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"acme\.example\s*│\s*VALIDATED\s*│[^\n]*│\s*\d{4}-\d{2}-\d{2}", list.Output);
        Assert.Matches(@"pending-dcv\.example\s*│\s*NOT_VALIDATED", list.Output);
        Assert.Matches(@"expired-dcv\.example\s*│\s*EXPIRED", list.Output);

        var validated = await sim.RunAsync("dcv", "list", "--status", "validated", "--json");
        Assert.True(validated.ExitCode == 0, validated.ToString());
        using var json = JsonDocument.Parse(validated.Output);
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Contains(rows, r => r.GetProperty("domain").GetString() == "acme.example" && r.GetProperty("expiresOn").GetString() is { Length: 10 });
        Assert.All(rows, r => Assert.Equal("VALIDATED", r.GetProperty("status").GetString()));
        Assert.DoesNotContain(rows, r => r.GetProperty("domain").GetString() == Pending);
    }

    [Fact]
    public async Task DcvValidateCname_RecordPublishedInTheZone_ValidatedAndListedValidated()
    {
        await using var sim = await DcvSimulator.StartAsync();

        // Without a terminal and without --yes: prints the record and how to go on, submits nothing.
        var first = await sim.RunAsync("dcv", "validate", Pending, "--method", "cname");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Not submitted", first.Output, StringComparison.Ordinal);
        Assert.Contains($"scm dcv validate {Pending} --method cname --yes", first.Output, StringComparison.Ordinal);
        var (host, type, point) = Record(first.Output);
        Assert.Equal("CNAME", type);
        Assert.EndsWith("." + Pending + ".", host, StringComparison.Ordinal);
        Assert.EndsWith(".sectigo.com.", point, StringComparison.Ordinal);

        sim.Zone.Set(host, ScmSimulatorDnsRecordType.Cname, point);
        var second = await sim.RunAsync("dcv", "validate", Pending, "--method", "cname", "--yes");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal((host, type, point), Record(second.Output)); // the same challenge
        Assert.Contains($"✓ {Pending} validated", second.Output, StringComparison.Ordinal);

        var list = await sim.RunAsync("dcv", "list", "--json");
        using var json = JsonDocument.Parse(list.Output);
        var row = json.RootElement.EnumerateArray().Single(r => r.GetProperty("domain").GetString() == Pending);
        Assert.Equal("VALIDATED", row.GetProperty("status").GetString());
    }

    [Fact]
    public async Task DcvValidateCname_MissingThenWrongRecord_ExitsOneWithScmsMessage_NotValidated()
    {
        await using var sim = await DcvSimulator.StartAsync();

        var missing = await sim.RunAsync("dcv", "validate", Pending, "--method", "cname", "--yes");
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("SCM's check failed (SCM error -1603)", missing.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("Error validating domain", missing.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("✓", missing.Output, StringComparison.Ordinal);

        var (host, _, _) = Record(missing.Output);
        sim.Zone.Set(host, ScmSimulatorDnsRecordType.Cname, "0123456789abcdef.wrong.sectigo.com.");
        var wrong = await sim.RunAsync("dcv", "validate", Pending, "--method", "cname", "--yes");
        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        Assert.Contains("SCM error -1603", wrong.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("✓", wrong.Output, StringComparison.Ordinal);

        var list = await sim.RunAsync("dcv", "list", "--status", "not-validated", "--json");
        using var json = JsonDocument.Parse(list.Output);
        Assert.Contains(json.RootElement.EnumerateArray(), r => r.GetProperty("domain").GetString() == Pending);
    }

    [Fact]
    public async Task DcvValidateTxt_RecordFromTheFirstSubmitPublished_Validated()
    {
        await using var sim = await DcvSimulator.StartAsync();

        var first = await sim.RunAsync("dcv", "validate", Pending, "--method", "txt");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Not submitted", first.Output, StringComparison.Ordinal);
        var (host, type, point) = Record(first.Output);
        Assert.Equal("TXT", type);
        Assert.Equal("_pki-validation." + Pending + ".", host);

        sim.Zone.Set(host, ScmSimulatorDnsRecordType.Txt, point);
        var second = await sim.RunAsync("dcv", "validate", Pending, "--method", "txt", "--yes");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal((host, type, point), Record(second.Output));
        Assert.Contains($"✓ {Pending} validated", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DcvValidateHttp_PrintedFileServed_Validated()
    {
        await using var web = new FileServer();
        await using var sim = await DcvSimulator.StartAsync(o => o.DcvHttpBaseAddresses[Pending] = web.BaseAddress);

        var first = await sim.RunAsync("dcv", "validate", Pending, "--method", "http");
        Assert.True(first.ExitCode == 0, first.ToString());
        var match = HttpPattern().Match(first.Output);
        Assert.True(match.Success, first.ToString());
        var url = new Uri(match.Groups[1].Value);
        Assert.Equal(Pending, url.Host);
        Assert.StartsWith("/.well-known/pki-validation/", url.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("sectigo.com", match.Groups[3].Value);

        // Nothing served yet: SCM's check fails with its message.
        var early = await sim.RunAsync("dcv", "validate", Pending, "--method", "http", "--yes");
        Assert.True(early.ExitCode == 1, early.ToString());
        Assert.Contains("SCM error -1603", early.ErrorLine, StringComparison.Ordinal);

        web.Serve(url.AbsolutePath, match.Groups[2].Value + "\n" + match.Groups[3].Value + "\n");
        var served = await sim.RunAsync("dcv", "validate", Pending, "--method", "http", "--yes");
        Assert.True(served.ExitCode == 0, served.ToString());
        Assert.Contains($"✓ {Pending} validated", served.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DcvValidateEmail_OfferedAddressWithAutoConfirm_Validated()
    {
        await using var sim = await DcvSimulator.StartAsync(o => o.DcvEmailAutoConfirm = true);

        var result = await sim.RunAsync("dcv", "validate", Pending, "--method", "email", "--email", "hostmaster@" + Pending, "--yes");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SCM will mail a validation link to hostmaster@" + Pending, result.Output, StringComparison.Ordinal);
        Assert.Contains($"✓ {Pending} validated", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DcvValidateEmail_NoAddressWithoutTerminal_ListsOfferedAddresses_UsageError()
    {
        await using var sim = await DcvSimulator.StartAsync();

        var result = await sim.RunAsync("dcv", "validate", Pending, "--method", "email");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("admin@" + Pending, result.Output, StringComparison.Ordinal);
        Assert.Contains("webmaster@" + Pending, result.Output, StringComparison.Ordinal);
        Assert.Contains("--email is required", result.ErrorLine, StringComparison.Ordinal);

        var other = await sim.RunAsync("dcv", "validate", Pending, "--method", "email", "--email", "someone@elsewhere.example", "--yes");
        Assert.True(other.ExitCode == 2, other.ToString());
        Assert.Contains("is not an address SCM offers", other.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DcvValidateEmail_LinkFollowedWhileWaiting_PollsOnTheCliClockUntilValidated()
    {
        await using var sim = await DcvSimulator.StartAsync();
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var run = sim.StartRun(time, "dcv", "validate", Pending, "--method", "email", "--email", "admin@" + Pending, "--yes", "--timeout", "60");

        await run.UntilOutputAsync("Waiting for SCM to validate");
        Assert.DoesNotContain("✓", run.Output.Text, StringComparison.Ordinal);
        sim.Simulator.ConfirmDcvEmail(Pending); // the mailed link is followed
        var result = await run.AdvanceUntilDoneAsync(time);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"✓ {Pending} validated", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DcvValidateEmail_LinkNeverFollowed_TimesOutOnTheCliClock_ExitsOne()
    {
        await using var sim = await DcvSimulator.StartAsync();
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var run = sim.StartRun(time, "dcv", "validate", Pending, "--method", "email", "--email", "admin@" + Pending, "--yes", "--timeout", "30");

        await run.UntilOutputAsync("Waiting for SCM to validate");
        var result = await run.AdvanceUntilDoneAsync(time);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{Pending} is not validated after 30 s", result.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("until the mailed link is followed", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DcvList_DcvNotEnabled_ExitsOneNamingMinus1608()
    {
        await using var sim = await DcvSimulator.StartAsync(o => o.DcvEnabled = false);

        var list = await sim.RunAsync("dcv", "list");
        Assert.True(list.ExitCode == 1, list.ToString());
        Assert.Contains("DCV is not enabled for this SCM customer (SCM error -1608", list.ErrorLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dcv validate acme.example --method ftp", "ftp")]
    [InlineData("dcv validate acme.example", "--method")]
    [InlineData("dcv validate acme.example --method cname --email admin@acme.example", "--email is only for --method email")]
    [InlineData("dcv list --status fine", "fine")]
    public async Task Dcv_BadUsage_ExitsTwoNamingTheProblem(string command, string named)
    {
        var result = await CliRun.RunAsync(command.Split(' '));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("Using ", result.Error, StringComparison.Ordinal); // nothing started
    }

    private static (string Host, string Type, string Point) Record(string output)
    {
        var match = RecordPattern().Match(output);
        Assert.True(match.Success, output);
        return (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
    }

    [GeneratedRegex(@"name:\s+(\S+)\n\s+type:\s+(\S+)\n\s+value:\s+(\S+)")]
    private static partial Regex RecordPattern();

    [GeneratedRegex(@"url:\s+(\S+)\n\s+content \(two lines\):\n\s+(\S+)\n\s+(\S+)")]
    private static partial Regex HttpPattern();

    /// <summary>A web server on 127.0.0.1 that serves one file (the domain's web server in the HTTP validation).</summary>
    private sealed class FileServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private volatile string? _path;
        private volatile string? _content;

        public FileServer()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
            _listener.Prefixes.Add(BaseAddress.ToString());
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public Uri BaseAddress { get; }

        public void Serve(string path, string content)
        {
            _content = content;
            _path = path;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Close();
            await _loop.WaitAsync(TimeSpan.FromSeconds(30)); // the loop ends when the closed listener throws
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var response = context.Response;
                if (_path is { } path && context.Request.Url?.AbsolutePath == path)
                {
                    var body = System.Text.Encoding.UTF8.GetBytes(_content!);
                    response.ContentType = "text/plain";
                    await response.OutputStream.WriteAsync(body);
                }
                else
                {
                    response.StatusCode = 404;
                }
            }
        }
    }

    /// <summary>A simulator with a DNS zone, and a store of this test's own; commands reach it with --simulator-url.</summary>
    private sealed class DcvSimulator : IAsyncDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-cli-dcv-" + Guid.NewGuid().ToString("N"));

        private DcvSimulator(ScmSimulator simulator, ScmSimulatorDnsZone zone)
        {
            Simulator = simulator;
            Zone = zone;
        }

        public ScmSimulator Simulator { get; }

        public ScmSimulatorDnsZone Zone { get; }

        public static async Task<DcvSimulator> StartAsync(Action<ScmSimulatorOptions>? configure = null)
        {
            var zone = new ScmSimulatorDnsZone();
            var options = new ScmSimulatorOptions { DnsResolver = zone, Log = null };
            configure?.Invoke(options);
            return new DcvSimulator(await ScmSimulator.StartAsync(options), zone);
        }

        private string[] Arguments(string[] args) =>
            ["--simulator-url", Simulator.BaseAddress.GetLeftPart(UriPartial.Authority), "--store", Path.Combine(_folder, "scm.db"), .. args];

        private CliEnvironment Environment(TimeProvider? time = null) =>
            CliRun.Isolated(keyFile: Path.Combine(_folder, "keys", "protector.key")) with { Time = time ?? TimeProvider.System };

        public Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(Arguments(args), Environment());

        /// <summary>Starts a run on a fake clock; the test watches its output and moves the clock.</summary>
        public Running StartRun(FakeTimeProvider time, params string[] args)
        {
            var output = new CliRun.CapturingConsole(width: 220);
            var error = new CliRun.CapturingConsole(width: 4096);
            var task = Cli.RunAsync(Arguments(args), output.Console, error.Console, Environment(time));
            return new Running(task, output, error);
        }

        public async ValueTask DisposeAsync()
        {
            await Simulator.DisposeAsync();
            EngineSession.TryDelete(_folder);
        }
    }

    private sealed class Running(Task<int> task, CliRun.CapturingConsole output, CliRun.CapturingConsole error)
    {
        public CliRun.CapturingConsole Output => output;

        /// <summary>Waits (real time, bounded) until the output shows <paramref name="text"/>; the fake clock does not move meanwhile.</summary>
        public async Task UntilOutputAsync(string text)
        {
            var stop = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
            while (!output.Text.Contains(text, StringComparison.Ordinal))
            {
                if (task.IsCompleted || TimeProvider.System.GetUtcNow() > stop)
                {
                    Assert.Fail($"'{text}' never appeared: exit {(task.IsCompleted ? task.Result.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")}\n{output.Text}\n{error.Text}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
            }
        }

        /// <summary>Moves the fake clock a second at a time until the run ends (bounded in real time).</summary>
        public async Task<CliResult> AdvanceUntilDoneAsync(FakeTimeProvider time)
        {
            var stop = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
            while (!task.IsCompleted && TimeProvider.System.GetUtcNow() < stop)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System));
            }

            Assert.True(task.IsCompleted, "the run did not end: " + output.Text + error.Text);
            return new CliResult(await task, output.Text, error.Text);
        }
    }
}
