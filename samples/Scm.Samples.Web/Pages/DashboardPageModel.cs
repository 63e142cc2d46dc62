using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Samples.Web.Hosting;
using Scm.Samples.Web.Security;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>What every dashboard page shares: the account's engine, the signed-in user, flash messages, error handling.</summary>
public abstract class DashboardPageModel : PageModel
{
    private ICertificateLifecycle? _engine;
    private bool _looked;

    /// <summary>The linked account's engine, or <see langword="null"/> before an account is linked.</summary>
    public ICertificateLifecycle? Engine
    {
        get
        {
            if (!_looked)
            {
                _looked = true;
                var accounts = HttpContext.RequestServices.GetRequiredService<ICertificateLifecycleProvider>();
                _engine = accounts.TryGet(AccountLinks.AccountName, out var engine) ? engine : null;
            }

            return _engine;
        }
    }

    /// <summary>The signed-in user's name (the audit actor of what this request does).</summary>
    public string UserName => DashboardActor.NameOf(User) ?? "unknown";

    /// <summary>The current time (the app's clock).</summary>
    public DateTimeOffset Now => HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    protected ILogger Logger => HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Scm.Samples.Web");

    /// <summary>A success message for the next page.</summary>
    protected void Flash(string message) => TempData["Flash"] = message;

    /// <summary>A failure message for the next page.</summary>
    protected void Error(string message) => TempData["Error"] = message;

    /// <summary>
    /// Runs an engine operation for a form post: the message it returns becomes the flash, an expected failure (bad
    /// input, unknown record, SCM's refusal, a store conflict) the error message; then redirects.
    /// </summary>
    protected async Task<IActionResult> RunAsync(string action, Func<ICertificateLifecycle, Task<string>> operation, string redirectTo)
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        try
        {
            var message = await operation(engine);
            Log.Action(Logger, action, UserName, message);
            Flash(message);
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            Log.Action(Logger, action, UserName, "refused: " + ex.Message);
            Error($"{action} failed: {ex.Message}");
        }

        return Redirect(redirectTo);
    }

    /// <summary>Failures a page reports as a message (their messages name the problem and never a secret).</summary>
    public static bool IsExpected(Exception ex) =>
        ex is ArgumentException or InvalidOperationException or KeyNotFoundException or ScmRequestException or ScmStoreException or KeyProtectionException;
}
