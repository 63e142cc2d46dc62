using Microsoft.AspNetCore.Mvc;
using Scm.Lifecycle;
using Scm.Samples.Web.Work;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>The rows of an orders table.</summary>
public sealed record OrderTableView(IReadOnlyList<CertificateOrder> Orders, bool Open);

/// <summary>Open and past orders; status checks, cancel, delete; the import of existing SCM orders with live progress.</summary>
public sealed class OrdersModel : DashboardPageModel
{
    private readonly WorkTracker _work;

    public OrdersModel(WorkTracker work) => _work = work;

    [BindProperty(SupportsGet = true, Name = "work")]
    public Guid? WorkId { get; set; }

    public WorkItem? Work => WorkId is { } id ? _work.Get(id) : null;

    public IReadOnlyList<CertificateOrder> Open { get; private set; } = [];

    public IReadOnlyList<CertificateOrder> Past { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (Engine is not { } engine)
        {
            return;
        }

        var orders = new List<CertificateOrder>();
        await foreach (var order in engine.ListOrdersAsync(cancellationToken: cancellationToken))
        {
            orders.Add(order);
        }

        Open = orders.Where(o => o.IsOpen).OrderByDescending(o => o.CreatedAt).ToList();
        Past = orders.Where(o => !o.IsOpen).OrderByDescending(o => o.UpdatedAt).Take(500).ToList();
    }

    public Task<IActionResult> OnPostCheckStatusAsync(Guid orderId, CancellationToken cancellationToken) => RunAsync("Status check", async engine =>
    {
        var result = await engine.CheckStatusAsync(orderId, cancellationToken);
        return $"Order {Rendering.Display.Short(orderId)}: {result.PreviousState} -> {result.Order.State}" +
            (result.Order.ScmStatus is { } status ? $" (SCM: {status})" : string.Empty) +
            (result.InstalledCertificate is not null ? "; the certificate is in the inventory." : ".") +
            (result.Message is { Length: > 0 } message ? " " + message : string.Empty);
    }, Back(orderId));

    public Task<IActionResult> OnPostCancelAsync(Guid orderId, CancellationToken cancellationToken) => RunAsync("Cancel", async engine =>
    {
        var result = await engine.CancelOrderAsync(orderId, $"Cancelled in the dashboard by {UserName}.", cancellationToken);
        return $"Order {Rendering.Display.Short(orderId)}: {result.Outcome}. {result.Message}";
    }, Back(orderId));

    public Task<IActionResult> OnPostDeleteAsync(Guid orderId, CancellationToken cancellationToken) => RunAsync("Delete", async engine =>
    {
        var result = await engine.DeleteOrderAsync(orderId, cancellationToken);
        return result.Message;
    }, "/orders");

    public IActionResult OnPostCheckPending()
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        var item = _work.Start(WorkKinds.StatusScan, UserName, async (work, cancellationToken) =>
        {
            work.Report(0, null, "Asking SCM about every open order...");
            var scan = await engine.CheckPendingOrdersAsync(dueOnly: false, cancellationToken);
            work.Report(scan.Checked, scan.Checked, "Checked.");
            return $"{scan.Checked} orders checked: {scan.Installed} installed, {scan.StillPending} still open, {scan.Failed} failed.";
        });
        return Redirect($"/orders?work={item.Id}");
    }

    public IActionResult OnPostImport(bool includeExpired)
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        var item = _work.Start(WorkKinds.Import, UserName, async (work, cancellationToken) =>
        {
            work.Report(0, null, "Reading SCM's order list...");
            var progress = new InlineProgress<ImportProgress>(p => work.Report(p.Processed, p.Total,
                $"{p.Processed}{(p.Total is { } total ? " of " + total : string.Empty)} read: {p.Imported} imported, {p.AlreadyKnown} already known, {p.Skipped} skipped, {p.Failed} failed" +
                (p.PausedFor is { } paused ? $" (paused {paused.TotalSeconds:0} s: SCM is failing)" : string.Empty) + "."));
            var result = await engine.ImportExistingOrdersAsync(new ImportRequest { IncludeExpired = includeExpired }, progress, cancellationToken);
            var p = result.Progress;
            return $"{p.Processed} SCM orders read: {p.Imported} imported, {p.AlreadyKnown} already known, {p.Skipped} skipped, {p.NeedsReview} to review, {p.Failed} failed.";
        });
        return Redirect($"/orders?work={item.Id}");
    }

    /// <summary>Back to the order's page when the form came from there (a fixed choice: never an address from the form).</summary>
    private string Back(Guid orderId) =>
        string.Equals(Request.Form["returnTo"], "order", StringComparison.Ordinal) ? "/orders/" + orderId : "/orders";
}
