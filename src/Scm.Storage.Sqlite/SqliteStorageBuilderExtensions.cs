using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Scm.Storage;
using Scm.Storage.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite store.</summary>
public static class SqliteStorageBuilderExtensions
{
    /// <summary>
    /// Keeps all state in one SQLite file (created on first use; migrations applied at start). Several processes on
    /// one machine may share the file. Registers <see cref="SqliteScmStore"/> as the singleton <see cref="IScmStore"/>
    /// (replacing any other store) and forwards <see cref="ICertificateStore"/>, <see cref="ICatalogStore"/>,
    /// <see cref="IAuditLog"/>, <see cref="IJobStateStore"/> and <see cref="ILeaseProvider"/> to the same instance;
    /// adds <see cref="TimeProvider.System"/> unless a clock is registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="databasePath">The database file.</param>
    /// <param name="configure">Optional further options.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder UseSqliteStorage(this ISectigoCertificateManagementBuilder builder, string databasePath, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var options = new SqliteStoreOptions { DatabasePath = databasePath };
        configure?.Invoke(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.RemoveAll<IScmStore>();
        builder.Services.AddSingleton<IScmStore>(sp => new SqliteScmStore(options, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<SqliteScmStore>>()));
        builder.Services.TryAddSingleton<ICertificateStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<ICatalogStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<IJobStateStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<ILeaseProvider>(sp => sp.GetRequiredService<IScmStore>());
        return builder;
    }
}
