using Microsoft.AspNetCore.Mvc;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>The account's catalog as last synced: organizations, domains (with DCV state and expiry), profiles, custom fields.</summary>
public sealed class CatalogModel : DashboardPageModel
{
    private static readonly string[] s_tabs = ["organizations", "domains", "profiles", "custom-fields"];

    [BindProperty(SupportsGet = true, Name = "tab")]
    public string? TabName { get; set; }

    public string Tab => s_tabs.Contains(TabName, StringComparer.Ordinal) ? TabName! : "organizations";

    public ScmAccountCatalog? Catalog { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (Engine is { } engine)
        {
            try
            {
                Catalog = await engine.GetCatalogAsync(cancellationToken);
            }
            catch (Exception ex) when (IsExpected(ex))
            {
                TempData["Error"] = "The catalog could not be read: " + ex.Message;
            }
        }
    }

    public Task<IActionResult> OnPostSyncAsync(CancellationToken cancellationToken) => RunAsync("Catalog sync", async engine =>
    {
        var result = await engine.SyncCatalogAsync(cancellationToken);
        var catalog = result.Catalog;
        return $"Catalog synced: {catalog.Organizations.Count} organizations, {catalog.Domains.Count} domains, {catalog.Profiles.Count} profiles, {catalog.CustomFields.Count} custom fields.";
    }, "/catalog?tab=" + Tab);

    /// <summary>The badge of a domain's validation: validated and not lapsing within 30 days is fine.</summary>
    public string DcvClass(CatalogDomain domain)
    {
        var validated = string.Equals(domain.ValidationStatus, "VALIDATED", StringComparison.OrdinalIgnoreCase);
        if (!validated)
        {
            return "bad";
        }

        if (domain.DcvExpiration is { } expires)
        {
            var days = expires.ToDateTime(TimeOnly.MinValue) - Now.UtcDateTime;
            return days.TotalDays < 0 ? "bad" : days.TotalDays < 30 ? "warn" : "ok";
        }

        return "ok";
    }
}
