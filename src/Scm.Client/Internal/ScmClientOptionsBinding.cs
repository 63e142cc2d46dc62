using Microsoft.Extensions.Configuration;

namespace Scm.Client.Internal;

/// <summary>
/// The configuration-bindable subset of <see cref="ScmClientOptions"/> (the certificate objects cannot be bound);
/// bound by the source-generated binder and copied onto the options. Keys are the option names.
/// </summary>
internal sealed class ScmClientOptionsBinding
{
    public Uri? BaseAddress { get; set; }

    public ScmAuthenticationMode? AuthenticationMode { get; set; }

    public string? Login { get; set; }

    public string? Password { get; set; }

    public string? CustomerUri { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public Uri? TokenEndpoint { get; set; }

    public string? ClientCertificatePath { get; set; }

    public string? ClientCertificatePassword { get; set; }

    public TimeSpan? AttemptTimeout { get; set; }

    public TimeSpan? TotalRequestTimeout { get; set; }

    public TimeSpan? PostTimeout { get; set; }

    public int? MaxRetryAttempts { get; set; }

    public TimeSpan? MaxRetryAfter { get; set; }

    public long? MaxJsonResponseBytes { get; set; }

    public long? MaxCollectResponseBytes { get; set; }

    public int? PageSize { get; set; }

    public string? SslApiVersion { get; set; }

    public bool? UseLegacyCollectPath { get; set; }

    public ScmApiVersion? ApiVersion { get; set; }
    public int? MaxConcurrentRequests { get; set; }

    public int? MaxRequestsPerSecond { get; set; }

    public TimeSpan? CircuitBreakerBreakDuration { get; set; }

    public int? CircuitBreakerMinimumThroughput { get; set; }

    public double? CircuitBreakerFailureRatio { get; set; }

    public TimeSpan? CircuitBreakerSamplingDuration { get; set; }

    public static void Bind(IConfiguration configuration, ScmClientOptions o)
    {
        var b = configuration.Get<ScmClientOptionsBinding>();
        if (b is null)
        {
            return;
        }

        o.BaseAddress = b.BaseAddress ?? o.BaseAddress;
        o.AuthenticationMode = b.AuthenticationMode ?? o.AuthenticationMode;
        o.Login = b.Login ?? o.Login;
        o.Password = b.Password ?? o.Password;
        o.CustomerUri = b.CustomerUri ?? o.CustomerUri;
        o.ClientId = b.ClientId ?? o.ClientId;
        o.ClientSecret = b.ClientSecret ?? o.ClientSecret;
        o.TokenEndpoint = b.TokenEndpoint ?? o.TokenEndpoint;
        o.ClientCertificatePath = b.ClientCertificatePath ?? o.ClientCertificatePath;
        o.ClientCertificatePassword = b.ClientCertificatePassword ?? o.ClientCertificatePassword;
        o.AttemptTimeout = b.AttemptTimeout ?? o.AttemptTimeout;
        o.TotalRequestTimeout = b.TotalRequestTimeout ?? o.TotalRequestTimeout;
        o.PostTimeout = b.PostTimeout ?? o.PostTimeout;
        o.MaxRetryAttempts = b.MaxRetryAttempts ?? o.MaxRetryAttempts;
        o.MaxRetryAfter = b.MaxRetryAfter ?? o.MaxRetryAfter;
        o.MaxJsonResponseBytes = b.MaxJsonResponseBytes ?? o.MaxJsonResponseBytes;
        o.MaxCollectResponseBytes = b.MaxCollectResponseBytes ?? o.MaxCollectResponseBytes;
        o.PageSize = b.PageSize ?? o.PageSize;
        o.SslApiVersion = b.SslApiVersion ?? o.SslApiVersion;
        o.UseLegacyCollectPath = b.UseLegacyCollectPath ?? o.UseLegacyCollectPath;
        o.ApiVersion = b.ApiVersion ?? o.ApiVersion;
        o.MaxConcurrentRequests = b.MaxConcurrentRequests ?? o.MaxConcurrentRequests;
        o.MaxRequestsPerSecond = b.MaxRequestsPerSecond ?? o.MaxRequestsPerSecond;
        o.CircuitBreakerBreakDuration = b.CircuitBreakerBreakDuration ?? o.CircuitBreakerBreakDuration;
        o.CircuitBreakerMinimumThroughput = b.CircuitBreakerMinimumThroughput ?? o.CircuitBreakerMinimumThroughput;
        o.CircuitBreakerFailureRatio = b.CircuitBreakerFailureRatio ?? o.CircuitBreakerFailureRatio;
        o.CircuitBreakerSamplingDuration = b.CircuitBreakerSamplingDuration ?? o.CircuitBreakerSamplingDuration;
    }
}
