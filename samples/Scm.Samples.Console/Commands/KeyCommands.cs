using System.CommandLine;
using System.Globalization;
using Scm.Lifecycle.KeyProtection;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    public Command Keys()
    {
        var status = new Command("status", "The key ring that protects the store's private keys: key ids, the current one, what each protects, keys the store needs but the ring lacks");
        BindEngine(status, async (context, session, cancellationToken) =>
        {
            var result = await session.KeyProtection.GetStatusAsync(cancellationToken);
            SharedRing(context.Out, session);
            KeyStatus(context.Out, result);
            return result.MissingKeyIds.Count == 0 && result.UnreadableRecords.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });

        var noNewKey = new Option<bool>("--no-new-key")
        {
            Description = "Only re-wrap to the current key (after a key set in configuration changed, or to bind values written by older versions); default: make a new key current first",
        };
        var rotate = new Command("rotate", "Make a new key current and re-wrap every stored private key, keystore and password with it (audited; run it again to complete an interrupted rotation)") { noNewKey };
        BindEngine(rotate, async (context, session, cancellationToken) =>
        {
            var request = new KeyRotationRequest { CreateNewKey = !context.Get(noNewKey), Actor = "cli" };
            var result = await context.Out.Status().StartAsync("Re-wrapping stored keys…", _ => session.KeyProtection.RotateAsync(request, cancellationToken));
            SharedRing(context.Out, session);
            var what = result.Resumed ? "Rotation resumed and completed" : result.CreatedNewKey ? "Rotated" : "Re-wrapped";
            context.Out.MarkupLine(
                $"[green]✓ {what}[/]: current key {Render.E(result.CurrentKeyId)}{(result.PreviousKeyId is { } previous ? $" (was {Render.E(previous)})" : string.Empty)}; " +
                $"{result.ValuesRewrapped.ToString(CultureInfo.InvariantCulture)} values in {result.RecordsRewrapped.ToString(CultureInfo.InvariantCulture)} records re-wrapped" +
                (result.Conflicts > 0 ? $", {result.Conflicts.ToString(CultureInfo.InvariantCulture)} concurrent changes redone" : string.Empty) + ".");
            if (result.RetiredKeyIds.Count > 0)
            {
                context.Out.MarkupLine(session.IsNamedAccount
                    ? $"Keys no longer needed by account '{Render.E(session.Account)}': {Render.E(string.Join(", ", result.RetiredKeyIds))} (the ring is shared: other accounts may still need them; " +
                      $"run 'scm --account <name> keys rotate' for each account, and back the keys up before removing them from the ring)."
                    : $"Keys no longer needed by this store: {Render.E(string.Join(", ", result.RetiredKeyIds))} (back them up before removing them from the ring).");
            }

            if (result.FailedRecords.Count > 0)
            {
                throw new CliException($"{result.FailedRecords.Count} records could not be decrypted and keep their key: {string.Join(", ", result.FailedRecords)}; see 'scm keys status'.");
            }

            return ExitCodes.Ok;
        });

        var keys = new Command("keys", "The key-encryption keys that protect private keys at rest");
        keys.Subcommands.Add(status);
        keys.Subcommands.Add(rotate);
        return keys;
    }

    /// <summary>With several accounts: the key ring is the host's, the counts are the account's records.</summary>
    private static void SharedRing(IAnsiConsole console, EngineSession session)
    {
        if (session.IsNamedAccount)
        {
            console.MarkupLine($"Account [bold]{Render.E(session.Account)}[/]: the key ring is shared by every account; the values and records below are this account's.");
        }
    }

    internal static void KeyStatus(IAnsiConsole console, KeyProtectionStatus status)
    {
        if (!status.SupportsKeyIds)
        {
            console.MarkupLine("The configured key protector has no key ids; it manages its keys itself.");
            return;
        }

        console.MarkupLine($"Key ring: {Render.E(status.Location)}");
        var table = new Table().Title("Key-encryption keys").AddColumns("Key id", "In ring", "Current", "Needed by the store", "Values", "Records");
        foreach (var key in status.Keys)
        {
            table.AddRow(
                Render.E(key.KeyId),
                key.InRing ? "yes" : "[red]MISSING[/]",
                key.IsCurrent ? "current" : string.Empty,
                key.IsRecorded ? "yes" : "no",
                key.ProtectedValues.ToString(CultureInfo.InvariantCulture),
                key.Records.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        if (status.UnboundValues > 0)
        {
            console.MarkupLine($"{status.UnboundValues.ToString(CultureInfo.InvariantCulture)} values predate record binding; 'scm keys rotate --no-new-key' binds them.");
        }

        if (status.RotationInProgressTo is { } target)
        {
            console.MarkupLine($"[yellow]A rotation to key {Render.E(target)} did not finish[/]: run 'scm keys rotate' again to complete it.");
        }

        if (status.MissingKeyIds.Count > 0)
        {
            console.MarkupLine($"[red]✗ The store needs key {Render.E(string.Join(", ", status.MissingKeyIds))}, which the key ring does not have.[/] Put the key file that belongs to this store back (docs/operations.md, 'Key protection'); never delete the store.");
        }

        if (status.UnreadableRecords.Count > 0)
        {
            console.MarkupLine($"[red]✗ {status.UnreadableRecords.Count.ToString(CultureInfo.InvariantCulture)} records have key material that cannot be decrypted:[/] {Render.E(string.Join(", ", status.UnreadableRecords))}");
        }

        if (status.MissingKeyIds.Count == 0 && status.UnreadableRecords.Count == 0)
        {
            console.MarkupLine($"[green]✓ Every key the store needs is in the ring[/]; current key {Render.E(status.CurrentKeyId ?? "(none yet)")}.");
        }
    }
}
