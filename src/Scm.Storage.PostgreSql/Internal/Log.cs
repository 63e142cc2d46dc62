using Microsoft.Extensions.Logging;

namespace Scm.Storage.PostgreSql.Internal;

/// <summary>The PostgreSQL store's log messages (event ids 3200+). Never record content: no keys, payloads, values or passwords.</summary>
internal static partial class Log
{
    [LoggerMessage(3200, LogLevel.Information, "PostgreSQL store {Location} migrated to schema version {Version}.")]
    public static partial void Migrated(ILogger logger, string location, int version);

    [LoggerMessage(3201, LogLevel.Warning, "PostgreSQL store {Operation} failed ({SqlState}, {Kind}).")]
    public static partial void StoreError(ILogger logger, string operation, string sqlState, Scm.Storage.StoreErrorKind kind, Exception exception);

    [LoggerMessage(3202, LogLevel.Information, "PostgreSQL store {Location} opened: schema version {Version}.")]
    public static partial void Opened(ILogger logger, string location, int version);

    [LoggerMessage(3203, LogLevel.Error, "PostgreSQL store {Location} refused at start ({Kind}); nothing was changed.")]
    public static partial void Refused(ILogger logger, string location, Scm.Storage.StoreErrorKind kind);
}
