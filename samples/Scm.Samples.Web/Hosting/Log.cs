namespace Scm.Samples.Web.Hosting;

/// <summary>The dashboard's log messages (never a secret: no password, client secret, keystore password or key).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "SCM account linked ({Mode}, {BaseAddress}) by {Actor}.")]
    public static partial void AccountLinked(ILogger logger, LinkMode mode, string baseAddress, string actor);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "SCM account unlinked by {Actor}.")]
    public static partial void AccountUnlinked(ILogger logger, string actor);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "The saved SCM account link was not restored: {Reason}")]
    public static partial void AccountRestoreFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Signed in: {User}.")]
    public static partial void SignedIn(ILogger logger, string user);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Sign-in refused from {Client} ({Outcome}); the user name typed is not logged (it may be a mistyped password).")]
    public static partial void SignInRefused(ILogger logger, string? client, string outcome);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Simulator mode: SCM simulator at {Address}, data in {DataDirectory}.")]
    public static partial void SimulatorStarted(ILogger logger, Uri address, string dataDirectory);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "{Kind} {WorkId} started by {Actor} failed: {Error}")]
    public static partial void WorkFailed(ILogger logger, string kind, Guid workId, string actor, string error);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "{Action} by {Actor}: {Outcome}")]
    public static partial void Action(ILogger logger, string action, string actor, string outcome);
}
