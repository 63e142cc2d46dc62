using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace Scm.Client.Internal;

/// <summary>
/// Signs every attempt (it sits inside the resilience handler): the login/password/customerUri headers, the
/// login/customerUri headers of client-certificate mode, or a bearer token. On a 401 with a cached bearer token the
/// token is dropped; a GET/HEAD is re-sent once with a fresh token, a POST/PUT/DELETE never.
/// </summary>
internal sealed class ScmAuthenticationHandler : DelegatingHandler
{
    internal const string LoginHeader = "login";
    internal const string PasswordHeader = "password";
    internal const string CustomerUriHeader = "customerUri";

    private readonly ScmCredentialStore _credentials;
    private readonly ScmOAuthTokenProvider? _tokens;
    private readonly ILogger _logger;

    public ScmAuthenticationHandler(ScmCredentialStore credentials, ScmOAuthTokenProvider? tokens, ILogger logger)
    {
        _credentials = credentials;
        _tokens = tokens;
        _logger = logger;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers;

        // A first attempt usually carries no headers at all; a retry carries the previous attempt's, which are replaced.
        var replace = headers.NonValidated.Count != 0;

        // Read per attempt: credentials updated while the client runs sign the next attempt.
        var credentials = _credentials.Current;
        switch (_credentials.Mode)
        {
            case ScmAuthenticationMode.Password:
                Set(headers, LoginHeader, credentials.Login, replace);
                Set(headers, PasswordHeader, credentials.Password, replace);
                Set(headers, CustomerUriHeader, credentials.CustomerUri, replace);
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

            case ScmAuthenticationMode.ClientCertificate:
                if (replace)
                {
                    headers.Remove(PasswordHeader);
                }

                Set(headers, LoginHeader, credentials.Login, replace);
                Set(headers, CustomerUriHeader, credentials.CustomerUri, replace);
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

            case ScmAuthenticationMode.OAuth2ClientCredentials:
                return await SendWithBearerAsync(request, cancellationToken).ConfigureAwait(false);

            default:
                throw new InvalidOperationException("Unknown authentication mode.");
        }
    }

    private async Task<HttpResponseMessage> SendWithBearerAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var tokens = _tokens ?? throw new InvalidOperationException("No OAuth2 token provider is registered.");
        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        Log.TokenRejected(_logger, request.Method.Method);
        tokens.Invalidate(token);
        var safe = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
        if (!safe || token.FreshlyFetched)
        {
            return response;
        }

        response.Dispose();
        var fresh = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.Value);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static void Set(HttpRequestHeaders headers, string name, string? value, bool replace)
    {
        if (replace)
        {
            headers.Remove(name);
        }

        if (value is not null)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
