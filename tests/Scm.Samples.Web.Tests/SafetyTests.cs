using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Scm.Samples.Web.Tests;

/// <summary>Antiforgery on the forms, and no secret in any page.</summary>
[Collection(DashboardCollection.Name)]
public sealed class SafetyTests(DashboardFixture fixture)
{
    private const string TokenField = "__RequestVerificationToken";

    [SkippableFact(Timeout = 120_000)]
    public Task FormPost_WithoutAntiforgeryToken_Rejected400AndNothingSentToScm() => fixture.RunAsync(nameof(FormPost_WithoutAntiforgeryToken_Rejected400AndNothingSentToScm), async page =>
    {
        var sim = fixture.Simulator;
        await Ui.SyncCatalogAsync(page);
        var name = "forged-" + Guid.NewGuid().ToString("N")[..8] + ".acme.example";
        await Ui.FillOrderAsync(page, name);
        var (action, fields) = await ReadFormAsync(page.Locator("#place-order"));
        Assert.True(fields.Exists(f => f.Key == TokenField), "The order form carries no antiforgery token.");
        var enrollsBefore = sim.Counters.EnrollPosts;

        // The signed-in browser's cookies (authentication and antiforgery cookie) but no token in the form: refused.
        var forged = await PostAsync(page, action, fields.Where(f => f.Key != TokenField));
        Assert.Equal(400, forged.Status);
        Assert.Equal(enrollsBefore, sim.Counters.EnrollPosts);
        Assert.DoesNotContain(sim.GetOrders(), o => o.CommonName == name);

        // A token that is not the one issued with this session's cookie: refused too.
        var wrong = await PostAsync(page, action, fields.Select(f => f.Key == TokenField ? KeyValuePair.Create(f.Key, "CfDJ8" + new string('A', 150)) : f));
        Assert.Equal(400, wrong.Status);
        Assert.Equal(enrollsBefore, sim.Counters.EnrollPosts);

        // The same request with its token is accepted (the test's control: the rejection was about the token alone).
        var genuine = await PostAsync(page, action, fields);
        Assert.InRange(genuine.Status, 200, 399);
        Assert.Equal(enrollsBefore + 1, sim.Counters.EnrollPosts);
        Assert.Single(sim.GetOrders(), o => o.CommonName == name);

        // Sign-out is a form too.
        await page.GotoAsync("/certificates");
        var (signOut, signOutFields) = await ReadFormAsync(page.Locator("#sign-out"));
        var forgedSignOut = await PostAsync(page, signOut, signOutFields.Where(f => f.Key != TokenField));
        Assert.Equal(400, forgedSignOut.Status);
        await page.GotoAsync("/certificates");
        await Assertions.Expect(page.Locator("#sign-out")).ToBeVisibleAsync();
    });

    [SkippableFact(Timeout = 120_000)]
    public Task Pages_EveryPageVisited_ShowsNoPasswordOrKey() => fixture.RunAsync(nameof(Pages_EveryPageVisited_ShowsNoPasswordOrKey), async page =>
    {
        // RunAsync searches every HTML document loaded here for the administrator's and the SCM account's password and
        // secret, the keystore passwords typed in the tests, and any PEM private key.
        var keystorePassword = "Ks-" + Guid.NewGuid().ToString("N");
        fixture.AddSecret(keystorePassword);
        // (The other tests' pages are searched the same way: among them the order and certificate pages of an order
        // placed with a keystore password, and the keystore download.)
        foreach (var (nav, path) in new[]
        {
            ("#nav-certificates", "/certificates"), ("#nav-orders", "/orders"), ("#nav-new-order", "/orders/new"),
            ("#nav-catalog", "/catalog"), ("#nav-auto-renewal", "/auto-renewal"), ("#nav-account", "/account"),
        })
        {
            await page.Locator(nav).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
        }

        // The account page (linked to the simulator with a password) says the password is set, and shows it nowhere.
        await Assertions.Expect(page.GetByTestId("password-set")).ToHaveTextAsync("set");
        await Assertions.Expect(page.Locator("#Password")).ToHaveValueAsync(string.Empty);
        Assert.DoesNotContain(fixture.Simulator.Credentials.Password, await page.ContentAsync(), StringComparison.Ordinal);

        // A refused order form comes back without the keystore password typed into it.
        await Ui.SyncCatalogAsync(page);
        await Ui.FillOrderAsync(page, "-bad.acme.example", keystorePassword);
        await page.Locator("#place-order").ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for=\"CommonName\"]")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#KeystorePassword")).ToHaveValueAsync(string.Empty);

        foreach (var path in new[] { "/catalog?tab=domains", "/catalog?tab=profiles", "/orders" })
        {
            await page.GotoAsync(path);
        }
    });

    /// <summary>The form of a submit button: where it posts, and its fields as the browser would send them.</summary>
    private static async Task<(string Action, List<KeyValuePair<string, string>> Fields)> ReadFormAsync(ILocator submit)
    {
        var json = await submit.EvaluateAsync<string>(
            """
            b => {
              const form = b.form;
              const data = new FormData(form, b);
              const fields = [];
              for (const [k, v] of data) { if (typeof v === 'string') fields.push([k, v]); }
              const action = b.hasAttribute('formaction') ? b.formAction : form.action;
              return JSON.stringify({ action, fields });
            }
            """);
        using var doc = JsonDocument.Parse(json);
        var fields = doc.RootElement.GetProperty("fields").EnumerateArray()
            .Select(f => KeyValuePair.Create(f[0].GetString()!, f[1].GetString()!)).ToList();
        return (doc.RootElement.GetProperty("action").GetString()!, fields);
    }

    private static async Task<IAPIResponse> PostAsync(IPage page, string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var (key, value) in fields)
        {
            form.Append(key, value);
        }

        return await page.Context.APIRequest.PostAsync(url, new APIRequestContextOptions { Form = form, MaxRedirects = 0, Timeout = 15_000 });
    }
}
