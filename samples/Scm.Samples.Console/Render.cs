using System.Globalization;
using Scm.Lifecycle;
using Scm.Storage;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>Tables and one-line summaries. Every value from outside goes through <see cref="Markup.Escape"/>.</summary>
internal static class Render
{
    public const string Mask = "********";

    public static string E(object? value) => Markup.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);

    /// <summary>
    /// The id's last 8 hex digits: the engine's ids are time-ordered (UUID version 7), so their first digits are the
    /// creation time and the same for every record made within about a minute; the last ones are random.
    /// </summary>
    public static string ShortId(Guid id) => id.ToString("N")[^8..];

    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Duration(TimeSpan span)
    {
        var negative = span < TimeSpan.Zero;
        span = span.Duration();
        var text = span.TotalDays >= 2 ? $"{(int)span.TotalDays}d"
            : span.TotalHours >= 2 ? $"{(int)span.TotalHours}h"
            : span.TotalMinutes >= 2 ? $"{(int)span.TotalMinutes}m"
            : $"{(int)span.TotalSeconds}s";
        return negative ? "-" + text : text;
    }

    /// <summary>A secret the SDK returned once: masked unless --show-secrets.</summary>
    public static string Secret(string? value, bool show) =>
        value is null ? "-" : show ? E(value) : $"{Mask} [grey](hidden; --show-secrets prints it)[/]";

    /// <summary>What an order state means to a user.</summary>
    public static string OrderState(OrderState state, string? scmStatus = null)
    {
        var (color, text) = state switch
        {
            Storage.OrderState.Completed => ("green", "Issued"),
            Storage.OrderState.Submitted => ("yellow", "Submitted"),
            Storage.OrderState.AwaitingApproval => ("yellow", "AwaitingApproval"),
            Storage.OrderState.Parked => ("yellow", "Parked"),
            Storage.OrderState.Stuck => ("red", "Stuck"),
            Storage.OrderState.Cancelled => ("grey", "Cancelled"),
            Storage.OrderState.Failed or Storage.OrderState.InvalidCertificate => ("red", state.ToString()),
            _ => ("yellow", state.ToString()),
        };
        var scm = scmStatus is null || state == Storage.OrderState.Completed ? string.Empty : $" [grey](SCM: {E(scmStatus)})[/]";
        return $"[{color}]{text}[/]{scm}";
    }

    public static string CertificateState(ManagedCertificate certificate, DateTimeOffset now)
    {
        if (certificate.Status == CertificateStatus.Revoked)
        {
            return "[red]Revoked[/]";
        }

        if (certificate.Status == CertificateStatus.Superseded)
        {
            return certificate.ReplacedById is not null ? "[grey]Superseded (reissued)[/]" : "[grey]Superseded (renewed)[/]";
        }

        if (certificate.NotAfter <= now)
        {
            return "[red]Expired[/]";
        }

        return certificate.IsObserveOnly ? "[green]Active[/] [grey](observe-only)[/]" : "[green]Active[/]";
    }

    public static string Key(ManagedCertificate certificate) => certificate.KeyAlgorithm switch
    {
        KeyAlgorithm.Rsa => $"RSA {certificate.KeySize}",
        KeyAlgorithm.EC => $"EC {certificate.Curve}",
        _ => "-",
    };

    public static string Keystore(KeystoreType type) => type switch
    {
        KeystoreType.Pkcs12 => "PKCS#12",
        KeystoreType.Jks => "JKS",
        _ => "PEM",
    };

    public static Table Catalog(ScmAccountCatalog catalog, out Table domains, out Table profiles, out Table? fields)
    {
        var organizations = new Table().Title("Organizations and departments").AddColumns("Id", "Name", "Parent", "Certificate types");
        foreach (var o in catalog.Organizations.OrderBy(o => o.ParentId ?? o.Id).ThenBy(o => o.ParentId.HasValue).ThenBy(o => o.Id))
        {
            organizations.AddRow(E(o.Id), o.ParentId is null ? $"[bold]{E(o.Name)}[/]" : "  " + E(o.Name), o.ParentId is { } p ? E(p) : "-", E(string.Join(", ", o.CertificateTypes)));
        }

        domains = new Table().Title("Domains").AddColumns("Domain", "State", "Delegation", "Validation (DCV)", "Delegated to");
        foreach (var d in catalog.Domains.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            var validation = d.ValidationStatus switch
            {
                "VALIDATED" => "[green]VALIDATED[/]",
                null => "-",
                var v => $"[yellow]{E(v)}[/]",
            };
            var dcv = d.DcvExpiration is { } until ? $" [grey]until {until:yyyy-MM-dd}[/]" : string.Empty;
            domains.AddRow(E(d.Name), E(d.State ?? "-"), E(d.DelegationStatus ?? "-"), validation + dcv, E(string.Join(", ", d.Delegations.Select(x => x.OrganizationId))));
        }

        profiles = new Table().Title("Certificate profiles").AddColumns("Id", "Name", "Terms (days)", "Key types", "Organizations");
        foreach (var p in catalog.Profiles.OrderBy(p => p.Id))
        {
            var keys = string.Join("; ", p.KeyTypes.Select(k => $"{k.Key} {string.Join("/", k.Value)}"));
            profiles.AddRow(E(p.Id), E(p.Name), E(string.Join(", ", p.Terms)), E(keys), p.OrganizationIds.Count == 0 ? "all" : E(string.Join(", ", p.OrganizationIds)));
        }

        fields = null;
        if (catalog.CustomFields.Count > 0)
        {
            fields = new Table().Title("Custom fields").AddColumns("Id", "Name", "Mandatory");
            foreach (var f in catalog.CustomFields)
            {
                fields.AddRow(E(f.Id), E(f.Name), f.Mandatory ? "[yellow]yes[/]" : "no");
            }
        }

        return organizations;
    }

    public static void WriteCatalog(IAnsiConsole console, ScmAccountCatalog catalog)
    {
        console.Write(Catalog(catalog, out var domains, out var profiles, out var fields));
        console.Write(domains);
        console.Write(profiles);
        if (fields is not null)
        {
            console.Write(fields);
        }
    }

    public static Table Inventory(IEnumerable<ManagedCertificate> certificates, DateTimeOffset now, string title = "Inventory")
    {
        var table = new Table().Title(title).AddColumns("Id", "Common name", "SCM id", "State", "Key", "Keystore", "Expires", "Auto-renew", "Origin");
        foreach (var c in certificates)
        {
            var expires = c.NotAfter > now ? $"{Time(c.NotAfter)} [grey](in {Duration(c.NotAfter - now)})[/]" : $"[red]{Time(c.NotAfter)}[/]";
            table.AddRow(
                ShortId(c.Id),
                E(c.CommonName),
                E(c.SslId?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                CertificateState(c, now),
                E(Key(c)),
                c.IsObserveOnly ? "-" : Keystore(c.KeystoreType),
                expires,
                E(c.AutoRenew),
                E(c.Origin));
        }

        return table;
    }

    /// <summary>An SCM address without user info, query or fragment (nothing that could carry a secret).</summary>
    public static string Address(Uri address) =>
        address.IsAbsoluteUri ? address.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : address.ToString();

    /// <summary>The accounts a configuration serves, from the store (<see cref="ICertificateLifecycleProvider.GetSummaryAsync"/>).</summary>
    public static Table Accounts(IEnumerable<ScmAccountSummary> accounts, string? defaultAccount, DateTimeOffset now)
    {
        var table = new Table().Title("SCM accounts").AddColumns("Account", "SCM", "Credentials", "Last catalog sync", "Active", "Certificates", "Open orders");
        foreach (var a in accounts)
        {
            table.AddRow(
                E(a.Account) + (a.Account == defaultAccount ? " [grey](default)[/]" : string.Empty),
                E(Address(a.BaseAddress)),
                a.CredentialsAccepted ? "[green]ok[/]" : "[red]refused[/]",
                a.LastCatalogSync is { } synced ? $"{Time(synced)} [grey]({Duration(now - synced)} ago)[/]" : "[yellow]never[/]",
                a.ActiveCertificates.ToString(CultureInfo.InvariantCulture),
                a.Certificates.ToString(CultureInfo.InvariantCulture),
                a.OpenOrders.ToString(CultureInfo.InvariantCulture));
        }

        return table;
    }

    public static Table Orders(IEnumerable<CertificateOrder> orders, string title = "Orders")
    {
        var table = new Table().Title(title).AddColumns("Order", "Certificate", "Kind", "Common name", "SCM id", "State", "Last error");
        foreach (var o in orders)
        {
            table.AddRow(
                ShortId(o.Id),
                ShortId(o.CertificateId),
                E(o.Kind),
                E(o.Request.CommonName),
                E(o.SslId?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                OrderState(o.State, o.ScmStatus),
                E(o.LastError ?? string.Empty));
        }

        return table;
    }

    public static Table Audit(IEnumerable<AuditEntry> entries, string title = "Audit trail")
    {
        var table = new Table().Title(title).AddColumns("#", "Time", "Action", "Decision", "Outcome", "Common name", "SCM id", "Reason");
        foreach (var a in entries)
        {
            var outcome = a.Outcome switch
            {
                "Succeeded" => "[green]Succeeded[/]",
                "Failed" => "[red]Failed[/]",
                var o => E(o),
            };
            table.AddRow(
                E(a.Sequence),
                Time(a.Timestamp),
                E(a.Action),
                E(a.Decision),
                outcome,
                E(a.CommonName ?? "-"),
                E(a.SslId?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                E(a.Reason ?? string.Empty));
        }

        return table;
    }

    public static Table Decisions(AutoRenewalRunResult result)
    {
        var table = new Table().Title("Auto-renewal decisions").AddColumns("Certificate", "Common name", "Decision", "Due at", "Renewal order", "Reason");
        foreach (var d in result.Decisions)
        {
            var decision = d.Decision switch
            {
                AutoRenewDecision.Renewed or AutoRenewDecision.AdoptedScmRenewal => $"[green]{d.Decision}[/]",
                AutoRenewDecision.Failed => "[red]Failed[/]",
                _ => $"[yellow]{d.Decision}[/]",
            };
            table.AddRow(ShortId(d.CertificateId), E(d.CommonName), decision, Time(d.RenewAt), d.OrderId is { } o ? ShortId(o) : "-", E(d.Reason));
        }

        return table;
    }

    public static Table Findings(AccountCheckResult result)
    {
        var table = new Table().Title("Account check").AddColumns("Check", "Result", "Finding");
        foreach (var f in result.Findings)
        {
            var severity = f.Severity switch
            {
                FindingSeverity.Ok => "[green]ok[/]",
                FindingSeverity.Warning => "[yellow]warning[/]",
                _ => "[red]error[/]",
            };
            table.AddRow(E(f.Check), severity, E(f.Message));
        }

        return table;
    }
}
