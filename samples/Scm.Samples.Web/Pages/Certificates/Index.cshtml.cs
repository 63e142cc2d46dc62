using Microsoft.AspNetCore.Mvc;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>The inventory: expiry timeline, filters by status and text, and the list.</summary>
public sealed class CertificatesModel : DashboardPageModel
{
    /// <summary>Status filter: <c>Active</c> (default), <c>Superseded</c>, <c>Revoked</c>, <c>Expiring</c> (active, within 30 days) or <c>all</c>.</summary>
    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    /// <summary>Text filter: part of the common name, a SAN, the serial number or the SCM sslId.</summary>
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    public IReadOnlyList<ManagedCertificate> Certificates { get; private set; } = [];

    public int Total { get; private set; }

    public string StatusFilter => Status is "Active" or "Superseded" or "Revoked" or "Expiring" or "all" ? Status : "Active";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (Engine is not { } engine)
        {
            return;
        }

        CertificateStatus? status = StatusFilter switch
        {
            "all" => null,
            "Expiring" => CertificateStatus.Active,
            _ => Enum.Parse<CertificateStatus>(StatusFilter),
        };
        var all = new List<ManagedCertificate>();
        await foreach (var certificate in engine.ListCertificatesAsync(status, cancellationToken))
        {
            all.Add(certificate);
        }

        Total = all.Count;
        var now = Now;
        IEnumerable<ManagedCertificate> shown = all;
        if (StatusFilter == "Expiring")
        {
            shown = shown.Where(c => c.NotAfter - now < TimeSpan.FromDays(30));
        }

        if (!string.IsNullOrWhiteSpace(Query))
        {
            var q = Query.Trim();
            shown = shown.Where(c => c.CommonName.Contains(q, StringComparison.OrdinalIgnoreCase)
                || c.SubjectAlternativeNames.Any(n => n.Contains(q, StringComparison.OrdinalIgnoreCase))
                || c.SerialNumber.Contains(q, StringComparison.OrdinalIgnoreCase)
                || c.SslId?.ToString(System.Globalization.CultureInfo.InvariantCulture) == q
                || c.Tags.Any(t => t.Equals(q, StringComparison.OrdinalIgnoreCase)));
        }

        Certificates = shown.OrderBy(c => c.NotAfter).ToList();
    }
}
