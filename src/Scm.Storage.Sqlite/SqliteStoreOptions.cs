namespace Scm.Storage.Sqlite;

/// <summary>Options of the SQLite store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file; created, with its folder, when missing. Required (no default).</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>
    /// How long a statement waits for another connection or process holding the write lock before the store gives up with
    /// a transient <see cref="StoreErrorKind.Unavailable"/> error. Default 5 s; must be positive and at most 10 minutes.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether every commit is flushed to disk before it returns (<c>synchronous=FULL</c>). Default <see langword="true"/>.
    /// With <see langword="false"/> (<c>NORMAL</c>) a power loss or OS crash may lose the last commits; a process crash never does.
    /// </summary>
    public bool FullSync { get; set; } = true;

    /// <summary>
    /// Whether <see cref="SqliteScmStore.InitializeAsync"/> runs SQLite's <c>PRAGMA quick_check</c> over an existing file,
    /// so a damaged database is reported at start instead of at the first read of a damaged page. Default <see langword="true"/>.
    /// It reads the whole file once: about 2 s for a 450 MB file (100,000 certificates) on the benchmark machine, over a
    /// minute for 4.5 GB (1,000,000); turn it off for very large stores. A file that is not an SQLite database, or is
    /// truncated, is refused at start either way; a damaged page found later fails its read with
    /// <see cref="StoreErrorKind.Corrupt"/>.
    /// </summary>
    public bool VerifyOnInitialize { get; set; } = true;

    /// <summary>
    /// The account whose records the store reads and writes (default <c>default</c>, the single-account host's). Every row
    /// belongs to one account; <see cref="SqliteScmStore.ForAccount"/> opens the same file for another.
    /// </summary>
    public string Account { get; set; } = "default";

    /// <inheritdoc />
    public override string ToString() =>
        $"SqliteStoreOptions {{ DatabasePath = {DatabasePath}, BusyTimeout = {BusyTimeout}, FullSync = {FullSync}, VerifyOnInitialize = {VerifyOnInitialize}, Account = {Account} }}";
}
