using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary>`scm demo` end to end: every step reaches its state, exit code 0, and no secret is printed.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_EveryStepReachesItsState_ExitsZero_NoSecretPrinted()
    {
        ScmSimulator? simulator = null;
        string? simulatorPassword = null;
        var result = await CliRun.RunAsync(["demo", "--clean"], CliRun.Isolated(simulatorStarted: s =>
        {
            simulator = s;
            simulatorPassword = s.Credentials.Password;
        }));
        Assert.True(result.ExitCode == 0, result.ToString());
        var output = result.Output;
        string[] expected =
        [
            "1. Account check", "Account ready",
            "2. Catalog sync", "Acme Corporation", "VALIDATED", "Sim EV SSL (approval required)", "Synced",
            "3. Import existing orders", "4 imported", "Active (observe-only)", "AwaitingApproval",
            "4. Order certificates", "Rejected before anything was sent", "--custom-field (CustomFields)",
            "Ordered www.acme.example", "Ordered api.acme.example", "Ordered mail.acme.test", "Ordered secure.acme.example",
            "5. Order status until issued", "Issued www.acme.example", "PKCS#12 keystore written to", "Issued api.acme.example", "JKS keystore written to",
            "Issued mail.acme.test", "PEM keystore written to", "secure.acme.example: AwaitingApproval",
            "PKCS#12 keystore verified", "JKS keystore verified", "PEM keystore verified",
            "6. Manual renewal", "Renewed www.acme.example", "Superseded (renewed)",
            "7. Auto-renewal", "Auto-renewal policy: enabled", "Auto-renewal decisions", "Observe-only", "Renewed api.acme.example", "Renewed mail.acme.test", "A second scan renews nothing again", "Auto-renewal audit",
            "8. Reissue", "Reissued www.acme.example", "Superseded (reissued)",
            "9. Revoke", "Revoked mail.acme.test", "SCM status Revoked",
            "10. Cancel a pending order", "Cancelled order", "SCM status Declined",
            "11. Delete", "Deleted",
            "12. Final inventory and audit trail", "Inventory", "Audit trail",
            "All 12 steps reached their states",
        ];
        var at = 0;
        foreach (var text in expected)
        {
            var next = output.IndexOf(text, at, StringComparison.Ordinal);
            Assert.True(next >= 0, $"'{text}' missing (or out of order) after position {at}:\n{output}");
            at = next;
        }

        // Generated keystore passwords are masked; the simulator's password never shows.
        Assert.Equal(4, output.Split("keystore password (generated, shown only now): ********").Length - 1);
        Assert.NotNull(simulatorPassword);
        Assert.DoesNotContain(simulatorPassword, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(result.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));

        // Ground truth in the simulator: 4 enrolls by "another tool" and 4 by the demo (the rejected order sent nothing),
        // 1 manual renewal and 2 auto-renewals, each exactly once.
        Assert.Equal(8, simulator!.Counters.EnrollPosts);
        Assert.Equal(3, simulator.Counters.RenewPosts);

        // --clean removed the temporary folder.
        var root = output.Split("goes to ")[1].Split('\n')[0].Trim().TrimEnd('.');
        Assert.False(Directory.Exists(root), root);
    }
}
