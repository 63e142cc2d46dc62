using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Scm.Client;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    private static readonly string[] DcvMethods = ["cname", "http", "https", "txt", "email"];

    public Command Dcv()
    {
        var dcv = new Command("dcv", "Domain control validation (DCV): list the account's domains and validate one");
        dcv.Subcommands.Add(DcvList());
        dcv.Subcommands.Add(DcvValidate());
        return dcv;
    }

    private Command DcvList()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var status = new Option<string?>("--status") { Description = "Only domains in this DCV state: validated, not-validated or expired", HelpName = "validated|not-validated|expired" };
        status.AcceptOnlyFromAmong("validated", "not-validated", "expired");
        var expiresIn = new Option<int?>("--expires-in") { Description = "Only validations that expire within this many days", HelpName = "days" };
        expiresIn.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 3650)
            {
                r.AddError("--expires-in must be 1..3650 days.");
            }
        });
        var list = new Command("list", "List the account's domains with their DCV status, method, validation order and expiry (read from SCM)") { json, status, expiresIn };
        BindEngine(list, async (context, session, cancellationToken) =>
        {
            DomainValidationStatus? wanted = context.Get(status) switch
            {
                "validated" => DomainValidationStatus.Validated,
                "not-validated" => DomainValidationStatus.NotValidated,
                "expired" => DomainValidationStatus.Expired,
                _ => (DomainValidationStatus?)null,
            };
            var filter = new DcvListFilter
            {
                Status = wanted,
                ExpiresInDays = context.Get(expiresIn),
            };
            var client = session.ScmClient;
            var rows = await DcvCall(() => client.Dcv.ListAsync(filter, cancellationToken).ToListAsync(cancellationToken).AsTask());
            if (context.Get(json))
            {
                // Raw text, not markup: safe to pipe into jq.
                context.Out.Profile.Out.Writer.WriteLine(DcvJson(rows));
                context.Out.Profile.Out.Writer.Flush();
                return ExitCodes.Ok;
            }

            if (rows.Count == 0)
            {
                context.Out.MarkupLine("No domains match.");
                return ExitCodes.Ok;
            }

            var today = DateOnly.FromDateTime(context.Now.UtcDateTime);
            var table = new Table().Title("Domain control validation").AddColumns("Domain", "DCV status", "Method", "Order status", "Order method", "Expires");
            foreach (var row in rows)
            {
                table.AddRow(
                    Render.E(row.Domain),
                    DcvStatus(row.Status),
                    Render.E(Text(row.Method?.ToString())),
                    Render.E(Text(row.OrderStatus?.ToString())),
                    Render.E(Text(row.OrderMethod?.ToString())),
                    row.ExpiresOn is { } on
                        ? $"{on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} [grey]({(on < today ? "expired" : "in " + (on.DayNumber - today.DayNumber).ToString(CultureInfo.InvariantCulture) + "d")})[/]"
                        : "-");
            }

            context.Out.Write(table);
            context.Out.MarkupLine($"{Plural(rows.Count, "domain")} ({rows.Count(r => r.Status == DomainValidationStatus.Validated)} validated).");
            return ExitCodes.Ok;
        });
        return list;
    }

    private Command DcvValidate()
    {
        var domain = new Argument<string>("domain") { Description = "The domain to validate (as SCM lists it, e.g. example.com)" };
        var method = new Option<string>("--method")
        {
            Description = "How to prove control: cname (a DNS CNAME), http or https (a file on the web server), txt (a DNS TXT record) or email (a link mailed to an address SCM offers)",
            HelpName = "cname|http|https|txt|email",
            Required = true,
        };
        method.AcceptOnlyFromAmong(DcvMethods);
        var email = new Option<string?>("--email") { Description = "With --method email: the address SCM mails (one of those it offers; listed when omitted)", HelpName = "address" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Submit without asking (the record or file must already be published); needed when not on a terminal" };
        var noWait = new Option<bool>("--no-wait") { Description = "Submit and return; do not wait for SCM to report the domain validated" };
        var timeout = new Option<int>("--timeout") { Description = "How long to wait for SCM to report the domain validated after the submit, in seconds", DefaultValueFactory = _ => 300, HelpName = "seconds" };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 86_400)
            {
                r.AddError("--timeout must be 1..86400 seconds.");
            }
        });
        var validate = new Command("validate", "Validate a domain: start, print what to publish, submit when you confirm, wait until SCM reports it validated")
        {
            domain, method, email, yes, noWait, timeout,
        };
        validate.Validators.Add(r =>
        {
            if (r.GetResult(email) is { Implicit: false } && r.GetValue(method) is { } m && m != "email")
            {
                r.AddError("--email is only for --method email.");
            }
        });
        BindEngine(validate, async (context, session, cancellationToken) =>
        {
            var name = context.Get(domain).Trim().TrimEnd('.');
            var how = context.Get(method);
            var client = session.ScmClient.Dcv;
            var command = $"scm dcv validate {name} --method {how}";
            var interactive = context.Out.Profile.Capabilities.Interactive;

            // 1. Start (TXT has none: its first submit returns the record) and say what to publish.
            string? address = null;
            switch (how)
            {
                case "cname":
                    var cname = await DcvCall(() => client.StartCnameAsync(name, cancellationToken));
                    context.Out.MarkupLine($"Create this DNS record for [bold]{Render.E(name)}[/], then submit:");
                    DnsRecord(context.Out, cname.Host, "CNAME", cname.Point);
                    break;
                case "http":
                case "https":
                    var http = await DcvCall(() => how == "http" ? client.StartHttpAsync(name, cancellationToken) : client.StartHttpsAsync(name, cancellationToken));
                    context.Out.MarkupLine($"Serve this file over {how.ToUpperInvariant()} for [bold]{Render.E(name)}[/] (no redirects), then submit:");
                    context.Out.MarkupLine($"  url:     {Render.E(http.Url)}");
                    context.Out.MarkupLine("  content (two lines):");
                    context.Out.MarkupLine($"    {Render.E(http.FirstLine)}");
                    context.Out.MarkupLine($"    {Render.E(http.SecondLine)}");
                    break;
                case "txt":
                    var txt = await DcvCall(() => client.SubmitTxtAsync(name, cancellationToken));
                    context.Out.MarkupLine($"Create this DNS record for [bold]{Render.E(name)}[/] (SCM checks it periodically; submitting asks for a check now):");
                    DnsRecord(context.Out, txt.Host, "TXT", txt.Point);
                    break;
                default:
                    var offered = (await DcvCall(() => client.StartEmailAsync(name, cancellationToken))).Emails ?? [];
                    if (offered.Count == 0)
                    {
                        throw new CliException($"SCM offers no e-mail address to validate {name}; choose another --method.");
                    }

                    address = context.Get(email);
                    if (address is not null && !offered.Contains(address, StringComparer.OrdinalIgnoreCase))
                    {
                        throw CliException.Usage($"--email {address} is not an address SCM offers for {name}; one of: {string.Join(", ", offered)}.");
                    }

                    if (address is null && interactive && !context.Get(yes))
                    {
                        address = await context.Out.PromptAsync(new SelectionPrompt<string>().Title($"Which address should SCM mail to validate {Render.E(name)}?").AddChoices(offered), cancellationToken);
                    }

                    if (address is null)
                    {
                        context.Out.MarkupLine($"SCM can mail these addresses to validate [bold]{Render.E(name)}[/]:");
                        foreach (var offer in offered)
                        {
                            context.Out.MarkupLine($"  {Render.E(offer)}");
                        }

                        throw CliException.Usage($"--email is required when not asked on a terminal: run `{command} --email ADDRESS --yes` with one of the addresses above.");
                    }

                    context.Out.MarkupLine($"SCM will mail a validation link to [bold]{Render.E(address)}[/]; the domain is validated when the link is followed.");
                    break;
            }

            // 2. Submit once the user says the proof is in place.
            var continueWith = address is null ? $"{command} --yes" : $"{command} --email {address} --yes";
            if (!context.Get(yes))
            {
                if (!interactive)
                {
                    context.Out.MarkupLine($"[yellow]Not submitted[/] (no terminal to ask, and no --yes). Once it is published, run: [blue]{Render.E(continueWith)}[/]");
                    return ExitCodes.Ok;
                }

                var question = address is null ? "Is it published? Submit to SCM now?" : "Send the validation mail now?";
                if (!await context.Out.ConfirmAsync(question, defaultValue: true, cancellationToken))
                {
                    context.Out.MarkupLine($"Not submitted. When it is published, run: [blue]{Render.E(continueWith)}[/]");
                    return ExitCodes.Ok;
                }
            }

            var submitted = await DcvCall(() => how switch
            {
                "cname" => client.SubmitCnameAsync(name, cancellationToken),
                "http" => client.SubmitHttpAsync(name, cancellationToken),
                "https" => client.SubmitHttpsAsync(name, cancellationToken),
                "txt" => client.SubmitTxtAsync(name, cancellationToken),
                _ => client.SubmitEmailAsync(name, address!, cancellationToken),
            }, name);
            context.Out.MarkupLine(
                $"Submitted: {Render.E(submitted.Message ?? "no message")} [grey](status {Render.E(Text(submitted.Status?.ToString()))}, order {Render.E(Text(submitted.OrderStatus?.ToString()))}" +
                $"{(submitted.EmailReferenceNumber is { } reference ? ", mail reference " + Render.E(reference) : string.Empty)})[/]");

            // 3. Wait for SCM to report the domain validated (on the tool's clock).
            var details = await DcvCall(() => client.GetStatusAsync(name, cancellationToken));
            if (details.Status != DomainValidationStatus.Validated && !context.Get(noWait))
            {
                var interval = session.Simulator is not null || context.ParseResult.GetValue(context.Global.SimulatorUrl) is not null
                    ? TimeSpan.FromMilliseconds(500)
                    : TimeSpan.FromSeconds(10);
                var time = context.Environment.Time;
                var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(context.Get(timeout));
                context.Out.MarkupLine($"Waiting for SCM to validate {Render.E(name)} (up to {Render.E(Duration(TimeSpan.FromSeconds(context.Get(timeout))))})…");
                while (details.Status != DomainValidationStatus.Validated && details.OrderStatus != DcvOrderStatus.Rejected && time.GetUtcNow() < deadline)
                {
                    await Task.Delay(interval, time, cancellationToken);
                    details = await DcvCall(() => client.GetStatusAsync(name, cancellationToken));
                }
            }

            if (details.Status == DomainValidationStatus.Validated)
            {
                context.Out.MarkupLine(
                    $"[green]✓ {Render.E(name)} validated[/]{(details.ValidatedOn is { } on ? " on " + on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty)}" +
                    $"{(details.ExpiresOn is { } until ? ", until " + until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty)}.");
                return ExitCodes.Ok;
            }

            var state = $"status {Text(details.Status?.ToString())}, order {Text(details.OrderStatus?.ToString())}";
            if (details.OrderStatus == DcvOrderStatus.Rejected)
            {
                throw new CliException($"{name}: SCM rejected the validation ({state}).");
            }

            if (context.Get(noWait))
            {
                context.Out.MarkupLine($"[yellow]…[/] {Render.E(name)}: {Render.E(state)}; `scm dcv list` shows when SCM reports it validated.");
                return ExitCodes.Ok;
            }

            throw new CliException(
                $"{name} is not validated after {Duration(TimeSpan.FromSeconds(context.Get(timeout)))} ({state}); SCM keeps checking" +
                (how == "email" ? " until the mailed link is followed" : string.Empty) + ": `scm dcv list` shows when it is validated.");
        });
        return validate;
    }

    private static void DnsRecord(IAnsiConsole console, string? host, string type, string? value)
    {
        console.MarkupLine($"  name:  {Render.E(host)}");
        console.MarkupLine($"  type:  {type}");
        console.MarkupLine($"  value: {Render.E(value)}");
    }

    private static string DcvStatus(DomainValidationStatus? status) =>
        status == DomainValidationStatus.Validated ? "[green]VALIDATED[/]"
        : status == DomainValidationStatus.Expired ? "[red]EXPIRED[/]"
        : status is { } s ? $"[yellow]{Render.E(s)}[/]"
        : "-";

    private static string Text(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    /// <summary>Runs a DCV call; the errors a user can act on become one clear line (the exit code stays <see cref="ExitCodes.Failure"/>).</summary>
    private static async Task<T> DcvCall<T>(Func<Task<T>> call, string? domain = null)
    {
        try
        {
            return await call();
        }
        catch (ScmRequestException e) when (e.ScmErrorCode == ScmErrorCodes.DcvNotEnabled)
        {
            throw new CliException($"DCV is not enabled for this SCM customer (SCM error {ScmErrorCodes.DcvNotEnabled}: {e.Description ?? "no description"}); ask Sectigo to enable it, or validate the domain in SCM's web UI.");
        }
        catch (ScmRequestException e) when (e.ScmErrorCode == ScmErrorCodes.DomainValidationFailed)
        {
            throw new CliException(
                $"{domain}: SCM's check failed (SCM error {ScmErrorCodes.DomainValidationFailed}): {e.Description ?? "no description"}. " +
                "Fix what is published and run the command again (the challenge stays the same).");
        }
        catch (ArgumentException e)
        {
            // The client checks arguments before sending anything; name what the user typed.
            var what = e.ParamName == "email" ? "--email" : e.ParamName == "domain" ? "domain" : e.ParamName ?? "argument";
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw CliException.Usage($"{what}: {message}");
        }
    }

    internal static string DcvJson(IReadOnlyList<DcvValidationSummary> rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("domain", r.Domain);
                w.WriteString("status", r.Status?.ToString());
                w.WriteString("method", r.Method?.ToString());
                w.WriteString("orderStatus", r.OrderStatus?.ToString());
                w.WriteString("orderMethod", r.OrderMethod?.ToString());
                w.WriteString("expiresOn", r.ExpiresOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
