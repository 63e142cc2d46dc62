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
    /// Keeps all state in one PostgreSQL database, with every option given (for example bound from the configuration
    /// section <c>Sectigo:Storage:PostgreSql</c>: <c>ConnectionString</c>, <c>Schema</c>, <c>CommandTimeout</c>). The options
    /// are registered as a singleton too (Quartz scheduling defaults to the same database).
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
