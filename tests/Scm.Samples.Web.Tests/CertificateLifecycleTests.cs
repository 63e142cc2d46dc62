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
        await page.Locator("#place-order").ClickAsync();

        // The engine's own message, next to the field; the form is shown again, with the name kept and nothing sent.
        await Assertions.Expect(page.Locator("[data-valmsg-for=\"CommonName\"]"))
            .ToContainTextAsync("'bad..acme.example' is not a valid DNS name: it has an empty label.");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/orders/new"));
        await Assertions.Expect(page.Locator("#CommonName")).ToHaveValueAsync("bad..acme.example");
        Assert.Equal(enrollsBefore, fixture.Simulator.Counters.EnrollPosts);
        Assert.DoesNotContain(fixture.Simulator.GetRequestLog().Skip(requestsBefore), r => r.Method == "POST");
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

        // Order: one enroll reaches SCM, and the order page shows the order waiting for SCM.
        var enrollsBefore = sim.Counters.EnrollPosts;
        var orderId = await Ui.PlaceOrderAsync(page, name, keystorePassword);
        Assert.Equal(enrollsBefore + 1, sim.Counters.EnrollPosts);
        var scmOrder = Ui.ScmOrder(sim, name);
        Assert.Equal(365, scmOrder.Term);
        Assert.Equal(101, scmOrder.ProfileId);
        await Assertions.Expect(page.GetByTestId("order-state")).Not.ToHaveTextAsync(new Regex("Completed"));

        // SCM issues it; Check status collects it and links the certificate.
        sim.IssueNow(scmOrder.SslId);
        await page.Locator("#check-status").ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-state")).ToHaveTextAsync(new Regex("Completed"));
        await page.GetByTestId("certificate-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.CertificatePage());
        var certificateUrl = page.Url;
        var serial = sim.GetOrder(scmOrder.SslId)!.SerialNumber!;
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync(name);

        // In the inventory, active.
        await page.GotoAsync("/certificates?q=" + Uri.EscapeDataString(name));
        var row = page.Locator("tr[data-certificate-id]", new() { HasText = name });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.GetByTestId("certificate-status")).ToHaveTextAsync(new Regex("Active"));

        // Renew: a second SCM order for the name; once issued and collected, the new certificate replaces the old one.
        await page.GotoAsync(certificateUrl);
        await page.Locator("#renew").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToBeVisibleAsync();
        var renewal = Ui.ScmOrder(sim, name);
        Assert.NotEqual(scmOrder.SslId, renewal.SslId);
        Assert.Equal(2, sim.GetOrders().Count(o => o.CommonName == name));
        sim.IssueNow(renewal.SslId);
        await page.GotoAsync("/orders");
        await page.Locator("#check-pending").ClickAsync();
        await page.GotoAsync("/certificates?q=" + Uri.EscapeDataString(name));
        var rows = page.Locator("tr[data-certificate-id]", new() { HasText = name });
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.GetByTestId("certificate-status").Filter(new() { HasTextRegex = new Regex("Active") })).ToHaveCountAsync(1);
        await Assertions.Expect(rows.GetByTestId("certificate-status").Filter(new() { HasTextRegex = new Regex("Superseded") })).ToHaveCountAsync(1);

        // Revoke the new certificate with a reason: SCM revokes it, the inventory shows it revoked.
        var renewed = rows.Filter(new() { Has = page.GetByTestId("certificate-status").Filter(new() { HasTextRegex = new Regex("Active") }) });
        await renewed.Locator("a[href^=\"/certificates/\"]").First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.CertificatePage());
        await Ui.SetAsync(page.Locator("#RevokeReason"), "Superseded");
        await page.Locator("#RevokeComments").FillAsync("replaced in the browser test");
        await page.Locator("#revoke").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToBeVisibleAsync();
        var revoked = sim.GetOrder(renewal.SslId)!;
        Assert.Equal("Revoked", revoked.Status);
        Assert.Equal(4, revoked.ReasonCode);
        Assert.NotEqual("Revoked", sim.GetOrder(scmOrder.SslId)!.Status);
        Assert.NotNull(serial);

        // The audit of this certificate names the signed-in administrator as the actor of what was done in the browser.
        var audit = page.GetByTestId("audit");
        await Assertions.Expect(audit).ToContainTextAsync("Revoke");
        await Assertions.Expect(audit.GetByTestId("audit-actor").Filter(new() { HasText = DashboardFixture.AdminUserName }).First).ToBeVisibleAsync();
        await page.GotoAsync("/auto-renewal");
        var actors = await page.GetByTestId("audit").GetByTestId("audit-actor").AllTextContentsAsync();
        Assert.Contains(actors, a => a.Trim() == DashboardFixture.AdminUserName);
    });
}
