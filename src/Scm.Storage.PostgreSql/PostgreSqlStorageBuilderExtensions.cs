using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Scm.Storage;
using Scm.Storage.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL store.</summary>
public static class PostgreSqlStorageBuilderExtensions
{
    /// <summary>
    /// Keeps all state in one PostgreSQL database shared by every host (schema created and migrated at start). Registers
    /// <see cref="PostgreSqlScmStore"/> as the singleton <see cref="IScmStore"/> (replacing any other store) and forwards
    /// <see cref="ICertificateStore"/>, <see cref="ICatalogStore"/>, <see cref="IAuditLog"/>, <see cref="IJobStateStore"/>
    /// and <see cref="ILeaseProvider"/> to the same instance; adds <see cref="TimeProvider.System"/> unless a clock is registered.
    /// The options are registered too, so other parts using the same database (Quartz scheduling) default to them.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string (keep its password out of committed files).</param>
    /// <param name="configure">Optional further options.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder UsePostgreSqlStorage(this ISectigoCertificateManagementBuilder builder, string connectionString, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new PostgreSqlStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        return builder.UsePostgreSqlStorage(options);
    }

    /// <summary>
    /// Keeps all state in one PostgreSQL database configured by the section <c>Sectigo:Storage:PostgreSql</c> of
    /// <paramref name="configuration"/> (or by <paramref name="configuration"/> itself when it is that section):
    /// <c>ConnectionString</c> (required; keep its password in an environment variable such as
    /// <c>Sectigo__Storage__PostgreSql__ConnectionString</c> or a secret store), <c>Schema</c>, <c>Account</c>,
    /// <c>CommandTimeout</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The configuration root, or its <c>Sectigo:Storage:PostgreSql</c> section.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">The connection string is missing, or a value cannot be read; the message names the key.</exception>
    public static ISectigoCertificateManagementBuilder UsePostgreSqlStorage(this ISectigoCertificateManagementBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        const string Section = "Sectigo:Storage:PostgreSql";
        var section = configuration.GetSection(Section);
        var source = section.Exists() ? section : configuration;
        var path = section.Exists() ? Section : (configuration as IConfigurationSection)?.Path ?? Section;
        var options = new PostgreSqlStoreOptions
        {
            ConnectionString = source["ConnectionString"] is { Length: > 0 } connectionString
                ? connectionString
                : throw new InvalidOperationException($"{path}:ConnectionString is required for the PostgreSQL store."),
        };
        if (source["Schema"] is { Length: > 0 } schema)
        {
            options.Schema = schema;
        }

        if (source["Account"] is { Length: > 0 } account)
        {
            options.Account = account;
        }

        if (source["CommandTimeout"] is { Length: > 0 } timeout)
        {
            options.CommandTimeout = TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{path}:CommandTimeout must be a time span such as 00:00:30; got '{timeout}'.");
        }

        return builder.UsePostgreSqlStorage(options);
    }

    /// <summary>
    /// Keeps all state in one PostgreSQL database, with every option given. The options are registered as a singleton
    /// too, so other parts using the same database (Quartz scheduling) default to them.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated when the store is created.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder UsePostgreSqlStorage(this ISectigoCertificateManagementBuilder builder, PostgreSqlStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.RemoveAll<IScmStore>();
        builder.Services.RemoveAll<PostgreSqlStoreOptions>();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IScmStore>(sp => new PostgreSqlScmStore(options, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<PostgreSqlScmStore>>()));
        builder.Services.TryAddSingleton<ICertificateStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<ICatalogStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<IJobStateStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<ILeaseProvider>(sp => sp.GetRequiredService<IScmStore>());
        return builder;
    }
}
