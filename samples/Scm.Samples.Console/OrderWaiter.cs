using System.Globalization;
using Scm.Storage;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>The outcome of waiting for orders.</summary>
/// <param name="Orders">Each order as last seen.</param>
/// <param name="Installed">Certificates installed while waiting, by order id.</param>
/// <param name="TimedOut">Whether some orders were still moving when the time was up.</param>
internal sealed record WaitResult(IReadOnlyList<CertificateOrder> Orders, IReadOnlyDictionary<Guid, ManagedCertificate> Installed, bool TimedOut)
{
    public bool AllIssued => Orders.All(o => o.State == OrderState.Completed);
}

/// <summary>Follows orders with a live progress display until each is issued, failed, or waits for a person.</summary>
internal static class OrderWaiter
{
    /// <summary>How many checks in a row an order must await approval before waiting stops for it (SCM may approve automatically at first).</summary>
    private const int ApprovalChecks = 3;

    public static bool IsResting(CertificateOrder order) =>
        !order.IsOpen || order.State is OrderState.AwaitingApproval or OrderState.Stuck or OrderState.Parked;

    public static async Task<WaitResult> WaitAsync(
        EngineSession session,
        IAnsiConsole console,
        IReadOnlyList<Guid> orderIds,
        TimeSpan timeout,
        TimeSpan interval,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var current = new Dictionary<Guid, CertificateOrder>();
        foreach (var id in orderIds)
        {
            current[id] = await session.Lifecycle.GetOrderAsync(id, cancellationToken) ?? throw new CliException($"Order {id} disappeared from the store.");
        }

        var installed = new Dictionary<Guid, ManagedCertificate>();
        var deadline = time.GetUtcNow() + timeout;
        var timedOut = false;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var tasks = orderIds.ToDictionary(id => id, id => progress.AddTask(Describe(current[id]), maxValue: 100));
                var awaitingApproval = orderIds.ToDictionary(id => id, _ => 0);
                bool Done(Guid id) => IsResting(current[id]) && (current[id].State != OrderState.AwaitingApproval || awaitingApproval[id] >= ApprovalChecks);
                while (true)
                {
                    foreach (var id in orderIds.Where(id => !Done(id)))
                    {
                        var check = await session.Lifecycle.CheckStatusAsync(id, cancellationToken);
                        current[id] = check.Order;
                        awaitingApproval[id] = check.Order.State == OrderState.AwaitingApproval ? awaitingApproval[id] + 1 : 0;
                        if (check.InstalledCertificate is { } certificate)
                        {
                            installed[id] = certificate;
                        }
                    }

                    foreach (var id in orderIds)
                    {
                        tasks[id].Description = Describe(current[id]);
                        tasks[id].Value = Percent(current[id]);
                        if (Done(id))
                        {
                            tasks[id].StopTask();
                        }
                    }

                    if (orderIds.All(Done))
                    {
                        return;
                    }

                    if (time.GetUtcNow() >= deadline)
                    {
                        timedOut = true;
                        return;
                    }

                    await Task.Delay(interval, time, cancellationToken);
                }
            });

        return new WaitResult(orderIds.Select(id => current[id]).ToList(), installed, timedOut);
    }

    /// <summary>Prints one line per order: what it reached, with SCM ids and where the keystore was written.</summary>
    public static void Report(IAnsiConsole console, EngineSession session, WaitResult result)
    {
        foreach (var order in result.Orders)
        {
            if (result.Installed.TryGetValue(order.Id, out var certificate))
            {
                Installed(console, session, certificate, order.Kind);
            }
            else if (order.State == OrderState.AwaitingApproval)
            {
                console.MarkupLine($"  [yellow]…[/] {Render.E(order.Request.CommonName)}: [yellow]AwaitingApproval[/] (SCM id {Render.E(order.SslId)}): an SCM administrator must approve it; `scm status {Render.ShortId(order.Id)}` follows it.");
            }
            else if (order.State == OrderState.Completed)
            {
                console.MarkupLine($"  [green]✓[/] {Render.E(order.Request.CommonName)}: [green]Issued[/] (SCM id {Render.E(order.SslId)}).");
            }
            else if (order.IsOpen)
            {
                console.MarkupLine($"  [yellow]…[/] {Render.E(order.Request.CommonName)}: {Render.OrderState(order.State, order.ScmStatus)} (SCM id {Render.E(order.SslId)}){(result.TimedOut ? "; still open when the wait ended: `scm status` follows it later" : string.Empty)}.");
            }
            else
            {
                console.MarkupLine($"  [red]✗[/] {Render.E(order.Request.CommonName)}: {Render.OrderState(order.State)}: {Render.E(order.LastError ?? "no reason given")}");
            }
        }
    }

    /// <summary>One line for a certificate that was just installed.</summary>
    public static void Installed(IAnsiConsole console, EngineSession session, ManagedCertificate certificate, OrderKind kind)
    {
        var what = kind switch
        {
            OrderKind.Renewal => "Renewed",
            OrderKind.Reissue => "Reissued",
            _ => "Issued",
        };
        console.MarkupLine(
            $"  [green]✓ {what}[/] {Render.E(certificate.CommonName)}: certificate {Render.ShortId(certificate.Id)}, SCM id {Render.E(certificate.SslId)}, " +
            $"serial {Render.E(certificate.SerialNumber)}, {Render.E(Render.Key(certificate))}, valid until {Render.Time(certificate.NotAfter)}");
        if (KeystorePath(session, certificate) is { } path)
        {
            console.MarkupLine($"      {Render.Keystore(certificate.KeystoreType)} keystore written to [blue]{Render.E(path)}[/]");
        }
    }

    public static string? KeystorePath(EngineSession session, ManagedCertificate certificate) =>
        session.DeployedTo(certificate.Id)?.Split(", ").FirstOrDefault(p => Path.GetFileName(p).StartsWith("keystore", StringComparison.Ordinal));

    private static string Describe(CertificateOrder order)
    {
        var sslId = order.SslId is { } id ? " [grey]SCM " + id.ToString(CultureInfo.InvariantCulture) + "[/]" : string.Empty;
        return $"{Render.E(order.Request.CommonName)}{sslId} {Render.OrderState(order.State, order.ScmStatus)}";
    }

    private static double Percent(CertificateOrder order) => order.State switch
    {
        OrderState.Completed => 100,
        OrderState.Failed or OrderState.Cancelled or OrderState.InvalidCertificate => 100,
        OrderState.AwaitingApproval => 30,
        _ => order.ScmStatus switch
        {
            "Requested" => 20,
            "Approved" => 45,
            "Applied" => 70,
            "Issued" => 90,
            _ => 10,
        },
    };
}
