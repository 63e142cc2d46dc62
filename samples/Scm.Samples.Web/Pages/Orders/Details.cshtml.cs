using Microsoft.AspNetCore.Mvc;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>One order: its state at SCM, its request, its audit, and the certificate once installed.</summary>
public sealed class OrderDetailsModel : DashboardPageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public CertificateOrder? Order { get; private set; }

    public ManagedCertificate? Certificate { get; private set; }

    public IReadOnlyList<AuditEntry> Audit { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        Order = await engine.GetOrderAsync(Id, cancellationToken);
        if (Order is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        Certificate = await engine.GetCertificateAsync(Order.CertificateId, cancellationToken);
        var entries = await engine.QueryAuditAsync(new AuditQuery { CertificateId = Order.CertificateId, Limit = 1000 }, cancellationToken);
        Audit = entries.Where(e => e.OrderId is null || e.OrderId == Order.Id).Reverse().ToList();
        return Page();
    }
}
