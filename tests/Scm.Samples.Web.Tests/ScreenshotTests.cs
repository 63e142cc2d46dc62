using Microsoft.Playwright;

namespace Scm.Samples.Web.Tests;

/// <summary>
/// The certificates page with several certificates (so the expiry timeline has something to show), saved as a test
/// artifact: TestResults/screenshots/web-dashboard-certificates.png. With <c>SCM_UPDATE_SCREENSHOTS=1</c> it is also
/// copied to docs/images/ for the README.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ScreenshotTests(DashboardFixture fixture)
{
    public const string FileName = "web-dashboard-certificates.png";

    [SkippableFact(Timeout = 120_000)]
    public Task CertificatesPage_SeveralCertificates_TimelineRenderedAndScreenshotSaved() => fixture.RunAsync(nameof(CertificatesPage_SeveralCertificates_TimelineRenderedAndScreenshotSaved), async page =>
    {
        var sim = fixture.Simulator;

        // Certificates that expire at different times (90 and 180 days: the DV profile; 365 and 730: OV), in the
        // dashboard through an import; and one ordered through the form.
        foreach (var (name, profile, term) in new[]
        {
            ("shop.acme.example", 104, 90), ("api.acme.example", 104, 180),
            ("www.acme.example", 101, 365), ("mail.acme.example", 101, 730),
        })
        {
            await Ui.OrderInScmAsync(sim, name, profile, term);
        }

        await page.GotoAsync("/orders");
        await page.Locator("#import-start").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Completed"));
        await Ui.SyncCatalogAsync(page);
        // (Plain names: the picture is the README's; no other test uses these.)
        var ordered = "portal.acme.example";
        await Ui.PlaceOrderAsync(page, ordered);
        sim.IssueNow(Ui.ScmOrder(sim, ordered).SslId);
        await page.Locator("#check-status").ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Completed"));

        await page.GotoAsync("/certificates");
        var rows = page.GetByTestId("certificates").Locator("tr[data-certificate-id]");
        foreach (var name in new[] { "shop", "api", "www", "mail", "portal" })
        {
            await Assertions.Expect(rows.Filter(new() { HasText = name + ".acme.example" })).ToHaveCountAsync(1);
        }

        var timeline = page.Locator("svg[data-testid=expiry-timeline]");
        await Assertions.Expect(timeline).ToBeVisibleAsync();
        Assert.True(await timeline.Locator("*").CountAsync() > 5, "The expiry timeline is empty.");

        Directory.CreateDirectory(DashboardFixture.ScreenshotFolder);
        var path = Path.Combine(DashboardFixture.ScreenshotFolder, FileName);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        var png = await File.ReadAllBytesAsync(path);
        Assert.True(png.Length > 10_000, $"The screenshot is only {png.Length} bytes.");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);

        if (Environment.GetEnvironmentVariable("SCM_UPDATE_SCREENSHOTS") == "1")
        {
            File.Copy(path, Path.Combine(DashboardFixture.RepositoryRoot, "docs", "images", FileName), overwrite: true);
        }
    });
}
