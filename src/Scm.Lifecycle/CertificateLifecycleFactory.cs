using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scm.Client;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Internal;
using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Lifecycle.KeyProtection;
using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>
/// Creates the engine without dependency injection (console tools, scripts, tests). The options are validated exactly
/// as in the DI path. There is no hosted scheduler here: call <see cref="ICertificateLifecycle.CheckPendingOrdersAsync"/>,
/// <see cref="ICertificateLifecycle.RunAutoRenewalAsync"/> and <see cref="ICertificateLifecycle.SyncCatalogAsync"/> on your own timer.
/// </summary>
public static class CertificateLifecycleFactory
{
    /// <summary>Creates an engine with its own SCM client.</summary>
    /// <param name="options">Engine and client options (validated; invalid options throw naming the option).</param>
    /// <param name="store">The store, e.g. <c>new SqliteScmStore(...)</c> or <c>new InMemoryScmStore()</c>.</param>
    /// <param name="keyProtector">Protects private keys at rest; default: AES-256-GCM with <see cref="SectigoCertificateManagementOptions.KeyProtection"/>.</param>
    /// <param name="deploymentTargets">Where issued certificates are delivered.</param>
    /// <param name="eventHandlers">Receivers of lifecycle events.</param>
    /// <param name="loggerFactory">Logging; none by default.</param>
    /// <param name="timeProvider">The clock; the system clock by default.</param>
    /// <returns>The engine; dispose it to release the SCM client it created.</returns>
    public static ICertificateLifecycle Create(
        SectigoCertificateManagementOptions options,
        IScmStore store,
        IPrivateKeyProtector? keyProtector = null,
        IEnumerable<ICertificateDeploymentTarget>? deploymentTargets = null,
        IEnumerable<ILifecycleEventHandler>? eventHandlers = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        LifecycleOptionsValidator.ThrowIfInvalid(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        timeProvider ??= TimeProvider.System;
        var client = new ScmClient(options.Client, loggerFactory, timeProvider);
        try
        {
            var context = new EngineContext(
                options,
                new ScmClientGateway(client),
                store,
                keyProtector ?? Microsoft.Extensions.DependencyInjection.SectigoServiceCollectionExtensions.DefaultProtector(options, ephemeral: store is Storage.InMemoryScmStore),
                timeProvider,
                loggerFactory.CreateLogger("Scm.Lifecycle"),
                new LifecycleTelemetry(null, options.AccountId),
                new EventDispatcher(eventHandlers ?? [], loggerFactory.CreateLogger("Scm.Lifecycle.Events"), options.AccountId),
                new LicenceCapQuota(),
                (deploymentTargets ?? []).ToArray(),
                options.Client.PostTimeout);
            return new CertificateLifecycle(context, ownedClient: client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The key-ring status and rotation of an engine made by <see cref="Create"/> (with DI, resolve <see cref="IKeyProtectionService"/>).</summary>
    /// <param name="lifecycle">An engine made by <see cref="Create"/> or resolved from DI.</param>
    /// <returns>The engine's key protection service.</returns>
    /// <exception cref="ArgumentException">The engine is not one this SDK made.</exception>
    public static IKeyProtectionService GetKeyProtection(ICertificateLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        return lifecycle is Internal.Accounts.AccountLifecycleProxy proxy
            ? new KeyProtectionService(() => proxy.Current)
            : lifecycle is CertificateLifecycle engine
            ? new KeyProtectionService(engine)
            : throw new ArgumentException("The engine was not made by CertificateLifecycleFactory or AddSectigoCertificateManagement.", nameof(lifecycle));
    }
}
