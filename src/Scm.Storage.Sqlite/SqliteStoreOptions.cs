namespace Scm.Storage.Sqlite;

/// <summary>Options of the SQLite store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file (created with its folder when missing). Required.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>How long a write waits for another connection or process holding the write lock (default 5 s).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether every commit is flushed to disk before it returns (<c>synchronous=FULL</c>, default true). With false
    /// (<c>NORMAL</c>) a power loss may lose the last commits; a process crash never does.
    /// </summary>
    public bool FullSync { get; set; } = true;

    /// <inheritdoc />
    public override string ToString() => $"SqliteStoreOptions {{ DatabasePath = {DatabasePath}, BusyTimeout = {BusyTimeout}, FullSync = {FullSync} }}";
}
