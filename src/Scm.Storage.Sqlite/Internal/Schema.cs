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

        // 3: every table partitioned by account (one store serves several SCM accounts): certificates, the audit log, job
        // state and leases gain the account (existing rows: the account in the record, else 'default'), and every index
        // the queries use leads with it, so one account's queries never scan another's rows.
        """
        ALTER TABLE certificates ADD COLUMN account_id TEXT NOT NULL DEFAULT 'default';
        UPDATE certificates SET account_id = coalesce(json_extract(payload, '$.accountId'), 'default');
        UPDATE orders SET account_id = coalesce(json_extract(payload, '$.accountId'), account_id);
        ALTER TABLE audit ADD COLUMN account_id TEXT NOT NULL DEFAULT 'default';

        CREATE TABLE job_state_v3 (account_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (account_id, key));
        INSERT INTO job_state_v3(account_id, key, value) SELECT 'default', key, value FROM job_state;
        DROP TABLE job_state;
        ALTER TABLE job_state_v3 RENAME TO job_state;

        CREATE TABLE leases_v3 (
            account_id TEXT NOT NULL,
            name TEXT NOT NULL,
            owner TEXT NULL,
            fencing_token INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (account_id, name)
        );
        INSERT INTO leases_v3(account_id, name, owner, fencing_token, expires_at) SELECT 'default', name, owner, fencing_token, expires_at FROM leases;
        DROP TABLE leases;
        ALTER TABLE leases_v3 RENAME TO leases;

        DROP INDEX ix_orders_pending;
        DROP INDEX ix_orders_ssl_id;
        DROP INDEX ix_orders_token;
        DROP INDEX ix_orders_created;
        DROP INDEX ix_orders_certificate_created;
        DROP INDEX ix_orders_state_created;
        CREATE INDEX ix_orders_pending ON orders(account_id, next_attempt_at, created_at, id) WHERE is_open = 1;
        CREATE INDEX ix_orders_ssl_id ON orders(account_id, ssl_id) WHERE ssl_id IS NOT NULL;
        CREATE INDEX ix_orders_token ON orders(account_id, correlation_token);
        CREATE INDEX ix_orders_created ON orders(account_id, created_at, id);
        CREATE INDEX ix_orders_certificate_created ON orders(account_id, certificate_id, created_at, id);
        CREATE INDEX ix_orders_state_created ON orders(account_id, state, created_at, id);

        DROP INDEX ix_certificates_due;
        DROP INDEX ix_certificates_ssl_id;
        DROP INDEX ix_certificates_serial;
        DROP INDEX ix_certificates_created;
        DROP INDEX ix_certificates_status_created;
        DROP INDEX ix_certificates_common_name_created;
        CREATE INDEX ix_certificates_due ON certificates(account_id, not_after, id) WHERE status = 0;
        CREATE INDEX ix_certificates_ssl_id ON certificates(account_id, ssl_id) WHERE ssl_id IS NOT NULL;
        CREATE INDEX ix_certificates_serial ON certificates(account_id, serial);
        CREATE INDEX ix_certificates_created ON certificates(account_id, created_at, id);
        CREATE INDEX ix_certificates_status_created ON certificates(account_id, status, created_at, id);
        CREATE INDEX ix_certificates_common_name_created ON certificates(account_id, common_name COLLATE NOCASE, created_at, id);

        DROP INDEX ix_audit_timestamp;
        DROP INDEX ix_audit_certificate;
        CREATE INDEX ix_audit_account ON audit(account_id, seq);
        CREATE INDEX ix_audit_timestamp ON audit(account_id, timestamp, seq);
        CREATE INDEX ix_audit_certificate ON audit(account_id, certificate_id, seq) WHERE certificate_id IS NOT NULL;
        """,
    ];

    public static int CurrentVersion => Migrations.Length;
}
