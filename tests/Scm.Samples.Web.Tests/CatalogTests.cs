using System.Text.RegularExpressions;
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
        await Assertions.Expect(page.GetByTestId("last-sync")).ToContainTextAsync("Last synced");
        Assert.True(
            fixture.Simulator.GetRequestLog().Count(r => r.Path.Contains("/organization", StringComparison.Ordinal)) > before,
            "Sync did not ask SCM for its organizations.");

        await Assertions.Expect(organizations.Locator("tr[data-organization-id=\"2001\"]")).ToContainTextAsync("Acme Corporation");

        await page.Locator("#tab-profiles").ClickAsync();
        var profiles = page.GetByTestId("profiles");
        await Assertions.Expect(profiles.Locator("tr[data-profile-id]")).ToHaveCountAsync(5);
        await Assertions.Expect(profiles.Locator("tr[data-profile-id=\"101\"]")).ToContainTextAsync("365");
        await Assertions.Expect(profiles.Locator("tr[data-profile-id=\"104\"]")).ToContainTextAsync("90");

        // Domains with their DCV state and expiry, as SCM reports them.
        await page.Locator("#tab-domains").ClickAsync();
        var domains = page.GetByTestId("domains");
        await Assertions.Expect(domains.Locator("tr[data-domain=\"acme.example\"] [data-testid=dcv-status]")).ToHaveTextAsync(new Regex("^\\s*VALIDATED\\s*$", RegexOptions.IgnoreCase));
        await Assertions.Expect(domains.Locator("tr[data-domain=\"acme.example\"] [data-testid=dcv-expiry]")).ToHaveTextAsync(new Regex("\\d{4}-\\d{2}-\\d{2}"));
        await Assertions.Expect(domains.Locator("tr[data-domain=\"pending-dcv.example\"] [data-testid=dcv-status]")).ToHaveTextAsync(new Regex("NOT.VALIDATED", RegexOptions.IgnoreCase));
        await Assertions.Expect(domains.Locator("tr[data-domain=\"expired-dcv.example\"] [data-testid=dcv-status]")).ToHaveTextAsync(new Regex("EXPIRED", RegexOptions.IgnoreCase));
    });
}
