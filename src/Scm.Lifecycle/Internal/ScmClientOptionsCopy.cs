using Scm.Client;

namespace Scm.Lifecycle.Internal;

/// <summary>
/// Copies the engine's <see cref="SectigoCertificateManagementOptions.Client"/> into the options the registered
/// <see cref="ScmClient"/> reads. A conventions test checks that every settable property is copied.
/// </summary>
internal static class ScmClientOptionsCopy
{
    public static void CopyTo(ScmClientOptions source, ScmClientOptions target)
    {
        target.BaseAddress = source.BaseAddress;
        target.AuthenticationMode = source.AuthenticationMode;
        target.Login = source.Login;
        target.Password = source.Password;
        target.CustomerUri = source.CustomerUri;
        target.ClientId = source.ClientId;
        target.ClientSecret = source.ClientSecret;
        target.TokenEndpoint = source.TokenEndpoint;
        target.ClientCertificate = source.ClientCertificate;
        target.ClientCertificatePath = source.ClientCertificatePath;
        target.ClientCertificatePassword = source.ClientCertificatePassword;
        target.TrustedServerCertificateAuthorities = source.TrustedServerCertificateAuthorities;
        target.AttemptTimeout = source.AttemptTimeout;
        target.TotalRequestTimeout = source.TotalRequestTimeout;
        target.PostTimeout = source.PostTimeout;
        target.MaxRetryAttempts = source.MaxRetryAttempts;
        target.MaxRetryAfter = source.MaxRetryAfter;
        target.MaxJsonResponseBytes = source.MaxJsonResponseBytes;
        target.MaxCollectResponseBytes = source.MaxCollectResponseBytes;
        target.PageSize = source.PageSize;
        target.SslApiVersion = source.SslApiVersion;
        target.UseLegacyCollectPath = source.UseLegacyCollectPath;
        target.ApiVersion = source.ApiVersion;
        target.MaxConcurrentRequests = source.MaxConcurrentRequests;
        target.MaxRequestsPerSecond = source.MaxRequestsPerSecond;
        target.CircuitBreakerBreakDuration = source.CircuitBreakerBreakDuration;
        target.CircuitBreakerMinimumThroughput = source.CircuitBreakerMinimumThroughput;
        target.CircuitBreakerFailureRatio = source.CircuitBreakerFailureRatio;
        target.CircuitBreakerSamplingDuration = source.CircuitBreakerSamplingDuration;
    }
}
