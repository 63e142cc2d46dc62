using Microsoft.Extensions.Logging;

namespace Scm.Storage.Sqlite.Internal;

/// <summary>The SQLite store's log messages (event ids 3000+). Never record content.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "SQLite store {Path} migrated to schema version {Version}.")]
    public static partial void Migrated(ILogger logger, string path, int version);

    [LoggerMessage(3001, LogLevel.Warning, "SQLite store {Operation} failed with SQLite error {Code}.")]
    public static partial void StoreError(ILogger logger, string operation, int code, Exception exception);
}
