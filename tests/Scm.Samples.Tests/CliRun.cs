using System.Text;
using Scm.Samples.Console;
using Scm.Testing;
using Spectre.Console;

namespace Scm.Samples.Tests;

/// <summary>The outcome of one CLI run: exit code, standard output and error output (no colors, wide lines).</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + "\n" + Error;

    /// <summary>The error output's non-empty lines.</summary>
    public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The error line (there must be exactly one "error:" line).</summary>
    public string ErrorLine => Assert.Single(ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the CLI in-process through <see cref="Cli.RunAsync"/> with consoles that capture text.</summary>
internal static class CliRun
{
    private const string OneRunKeys = "one-run-keys-";

    /// <summary>An environment that reads no environment variables, user secrets or appsettings.json of this machine.</summary>
    /// <remarks>The key protector's key file goes to <paramref name="keyFile"/> (default: a new temporary file), never the user's profile.</remarks>
    public static CliEnvironment Isolated(IReadOnlyDictionary<string, string?>? configuration = null, Action<ScmSimulator>? simulatorStarted = null, string? keyFile = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "scm-cli-tests-env");
        Directory.CreateDirectory(folder);
        var settings = new Dictionary<string, string?>(configuration ?? new Dictionary<string, string?>())
        {
            ["Sectigo:KeyProtection:KeyFilePath"] = keyFile ?? Path.Combine(folder, OneRunKeys + Guid.NewGuid().ToString("N"), "protector.key"),
        };
        return new CliEnvironment
        {
            ReadEnvironmentVariables = false,
            ReadUserSecrets = false,
            BaseDirectory = folder,
            WorkingDirectory = folder,
            Configuration = settings,
            SimulatorStarted = simulatorStarted,
        };
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, Isolated());

    public static async Task<CliResult> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var output = new CapturingConsole(width: 220);
        var error = new CapturingConsole(width: 4096);
        try
        {
            var code = await Cli.RunAsync(args, output.Console, error.Console, environment, cancellationToken);
            return new CliResult(code, output.Text, error.Text);
        }
        finally
        {
            // The one-run key folder Isolated() made (tests that keep a store pass their own key file).
            if (environment.Configuration.TryGetValue("Sectigo:KeyProtection:KeyFilePath", out var key) && key is not null
                && Path.GetDirectoryName(key) is { } folder && Path.GetFileName(folder).StartsWith(OneRunKeys, StringComparison.Ordinal) && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>A Spectre console without colors or animation that writes into a string (thread-safe: progress renders from a timer).</summary>
    internal sealed class CapturingConsole
    {
        private readonly StringBuilder _text = new();

        public CapturingConsole(int width)
        {
            Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(new LockedWriter(_text)),
            });
            Console.Profile.Width = width;
        }

        public IAnsiConsole Console { get; }

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
                }
            }
        }

        private sealed class LockedWriter(StringBuilder text) : TextWriter
        {
            public override Encoding Encoding => Encoding.UTF8;

            public override void Write(char value)
            {
                lock (text)
                {
                    text.Append(value);
                }
            }

            public override void Write(string? value)
            {
                lock (text)
                {
                    text.Append(value);
                }
            }

            public override void Write(char[] buffer, int index, int count)
            {
                lock (text)
                {
                    text.Append(buffer, index, count);
                }
            }
        }
    }
}
