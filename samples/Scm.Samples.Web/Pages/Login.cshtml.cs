using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Scm.Samples.Web.Hosting;
using Scm.Samples.Web.Security;

namespace Scm.Samples.Web.Pages;

/// <summary>Sign-in: the configured administrator's password (throttled), or OpenID Connect when configured.</summary>
public sealed class LoginModel : PageModel
{
    private readonly AdministratorSignIn _signIn;
    private readonly DashboardSettings _settings;
    private readonly ILogger<LoginModel> _logger;

    public LoginModel(AdministratorSignIn signIn, DashboardSettings settings, ILogger<LoginModel> logger)
    {
        _signIn = signIn;
        _settings = settings;
        _logger = logger;
    }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    /// <summary>Bound from the form, never rendered back.</summary>
    [BindProperty]
    public string? Password { get; set; }

    public string? Message { get; private set; }

    public bool PasswordSignIn => _signIn.IsConfigured;

    /// <summary>The OpenID Connect button's label, when configured.</summary>
    public string? OpenIdConnect => _settings.OpenIdConnect.IsConfigured ? _settings.OpenIdConnect.DisplayName : null;

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? LocalRedirect(SafeReturnUrl()) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var client = HttpContext.Connection.RemoteIpAddress?.ToString();
        var outcome = _signIn.Check(UserName, Password, client);
        Password = null;
        if (outcome != SignInOutcome.Accepted)
        {
            Log.SignInRefused(_logger, client, outcome.ToString());
            Message = outcome == SignInOutcome.LockedOut
                ? "Too many failed sign-ins: try again in a minute."
                : "Wrong user name or password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, _signIn.UserName!), new Claim(ClaimTypes.Role, "administrator")],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        Log.SignedIn(_logger, _signIn.UserName!);
        return LocalRedirect(SafeReturnUrl());
    }

    public IActionResult OnPostExternal() => _settings.OpenIdConnect.IsConfigured
        ? Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl() }, DashboardApp.OpenIdConnectScheme)
        : NotFound();

    private string SafeReturnUrl() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) && !ReturnUrl.StartsWith("/login", StringComparison.OrdinalIgnoreCase) ? ReturnUrl : "/certificates";
}
