using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Scm.Lifecycle;
using Scm.Samples.Web.Work;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>A certificate the policy covers, and about when it renews.</summary>
public sealed record CoveredCertificate(ManagedCertificate Certificate, DateTimeOffset RenewAround, string Why);

/// <summary>The auto-renewal policy, the certificates it covers, a run now (live progress), and the audit trail.</summary>
public sealed class AutoRenewalModel : DashboardPageModel
{
    private readonly WorkTracker _work;

    public AutoRenewalModel(WorkTracker work) => _work = work;

    [BindProperty(SupportsGet = true, Name = "work")]
    public Guid? WorkId { get; set; }

    /// <summary>Only audit entries of this action (empty: all).</summary>
    [BindProperty(SupportsGet = true, Name = "auditAction")]
    public string? AuditAction { get; set; }

    public WorkItem? Work => WorkId is { } id ? _work.Get(id) : null;

    public AutoRenewalPolicy? Policy { get; private set; }

    public IReadOnlyList<CoveredCertificate> Covered { get; private set; } = [];

    public int NotCovered { get; private set; }

    public IReadOnlyList<AuditEntry> Audit { get; private set; } = [];

    public IReadOnlyList<string> AuditActions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (Engine is not { } engine)
        {
            return;
        }

        var policy = await engine.GetAutoRenewalPolicyAsync(cancellationToken);
        Policy = policy;
        var covered = new List<CoveredCertificate>();
        var notCovered = 0;
        await foreach (var certificate in engine.ListCertificatesAsync(CertificateStatus.Active, cancellationToken))
        {
            if (Why(certificate, policy) is { } why)
            {
                covered.Add(new CoveredCertificate(certificate, RenewAround(certificate, policy.RenewBefore), why));
            }
            else
            {
                notCovered++;
            }
        }

        Covered = covered.OrderBy(c => c.RenewAround).ToList();
        NotCovered = notCovered;

        // The last week's audit, newest first (the store returns it oldest first).
        var entries = await engine.QueryAuditAsync(new AuditQuery { From = Now.AddDays(-7), Limit = 5000 }, cancellationToken);
        AuditActions = entries.Select(e => e.Action).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Audit = entries.Where(e => string.IsNullOrEmpty(AuditAction) || e.Action == AuditAction).Reverse().Take(300).ToList();
    }

    public Task<IActionResult> OnPostSaveAsync(bool enabled, string? renewBeforeDays, AutoRenewSelection selection, string? tags, string? certificateIds, CancellationToken cancellationToken) => RunAsync("Auto-renewal policy", async engine =>
    {
        if (!int.TryParse(renewBeforeDays, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days))
        {
            throw new ArgumentException($"RenewBeforeDays must be a whole number of days; got '{renewBeforeDays}'.");
        }

        var ids = new List<Guid>();
        foreach (var text in (certificateIds ?? string.Empty).Split([',', '\n', ' '], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            ids.Add(Guid.TryParse(text, out var id) ? id : throw new ArgumentException($"CertificateIds must be certificate ids (GUIDs); got '{text}'."));
        }

        var policy = new AutoRenewalPolicy
        {
            Enabled = enabled,
            RenewBefore = TimeSpan.FromDays(days),
            Selection = Enum.IsDefined(selection) ? selection : throw new ArgumentException("Selection must be All, Listed, Tagged or OptedIn."),
            Tags = (tags ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            CertificateIds = ids,
        };
        await engine.SetAutoRenewalPolicyAsync(policy, cancellationToken);
        return $"Auto-renewal policy saved: {(enabled ? "enabled" : "disabled")}, {days} days before expiry, selection {selection}.";
    }, "/auto-renewal");

    public IActionResult OnPostRun()
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        var item = _work.Start(WorkKinds.AutoRenewal, UserName, async (work, cancellationToken) =>
        {
            work.Report(0, null, "Scanning the inventory for certificates due...");
            var result = await engine.RunAutoRenewalAsync(cancellationToken);
            var counts = result.Decisions.GroupBy(d => d.Decision).Select(g => $"{g.Count()} {g.Key}");
            work.Report(result.Decisions.Count, result.Decisions.Count, "Decided.");
            return result.Decisions.Count == 0
                ? $"Nothing due ({result.NotYetDue} not yet due{(result.Policy.Enabled ? string.Empty : "; the policy is disabled")})."
                : $"{result.Decisions.Count} due: {string.Join(", ", counts)}; {result.NotYetDue} not yet due.";
        });
        return Redirect($"/auto-renewal?work={item.Id}");
    }

    /// <summary>
    /// Why the policy covers a certificate, or <see langword="null"/> (the engine's rule: an opt-out never, an opt-in
    /// always, otherwise the policy's selection; observe-only certificates only when opted in).
    /// </summary>
    public static string? Why(ManagedCertificate certificate, AutoRenewalPolicy policy)
    {
        if (certificate.AutoRenew == AutoRenewMode.Disabled)
        {
            return null;
        }

        if (certificate.AutoRenew == AutoRenewMode.Enabled)
        {
            return "opted in";
        }

        if (certificate.IsObserveOnly || !policy.Enabled)
        {
            return null;
        }

        return policy.Selection switch
        {
            AutoRenewSelection.All => "all certificates",
            AutoRenewSelection.Listed when policy.CertificateIds.Contains(certificate.Id) => "listed",
            AutoRenewSelection.Tagged when certificate.Tags.Any(t => policy.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)) => "tagged " + string.Join(", ", certificate.Tags.Where(t => policy.Tags.Contains(t, StringComparer.OrdinalIgnoreCase))),
            _ => null,
        };
    }

    /// <summary>About when the engine renews it: the window before expiry, capped at a third of the lifetime (before jitter).</summary>
    public static DateTimeOffset RenewAround(ManagedCertificate certificate, TimeSpan renewBefore)
    {
        var lifetime = certificate.NotAfter - certificate.NotBefore;
        var cap = lifetime / 3;
        return certificate.NotAfter - (renewBefore > cap && cap > TimeSpan.Zero ? cap : renewBefore);
    }
}
