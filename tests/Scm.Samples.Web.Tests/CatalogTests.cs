using Microsoft.Playwright;

namespace Scm.Samples.Web.Tests;

/// <summary>The catalog page: Sync pulls SCM's organizations, profiles and domains (with DCV state) into the tables.</summary>
[Collection(DashboardCollection.Name)]
public sealed class CatalogTests(DashboardFixture fixture)
{
    [SkippableFact(Timeout = 120_000)]
    public Task SyncCatalog_ShowsOrganizationsProfilesAndDomainsWithDcvState() => fixture.RunAsync(nameof(SyncCatalog_ShowsOrganizationsProfilesAndDomainsWithDcvState), async page =>
    {
        await page.GotoAsync("/catalog?tab=organizations");
        var before = fixture.Simulator.GetRequestLog().Count(r => r.Path.Contains("/organization", StringComparison.Ordinal));

        await page.Locator("#sync-catalog").ClickAsync();

        var organizations = page.GetByTestId("organizations");
        await Assertions.Expect(organizations).ToContainTextAsync("Acme Corporation");
        await Assertions.Expect(organizations).ToContainTextAsync("Globex Inc");
        await Assertions.Expect(page.GetByTestId("last-sync")).Not.ToBeEmptyAsync();
        Assert.True(
            fixture.Simulator.GetRequestLog().Count(r => r.Path.Contains("/organization", StringComparison.Ordinal)) > before,
            "Sync did not ask SCM for its organizations.");

        await page.GotoAsync("/catalog?tab=profiles");
        var profiles = page.GetByTestId("profiles");
        foreach (var profile in new[] { "101", "103", "104" })
        {
            await Assertions.Expect(profiles.Locator("tr", new() { HasText = profile }).First).ToBeVisibleAsync();
        }

        await page.GotoAsync("/catalog?tab=domains");
        var domains = page.GetByTestId("domains");
        await Assertions.Expect(domains.Locator("tr", new() { HasText = "acme.example" }).First).ToContainTextAsync("VALIDATED", new() { IgnoreCase = true });
        await Assertions.Expect(domains.Locator("tr", new() { HasText = "pending-dcv.example" })).ToContainTextAsync("NOT", new() { IgnoreCase = true });
        await Assertions.Expect(domains.Locator("tr", new() { HasText = "expired-dcv.example" })).ToContainTextAsync("EXPIRED", new() { IgnoreCase = true });
    });
}
