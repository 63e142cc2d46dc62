using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Scm.Samples.Web.Pages;

/// <summary>The start page is the inventory.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect("/certificates");
}
