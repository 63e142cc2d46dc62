using System.CommandLine;
using Scm.Lifecycle;
using Scm.Storage;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    public Command Order()
    {
        var cn = new Option<string>("--cn") { Description = "Common name (a DNS name under a validated domain; *.name for a wildcard)", Required = true, HelpName = "name" };
        var san = new Option<string[]>("--san") { Description = "Subject alternative name (repeatable); the common name is added when missing", HelpName = "name" };
        var org = new Option<int>("--org") { Description = "SCM organization or department id (see `scm sync`)", Required = true, HelpName = "id" };
        var profile = new Option<int>("--profile") { Description = "SCM certificate profile id (see `scm sync`)", Required = true, HelpName = "id" };
        var term = new Option<int>("--term") { Description = "Term in days; one of the profile's terms", Required = true, HelpName = "days" };
        var key = new KeyOptions(withDefaults: true);
        var keystore = KeystoreOption("Keystore type: pem, pkcs12 or jks (default pkcs12)");
        var password = KeystorePasswordOption();
        var comments = new Option<string?>("--comments") { Description = "Comments sent to SCM", HelpName = "text" };
        var requester = new Option<string[]>("--requester") { Description = "External requester e-mail address (repeatable)", HelpName = "email" };
        var customField = new Option<string[]>("--custom-field") { Description = "Custom field as name=value (repeatable; every mandatory field is required)", HelpName = "name=value" };
        customField.Validators.Add(r =>
        {
            foreach (var value in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (value.IndexOf('=', StringComparison.Ordinal) is < 1)
                {
                    r.AddError($"--custom-field expects name=value, got '{value}'.");
                }
            }
        });
        var tag = new Option<string[]>("--tag") { Description = "Tag kept with the certificate (repeatable; auto-renewal can select by tag)", HelpName = "tag" };
        var autoRenew = new Option<string?>("--auto-renew") { Description = "This certificate's auto-renewal: inherit (the policy), enabled or disabled", HelpName = "inherit|enabled|disabled" };
        autoRenew.AcceptOnlyFromAmong("inherit", "enabled", "disabled");
        var wait = new WaitOptions();

        var order = new Command("order", "Order a certificate: the key and CSR are made locally, the request is validated against the synced catalog first")
        {
            cn, san, org, profile, term, keystore, password, comments, requester, customField, tag, autoRenew,
        };
        key.AddTo(order);
        wait.AddTo(order);
        BindEngine(order, async (context, session, cancellationToken) =>
        {
            var request = new OrderCertificateRequest
            {
                CommonName = context.Get(cn),
                SubjectAlternativeNames = context.Get(san) ?? [],
                OrganizationId = context.Get(org),
                ProfileId = context.Get(profile),
                TermDays = context.Get(term),
                KeyAlgorithm = key.Algorithm(context) ?? KeyAlgorithm.Rsa,
                KeySize = context.Get(key.KeySize),
                Curve = context.Get(key.Curve),
                KeystoreType = ParseKeystore(context.Get(keystore)) ?? KeystoreType.Pkcs12,
                KeystorePassword = context.Get(password),
                Comments = context.Get(comments),
                ExternalRequesters = context.Get(requester) ?? [],
                CustomFields = (context.Get(customField) ?? []).Select(ParseCustomField).ToList(),
                Tags = context.Get(tag) ?? [],
                AutoRenew = context.Get(autoRenew) switch
                {
                    "enabled" => AutoRenewMode.Enabled,
                    "disabled" => AutoRenewMode.Disabled,
                    _ => AutoRenewMode.Inherit,
                },
            };
            var result = await context.Out.Status().StartAsync(
                $"Ordering {Render.E(request.CommonName)} (generating the key and CSR, then enrolling)…",
                _ => session.Lifecycle.OrderAsync(request, cancellationToken));
            Ordered(context.Out, result, request.KeystorePassword is not null, context.ShowSecrets);
            var waited = await wait.WaitIfAskedAsync(context, session, [result.OrderId], cancellationToken);
            return waited is null || waited.Orders.All(o => o.State is OrderState.Completed or OrderState.AwaitingApproval) ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return order;
    }

    internal static void Ordered(IAnsiConsole console, OrderCertificateResult result, bool passwordGiven, bool showSecrets)
    {
        var request = result.Order.Request;
        var key = request.KeyAlgorithm == KeyAlgorithm.Rsa ? $"RSA {request.KeySize}" : $"EC {request.Curve}";
        console.MarkupLine(
            $"[green]✓ Ordered[/] {Render.E(request.CommonName)}: order {Render.ShortId(result.OrderId)}, certificate {Render.ShortId(result.CertificateId)}, " +
            $"SCM id {Render.E(result.SslId)}, {Render.OrderState(result.State, result.Order.ScmStatus)}, {Render.E(key)}, {Render.Keystore(request.KeystoreType)}");
        foreach (var notice in result.Notices)
        {
            console.MarkupLine($"  [grey]note: {Render.E(notice)}[/]");
        }

        if (result.GeneratedKeystorePassword is { } generated)
        {
            console.MarkupLine($"  keystore password (generated, shown only now): {Render.Secret(generated, showSecrets)}");
        }
        else if (passwordGiven)
        {
            console.MarkupLine($"  keystore password: {Render.Mask} [grey](the one given; never printed)[/]");
        }
    }

    private static Storage.CustomFieldValue ParseCustomField(string text)
    {
        var at = text.IndexOf('=', StringComparison.Ordinal);
        return new Storage.CustomFieldValue(text[..at].Trim(), text[(at + 1)..].Trim());
    }
}
