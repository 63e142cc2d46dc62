using System.CommandLine;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Storage;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    public Command Status()
    {
        var id = new Argument<string?>("id") { Description = "An order or certificate (id, short id or SCM id); every open order when omitted", Arity = ArgumentArity.ZeroOrOne };
        var wait = new WaitOptions();
        var status = new Command("status", "Ask SCM about open orders now; issued certificates are collected, verified, installed and deployed") { id };
        wait.AddTo(status);
        BindEngine(status, async (context, session, cancellationToken) =>
        {
            var text = context.Get(id);
            List<CertificateOrder> orders;
            if (text is null)
            {
                orders = await session.Lifecycle.ListOrdersAsync(cancellationToken: cancellationToken).Where(o => o.IsOpen).ToListAsync(cancellationToken);
                if (orders.Count == 0)
                {
                    context.Out.MarkupLine("[green]✓[/] No open orders.");
                    return ExitCodes.Ok;
                }
            }
            else
            {
                var order = await IdResolver.FindOrderAsync(session, text, cancellationToken);
                if (order is null)
                {
                    var certificate = await IdResolver.CertificateAsync(session, text, cancellationToken);
                    context.Out.Write(Render.Inventory([certificate], context.Now, "Certificate"));
                    return ExitCodes.Ok;
                }

                orders = [order];
            }

            WaitResult result;
            if (wait.ShouldWait(context))
            {
                result = (await wait.WaitIfAskedAsync(context, session, orders.Select(o => o.Id).ToList(), cancellationToken))!;
            }
            else
            {
                var checks = new List<StatusCheckResult>();
                await context.Out.Status().StartAsync("Checking with SCM…", async _ =>
                {
                    foreach (var order in orders)
                    {
                        checks.Add(order.IsOpen
                            ? await session.Lifecycle.CheckStatusAsync(order.Id, cancellationToken)
                            : new StatusCheckResult { Order = order, PreviousState = order.State });
                    }
                });
                result = new WaitResult(
                    checks.Select(c => c.Order).ToList(),
                    checks.Where(c => c.InstalledCertificate is not null).ToDictionary(c => c.Order.Id, c => c.InstalledCertificate!),
                    TimedOut: false);
                context.Out.Write(Render.Orders(result.Orders, "Order status"));
                OrderWaiter.Report(context.Out, session, result);
            }

            return result.Orders.Any(o => o.State is OrderState.Failed or OrderState.InvalidCertificate or OrderState.Stuck) ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return status;
    }

    public Command Renew()
    {
        var id = IdArgument("The certificate (id, short id or SCM id)");
        var reuseKey = new Option<bool>("--reuse-key") { Description = "Keep the current key instead of generating a new one" };
        var key = new KeyOptions(withDefaults: false);
        var password = KeystorePasswordOption();
        var wait = new WaitOptions();
        var renew = new Command("renew", "Renew a certificate now (new key by default); the current one stays in service until the new one is installed") { id, reuseKey, password };
        key.AddTo(renew);
        wait.AddTo(renew);
        BindEngine(renew, async (context, session, cancellationToken) =>
        {
            var certificate = await IdResolver.CertificateAsync(session, context.Get(id), cancellationToken);
            var request = new RenewCertificateRequest
            {
                ReuseKey = context.Get(reuseKey),
                KeyAlgorithm = key.Algorithm(context),
                KeySize = context.Get(key.KeySize),
                Curve = context.Get(key.Curve),
                KeystorePassword = context.Get(password),
            };
            var result = await context.Out.Status().StartAsync($"Renewing {Render.E(certificate.CommonName)}…", _ => session.Lifecycle.RenewAsync(certificate.Id, request, cancellationToken));
            return await FollowAsync(context, session, wait, "Renewal", certificate, result, cancellationToken);
        });
        return renew;
    }

    public Command Reissue()
    {
        var id = IdArgument("The certificate (id, short id or SCM id)");
        var reason = new Option<string>("--reason") { Description = "Why (sent to SCM, 1..512 characters)", Required = true, HelpName = "text" };
        var cn = new Option<string?>("--cn") { Description = "A new common name (default: the current one)", HelpName = "name" };
        var san = new Option<string[]>("--san") { Description = "New subject alternative names (repeatable; default: the current ones)", HelpName = "name" };
        var key = new KeyOptions(withDefaults: false);
        var keystore = KeystoreOption("Keystore type: pem, pkcs12 or jks (default: the current one)");
        var password = KeystorePasswordOption();
        var wait = new WaitOptions();
        var reissue = new Command("reissue", "Reissue a certificate (SCM replace): new key and CSR, possibly new names or key type, same SCM id") { id, reason, cn, san, keystore, password };
        key.AddTo(reissue);
        wait.AddTo(reissue);
        BindEngine(reissue, async (context, session, cancellationToken) =>
        {
            var certificate = await IdResolver.CertificateAsync(session, context.Get(id), cancellationToken);
            var sans = context.Get(san);
            var request = new ReissueCertificateRequest
            {
                Reason = context.Get(reason),
                CommonName = context.Get(cn),
                SubjectAlternativeNames = sans is { Length: > 0 } ? sans : null,
                KeyAlgorithm = key.Algorithm(context),
                KeySize = context.Get(key.KeySize),
                Curve = context.Get(key.Curve),
                KeystoreType = ParseKeystore(context.Get(keystore)),
                KeystorePassword = context.Get(password),
            };
            var result = await context.Out.Status().StartAsync($"Reissuing {Render.E(certificate.CommonName)}…", _ => session.Lifecycle.ReissueAsync(certificate.Id, request, cancellationToken));
            return await FollowAsync(context, session, wait, "Reissue", certificate, result, cancellationToken);
        });
        return reissue;
    }

    private static async Task<int> FollowAsync(CommandContext context, EngineSession session, WaitOptions wait, string what, ManagedCertificate certificate, LifecycleOrderResult result, CancellationToken cancellationToken)
    {
        switch (result.Outcome)
        {
            case LifecycleOutcome.Submitted:
                context.Out.MarkupLine(
                    $"[green]✓ {what} submitted[/] for {Render.E(certificate.CommonName)}: order {Render.ShortId(result.Order!.Id)}, SCM id {Render.E(result.Order.SslId)}, " +
                    $"{Render.OrderState(result.Order.State, result.Order.ScmStatus)}. {Render.E(result.Message)}");
                break;
            case LifecycleOutcome.AlreadyInProgress:
                context.Out.MarkupLine($"[yellow]![/] {what} already in progress for {Render.E(certificate.CommonName)}: order {Render.ShortId(result.Order!.Id)} ({Render.OrderState(result.Order.State, result.Order.ScmStatus)}). Nothing new was ordered.");
                break;
            case LifecycleOutcome.Pending:
                context.Out.MarkupLine($"[yellow]![/] {what} sent, outcome unknown: {Render.E(result.Message)} The engine reconciles it with SCM before anything is re-sent (`scm status`).");
                break;
            default:
                throw new CliException($"{what.ToLowerInvariant()} {result.Outcome switch { LifecycleOutcome.NotAllowed => "not allowed", _ => "failed" }}: {result.Message}");
        }

        foreach (var notice in result.Notices)
        {
            context.Out.MarkupLine($"  [grey]note: {Render.E(notice)}[/]");
        }

        if (result.GeneratedKeystorePassword is { } generated)
        {
            context.Out.MarkupLine($"  keystore password (generated, shown only now): {Render.Secret(generated, context.ShowSecrets)}");
        }

        if (result.Order is { } order && result.Outcome == LifecycleOutcome.Submitted)
        {
            var waited = await wait.WaitIfAskedAsync(context, session, [order.Id], cancellationToken);
            if (waited is not null && !waited.AllIssued)
            {
                return ExitCodes.Failure;
            }
        }

        return ExitCodes.Ok;
    }

    public Command Revoke()
    {
        var id = IdArgument("The certificate (id, short id or SCM id)");
        var reasonCode = new Option<int>("--reason-code")
        {
            Description = "RFC 5280 reason: 0 unspecified, 1 key compromise, 3 affiliation changed, 4 superseded, 5 cessation of operation",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var comments = new Option<string>("--comments") { Description = "Why (sent to SCM, 1..512 characters)", Required = true, HelpName = "text" };
        var remove = new Option<bool>("--remove") { Description = "Remove the local record once SCM confirmed (the audit keeps a record)" };
        var revoke = new Command("revoke", "Revoke a certificate at SCM; the local record changes only after SCM confirms") { id, reasonCode, comments, remove };
        BindEngine(revoke, async (context, session, cancellationToken) =>
        {
            var certificate = await IdResolver.CertificateAsync(session, context.Get(id), cancellationToken);
            var request = new RevokeCertificateRequest
            {
                ReasonCode = (RevocationReason)context.Get(reasonCode),
                Reason = context.Get(comments),
                RemoveFromInventory = context.Get(remove),
            };
            var result = await context.Out.Status().StartAsync($"Revoking {Render.E(certificate.CommonName)}…", _ => session.Lifecycle.RevokeAsync(certificate.Id, request, cancellationToken));
            if (result.Outcome != LifecycleOutcome.Done)
            {
                throw new CliException($"revoke failed: {result.Message}");
            }

            context.Out.MarkupLine(
                $"[green]✓ Revoked[/] {Render.E(certificate.CommonName)} (certificate {Render.ShortId(certificate.Id)}, SCM id {Render.E(certificate.SslId)}, reason code {(int)request.ReasonCode})" +
                $"{(result.WasAlreadyRevoked ? "; SCM had already revoked it" : string.Empty)}{(result.Removed ? "; local record removed" : string.Empty)}. {Render.E(result.Message)}");
            return ExitCodes.Ok;
        });
        return revoke;
    }

    public Command Cancel()
    {
        var id = IdArgument("The order (id, short id, certificate id or SCM id)");
        var reason = new Option<string?>("--reason") { Description = "Message for SCM (1..512 characters)", HelpName = "text" };
        var cancel = new Command("cancel", "Cancel an order that is not issued (declined in SCM while it awaits approval)") { id, reason };
        BindEngine(cancel, async (context, session, cancellationToken) =>
        {
            var order = await IdResolver.OrderAsync(session, context.Get(id), cancellationToken);
            var result = await context.Out.Status().StartAsync($"Cancelling the order for {Render.E(order.Request.CommonName)}…", _ => session.Lifecycle.CancelOrderAsync(order.Id, context.Get(reason), cancellationToken));
            if (result.Outcome != LifecycleOutcome.Done || result.Order.State != OrderState.Cancelled)
            {
                throw new CliException($"cancel failed ({result.Outcome}, order {result.Order.State}): {result.Message}");
            }

            context.Out.MarkupLine(
                $"[green]✓ Cancelled[/] order {Render.ShortId(result.Order.Id)} for {Render.E(result.Order.Request.CommonName)} (SCM id {Render.E(result.Order.SslId)}, SCM status {Render.E(result.Order.ScmStatus ?? "-")}). {Render.E(result.Message)}");
            if (result.ScmMayStillIssue)
            {
                context.Out.MarkupLine("  [yellow]![/] SCM may still issue it; `scm status` reports it if it does.");
            }

            return ExitCodes.Ok;
        });
        return cancel;
    }

    public Command Delete()
    {
        var id = IdArgument("A certificate, or a closed order (id, short id or SCM id)");
        var delete = new Command("delete", "Delete a certificate (with its closed orders) or a closed order from the local store; SCM is untouched") { id };
        BindEngine(delete, async (context, session, cancellationToken) =>
        {
            var text = context.Get(id);
            DeleteResult result;
            string what;
            if (await IdResolver.FindCertificateAsync(session, text, cancellationToken) is { } certificate)
            {
                result = await session.Lifecycle.DeleteCertificateAsync(certificate.Id, cancellationToken);
                what = $"certificate {Render.ShortId(certificate.Id)} ({Render.E(certificate.CommonName)}, SCM id {Render.E(certificate.SslId)})";
            }
            else
            {
                var order = await IdResolver.OrderAsync(session, text, cancellationToken);
                result = await session.Lifecycle.DeleteOrderAsync(order.Id, cancellationToken);
                what = $"order {Render.ShortId(order.Id)} ({Render.E(order.Request.CommonName)}, SCM id {Render.E(order.SslId)})";
            }

            if (!result.Deleted)
            {
                throw new CliException($"nothing deleted: {result.Message}");
            }

            context.Out.MarkupLine($"[green]✓ Deleted[/] {what} locally ({result.CertificatesRemoved} certificate and {result.OrdersRemoved} order records removed). {Render.E(result.Message)}");
            return ExitCodes.Ok;
        });
        return delete;
    }
}
