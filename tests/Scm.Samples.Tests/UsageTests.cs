namespace Scm.Samples.Tests;

/// <summary>Bad usage exits 2 with one line naming the problem; nothing is started.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("bogus", "bogus")]
    [InlineData("list --nope", "--nope")]
    [InlineData("order --cn www.acme.example --org 2001 --profile 102", "--term")]
    [InlineData("order --cn www.acme.example --org acme --profile 102 --term 365", "--org")]
    [InlineData("order --cn www.acme.example --org 2001 --profile 102 --term 365 --keystore zip", "zip")]
    [InlineData("order --cn www.acme.example --org 2001 --profile 102 --term 365 --key dsa", "dsa")]
    [InlineData("order --cn www.acme.example --org 2001 --profile 102 --term 365 --custom-field CostCenter", "--custom-field")]
    [InlineData("revoke 1000 --reason-code 4", "--comments")]
    [InlineData("reissue 1000", "--reason")]
    [InlineData("renew", "renew")]
    [InlineData("auto-renew", "command")]
    [InlineData("auto-renew enable --days 0", "--days")]
    [InlineData("audit --limit 0", "--limit")]
    [InlineData("simulator --port 70000", "--port")]
    [InlineData("demo --lifetime 5", "--lifetime")]
    [InlineData("status --timeout 0 --wait", "--timeout")]
    [InlineData("list --account", "--account")]
    [InlineData("--account a/b list", "--account 'a/b'")]
    public async Task BadUsage_ExitsTwo_OneLineNamingTheProblem(string commandLine, string named)
    {
        var result = await CliRun.RunAsync(commandLine.Split(' '));
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error:", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulatorAndSimulatorUrl_Together_ExitsTwo()
    {
        var result = await CliRun.RunAsync("--simulator", "--simulator-url", "http://127.0.0.1:9", "list");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--simulator and --simulator-url", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulatorUrl_NotLoopback_ExitsTwo()
    {
        var result = await CliRun.RunAsync("--simulator-url", "http://example.com:5080", "list");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--simulator-url", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulatorUrl_NothingListening_ExitsOneWithHint()
    {
        var result = await CliRun.RunAsync("--simulator-url", "http://127.0.0.1:9", "list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("scm simulator", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryCommand_ExitsZero()
    {
        var result = await CliRun.RunAsync("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "demo", "account", "accounts", "sync", "import", "order", "status", "renew", "auto-renew", "audit", "reissue", "revoke", "cancel", "delete", "list", "simulator" })
        {
            Assert.Contains("  " + command, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("--simulator", result.Output, StringComparison.Ordinal);
        Assert.Contains("--store", result.Output, StringComparison.Ordinal);
        Assert.Contains("--account <name>", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoArguments_ShowsHelp_ExitsTwo()
    {
        var result = await CliRun.RunAsync([]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Commands:", result.Output, StringComparison.Ordinal);
        Assert.Single(result.ErrorLines);
    }

    [Fact]
    public async Task OrderHelp_ShowsEveryOrderField()
    {
        var result = await CliRun.RunAsync("order", "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--cn", "--san", "--org", "--profile", "--term", "--key", "--key-size", "--curve", "--keystore", "--keystore-password", "--comments", "--requester", "--custom-field", "--tag", "--wait" })
        {
            Assert.Contains(option + " ", result.Output, StringComparison.Ordinal);
        }
    }
}
