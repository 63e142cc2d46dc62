namespace Scm.Storage.PostgreSql.Internal;

/// <summary>
/// The versioned schema of the PostgreSQL store: the same tables, columns and query shapes as the SQLite store's current
/// schema (the relational core runs the same statements on both), in PostgreSQL's types. The table <c>scm_store</c> records
/// the application and the number of migrations applied; a migration is appended for every change and applied
/// migrations are never edited. Ids are 32 lowercase hex characters compared byte-wise (<c>COLLATE "C"</c>), times are
/// UTC ticks, each record is kept whole as JSON text in <c>payload</c>.
/// </summary>
internal static class PgSchema
{
    public const string Application = "Scm.Sdk";

    public static readonly string[] Migrations =
    [
        // 1: the initial schema (the SQLite store's schema 3).
        """
        CREATE TABLE orders (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            certificate_id text COLLATE "C" NOT NULL,
            account_id text NOT NULL,
            state integer NOT NULL,
            is_open integer NOT NULL,
            version bigint NOT NULL,
            ssl_id bigint NULL,
            correlation_token text NOT NULL,
            next_attempt_at bigint NULL,
            created_at bigint NOT NULL,
            payload text NOT NULL
        );
        CREATE UNIQUE INDEX ux_orders_one_open_per_certificate ON orders(certificate_id) WHERE is_open = 1;
        CREATE INDEX ix_orders_pending ON orders(account_id, next_attempt_at NULLS FIRST, created_at, id) WHERE is_open = 1;
        CREATE INDEX ix_orders_ssl_id ON orders(account_id, ssl_id) WHERE ssl_id IS NOT NULL;
        CREATE INDEX ix_orders_token ON orders(account_id, correlation_token);
        CREATE INDEX ix_orders_created ON orders(account_id, created_at, id);
        CREATE INDEX ix_orders_certificate_created ON orders(account_id, certificate_id, created_at, id);
        CREATE INDEX ix_orders_state_created ON orders(account_id, state, created_at, id);

        CREATE TABLE certificates (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            account_id text NOT NULL,
            version bigint NOT NULL,
            status integer NOT NULL,
            ssl_id bigint NULL,
            serial text NOT NULL,
            common_name text NOT NULL,
            not_after bigint NOT NULL,
            created_at bigint NOT NULL,
            payload text NOT NULL
        );
        CREATE INDEX ix_certificates_due ON certificates(account_id, not_after, id) WHERE status = 0;
        CREATE INDEX ix_certificates_ssl_id ON certificates(account_id, ssl_id) WHERE ssl_id IS NOT NULL;
        CREATE INDEX ix_certificates_serial ON certificates(account_id, serial);
        CREATE INDEX ix_certificates_created ON certificates(account_id, created_at, id);
        CREATE INDEX ix_certificates_status_created ON certificates(account_id, status, created_at, id);
        CREATE INDEX ix_certificates_common_name_created ON certificates(account_id, lower(common_name), created_at, id);

        CREATE TABLE audit (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            account_id text NOT NULL,
            timestamp bigint NOT NULL,
            certificate_id text COLLATE "C" NULL,
            action text NOT NULL,
            payload text NOT NULL
        );
        CREATE INDEX ix_audit_account ON audit(account_id, seq);
        CREATE INDEX ix_audit_timestamp ON audit(account_id, timestamp, seq);
        CREATE INDEX ix_audit_certificate ON audit(account_id, certificate_id, seq) WHERE certificate_id IS NOT NULL;

        CREATE TABLE catalog (account_id text NOT NULL PRIMARY KEY, payload text NOT NULL);
        CREATE TABLE job_state (account_id text NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (account_id, key));
        CREATE TABLE leases (
            account_id text NOT NULL,
            name text NOT NULL,
            owner text NULL,
            fencing_token bigint NOT NULL,
            expires_at bigint NOT NULL,
            PRIMARY KEY (account_id, name)
        );
        """,
    ];

    public static int CurrentVersion => Migrations.Length;
}
