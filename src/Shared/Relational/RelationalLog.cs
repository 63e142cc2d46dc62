using Microsoft.Extensions.Logging;

namespace Scm.Storage.Relational;

/// <summary>The relational core's log messages (event ids 3100+). Never record content: no keys, payloads or values.</summary>
internal static partial class RelationalLog
{
    [LoggerMessage(3100, LogLevel.Debug, "{Product} store write refused: {Reason} on {RecordType}.")]
    public static partial void Conflict(ILogger logger, string product, StoreConflictReason reason, string recordType);

    [LoggerMessage(3101, LogLevel.Debug, "Lease {Name} held by {Owner} with fencing token {FencingToken}.")]
    public static partial void LeaseAcquired(ILogger logger, string name, string owner, long fencingToken);

    [LoggerMessage(3102, LogLevel.Warning, "{Product} store {Operation} failed transiently ({Error}); attempt {Attempt} is repeated (nothing was written).")]
    public static partial void Retrying(ILogger logger, string product, string operation, int attempt, string error);
}
