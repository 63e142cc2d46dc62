using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Scm.Client;

namespace Scm.Lifecycle.Internal;

/// <summary>
/// Keeps the running client's credentials in step with configuration (engines set up from <see cref="IConfiguration"/>):
/// when the configuration reloads (a changed appsettings.json, user secrets, a secret store's provider), and again
/// right before each credential probe and account check, the <c>Client</c> credential keys are read again, and the
/// ones whose configured value changed since the last read are handed to <see cref="ScmClient.UpdateCredentials"/>.
/// Only those keys are read (the host's configure delegate is not run again), so a credential the host set in code is
/// never overwritten by an unchanged configuration value. A refused value is logged by key name (the client's messages
/// never contain a value) and the credentials in use stay as they were; nothing here throws.
/// </summary>
internal sealed class CredentialReloader : IDisposable
{
    private static readonly string[] s_keys = ["Login", "Password", "CustomerUri", "ClientId", "ClientSecret"];

    private readonly IConfiguration _client;
    private readonly ScmClient _scm;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private readonly object _gate = new();
    private readonly string?[] _seen;

    /// <param name="section">The <c>Sectigo</c> section (its <c>Client</c> child holds the keys).</param>
    /// <param name="client">The client whose credentials follow the configuration.</param>
    /// <param name="logger">Where applied and refused reloads are reported.</param>
    public CredentialReloader(IConfiguration section, ScmClient client, ILogger logger)
    {
        _client = section.GetSection(nameof(SectigoCertificateManagementOptions.Client));
        _scm = client;
        _logger = logger;
        _seen = Read();
        _subscription = ChangeToken.OnChange(section.GetReloadToken, () => Reload("the configuration changed"));
    }

    /// <summary>Applies the credential keys whose configured value changed since the last read; returns whether the client's credentials changed.</summary>
    public bool Reload(string why)
    {
        lock (_gate)
        {
            string?[] now;
            try
            {
                now = Read();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A provider failing to read: its message is not ours to log.
                Log.CredentialsReloadRefused(_logger, why, "reading the configuration failed with " + ex.GetType().Name + ".");
                return false;
            }

            string? Changed(int i) => string.Equals(now[i], _seen[i], StringComparison.Ordinal) || string.IsNullOrWhiteSpace(now[i]) ? null : now[i];
            var update = new ScmCredentialUpdate
            {
                Login = Changed(0),
                Password = Changed(1),
                CustomerUri = Changed(2),
                ClientId = Changed(3),
                ClientSecret = Changed(4),
            };
            if (update is { Login: null, Password: null, CustomerUri: null, ClientId: null, ClientSecret: null })
            {
                return false;
            }

            try
            {
                var changed = _scm.UpdateCredentials(update);
                Array.Copy(now, _seen, now.Length);
                if (changed)
                {
                    Log.CredentialsReloaded(_logger, why);
                }

                return changed;
            }
            catch (ArgumentException ex)
            {
                // The client's messages name the property and the rule, never a value.
                Log.CredentialsReloadRefused(_logger, why, ex.Message);
                return false;
            }
        }
    }

    public void Dispose() => _subscription.Dispose();

    private string?[] Read() => s_keys.Select(k => _client[k]).ToArray();
}
