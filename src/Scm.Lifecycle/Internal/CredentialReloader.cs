using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Scm.Client;

namespace Scm.Lifecycle.Internal;

/// <summary>
/// Keeps the running client's credentials in step with configuration (engines set up from <see cref="IConfiguration"/>):
/// when the configuration reloads (a changed appsettings.json, user secrets, a secret store's provider), and again
/// right before each credential probe and account check, the <c>Client</c> credential keys are read again and handed
/// to <see cref="ScmClient.UpdateCredentials"/>. A refused or unreadable value is logged (by key name, never its value)
/// and the credentials in use stay as they were; this never throws.
/// </summary>
internal sealed class CredentialReloader : IDisposable
{
    private readonly IConfiguration _source;
    private readonly Action<SectigoCertificateManagementOptions>? _configure;
    private readonly ScmClient _client;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private readonly object _gate = new();

    public CredentialReloader(IConfiguration source, Action<SectigoCertificateManagementOptions>? configure, ScmClient client, ILogger logger)
    {
        _source = source;
        _configure = configure;
        _client = client;
        _logger = logger;
        _subscription = ChangeToken.OnChange(source.GetReloadToken, () => Reload("the configuration changed"));
    }

    /// <summary>Reads the credential keys again and applies them when they differ; returns whether the client's credentials changed.</summary>
    public bool Reload(string why)
    {
        try
        {
            lock (_gate)
            {
                var options = new SectigoCertificateManagementOptions();
                LifecycleOptionsBinding.Bind(_source, options);
                _configure?.Invoke(options);
                var client = options.Client;
                var changed = _client.UpdateCredentials(new ScmCredentialUpdate
                {
                    Login = Blank(client.Login),
                    Password = Blank(client.Password),
                    CustomerUri = Blank(client.CustomerUri),
                    ClientId = Blank(client.ClientId),
                    ClientSecret = Blank(client.ClientSecret),
                });
                if (changed)
                {
                    Log.CredentialsReloaded(_logger, why);
                }

                return changed;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // Messages name keys and rules only (the binding's and the client's), never a value.
            Log.CredentialsReloadRefused(_logger, why, ex.Message);
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Anything else (for example from the host's own configure delegate) must not escape into the configuration
            // provider's reload callback; its message may be anyone's, so only its type is logged.
            Log.CredentialsReloadRefused(_logger, why, "reading the configuration failed with " + ex.GetType().Name + ".");
            return false;
        }
    }

    public void Dispose() => _subscription.Dispose();

    // A key removed from configuration keeps the value in use (an update never blanks a credential).
    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
