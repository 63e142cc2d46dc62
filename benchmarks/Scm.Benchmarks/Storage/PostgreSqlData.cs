using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using NpgsqlTypes;
using Scm.Storage;
using Scm.Storage.PostgreSql;
using Scm.Storage.PostgreSql.Internal;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// The PostgreSQL side of the storage benchmarks: the server (the connection string in <c>SCM_TEST_POSTGRES</c>, as
/// printed by <c>eng/postgres.sh start</c>) and the large certificate tables the due query runs on. A table of a million
/// certificates is loaded once per server into its own schema with a binary COPY of exactly the rows the store writes
/// (checked against rows written by the store itself before every load), then reused by every benchmark process.
/// </summary>
internal static class PostgreSqlData
{
    public const string Variable = "SCM_TEST_POSTGRES";

    /// <summary>Bumped when the generated data or the load changes, so a cached schema is rebuilt.</summary>
    private const int DataVersion = 1;

    private const string Account = "default";

    private static readonly JsonTypeInfo<ManagedCertificate> PayloadType = StorePayloadType();

    /// <summary>The server's connection string; a clear error when it is not set.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"The PostgreSQL benchmarks need a server: run 'bash eng/postgres.sh start' and export the {Variable}=... line it prints (stop it afterwards with 'bash eng/postgres.sh stop <data dir>').");

    /// <summary>The schema holding <paramref name="rows"/> certificates (the same records as the SQLite file of that size), loaded on first use.</summary>
    public static async Task<string> EnsureDueSchemaAsync(int rows)
    {
        var schema = string.Create(CultureInfo.InvariantCulture, $"bench_due_{rows}_s{PgSchema.CurrentVersion}_d{DataVersion}");
        var marker = "complete:" + rows.ToString(CultureInfo.InvariantCulture);
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            if (await ScalarAsync(connection, "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = @s;", ("s", schema)) as string == marker)
            {
                return schema;
            }

            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;");
        }

        await VerifyRowsMatchStoreAsync(dataSource);
        var options = new PostgreSqlStoreOptions { ConnectionString = ConnectionString, Schema = schema, CommandTimeout = TimeSpan.FromMinutes(10) };
        await using (var store = new PostgreSqlScmStore(options))
        {
            await store.InitializeAsync();
        }

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await ExecuteAsync(connection, $"SET search_path = \"{schema}\";");

            // Indexes are built after the load (one sort each instead of a million insertions), from their own definitions.
            var indexes = new List<(string Name, string Definition)>();
            await using (var command = new NpgsqlCommand("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = @s AND tablename = 'certificates' AND indexname NOT LIKE '%_pkey';", connection))
            {
                command.Parameters.AddWithValue("s", schema);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    indexes.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            foreach (var (name, _) in indexes)
            {
                await ExecuteAsync(connection, $"DROP INDEX \"{name}\";");
            }

            var total = Stopwatch.StartNew();
            var random = new Random(rows);
            await using (var importer = await connection.BeginBinaryImportAsync(
                "COPY certificates(id, account_id, version, status, ssl_id, serial, common_name, not_after, created_at, payload) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < rows; i++)
                {
                    await WriteRowAsync(importer, StorageData.Certificate(i, random));
                }

                await importer.CompleteAsync();
            }

            var copied = total.Elapsed;
            await using (var indexCommand = connection.CreateCommand())
            {
                indexCommand.CommandTimeout = 0;
                foreach (var (_, definition) in indexes)
                {
                    indexCommand.CommandText = definition + ";";
                    await indexCommand.ExecuteNonQueryAsync();
                }
            }

            var indexed = total.Elapsed;
            await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) certificates;", connection) { CommandTimeout = 0 })
            {
                await vacuum.ExecuteNonQueryAsync();
            }

            var size = await ScalarAsync(connection, "SELECT pg_size_pretty(pg_total_relation_size('certificates'));");
            await ExecuteAsync(connection, $"COMMENT ON SCHEMA \"{schema}\" IS '{marker}';");
            var line = string.Create(CultureInfo.InvariantCulture,
                $"PostgreSQL load of {rows:N0} certificates into {schema}: COPY {copied.TotalSeconds:0.0} s ({rows / copied.TotalSeconds:N0}/s), indexes {(indexed - copied).TotalSeconds:0.0} s, VACUUM ANALYZE {(total.Elapsed - indexed).TotalSeconds:0.0} s, total {total.Elapsed.TotalSeconds:0.0} s; table with indexes and TOAST {size}");
            Console.WriteLine("// " + line);
            await File.AppendAllTextAsync(Path.Combine(StorageData.Folder, "postgresql-loads.txt"), TimeProvider.System.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) + " " + line + Environment.NewLine);
        }

        return schema;
    }

    /// <summary>
    /// Writes a few certificates through the store's own <c>CommitAsync</c> into a scratch schema and compares every column
    /// of what it stored with what <see cref="WriteRowAsync"/> sends, so the bulk load cannot drift from the store.
    /// </summary>
    private static async Task VerifyRowsMatchStoreAsync(NpgsqlDataSource dataSource)
    {
        const string Scratch = "bench_copy_check";
        const int Count = 50;
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Scratch} CASCADE;");
        var certificates = StorageData.Certificates(Count, seed: 3);
        await using (var store = new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = ConnectionString, Schema = Scratch }))
        {
            var batch = new StoreBatch();
            foreach (var certificate in certificates)
            {
                batch.InsertCertificate(certificate);
            }

            await store.CommitAsync(batch);
        }

        try
        {
            await ExecuteAsync(connection, $"CREATE TABLE {Scratch}.copied (LIKE {Scratch}.certificates);");
            await using (var importer = await connection.BeginBinaryImportAsync(
                $"COPY {Scratch}.copied(id, account_id, version, status, ssl_id, serial, common_name, not_after, created_at, payload) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var certificate in certificates)
                {
                    await WriteRowAsync(importer, certificate);
                }

                await importer.CompleteAsync();
            }

            var differences = Convert.ToInt64(await ScalarAsync(connection, $"""
                SELECT count(*) FROM (
                    (SELECT id, account_id, version, status, ssl_id, serial, common_name, not_after, created_at, payload FROM {Scratch}.certificates
                     EXCEPT ALL SELECT id, account_id, version, status, ssl_id, serial, common_name, not_after, created_at, payload FROM {Scratch}.copied)
                    UNION ALL
                    (SELECT id, account_id, version, status, ssl_id, serial, common_name, not_after, created_at, payload FROM {Scratch}.copied
                     EXCEPT ALL SELECT id, account_id, version, status, ssl_id, serial, common_name, not_after, created_at, payload FROM {Scratch}.certificates)
                ) d;
                """), CultureInfo.InvariantCulture);
            if (differences != 0)
            {
                throw new InvalidOperationException($"The bulk load's rows differ from the store's in {differences} of {Count * 2} rows compared: update PostgreSqlData.WriteRowAsync to match RelationalStore.BindCertificate.");
            }
        }
        finally
        {
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Scratch} CASCADE;");
        }
    }

    /// <summary>One certificate as the store inserts it (RelationalStore.InsertCertificateAsync / BindCertificate): version 1.</summary>
    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, ManagedCertificate certificate)
    {
        var stored = certificate with { Version = 1 };
        await importer.StartRowAsync();
        await importer.WriteAsync(stored.Id.ToString("N"), NpgsqlDbType.Text);
        await importer.WriteAsync(Account, NpgsqlDbType.Text);
        await importer.WriteAsync(stored.Version, NpgsqlDbType.Bigint);
        await importer.WriteAsync((int)stored.Status, NpgsqlDbType.Integer);
        if (stored.SslId is { } sslId)
        {
            await importer.WriteAsync(sslId, NpgsqlDbType.Bigint);
        }
        else
        {
            await importer.WriteNullAsync();
        }

        await importer.WriteAsync(stored.SerialNumber.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant(), NpgsqlDbType.Text);
        await importer.WriteAsync(stored.CommonName, NpgsqlDbType.Text);
        await importer.WriteAsync(stored.NotAfter.UtcTicks, NpgsqlDbType.Bigint);
        await importer.WriteAsync(stored.CreatedAt.UtcTicks, NpgsqlDbType.Bigint);
        await importer.WriteAsync(JsonSerializer.Serialize(stored, PayloadType), NpgsqlDbType.Text);
    }

    /// <summary>
    /// The payload's JSON metadata: the store's own source-generated context (internal to the store assembly; the SQLite
    /// store compiles the same type under the same name, so it is looked up in the PostgreSQL assembly by name).
    /// </summary>
    private static JsonTypeInfo<ManagedCertificate> StorePayloadType()
    {
        var type = typeof(PostgreSqlScmStore).Assembly.GetType("Scm.Storage.Relational.RelationalJsonContext", throwOnError: true)!;
        var context = (JsonSerializerContext)type.GetProperty("Default")!.GetValue(null)!;
        return (JsonTypeInfo<ManagedCertificate>)context.GetTypeInfo(typeof(ManagedCertificate))!;
    }

    /// <summary>The server's postmaster process id (the parent of a backend), when it runs on this machine (Linux /proc).</summary>
    public static async Task<int?> PostmasterPidAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var backend = Convert.ToInt32(await ScalarAsync(connection, "SELECT pg_backend_pid();"), CultureInfo.InvariantCulture);
        return StatFields(backend) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// CPU time used so far by the server: the postmaster with every child it has reaped (finished backends) plus its
    /// live children (backends, writers, autovacuum), from /proc; null when that cannot be read.
    /// </summary>
    public static TimeSpan? ServerCpu(int postmaster)
    {
        const double TicksPerSecond = 100; // USER_HZ on Linux
        if (StatFields(postmaster) is not { } own)
        {
            return null;
        }

        long ticks = Sum(own, 11, 4);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != postmaster
                && StatFields(pid) is { } fields && fields[1] == postmaster.ToString(CultureInfo.InvariantCulture))
            {
                ticks += Sum(fields, 11, 2);
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);

        static long Sum(string[] fields, int from, int count) => fields.Skip(from).Take(count).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
    }

    /// <summary>The fields of /proc/[pid]/stat after the command name (state, ppid, ...; utime is index 11), or null.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }
}
