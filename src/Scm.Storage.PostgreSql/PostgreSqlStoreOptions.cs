namespace Scm.Storage.PostgreSql;

/// <summary>Options of the PostgreSQL store.</summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>
    /// The Npgsql connection string (host, port, database, user; the password from a secret store or
    /// <c>PGPASSWORD</c>, never a committed file). Required. Its password is never logged or shown in a message.
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The PostgreSQL schema holding the store's tables (default <c>scm</c>), created when missing. Several independent
    /// stores can share one database with different schemas. Letters, digits and <c>_</c>, starting with a letter, at most
    /// 63 characters.
    /// </summary>
    public string Schema { get; set; } = "scm";

    /// <summary>
    /// The account whose records the store reads and writes (default <c>default</c>, the single-account host's). Every row
    /// belongs to one account; <see cref="PostgreSqlScmStore.ForAccount"/> opens the same database for another.
    /// </summary>
    public string Account { get; set; } = "default";

    /// <summary>
    /// How long one statement may run before it is cancelled (default 30 s; 1 s to 10 min). A write that waits on a row
    /// another host holds locked counts.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public override string ToString() =>
        $"PostgreSqlStoreOptions {{ ConnectionString = {(string.IsNullOrEmpty(ConnectionString) ? "(none)" : "***")}, Schema = {Schema}, Account = {Account}, CommandTimeout = {CommandTimeout} }}";
}
