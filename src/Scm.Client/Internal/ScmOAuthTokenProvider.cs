using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Scm.Client.Internal;

/// <summary>A bearer token and when to stop using it.</summary>
internal sealed class ScmAccessToken(string value, DateTimeOffset refreshAt, bool freshlyFetched, ScmCredentials? source = null)
{
    public string Value { get; } = value;

    /// <summary>The client credentials it was fetched with; a token from replaced credentials is not used again.</summary>
    public ScmCredentials? Source { get; } = source;

    public DateTimeOffset RefreshAt { get; } = refreshAt;

    /// <summary>True for the caller that fetched it (a 401 on a brand-new token is not retried).</summary>
    public bool FreshlyFetched { get; } = freshlyFetched;

    public ScmAccessToken AsCached() => new(Value, RefreshAt, false, Source);

    public override string ToString() => "ScmAccessToken { Value = ***, RefreshAt = " + RefreshAt.ToString("O", CultureInfo.InvariantCulture) + " }";
}

/// <summary>
/// OAuth2 client credentials: one cached token, refreshed <c>expires_in - 60 s</c> after it was obtained (half the
/// lifetime for very short tokens, 300 s when <c>expires_in</c> is absent), fetched single-flight.
/// </summary>
internal sealed class ScmOAuthTokenProvider : IDisposable
{
    internal const string HttpClientName = "Scm.Client.Token";
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(300);

    private readonly IHttpClientFactory _factory;
    private readonly ScmClientOptions _options;
    private readonly ScmCredentialStore _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScmTelemetry _telemetry;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ScmAccessToken? _current;

    public ScmOAuthTokenProvider(IHttpClientFactory factory, ScmClientOptions options, ScmCredentialStore credentials, TimeProvider time, ILogger logger, ScmTelemetry telemetry)
    {
        _factory = factory;
        _options = options;
        _credentials = credentials;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    public async ValueTask<ScmAccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (Usable(current))
        {
            return current!;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = Volatile.Read(ref _current);
            if (Usable(current))
            {
                return current!;
            }

            var fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, fresh.AsCached());
            return fresh;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Usable(ScmAccessToken? token) =>
        token is not null && _time.GetUtcNow() < token.RefreshAt && ReferenceEquals(token.Source, _credentials.Current);

    public void Invalidate(ScmAccessToken token)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.Value == token.Value)
        {
            Interlocked.CompareExchange(ref _current, null, current);
        }
    }

    private async Task<ScmAccessToken> FetchAsync(CancellationToken cancellationToken)
    {
        var endpoint = _options.TokenEndpoint;
        var credentials = _credentials.Current;
        var http = _factory.CreateClient(HttpClientName);
        using var timeout = new CancellationTokenSource(_options.TotalRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"),
                new("client_id", credentials.ClientId ?? string.Empty),
                new("client_secret", credentials.ClientSecret ?? string.Empty),
            ]),
        };

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            _telemetry.TokenRequests.Add(1, new KeyValuePair<string, object?>("scm.outcome", "transport_error"));
            var failure = ex switch
            {
                HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => ScmTransportFailure.SecureConnectionFailed,
                HttpRequestException => ScmTransportFailure.ConnectionFailed,
                Polly.CircuitBreaker.BrokenCircuitException => ScmTransportFailure.CircuitOpen,
                _ => ScmTransportFailure.Timeout,
            };
            throw new ScmTransportException(failure, HttpMethod.Post, endpoint.AbsolutePath, ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var (code, description) = await ScmTransport.ReadErrorBodyAsync(response, linked.Token).ConfigureAwait(false);
                _telemetry.TokenRequests.Add(1, new KeyValuePair<string, object?>("scm.outcome", "error"));
                // Redacted (every client secret this client has held, the one just sent included) before it is cut or logged.
                var safe = description is null ? null : Truncate(_credentials.Redact(description));
                Log.TokenRequestFailed(_logger, status, safe);
                var text = safe is null ? "The token endpoint refused the client credentials" : "Token endpoint: " + safe;

                throw new ScmRequestException(status, code, text, HttpMethod.Post, endpoint.AbsolutePath);
            }

            Wire.TokenResponseWire? body;
            try
            {
                var bytes = await ScmTransport.ReadBytesAsync(response.Content, _options.MaxJsonResponseBytes, linked.Token).ConfigureAwait(false);
                body = JsonSerializer.Deserialize(bytes, ScmJsonContext.Default.TokenResponseWire);
            }
            catch (JsonException ex)
            {
                throw new ScmProtocolException(status, "the token response is not valid JSON", HttpMethod.Post, endpoint.AbsolutePath, ex);
            }
            catch (ResponseTooLargeException ex)
            {
                throw new ScmProtocolException(status, "the token response exceeds the size limit", HttpMethod.Post, endpoint.AbsolutePath, ex);
            }

            if (string.IsNullOrEmpty(body?.AccessToken))
            {
                throw new ScmProtocolException(status, "the token response has no access_token", HttpMethod.Post, endpoint.AbsolutePath);
            }

            var lifetime = body.ExpiresIn is > 0 ? TimeSpan.FromSeconds(body.ExpiresIn.Value) : DefaultLifetime;
            var useFor = lifetime > RefreshMargin * 2 ? lifetime - RefreshMargin : lifetime / 2;
            _telemetry.TokenRequests.Add(1, new KeyValuePair<string, object?>("scm.outcome", "success"));
            Log.TokenAcquired(_logger, (long)lifetime.TotalSeconds, (long)useFor.TotalSeconds);
            return new ScmAccessToken(body.AccessToken, _time.GetUtcNow() + useFor, true, credentials);
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200];

    public void Dispose() => _gate.Dispose();
}
