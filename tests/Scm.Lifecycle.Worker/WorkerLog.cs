using Microsoft.Extensions.Logging;

namespace Scm.Lifecycle.Worker;

/// <summary>The worker's own log lines (the test reads "ORDERS PLACED" and "DRAINED").</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(9000, LogLevel.Information, "WORKER STARTED pid {Pid}, database {Database}.")]
    public static partial void Started(ILogger logger, int pid, string database);

    [LoggerMessage(9001, LogLevel.Critical, "The worker could not start.")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(9002, LogLevel.Information, "Placing {Missing} of this worker's {Total} orders (the others are already in the store).")]
    public static partial void Placing(ILogger logger, int missing, int total);

    [LoggerMessage(9003, LogLevel.Information, "Ordered {CommonName}: {State}, sslId {SslId}.")]
    public static partial void Placed(ILogger logger, string commonName, string state, long? sslId);

    [LoggerMessage(9004, LogLevel.Warning, "Ordering {CommonName} failed (attempt {Attempt}): {Error}")]
    public static partial void OrderRetry(ILogger logger, string commonName, int attempt, string error);

    [LoggerMessage(9005, LogLevel.Information, "ORDERS PLACED: {Placed} of {Missing}.")]
    public static partial void AllPlaced(ILogger logger, int placed, int missing);

    [LoggerMessage(9006, LogLevel.Critical, "Ordering failed; the worker stops.")]
    public static partial void OrderingFailed(ILogger logger, Exception exception);

    [LoggerMessage(9007, LogLevel.Information, "DRAINED: no open order is left.")]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(9008, LogLevel.Error, "Still open: order {OrderId} {CommonName} {Kind} {State}, sslId {SslId}, last error {LastError}")]
    public static partial void StillOpen(ILogger logger, Guid orderId, string commonName, string kind, string state, long? sslId, string? lastError);

    [LoggerMessage(9009, LogLevel.Error, "DRAIN TIMED OUT: {Count} orders still open after {Timeout}.")]
    public static partial void DrainTimedOut(ILogger logger, int count, TimeSpan timeout);
}
