namespace Scm.Storage.Sqlite.Internal;

/// <summary>
/// The versioned schema. <c>PRAGMA user_version</c> holds the number of migrations applied; a migration is appended for
/// every change and applied migrations are never edited. Ids are 32 lowercase hex characters (<c>Guid.ToString("N")</c>),
/// whose text order equals <see cref="Guid.CompareTo(Guid)"/>; times are UTC ticks; each record is kept whole as JSON in
/// <c>payload</c>, with the columns the queries filter or sort on beside it.
/// </summary>
internal static class Schema
{
    /// <summary><c>PRAGMA application_id</c> of a Scm.Sdk database ("SCM1").</summary>
    public const int ApplicationId = 0x53434D31;

    public static readonly string[] Migrations =
    [
        // 1: the initial schema.
        """
        CREATE TABLE orders (
            id TEXT NOT NULL PRIMARY KEY,
            certificate_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            state INTEGER NOT NULL,
            is_open INTEGER NOT NULL,
            version INTEGER NOT NULL,
            ssl_id INTEGER NULL,
            correlation_token TEXT NOT NULL,
            next_attempt_at INTEGER NULL,
            created_at INTEGER NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE UNIQUE INDEX ux_orders_one_open_per_certificate ON orders(certificate_id) WHERE is_open = 1;
        CREATE INDEX ix_orders_pending ON orders(next_attempt_at, created_at, id) WHERE is_open = 1;
        CREATE INDEX ix_orders_ssl_id ON orders(ssl_id) WHERE ssl_id IS NOT NULL;
        CREATE INDEX ix_orders_token ON orders(correlation_token);
        CREATE INDEX ix_orders_created ON orders(created_at, id);
        CREATE INDEX ix_orders_certificate ON orders(certificate_id);

        CREATE TABLE certificates (
            id TEXT NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL,
            status INTEGER NOT NULL,
            ssl_id INTEGER NULL,
            serial TEXT NOT NULL,
            common_name TEXT NOT NULL COLLATE NOCASE,
            not_after INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX ix_certificates_due ON certificates(not_after, id) WHERE status = 0;
        CREATE INDEX ix_certificates_ssl_id ON certificates(ssl_id) WHERE ssl_id IS NOT NULL;
        CREATE INDEX ix_certificates_serial ON certificates(serial);
        CREATE INDEX ix_certificates_created ON certificates(created_at, id);
        CREATE INDEX ix_certificates_status ON certificates(status);
        CREATE INDEX ix_certificates_common_name ON certificates(common_name);

        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            timestamp INTEGER NOT NULL,
            certificate_id TEXT NULL,
            action TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX ix_audit_timestamp ON audit(timestamp, seq);
        CREATE INDEX ix_audit_certificate ON audit(certificate_id, seq) WHERE certificate_id IS NOT NULL;

        CREATE TABLE catalog (account_id TEXT NOT NULL PRIMARY KEY, payload TEXT NOT NULL);
        CREATE TABLE job_state (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE leases (
            name TEXT NOT NULL PRIMARY KEY,
            owner TEXT NULL,
            fencing_token INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """,

        // 2: indexes that match the list queries' filters and order, so a page is a range scan rather than a sort.
        """
        DROP INDEX ix_certificates_status;
        DROP INDEX ix_certificates_common_name;
        DROP INDEX ix_orders_certificate;
        CREATE INDEX ix_certificates_status_created ON certificates(status, created_at, id);
        CREATE INDEX ix_certificates_common_name_created ON certificates(common_name, created_at, id);
        CREATE INDEX ix_orders_certificate_created ON orders(certificate_id, created_at, id);
        CREATE INDEX ix_orders_state_created ON orders(state, created_at, id);
        """,
    ];

    public static int CurrentVersion => Migrations.Length;
}
