using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Scm.Client;

/// <summary>Settings of an <see cref="ScmClient"/>. Bindable from configuration (except the certificate objects).</summary>
/// <remarks>
/// Validated when the client starts (<c>ValidateOnStart</c> under dependency injection, the constructor otherwise);
/// every failure names the option. <see cref="ToString"/> never shows a secret.
/// </remarks>
public sealed class ScmClientOptions
{
    /// <summary>The default base address for password authentication: <c>https://cert-manager.com/api</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://cert-manager.com/api");

    /// <summary>The base address used for OAuth2 when <see cref="BaseAddress"/> is left at <see cref="DefaultBaseAddress"/>: <c>https://admin.enterprise.sectigo.com/api</c>.</summary>
    public static Uri DefaultOAuthBaseAddress { get; } = new("https://admin.enterprise.sectigo.com/api");

    /// <summary>The base address used for client-certificate authentication when <see cref="BaseAddress"/> is left at <see cref="DefaultBaseAddress"/>: <c>https://cert-manager.com/private/api</c>.</summary>
    public static Uri DefaultClientCertificateBaseAddress { get; } = new("https://cert-manager.com/private/api");

    /// <summary>Sectigo's OAuth2 token endpoint.</summary>
    public static Uri DefaultTokenEndpoint { get; } = new("https://auth.sso.sectigo.com/auth/realms/apiclients/protocol/openid-connect/token");

    /// <summary>
    /// The API base, ending in <c>/api</c> (or <c>/private/api</c> for client-certificate authentication). Must be https
    /// unless it is a loopback address. Default <see cref="DefaultBaseAddress"/>; when left at that default, OAuth2 uses
    /// <see cref="DefaultOAuthBaseAddress"/> and client-certificate authentication <see cref="DefaultClientCertificateBaseAddress"/>.
    /// </summary>
    public Uri BaseAddress { get; set; } = DefaultBaseAddress;

    /// <summary>How the client authenticates. Default <see cref="ScmAuthenticationMode.Password"/>.</summary>
    public ScmAuthenticationMode AuthenticationMode { get; set; } = ScmAuthenticationMode.Password;

    /// <summary>The administrator's login (password and client-certificate modes).</summary>
    public string? Login { get; set; }

    /// <summary>The administrator's password (password mode). Never logged or shown.</summary>
    public string? Password { get; set; }

    /// <summary>The customer URI: the <c>x</c> in <c>https://cert-manager.com/customer/x</c> (password and client-certificate modes).</summary>
    public string? CustomerUri { get; set; }

    /// <summary>The OAuth2 client id (OAuth2 mode).</summary>
    public string? ClientId { get; set; }

    /// <summary>The OAuth2 client secret (OAuth2 mode). Never logged or shown.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The OAuth2 token endpoint. Default <see cref="DefaultTokenEndpoint"/>.</summary>
    public Uri TokenEndpoint { get; set; } = DefaultTokenEndpoint;

    /// <summary>The client certificate with its private key (client-certificate mode). Not bound from configuration; takes precedence over <see cref="ClientCertificatePath"/>.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Path of a PKCS#12 (.pfx/.p12) file holding the client certificate and key (client-certificate mode).</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>Password of the PKCS#12 file at <see cref="ClientCertificatePath"/>. Never logged or shown.</summary>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>
    /// Optional extra trust anchors for the server's certificate (for example a test CA). A server certificate is accepted
    /// when it is valid for the host and chains either to the system's roots or to one of these (custom root trust);
    /// nothing else is ever accepted. Not bound from configuration.
    /// </summary>
    public X509Certificate2Collection? TrustedServerCertificateAuthorities { get; set; }

    /// <summary>Timeout of one GET/HEAD attempt. Default 30 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Total time for a GET/HEAD including retries and reading the body. Default 90 seconds.</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Timeout of a POST, PUT or DELETE, which is sent once and never retried. Default 60 seconds.</summary>
    public TimeSpan PostTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Maximum retries of a GET/HEAD after a transient failure (5xx, 408, 429, timeout, connection error). Default 3; 0..10.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The largest <c>Retry-After</c> honoured; longer values are clamped to it. Default 1 hour.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The largest JSON response read; a longer body is abandoned with an <see cref="ScmProtocolException"/>. Default 1 MiB.</summary>
    public long MaxJsonResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest certificate download read. Default 256 KiB.</summary>
    public long MaxCollectResponseBytes { get; set; } = 256 * 1024;

    /// <summary>Rows per page when listing (SCM's <c>size</c>). Default and maximum 200.</summary>
    public int PageSize { get; set; } = 200;

    /// <summary>The SSL API version in paths: <c>v1</c> (default) or <c>v2</c>. The v2 import is used whatever this says.</summary>
    public string SslApiVersion { get; set; } = "v1";

    /// <summary>Use the older <c>collect/{sslId}/{format}</c> path instead of <c>collect/{sslId}?format=</c>. Default false.</summary>
    public bool UseLegacyCollectPath { get; set; }

    // ---------------------------------------------------------------- vendor API version (request vocabulary)

    /// <summary>
    /// Which Sectigo API document the requests follow where the two differ (filter spellings, JSON types of codes, the
    /// <c>managedBy</c>/<c>managed-by</c> path, the keystore verb). Default <see cref="ScmApiVersion.Rest25_5"/>, the spellings
    /// of SCM's REST API 25.5 document, which every instance up to 25.5 accepts; choose <see cref="ScmApiVersion.Admin25_9"/>
    /// for an instance that follows the Admin API OpenAPI 25.9.2. A value one version does not document is refused before
    /// anything is sent, naming the field and the version. See docs/configuration.md for the table of differences.
    /// </summary>
    public ScmApiVersion ApiVersion { get; set; } = ScmApiVersion.Rest25_5;

    /// <summary>
    /// Requests this client has on the wire to SCM at the same time; more wait their turn, oldest first. One client
    /// serves one account, so this is a per-account limit. Default 4; 1..64. An attempt holds its place only while it is
    /// sent and its response headers arrive; a retry waits outside it.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary>
    /// Requests per second this client sends to SCM at most (retries included), as a token bucket holding one second's
    /// worth; 0 (the default) for no rate cap beyond <see cref="MaxConcurrentRequests"/>. 0..1000. A <c>Retry-After</c>
    /// from SCM holds every request of the client until it has passed, whatever this allows.
    /// </summary>
    public int MaxRequestsPerSecond { get; set; }

    /// <summary>
    /// How long the circuit stays open once it has opened: calls fail at once without reaching SCM, then one call is let
    /// through as a probe (sent once, not retried) and its outcome closes or re-opens the circuit. Default 30 seconds;
    /// 1 second..1 hour.
    /// </summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Calls (not attempts: a call whose retry succeeded counts as a success) that must have ended within
    /// <see cref="CircuitBreakerSamplingDuration"/> before the circuit may open. Default 10; 2..10,000.
    /// </summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>
    /// The share of those calls that must have finally failed (5xx, 408, timeout or no connection after their retries;
    /// a 429 is SCM asking to wait, not a failure) for the circuit to open. Default 0.5; more than 0, at most 1.
    /// </summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The window over which <see cref="CircuitBreakerFailureRatio"/> is measured. Default 60 seconds; 1 second..1 day.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The base address actually used, after the per-mode defaults described on <see cref="BaseAddress"/>.</summary>
    internal Uri EffectiveBaseAddress
    {
        get
        {
            if (BaseAddress is not null && BaseAddress == DefaultBaseAddress)
            {
                return AuthenticationMode switch
                {
                    ScmAuthenticationMode.OAuth2ClientCredentials => DefaultOAuthBaseAddress,
                    ScmAuthenticationMode.ClientCertificate => DefaultClientCertificateBaseAddress,
                    _ => DefaultBaseAddress,
                };
            }

            return BaseAddress!;
        }
    }

    /// <summary>Base delay of the GET retry backoff (exponential with jitter). Internal: tests set it to zero.</summary>
    internal TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    internal ScmClientOptions Clone() => (ScmClientOptions)MemberwiseClone();

    /// <summary>
    /// The problems with these options, each naming the option and the rule (the checks the host runs at start and the
    /// non-DI constructor runs before anything is sent); empty when the options are valid. Never contains a secret.
    /// </summary>
    /// <returns>The problems, or an empty list.</returns>
    public IReadOnlyList<string> Validate() => Internal.ScmClientOptionsValidator.Collect(this);

    /// <summary>Describes the options without any secret: passwords and the client secret show as <c>***</c> when set.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("ScmClientOptions { ");
        sb.Append("BaseAddress = ").Append(BaseAddress)
          .Append(", AuthenticationMode = ").Append(AuthenticationMode)
          .Append(", Login = ").Append(Login)
          .Append(", Password = ").Append(Mask(Password))
          .Append(", CustomerUri = ").Append(CustomerUri)
          .Append(", ClientId = ").Append(ClientId)
          .Append(", ClientSecret = ").Append(Mask(ClientSecret))
          .Append(", TokenEndpoint = ").Append(TokenEndpoint)
          .Append(", ClientCertificate = ").Append(ClientCertificate?.Thumbprint)
          .Append(", ClientCertificatePath = ").Append(ClientCertificatePath)
          .Append(", ClientCertificatePassword = ").Append(Mask(ClientCertificatePassword))
          .Append(", AttemptTimeout = ").Append(AttemptTimeout.ToString("c", CultureInfo.InvariantCulture))
          .Append(", TotalRequestTimeout = ").Append(TotalRequestTimeout.ToString("c", CultureInfo.InvariantCulture))
          .Append(", PostTimeout = ").Append(PostTimeout.ToString("c", CultureInfo.InvariantCulture))
          .Append(", MaxRetryAttempts = ").Append(MaxRetryAttempts.ToString(CultureInfo.InvariantCulture))
          .Append(", MaxConcurrentRequests = ").Append(MaxConcurrentRequests.ToString(CultureInfo.InvariantCulture))
          .Append(", MaxRequestsPerSecond = ").Append(MaxRequestsPerSecond.ToString(CultureInfo.InvariantCulture))
          .Append(", CircuitBreakerBreakDuration = ").Append(CircuitBreakerBreakDuration.ToString("c", CultureInfo.InvariantCulture))
          .Append(", PageSize = ").Append(PageSize.ToString(CultureInfo.InvariantCulture))
          .Append(", SslApiVersion = ").Append(SslApiVersion)
          .Append(", ApiVersion = ").Append(ApiVersion)
          .Append(" }");
        return sb.ToString();
    }

    private static string? Mask(string? secret) => string.IsNullOrEmpty(secret) ? secret : "***";
}
