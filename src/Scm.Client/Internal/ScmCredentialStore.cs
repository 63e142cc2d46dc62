namespace Scm.Client.Internal;

/// <summary>One immutable set of credentials; a new set replaces the old one as a whole.</summary>
internal sealed class ScmCredentials
{
    public ScmCredentials(string? login, string? password, string? customerUri, string? clientId, string? clientSecret)
    {
        Login = login;
        Password = password;
        CustomerUri = customerUri;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    public string? Login { get; }

    public string? Password { get; }

    public string? CustomerUri { get; }

    public string? ClientId { get; }

    public string? ClientSecret { get; }

    public static ScmCredentials From(ScmClientOptions options) =>
        new(options.Login, options.Password, options.CustomerUri, options.ClientId, options.ClientSecret);

    public ScmCredentials With(ScmCredentialUpdate update) => new(
        update.Login ?? Login,
        update.Password ?? Password,
        update.CustomerUri ?? CustomerUri,
        update.ClientId ?? ClientId,
        update.ClientSecret ?? ClientSecret);

    public bool SameAs(ScmCredentials other) =>
        string.Equals(Login, other.Login, StringComparison.Ordinal)
        && string.Equals(Password, other.Password, StringComparison.Ordinal)
        && string.Equals(CustomerUri, other.CustomerUri, StringComparison.Ordinal)
        && string.Equals(ClientId, other.ClientId, StringComparison.Ordinal)
        && string.Equals(ClientSecret, other.ClientSecret, StringComparison.Ordinal);

    public override string ToString() => "ScmCredentials { *** }";
}

/// <summary>
/// The credentials every request is signed with. Read per request by the authentication handler and the OAuth2 token
/// provider, so <see cref="ScmClient.UpdateCredentials"/> takes effect on the next request (and a cached bearer token
/// fetched with the old client credentials is not used again).
/// </summary>
internal sealed class ScmCredentialStore
{
    /// <summary>At most this many secret values are remembered for redaction (the first ones and the latest ones stay).</summary>
    internal const int MaxRememberedSecrets = 32;

    private ScmCredentials _current;
    private string[] _secrets = [];

    public ScmCredentialStore(ScmClientOptions options)
    {
        Mode = options.AuthenticationMode;
        _current = ScmCredentials.From(options);
        Remember(options.Password);
        Remember(options.ClientSecret);
        Remember(options.ClientCertificatePassword);
    }

    /// <summary>
    /// Every password and client secret this client has held (the current ones and the replaced ones, longest first), so
    /// that an SCM answer echoing any of them is redacted before it reaches an exception, a log or an audit entry.
    /// </summary>
    public IReadOnlyList<string> Secrets => Volatile.Read(ref _secrets);

    /// <summary>Replaces every known secret in <paramref name="text"/> with <c>***</c>.</summary>
    public string Redact(string text)
    {
        foreach (var secret in Secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Redacts <paramref name="secret"/> from every SCM answer from now on (for a secret about to be sent, such as a new password).</summary>
    public void RememberSecret(string secret) => Remember(secret);

    private void Remember(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        while (true)
        {
            var current = Volatile.Read(ref _secrets);
            if (current.Contains(secret, StringComparer.Ordinal))
            {
                return;
            }

            // Past the bound the oldest replaced ones go first (the start-up ones are kept: they are the likeliest to be echoed by mistake).
            var kept = current.Length < MaxRememberedSecrets ? current : [.. current.Take(3), .. current.Skip(4)];
            var next = kept.Append(secret).OrderByDescending(s => s.Length).ToArray();
            if (ReferenceEquals(Interlocked.CompareExchange(ref _secrets, next, current), current))
            {
                return;
            }
        }
    }

    public ScmAuthenticationMode Mode { get; }

    public ScmCredentials Current => Volatile.Read(ref _current);

    /// <summary>Applies an update after checking that the mode's required values stay non-empty; returns whether anything changed.</summary>
    public bool Update(ScmCredentialUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        CheckNotBlank(update.Login, nameof(update.Login));
        CheckNotBlank(update.Password, nameof(update.Password));
        CheckNotBlank(update.CustomerUri, nameof(update.CustomerUri));
        CheckNotBlank(update.ClientId, nameof(update.ClientId));
        CheckNotBlank(update.ClientSecret, nameof(update.ClientSecret));
        while (true)
        {
            var current = Current;
            var next = current.With(update);
            Require(next, Mode);
            if (next.SameAs(current))
            {
                return false;
            }

            // Known as secrets before any request can carry them.
            Remember(next.Password);
            Remember(next.ClientSecret);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, next, current), current))
            {
                return true;
            }
        }
    }

    private static void CheckNotBlank(string? value, string name)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"ScmCredentialUpdate.{name} must not be empty or white space (leave it null to keep the current value).", "update");
        }
    }

    private static void Require(ScmCredentials c, ScmAuthenticationMode mode)
    {
        static void Need(string? value, string name, ScmAuthenticationMode mode)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"ScmCredentialUpdate.{name} is required when AuthenticationMode is {mode}.", "update");
            }
        }

        switch (mode)
        {
            case ScmAuthenticationMode.Password:
                Need(c.Login, nameof(c.Login), mode);
                Need(c.Password, nameof(c.Password), mode);
                Need(c.CustomerUri, nameof(c.CustomerUri), mode);
                break;
            case ScmAuthenticationMode.OAuth2ClientCredentials:
                Need(c.ClientId, nameof(c.ClientId), mode);
                Need(c.ClientSecret, nameof(c.ClientSecret), mode);
                break;
            case ScmAuthenticationMode.ClientCertificate:
                Need(c.Login, nameof(c.Login), mode);
                Need(c.CustomerUri, nameof(c.CustomerUri), mode);
                break;
        }
    }
}
