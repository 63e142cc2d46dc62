using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace Scm.Client.Internal;

/// <summary>Validates <see cref="ScmClientOptions"/>; used by ValidateOnStart and by the non-DI constructor.</summary>
internal sealed class ScmClientOptionsValidator : IValidateOptions<ScmClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ScmClientOptions options)
    {
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static void ThrowIfInvalid(ScmClientOptions options)
    {
        var failures = Collect(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ScmClientOptions), failures);
        }
    }

    internal static List<string> Collect(ScmClientOptions o)
    {
        var f = new List<string>();
        const string P = "ScmClientOptions.";
        if (o.BaseAddress is null)
        {
            f.Add(P + "BaseAddress is required.");
        }
        else if (!o.BaseAddress.IsAbsoluteUri)
        {
            f.Add(P + "BaseAddress must be an absolute URI.");
        }
        else if (!IsSecureOrLoopback(o.BaseAddress))
        {
            f.Add(P + "BaseAddress must use https (plain http is allowed only for a loopback address); got scheme '" + o.BaseAddress.Scheme + "'.");
        }
        else if (!string.IsNullOrEmpty(o.BaseAddress.Query) || !string.IsNullOrEmpty(o.BaseAddress.Fragment) || !string.IsNullOrEmpty(o.BaseAddress.UserInfo))
        {
            f.Add(P + "BaseAddress must not contain a query, fragment or user info.");
        }

        if (!Enum.IsDefined(o.AuthenticationMode))
        {
            f.Add(P + "AuthenticationMode must be Password, OAuth2ClientCredentials or ClientCertificate.");
        }

        switch (o.AuthenticationMode)
        {
            case ScmAuthenticationMode.Password:
                Require(f, o.Login, "Login", "Password");
                Require(f, o.Password, "Password", "Password");
                Require(f, o.CustomerUri, "CustomerUri", "Password");
                break;
            case ScmAuthenticationMode.OAuth2ClientCredentials:
                Require(f, o.ClientId, "ClientId", "OAuth2ClientCredentials");
                Require(f, o.ClientSecret, "ClientSecret", "OAuth2ClientCredentials");
                if (o.TokenEndpoint is null || !o.TokenEndpoint.IsAbsoluteUri)
                {
                    f.Add(P + "TokenEndpoint must be an absolute URI.");
                }
                else if (!IsSecureOrLoopback(o.TokenEndpoint))
                {
                    f.Add(P + "TokenEndpoint must use https (plain http is allowed only for a loopback address).");
                }

                break;
            case ScmAuthenticationMode.ClientCertificate:
                Require(f, o.Login, "Login", "ClientCertificate");
                Require(f, o.CustomerUri, "CustomerUri", "ClientCertificate");
                if (o.ClientCertificate is null && string.IsNullOrWhiteSpace(o.ClientCertificatePath))
                {
                    f.Add(P + "ClientCertificate or ClientCertificatePath is required when AuthenticationMode is ClientCertificate.");
                }
                else if (o.ClientCertificate is null && !File.Exists(o.ClientCertificatePath))
                {
                    f.Add(P + "ClientCertificatePath does not name an existing file.");
                }
                else if (o.ClientCertificate is { HasPrivateKey: false })
                {
                    f.Add(P + "ClientCertificate must have its private key.");
                }

                if (o.BaseAddress is { IsAbsoluteUri: true } && !o.EffectiveBaseAddress.AbsolutePath.Contains("/private/", StringComparison.Ordinal))
                {
                    f.Add(P + "BaseAddress must contain '/private/' (e.g. https://cert-manager.com/private/api) when AuthenticationMode is ClientCertificate.");
                }

                break;
        }

        Positive(f, o.AttemptTimeout, "AttemptTimeout");
        Positive(f, o.TotalRequestTimeout, "TotalRequestTimeout");
        Positive(f, o.PostTimeout, "PostTimeout");
        Positive(f, o.MaxRetryAfter, "MaxRetryAfter");
        if (o.AttemptTimeout > TimeSpan.Zero && o.TotalRequestTimeout > TimeSpan.Zero && o.AttemptTimeout >= o.TotalRequestTimeout)
        {
            f.Add(P + "AttemptTimeout must be shorter than TotalRequestTimeout.");
        }

        if (o.PostTimeout > TimeSpan.Zero && o.TotalRequestTimeout > TimeSpan.Zero && o.PostTimeout >= o.TotalRequestTimeout)
        {
            f.Add(P + "PostTimeout must be shorter than TotalRequestTimeout.");
        }

        if (o.MaxRetryAttempts is < 0 or > 10)
        {
            f.Add(P + "MaxRetryAttempts must be 0..10; got " + o.MaxRetryAttempts.ToString(CultureInfo.InvariantCulture) + ".");
        }

        if (o.MaxJsonResponseBytes is < 1024 or > 512L * 1024 * 1024)
        {
            f.Add(P + "MaxJsonResponseBytes must be 1 KiB..512 MiB.");
        }

        if (o.MaxCollectResponseBytes is < 1024 or > 64L * 1024 * 1024)
        {
            f.Add(P + "MaxCollectResponseBytes must be 1 KiB..64 MiB.");
        }

        if (o.PageSize is < 1 or > 200)
        {
            f.Add(P + "PageSize must be 1..200; got " + o.PageSize.ToString(CultureInfo.InvariantCulture) + ".");
        }

        if (o.MaxConcurrentRequests is < 1 or > 64)
        {
            f.Add(P + "MaxConcurrentRequests must be 1..64; got " + o.MaxConcurrentRequests.ToString(CultureInfo.InvariantCulture) + ".");
        }

        if (o.MaxRequestsPerSecond is < 0 or > 1000)
        {
            f.Add(P + "MaxRequestsPerSecond must be 0 (no rate cap) or 1..1000; got " + o.MaxRequestsPerSecond.ToString(CultureInfo.InvariantCulture) + ".");
        }

        if (o.CircuitBreakerBreakDuration < TimeSpan.FromSeconds(1) || o.CircuitBreakerBreakDuration > TimeSpan.FromHours(1))
        {
            f.Add(P + "CircuitBreakerBreakDuration must be 1 second..1 hour; got " + o.CircuitBreakerBreakDuration.ToString("c", CultureInfo.InvariantCulture) + ".");
        }

        if (o.CircuitBreakerMinimumThroughput is < 2 or > 10_000)
        {
            f.Add(P + "CircuitBreakerMinimumThroughput must be 2..10000; got " + o.CircuitBreakerMinimumThroughput.ToString(CultureInfo.InvariantCulture) + ".");
        }

        if (!(o.CircuitBreakerFailureRatio > 0 && o.CircuitBreakerFailureRatio <= 1))
        {
            f.Add(P + "CircuitBreakerFailureRatio must be more than 0 and at most 1; got " + o.CircuitBreakerFailureRatio.ToString(CultureInfo.InvariantCulture) + ".");
        }

        if (o.CircuitBreakerSamplingDuration < TimeSpan.FromSeconds(1) || o.CircuitBreakerSamplingDuration > TimeSpan.FromDays(1))
        {
            f.Add(P + "CircuitBreakerSamplingDuration must be 1 second..1 day; got " + o.CircuitBreakerSamplingDuration.ToString("c", CultureInfo.InvariantCulture) + ".");
        }

        if (o.SslApiVersion is not ("v1" or "v2"))
        {
            f.Add(P + "SslApiVersion must be 'v1' or 'v2'.");
        }

        if (!Enum.IsDefined(o.ApiVersion))
        {
            f.Add(P + "ApiVersion must be Rest25_5 or Admin25_9; got " + ((int)o.ApiVersion).ToString(CultureInfo.InvariantCulture) + ".");
        }

        return f;
    }

    internal static bool IsSecureOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps
        || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))));

    private static void Require(List<string> f, string? value, string option, string mode)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            f.Add("ScmClientOptions." + option + " is required when AuthenticationMode is " + mode + ".");
        }
    }

    private static void Positive(List<string> f, TimeSpan value, string option)
    {
        if (value <= TimeSpan.Zero)
        {
            f.Add("ScmClientOptions." + option + " must be greater than zero.");
        }
    }
}
