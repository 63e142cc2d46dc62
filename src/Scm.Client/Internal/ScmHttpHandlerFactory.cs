using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace Scm.Client.Internal;

/// <summary>Builds the primary handler and the resilience settings of the SCM HttpClient.</summary>
internal static class ScmHttpHandlerFactory
{
    private static readonly string[] SensitiveHeaders = ["password", "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"];

    public static bool IsSensitiveHeader(string name)
    {
        foreach (var s in SensitiveHeaders)
        {
            if (string.Equals(s, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static SocketsHttpHandler CreatePrimaryHandler(ScmClientOptions options, ILogger logger, bool forTokenEndpoint)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = true,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.AttemptTimeout,
        };

        if (options.TrustedServerCertificateAuthorities is { Count: > 0 } roots)
        {
            var anchors = new X509Certificate2Collection(roots);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                ValidateServerCertificate(certificate, chain, errors, anchors, logger);
        }

        if (!forTokenEndpoint && options.AuthenticationMode == ScmAuthenticationMode.ClientCertificate)
        {
            var certificate = options.ClientCertificate ?? LoadClientCertificate(options);
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { certificate };
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        return handler;
    }

    internal static X509Certificate2 LoadClientCertificate(ScmClientOptions options)
    {
        var path = options.ClientCertificatePath ?? throw new InvalidOperationException("ScmClientOptions.ClientCertificatePath is not set.");
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadPkcs12FromFile(path, options.ClientCertificatePassword);
#else
        return new X509Certificate2(path, options.ClientCertificatePassword);
#endif
    }

    /// <summary>Accepts a certificate valid for the host that chains to the system roots or to one of <paramref name="anchors"/>. Nothing else.</summary>
    internal static bool ValidateServerCertificate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection anchors, ILogger logger)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            Log.ServerCertificateRejected(logger, errors.ToString());
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(anchors);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            for (var i = 1; i < chain.ChainElements.Count; i++)
            {
                custom.ChainPolicy.ExtraStore.Add(chain.ChainElements[i].Certificate);
            }
        }

        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        var ok = custom.Build(leaf);
        if (!ok)
        {
            var status = string.Join(", ", custom.ChainStatus.Select(s => s.Status.ToString()));
            Log.ServerCertificateRejected(logger, status);
        }

        return ok;
    }

    /// <summary>
    /// Set by <see cref="ScmTransport"/> on every request it sends: its own TimeProvider-driven token already bounds the whole
    /// exchange (TotalRequestTimeout for GET/HEAD, PostTimeout for the single attempt of anything else, in both cases
    /// including reading the body, which the pipeline does not cover). The pipeline then skips the timers that token makes
    /// redundant; a request sent on the named HttpClient by anything else keeps every pipeline timeout.
    /// </summary>
    internal static readonly HttpRequestOptionsKey<object> TimedByTransport = new("Scm.Client.TimedByTransport");

    internal static readonly object TimedByTransportMarker = new();

    internal static bool IsTimedByTransport(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(TimedByTransport, out var marker) && ReferenceEquals(marker, TimedByTransportMarker);

    private static bool IsSafe(HttpRequestMessage? request) =>
        request is null || request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;

    public static void ConfigureResilience(HttpStandardResilienceOptions o, ScmClientOptions options, TimeProvider time)
    {
        var longest = options.AttemptTimeout > options.PostTimeout ? options.AttemptTimeout : options.PostTimeout;
        o.TotalRequestTimeout.Timeout = options.TotalRequestTimeout;

        // The transport's token started earlier with the same budget (validation keeps PostTimeout below TotalRequestTimeout),
        // so for its requests this timer could never fire first.
        o.TotalRequestTimeout.TimeoutGenerator = args => new ValueTask<TimeSpan>(
            IsTimedByTransport(args.Context.GetRequestMessage()) ? Timeout.InfiniteTimeSpan : options.TotalRequestTimeout);
        o.AttemptTimeout.Timeout = longest;
        o.AttemptTimeout.TimeoutGenerator = args =>
        {
            var request = args.Context.GetRequestMessage();
            if (IsSafe(request))
            {
                // Per attempt, so that a hung GET is abandoned and retried: always applied.
                return new ValueTask<TimeSpan>(options.AttemptTimeout);
            }

            // POST/PUT/DELETE are sent once; from the transport, its PostTimeout token (started earlier) bounds that attempt.
            return new ValueTask<TimeSpan>(IsTimedByTransport(request) ? Timeout.InfiniteTimeSpan : options.PostTimeout);
        };

        // Sized for a low-volume client (docs/reliability.md, F19): 10 calls in the window, half failing, opens for 30 s.
        var sampling = TimeSpan.FromSeconds(60);
        o.CircuitBreaker.SamplingDuration = sampling > longest * 2 ? sampling : longest * 2;
        o.CircuitBreaker.MinimumThroughput = 10;
        o.CircuitBreaker.FailureRatio = 0.5;
        o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);

        var retry = o.Retry;
        retry.MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts);
        retry.Delay = options.RetryBaseDelay;
        retry.ShouldRetryAfterHeader = false;
        retry.DelayGenerator = args =>
        {
            var delay = RetryAfter(args.Outcome.Result?.Headers.RetryAfter, time, options.MaxRetryAfter);
            return new ValueTask<TimeSpan?>(delay);
        };
        var noRetry = options.MaxRetryAttempts == 0;
        retry.ShouldHandle = args =>
        {
            if (noRetry || !HttpClientResiliencePredicates.IsTransient(args.Outcome))
            {
                return new ValueTask<bool>(false);
            }

            // A Retry-After longer than the whole request budget is not waited for here: the caller gets
            // ScmRateLimitedException with RetryAfter and can persist a "not before".
            var wait = RetryAfter(args.Outcome.Result?.Headers.RetryAfter, time, options.MaxRetryAfter);
            return new ValueTask<bool>(wait is null || wait.Value < options.TotalRequestTimeout);
        };

        // SCM has no idempotency key: POST, PUT, PATCH and DELETE are never re-sent.
        retry.DisableForUnsafeHttpMethods();
    }

    internal static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider time, TimeSpan max)
    {
        if (header is null)
        {
            return null;
        }

        var value = header.Delta ?? (header.Date is { } date ? date - time.GetUtcNow() : null);
        if (value is null || value.Value < TimeSpan.Zero)
        {
            return null;
        }

        return value.Value > max ? max : value.Value;
    }
}
