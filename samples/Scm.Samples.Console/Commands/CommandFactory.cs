using System.CommandLine;
using Scm.Storage;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>Builds the commands; one partial file per command group.</summary>
internal sealed partial class CommandFactory
{
    private readonly GlobalOptions _global;
    private readonly IAnsiConsole _console;
    private readonly IAnsiConsole _error;
    private readonly CliEnvironment _environment;

    public CommandFactory(GlobalOptions global, IAnsiConsole console, IAnsiConsole error, CliEnvironment environment)
    {
        _global = global;
        _console = console;
        _error = error;
        _environment = environment;
    }

    /// <summary>Runs a handler; any failure becomes one line and an exit code.</summary>
    private void Bind(Command command, Func<CommandContext, CancellationToken, Task<int>> handler)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = new CommandContext(parseResult, _global, _console, _error, _environment);
            try
            {
                return await handler(context, cancellationToken);
            }
            catch (Exception ex)
            {
                return Errors.Report(context, ex);
            }
        });
    }

    /// <summary>
    /// Runs a handler with the engine started (and stopped afterwards), working with one account: --account, else the
    /// default one (or, with <paramref name="selectAccount"/> <see langword="false"/>, the one --account names if given).
    /// </summary>
    private void BindEngine(Command command, Func<CommandContext, EngineSession, CancellationToken, Task<int>> handler, bool selectAccount = true) =>
        Bind(command, async (context, cancellationToken) =>
        {
            await using var session = await context.StartEngineAsync(selectAccount, cancellationToken);
            return await handler(context, session, cancellationToken);
        });

    private sealed class WaitOptions
    {
        public Option<bool> Wait { get; } = new("--wait")
        {
            Description = "Follow the order with a progress display until it is issued (the default with --simulator)",
        };

        public Option<int> Timeout { get; } = new("--timeout")
        {
            Description = "How long --wait waits, in seconds",
            DefaultValueFactory = _ => 600,
            HelpName = "seconds",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Wait);
            command.Options.Add(Timeout);
            Timeout.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() is < 1 or > 86_400)
                {
                    r.AddError("--timeout must be 1..86400 seconds.");
                }
            });
        }

        public bool ShouldWait(CommandContext context) => context.Get(Wait) || context.UsesFreshSimulator;

        public async Task<WaitResult?> WaitIfAskedAsync(CommandContext context, EngineSession session, IReadOnlyList<Guid> orderIds, CancellationToken cancellationToken)
        {
            if (!ShouldWait(context) || orderIds.Count == 0)
            {
                return null;
            }

            var interval = session.Simulator is not null || context.ParseResult.GetValue(context.Global.SimulatorUrl) is not null
                ? TimeSpan.FromMilliseconds(500)
                : TimeSpan.FromSeconds(10);
            var result = await OrderWaiter.WaitAsync(session, context.Out, orderIds, TimeSpan.FromSeconds(context.Get(Timeout)), interval, context.Environment.Time, cancellationToken);
            OrderWaiter.Report(context.Out, session, result);
            return result;
        }
    }

    /// <summary>Key options shared by order, renew and reissue.</summary>
    private sealed class KeyOptions
    {
        public KeyOptions(bool withDefaults)
        {
            Key = new Option<string?>("--key") { Description = "Key algorithm: rsa or ec" + (withDefaults ? " (default rsa)" : " (default: the current key's)"), HelpName = "rsa|ec" };
            Key.AcceptOnlyFromAmong("rsa", "ec");
        }

        public Option<string?> Key { get; }

        public Option<int?> KeySize { get; } = new("--key-size") { Description = "RSA key size in bits (2048, 3072, 4096 as the profile allows)", HelpName = "bits" };

        public Option<string?> Curve { get; } = new("--curve") { Description = "EC curve: P-256, P-384 or P-521 (as the profile allows)", HelpName = "name" };

        public void AddTo(Command command)
        {
            command.Options.Add(Key);
            command.Options.Add(KeySize);
            command.Options.Add(Curve);
        }

        public KeyAlgorithm? Algorithm(CommandContext context) => context.Get(Key) switch
        {
            "rsa" => KeyAlgorithm.Rsa,
            "ec" => KeyAlgorithm.EC,
            _ => null,
        };
    }

    private static Option<string?> KeystoreOption(string description)
    {
        var option = new Option<string?>("--keystore") { Description = description, HelpName = "pem|pkcs12|jks" };
        option.AcceptOnlyFromAmong("pem", "pkcs12", "jks");
        return option;
    }

    private static KeystoreType? ParseKeystore(string? value) => value switch
    {
        "pem" => KeystoreType.Pem,
        "pkcs12" => KeystoreType.Pkcs12,
        "jks" => KeystoreType.Jks,
        _ => null,
    };

    private static Option<string?> KeystorePasswordOption() => new("--keystore-password")
    {
        Description = "Keystore password (at least 12 characters); generated and shown once when omitted. Never printed",
        HelpName = "password",
    };

    private static Argument<string> IdArgument(string description) => new("id") { Description = description };
}
