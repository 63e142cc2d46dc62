using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Lifecycle.KeyProtection;
using Scm.Testing;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>How one command wants its engine: which SCM (configured, a fresh simulator, a running one), store and folders.</summary>
internal sealed record SessionOptions
{
    /// <summary>The SQLite store file; <see langword="null"/> for the default of the mode.</summary>
    public string? StorePath { get; init; }

    /// <summary>Where certificates are deployed; <see langword="null"/> for the default of the mode.</summary>
    public string? DeployDirectory { get; init; }

    /// <summary>Start a fresh in-process simulator and use a temporary store.</summary>
    public bool Simulator { get; init; }

    /// <summary>Use a simulator that is already running (for example <c>scm simulator</c>) at this URL.</summary>
    public string? SimulatorUrl { get; init; }

    /// <summary>Show the engine's log lines.</summary>
    public bool Verbose { get; init; }

    /// <summary>The SCM account to work with (--account); <see langword="null"/> for the default one.</summary>
    public string? Account { get; init; }

    /// <summary>
    /// Whether the session works with one account (<see cref="Account"/>, else the default one); <see langword="false"/>
    /// for commands about every account, which get an account only when <see cref="Account"/> names one.
    /// </summary>
    public bool SelectAccount { get; init; } = true;

    /// <summary>Options of the in-process simulator (defaults: short stage delays).</summary>
    public ScmSimulatorOptions? SimulatorOptions { get; init; }

    /// <summary>Engine options applied last (the demo sets its auto-renewal defaults here).</summary>
    public Action<SectigoCertificateManagementOptions>? Configure { get; init; }

    /// <summary>SQLite store options applied after the defaults (the year demo's throw-away store skips the flush to disk per commit).</summary>
    public Action<Scm.Storage.Sqlite.SqliteStoreOptions>? ConfigureStore { get; init; }

    /// <summary>Whether certificates are deployed to <see cref="DeployDirectory"/> (default <see langword="true"/>).</summary>
    public bool Deploy { get; init; } = true;

    /// <summary>Registrations applied last to the engine's builder (the year demo adds its DCV responder here).</summary>
    public Action<ISectigoCertificateManagementBuilder>? ConfigureBuilder { get; init; }

    /// <summary>A folder for the temporary store, keys and deployments; created when <see langword="null"/> and needed.</summary>
    public string? TempRoot { get; init; }

    /// <summary>Keep <see cref="TempRoot"/> when the session ends.</summary>
    public bool KeepTempRoot { get; init; }
}

/// <summary>
/// The engine for one command: configuration (appsettings.json, user secrets, <c>Sectigo__</c> environment variables),
/// the lifecycle engine built by <c>AddSectigoCertificateManagement</c> on a generic host with SQLite storage and
/// file-system deployment, and optionally an in-process SCM simulator. A configuration may serve several SCM accounts
/// (<c>Sectigo:Accounts:{name}:*</c>); the session works with one of them (<c>--account</c>, else <c>default</c> or the
/// only one): its engine, its store partition, its key protection service.
/// </summary>
internal sealed class EngineSession : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ScmSimulator? _simulator;
    private readonly string? _tempRoot;
    private readonly bool _deleteTempRoot;
    private readonly ConcurrentDictionary<Guid, string> _deployments = new();

    private readonly ICertificateLifecycle? _lifecycle;

    private EngineSession(IHost host, ScmSimulator? simulator, string? tempRoot, bool deleteTempRoot, string storePath, string deployDirectory, string scmDescription, SelectedAccount? account)
    {
        _host = host;
        _simulator = simulator;
        _tempRoot = tempRoot;
        _deleteTempRoot = deleteTempRoot;
        StorePath = storePath;
        DeployDirectory = deployDirectory;
        ScmDescription = scmDescription;
        Accounts = host.Services.GetRequiredService<ICertificateLifecycleProvider>();
        if (account is not null)
        {
            Account = account.Name;
            AccountSection = account.Section;
            IsNamedAccount = account.Configured;
            _lifecycle = account.Lifecycle;
            _lifecycle.EventRaised += OnEvent;
        }
    }

    /// <summary>The engine of the session's account (everything a command does goes through it).</summary>
    public ICertificateLifecycle Lifecycle => _lifecycle ?? throw new InvalidOperationException("This command works with no single SCM account.");

    /// <summary>The session's account: --account, else <c>default</c> or the only one; <see langword="null"/> for commands about every account.</summary>
    public string? Account { get; }

    /// <summary>Whether the account is one of <c>Sectigo:Accounts</c> (not the single account of <c>Sectigo:Client</c>).</summary>
    public bool IsNamedAccount { get; }

    /// <summary>The configuration section of the session's account: <c>Sectigo</c>, or <c>Sectigo:Accounts:{name}</c>.</summary>
    public string AccountSection { get; } = SectigoCertificateManagementOptions.SectionName;

    /// <summary>The accounts this configuration serves.</summary>
    public ICertificateLifecycleProvider Accounts { get; }

    /// <summary>The key ring service of the session's account (status and rotation of the key-encryption keys its records use).</summary>
    public IKeyProtectionService KeyProtection => _host.Services.GetRequiredKeyedService<IKeyProtectionService>(Account ?? throw new InvalidOperationException("This command works with no single SCM account."));

    /// <summary>
    /// The SCM client of the session's account, for the commands that talk to SCM directly (<c>scm dcv</c>). Only the
    /// single account of <c>Sectigo:Client</c> has one in the host's services; accounts of <c>Sectigo:Accounts</c> keep
    /// theirs inside their engines.
    /// </summary>
    public ScmClient ScmClient => IsNamedAccount
        ? throw CliException.Usage($"this command talks to SCM directly and works with the single account of Sectigo:Client; '{Account}' is one of Sectigo:Accounts (not supported yet).")
        : _host.Services.GetRequiredService<ScmClient>();

    /// <summary>" in account 'acme'" when the configuration names its accounts, else empty (for messages).</summary>
    public string InAccount => IsNamedAccount ? $" in account '{Account}'" : string.Empty;

    /// <summary>The in-process simulator, when this session started one.</summary>
    public ScmSimulator? Simulator => _simulator;

    public string StorePath { get; }

    public string DeployDirectory { get; }

    /// <summary>Which SCM this session talks to, without secrets.</summary>
    public string ScmDescription { get; }

    /// <summary>The temporary folder deleted when the session ends, if any.</summary>
    public string? TempRoot => _deleteTempRoot ? _tempRoot : null;

    /// <summary>Where the file-system deployment wrote a certificate during this session, if it did.</summary>
    public string? DeployedTo(Guid certificateId) => _deployments.TryGetValue(certificateId, out var where) ? where : null;

    public static async Task<EngineSession> StartAsync(SessionOptions options, CliEnvironment environment, IAnsiConsole logConsole, CancellationToken cancellationToken)
    {
        var configuration = BuildConfiguration(environment);
        var cli = configuration.GetSection("Cli");
        ScmSimulator? simulator = null;
        string? tempRoot = options.TempRoot;
        var ownsTemp = false;
        try
        {
            ScmClientOptions? clientOverride = null;
            string scmDescription;
            string storePath;
            string deployDirectory;
            if (options.Simulator)
            {
                if (tempRoot is null)
                {
                    tempRoot = Path.Combine(Path.GetTempPath(), "scm-cli-" + Guid.NewGuid().ToString("N")[..12]);
                    ownsTemp = true;
                }

                Directory.CreateDirectory(tempRoot);
                var simulatorOptions = options.SimulatorOptions ?? new ScmSimulatorOptions
                {
                    ApplyDelay = TimeSpan.FromSeconds(1),
                    IssueDelay = TimeSpan.FromSeconds(1),
                };
                simulatorOptions.Log = null;
                simulator = await ScmSimulator.StartAsync(simulatorOptions, cancellationToken);
                environment.SimulatorStarted?.Invoke(simulator);
                clientOverride = SimulatorClient(simulator.BaseAddress, simulator.Credentials.Login, simulator.Credentials.Password, simulator.Credentials.CustomerUri);
                scmDescription = $"in-process SCM simulator at {simulator.BaseAddress}";
                storePath = options.StorePath ?? Path.Combine(tempRoot, "scm.db");
                deployDirectory = options.DeployDirectory ?? Path.Combine(tempRoot, "certificates");
            }
            else if (options.SimulatorUrl is not null)
            {
                var info = await ReadSimulatorInfoAsync(options.SimulatorUrl, environment.Time, cancellationToken);
                clientOverride = SimulatorClient(info.BaseAddress, info.Login, info.Password, info.CustomerUri);
                scmDescription = $"SCM simulator at {info.BaseAddress}";
                storePath = options.StorePath ?? Path.Combine(DataFolder(), $"simulator-{info.BaseAddress.Port.ToString(CultureInfo.InvariantCulture)}.db");
                deployDirectory = options.DeployDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storePath))!, "certificates");
            }
            else
            {
                storePath = options.StorePath ?? NonEmpty(cli["Store"]) ?? Path.Combine(DataFolder(), "scm.db");
                deployDirectory = options.DeployDirectory ?? NonEmpty(cli["DeployDirectory"]) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storePath))!, "certificates");
                var section = configuration.GetSection("Sectigo:Client");
                scmDescription = $"SCM at {NonEmpty(section["BaseAddress"]) ?? "the default address"} ({NonEmpty(section["AuthenticationMode"]) ?? "Password"} authentication)";
            }

            var simulatorMode = clientOverride is not null;

            storePath = Path.GetFullPath(storePath);
            deployDirectory = Path.GetFullPath(deployDirectory);
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            // The tool's clock is the engine's too (tests pass a fake one).
            builder.Services.AddSingleton(environment.Time);
            builder.Logging.ClearProviders();
            if (options.Verbose)
            {
                builder.Logging.SetMinimumLevel(LogLevel.Information);
                builder.Logging.AddProvider(new ConsoleLogProvider(logConsole));
            }
            else
            {
                builder.Logging.SetMinimumLevel(LogLevel.None);
            }

            var keyFile = options.Simulator ? Path.Combine(tempRoot!, "keys", "protector.key") : null;
            var trustedAuthorities = clientOverride is null && NonEmpty(cli["TrustedCaFile"]) is { } caFile ? LoadAuthorities(caFile) : null;
            var sectigo = builder.Services.AddSectigoCertificateManagement(configuration, o =>
            {
                if (clientOverride is not null)
                {
                    // A simulator is one SCM account: the session serves it alone, as the single account.
                    o.Client = clientOverride;
                    o.Accounts.Clear();
                    o.DefaultAccount = true;
                }

                if (trustedAuthorities is not null)
                {
                    o.Client.TrustedServerCertificateAuthorities = trustedAuthorities;
                    foreach (var account in o.Accounts.Values)
                    {
                        account.Client.TrustedServerCertificateAuthorities = trustedAuthorities;
                    }
                }

                if (keyFile is not null && o.KeyProtection.Key is null)
                {
                    o.KeyProtection.KeyFilePath = keyFile;
                }

                // One command, one run: the tool triggers the jobs itself instead of running the scheduler.
                o.Scheduling.Enabled = false;
                options.Configure?.Invoke(o);
            })
            .UseSqliteStorage(storePath, options.ConfigureStore);
            if (options.Deploy)
            {
                sectigo.AddFileSystemDeployment(o => o.Directory = deployDirectory);
            }

            options.ConfigureBuilder?.Invoke(sectigo);

            var host = builder.Build();
            SelectedAccount? selected;
            try
            {
                // The account first: an unknown --account is refused before anything starts or is sent to SCM.
                var engineOptions = host.Services.GetRequiredService<IOptions<SectigoCertificateManagementOptions>>().Value;
                var accounts = host.Services.GetRequiredService<ICertificateLifecycleProvider>();
                selected = options.SelectAccount || options.Account is not null ? Select(accounts, engineOptions, options.Account, simulatorMode) : null;
                if (!simulatorMode && engineOptions.Accounts.Count > 0)
                {
                    scmDescription = selected is null
                        ? $"SCM accounts {string.Join(", ", accounts.Accounts)}"
                        : $"SCM account '{selected.Name}' at {Render.Address(engineOptions.Accounts[selected.Name].Client.BaseAddress)} ({engineOptions.Accounts[selected.Name].Client.AuthenticationMode} authentication)";
                }

                await host.StartAsync(cancellationToken);
            }
            catch
            {
                host.Dispose();
                throw;
            }

            return new EngineSession(host, simulator, tempRoot, ownsTemp && !options.KeepTempRoot, storePath, deployDirectory, scmDescription, selected);
        }
        catch
        {
            if (simulator is not null)
            {
                await simulator.DisposeAsync();
            }

            if (ownsTemp && tempRoot is not null && !options.KeepTempRoot)
            {
                TryDelete(tempRoot);
            }

            throw;
        }
    }

    /// <summary>appsettings.json next to the tool, then in the current folder, user secrets, environment variables, overrides.</summary>
    public static IConfigurationRoot BuildConfiguration(CliEnvironment environment)
    {
        var builder = new ConfigurationBuilder();
        var toolSettings = Path.GetFullPath(Path.Combine(environment.BaseDirectory, "appsettings.json"));
        var localSettings = Path.GetFullPath(Path.Combine(environment.WorkingDirectory, "appsettings.json"));
        builder.AddJsonFile(toolSettings, optional: true, reloadOnChange: false);
        if (!string.Equals(toolSettings, localSettings, StringComparison.Ordinal))
        {
            builder.AddJsonFile(localSettings, optional: true, reloadOnChange: false);
        }

        if (environment.ReadUserSecrets)
        {
            builder.AddUserSecrets(typeof(EngineSession).Assembly, optional: true, reloadOnChange: false);
        }

        if (environment.ReadEnvironmentVariables)
        {
            builder.AddEnvironmentVariables();
        }

        builder.AddInMemoryCollection(environment.Configuration);
        return builder.Build();
    }

    /// <summary>
    /// The account a command works with: the one --account names, else <c>default</c>, else the only one. An unknown name
    /// is bad usage, refused with the accounts there are.
    /// </summary>
    private static SelectedAccount Select(ICertificateLifecycleProvider accounts, SectigoCertificateManagementOptions engineOptions, string? requested, bool simulatorMode)
    {
        var served = accounts.Accounts;
        var names = served.Count == 0 ? "none" : string.Join(", ", served);
        var simulatorNote = simulatorMode ? " (--simulator and --simulator-url serve one account; Sectigo:Accounts is not used with them)" : string.Empty;
        var name = requested
            ?? DefaultAccountOf(served)
            ?? throw CliException.Usage(served.Count == 0
                ? "no SCM account is configured: set Sectigo:Client:* for one account, or Sectigo:Accounts:<name>:Client:* for several."
                : $"this configuration serves {served.Count} SCM accounts ({names}) and none is named '{DefaultAccountName}': choose one with --account <name>.");
        if (!accounts.TryGet(name, out var lifecycle))
        {
            throw CliException.Usage($"--account '{name}': no such SCM account; the accounts configured are: {names}{simulatorNote}.");
        }

        var configured = engineOptions.Accounts.ContainsKey(name);
        return new SelectedAccount(name, lifecycle, configured, configured ? $"{SectigoCertificateManagementOptions.SectionName}:Accounts:{name}" : SectigoCertificateManagementOptions.SectionName);
    }

    public async ValueTask DisposeAsync()
    {
        if (_lifecycle is not null)
        {
            _lifecycle.EventRaised -= OnEvent;
        }

        try
        {
            await _host.StopAsync(CancellationToken.None);
        }
        finally
        {
            _host.Dispose();
            if (_simulator is not null)
            {
                await _simulator.DisposeAsync();
            }

            if (_deleteTempRoot && _tempRoot is not null)
            {
                TryDelete(_tempRoot);
            }
        }
    }

    private void OnEvent(object? sender, LifecycleEvent e)
    {
        if (e is CertificateDeploymentEvent { Succeeded: true, CertificateId: { } id } deployment)
        {
            _deployments[id] = deployment.Detail;
        }
    }

    private static ScmClientOptions SimulatorClient(Uri baseAddress, string login, string password, string customerUri) => new()
    {
        BaseAddress = baseAddress,
        AuthenticationMode = ScmAuthenticationMode.Password,
        Login = login,
        Password = password,
        CustomerUri = customerUri,
    };

    private static async Task<SimulatorInfo> ReadSimulatorInfoAsync(string url, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !uri.IsLoopback)
        {
            throw CliException.Usage($"--simulator-url must be the http://127.0.0.1:PORT address `scm simulator` printed, not '{url}'.");
        }

        var info = new Uri(uri, ScmSimulator.ManagementPrefix + "/info");
        using var http = new HttpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        JsonElement root;
        try
        {
            root = await http.GetFromJsonAsync<JsonElement>(info, linked.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"No SCM simulator answers at {uri.GetLeftPart(UriPartial.Authority)} ({ex.Message.TrimEnd('.')}); start one with `scm simulator`.");
        }

        var credentials = root.GetProperty("credentials");
        return new SimulatorInfo(
            new Uri(root.GetProperty("baseAddress").GetString()!),
            credentials.GetProperty("login").GetString()!,
            credentials.GetProperty("password").GetString()!,
            credentials.GetProperty("customerUri").GetString()!);
    }

    /// <summary>Extra trust anchors for SCM's TLS certificate (a private CA, a TLS-inspecting proxy, the HTTPS simulator).</summary>
    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw CliException.Usage($"Cli:TrustedCaFile: cannot read PEM certificates from '{path}' ({ex.Message.TrimEnd('.')}).");
        }

        return authorities.Count > 0 ? authorities : throw CliException.Usage($"Cli:TrustedCaFile: '{path}' holds no PEM certificate.");
    }

    private static string DataFolder() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Scm.Sdk");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    internal static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The account commands use when --account is not given (and more than one is configured).</summary>
    public const string DefaultAccountName = "default";

    /// <summary>The account a command uses without --account: <c>default</c>, else the only one; <see langword="null"/> when that is ambiguous.</summary>
    public static string? DefaultAccountOf(IReadOnlyCollection<string> accounts) =>
        accounts.Contains(DefaultAccountName) ? DefaultAccountName : accounts.Count == 1 ? accounts.First() : null;

    private sealed record SelectedAccount(string Name, ICertificateLifecycle Lifecycle, bool Configured, string Section);

    private sealed record SimulatorInfo(Uri BaseAddress, string Login, string Password, string CustomerUri);

    /// <summary>With --verbose: the engine's log lines, dimmed, on the error console (the engine never logs secrets).</summary>
    private sealed class ConsoleLogProvider(IAnsiConsole console) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ConsoleLogger(console, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class ConsoleLogger(IAnsiConsole console, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{logLevel.ToString()[..4].ToLowerInvariant()} {category}: {formatter(state, exception)}";
            lock (console)
            {
                console.MarkupLine("[grey]" + Markup.Escape(line) + "[/]");
            }
        }
    }
}
