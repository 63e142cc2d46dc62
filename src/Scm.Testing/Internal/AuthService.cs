using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Scm.Testing.Internal;

/// <summary>Both of SCM's auth families: header triple (or client certificate on /private) and OAuth2 bearer tokens.</summary>
internal sealed class AuthService
{
    private readonly object _gate = new();
    private readonly SeededRandom _random;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _tokenLifetime;
    private readonly ConcurrentDictionary<string, long> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _clientCertificates = new(StringComparer.OrdinalIgnoreCase);
    private volatile ScmSimulatorCredentials _credentials;
    private volatile bool _expired;

    public AuthService(ScmSimulatorAccount account, SeededRandom random, TimeProvider clock, TimeSpan tokenLifetime)
    {
        _random = random;
        _clock = clock;
        _tokenLifetime = tokenLifetime;
        _credentials = new ScmSimulatorCredentials(
            account.Login,
            account.Password ?? NewSecret(),
            account.CustomerUri,
            account.ClientId ?? "scm-sim-" + random.NextString(12, "abcdefghijklmnopqrstuvwxyz0123456789"),
            account.ClientSecret ?? NewSecret());
        PasswordExpiration = account.PasswordExpiration;
    }

    public ScmSimulatorCredentials Credentials => _credentials;

    public bool Expired => _expired;

    public DateOnly? PasswordExpiration { get; private set; }

    /// <summary>How long a changed password lives when the account's password expires at all.</summary>
    internal static readonly TimeSpan ChangedPasswordLifetime = TimeSpan.FromDays(90);

    /// <summary>
    /// <c>POST /admin/v1/changepassword</c> for the authenticated caller. Header authentication carries the current password
    /// already; a bearer caller must send it in the <c>password</c> header (the Admin API's required header), else -213.
    /// The new password must follow the simulated policy (8..32 characters, one upper-case letter, one digit, not the login,
    /// not the current one). On success only the new password authenticates from the next request on.
    /// </summary>
    public void ChangePassword(HttpContext context, string? newPassword)
    {
        lock (_gate)
        {
            var current = _credentials;
            var authorization = context.Request.Headers.Authorization.ToString();
            if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(context.Request.Headers["password"].ToString(), current.Password, StringComparison.Ordinal))
            {
                throw ScmApiException.BadRequest(-213, "Old password is incorrect");
            }

            if (string.IsNullOrEmpty(newPassword))
            {
                throw ScmApiException.Missing("newPassword");
            }

            if (newPassword.Length > 32)
            {
                throw ScmApiException.BadRequest(-976, "New password must be between 8 and 32 characters.");
            }

            if (newPassword.Contains(current.Login, StringComparison.OrdinalIgnoreCase))
            {
                throw ScmApiException.BadRequest(-982, "New password must not contain Login.");
            }

            if (string.Equals(newPassword, current.Password, StringComparison.Ordinal))
            {
                throw ScmApiException.BadRequest(-220, "Password can't be the same.");
            }

            var broken = new List<string>();
            if (!newPassword.Any(char.IsUpper))
            {
                broken.Add("Password must contain 1 or more uppercase characters.");
            }

            if (!newPassword.Any(char.IsDigit))
            {
                broken.Add("Password must contain 1 or more digit characters.");
            }

            if (newPassword.Length < 8)
            {
                broken.Add("Password must be 8 or more characters in length.");
            }

            if (broken.Count > 0)
            {
                throw ScmApiException.BadRequest(-7306, "Password policy violated: " + string.Join(" ", broken));
            }

            _credentials = new ScmSimulatorCredentials(current.Login, newPassword, current.CustomerUri, current.ClientId, current.ClientSecret);
            _expired = false;
            if (PasswordExpiration is not null)
            {
                PasswordExpiration = DateOnly.FromDateTime((_clock.GetUtcNow() + ChangedPasswordLifetime).UtcDateTime);
            }
        }
    }

    public ScmSimulatorCredentials Rotate()
    {
        lock (_gate)
        {
            var old = _credentials;
            _credentials = new ScmSimulatorCredentials(old.Login, NewSecret(), old.CustomerUri, old.ClientId, NewSecret());
            _expired = false;
            _tokens.Clear();
            return _credentials;
        }
    }

    public void Expire()
    {
        lock (_gate)
        {
            _expired = true;
            _tokens.Clear();
        }
    }

    public void RevokeTokens() => _tokens.Clear();

    public void RegisterClientCertificate(X509Certificate2 certificate, string login)
        => _clientCertificates[certificate.GetCertHashString(HashAlgorithmName.SHA256)] = login;

    /// <summary>Authenticates an API call; returns null when allowed, else the 401 error.</summary>
    public ScmApiException? Authenticate(HttpContext context, bool privateApi, bool requireClientCertificate, bool allowExpired)
    {
        var request = context.Request;
        var credentials = _credentials;
        if (requireClientCertificate && privateApi)
        {
            var certificate = context.Connection.ClientCertificate;
            if (certificate is null
                || !_clientCertificates.TryGetValue(certificate.GetCertHashString(HashAlgorithmName.SHA256), out var owner)
                || !string.Equals(owner, request.Headers["login"].ToString(), StringComparison.Ordinal)
                || !string.Equals(credentials.Login, request.Headers["login"].ToString(), StringComparison.Ordinal)
                || !string.Equals(credentials.CustomerUri, request.Headers["customerUri"].ToString(), StringComparison.Ordinal))
            {
                return Unknown();
            }

            return null;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 7 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[7..].Trim();
            if (_tokens.TryGetValue(token, out var expiresTicks) && _clock.GetUtcNow().UtcTicks < expiresTicks)
            {
                return null;
            }

            return Unknown();
        }

        var login = request.Headers["login"].ToString();
        var password = request.Headers["password"].ToString();
        var customerUri = request.Headers["customerUri"].ToString();
        if (!string.Equals(login, credentials.Login, StringComparison.Ordinal)
            || !string.Equals(password, credentials.Password, StringComparison.Ordinal)
            || !string.Equals(customerUri, credentials.CustomerUri, StringComparison.Ordinal))
        {
            return Unknown();
        }

        if (!allowExpired && (_expired || (PasswordExpiration is { } date && date < DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime))))
        {
            return new ScmApiException(401, -970, "Incorrect login credentials.");
        }

        return null;
    }

    /// <summary>The client-credentials grant. Returns the status code and JSON body.</summary>
    public (int Status, byte[] Body) IssueToken(IFormCollection form, string? basicAuthorization)
    {
        var clientId = form["client_id"].ToString();
        var clientSecret = form["client_secret"].ToString();
        if (!string.IsNullOrEmpty(basicAuthorization) && basicAuthorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(basicAuthorization[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    clientId = Uri.UnescapeDataString(decoded[..colon]);
                    clientSecret = Uri.UnescapeDataString(decoded[(colon + 1)..]);
                }
            }
            catch (FormatException)
            {
                return (401, OAuthError("invalid_client", "Invalid client or Invalid client credentials"));
            }
        }

        if (!string.Equals(form["grant_type"].ToString(), "client_credentials", StringComparison.Ordinal))
        {
            return (400, OAuthError("unsupported_grant_type", "Unsupported grant_type"));
        }

        var credentials = _credentials;
        if (_expired || !string.Equals(clientId, credentials.ClientId, StringComparison.Ordinal)
            || !string.Equals(clientSecret, credentials.ClientSecret, StringComparison.Ordinal))
        {
            return (401, OAuthError("invalid_client", "Invalid client or Invalid client credentials"));
        }

        var now = _clock.GetUtcNow();
        var expires = now + _tokenLifetime;
        var token = NewJwt(clientId, now, expires);
        _tokens[token] = expires.UtcTicks;
        PruneTokens(now);
        var seconds = (long)_tokenLifetime.TotalSeconds;
        return (200, ScmJson.Build((token, seconds), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("access_token", s.token);
            w.WriteNumber("expires_in", s.seconds);
            w.WriteNumber("refresh_expires_in", 0);
            w.WriteString("token_type", "Bearer");
            w.WriteNumber("not-before-policy", 0);
            w.WriteString("scope", "profile email");
            w.WriteEndObject();
        }));
    }

    private static ScmApiException Unknown() => new(401, -16, "Unknown user");

    private static byte[] OAuthError(string error, string description) => ScmJson.Build((error, description), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteString("error", s.error);
        w.WriteString("error_description", s.description);
        w.WriteEndObject();
    });

    private void PruneTokens(DateTimeOffset now)
    {
        if (_tokens.Count < 1024)
        {
            return;
        }

        foreach (var pair in _tokens)
        {
            if (pair.Value <= now.UtcTicks)
            {
                _tokens.TryRemove(pair.Key, out _);
            }
        }
    }

    private string NewSecret() => _random.NextString(32);

    private string NewJwt(string clientId, DateTimeOffset now, DateTimeOffset expires)
    {
        static string B64(string json) => Base64Url(Encoding.UTF8.GetBytes(json));
        var header = B64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        var payload = B64(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"exp\":{expires.ToUnixTimeSeconds()},\"iat\":{now.ToUnixTimeSeconds()},\"jti\":\"{_random.NextString(24)}\",\"iss\":\"scm-simulator/auth/realms/apiclients\",\"typ\":\"Bearer\",\"azp\":\"{clientId}\"}}"));
        var signature = new byte[64];
        _random.NextBytes(signature);
        return header + "." + payload + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
