using Microsoft.Extensions.Logging;

namespace Scm.Storage.Sqlite.Internal;

/// <summary>The SQLite store's log messages (event ids 3000+). Never record content: no keys, payloads or values.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "SQLite store {Path} migrated to schema version {Version}.")]
    public static partial void Migrated(ILogger logger, string path, int version);

    [LoggerMessage(3001, LogLevel.Warning, "SQLite store {Operation} failed with SQLite error {Code} ({Kind}).")]
    public static partial void StoreError(ILogger logger, string operation, int code, Scm.Storage.StoreErrorKind kind, Exception exception);

    [LoggerMessage(3002, LogLevel.Information, "SQLite store {Path} opened: schema version {Version}, journal mode {JournalMode}.")]
    public static partial void Opened(ILogger logger, string path, int version, string journalMode);

    [LoggerMessage(3003, LogLevel.Error, "SQLite store {Path} refused at start ({Kind}); the file was left as it is.")]
    public static partial void Refused(ILogger logger, string path, Scm.Storage.StoreErrorKind kind);
}
