using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Scm.Samples.Web.Pages;

/// <summary>
/// The error page for exceptions and error status codes: a title, a plain explanation and the request id; never the
/// exception, a stack trace or anything from the request. It answers posts too (a refused form is re-executed here).
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    [BindProperty(SupportsGet = true, Name = "status")]
    public int? Status { get; set; }

    public string RequestId => Activity.Current?.Id ?? HttpContext.TraceIdentifier;

    public string Title { get; private set; } = "Something went wrong";

    public string Explanation { get; private set; } = "The request failed. Try again; if it keeps failing, look at the server's log.";

    public void OnGet() => Describe();

    public void OnPost() => Describe();

    private void Describe()
    {
        var status = Status ?? HttpContext.Response.StatusCode;
        (Title, Explanation) = status switch
        {
            400 => ("Bad request", "The form could not be accepted (for example its antiforgery token was missing or expired). Reload the page and try again."),
            403 => ("Not allowed", "You are not allowed to do this."),
            404 => ("Not found", "There is no such page or record."),
            _ => (Title, Explanation),
        };
    }
}
