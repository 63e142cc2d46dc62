using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scm.Lifecycle.DataProtection;
using Scm.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Protects the store's private keys with the host's ASP.NET Core Data Protection key ring.</summary>
public static class DataProtectionKeyProtectionBuilderExtensions
{
    /// <summary>
    /// Replaces the default AES-256-GCM key protector with <see cref="DataProtectionPrivateKeyProtector"/> over the host's
    /// Data Protection (registered with <c>AddDataProtection()</c> if the host has not). Configure Data Protection as for
    /// any long-lived data: a persistent key ring shared by every instance (<c>PersistKeysToFileSystem</c>, Redis, a
    /// database), keys protected at rest (<c>ProtectKeysWithCertificate</c>, ...), one <c>SetApplicationName</c> for
    /// every instance, and a backup of the ring with the store. The engine refuses to start when the store holds values
    /// protected by a key the ring lacks. The adapter dates keys on the system clock, as Data Protection does (not on a
    /// <see cref="TimeProvider"/> registered for the engine).
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddSectigoCertificateManagement</c>.</param>
    /// <param name="configure">Optional options (purpose, revoked keys, lifetime of keys made by a rotation).</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder UseDataProtectionKeyProtection(this ISectigoCertificateManagementBuilder builder, Action<DataProtectionKeyProtectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DataProtectionKeyProtectorOptions();
        configure?.Invoke(options);
        builder.Services.AddDataProtection();
        builder.Services.Replace(ServiceDescriptor.Singleton<IPrivateKeyProtector>(sp => new DataProtectionPrivateKeyProtector(
            sp.GetRequiredService<IDataProtectionProvider>(),
            sp.GetRequiredService<IKeyManager>(),
            options)));
        return builder;
    }
}
