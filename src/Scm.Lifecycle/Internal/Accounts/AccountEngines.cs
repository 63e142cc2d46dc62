using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Scm.Client;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.DomainValidation;
using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.Scheduling;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Accounts;

/// <summary>
/// The engines of the accounts a host serves. A single-account host (no <c>Accounts</c>) has one, the account
/// <c>default</c>, wired exactly as before (the DI <see cref="ScmClient"/>, the root store). A multi-account host builds
/// one engine per account: its own <see cref="ScmClient"/> (its own HTTP pipeline, credentials, breaker and limits), its
/// own partition of the store (<see cref="IPartitionedScmStore.ForAccount"/>), its own credential circuit, telemetry
/// tagged with its name, and log scopes carrying it. Accounts follow configuration reloads and
/// <see cref="IScmAccountRegistry"/>; a changed account gets a new engine, and the old one is released when the host stops.
/// </summary>
internal sealed class AccountEngines : ICertificateLifecycleProvider, IScmAccountRegistry, IAsyncDisposable, IDisposable
{
    public const string DefaultName = "default";

    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<SectigoCertificateManagementOptions> _options;
    private readonly IConfiguration? _section;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, EventHandler<LifecycleEvent>?> _subscribers = new(StringComparer.Ordinal);
    private readonly List<AccountEngine> _retired = [];
    private readonly HashSet<string> _configured = new(StringComparer.Ordinal);
    private Dictionary<string, AccountEngine> _engines = new(StringComparer.Ordinal);
    private IDisposable? _subscription;
    private bool _started;

    /// <param name="services">The host's services (store, protector, clock, event handlers, targets, quota).</param>
    /// <param name="options">The host's options (reloads arrive through it).</param>
    /// <param name="section">The <c>Sectigo</c> configuration section, when the host was configured from configuration.</param>
    public AccountEngines(IServiceProvider services, IOptionsMonitor<SectigoCertificateManagementOptions> options, IConfiguration? section)
    {
        _services = services;
        _options = options;
        _section = section;
        _logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Scm.Lifecycle.Accounts");
    }

    public event EventHandler<ScmAccountsChangedEventArgs>? Changed;

    public IReadOnlyCollection<string> Accounts
    {
        get
        {
            EnsureStarted();
            return Volatile.Read(ref _engines).Keys.Order(StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Whether this host is the single-account host (no <c>Accounts</c>, the default account only).</summary>
    public bool IsSingleAccount
    {
        get
        {
            EnsureStarted();
            var engines = Volatile.Read(ref _engines);
            return engines.Count == 1 && engines.TryGetValue(DefaultName, out var only) && only.IsLegacy;
        }
    }

    public ICertificateLifecycle Get(string account) => new AccountLifecycleProxy(this, Require(account).Name);

    public bool TryGet(string account, [NotNullWhen(true)] out ICertificateLifecycle? lifecycle)
    {
        EnsureStarted();
        if (Volatile.Read(ref _engines).ContainsKey(account))
        {
            lifecycle = new AccountLifecycleProxy(this, account);
            return true;
        }

        lifecycle = null;
        return false;
    }

    public ILifecycleJobRunner GetJobRunner(string account) => new AccountJobRunnerProxy(this, Require(account).Name);

    public async Task<ScmAccountSummary> GetSummaryAsync(string account, CancellationToken cancellationToken = default)
    {
        var engine = Require(account);
        var ctx = engine.Lifecycle.Context;
        await engine.Lifecycle.EnsureStoreInitializedAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await ctx.Store.GetCatalogAsync(ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        var shared = await ctx.Store.GetValueAsync("auth-circuit:" + ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        var open = await ctx.Store.ListOpenOrdersAsync(null, 10_000, cancellationToken).ConfigureAwait(false);
        return new ScmAccountSummary
        {
            Account = engine.Name,
            BaseAddress = ctx.Options.Client.BaseAddress,
            CredentialsAccepted = !ctx.AuthCircuit.IsOpen && shared is null,
            LastCatalogSync = catalog?.SyncedAt,
            ActiveCertificates = await ctx.Store.CountCertificatesAsync(CertificateStatus.Active, cancellationToken).ConfigureAwait(false),
            Certificates = await ctx.Store.CountCertificatesAsync(null, cancellationToken).ConfigureAwait(false),
            OpenOrders = open.Count,
        };
    }

    /// <summary>The engine an account's proxies use now.</summary>
    public AccountEngine Require(string account)
    {
        ArgumentNullException.ThrowIfNull(account);
        EnsureStarted();
        var engines = Volatile.Read(ref _engines);
        return engines.TryGetValue(account, out var engine)
            ? engine
            : throw new KeyNotFoundException(engines.Count == 0
                ? $"The SCM account '{account}' is not served by this host: it serves none yet (add accounts with IScmAccountRegistry or Sectigo:Accounts)."
                : $"The SCM account '{account}' is not served by this host; it serves: {string.Join(", ", engines.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>
    /// The engine an unnamed <see cref="ICertificateLifecycle"/> means: the account <c>default</c>, or the only account.
    /// </summary>
    public AccountEngine RequireDefault()
    {
        EnsureStarted();
        var engines = Volatile.Read(ref _engines);
        if (engines.TryGetValue(DefaultName, out var engine) || (engines.Count == 1 && (engine = engines.Values.First()) is not null))
        {
            return engine;
        }

        throw new InvalidOperationException(engines.Count == 0
            ? "This host serves no SCM account yet: add one with IScmAccountRegistry, or configure Sectigo:Accounts."
            : $"This host serves {engines.Count} SCM accounts ({string.Join(", ", engines.Keys.Order(StringComparer.Ordinal))}): resolve ICertificateLifecycleProvider, or inject [FromKeyedServices(\"<account>\")] ICertificateLifecycle.");
    }

    /// <summary>Every engine now (for the scheduler and the health check).</summary>
    public IReadOnlyList<AccountEngine> Engines
    {
        get
        {
            EnsureStarted();
            return Volatile.Read(ref _engines).Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        }
    }

    public void AddOrUpdate(string account, SectigoCertificateManagementOptions options)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        EnsureStarted();
        var errors = LifecycleOptionsValidator.CollectAccount(account, options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(account, typeof(SectigoCertificateManagementOptions), errors);
        }

        var host = _options.CurrentValue;
        options.AccountId = account;
        Replace(account, Build(account, WithHostSettings(options, host), configuredSection: null), configured: false);
    }

    public bool Remove(string account)
    {
        ArgumentNullException.ThrowIfNull(account);
        EnsureStarted();
        AccountEngine? removed;
        lock (_gate)
        {
            var engines = new Dictionary<string, AccountEngine>(_engines, StringComparer.Ordinal);
            if (!engines.Remove(account, out removed))
            {
                return false;
            }

            _configured.Remove(account);
            Volatile.Write(ref _engines, engines);
            Retire(removed);
        }

        Log.AccountChanged(_logger, account, ScmAccountChange.Removed.ToString());
        Changed?.Invoke(this, new ScmAccountsChangedEventArgs(account, ScmAccountChange.Removed));
        return true;
    }

    /// <summary>Subscribes to an account's lifecycle events (kept across new engines of the account).</summary>
    public void Subscribe(string account, EventHandler<LifecycleEvent> handler, bool add)
    {
        lock (_gate)
        {
            _subscribers.TryGetValue(account, out var current);
            _subscribers[account] = add ? current + handler : current - handler;
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        List<AccountEngine> all;
        lock (_gate)
        {
            _subscription?.Dispose();
            all = [.. _engines.Values, .. _retired];
            _engines = new Dictionary<string, AccountEngine>(StringComparer.Ordinal);
            _retired.Clear();
        }

        foreach (var engine in all)
        {
            engine.Dispose();
        }
    }

    /// <summary>Builds the engines the options name, once (the first use: a resolution, the scheduler, the health check).</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _started))
        {
            return;
        }

        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            var options = _options.CurrentValue;
            var engines = new Dictionary<string, AccountEngine>(StringComparer.Ordinal);
            if (options.Accounts.Count > 0)
            {
                foreach (var (name, account) in options.Accounts)
                {
                    account.AccountId = name;
                    engines[name] = Build(name, WithHostSettings(account, options), ConfiguredSection(name));
                    _configured.Add(name);
                }
            }
            else if (options.DefaultAccount)
            {
                engines[options.AccountId] = BuildLegacy(options);
            }

            _engines = engines;
            if (_section is not null)
            {
                // Accounts follow the configuration: on reload, Sectigo:Accounts is read again (errors are logged, never
                // thrown into whoever triggered the reload).
                _subscription = ChangeToken.OnChange(_section.GetReloadToken, OnConfigurationChanged);
            }

            Volatile.Write(ref _started, true);
        }
    }

    /// <summary>A configuration reload: accounts added, changed or removed in <c>Sectigo:Accounts</c>.</summary>
    private void OnConfigurationChanged()
    {
        var accounts = _section!.GetSection(nameof(SectigoCertificateManagementOptions.Accounts)).GetChildren().ToList();
        if (accounts.Count == 0 && _configured.Count == 0)
        {
            return; // a single-account host: its credentials follow the configuration through the credential reloader
        }

        var host = _options.CurrentValue;
        foreach (var section in accounts)
        {
            try
            {
                var fingerprint = Fingerprint(section);
                if (Volatile.Read(ref _engines).TryGetValue(section.Key, out var existing) && existing.Fingerprint == fingerprint)
                {
                    continue; // unchanged, or only its credentials changed (its credential reloader applies those)
                }

                var options = LifecycleOptionsBinding.BindAccount(_section, section);
                var errors = LifecycleOptionsValidator.CollectAccount(section.Key, options);
                if (errors.Count > 0)
                {
                    Log.AccountReloadRefused(_logger, section.Key, string.Join(" ", errors));
                    continue;
                }

                Replace(section.Key, Build(section.Key, WithHostSettings(options, host), section), configured: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or ArgumentException)
            {
                Log.AccountReloadRefused(_logger, section.Key, ex.Message);
            }
        }

        foreach (var gone in _configured.Where(a => accounts.All(s => s.Key != a)).ToArray())
        {
            Remove(gone);
        }
    }

    private void Replace(string account, AccountEngine engine, bool configured)
    {
        ScmAccountChange change;
        lock (_gate)
        {
            var engines = new Dictionary<string, AccountEngine>(_engines, StringComparer.Ordinal);
            change = engines.TryGetValue(account, out var old) ? ScmAccountChange.Updated : ScmAccountChange.Added;
            engines[account] = engine;
            if (configured)
            {
                _configured.Add(account);
            }

            Volatile.Write(ref _engines, engines);
            if (old is not null)
            {
                Retire(old);
            }
        }

        Log.AccountChanged(_logger, account, change.ToString());
        Changed?.Invoke(this, new ScmAccountsChangedEventArgs(account, change));
    }

    /// <summary>An engine that left service: its credential reloader stops now; its client is released when the host stops (work in flight may still use it).</summary>
    private void Retire(AccountEngine engine)
    {
        engine.StopReloading();
        _retired.Add(engine);
    }

    private IConfigurationSection? ConfiguredSection(string account) =>
        _section?.GetSection(nameof(SectigoCertificateManagementOptions.Accounts)).GetSection(account);

    /// <summary>What decides whether a reloaded account needs a new engine: its section and the host's, credentials left out.</summary>
    private string Fingerprint(IConfigurationSection? section)
    {
        if (section is null || _section is null)
        {
            return string.Empty;
        }

        static bool Credential(string key) =>
            key.EndsWith(":Password", StringComparison.OrdinalIgnoreCase) || key.EndsWith(":ClientSecret", StringComparison.OrdinalIgnoreCase)
            || key.EndsWith(":Login", StringComparison.OrdinalIgnoreCase) || key.EndsWith(":CustomerUri", StringComparison.OrdinalIgnoreCase)
            || key.EndsWith(":ClientId", StringComparison.OrdinalIgnoreCase);

        var host = _section.AsEnumerable().Where(kv => !kv.Key.Contains(":Accounts:", StringComparison.OrdinalIgnoreCase) && !Credential(kv.Key));
        var own = section.AsEnumerable().Where(kv => !Credential(kv.Key));
        return string.Join("\n", host.Concat(own).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
    }

    private static SectigoCertificateManagementOptions WithHostSettings(SectigoCertificateManagementOptions account, SectigoCertificateManagementOptions host)
    {
        account.InstanceName = host.InstanceName;
        account.KeyProtection = host.KeyProtection;
        return account;
    }

    /// <summary>The single-account engine, exactly as a single-account host always had it.</summary>
    private AccountEngine BuildLegacy(SectigoCertificateManagementOptions options)
    {
        var store = RootStore();
        var client = _services.GetRequiredService<ScmClient>();
        var context = NewContext(options, client, store, _services.GetService<CredentialReloader>(), account: null);
        return new AccountEngine(options.AccountId, options, new CertificateLifecycle(context), ownedClient: null, reloader: null, fingerprint: string.Empty, isLegacy: true, this);
    }

    private AccountEngine Build(string account, SectigoCertificateManagementOptions options, IConfigurationSection? configuredSection)
    {
        var root = RootStore();
        var store = root is IPartitionedScmStore partitioned
            ? partitioned.ForAccount(account)
            : throw new InvalidOperationException($"The store ({root.GetType().Name}) does not keep accounts apart (IPartitionedScmStore), so it cannot serve SCM account '{account}': use the SQLite, PostgreSQL or in-memory store.");
        var loggerFactory = _services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var client = new ScmClient(options.Client, loggerFactory, _services.GetRequiredService<TimeProvider>());
        CredentialReloader? reloader = null;
        try
        {
            if (configuredSection is not null)
            {
                reloader = new CredentialReloader(configuredSection, client, new AccountLogger(loggerFactory.CreateLogger("Scm.Lifecycle"), account));
            }

            var context = NewContext(options, client, store, reloader, account);
            return new AccountEngine(account, options, new CertificateLifecycle(context), client, reloader, Fingerprint(configuredSection), isLegacy: false, this);
        }
        catch
        {
            reloader?.Dispose();
            client.Dispose();
            throw;
        }
    }

    private IScmStore RootStore() => _services.GetService<IScmStore>() ?? throw new InvalidOperationException(
        "No storage is configured for Sectigo certificate management: call UseSqliteStorage(path), UsePostgreSqlStorage(...) or UseInMemoryStorage() on the builder returned by AddSectigoCertificateManagement.");

    private EngineContext NewContext(SectigoCertificateManagementOptions options, ScmClient client, IScmStore store, CredentialReloader? reloader, string? account)
    {
        var loggerFactory = _services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        ILogger Logger(string category) => account is null ? loggerFactory.CreateLogger(category) : new AccountLogger(loggerFactory.CreateLogger(category), account);
        return new EngineContext(
            options,
            new ScmClientGateway(client),
            store,
            _services.GetRequiredService<IPrivateKeyProtector>(),
            _services.GetRequiredService<TimeProvider>(),
            Logger("Scm.Lifecycle"),
            new LifecycleTelemetry(_services.GetService<IMeterFactory>(), options.AccountId),
            new EventDispatcher(_services.GetServices<ILifecycleEventHandler>(), Logger("Scm.Lifecycle.Events"), options.AccountId),
            _services.GetRequiredService<IInventoryQuota>(),
            _services.GetServices<ICertificateDeploymentTarget>().ToArray(),
            options.Client.PostTimeout)
        {
            CredentialReloader = reloader,
            DcvResponder = _services.GetService<IDcvResponder>(),
            ActorAccessor = _services.GetService<ILifecycleActorAccessor>(),
            PasswordConfigurationKey = account is null
                ? ScmPasswordChange.DefaultConfigurationKey
                : $"{SectigoCertificateManagementOptions.SectionName}:{nameof(SectigoCertificateManagementOptions.Accounts)}:{account}:Client:Password",
        };
    }

    /// <summary>An event an account's engine raised: to the subscribers of that account's proxies.</summary>
    internal void Raise(string account, object? sender, LifecycleEvent e)
    {
        EventHandler<LifecycleEvent>? handlers;
        lock (_gate)
        {
            _subscribers.TryGetValue(account, out handlers);
        }

        handlers?.Invoke(sender, e);
    }
}

/// <summary>One account's engine and what it owns.</summary>
internal sealed class AccountEngine : IDisposable
{
    private readonly IDisposable? _ownedClient;
    private CredentialReloader? _reloader;

    public AccountEngine(string name, SectigoCertificateManagementOptions options, CertificateLifecycle lifecycle, IDisposable? ownedClient, CredentialReloader? reloader, string fingerprint, bool isLegacy, AccountEngines owner)
    {
        Name = name;
        Options = options;
        Lifecycle = lifecycle;
        Runner = new LifecycleJobRunner(lifecycle);
        _ownedClient = ownedClient;
        _reloader = reloader;
        Fingerprint = fingerprint;
        IsLegacy = isLegacy;
        lifecycle.EventRaised += (sender, e) => owner.Raise(name, sender, e);
    }

    public string Name { get; }

    public SectigoCertificateManagementOptions Options { get; }

    public CertificateLifecycle Lifecycle { get; }

    public LifecycleJobRunner Runner { get; }

    public string Fingerprint { get; }

    /// <summary>The single-account host's engine (the DI client and the root store).</summary>
    public bool IsLegacy { get; }

    public void StopReloading()
    {
        Interlocked.Exchange(ref _reloader, null)?.Dispose();
    }

    public void Dispose()
    {
        StopReloading();
        Lifecycle.Release();
        _ownedClient?.Dispose();
    }
}
