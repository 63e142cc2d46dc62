using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Scm.Client;
using Scm.Lifecycle;

namespace Scm.Samples.Web.Hosting;

/// <summary>How the dashboard authenticates to SCM.</summary>
public enum LinkMode
{
    /// <summary>Login, password and customer URI (SCM's REST API headers).</summary>
    Password,

    /// <summary>OAuth2 client credentials (SCM's Admin API).</summary>
    OAuth2,

    /// <summary>A client certificate (mutual TLS) with login and customer URI.</summary>
    ClientCertificate,
}

/// <summary>What the Account page sends to link (or re-link) the SCM account. Secrets left empty keep the stored ones.</summary>
public sealed class AccountLinkRequest
{
    public LinkMode Mode { get; set; }

    public string? BaseAddress { get; set; }

    public string? CustomerUri { get; set; }

    public string? Login { get; set; }

    public string? Password { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string? TokenEndpoint { get; set; }

    /// <summary>A PKCS#12 file with the client certificate and its key.</summary>
    public byte[]? CertificateFile { get; set; }

    public string? CertificatePassword { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"AccountLinkRequest {{ Mode = {Mode}, BaseAddress = {BaseAddress}, CustomerUri = {CustomerUri}, Login = {Login}, ClientId = {ClientId}, Password = ***, ClientSecret = ***, CertificateFile = {(CertificateFile is null ? "(none)" : "***")} }}";
}

/// <summary>The linked account as the pages show it: no secret, only whether each one is set.</summary>
public sealed record AccountLinkView
{
    public required LinkMode Mode { get; init; }

    public required Uri BaseAddress { get; init; }

    public string? CustomerUri { get; init; }

    public string? Login { get; init; }

    public string? ClientId { get; init; }

    public Uri? TokenEndpoint { get; init; }

    public bool PasswordSet { get; init; }

    public bool ClientSecretSet { get; init; }

    public bool CertificateSet { get; init; }

    /// <summary>The client certificate's subject and expiry (public facts), when one is set.</summary>
    public string? CertificateDescription { get; init; }

    public required DateTimeOffset LinkedAt { get; init; }

    public required string LinkedBy { get; init; }
}

/// <summary>The outcome of a link attempt.</summary>
public sealed record AccountLinkResult(bool Linked, IReadOnlyDictionary<string, string> Errors)
{
    public static AccountLinkResult Success { get; } = new(true, new Dictionary<string, string>());

    public static AccountLinkResult Fail(string field, string message) => new(false, new Dictionary<string, string> { [field] = message });
}

/// <summary>
/// Links the dashboard's SCM account at run time through the engine's <see cref="IScmAccountRegistry"/> (the way a product
/// keeps its tenants' SCM accounts in its own database), and keeps the link in the data folder: the settings in a JSON
/// file, every secret (password, client secret, client certificate and its password) protected with the app's ASP.NET
/// Core Data Protection key ring. Secrets are write-only: <see cref="Current"/> only says whether each is set.
/// </summary>
public sealed class AccountLinks
{
    /// <summary>The account's name in the engine (the dashboard serves one account).</summary>
    public const string AccountName = "default";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };
    private readonly IScmAccountRegistry _registry;
    private readonly IDataProtector _protector;
    private readonly EngineAccountOptions _accountOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountLinks> _logger;
    private readonly string _file;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private StoredLink? _current;

    public AccountLinks(IScmAccountRegistry registry, IDataProtectionProvider dataProtection, EngineAccountOptions accountOptions, DashboardPaths paths, TimeProvider time, ILogger<AccountLinks> logger)
    {
        _registry = registry;
        _protector = dataProtection.CreateProtector("Scm.Samples.Web.AccountLink.v1");
        _accountOptions = accountOptions;
        _time = time;
        _logger = logger;
        _file = Path.Combine(paths.DataDirectory, "account-link.json");
    }

    /// <summary>The linked account, or <see langword="null"/>.</summary>
    public AccountLinkView? Current => _current is { } link ? View(link) : null;

    /// <summary>Links (or re-links) the account after validating the settings; nothing changes when they are invalid.</summary>
    public async Task<AccountLinkResult> LinkAsync(AccountLinkRequest request, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var previous = _current;
            var link = new StoredLink
            {
                Mode = request.Mode,
                BaseAddress = Trim(request.BaseAddress),
                CustomerUri = Trim(request.CustomerUri),
                Login = Trim(request.Login),
                ClientId = Trim(request.ClientId),
                TokenEndpoint = Trim(request.TokenEndpoint),
                LinkedAt = _time.GetUtcNow(),
                LinkedBy = actor,
            };

            // Write-only secrets: an empty field keeps the secret already stored (for the same mode).
            var sameMode = previous is not null && previous.Mode == request.Mode;
            link.ProtectedPassword = Protect(request.Password) ?? (sameMode ? previous!.ProtectedPassword : null);
            link.ProtectedClientSecret = Protect(request.ClientSecret) ?? (sameMode ? previous!.ProtectedClientSecret : null);
            if (request.CertificateFile is { Length: > 0 } pfx)
            {
                var check = CheckCertificate(pfx, request.CertificatePassword);
                if (check is not null)
                {
                    return AccountLinkResult.Fail("CertificateFile", check);
                }

                link.ProtectedCertificate = Convert.ToBase64String(_protector.Protect(pfx));
                link.ProtectedCertificatePassword = Protect(request.CertificatePassword ?? string.Empty);
            }
            else if (sameMode)
            {
                link.ProtectedCertificate = previous!.ProtectedCertificate;
                link.ProtectedCertificatePassword = previous.ProtectedCertificatePassword;
            }

            var options = BuildOptions(link, out var error);
            if (options is null)
            {
                return AccountLinkResult.Fail(error!.Value.Field, error.Value.Message);
            }

            try
            {
                _registry.AddOrUpdate(AccountName, options);
            }
            catch (OptionsValidationException ex)
            {
                return new AccountLinkResult(false, MapErrors(ex.Failures));
            }

            await SaveAsync(link, cancellationToken);
            _current = link;
            Log.AccountLinked(_logger, link.Mode, link.BaseAddress ?? "(default)", actor);
            return AccountLinkResult.Success;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops serving the account and forgets the link (the store keeps its records).</summary>
    public async Task UnlinkAsync(string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _registry.Remove(AccountName);
            File.Delete(_file);
            _current = null;
            Log.AccountUnlinked(_logger, actor);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Links the account saved by an earlier run, if any (at start).</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_file))
        {
            return;
        }

        StoredLink? link;
        await using (var stream = File.OpenRead(_file))
        {
            link = await JsonSerializer.DeserializeAsync<StoredLink>(stream, s_json, cancellationToken);
        }

        if (link is null)
        {
            return;
        }

        try
        {
            var options = BuildOptions(link, out var error);
            if (options is null)
            {
                Log.AccountRestoreFailed(_logger, error!.Value.Message);
                return;
            }

            _registry.AddOrUpdate(AccountName, options);
            _current = link;
        }
        catch (Exception ex) when (ex is OptionsValidationException or CryptographicException)
        {
            // CryptographicException: the Data Protection key ring that protected the secrets is gone; link again.
            Log.AccountRestoreFailed(_logger, ex is CryptographicException ? "the stored secrets cannot be read with this key ring; link the account again" : ex.Message);
        }
    }

    private SectigoCertificateManagementOptions? BuildOptions(StoredLink link, out (string Field, string Message)? error)
    {
        error = null;
        var client = new ScmClientOptions
        {
            AuthenticationMode = link.Mode switch
            {
                LinkMode.OAuth2 => ScmAuthenticationMode.OAuth2ClientCredentials,
                LinkMode.ClientCertificate => ScmAuthenticationMode.ClientCertificate,
                _ => ScmAuthenticationMode.Password,
            },
            BaseAddress = DefaultBaseAddress(link.Mode),
            CustomerUri = link.CustomerUri,
            Login = link.Login,
            ClientId = link.ClientId,
        };
        if (link.BaseAddress is not null)
        {
            if (!Uri.TryCreate(link.BaseAddress, UriKind.Absolute, out var baseAddress))
            {
                error = ("BaseAddress", $"BaseAddress must be an absolute https address such as {client.BaseAddress}; got '{link.BaseAddress}'.");
                return null;
            }

            client.BaseAddress = baseAddress;
        }

        if (link.TokenEndpoint is not null)
        {
            if (!Uri.TryCreate(link.TokenEndpoint, UriKind.Absolute, out var tokenEndpoint))
            {
                error = ("TokenEndpoint", $"TokenEndpoint must be an absolute https address; got '{link.TokenEndpoint}'.");
                return null;
            }

            client.TokenEndpoint = tokenEndpoint;
        }

        switch (link.Mode)
        {
            case LinkMode.Password:
                client.Password = Unprotect(link.ProtectedPassword);
                break;
            case LinkMode.OAuth2:
                client.ClientSecret = Unprotect(link.ProtectedClientSecret);
                break;
            case LinkMode.ClientCertificate when link.ProtectedCertificate is not null:
                var pfx = _protector.Unprotect(Convert.FromBase64String(link.ProtectedCertificate));
                client.ClientCertificate = X509CertificateLoader.LoadPkcs12(pfx, Unprotect(link.ProtectedCertificatePassword), X509KeyStorageFlags.EphemeralKeySet);
                break;
        }

        return _accountOptions.Create(client);
    }

    private static string? CheckCertificate(byte[] pfx, string? password)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadPkcs12(pfx, password, X509KeyStorageFlags.EphemeralKeySet);
            return certificate.HasPrivateKey ? null : "CertificateFile must be a PKCS#12 (.pfx/.p12) file with the certificate's private key.";
        }
        catch (CryptographicException)
        {
            // Wrong password or not PKCS#12; the message never repeats either.
            return "CertificateFile could not be opened: it must be a PKCS#12 (.pfx/.p12) file and CertificatePassword its password.";
        }
    }

    /// <summary>The engine's option failures, by form field ("ScmClientOptions.Password is required ..." -> Password).</summary>
    private static Dictionary<string, string> MapErrors(IEnumerable<string> failures)
    {
        string[] fields = ["CustomerUri", "Login", "Password", "ClientId", "ClientSecret", "TokenEndpoint", "BaseAddress", "ClientCertificate"];
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var failure in failures)
        {
            var field = fields.FirstOrDefault(f => failure.Contains("." + f + " ", StringComparison.Ordinal) || failure.Contains(f + " ", StringComparison.Ordinal)) ?? string.Empty;
            if (field == "ClientCertificate")
            {
                field = "CertificateFile";
            }

            errors[field] = errors.TryGetValue(field, out var existing) ? existing + " " + failure : failure;
        }

        return errors;
    }

    private AccountLinkView View(StoredLink link)
    {
        string? description = null;
        if (link.Mode == LinkMode.ClientCertificate && link.ProtectedCertificate is not null)
        {
            try
            {
                var pfx = _protector.Unprotect(Convert.FromBase64String(link.ProtectedCertificate));
                using var certificate = X509CertificateLoader.LoadPkcs12(pfx, Unprotect(link.ProtectedCertificatePassword), X509KeyStorageFlags.EphemeralKeySet);
                description = $"{certificate.Subject}, expires {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}";
            }
            catch (CryptographicException)
            {
                description = "unreadable with this key ring";
            }
        }

        var mode = link.Mode;
        return new AccountLinkView
        {
            Mode = mode,
            BaseAddress = Uri.TryCreate(link.BaseAddress, UriKind.Absolute, out var address) ? address : DefaultBaseAddress(mode),
            CustomerUri = link.CustomerUri,
            Login = link.Login,
            ClientId = link.ClientId,
            TokenEndpoint = Uri.TryCreate(link.TokenEndpoint, UriKind.Absolute, out var token) ? token : null,
            PasswordSet = link.ProtectedPassword is not null,
            ClientSecretSet = link.ProtectedClientSecret is not null,
            CertificateSet = link.ProtectedCertificate is not null,
            CertificateDescription = description,
            LinkedAt = link.LinkedAt,
            LinkedBy = link.LinkedBy,
        };
    }

    private static Uri DefaultBaseAddress(LinkMode mode) => mode switch
    {
        LinkMode.OAuth2 => ScmClientOptions.DefaultOAuthBaseAddress,
        LinkMode.ClientCertificate => ScmClientOptions.DefaultClientCertificateBaseAddress,
        _ => ScmClientOptions.DefaultBaseAddress,
    };

    private async Task SaveAsync(StoredLink link, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var temp = _file + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temp, options))
        {
            await JsonSerializer.SerializeAsync(stream, link, s_json, cancellationToken);
        }

        File.Move(temp, _file, overwrite: true);
    }

    private string? Protect(string? secret) =>
        string.IsNullOrEmpty(secret) ? null : Convert.ToBase64String(_protector.Protect(Encoding.UTF8.GetBytes(secret)));

    private string? Unprotect(string? protectedSecret) =>
        protectedSecret is null ? null : Encoding.UTF8.GetString(_protector.Unprotect(Convert.FromBase64String(protectedSecret)));

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The link as saved: settings in clear, secrets protected with Data Protection (base64).</summary>
    private sealed class StoredLink
    {
        public LinkMode Mode { get; set; }

        public string? BaseAddress { get; set; }

        public string? CustomerUri { get; set; }

        public string? Login { get; set; }

        public string? ClientId { get; set; }

        public string? TokenEndpoint { get; set; }

        public string? ProtectedPassword { get; set; }

        public string? ProtectedClientSecret { get; set; }

        public string? ProtectedCertificate { get; set; }

        public string? ProtectedCertificatePassword { get; set; }

        public DateTimeOffset LinkedAt { get; set; }

        public string LinkedBy { get; set; } = string.Empty;
    }
}
