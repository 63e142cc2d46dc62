using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

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

    /// <summary>Set on a request by the pipeline once it leaves the client's own waits (limiter, Retry-After, pacing) to be sent.</summary>
    internal static readonly HttpRequestOptionsKey<ScmSendMark> Sent = new("Scm.Client.Sent");

    /// <summary>The transport's own timeout token, so that the circuit breaker can tell a request that ran out of time from one the caller cancelled.</summary>
    internal static readonly HttpRequestOptionsKey<CancellationToken> TransportTimeout = new("Scm.Client.TransportTimeout");

    /// <summary>Whether the last attempt of a call got a 2xx answer (set by <see cref="ScmGateStrategy"/>).</summary>
    internal static readonly ResiliencePropertyKey<bool> AttemptSucceeded = new("Scm.Client.AttemptSucceeded");

    /// <summary>The name of the SCM client's resilience pipeline (the handler's pipeline is <c>Scm.Client-scm</c>).</summary>
    internal const string PipelineName = "scm";

    private static bool IsSafe(HttpRequestMessage? request) =>
        request is null || request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;

    /// <summary>
    /// The SCM client's pipeline, outermost first:
    /// <list type="number">
    /// <item>total request timeout (skipped for the transport's requests, which carry their own);</item>
    /// <item>circuit breaker: sees each call's final outcome after its retries, so a failure that a retry recovered from
    /// never counts; it opens only when calls keep failing for good (SCM really down), and then lets a single probe through per
    /// break, which is sent once (no retries while half-open);</item>
    /// <item>retry: GET/HEAD only, never POST/PUT/DELETE, honouring <c>Retry-After</c>;</item>
    /// <item>concurrency limiter (<see cref="ScmClientOptions.MaxConcurrentRequests"/>), per attempt;</item>
    /// <item>the <see cref="ScmRequestGate"/>: SCM's <c>Retry-After</c> holds every attempt, and <see cref="ScmClientOptions.MaxRequestsPerSecond"/> paces them;</item>
    /// <item>attempt timeout.</item>
    /// </list>
    /// Telemetry: an attempt that got a 2xx answer is logged at Debug (Polly logs every attempt at Information otherwise);
    /// retries, failed attempts and breaker transitions keep their levels.
    /// </summary>
    public static void BuildPipeline(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context, ScmClientOptions options, TimeProvider time)
    {
        var circuit = context.ServiceProvider.GetService<ScmCircuitState>();
        var global = context.ServiceProvider.GetService<IOptions<TelemetryOptions>>()?.Value;
        builder.ConfigureTelemetry(QuietTelemetry(global));

        builder.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Name = "TotalRequestTimeout",
            Timeout = options.TotalRequestTimeout,

            // The transport's token started earlier with the same budget (validation keeps PostTimeout below
            // TotalRequestTimeout), so for its requests this timer could never fire first.
            TimeoutGenerator = args => new ValueTask<TimeSpan>(
                IsTimedByTransport(args.Context.GetRequestMessage()) ? Timeout.InfiniteTimeSpan : options.TotalRequestTimeout),
        });

        var state = new CircuitBreakerStateProvider();
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "CircuitBreaker",
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            FailureRatio = options.CircuitBreakerFailureRatio,
            BreakDuration = options.CircuitBreakerBreakDuration,
            StateProvider = state,
            ShouldHandle = args => new ValueTask<bool>(IsCallFailure(args.Outcome, args.Context)),
            OnOpened = args =>
            {
                circuit?.Opened(time.GetUtcNow() + args.BreakDuration);
                return default;
            },
            OnHalfOpened = _ =>
            {
                circuit?.HalfOpened();
                return default;
            },
            OnClosed = _ =>
            {
                circuit?.Closed();
                return default;
            },
        });

        var retry = new HttpRetryStrategyOptions
        {
            Name = "Retry",
            MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
            Delay = options.RetryBaseDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = false,
            DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result?.Headers.RetryAfter, time, options.MaxRetryAfter)),
        };
        var noRetry = options.MaxRetryAttempts == 0;
        retry.ShouldHandle = args =>
        {
            // The probe of a half-open circuit is sent once: one request per break, not one call with its retries.
            if (noRetry || state.CircuitState == CircuitState.HalfOpen || !HttpClientResiliencePredicates.IsTransient(args.Outcome))
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
        builder.AddRetry(retry);

        var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrentRequests,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        context.OnPipelineDisposed(limiter.Dispose);
        builder.AddRateLimiter(new HttpRateLimiterStrategyOptions
        {
            Name = "ConcurrencyLimiter",
            RateLimiter = args => limiter.AcquireAsync(1, args.Context.CancellationToken),
        });

        var gate = new ScmRequestGate(options, time);
        builder.AddStrategy(_ => new ScmGateStrategy(gate));

        builder.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Name = "AttemptTimeout",
            Timeout = options.AttemptTimeout > options.PostTimeout ? options.AttemptTimeout : options.PostTimeout,
            TimeoutGenerator = args =>
            {
                var request = args.Context.GetRequestMessage();
                if (IsSafe(request))
                {
                    // Per attempt, so that a hung GET is abandoned and retried: always applied.
                    return new ValueTask<TimeSpan>(options.AttemptTimeout);
                }

                // POST/PUT/DELETE are sent once; from the transport, its PostTimeout token (started earlier) bounds that attempt.
                return new ValueTask<TimeSpan>(IsTimedByTransport(request) ? Timeout.InfiniteTimeSpan : options.PostTimeout);
            },
        });
    }

    /// <summary>
    /// The OAuth2 token client's pipeline: the standard handler's strategies and settings (total timeout, retry, a
    /// circuit breaker per attempt, attempt timeout; token requests are safe to repeat, so POST retries stay on), with
    /// the same quiet telemetry as <see cref="BuildPipeline"/>: an attempt that got a 2xx answer is logged at Debug.
    /// </summary>
    public static void BuildTokenPipeline(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context, ScmClientOptions options)
    {
        var global = context.ServiceProvider.GetService<IOptions<TelemetryOptions>>()?.Value;
        builder.ConfigureTelemetry(QuietTelemetry(global));
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "TotalRequestTimeout", Timeout = options.TotalRequestTimeout });
        builder.AddRetry(new HttpRetryStrategyOptions { Name = "Retry", MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts) });
        var sampling = options.AttemptTimeout * 2 > TimeSpan.FromSeconds(30) ? options.AttemptTimeout * 2 : TimeSpan.FromSeconds(30);
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { Name = "CircuitBreaker", SamplingDuration = sampling });
        builder.AddStrategy(_ => new ScmAttemptOutcomeStrategy());
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "AttemptTimeout", Timeout = options.AttemptTimeout });
    }

    /// <summary>
    /// What the circuit breaker counts as a failed call: after its retries, still a 5xx or 408, an attempt timeout or no
    /// connection; or the transport's own budget ran out while the call was failing. A 429 is SCM asking to wait (its
    /// <c>Retry-After</c> is honoured), not SCM being down; a caller's cancellation is not a failure.
    /// </summary>
    internal static bool IsCallFailure(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests })
        {
            return false;
        }

        if (outcome.Exception is OperationCanceledException)
        {
            var request = context.GetRequestMessage();
            return request is not null
                && request.Options.TryGetValue(TransportTimeout, out var timeout) && timeout.IsCancellationRequested
                && !context.Properties.GetValue(AttemptSucceeded, true);
        }

        return outcome.Exception is not ScmHeldBackException && HttpClientResiliencePredicates.IsTransient(outcome);
    }

    /// <summary>
    /// The host's resilience telemetry options (listeners, enrichers, logger factory) with one change for this pipeline:
    /// an execution attempt that got a 2xx answer is reported at Debug instead of Information.
    /// </summary>
    internal static TelemetryOptions QuietTelemetry(TelemetryOptions? global)
    {
        var quiet = global is null ? new TelemetryOptions() : new TelemetryOptions(global);
        var inner = quiet.SeverityProvider;
        quiet.SeverityProvider = args =>
        {
            var severity = inner?.Invoke(args) ?? args.Event.Severity;
            if (args.Event.EventName == "ExecutionAttempt" && severity == ResilienceEventSeverity.Information
                && args.Context.Properties.GetValue(AttemptSucceeded, false))
            {
                return ResilienceEventSeverity.Debug;
            }

            return severity;
        };
        return quiet;
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
