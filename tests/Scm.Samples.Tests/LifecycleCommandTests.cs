using System.Text.Json;
using Scm.Client;
using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary>order, status, renew and reissue against `scm simulator` through --simulator-url (classes run in parallel).</summary>
public sealed class OrderRenewReissueCommandTests(CliSimulatorFixture fixture) : IClassFixture<CliSimulatorFixture>
{

    [Fact]
    public async Task Order_WithoutWait_ThenStatusWait_IssuesAndInstalls()
    {
        var store = fixture.NewStore();
        var order = await store.RunAsync("order", "--cn", "status.acme.example", "--org", "2001", "--profile", "102", "--term", "365", "--key", "ec",
            "--keystore", "pem", "--custom-field", "Cost Center=CC-7", "--comments", "from the CLI tests", "--requester", "ops@acme.example", "--tag", "cli");
        Assert.True(order.ExitCode == 0, order.ToString());
        Assert.Contains("Submitted", order.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Issued", order.Output, StringComparison.Ordinal);

        var status = await store.RunAsync("status", "status.acme.example", "--wait", "--timeout", "60");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Issued status.acme.example", status.Output, StringComparison.Ordinal);
        Assert.Contains("keystore.pem", status.Output, StringComparison.Ordinal);

        var again = await store.RunAsync("status");
        Assert.Contains("No open orders.", again.Output, StringComparison.Ordinal);
        var certificate = Assert.Single(await store.CertificatesAsync());
        Assert.Equal("cli", certificate.GetProperty("tags")[0].GetString());
        Assert.Equal("Pem", certificate.GetProperty("keystoreType").GetString());
    }

    [Fact]
    public async Task Renew_ByShortId_NewCertificateOldSuperseded()
    {
        var store = fixture.NewStore();
        var old = await store.IssueAsync("renew.acme.example");
        var id = old.GetProperty("id").GetString()!;
        var listed = await store.RunAsync("list");
        Assert.Contains(id.Replace("-", string.Empty, StringComparison.Ordinal)[^8..], listed.Output, StringComparison.Ordinal); // the short id the table shows
        var result = await store.RunAsync("renew", id[^8..], "--wait");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Renewal submitted", result.Output, StringComparison.Ordinal);
        Assert.Contains("Renewed renew.acme.example", result.Output, StringComparison.Ordinal);

        var certificates = await store.CertificatesAsync();
        Assert.Equal("Superseded", certificates.Single(c => c.GetProperty("id").GetString() == id).GetProperty("status").GetString());
        var renewed = certificates.Single(c => c.GetProperty("status").GetString() == "Active");
        Assert.Equal(id, renewed.GetProperty("renewedFromId").GetString());
        Assert.NotEqual(old.GetProperty("sslId").GetInt64(), renewed.GetProperty("sslId").GetInt64());
    }

    [Fact]
    public async Task Renew_ProfileForbidsRenewal_ExitsOneWithTheScmCode()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("norenew.acme.example", profile: 104, term: 90);
        var result = await store.RunAsync("renew", certificate.GetProperty("sslId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("-180", result.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("not allowed", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reissue_ByCommonName_NewKeyAndNamesSameSslId()
    {
        var store = fixture.NewStore();
        var old = await store.IssueAsync("reissue.acme.example", key: "rsa");
        var result = await store.RunAsync("reissue", "reissue.acme.example", "--reason", "key rotation", "--key", "ec", "--curve", "P-384",
            "--san", "reissue.acme.example", "--san", "reissue2.acme.example", "--keystore", "jks", "--wait");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Reissued reissue.acme.example", result.Output, StringComparison.Ordinal);
        Assert.Contains("keystore.jks", result.Output, StringComparison.Ordinal);

        var reissued = (await store.CertificatesAsync()).Single(c => c.GetProperty("status").GetString() == "Active");
        Assert.Equal(old.GetProperty("sslId").GetInt64(), reissued.GetProperty("sslId").GetInt64());
        Assert.Equal(old.GetProperty("id").GetString(), reissued.GetProperty("replacesId").GetString());
        Assert.Equal("P-384", reissued.GetProperty("curve").GetString());
        Assert.Contains("reissue2.acme.example", reissued.GetProperty("subjectAlternativeNames").EnumerateArray().Select(e => e.GetString()));
    }

}

/// <summary>revoke, cancel and delete against `scm simulator` through --simulator-url.</summary>
public sealed class RevokeCancelDeleteCommandTests(CliSimulatorFixture fixture) : IClassFixture<CliSimulatorFixture>
{
    private ScmSimulator Simulator => fixture.Simulator;

    [Fact]
    public async Task Revoke_BySslId_RevokedAtScmAndLocally_BadReasonCodeExitsTwo()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("revoke.acme.example");
        var sslId = certificate.GetProperty("sslId").GetInt64();
        var sslIdText = sslId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var bad = await store.RunAsync("revoke", sslIdText, "--reason-code", "2", "--comments", "no");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--reason-code (ReasonCode)", bad.ErrorLine, StringComparison.Ordinal);
        Assert.Equal("Issued", Simulator.GetOrder(sslId)!.Status);

        var result = await store.RunAsync("revoke", sslIdText, "--reason-code", "4", "--comments", "moved to a new host");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Revoked revoke.acme.example", result.Output, StringComparison.Ordinal);
        Assert.Equal("Revoked", Simulator.GetOrder(sslId)!.Status);
        Assert.Equal(4, Simulator.GetOrder(sslId)!.ReasonCode);
        Assert.Equal("Revoked", Assert.Single(await store.CertificatesAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Revoke_ScmAnswers503_ExitsOneWithOneLine_NothingChanges()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("refused.acme.example");
        var sslId = certificate.GetProperty("sslId").GetInt64();
        var fault = Simulator.Faults.Add(ScmFault.On("POST", "/ssl/*/revoke/" + sslId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ServerError(503).Always());
        try
        {
            var result = await store.RunAsync("revoke", certificate.GetProperty("id").GetString()!, "--comments", "x");
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("503", result.ErrorLine, StringComparison.Ordinal);
            Assert.Equal("Active", Assert.Single(await store.CertificatesAsync()).GetProperty("status").GetString());
        }
        finally
        {
            Simulator.Faults.Remove(fault);
        }
    }

    [Fact]
    public async Task Revoke_WithRemove_RevokedAndRemovedLocally_AuditKeepsBoth()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("remove.acme.example");
        var result = await store.RunAsync("revoke", "remove.acme.example", "--reason-code", "5", "--comments", "decommissioned", "--remove");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("local record removed", result.Output, StringComparison.Ordinal);
        Assert.Empty(await store.CertificatesAsync());
        Assert.Equal("Revoked", Simulator.GetOrder(certificate.GetProperty("sslId").GetInt64())!.Status);
        var audit = await store.RunAsync("audit", "--certificate", certificate.GetProperty("sslId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, audit.ExitCode); // the certificate is gone, so it cannot be named any more
        var all = await store.RunAsync("audit");
        Assert.Contains("Revoked", all.Output, StringComparison.Ordinal);
        Assert.Contains("Deleted", all.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoRenew_EnableForListedCertificates_OptsThemIn()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("listed.acme.example");
        var id = certificate.GetProperty("id").GetString()!;
        var result = await store.RunAsync("auto-renew", "enable", id, "--selection", "listed", "--days", "45");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("listed.acme.example", result.Output, StringComparison.Ordinal);
        Assert.Contains("auto-renew Enabled", result.Output, StringComparison.Ordinal);
        Assert.Contains("renew 45 days before expiry", result.Output, StringComparison.Ordinal);
        Assert.Contains("listed certificates (1)", result.Output, StringComparison.Ordinal);
        Assert.Equal("Enabled", Assert.Single(await store.CertificatesAsync()).GetProperty("autoRenew").GetString());

        var off = await store.RunAsync("auto-renew", "disable");
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.Contains("Auto-renewal policy: disabled", off.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_OrderAwaitingApproval_DeclinedInScm()
    {
        var store = fixture.NewStore();
        var order = await store.RunAsync("order", "--cn", "ev.acme.example", "--org", "2001", "--profile", "103", "--term", "365", "--key", "rsa", "--custom-field", "Cost Center=CC-7", "--wait", "--timeout", "30");
        Assert.True(order.ExitCode == 0, order.ToString());
        Assert.Contains("AwaitingApproval", order.Output, StringComparison.Ordinal);
        var sslId = (await store.ListAsync()).GetProperty("orders")[0].GetProperty("sslId").GetInt64();

        var result = await store.RunAsync("cancel", "ev.acme.example", "--reason", "no longer needed");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Cancelled order", result.Output, StringComparison.Ordinal);
        Assert.Equal("Declined", Simulator.GetOrder(sslId)!.Status);
        Assert.Equal("Cancelled", (await store.ListAsync()).GetProperty("orders")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Delete_Certificate_RemovedLocallyOnly_SecondDeleteFails()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("delete.acme.example");
        var id = certificate.GetProperty("id").GetString()!;
        var result = await store.RunAsync("delete", id);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Deleted certificate", result.Output, StringComparison.Ordinal);
        Assert.Empty(await store.CertificatesAsync());
        Assert.Equal("Issued", Simulator.GetOrder(certificate.GetProperty("sslId").GetInt64())!.Status);

        var again = await store.RunAsync("delete", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("No order matches", again.ErrorLine, StringComparison.Ordinal);

        var audit = await store.RunAsync("audit", "--action", "Delete");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        Assert.Contains("delete.acme.example", audit.Output, StringComparison.Ordinal);
    }

}

/// <summary>audit, import and auto-renew settings against `scm simulator` through --simulator-url.</summary>
public sealed class AuditImportCommandTests(CliSimulatorFixture fixture) : IClassFixture<CliSimulatorFixture>
{
    private ScmSimulator Simulator => fixture.Simulator;

    [Fact]
    public async Task Audit_ForOneCertificate_ShowsOrderIssueAndDeploy()
    {
        var store = fixture.NewStore();
        var certificate = await store.IssueAsync("audit.acme.example");
        var result = await store.RunAsync("audit", "--certificate", certificate.GetProperty("id").GetString()!);
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var decision in new[] { "Requested", "KeyGenerated", "Submitted", "Issued", "Deployed" })
        {
            Assert.Contains(decision, result.Output, StringComparison.Ordinal);
        }

        var none = await store.RunAsync("audit", "--from", "2000-01-01", "--to", "2000-01-02");
        Assert.Contains("No audit entries match.", none.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_OrdersMadeByAnotherTool_ObserveOnlyAndFollowed()
    {
        var issued = await EnrollDirectlyAsync("imported.acme.example", 102, issue: true);
        var pending = await EnrollDirectlyAsync("imported-ev.acme.example", 103, issue: false);
        var store = fixture.NewStore();
        var result = await store.RunAsync("import");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Import done", result.Output, StringComparison.Ordinal);

        var list = await store.ListAsync();
        var certificate = list.GetProperty("certificates").EnumerateArray().Single(c => c.GetProperty("sslId").GetInt64() == issued);
        Assert.True(certificate.GetProperty("observeOnly").GetBoolean());
        Assert.Equal("Imported", certificate.GetProperty("origin").GetString());
        var order = list.GetProperty("orders").EnumerateArray().Single(o => o.GetProperty("sslId").GetInt64() == pending);
        Assert.Equal("AwaitingApproval", order.GetProperty("state").GetString());

        var again = await store.RunAsync("import", "--status", "Issued");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains(" 0 imported", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_SkippedCountedByReason_ScmFailingPausesSaysSoAndFinishes()
    {
        // A revoked order is skipped and counted as revoked. SCM then fails twelve details GETs (sent once each here):
        // the circuit breaker opens, and the import says it pauses and finishes after the (1 s) break instead of
        // stopping with "cannot reach SCM".
        var orders = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            orders.Add(await EnrollDirectlyAsync($"paused{i}.acme.example", 102, issue: true));
        }

        using (var client = NewClient())
        {
            await client.Ssl.RevokeAsync(orders[0], RevocationReason.Superseded, "replaced by hand");
        }

        var store = fixture.NewStore();
        var down = Simulator.Faults.Add(Scm.Testing.ScmFault.On("GET", "/ssl/v1/*").ServerError(503).Times(12));
        CliResult result;
        try
        {
            result = await store.RunConfiguredAsync(
                new Dictionary<string, string?> { ["Sectigo:Client:MaxRetryAttempts"] = "0", ["Sectigo:Client:CircuitBreakerBreakDuration"] = "00:00:01" },
                "import");
        }
        finally
        {
            Simulator.Faults.Remove(down);
        }

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(12, down.Hits);
        Assert.Contains("SCM failing: paused 1 s (its circuit breaker is open); the import resumes by itself.", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"Import done: \d+ SCM orders looked at, \d+ imported, 0 already known, \d+ skipped \((\d+ [a-z]+, )*\d+ revoked(, \d+ [a-z]+)*\), 0 failed; paused \d+ s in all while SCM was failing\.", result.Output);
        var list = await store.ListAsync();
        Assert.All(orders.Skip(1), id => Assert.Contains(list.GetProperty("certificates").EnumerateArray(), c => c.GetProperty("sslId").GetInt64() == id));
        Assert.DoesNotContain(list.GetProperty("certificates").EnumerateArray(), c => c.GetProperty("sslId").GetInt64() == orders[0]);
    }

    private ScmClient NewClient() => new(new ScmClientOptions
    {
        BaseAddress = Simulator.BaseAddress,
        Login = Simulator.Credentials.Login,
        Password = Simulator.Credentials.Password,
        CustomerUri = Simulator.Credentials.CustomerUri,
    });

    private async Task<long> EnrollDirectlyAsync(string name, int profile, bool issue)
    {
        using var client = new ScmClient(new ScmClientOptions
        {
            BaseAddress = Simulator.BaseAddress,
            Login = Simulator.Credentials.Login,
            Password = Simulator.Credentials.Password,
            CustomerUri = Simulator.Credentials.CustomerUri,
        });
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=" + name, key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1).CreateSigningRequestPem();
        var result = await client.Ssl.EnrollAsync(new SslEnrollRequest
        {
            OrganizationId = 2001,
            ProfileId = profile,
            Term = 365,
            Csr = csr,
            Comments = "made by another tool",
            CustomFields = [new CustomFieldValue("Cost Center", "1")],
        });
        if (issue)
        {
            Simulator.IssueNow(result.SslId);
        }

        return result.SslId;
    }
}

/// <summary>auto-renew enable/disable/show/run with certificates that become due within seconds.</summary>
public sealed class AutoRenewCommandTests(ShortLivedCliSimulatorFixture fixture) : IClassFixture<ShortLivedCliSimulatorFixture>
{
    [Fact]
    public async Task AutoRenew_EnableShowRun_RenewsDueCertificateOnce_OptedOutSkipped_Audited()
    {
        var store = fixture.NewStore();
        var due = await store.IssueAsync("due.acme.example");
        var optedOut = await store.IssueAsync("optout.acme.example");

        var enable = await store.RunAsync("auto-renew", "enable", "--days", "30");
        Assert.True(enable.ExitCode == 0, enable.ToString());
        Assert.Contains("Auto-renewal policy: enabled, renew 30 days before expiry", enable.Output, StringComparison.Ordinal);
        var disable = await store.RunAsync("auto-renew", "disable", optedOut.GetProperty("id").GetString()![^8..]);
        Assert.True(disable.ExitCode == 0, disable.ToString());
        Assert.Contains("optout.acme.example", disable.Output, StringComparison.Ordinal);
        Assert.Contains("auto-renew Disabled", disable.Output, StringComparison.Ordinal);

        var show = await store.RunAsync("auto-renew", "show");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("due.acme.example", show.Output, StringComparison.Ordinal);
        Assert.Contains("Disabled", show.Output, StringComparison.Ordinal);

        // 30-second certificates are due in their last third.
        var notAfter = due.GetProperty("notAfter").GetDateTimeOffset();
        var wait = notAfter - TimeSpan.FromSeconds(10) + TimeSpan.FromMilliseconds(500) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var run = await store.RunAsync("auto-renew", "run", "--wait", "--timeout", "30");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Renewed", run.Output, StringComparison.Ordinal);
        Assert.Contains("Renewed due.acme.example", run.Output, StringComparison.Ordinal);
        Assert.Contains("Auto-renewal audit (this run)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Renewed optout.acme.example", run.Output, StringComparison.Ordinal);

        var again = await store.RunAsync("auto-renew", "run");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("Renewed due.acme.example", again.Output, StringComparison.Ordinal);

        var audit = await store.RunAsync("audit", "--auto-renewal");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        Assert.Contains("AutoRenew", audit.Output, StringComparison.Ordinal);
        Assert.Contains("due.acme.example", audit.Output, StringComparison.Ordinal);

        var certificates = await store.CertificatesAsync();
        Assert.Contains(certificates, c => c.TryGetProperty("renewedFromId", out var from) && from.GetString() == due.GetProperty("id").GetString());
    }
}
