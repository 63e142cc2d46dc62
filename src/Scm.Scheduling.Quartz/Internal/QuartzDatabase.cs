using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Scm.Storage;
using Scm.Storage.PostgreSql;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>
/// The database of Quartz's tables: the configured connection string or the PostgreSQL store's, and Quartz's own
/// schema, created when missing before Quartz provisions its tables in it.
/// </summary>
internal static class QuartzDatabase
{
    /// <summary>The service key of the <see cref="DbDataSource"/> the job store uses (one per scheduler name).</summary>
    public static string DataSourceKey(QuartzSchedulingOptions options) => "Scm.Scheduling.Quartz:" + options.SchedulerName;

    /// <summary>The table prefix Quartz is given: schema-qualified, so the tables live in their own schema.</summary>
    public static string QualifiedPrefix(QuartzSchedulingOptions options) => options.Schema + "." + options.TablePrefix;

    /// <summary>The connection string to use, or an error naming the option when there is none.</summary>
    public static string ResolveConnectionString(IServiceProvider services, QuartzSchedulingOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.ConnectionString;
        }

        if (services.GetService<IScmStore>() is PostgreSqlScmStore && services.GetService<PostgreSqlStoreOptions>() is { } store
            && !string.IsNullOrWhiteSpace(store.ConnectionString))
        {
            return store.ConnectionString;
        }

        throw new OptionsValidationException(nameof(QuartzSchedulingOptions), typeof(QuartzSchedulingOptions),
        [
            $"{nameof(QuartzSchedulingOptions)}.{nameof(QuartzSchedulingOptions.ConnectionString)} is required: Quartz keeps its tables in PostgreSQL, and the store is not the PostgreSQL store (UsePostgreSqlStorage), whose database would be used by default.",
        ]);
    }

    /// <summary>Opens the data source and creates <see cref="QuartzSchedulingOptions.Schema"/> when it is missing.</summary>
    public static DbDataSource Create(IServiceProvider services, QuartzSchedulingOptions options)
    {
        var dataSource = NpgsqlDataSource.Create(ResolveConnectionString(services, options));
        try
        {
            EnsureSchema(dataSource, options.Schema);
            return dataSource;
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    private static void EnsureSchema(NpgsqlDataSource dataSource, string schema)
    {
        // Synchronous on purpose: this runs inside the container's factory, once, while the scheduler is being built.
        // Npgsql's synchronous I/O is real (not sync-over-async). The name was validated as an identifier and is used
        // unquoted, as Quartz uses it in every statement, so PostgreSQL folds it to lower case in both.
        using var connection = dataSource.OpenConnection();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = lower(@name)", connection);
        exists.Parameters.AddWithValue("name", schema);
        if (exists.ExecuteScalar() is not null)
        {
            return;
        }

        try
        {
            using var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {schema}", connection);
            create.ExecuteNonQuery();
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateSchema)
        {
            // Another node created it at the same moment (IF NOT EXISTS does not serialize concurrent creators).
        }
    }
}
