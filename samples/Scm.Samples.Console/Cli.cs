using System.CommandLine;
using System.CommandLine.Invocation;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>The options every command accepts.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Store { get; } = new("--store")
    {
        Description = "SQLite store file (default: Cli:Store, else scm.db in the user's local data folder under Scm.Sdk)",
        HelpName = "path",
        Recursive = true,
    };

    public Option<string?> DeployDirectory { get; } = new("--deploy-dir")
    {
        Description = "Folder the file-system deployment writes certificates to (default: Cli:DeployDirectory, else 'certificates' beside the store)",
        HelpName = "path",
        Recursive = true,
    };

    public Option<bool> Simulator { get; } = new("--simulator")
    {
        Description = "Run against a fresh in-process SCM simulator with a temporary store (no SCM account needed)",
        Recursive = true,
    };

    public Option<string?> SimulatorUrl { get; } = new("--simulator-url")
    {
        Description = "Run against a simulator started with `scm simulator` (credentials are read from it)",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Account { get; } = CreateAccount();

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show the engine's log lines, and stack traces of errors",
        Recursive = true,
    };

    public Option<bool> ShowSecrets { get; } = new("--show-secrets")
    {
        Description = "Print generated keystore passwords instead of masking them",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Account, Store, DeployDirectory, Simulator, SimulatorUrl, Verbose, ShowSecrets];

    private static Option<string?> CreateAccount()
    {
        var option = new Option<string?>("--account")
        {
            Description = "The SCM account to work with: a name under Sectigo:Accounts (default: 'default', or the only account configured)",
            HelpName = "name",
            Recursive = true,
        };
        option.Validators.Add(r =>
        {
            // The engine's rule for account names: an invalid one cannot name a configured account.
            if (r.GetValueOrDefault<string?>() is { } name && !(name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
            {
                r.AddError($"--account '{name}': an account name is 1-64 letters, digits, '.', '_' or '-'.");
            }
        });
        return option;
    }
}

/// <summary>What a command handler gets: the parsed command line, the consoles and the environment.</summary>
internal sealed class CommandContext
{
    public CommandContext(ParseResult parseResult, GlobalOptions global, IAnsiConsole output, IAnsiConsole error, CliEnvironment environment)
    {
        ParseResult = parseResult;
        Global = global;
        Out = output;
        Err = error;
        Environment = environment;
    }

    public ParseResult ParseResult { get; }

    public GlobalOptions Global { get; }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Err { get; }

    public CliEnvironment Environment { get; }

    public bool Verbose => ParseResult.GetValue(Global.Verbose);

    public bool ShowSecrets => ParseResult.GetValue(Global.ShowSecrets);

    public bool UsesFreshSimulator => ParseResult.GetValue(Global.Simulator);

    /// <summary>The account --account names, if it was given.</summary>
    public string? Account => ParseResult.GetValue(Global.Account);

    public T Get<T>(Option<T> option) => ParseResult.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => ParseResult.GetValue(argument)!;

    public bool Has(Option option) => ParseResult.GetResult(option) is { Implicit: false };

    public DateTimeOffset Now => Environment.Time.GetUtcNow();

    public SessionOptions SessionOptions() => new()
    {
        StorePath = ParseResult.GetValue(Global.Store),
        DeployDirectory = ParseResult.GetValue(Global.DeployDirectory),
        Simulator = ParseResult.GetValue(Global.Simulator),
        SimulatorUrl = ParseResult.GetValue(Global.SimulatorUrl),
        Account = Account,
        Verbose = Verbose,
    };

    /// <summary>Starts the engine (and a simulator with --simulator), printing where it runs.</summary>
    /// <param name="selectAccount">
    /// Whether the command works with one account (--account, else the default one); <see langword="false"/> for commands about
    /// every account (they get the one --account names, if given).
    /// </param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<EngineSession> StartEngineAsync(bool selectAccount, CancellationToken cancellationToken)
    {
        var options = SessionOptions() with { SelectAccount = selectAccount };
        if (options.Simulator && options.SimulatorUrl is not null)
        {
            throw CliException.Usage("--simulator and --simulator-url cannot be used together.");
        }

        var session = await EngineSession.StartAsync(options, Environment, Err, cancellationToken);
        // On the error console, so that standard output stays data (list --json).
        var temporary = session.TempRoot is not null ? " (temporary: deleted when the command ends; --store and --deploy-dir keep files)" : string.Empty;
        Err.MarkupLine($"[grey]Using {Render.E(session.ScmDescription)}; store {Render.E(session.StorePath)}{temporary}[/]");
        return session;
    }
}

/// <summary>The entry point: parses the command line, runs one command, maps failures to one line and an exit code.</summary>
internal static class Cli
{
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, IAnsiConsole? error = null, CliEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        error ??= console;
        environment ??= new CliEnvironment();
        var global = new GlobalOptions();
        var root = BuildRoot(global, console, error, environment);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not CommandLineAction { ClearsParseErrors: true })
        {
            // One line naming the problem; --help has the rest.
            var first = parseResult.Errors.Select(e => e.Message).OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0).First();
            var command = string.Join(' ', parseResult.CommandResult.Command is RootCommand
                ? ["scm"]
                : Ancestry(parseResult.CommandResult.Command));
            if (args.Length == 0)
            {
                await parseResult.RootCommandResult.Command.Parse(["--help"]).InvokeAsync(Invocation(console, error), cancellationToken);
            }

            error.MarkupLine($"[red]error:[/] {Render.E(Errors.OneLine(first))} [grey](see `{Render.E(command)} --help`)[/]");
            return ExitCodes.Usage;
        }

        return await parseResult.InvokeAsync(Invocation(console, error), cancellationToken);
    }

    private static InvocationConfiguration Invocation(IAnsiConsole console, IAnsiConsole error) => new()
    {
        Output = console.Profile.Out.Writer,
        Error = error.Profile.Out.Writer,
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = null,
    };

    private static IEnumerable<string> Ancestry(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c is RootCommand ? "scm" : c.Name);
        }

        return names;
    }

    private static RootCommand BuildRoot(GlobalOptions global, IAnsiConsole console, IAnsiConsole error, CliEnvironment environment)
    {
        var root = new RootCommand(
            "scm: manage Sectigo Certificate Manager (SCM) certificates with Scm.Sdk. Start with `scm demo` (no account needed).");
        foreach (var option in global.All)
        {
            root.Options.Add(option);
        }

        void Register(Command command) => root.Subcommands.Add(command);
        var factory = new CommandFactory(global, console, error, environment);
        Register(factory.Demo());
        Register(factory.Account());
        Register(factory.Accounts());
        Register(factory.Sync());
        Register(factory.Import());
        Register(factory.Order());
        Register(factory.Status());
        Register(factory.Renew());
        Register(factory.AutoRenew());
        Register(factory.Audit());
        Register(factory.Reissue());
        Register(factory.Revoke());
        Register(factory.Cancel());
        Register(factory.Delete());
        Register(factory.List());
        Register(factory.Keys());
        Register(factory.Dcv());
        Register(factory.Simulator());
        return root;
    }
}
