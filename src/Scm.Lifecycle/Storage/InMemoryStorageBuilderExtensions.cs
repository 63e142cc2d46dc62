using Microsoft.Extensions.DependencyInjection.Extensions;
using Scm.Lifecycle.Storage;
using Scm.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-memory store.</summary>
public static class InMemoryStorageBuilderExtensions
{
    /// <summary>
    /// Keeps all state in memory (tests, demos, ephemeral hosts): lost when the process ends. Unless a key protection
    /// key or file is configured, private keys are protected with a random key that also lives only in memory.
    /// Registers the store as the singleton <see cref="IScmStore"/> (replacing any other) and forwards
    /// <see cref="ICertificateStore"/>, <see cref="ICatalogStore"/>, <see cref="IAuditLog"/>, <see cref="IJobStateStore"/>
    /// and <see cref="ILeaseProvider"/> to it; adds <see cref="TimeProvider.System"/> unless a clock is registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder UseInMemoryStorage(this ISectigoCertificateManagementBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.RemoveAll<IScmStore>();
        builder.Services.AddSingleton<IScmStore>(sp => new InMemoryScmStore(sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<ICertificateStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<ICatalogStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<IJobStateStore>(sp => sp.GetRequiredService<IScmStore>());
        builder.Services.TryAddSingleton<ILeaseProvider>(sp => sp.GetRequiredService<IScmStore>());
        return builder;
    }
}
