using System.Globalization;
using System.Text.RegularExpressions;
using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary>`scm demo --year`: a small fleet on the fake clock, the report's figures checked against the simulator's ground truth.</summary>
public sealed class YearDemoTests
{
    [Fact]
    public async Task DemoYear_FiveCertificates120Days_NoneExpiredNoDuplicates_ReportMatchesTheSimulator_ExitsZero()
    {
        ScmSimulator? simulator = null;
        var result = await CliRun.RunAsync(
            ["demo", "--year", "--certificates", "5", "--days", "120", "--seed", "4", "--clean"],
            CliRun.Isolated(simulatorStarted: s => simulator = s));

        Assert.True(result.ExitCode == 0, result.ToString());
        var output = result.Output;
        string[] expected =
        [
            "a year of short-lived certificates on a fake clock",
            "5 certificates of 47 days for 120 simulated days from 2029-03-15",
            "a 24-hour outage from day 59 on. Seed 4.",
            "keystores use 1,000 PBKDF2 iterations",
            "Certificates", "5 of 47 days",
            "Renewals made", "DCV revalidations", "Certificates that ever expired", "Duplicate orders",
            "Longest past a renewal point", "SCM requests", "Wall time", "for 120 simulated days",
            "The temporary folder was deleted (--clean).",
            "No certificate expired and no order was duplicated in 120 days.",
        ];
        var at = 0;
        foreach (var text in expected)
        {
            var next = output.IndexOf(text, at, StringComparison.Ordinal);
            Assert.True(next >= 0, $"'{text}' missing (or out of order) after position {at}:\n{output}");
            at = next;
        }

        Assert.DoesNotContain(result.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        var renewals = Number(output, @"Renewals made\s*│\s*(\d+) renewal orders at SCM");
        var stored = Number(output, @"renewal orders at SCM \((\d+) renewed certificates stored");
        var open = Number(output, @"renewed certificates stored, (\d+) still open");
        var revalidations = Number(output, @"DCV revalidations\s*│\s*(\d+) \(0 failed\)");
        Assert.Equal(0, Number(output, @"Certificates that ever expired\s*│\s*(\d+)\s*│\s*0"));
        Assert.Equal(0, Number(output, @"Duplicate orders\s*│\s*(\d+)\s*│\s*0"));
        var late = double.Parse(Match(output, @"Longest past a renewal point\s*│\s*(\d+\.\d) h"), CultureInfo.InvariantCulture);
        var requests = Number(output, @"SCM requests\s*│\s*([\d,]+)");

        // 5 certificates ordered over 47 days, each renewed about every 31.3 days: 11 to 15 renewals in 120 days.
        Assert.InRange(renewals, 11, 15);
        Assert.Equal(renewals, stored + open);
        Assert.True(revalidations > 0, output);
        Assert.InRange(late, 0, 48);

        // The report is the simulator's ground truth (its counters outlive it): as many renewal orders as reported, each
        // certificate renewed at most once, one enroll per certificate (orders are placed before the outage, and faults
        // hit reads only), and every request counted.
        var counters = simulator!.Counters;
        var renewedSslIds = counters.RenewalOrdersBySslId();
        Assert.Equal(renewals, renewedSslIds.Values.Sum());
        Assert.All(renewedSslIds, p => Assert.Equal(1, p.Value));
        Assert.Equal(5, counters.EnrollPosts);
        Assert.Equal(5 + renewals, counters.BillableOrders);
        Assert.Equal(requests, counters.Requests);

        // --clean removed the temporary folder.
        var root = Match(output, @"The store and keys go to (\S+) ");
        Assert.False(Directory.Exists(root), root);
    }

    [Theory]
    [InlineData("--certificates applies to `scm demo --year` only", "demo", "--certificates", "5")]
    [InlineData("--seed applies to `scm demo --year` only", "demo", "--seed", "3")]
    [InlineData("--lifetime applies to the lifecycle demo, not to --year", "demo", "--year", "--lifetime", "60")]
    [InlineData("--certificates must be 1..10000.", "demo", "--year", "--certificates", "0")]
    [InlineData("--days must be 1..1095.", "demo", "--year", "--days", "4000")]
    public async Task DemoYear_BadUsage_ExitsTwoNamingTheOption_NothingRun(string message, params string[] args)
    {
        ScmSimulator? simulator = null;
        var result = await CliRun.RunAsync(args, CliRun.Isolated(simulatorStarted: s => simulator = s));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.ErrorLine, StringComparison.Ordinal);
        Assert.Null(simulator);
    }

    private static long Number(string output, string pattern) =>
        long.Parse(Match(output, pattern), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static string Match(string output, string pattern)
    {
        var match = Regex.Match(output, pattern);
        Assert.True(match.Success, $"'{pattern}' not found in:\n{output}");
        return match.Groups[1].Value;
    }
}
