using System.Text.Json;
using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary>Every command that needs no existing certificate, against a fresh in-process simulator (--simulator).</summary>
public sealed class SimulatorFlagTests
{
    private static readonly string[] ValidOrder =
        ["order", "--simulator", "--cn", "www.acme.example", "--san", "api.acme.example", "--org", "2001", "--profile", "102", "--term", "365", "--custom-field", "Cost Center=CC-1"];

    [Fact]
    public async Task AccountCheck_Ready_ExitsZero()
    {
        var result = await CliRun.RunAsync("--simulator", "account", "check");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Account ready", result.Output, StringComparison.Ordinal);
        Assert.Contains("credentials", result.Output, StringComparison.Ordinal);
        Assert.Contains("in-process SCM simulator", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_ShowsOrganizationsDomainsWithValidationAndProfilesWithTermsAndKeys()
    {
        var result = await CliRun.RunAsync("sync", "--simulator");
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var expected in new[] { "Acme Corporation", "acme.example", "VALIDATED", "NOT_VALIDATED", "Sim OV Multi-Domain", "365, 730", "RSA 2048/3072/4096", "EC P-256/P-384", "Cost Center", "Catalog synced" })
        {
            Assert.Contains(expected, result.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("pkcs12", "rsa", "keystore.pfx", "RSA 2048")]
    [InlineData("jks", "ec", "keystore.jks", "EC P-256")]
    [InlineData("pem", "ec", "keystore.pem", "EC P-384")]
    public async Task Order_EachKeystoreType_WaitsUntilIssuedAndWritesTheKeystore(string keystore, string key, string file, string keyText)
    {
        string[] args = [.. ValidOrder, "--keystore", keystore, "--key", key, .. key == "ec" && keystore == "pem" ? new[] { "--curve", "P-384" } : [], "--tag", "web"];
        var result = await CliRun.RunAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Ordered www.acme.example", result.Output, StringComparison.Ordinal);
        Assert.Contains("Issued www.acme.example", result.Output, StringComparison.Ordinal);
        Assert.Contains(keyText, result.Output, StringComparison.Ordinal);
        Assert.Contains("keystore written to", result.Output, StringComparison.Ordinal);
        // <deploy dir>/www.acme.example-<the id's last 8 hex digits>/live/<keystore>: the path a server points at.
        Assert.Matches(@"www\.acme\.example-[0-9a-f]{8}" + System.Text.RegularExpressions.Regex.Escape(Path.DirectorySeparatorChar + Path.Combine("live", file)), result.Output);
        Assert.Contains("keystore password (generated, shown only now): ********", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Order_MissingMandatoryCustomField_ExitsTwoNamingTheField_NothingSent()
    {
        ScmSimulator? simulator = null;
        var result = await CliRun.RunAsync(ValidOrder[..^2], CliRun.Isolated(simulatorStarted: s => simulator = s));
        Assert.Equal(2, result.ExitCode);
        var line = result.ErrorLine;
        Assert.Contains("--custom-field (CustomFields)", line, StringComparison.Ordinal);
        Assert.Contains("Cost Center", line, StringComparison.Ordinal);
        Assert.NotNull(simulator);
        Assert.Equal(0, simulator.Counters.EnrollPosts);
    }

    [Theory]
    [InlineData("--term", "999", "--term (TermDays)")]
    [InlineData("--cn", "shop.globex.example", "not delegated")]
    [InlineData("--key-size", "1024", "--key-size (KeySize)")]
    [InlineData("--comments", "", "")]
    public async Task Order_BreaksACatalogRule_ExitsTwoNamingTheOption(string option, string value, string named)
    {
        if (option == "--comments")
        {
            // An over-long comment (the SDK reserves room for its correlation marker).
            value = new string('c', 1000);
            named = "--comments (Comments)";
        }

        var args = ValidOrder.ToList();
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var result = await CliRun.RunAsync([.. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.ErrorLine, StringComparison.Ordinal);
        Assert.StartsWith("error: invalid request:", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Order_CanaryKeystorePassword_NeverPrinted_EvenVerbose()
    {
        const string Canary = "Canary-Keystore-Pw-7f3e9a1b";
        ScmSimulator? simulator = null;
        var result = await CliRun.RunAsync([.. ValidOrder, "--keystore", "pem", "--key", "ec", "--keystore-password", Canary, "--verbose"], CliRun.Isolated(simulatorStarted: s => simulator = s));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Issued www.acme.example", result.Output, StringComparison.Ordinal);
        Assert.Contains("keystore password: ********", result.Output, StringComparison.Ordinal);
        Assert.Contains("Scm.Lifecycle", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(simulator!.Credentials.Password, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Order_GeneratedPassword_MaskedUnlessShowSecrets()
    {
        const string Prefix = "keystore password (generated, shown only now): ";
        var masked = await CliRun.RunAsync([.. ValidOrder, "--key", "ec"]);
        Assert.True(masked.ExitCode == 0, masked.ToString());
        var maskedLine = Assert.Single(masked.Output.Split('\n'), l => l.Contains(Prefix, StringComparison.Ordinal));
        Assert.Contains(Prefix + "********", maskedLine, StringComparison.Ordinal);

        var shown = await CliRun.RunAsync([.. ValidOrder, "--key", "ec", "--show-secrets"]);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        var shownLine = Assert.Single(shown.Output.Split('\n'), l => l.Contains(Prefix, StringComparison.Ordinal));
        var password = shownLine[(shownLine.IndexOf(Prefix, StringComparison.Ordinal) + Prefix.Length)..].Trim();
        Assert.DoesNotContain("*", password, StringComparison.Ordinal);
        Assert.True(password.Length >= 16, password);
        Assert.Equal(2, shown.All.Split(password).Length); // shown once, only there
    }

    [Fact]
    public async Task List_Json_ParsesWithCertificatesAndOrders()
    {
        var result = await CliRun.RunAsync("list", "--simulator", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("certificates").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("orders").GetArrayLength());
    }

    [Theory]
    [InlineData("import", "0 imported")]
    [InlineData("status", "No open orders.")]
    [InlineData("audit", "No audit entries match.")]
    [InlineData("list", "The inventory is empty")]
    [InlineData("auto-renew show", "Auto-renewal policy: disabled")]
    [InlineData("auto-renew run", "Auto-renewal scan done")]
    public async Task EmptyAccount_Commands_ExitZeroAndSaySo(string command, string expected)
    {
        var result = await CliRun.RunAsync(["--simulator", .. command.Split(' ')]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemporaryStore_DeletedWhenTheCommandEnds()
    {
        var result = await CliRun.RunAsync("--simulator", "list");
        Assert.True(result.ExitCode == 0, result.ToString());
        var store = result.Error.Split("store ")[1].Split(' ')[0];
        Assert.EndsWith("scm.db", store, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(store)), store);
    }
}
