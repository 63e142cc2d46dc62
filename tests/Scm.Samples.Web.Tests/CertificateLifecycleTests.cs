using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Scm.Samples.Web.Tests;

/// <summary>
/// A certificate's life through the dashboard against the simulator: the order form's validation (nothing sent), an
/// order, its issuance, renewal, revocation, and the audit naming the signed-in administrator.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class CertificateLifecycleTests(DashboardFixture fixture)
{
    [SkippableFact(Timeout = 120_000)]
    public Task OrderForm_BadCommonName_ShowsTheApiMessageAtTheFieldAndSendsNothing() => fixture.RunAsync(nameof(OrderForm_BadCommonName_ShowsTheApiMessageAtTheFieldAndSendsNothing), async page =>
    {
        await Ui.SyncCatalogAsync(page);
        var keystorePassword = "Ks-" + Guid.NewGuid().ToString("N");
        fixture.AddSecret(keystorePassword);
        var enrollsBefore = fixture.Simulator.Counters.EnrollPosts;
        var requestsBefore = fixture.Simulator.GetRequestLog().Count;

        await Ui.FillOrderAsync(page, "bad..acme.example", keystorePassword);
        var refused = await page.RunAndWaitForResponseAsync(() => page.Locator("#place-order").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(422, refused.Status);

        // The engine's own message, next to the field; the form is shown again, with the name kept and nothing sent.
        await Assertions.Expect(page.Locator("[data-valmsg-for=\"CommonName\"]"))
            .ToContainTextAsync("'bad..acme.example' is not a valid DNS name: it has an empty label.");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/orders/new"));
        await Assertions.Expect(page.Locator("#CommonName")).ToHaveValueAsync("bad..acme.example");
        Assert.Equal(enrollsBefore, fixture.Simulator.Counters.EnrollPosts);
        Assert.DoesNotContain(fixture.Simulator.GetRequestLog().Skip(requestsBefore), r => r.Path.Contains("enroll", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(fixture.Simulator.GetOrders(), o => o.CommonName.Contains("bad..", StringComparison.Ordinal));

        // A term the profile does not offer: the same, for that field.
        await Ui.FillOrderAsync(page, "term.acme.example", termDays: 400);
        await page.Locator("#place-order").ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for=\"TermDays\"]")).ToContainTextAsync("Term 400 is not offered by profile 101; allowed: 365, 730.");
        Assert.Equal(enrollsBefore, fixture.Simulator.Counters.EnrollPosts);
    });

    [SkippableFact(Timeout = 180_000)]
    public Task Certificate_OrderIssueRenewRevoke_AuditNamesTheSignedInUser() => fixture.RunAsync(nameof(Certificate_OrderIssueRenewRevoke_AuditNamesTheSignedInUser), async page =>
    {
        var sim = fixture.Simulator;
        var name = "life-" + Guid.NewGuid().ToString("N")[..8] + ".acme.example";
        var keystorePassword = "Ks-" + Guid.NewGuid().ToString("N");
        fixture.AddSecret(keystorePassword);
        await Ui.SyncCatalogAsync(page);

        // Order: one enroll reaches SCM, and the order page shows the order waiting for SCM (which issues only when told).
        var enrollsBefore = sim.Counters.EnrollPosts;
        var orderId = await Ui.PlaceOrderAsync(page, name, keystorePassword);
        Assert.Equal(enrollsBefore + 1, sim.Counters.EnrollPosts);
        var first = Ui.ScmOrder(sim, name);
        Assert.Equal((365, 101, 2001), (first.Term, first.ProfileId, first.OrganizationId));
        await Assertions.Expect(page.GetByTestId("ssl-id")).ToHaveTextAsync(first.SslId.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("order-state")).Not.ToHaveTextAsync("Completed");
        await Assertions.Expect(page.GetByTestId("certificate-link")).ToHaveCountAsync(0);

        // SCM issues it; Check status collects it, and the order links its certificate.
        sim.IssueNow(first.SslId);
        await page.Locator("#check-status").ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-state")).ToHaveTextAsync("Completed");
        await page.GetByTestId("certificate-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.CertificatePage());
        var firstUrl = page.Url;
        await Assertions.Expect(page.GetByTestId("certificate-status")).ToHaveTextAsync("Active");
        var details = page.GetByTestId("certificate-details");
        await Assertions.Expect(details).ToContainTextAsync(sim.GetOrder(first.SslId)!.SerialNumber!.Replace(":", "", StringComparison.Ordinal), new() { IgnoreCase = true });

        // The keystore downloads encrypted with the password typed at download time, with the certificate and its key.
        var downloadPassword = "Dl-" + Guid.NewGuid().ToString("N");
        fixture.AddSecret(downloadPassword);
        await page.Locator("#KeystorePassword").FillAsync(downloadPassword);
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-keystore").ClickAsync());
        var file = Path.Combine(Path.GetTempPath(), "scm-web-test-" + Guid.NewGuid().ToString("N") + ".p12");
        await download.SaveAsAsync(file);
        try
        {
            using var keystore = X509CertificateLoader.LoadPkcs12FromFile(file, downloadPassword);
            Assert.True(keystore.HasPrivateKey);
            Assert.Equal(name, keystore.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }
        finally
        {
            File.Delete(file);
        }

        // In the inventory, active.
        await page.GotoAsync("/certificates?status=all&q=" + Uri.EscapeDataString(name));
        var rows = page.GetByTestId("certificates").Locator("tr[data-certificate-id]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.GetByTestId("certificate-status")).ToHaveTextAsync("Active");

        // Renew: SCM gets one renewal of the first order; once issued and collected, the new certificate replaces it.
        await page.GotoAsync(firstUrl);
        await page.Locator("#renew").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Renewal");
        Assert.Equal(1, sim.Counters.RenewalOrdersFor(first.SslId));
        var renewal = Ui.ScmOrder(sim, name);
        Assert.Equal(first.SslId, renewal.RenewedFromSslId);
        sim.IssueNow(renewal.SslId);
        await page.GetByTestId("open-order").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.OrderPage());
        await page.Locator("#check-status").ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-state")).ToHaveTextAsync("Completed");

        // The first certificate is superseded and links its successor, which links back.
        await page.GotoAsync(firstUrl);
        await Assertions.Expect(page.GetByTestId("certificate-status")).ToHaveTextAsync("Superseded");
        await page.GetByTestId("renewed-by").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.CertificatePage());
        Assert.NotEqual(firstUrl, page.Url);
        var renewedUrl = page.Url;
        await Assertions.Expect(page.GetByTestId("certificate-status")).ToHaveTextAsync("Active");
        await Assertions.Expect(page.GetByTestId("renewed-from")).ToHaveAttributeAsync("href", new Uri(firstUrl).AbsolutePath);

        await page.GotoAsync("/certificates?status=all&q=" + Uri.EscapeDataString(name));
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Locator("[data-testid=certificate-status]", new() { HasText = "Active" })).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Locator("[data-testid=certificate-status]", new() { HasText = "Superseded" })).ToHaveCountAsync(1);

        // Revoke the renewed certificate with a reason (4: superseded) and a comment: SCM revokes that one only.
        await page.GotoAsync(renewedUrl);
        await page.Locator("#RevokeReason").SelectOptionAsync("4");
        await page.Locator("#RevokeComments").FillAsync("replaced during the browser test");
        await page.Locator("#revoke").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Revoke");
        await Assertions.Expect(page.GetByTestId("certificate-status")).ToHaveTextAsync("Revoked");
        var revoked = sim.GetOrder(renewal.SslId)!;
        Assert.Equal(("Revoked", (int?)4), (revoked.Status, revoked.ReasonCode));
        Assert.NotEqual("Revoked", sim.GetOrder(first.SslId)!.Status);

        // The audit names the signed-in administrator as the actor of what was done in the browser (the order, the
        // renewal, the revocation), never the engine's anonymous "api".
        var entries = new List<(string Action, string Actor)>();
        foreach (var url in new[] { "/orders/" + orderId, firstUrl, renewedUrl })
        {
            await page.GotoAsync(url);
            entries.AddRange(await Ui.ReadAuditAsync(page));
        }

        Assert.Contains(("Order", DashboardFixture.AdminUserName), entries);
        Assert.Contains(("Renew", DashboardFixture.AdminUserName), entries);
        Assert.Contains(("Revoke", DashboardFixture.AdminUserName), entries);
        Assert.DoesNotContain(entries, e => e.Actor == "api");
    });
}
