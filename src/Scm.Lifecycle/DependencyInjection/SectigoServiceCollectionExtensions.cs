using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.DomainValidation;
using Scm.Lifecycle.Internal;
using Scm.Lifecycle.Internal.Accounts;
using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Lifecycle.KeyProtection;
using Scm.Lifecycle.Scheduling;
using Scm.Lifecycle.Storage;
using Scm.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Sectigo Certificate Manager lifecycle engine.</summary>
public static class SectigoServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine configured in code. Choose storage on the returned builder (<c>UseSqliteStorage(path)</c> or
    /// <c>UseInMemoryStorage()</c>); options are validated when the host starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder for storage, deployment and events.</returns>
    public static ISectigoCertificateManagementBuilder AddSectigoCertificateManagement(this IServiceCollection services, Action<SectigoCertificateManagementOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SectigoCertificateManagementOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Adds the engine configured from configuration: the <c>Sectigo</c> section of <paramref name="configuration"/>
    /// when it has one, otherwise <paramref name="configuration"/> itself as that section.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration root or the <c>Sectigo</c> section.</param>
    /// <param name="configure">Optional changes applied after binding (for example a client certificate object).</param>
    /// <returns>A builder for storage, deployment and events.</returns>
    public static ISectigoCertificateManagementBuilder AddSectigoCertificateManagement(this IServiceCollection services, IConfiguration configuration, Action<SectigoCertificateManagementOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectigoCertificateManagementOptions.SectionName);
        IConfiguration source = section.Exists() ? section : configuration;
        var builder = services.AddOptions<SectigoCertificateManagementOptions>().Configure(o => LifecycleOptionsBinding.Bind(source, o));
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        // Credentials follow the configuration while the host runs (on reload, and before each probe or account check);
        // accounts in Sectigo:Accounts are added, changed and removed on reload.
        services.TryAddSingleton(sp => new CredentialReloader(
            source,
            sp.GetRequiredService<ScmClient>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Scm.Lifecycle")));
        services.TryAddSingleton(new SectigoConfiguration(source));
        return AddCore(services);
    }

    /// <summary>
    /// Adds a file-system deployment target: one folder per managed certificate, each deployment a complete version
    /// folder that a <c>live</c> link switches to in one step (private files with mode 0600); see <see cref="FileSystemDeploymentTarget"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">
    /// Configures the target; <see cref="FileSystemDeploymentOptions.Directory"/> is required and
    /// <see cref="FileSystemDeploymentOptions.VersionsToKeep"/> at least 2 (checked here, with an <see cref="ArgumentException"/>).
    /// </param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder AddFileSystemDeployment(this ISectigoCertificateManagementBuilder builder, Action<FileSystemDeploymentOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new FileSystemDeploymentOptions();
        configure(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new ArgumentException("FileSystemDeploymentOptions.Directory is required.", nameof(configure));
        }

        builder.Services.AddSingleton<ICertificateDeploymentTarget>(new FileSystemDeploymentTarget(options));
        return builder;
    }

    /// <summary>Adds a deployment target.</summary>
    /// <typeparam name="TTarget">The target type, resolved from DI.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder AddDeploymentTarget<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TTarget>(this ISectigoCertificateManagementBuilder builder)
        where TTarget : class, ICertificateDeploymentTarget
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ICertificateDeploymentTarget, TTarget>();
        return builder;
    }

    /// <summary>Adds a handler for lifecycle events (issued, failed, parked, stuck, ...).</summary>
    /// <typeparam name="THandler">The handler type, resolved from DI.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder AddEventHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this ISectigoCertificateManagementBuilder builder)
        where THandler : class, ILifecycleEventHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ILifecycleEventHandler, THandler>();
        return builder;
    }

    /// <summary>
    /// Registers the host's DCV responder: before an order or renewal needs a domain whose control validation lapses, the
    /// engine revalidates it by publishing the challenge through it (docs/short-lived-certificates.md, "Domain validation").
    /// One responder; a second call replaces the first.
    /// </summary>
    /// <typeparam name="TResponder">The responder type, resolved from DI.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder AddDcvResponder<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TResponder>(this ISectigoCertificateManagementBuilder builder)
        where TResponder : class, IDcvResponder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IDcvResponder, TResponder>());
        return builder;
    }

    /// <summary>Replaces the default licence-cap quota with your own (for example a licence server).</summary>
    /// <typeparam name="TQuota">The quota type, resolved from DI.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder UseInventoryQuota<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TQuota>(this ISectigoCertificateManagementBuilder builder)
        where TQuota : class, IInventoryQuota
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IInventoryQuota, TQuota>());
        return builder;
    }

    /// <summary>
    /// Replaces the default AES-256-GCM key protector (for example with a KMS or HSM-backed one). A protector that also
    /// implements <see cref="IKeyRingProtector"/> gets the store's key-ring guard (refusal to start on a missing key) and rotation.
    /// </summary>
    /// <typeparam name="TProtector">The protector type, resolved from DI.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISectigoCertificateManagementBuilder UseKeyProtector<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProtector>(this ISectigoCertificateManagementBuilder builder)
        where TProtector : class, IPrivateKeyProtector
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IPrivateKeyProtector, TProtector>());
        return builder;
    }

    private static ISectigoCertificateManagementBuilder AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SectigoCertificateManagementOptions>, LifecycleOptionsValidator>());
        services.AddOptions<SectigoCertificateManagementOptions>().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        // The SCM client of a single-account host takes its options from the engine's "Client" options; they are
        // validated with the engine's (a multi-account host validates each account's instead, and may have no client
        // options of its own).
        services.AddScmClient(_ => { }, validateOnStart: false);
        services.AddOptions<ScmClientOptions>().Configure<IOptions<SectigoCertificateManagementOptions>>((client, lifecycle) => ScmClientOptionsCopy.CopyTo(lifecycle.Value.Client, client));

        services.TryAddSingleton<IPrivateKeyProtector>(sp => DefaultProtector(
            sp.GetRequiredService<IOptions<SectigoCertificateManagementOptions>>().Value,
            ephemeral: sp.GetService<IScmStore>() is InMemoryScmStore));
        services.TryAddSingleton<IInventoryQuota, LicenceCapQuota>();

        // The accounts: one engine each (a single-account host has the account "default", wired as it always was).
        services.TryAddSingleton(sp => new AccountEngines(
            sp,
            sp.GetRequiredService<IOptionsMonitor<SectigoCertificateManagementOptions>>(),
            sp.GetService<SectigoConfiguration>()?.Section));
        services.TryAddSingleton<ICertificateLifecycleProvider>(sp => sp.GetRequiredService<AccountEngines>());
        services.TryAddSingleton<IScmAccountRegistry>(sp => sp.GetRequiredService<AccountEngines>());
        services.TryAddSingleton<CertificateLifecycle>(sp => sp.GetRequiredService<AccountEngines>().RequireDefault().Lifecycle);
        services.TryAddSingleton<ICertificateLifecycle>(sp =>
        {
            var engines = sp.GetRequiredService<AccountEngines>();
            var engine = engines.RequireDefault();
            return engine.IsLegacy ? engine.Lifecycle : engines.Get(engine.Name);
        });
        services.TryAddKeyedSingleton<ICertificateLifecycle>(KeyedService.AnyKey, (sp, key) => sp.GetRequiredService<AccountEngines>().Get(AccountKey(key)));
        services.TryAddSingleton<IKeyProtectionService>(sp =>
        {
            var engines = sp.GetRequiredService<AccountEngines>();
            return new KeyProtectionService(() => engines.RequireDefault().Lifecycle);
        });
        services.TryAddKeyedSingleton<IKeyProtectionService>(KeyedService.AnyKey, (sp, key) =>
        {
            var engines = sp.GetRequiredService<AccountEngines>();
            var account = AccountKey(key);
            engines.Require(account);
            return new KeyProtectionService(() => engines.Require(account).Lifecycle);
        });
        services.TryAddSingleton<ILifecycleJobRunner>(sp =>
        {
            var engines = sp.GetRequiredService<AccountEngines>();
            return engines.GetJobRunner(engines.RequireDefault().Name);
        });
        services.TryAddKeyedSingleton<ILifecycleJobRunner>(KeyedService.AnyKey, (sp, key) => sp.GetRequiredService<AccountEngines>().GetJobRunner(AccountKey(key)));
        services.AddHostedService<LifecycleScheduler>();
        return new SectigoCertificateManagementBuilder(services);
    }

    private static string AccountKey(object? key) =>
        key as string ?? throw new InvalidOperationException($"SCM accounts are keyed by name (a string); got {key?.GetType().Name ?? "null"}.");

    internal static IPrivateKeyProtector DefaultProtector(SectigoCertificateManagementOptions options, bool ephemeral)
    {
        if (ephemeral && options.KeyProtection.Key is null && options.KeyProtection.KeyFilePath is null)
        {
            return AesGcmPrivateKeyProtector.CreateEphemeral();
        }

        var keyOptions = new AesGcmKeyProtectorOptions
        {
            Key = options.KeyProtection.Key,
            PreviousKeys = options.KeyProtection.PreviousKeys,
            KeyFilePath = options.KeyProtection.Key is null
                ? options.KeyProtection.KeyFilePath ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Scm.Sdk", "scm-keys.key")
                : null,
        };
        return new AesGcmPrivateKeyProtector(keyOptions);
    }

    /// <summary>The <c>Sectigo</c> section a host was configured from (its accounts reload from it).</summary>
    internal sealed record SectigoConfiguration(IConfiguration Section);

    private sealed class SectigoCertificateManagementBuilder(IServiceCollection services) : ISectigoCertificateManagementBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
