using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Scm.Client;
using Scm.Testing;

namespace Scm.Samples.Web.Tests;

/// <summary>The dashboard's pages as the tests drive them (the ids of the contract in the app's README).</summary>
internal static partial class Ui
{
    /// <summary>Fills a text field, or picks an option (by value or label) when the field is a select.</summary>
    public static async Task SetAsync(ILocator field, string value)
    {
        var tag = await field.EvaluateAsync<string>("e => e.tagName");
        if (string.Equals(tag, "SELECT", StringComparison.OrdinalIgnoreCase))
        {
            await field.SelectOptionAsync(value);
        }
        else
        {
            await field.FillAsync(value);
        }
    }

    /// <summary>Syncs the catalog from the catalog page (the order form needs it) and waits for the organizations.</summary>
    public static async Task SyncCatalogAsync(IPage page)
    {
        await page.GotoAsync("/catalog?tab=organizations");
        await page.Locator("#sync-catalog").ClickAsync();
        await Assertions.Expect(page.GetByTestId("organizations")).ToContainTextAsync("Acme Corporation");
    }

    /// <summary>Fills the order form for one name under Acme (organization 2001, OV profile 101).</summary>
    public static async Task FillOrderAsync(IPage page, string commonName, string? keystorePassword = null, int termDays = 365, int profileId = 101)
    {
        await page.GotoAsync("/orders/new");
        await SetAsync(page.Locator("#CommonName"), commonName);
        await SetAsync(page.Locator("#OrganizationId"), "2001");
        await SetAsync(page.Locator("#ProfileId"), profileId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await SetAsync(page.Locator("#TermDays"), termDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await SetAsync(page.Locator("#KeystoreType"), "Pkcs12");
        await page.Locator("input[data-custom-field=\"Cost Center\"]").FillAsync("4711");
        if (keystorePassword is not null)
        {
            await page.Locator("#KeystorePassword").FillAsync(keystorePassword);
        }
    }

    /// <summary>Places an order through the form and returns its id from the order page it lands on.</summary>
    public static async Task<Guid> PlaceOrderAsync(IPage page, string commonName, string? keystorePassword = null, int termDays = 365, int profileId = 101)
    {
        await FillOrderAsync(page, commonName, keystorePassword, termDays, profileId);
        await page.Locator("#place-order").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(OrderPage());
        return Guid.Parse(OrderPage().Match(page.Url).Groups["id"].Value);
    }

    /// <summary>The simulator's order for a name (the single one, or the newest when several).</summary>
    public static ScmSimulatorOrder ScmOrder(ScmSimulator simulator, string commonName) =>
        simulator.GetOrders().Where(o => string.Equals(o.CommonName, commonName, StringComparison.OrdinalIgnoreCase)).MaxBy(o => o.SslId)
        ?? throw new InvalidOperationException($"The simulator has no order for {commonName}.");

    /// <summary>
    /// Orders a certificate straight at the simulator, as another tool would (so the dashboard only learns of it by an
    /// import), and issues it unless told otherwise.
    /// </summary>
    public static async Task<long> OrderInScmAsync(ScmSimulator simulator, string commonName, int profileId, int termDays, bool issue = true)
    {
        using var client = new ScmClient(new ScmClientOptions
        {
            BaseAddress = simulator.BaseAddress,
            Login = simulator.Credentials.Login,
            Password = simulator.Credentials.Password,
            CustomerUri = simulator.Credentials.CustomerUri,
        });
        // EC P-256, except for the EV profile (103), which takes RSA only.
        using AsymmetricAlgorithm key = profileId == 103 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = (key is RSA rsa
            ? new CertificateRequest("CN=" + commonName, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=" + commonName, (ECDsa)key, HashAlgorithmName.SHA256)).CreateSigningRequestPem();
        var result = await client.Ssl.EnrollAsync(new SslEnrollRequest
        {
            OrganizationId = 2001,
            ProfileId = profileId,
            Term = termDays,
            Csr = csr,
            Comments = "ordered by another tool",
            CustomFields = [new CustomFieldValue("Cost Center", "4711")],
        });
        if (issue)
        {
            simulator.IssueNow(result.SslId);
        }

        return result.SslId;
    }

    /// <summary>The rows of the page's audit table: action and actor.</summary>
    public static async Task<IReadOnlyList<(string Action, string Actor)>> ReadAuditAsync(IPage page)
    {
        var rows = page.GetByTestId("audit").Locator("tr[data-audit-action]");
        var result = new List<(string, string)>();
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            var row = rows.Nth(i);
            result.Add(((await row.GetAttributeAsync("data-audit-action"))!, (await row.GetByTestId("audit-actor").TextContentAsync())!.Trim()));
        }

        return result;
    }

    [GeneratedRegex(@"/orders/(?<id>[0-9a-fA-F-]{36})(\?|$)")]
    public static partial Regex OrderPage();

    [GeneratedRegex(@"/certificates/(?<id>[0-9a-fA-F-]{36})(\?|$)")]
    public static partial Regex CertificatePage();

    [GeneratedRegex(@"/login(\?|$)")]
    public static partial Regex LoginPage();
}
