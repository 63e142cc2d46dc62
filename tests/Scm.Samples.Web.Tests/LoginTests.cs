using Microsoft.Playwright;

namespace Scm.Samples.Web.Tests;

/// <summary>Cookie sign-in with the configured administrator, in a real browser.</summary>
[Collection(DashboardCollection.Name)]
public sealed class LoginTests(DashboardFixture fixture)
{
    [SkippableFact(Timeout = 120_000)]
    public Task Login_WrongPassword_RefusedStaysOnLoginWithError() => fixture.RunAsync(nameof(Login_WrongPassword_RefusedStaysOnLoginWithError), async page =>
    {
        await page.GotoAsync("/login");
        await page.Locator("#UserName").FillAsync(DashboardFixture.AdminUserName);
        await page.Locator("#Password").FillAsync(fixture.AdminPassword + "-wrong");
        await page.Locator("#sign-in").ClickAsync();

        await Assertions.Expect(page.GetByTestId("login-error")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.LoginPage());
        await Assertions.Expect(page.Locator("#sign-out")).ToHaveCountAsync(0);

        // Still signed out: a page that needs the login sends the browser back to it.
        await page.GotoAsync("/certificates");
        await Assertions.Expect(page).ToHaveURLAsync(Ui.LoginPage());
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
    }, signIn: false);

    [SkippableFact(Timeout = 120_000)]
    public Task Login_UnknownUser_Refused() => fixture.RunAsync(nameof(Login_UnknownUser_Refused), async page =>
    {
        await page.GotoAsync("/login");
        await page.Locator("#UserName").FillAsync("someone-else");
        await page.Locator("#Password").FillAsync(fixture.AdminPassword);
        await page.Locator("#sign-in").ClickAsync();

        await Assertions.Expect(page.GetByTestId("login-error")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.LoginPage());
    }, signIn: false);

    [SkippableFact(Timeout = 120_000)]
    public Task Pages_SignedOut_RedirectToLoginWithReturnUrl() => fixture.RunAsync(nameof(Pages_SignedOut_RedirectToLoginWithReturnUrl), async page =>
    {
        foreach (var path in new[] { "/certificates", "/orders", "/orders/new", "/catalog", "/auto-renewal", "/account" })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(
                "/login\\?ReturnUrl=" + System.Text.RegularExpressions.Regex.Escape(Uri.EscapeDataString(path)), System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        }

        // Signing in from there returns to the page asked for.
        await page.Locator("#UserName").FillAsync(DashboardFixture.AdminUserName);
        await page.Locator("#Password").FillAsync(fixture.AdminPassword);
        await page.Locator("#sign-in").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account$"));
    }, signIn: false);

    [SkippableFact(Timeout = 120_000)]
    public Task SignOut_EndsTheSession() => fixture.RunAsync(nameof(SignOut_EndsTheSession), async page =>
    {
        await page.GotoAsync("/certificates");
        await Assertions.Expect(page.GetByTestId("certificates")).ToBeVisibleAsync();

        await page.Locator("#sign-out").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Ui.LoginPage());
        await page.GotoAsync("/certificates");
        await Assertions.Expect(page).ToHaveURLAsync(Ui.LoginPage());
    });
}
