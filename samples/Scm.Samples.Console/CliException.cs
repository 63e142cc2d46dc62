namespace Scm.Samples.Console;

/// <summary>A failure the tool reports as one line with a given exit code (no stack trace).</summary>
internal sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Failure)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Everything did what it says.</summary>
    public const int Ok = 0;

    /// <summary>Something failed (SCM refused, a step did not reach its state, the store failed, ...).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: unknown command or option, invalid option value, invalid request or configuration.</summary>
    public const int Usage = 2;
}
