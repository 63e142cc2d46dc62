using System.CommandLine;
using System.Text;
using System.Text.Json;
using Scm.Lifecycle;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    /// <summary><c>scm accounts list</c>: every SCM account the configuration serves, from the store (nothing is sent to SCM).</summary>
    public Command Accounts()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var list = new Command(
            "list",
            "Each SCM account the configuration serves (Sectigo:Accounts): its SCM address, whether SCM accepts its credentials, its last catalog sync, " +
            "its certificates and open orders (from the store; nothing is sent to SCM)") { json };
        BindEngine(
            list,
            async (context, session, cancellationToken) =>
            {
                var served = session.Accounts.Accounts;
                var names = session.Account is { } named ? [named] : served;
                var summaries = new List<ScmAccountSummary>();
                foreach (var name in names)
                {
                    summaries.Add(await session.Accounts.GetSummaryAsync(name, cancellationToken));
                }

                var defaultAccount = EngineSession.DefaultAccountOf(served);
                if (context.Get(json))
                {
                    // Raw text, not markup: safe to pipe into jq.
                    context.Out.Profile.Out.Writer.WriteLine(Json(summaries, defaultAccount));
                    context.Out.Profile.Out.Writer.Flush();
                    return ExitCodes.Ok;
                }

                if (summaries.Count == 0)
                {
                    context.Out.MarkupLine("No SCM account is configured: set Sectigo:Client:* for one account, or Sectigo:Accounts:<name>:Client:* for several.");
                    return ExitCodes.Ok;
                }

                context.Out.Write(Render.Accounts(summaries, defaultAccount, context.Now));
                context.Out.MarkupLine(
                    $"{Plural(summaries.Count, "account")}; " +
                    (defaultAccount is null
                        ? $"no default account: commands need [bold]--account <name>[/] ({Render.E(string.Join(", ", served))})."
                        : $"commands without --account use [bold]{Render.E(defaultAccount)}[/]."));
                return ExitCodes.Ok;
            },
            selectAccount: false);

        var accounts = new Command("accounts", "The SCM accounts the configuration serves (one, or several under Sectigo:Accounts; pick one with --account)");
        accounts.Subcommands.Add(list);
        return accounts;
    }

    internal static string Json(IReadOnlyList<ScmAccountSummary> accounts, string? defaultAccount)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("defaultAccount", defaultAccount);
            w.WriteStartArray("accounts");
            foreach (var a in accounts)
            {
                w.WriteStartObject();
                w.WriteString("name", a.Account);
                w.WriteString("baseAddress", Render.Address(a.BaseAddress));
                w.WriteBoolean("credentialsAccepted", a.CredentialsAccepted);
                if (a.LastCatalogSync is { } synced)
                {
                    w.WriteString("lastCatalogSync", synced);
                }
                else
                {
                    w.WriteNull("lastCatalogSync");
                }

                w.WriteNumber("activeCertificates", a.ActiveCertificates);
                w.WriteNumber("certificates", a.Certificates);
                w.WriteNumber("openOrders", a.OpenOrders);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
