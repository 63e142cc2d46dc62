using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Scm.Lifecycle;
using Scm.Storage;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    public Command AutoRenew()
    {
        var autoRenew = new Command("auto-renew", "The auto-renewal policy, per-certificate opt-in/out, and the scan");
        autoRenew.Subcommands.Add(AutoRenewSwitch(enable: true));
        autoRenew.Subcommands.Add(AutoRenewSwitch(enable: false));

        var show = new Command("show", "Show the policy and when each certificate becomes due");
        BindEngine(show, async (context, session, cancellationToken) =>
        {
            var policy = await session.Lifecycle.GetAutoRenewalPolicyAsync(cancellationToken);
            var certificates = await session.Lifecycle.ListCertificatesAsync(CertificateStatus.Active, cancellationToken).ToListAsync(cancellationToken);
            Policy(context.Out, policy);
            var table = new Table().Title("Active certificates").AddColumns("Id", "Common name", "SCM id", "Opt-in/out", "Expires", "Due from (about)");
            foreach (var c in certificates)
            {
                var lifetime = c.NotAfter - c.NotBefore;
                var window = policy.RenewBefore < lifetime ? policy.RenewBefore : lifetime / 3;
                var due = c.NotAfter - window;
                table.AddRow(Render.ShortId(c.Id), Render.E(c.CommonName), Render.E(c.SslId), Render.E(c.AutoRenew), Render.Time(c.NotAfter),
                    $"{Render.Time(due)} [grey]({(due <= context.Now ? "due now" : "in " + Render.Duration(due - context.Now))}{(c.IsObserveOnly ? ", observe-only" : string.Empty)})[/]");
            }

            context.Out.Write(table);
            return ExitCodes.Ok;
        });
        autoRenew.Subcommands.Add(show);

        var wait = new WaitOptions();
        var run = new Command("run", "Run the auto-renewal scan now: renew every selected certificate that is due, once, with an audit entry per decision");
        wait.AddTo(run);
        BindEngine(run, async (context, session, cancellationToken) =>
        {
            var started = context.Now;
            var result = await context.Out.Status().StartAsync("Scanning for certificates due for renewal…", _ => session.Lifecycle.RunAutoRenewalAsync(cancellationToken));
            AutoRenewalRun(context.Out, result);
            var renewals = result.Decisions.Where(d => d.Decision is AutoRenewDecision.Renewed or AutoRenewDecision.AdoptedScmRenewal && d.OrderId is not null).Select(d => d.OrderId!.Value).ToList();
            var waited = await wait.WaitIfAskedAsync(context, session, renewals, cancellationToken);
            var audit = await session.Lifecycle.GetAutoRenewalAuditAsync(from: started, cancellationToken: cancellationToken);
            if (audit.Count > 0)
            {
                context.Out.Write(Render.Audit(audit, "Auto-renewal audit (this run)"));
            }

            return result.Decisions.Any(d => d.Decision == AutoRenewDecision.Failed) || waited is { AllIssued: false } ? ExitCodes.Failure : ExitCodes.Ok;
        });
        autoRenew.Subcommands.Add(run);
        return autoRenew;
    }

    private Command AutoRenewSwitch(bool enable)
    {
        var ids = new Argument<string[]>("ids")
        {
            Description = enable ? "Certificates to opt in (the policy is switched on too); none: the policy as a whole" : "Certificates to opt out; none: switch the policy off",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var days = new Option<int?>("--days") { Description = "Renew this many days before expiry (a window not shorter than a certificate's lifetime means its last third)", HelpName = "N" };
        days.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 3650)
            {
                r.AddError("--days must be 1..3650.");
            }
        });
        var command = new Command(enable ? "enable" : "disable", enable ? "Switch auto-renewal on (or opt certificates in)" : "Switch auto-renewal off (or opt certificates out)") { ids, days };
        Option<string?>? selection = null;
        Option<string[]>? tags = null;
        if (enable)
        {
            selection = new Option<string?>("--selection") { Description = "Which certificates the policy covers: all, listed, tagged or opted-in", HelpName = "all|listed|tagged|opted-in" };
            selection.AcceptOnlyFromAmong("all", "listed", "tagged", "opted-in");
            tags = new Option<string[]>("--tag") { Description = "Tags for --selection tagged (repeatable)", HelpName = "tag" };
            command.Options.Add(selection);
            command.Options.Add(tags);
        }

        BindEngine(command, async (context, session, cancellationToken) =>
        {
            var policy = await session.Lifecycle.GetAutoRenewalPolicyAsync(cancellationToken);
            var targets = context.Get(ids) ?? [];
            var certificates = new List<ManagedCertificate>();
            foreach (var text in targets)
            {
                certificates.Add(await IdResolver.CertificateAsync(session, text, cancellationToken));
            }

            var updated = policy;
            if (context.Get(days) is { } n)
            {
                updated = updated with { RenewBefore = TimeSpan.FromDays(n) };
            }

            if (enable)
            {
                updated = updated with { Enabled = true };
                if (context.Get(selection!) is { } s)
                {
                    updated = updated with
                    {
                        Selection = s switch
                        {
                            "listed" => AutoRenewSelection.Listed,
                            "tagged" => AutoRenewSelection.Tagged,
                            "opted-in" => AutoRenewSelection.OptedIn,
                            _ => AutoRenewSelection.All,
                        },
                    };
                }

                if (context.Get(tags!) is { Length: > 0 } t)
                {
                    updated = updated with { Tags = t };
                }

                if (updated.Selection == AutoRenewSelection.Listed && certificates.Count > 0)
                {
                    updated = updated with { CertificateIds = updated.CertificateIds.Concat(certificates.Select(c => c.Id)).Distinct().ToList() };
                }
            }
            else if (certificates.Count == 0)
            {
                updated = updated with { Enabled = false };
            }

            if (updated != policy)
            {
                await session.Lifecycle.SetAutoRenewalPolicyAsync(updated, cancellationToken);
            }

            foreach (var certificate in certificates)
            {
                var stored = await session.Lifecycle.SetCertificateAutoRenewAsync(certificate.Id, enable ? AutoRenewMode.Enabled : AutoRenewMode.Disabled, cancellationToken);
                context.Out.MarkupLine($"[green]✓[/] {Render.E(stored.CommonName)} ({Render.ShortId(stored.Id)}, SCM id {Render.E(stored.SslId)}): auto-renew [bold]{stored.AutoRenew}[/].");
            }

            Policy(context.Out, updated);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void Policy(IAnsiConsole console, AutoRenewalPolicy policy)
    {
        var selection = policy.Selection switch
        {
            AutoRenewSelection.Listed => $"listed certificates ({policy.CertificateIds.Count})",
            AutoRenewSelection.Tagged => $"certificates tagged {string.Join(", ", policy.Tags)}",
            AutoRenewSelection.OptedIn => "certificates opted in one by one",
            _ => "every certificate with a local key",
        };
        console.MarkupLine(
            $"Auto-renewal policy: {(policy.Enabled ? "[green]enabled[/]" : "[yellow]disabled[/]")}, renew {Render.E(Before(policy.RenewBefore))} before expiry " +
            $"(the last third of the lifetime when that is longer than the certificate lives), covering {Render.E(selection)}; opted-in certificates always, opted-out never.");
    }

    private static string Before(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0} days" : span.ToString("c", CultureInfo.InvariantCulture);

    internal static void AutoRenewalRun(IAnsiConsole console, AutoRenewalRunResult result)
    {
        if (result.Decisions.Count > 0)
        {
            console.Write(Render.Decisions(result));
        }

        var counts = result.Decisions.GroupBy(d => d.Decision).Select(g => $"{g.Count()} {g.Key}");
        console.MarkupLine($"[green]✓ Auto-renewal scan done[/]: {Render.E(string.Join(", ", counts.DefaultIfEmpty("nothing due")))}; {result.NotYetDue} not yet due.");
    }

    public Command Audit()
    {
        var from = new Option<DateTimeOffset?>("--from") { Description = "From this time (inclusive), e.g. 2026-01-31 or 2026-01-31T12:00Z", HelpName = "time" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Until this time (exclusive)", HelpName = "time" };
        var certificate = new Option<string?>("--certificate") { Description = "Only this certificate (id, short id or SCM id)", HelpName = "id" };
        var action = new Option<string?>("--action") { Description = "Only this action (Order, Collect, Deploy, Renew, AutoRenew, Reissue, Revoke, Cancel, Delete, Import, ...)", HelpName = "action" };
        var autoRenewal = new Option<bool>("--auto-renewal") { Description = "Only the auto-renewal audit (every decision of every scan)" };
        var limit = new Option<int>("--limit") { Description = "At most this many entries (1..10000)", DefaultValueFactory = _ => 1000, HelpName = "N" };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                r.AddError("--limit must be 1..10000.");
            }
        });
        var audit = new Command("audit", "Show the audit trail: who did what to which certificate, and how it ended") { from, to, certificate, action, autoRenewal, limit };
        BindEngine(audit, async (context, session, cancellationToken) =>
        {
            Guid? certificateId = context.Get(certificate) is { } text ? (await IdResolver.CertificateAsync(session, text, cancellationToken)).Id : null;
            IReadOnlyList<AuditEntry> entries = context.Get(autoRenewal)
                ? await session.Lifecycle.GetAutoRenewalAuditAsync(context.Get(from), context.Get(to), certificateId, cancellationToken)
                : await session.Lifecycle.QueryAuditAsync(new AuditQuery { From = context.Get(from), To = context.Get(to), CertificateId = certificateId, Action = context.Get(action), Limit = context.Get(limit) }, cancellationToken);
            if (entries.Count == 0)
            {
                context.Out.MarkupLine("No audit entries match.");
                return ExitCodes.Ok;
            }

            context.Out.Write(Render.Audit(entries.Take(context.Get(limit))));
            context.Out.MarkupLine($"{Plural(Math.Min(entries.Count, context.Get(limit)), "entry", "entries")}.");
            return ExitCodes.Ok;
        });
        return audit;
    }

    public Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables (certificates and open orders)" };
        var status = new Option<string?>("--status") { Description = "Only certificates in this state: active, superseded or revoked", HelpName = "active|superseded|revoked" };
        status.AcceptOnlyFromAmong("active", "superseded", "revoked");
        var allOrders = new Option<bool>("--all-orders") { Description = "List closed orders too, not only open ones" };
        var list = new Command("list", "List the inventory (certificates) and open orders") { json, status, allOrders };
        BindEngine(list, async (context, session, cancellationToken) =>
        {
            CertificateStatus? filter = context.Get(status) switch
            {
                "active" => CertificateStatus.Active,
                "superseded" => CertificateStatus.Superseded,
                "revoked" => CertificateStatus.Revoked,
                _ => null,
            };
            var certificates = await session.Lifecycle.ListCertificatesAsync(filter, cancellationToken).ToListAsync(cancellationToken);
            var orders = await session.Lifecycle.ListOrdersAsync(cancellationToken: cancellationToken).Where(o => context.Get(allOrders) || o.IsOpen).ToListAsync(cancellationToken);
            if (context.Get(json))
            {
                // Raw text, not markup: safe to pipe into jq.
                context.Out.Profile.Out.Writer.WriteLine(Json(certificates, orders));
                context.Out.Profile.Out.Writer.Flush();
                return ExitCodes.Ok;
            }

            if (certificates.Count == 0 && orders.Count == 0)
            {
                context.Out.MarkupLine($"The inventory{Render.E(session.InAccount)} is empty: `scm order ...` or `scm import` fills it.");
                return ExitCodes.Ok;
            }

            context.Out.Write(Render.Inventory(certificates, context.Now));
            if (orders.Count > 0)
            {
                context.Out.Write(Render.Orders(orders, context.Get(allOrders) ? "Orders" : "Open orders"));
            }

            context.Out.MarkupLine($"{Plural(certificates.Count, "certificate")} ({certificates.Count(c => c.Status == CertificateStatus.Active)} active), {Plural(orders.Count, context.Get(allOrders) ? "order" : "open order")}.");
            return ExitCodes.Ok;
        });
        return list;
    }

    private static string Plural(int count, string one, string? many = null) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? one : many ?? one + "s");

    internal static string Json(IReadOnlyList<ManagedCertificate> certificates, IReadOnlyList<CertificateOrder> orders)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("certificates");
            foreach (var c in certificates)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("commonName", c.CommonName);
                w.WriteStartArray("subjectAlternativeNames");
                foreach (var name in c.SubjectAlternativeNames)
                {
                    w.WriteStringValue(name);
                }

                w.WriteEndArray();
                JsonNumber(w, "sslId", c.SslId);
                w.WriteString("status", c.Status.ToString());
                w.WriteString("scmStatus", c.ScmStatus);
                w.WriteString("origin", c.Origin.ToString());
                w.WriteBoolean("observeOnly", c.IsObserveOnly);
                JsonNumber(w, "organizationId", c.OrganizationId);
                JsonNumber(w, "profileId", c.ProfileId);
                w.WriteString("serialNumber", c.SerialNumber);
                w.WriteString("thumbprint", c.Thumbprint);
                w.WriteString("notBefore", c.NotBefore);
                w.WriteString("notAfter", c.NotAfter);
                w.WriteString("keyAlgorithm", c.KeyAlgorithm?.ToString());
                JsonNumber(w, "keySize", c.KeySize);
                w.WriteString("curve", c.Curve);
                w.WriteString("keystoreType", c.IsObserveOnly ? null : c.KeystoreType.ToString());
                w.WriteString("autoRenew", c.AutoRenew.ToString());
                w.WriteStartArray("tags");
                foreach (var tag in c.Tags)
                {
                    w.WriteStringValue(tag);
                }

                w.WriteEndArray();
                JsonGuid(w, "renewedFromId", c.RenewedFromId);
                JsonGuid(w, "renewedById", c.RenewedById);
                JsonGuid(w, "replacesId", c.ReplacesId);
                JsonGuid(w, "replacedById", c.ReplacedById);
                if (c.RevokedAt is { } revoked)
                {
                    w.WriteString("revokedAt", revoked);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("orders");
            foreach (var o in orders)
            {
                w.WriteStartObject();
                w.WriteString("id", o.Id);
                w.WriteString("certificateId", o.CertificateId);
                w.WriteString("kind", o.Kind.ToString());
                w.WriteString("state", o.State.ToString());
                w.WriteString("commonName", o.Request.CommonName);
                JsonNumber(w, "sslId", o.SslId);
                w.WriteString("scmStatus", o.ScmStatus);
                w.WriteString("lastError", o.LastError);
                w.WriteString("createdAt", o.CreatedAt);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void JsonNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void JsonGuid(Utf8JsonWriter w, string name, Guid? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v);
        }
    }
}
