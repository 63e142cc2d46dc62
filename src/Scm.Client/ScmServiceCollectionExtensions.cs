using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Scm.Client;
using Scm.Client.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ScmClient"/> with its HTTP pipeline.</summary>
public static class ScmServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient the SCM client uses.</summary>
    public const string HttpClientName = "Scm.Client";

    /// <summary>
    /// Registers <see cref="ScmClient"/> as a singleton, its options (validated at start) and a named HttpClient:
    /// a resilience handler outermost (circuit breaker over whole calls, GET retries only, POST/PUT/DELETE never retried,
    /// Retry-After honoured, at most <see cref="ScmClientOptions.MaxConcurrentRequests"/> requests on the wire), the
    /// authentication handler inside it, auto-redirect off and credential headers redacted from logs.
    /// Call once per service collection.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The HttpClient builder, for further handlers (added inside the authentication handler).</returns>
    public static IHttpClientBuilder AddScmClient(this IServiceCollection services, Action<ScmClientOptions> configure) =>
        AddScmClient(services, configure, validateOnStart: true);

    /// <summary>
    /// Registers <see cref="ScmClient"/> (see <see cref="AddScmClient(IServiceCollection, Action{ScmClientOptions})"/>);
    /// with <paramref name="validateOnStart"/> false the options are validated when the client is first resolved instead
    /// of when the host starts, for hosts that validate them themselves (or may not use this client at all).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="validateOnStart">Whether the host validates the options when it starts.</param>
    /// <returns>The HttpClient builder.</returns>
    public static IHttpClientBuilder AddScmClient(this IServiceCollection services, Action<ScmClientOptions> configure, bool validateOnStart)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = services.AddOptions<ScmClientOptions>().Configure(configure);
        if (validateOnStart)
        {
            options.ValidateOnStart();
        }

        return AddScmClientCore(services);
    }

    /// <summary>Registers <see cref="ScmClient"/> with options bound from a configuration section (see <see cref="AddScmClient(IServiceCollection, Action{ScmClientOptions})"/>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding <see cref="ScmClientOptions"/> keys (BaseAddress, Login, ...).</param>
    /// <returns>The HttpClient builder.</returns>
    public static IHttpClientBuilder AddScmClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ScmClientOptions>().Configure(o => ScmClientOptionsBinding.Bind(configuration, o)).ValidateOnStart();
        return AddScmClientCore(services);
    }

    internal static IHttpClientBuilder AddScmClientCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScmClientOptions>, ScmClientOptionsValidator>());
        services.TryAddSingleton(sp => new ScmTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new ScmCredentialStore(Options(sp)));
        services.TryAddSingleton<ScmCircuitState>();
        services.TryAddSingleton(sp => new ScmOAuthTokenProvider(
            sp.GetRequiredService<IHttpClientFactory>(),
            Options(sp),
            sp.GetRequiredService<ScmCredentialStore>(),
            Time(sp),
            Logger(sp, "Scm.Client.OAuth"),
            sp.GetRequiredService<ScmTelemetry>()));

        var token = services.AddHttpClient(ScmOAuthTokenProvider.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => ScmHttpHandlerFactory.CreatePrimaryHandler(Options(sp), Logger(sp, "Scm.Client"), forTokenEndpoint: true))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(ScmHttpHandlerFactory.IsSensitiveHeader)
            .RemoveAllLoggers()
            .AddLogger(sp => new ScmHttpClientLogger(Logger(sp, "Scm.Client.Http")));
        token.AddResilienceHandler("token", (pipeline, context) => ScmHttpHandlerFactory.BuildTokenPipeline(pipeline, context, Options(context.ServiceProvider)));

        var builder = services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => ScmHttpHandlerFactory.CreatePrimaryHandler(Options(sp), Logger(sp, "Scm.Client"), forTokenEndpoint: false))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(ScmHttpHandlerFactory.IsSensitiveHeader)

            // The factory's default logger passes raw header values to structured-logging state (only its message text
            // is redacted), so it is replaced by one that never logs headers.
            .RemoveAllLoggers()
            .AddLogger(sp => new ScmHttpClientLogger(Logger(sp, "Scm.Client.Http")));

        // Order matters: the resilience handler is added first so it is the outermost; authentication runs inside it
        // and signs every attempt.
        builder.AddResilienceHandler(ScmHttpHandlerFactory.PipelineName, (pipeline, context) =>
            ScmHttpHandlerFactory.BuildPipeline(pipeline, context, Options(context.ServiceProvider), Time(context.ServiceProvider)));
        builder.AddHttpMessageHandler(sp => new ScmAuthenticationHandler(
            sp.GetRequiredService<ScmCredentialStore>(),
            Options(sp).AuthenticationMode == ScmAuthenticationMode.OAuth2ClientCredentials ? sp.GetRequiredService<ScmOAuthTokenProvider>() : null,
            Logger(sp, "Scm.Client")));

        services.TryAddSingleton(sp => new ScmTransport(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            Options(sp),
            sp.GetRequiredService<ScmCredentialStore>(),
            Time(sp),
            Logger(sp, "Scm.Client"),
            sp.GetRequiredService<ScmTelemetry>(),
            sp.GetRequiredService<ScmCircuitState>()));
        services.TryAddSingleton(sp => new ScmClient(sp.GetRequiredService<ScmTransport>(), sp.GetRequiredService<ScmCredentialStore>()));
        return builder;
    }

    private static ScmClientOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<ScmClientOptions>>().Value;

    private static TimeProvider Time(IServiceProvider sp) => sp.GetService<TimeProvider>() ?? TimeProvider.System;

    private static ILogger Logger(IServiceProvider sp, string category) =>
        sp.GetService<ILoggerFactory>()?.CreateLogger(category) ?? NullLogger.Instance;
}
