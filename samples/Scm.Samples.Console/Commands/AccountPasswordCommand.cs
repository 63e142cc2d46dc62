using System.CommandLine;
using Scm.Lifecycle;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    /// <summary><c>scm account change-password</c>: rotates the SCM API admin's password; the new one goes to a file, never to the screen.</summary>
    public Command ChangePassword()
    {
        var newPasswordFile = new Option<string?>("--new-password-file")
        {
            Description = "Read the new password from the first line of this file (default: generate a 24-character one). Never pass a password on the command line",
            HelpName = "path",
        };
        var secretFile = new Option<string?>("--secret-file")
        {
            Description = "Where the new password is written (mode 0600): '<path>.pending' before SCM is asked, '<path>' once SCM accepted it (default: scm-api-password in the current folder; scm-api-password-<account> for an account of Sectigo:Accounts)",
            HelpName = "path",
        };
        var command = new Command("change-password", "Change the SCM API admin's password (before it expires); the new password is written to a file and never shown") { newPasswordFile, secretFile };
        BindEngine(command, async (context, session, cancellationToken) =>
        {
            string? newPassword = null;
            if (context.Get(newPasswordFile) is { } source)
            {
                newPassword = File.Exists(source)
                    ? (await File.ReadAllLinesAsync(source, cancellationToken)).FirstOrDefault()?.Trim()
                    : throw CliException.Usage($"--new-password-file: '{source}' does not exist.");
                if (string.IsNullOrEmpty(newPassword))
                {
                    throw CliException.Usage($"--new-password-file: the first line of '{source}' is empty.");
                }
            }

            // One file per account by default, so that rotating two accounts' passwords never overwrites one with the other.
            var defaultFile = session.IsNamedAccount ? "scm-api-password-" + session.Account : "scm-api-password";
            var target = Path.GetFullPath(context.Get(secretFile) ?? Path.Combine(context.Environment.WorkingDirectory, defaultFile));
            var store = new FilePasswordStore(target);
            ScmPasswordChangeResult result;
            try
            {
                result = await context.Out.Status().StartAsync("Changing the SCM API password…", _ => session.Lifecycle.ChangeScmPasswordAsync(store, newPassword, cancellationToken));
            }
            catch (ArgumentException ex)
            {
                throw CliException.Usage("the new password: " + ex.Message);
            }

            if (result.Outcome == ScmPasswordChangeOutcome.Changed)
            {
                var expires = result.PasswordExpires is { } until ? $", valid until {until:yyyy-MM-dd}" : string.Empty;
                context.Out.MarkupLine($"[green]✓ SCM accepted the new password{expires}.[/] This session already uses it.");
                context.Out.MarkupLine(result.Saved
                    ? $"  The new password is in [bold]{Render.E(target)}[/] (mode 0600; not shown)."
                    : $"  The new password is in [bold]{Render.E(store.PendingPath)}[/] (mode 0600; not shown): moving it to {Render.E(target)} failed.");
                // The account's own key: Sectigo:Client:Password, or Sectigo:Accounts:<name>:Client:Password for a named account.
                var key = session.AccountSection + ":Client:Password";
                context.Out.MarkupLine($"  Store it as [bold]{Render.E(key)}[/] where this tool reads its configuration, then delete the file, e.g.:");
                context.Out.WriteLine($"    dotnet user-secrets set {key} \"$(cat {target})\" --project samples/Scm.Samples.Console");
                context.Out.WriteLine($"    or the environment variable {key.Replace(":", "__", StringComparison.Ordinal)}, or your secret store.");
                return ExitCodes.Ok;
            }

            context.Out.MarkupLine((result.Outcome == ScmPasswordChangeOutcome.Unknown ? "[yellow]? " : "[red]✗ ") + Render.E(result.Outcome.ToString()) + "[/]: " + Render.E(result.Message));
            if (result.Outcome == ScmPasswordChangeOutcome.Unknown)
            {
                context.Out.MarkupLine($"  The new password is kept in [bold]{Render.E(store.PendingPath)}[/] (mode 0600; not shown).");
            }

            throw new CliException(result.Outcome == ScmPasswordChangeOutcome.Refused ? "SCM refused the new password." : "the password was not changed.");
        });
        return command;
    }

    /// <summary>
    /// The CLI's <see cref="IScmPasswordStore"/>: the new password in a file only the user can read (<c>.pending</c> until SCM
    /// accepted it, then renamed), for the user to move into the configuration. Nothing is printed.
    /// </summary>
    private sealed class FilePasswordStore(string path) : IScmPasswordStore
    {
        public string PendingPath { get; } = path + ".pending";

        public async Task SavePendingAsync(ScmPasswordChange change, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(PendingPath)!);

            // A file left by an earlier run keeps its permissions under FileMode.Create: start from a new one.
            File.Delete(PendingPath);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using var stream = new FileStream(PendingPath, options);
            await using var writer = new StreamWriter(stream);
            await writer.WriteLineAsync(change.NewPassword.AsMemory(), cancellationToken);
        }

        public Task CommitAsync(ScmPasswordChange change, CancellationToken cancellationToken)
        {
            File.Move(PendingPath, path, overwrite: true);
            return Task.CompletedTask;
        }

        public Task DiscardAsync(ScmPasswordChange change, CancellationToken cancellationToken)
        {
            File.Delete(PendingPath);
            return Task.CompletedTask;
        }
    }
}
