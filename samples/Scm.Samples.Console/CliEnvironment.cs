using Scm.Testing;

namespace Scm.Samples.Console;

/// <summary>
/// What the tool reads from its surroundings. <see cref="Program"/> uses the defaults; tests pass their own so that
/// several runs in one process do not share environment variables, folders or user secrets.
/// </summary>
internal sealed record CliEnvironment
{
    /// <summary>Settings applied after every other configuration source (highest precedence).</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>Whether <c>Sectigo__...</c> (and every other) environment variable is read.</summary>
    public bool ReadEnvironmentVariables { get; init; } = true;

    /// <summary>Whether user secrets (<c>dotnet user-secrets</c>) are read.</summary>
    public bool ReadUserSecrets { get; init; } = true;

    /// <summary>The folder of the tool (its <c>appsettings.json</c> is read first).</summary>
    public string BaseDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>The current folder (its <c>appsettings.json</c> overrides the tool's).</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The clock used for waiting, countdowns and "expires in" columns.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Called when the tool started an in-process simulator (tests look at its ground truth).</summary>
    public Action<ScmSimulator>? SimulatorStarted { get; init; }
}
