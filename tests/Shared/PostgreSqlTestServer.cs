using Npgsql;

namespace Scm.Tests.Shared;

/// <summary>
/// The PostgreSQL server of the tests: the connection string in <c>SCM_TEST_POSTGRES</c> (set by .ci/steps/05-postgres.sh
/// through eng/postgres.sh; a developer runs <c>eng/postgres.sh start</c> and exports the line it prints). Without it a
/// test skips with that explanation on a developer machine, and fails in CI (<c>CI=true</c>), where the server must run.
/// Each test works in a schema of its own, dropped afterwards.
/// </summary>
internal static class PostgreSqlTestServer
{
    public const string Variable = "SCM_TEST_POSTGRES";

    /// <summary>The connection string, or a skip (a failure in CI) naming what to do.</summary>
    public static string Require()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI: {Variable} is not set, so the PostgreSQL tests cannot run; .ci/steps/05-postgres.sh must start the server.");
        }

        throw new Xunit.SkipException($"PostgreSQL tests skipped: no server ({Variable} is not set). Start one with: eval \"export $(bash eng/postgres.sh start)\"");
    }

    /// <summary>A fresh schema name for one test.</summary>
    public static string NewSchema() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Drops a test's schema (best effort).</summary>
    public static async Task DropSchemaAsync(string schema)
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server is gone already; its data directory is thrown away anyway.
        }
    }
}
