using System.CommandLine;
using System.Globalization;
using Scm.Lifecycle;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    public Command Account()
    {
        var check = new Command("check", "Check that the account can order: credentials, organizations, validated domains, profiles");
        BindEngine(check, async (context, session, cancellationToken) =>
        {
            var result = await context.Out.Status().StartAsync("Checking the SCM account…", _ => session.Lifecycle.CheckAccountAsync(cancellationToken));
            AccountCheck(context.Out, result);
            if (!result.IsReady)
            {
                var first = result.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error);
                throw new CliException("the account is not ready to order" + (first is null ? "." : $": {first.Message}"));
            }

            return ExitCodes.Ok;
        });

        var account = new Command("account", "The linked SCM account");
        account.Subcommands.Add(check);
        account.Subcommands.Add(ChangePassword());
        return account;
    }

    internal static void AccountCheck(IAnsiConsole console, AccountCheckResult result)
    {
        console.Write(Render.Findings(result));
        var password = result.PasswordState is null ? string.Empty
            : $", API password {Render.E(result.PasswordState)}{(result.PasswordExpires is { } until ? $" until {until:yyyy-MM-dd}" : string.Empty)}";
        console.MarkupLine(result.IsReady
            ? $"[green]✓ Account ready[/]: {result.Organizations} organizations/departments, {result.ValidatedDomains} validated domains, {result.Profiles} profiles{password}."
            : $"[red]✗ Account not ready[/]: {result.Organizations} organizations/departments, {result.ValidatedDomains} validated domains, {result.Profiles} profiles{password}.");
    }

    public Command Sync()
    {
        var sync = new Command("sync", "Pull organizations, domains, profiles and custom fields from SCM into the store, and show them");
        BindEngine(sync, async (context, session, cancellationToken) =>
        {
            var result = await context.Out.Status().StartAsync("Syncing the catalog from SCM…", _ => session.Lifecycle.SyncCatalogAsync(cancellationToken));
            Render.WriteCatalog(context.Out, result.Catalog);
            context.Out.MarkupLine(
                $"[green]✓ Catalog synced[/] in {result.Duration.TotalSeconds:0.0} s: {result.Catalog.Organizations.Count} organizations/departments, " +
                $"{result.Catalog.Domains.Count} domains, {result.Catalog.Profiles.Count} profiles, {result.Catalog.CustomFields.Count} custom fields.");
            return ExitCodes.Ok;
        });
        return sync;
    }

    public Command Import()
    {
        var statuses = new Option<string[]>("--status")
        {
            Description = "Only orders with this SCM status (repeatable, e.g. Issued, Applied, Requested); default: every status that can be managed",
            HelpName = "status",
            AllowMultipleArgumentsPerToken = false,
        };
        var includeExpired = new Option<bool>("--include-expired") { Description = "Also import issued certificates that have expired" };
        var restart = new Option<bool>("--restart") { Description = "Start from the beginning instead of resuming an interrupted import" };
        var import = new Command("import", "Import existing SCM orders: issued ones become observe-only certificates, pending ones are followed") { statuses, includeExpired, restart };
        BindEngine(import, async (context, session, cancellationToken) =>
        {
            var request = new ImportRequest
            {
                Statuses = context.Get(statuses) ?? [],
                IncludeExpired = context.Get(includeExpired),
                Resume = !context.Get(restart),
            };
            var result = await Imports(context.Out, session, request, cancellationToken);
            return result.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return import;
    }

    internal static async Task<ImportResult> Imports(IAnsiConsole console, EngineSession session, ImportRequest request, CancellationToken cancellationToken)
    {
        var result = await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("Importing SCM orders", maxValue: 1);
                var reporter = new InlineProgress<ImportProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total ?? p.Processed);
                    task.Value = p.Processed;
                    if (p.PausedFor is { } pause)
                    {
                        // Said once per pause, on its own line: the description alone would be overwritten by the next page.
                        console.MarkupLine($"[yellow]SCM failing: paused {Render.E(Duration(pause))}[/] (its circuit breaker is open); the import resumes by itself.");
                        task.Description = $"Importing SCM orders: {p.Processed}{(p.Total is { } total ? "/" + total : string.Empty)} looked at, SCM failing: paused {Duration(pause)}";
                        return;
                    }

                    task.Description = $"Importing SCM orders: {p.Processed}{(p.Total is { } t ? "/" + t : string.Empty)} looked at, {p.Imported} imported";
                });
                var imported = await session.Lifecycle.ImportExistingOrdersAsync(request, reporter, cancellationToken);
                task.MaxValue = Math.Max(1, imported.Progress.Processed);
                task.Value = task.MaxValue;
                task.StopTask();
                return imported;
            });

        var p = result.Progress;
        console.MarkupLine(
            $"[green]✓ Import done[/]{(result.Resumed ? " (resumed)" : string.Empty)}: {p.Processed} SCM orders looked at, [bold]{p.Imported} imported[/], " +
            $"{p.AlreadyKnown} already known, {p.Skipped} skipped{Render.E(SkippedBy(p))}, {p.Failed} failed{(result.Reconciled > 0 ? $", {result.Reconciled} local orders reconciled" : string.Empty)}" +
            $"{(result.Paused > TimeSpan.Zero ? $"; paused {Render.E(Duration(result.Paused))} in all while SCM was failing" : string.Empty)}.");
        foreach (var group in result.NeedsReview.GroupBy(r => r.ScmStatus, StringComparer.Ordinal))
        {
            var ids = group.Select(r => r.SslId.ToString(CultureInfo.InvariantCulture)).ToArray();
            console.MarkupLine(
                $"  [yellow]![/] {ids.Length} in status '{Render.E(group.Key)}', which the SDK does not know: imported as open orders and followed; review them in SCM " +
                $"(SCM ids {Render.E(string.Join(", ", ids.Take(10)))}{(ids.Length > 10 ? ", …" : string.Empty)}).");
        }

        foreach (var failure in result.Failures)
        {
            console.MarkupLine($"  [red]✗[/] SCM id {failure.SslId}: {Render.E(failure.Reason)}");
        }

        return result;
    }

    /// <summary>Skipped orders by reason, e.g. " (80 expired, 40 revoked)"; empty when none were skipped.</summary>
    internal static string SkippedBy(ImportProgress p) => p.SkippedBy.Count == 0
        ? string.Empty
        : " (" + string.Join(", ", p.SkippedBy.Where(x => x.Value > 0).OrderBy(x => x.Key).Select(x => $"{x.Value} {x.Key.ToString().ToLowerInvariant()}")) + ")";

    /// <summary>A pause, e.g. "30 s" or "2 min 30 s".</summary>
    internal static string Duration(TimeSpan span)
    {
        var seconds = (long)Math.Ceiling(span.TotalSeconds);
        return seconds < 60
            ? seconds.ToString(CultureInfo.InvariantCulture) + " s"
            : (seconds / 60).ToString(CultureInfo.InvariantCulture) + " min" + (seconds % 60 == 0 ? string.Empty : " " + (seconds % 60).ToString(CultureInfo.InvariantCulture) + " s");
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (no synchronization context hop).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
