using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Scm.Client.Internal;

/// <summary>What a response handler gets: the operation, the final URI and the response.</summary>
internal readonly record struct ScmResponse(ScmTransport Transport, ScmOperation Operation, Uri Uri, HttpResponseMessage Message)
{
    public int Status => (int)Message.StatusCode;
}

/// <summary>
/// Sends every SCM request: one place for timeouts (via TimeProvider), error mapping, size caps, logging, metrics and
/// traces. Retries and authentication live in the handler pipeline below it, never here.
/// </summary>
internal sealed class ScmTransport
{
    internal const int MaxErrorBodyBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly ScmClientOptions _options;
    private readonly ScmCredentialStore _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScmTelemetry _telemetry;
    private readonly ScmCircuitState? _circuit;
    private readonly string _base;

    public ScmTransport(HttpClient http, ScmClientOptions options, ScmCredentialStore credentials, TimeProvider time, ILogger logger, ScmTelemetry telemetry, ScmCircuitState? circuit = null)
    {
        _circuit = circuit;
        _http = http;
        _options = options;
        _credentials = credentials;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        var b = options.EffectiveBaseAddress.AbsoluteUri;
        _base = b.EndsWith('/') ? b : b + "/";
    }

    public ScmClientOptions Options => _options;

    public TimeProvider TimeProvider => _time;

    public ILogger Logger => _logger;

    public ScmTelemetry Telemetry => _telemetry;

    public string SslVersion => _options.SslApiVersion;

    /// <summary>Sends one request and hands the response to <paramref name="handler"/> (a static lambda, so nothing is captured).</summary>
    public async Task<T> SendAsync<TState, T>(
        ScmOperation op,
        string relativeUri,
        HttpContent? content,
        TState state,
        Func<ScmResponse, TState, CancellationToken, ValueTask<T>> handler,
        CancellationToken cancellationToken)
    {
        var uri = new Uri(_base + relativeUri, UriKind.Absolute);
        var timeout = op.IsSafe ? _options.TotalRequestTimeout : _options.PostTimeout;
        using var timeoutCts = new CancellationTokenSource(timeout, _time);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token) : null;
        var token = linked?.Token ?? timeoutCts.Token;

        using var activity = ScmTelemetry.ActivitySource.StartActivity(op.Name, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("http.request.method", op.Method.Method);
            activity.SetTag("url.template", op.Template);
            activity.SetTag("server.address", uri.Host);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.RequestStarting(_logger, op.Name, op.Method.Method, op.Template);
        }

        var start = _time.GetTimestamp();
        var status = 0;
        var outcome = "error";
        var sentBox = new ScmSendMark();
        try
        {
            using var request = new HttpRequestMessage(op.Method, uri);
            request.Options.Set(ScmHttpHandlerFactory.Sent, sentBox);
            request.Content = content;
            request.Options.Set(ScmHttpHandlerFactory.TimedByTransport, ScmHttpHandlerFactory.TimedByTransportMarker);
            request.Options.Set(ScmHttpHandlerFactory.TransportTimeout, timeoutCts.Token);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            var result = await handler(new ScmResponse(this, op, uri, response), state, token).ConfigureAwait(false);
            outcome = "success";
            return result;
        }
        catch (ScmRequestException ex)
        {
            outcome = ex switch
            {
                ScmProtocolException => "protocol_error",
                ScmRateLimitedException => "rate_limited",
                _ => "error",
            };
            LogFailure(op, ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "canceled";
            throw;
        }
        catch (ScmHeldBackException held)
        {
            // Never sent: SCM's Retry-After still holds this client's requests for longer than an attempt may wait.
            outcome = "rate_limited";
            var wait = held.Remaining > _options.MaxRetryAfter ? _options.MaxRetryAfter : held.Remaining;
            Log.RateLimited(_logger, op.Name, wait);
            activity?.SetStatus(ActivityStatusCode.Error, nameof(ScmRateLimitedException));
            throw new ScmRateLimitedException(wait, null, "Not sent: SCM asked this client to wait (Retry-After) and that wait has not passed", op.Method, uri.AbsolutePath);
        }
        catch (Exception ex) when (MapTransport(ex, timeoutCts) is { } failure)
        {
            outcome = failure is ScmTransportFailure.Timeout or ScmTransportFailure.QueuedTooLong ? "timeout" : "transport_error";
            if (failure == ScmTransportFailure.Timeout && !sentBox.Sent)
            {
                failure = ScmTransportFailure.QueuedTooLong;
            }

            Log.TransportFailed(_logger, op.Name, op.Method.Method, failure);
            activity?.SetStatus(ActivityStatusCode.Error, failure.ToString());
            TimeSpan? retryAfter = failure == ScmTransportFailure.CircuitOpen ? _circuit?.RetryAfter(_time.GetUtcNow()) : null;
            throw new ScmTransportException(failure, op.Method, uri.AbsolutePath, ex, retryAfter);
        }
        finally
        {
            var elapsed = _time.GetElapsedTime(start);
            activity?.SetTag("http.response.status_code", status);
            _telemetry.Record(op, status, outcome, elapsed);
            if (_logger.IsEnabled(LogLevel.Debug) && status != 0)
            {
                Log.RequestCompleted(_logger, op.Name, op.Method.Method, status, elapsed.TotalMilliseconds);
            }
        }
    }

    private static ScmTransportFailure? MapTransport(Exception ex, CancellationTokenSource timeoutCts) => ex switch
    {
        TimeoutRejectedException => ScmTransportFailure.Timeout,
        OperationCanceledException when timeoutCts.IsCancellationRequested => ScmTransportFailure.Timeout,
        BrokenCircuitException => ScmTransportFailure.CircuitOpen,
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => ScmTransportFailure.SecureConnectionFailed,
        HttpRequestException h when h.InnerException is System.Security.Authentication.AuthenticationException => ScmTransportFailure.SecureConnectionFailed,
        HttpRequestException => ScmTransportFailure.ConnectionFailed,
        IOException when timeoutCts.IsCancellationRequested => ScmTransportFailure.Timeout,
        IOException and not ResponseTooLargeException => ScmTransportFailure.ConnectionFailed,
        _ => null,
    };

    private void LogFailure(ScmOperation op, ScmRequestException ex)
    {
        switch (ex)
        {
            case ScmProtocolException:
                Log.ProtocolError(_logger, op.Name, op.Method.Method, ex.Status, ex.Description ?? string.Empty);
                break;
            case ScmRateLimitedException r:
                Log.RateLimited(_logger, op.Name, r.RetryAfter);
                break;
            case ScmTransportException:
                break;
            default:
                Log.RequestFailed(_logger, op.Name, op.Method.Method, ex.Status, ex.ScmErrorCode);
                break;
        }
    }

    // ---------------------------------------------------------------- typed helpers

    public Task<T> GetJsonAsync<T>(ScmOperation op, string relativeUri, JsonTypeInfo<T> info, CancellationToken ct) =>
        SendAsync(op, relativeUri, null, info, static (r, i, t) => r.EnsureSuccessThenReadAsync(i, t), ct);

    public Task<TResponse> SendJsonAsync<TRequest, TResponse>(ScmOperation op, string relativeUri, TRequest body, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, CancellationToken ct) =>
        SendAsync(op, relativeUri, JsonBody(body, requestInfo), responseInfo, static (r, i, t) => r.EnsureSuccessThenReadAsync(i, t), ct);

    public Task SendNoContentAsync<TRequest>(ScmOperation op, string relativeUri, TRequest body, JsonTypeInfo<TRequest>? requestInfo, CancellationToken ct) =>
        SendAsync(op, relativeUri, requestInfo is null ? null : JsonBody(body, requestInfo), 0, static async (r, _, t) =>
        {
            await r.EnsureSuccessAsync(t).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>Sends a create and returns the id parsed from the last segment of the <c>Location</c> header.</summary>
    public Task<long> SendCreatedAsync<TRequest>(ScmOperation op, string relativeUri, TRequest body, JsonTypeInfo<TRequest> requestInfo, CancellationToken ct) =>
        SendAsync(op, relativeUri, JsonBody(body, requestInfo), 0, static async (r, _, t) =>
        {
            await r.EnsureSuccessAsync(t).ConfigureAwait(false);
            var location = r.Message.Headers.Location;
            if (location is null)
            {
                throw r.Protocol("the response has no Location header");
            }

            var text = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;
            var q = text.IndexOfAny(['?', '#']);
            if (q >= 0)
            {
                text = text[..q];
            }

            var last = text.TrimEnd('/');
            last = last[(last.LastIndexOf('/') + 1)..];
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                throw r.Protocol("the Location header does not end with a numeric id");
            }

            return id;
        }, ct);

    public static HttpContent JsonBody<T>(T body, JsonTypeInfo<T> info)
    {
        var content = new ByteArrayContent(Serialize(body, info));
        content.Headers.ContentType = JsonContentType;
        return content;
    }

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // '+', '&', '\'' and non-ASCII text go out as themselves rather than \uXXXX escapes: SCM's parser is reported not to be
        // fully RFC 7159 compliant, so the fewer escapes the better. Control characters and quotes are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    /// <summary>Serializes through the source-generated fast path into a per-thread reusable buffer; returns a right-sized copy.</summary>
    internal static byte[] Serialize<T>(T body, JsonTypeInfo<T> info)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        try
        {
            JsonSerializer.Serialize(writer, body, info);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > 64 * 1024)
            {
                _threadBuffer = null;
                _threadWriter = null;
            }
        }
    }

    internal static MediaTypeHeaderValue JsonContentType => new("application/json") { CharSet = "utf-8" };

    // ---------------------------------------------------------------- error mapping

    internal async ValueTask<ScmRequestException> CreateErrorAsync(ScmResponse r, CancellationToken ct)
    {
        var body = await ScmErrorBody.ReadAsync(r.Message, ct).ConfigureAwait(false);
        var code = body.Code;
        var status = r.Status;
        var description = Sanitize(body.Description) ?? DescribeStatus(r.Message);
        var path = r.Uri.AbsolutePath;
        if (status == 429)
        {
            return new ScmRateLimitedException(ParseRetryAfter(r.Message.Headers.RetryAfter), code, description, r.Operation.Method, path);
        }

        if (status is >= 300 and < 400)
        {
            description = "SCM answered with a redirect, which is not followed (credentials are never sent to another location)";
        }

        return new ScmRequestException(status, code, description, Sanitize(body.Details), SanitizeAll(body.Items), r.Operation.Method, path);
    }

    internal static async ValueTask<(int? Code, string? Description)> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await ScmErrorBody.ReadAsync(response, ct).ConfigureAwait(false);
        return (body.Code, body.Description);
    }

    /// <summary>Sanitizes each of SCM's error <c>items</c>, dropping blank ones.</summary>
    internal IReadOnlyList<string> SanitizeAll(IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var result = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (Sanitize(item) is { } clean)
            {
                result.Add(clean);
            }
        }

        return result;
    }

    /// <summary>Reads a whole (small) body, or null when it is larger than <paramref name="limit"/>.</summary>
    internal static async ValueTask<byte[]?> TryReadBytesAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        try
        {
            return await ReadBytesAsync(response.Content, limit, ct).ConfigureAwait(false);
        }
        catch (ResponseTooLargeException)
        {
            return null;
        }
    }

    internal static async ValueTask<byte[]> ReadBytesAsync(HttpContent content, long limit, CancellationToken ct)
    {
        if (content.Headers.ContentLength is long declared && declared > limit)
        {
            throw new ResponseTooLargeException(limit);
        }

        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream(content.Headers.ContentLength is long n ? (int)n : 4096);
            var chunk = new byte[8192];
            long total = 0;
            while (true)
            {
                var read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit + 1 - total)), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > limit)
                {
                    throw new ResponseTooLargeException(limit);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    internal TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header)
    {
        if (header is null)
        {
            return null;
        }

        TimeSpan value;
        if (header.Delta is { } delta)
        {
            value = delta;
        }
        else if (header.Date is { } date)
        {
            value = date - _time.GetUtcNow();
        }
        else
        {
            return null;
        }

        if (value < TimeSpan.Zero)
        {
            return null;
        }

        return value > _options.MaxRetryAfter ? _options.MaxRetryAfter : value;
    }

    internal string? Sanitize(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return null;
        }

        // Every password and client secret the client has held, current and replaced, redacted before anything is cut,
        // so no part of one survives the length limit.
        description = _credentials.Redact(description);
        var sb = new StringBuilder(Math.Min(description.Length, 512));
        foreach (var c in description)
        {
            if (sb.Length >= 512)
            {
                break;
            }

            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        return sb.ToString().Trim();
    }

    private static string DescribeStatus(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var name = Enum.IsDefined(response.StatusCode) ? response.StatusCode.ToString() : "HTTP " + status.ToString(CultureInfo.InvariantCulture);
        return name + " (the response had no SCM error body)";
    }
}

internal static class ScmResponseExtensions
{
    public static async ValueTask EnsureSuccessAsync(this ScmResponse r, CancellationToken ct)
    {
        if (r.Message.IsSuccessStatusCode)
        {
            return;
        }

        throw await r.Transport.CreateErrorAsync(r, ct).ConfigureAwait(false);
    }

    public static async ValueTask<T> EnsureSuccessThenReadAsync<T>(this ScmResponse r, JsonTypeInfo<T> info, CancellationToken ct)
    {
        if (!r.Message.IsSuccessStatusCode)
        {
            throw await r.Transport.CreateErrorAsync(r, ct).ConfigureAwait(false);
        }

        return await r.ReadJsonAsync(info, ct).ConfigureAwait(false);
    }

    public static async ValueTask<T> ReadJsonAsync<T>(this ScmResponse r, JsonTypeInfo<T> info, CancellationToken ct)
    {
        var limit = r.Transport.Options.MaxJsonResponseBytes;
        var content = r.Message.Content;
        var declared = content.Headers.ContentLength;
        if (declared > limit)
        {
            throw r.Protocol("the body exceeds the " + limit.ToString(CultureInfo.InvariantCulture) + "-byte limit");
        }

        if (declared == 0)
        {
            throw r.Protocol("the body is empty where JSON was expected");
        }

        try
        {
            if (declared <= BufferedJsonBytes)
            {
                return await ReadSmallJsonAsync(r, content, (int)declared.Value, limit, info, ct).ConfigureAwait(false);
            }

            var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);

            // With a declared length the handler enforces the framing; otherwise count as we read.
            var source = declared is null ? new LimitedReadStream(stream, limit) : stream;
            await using (source.ConfigureAwait(false))
            {
                var value = await JsonSerializer.DeserializeAsync(source, info, ct).ConfigureAwait(false);
                return value ?? throw r.Protocol("the body is JSON null where a value was expected");
            }
        }
        catch (JsonException ex)
        {
            throw r.Protocol(DescribeJsonError(ex), ex);
        }
        catch (ResponseTooLargeException ex)
        {
            throw r.Protocol("the body exceeds the " + limit.ToString(CultureInfo.InvariantCulture) + "-byte limit", ex);
        }
    }

    /// <summary>Bodies that declare at most this many bytes are read whole into a pooled buffer, then parsed in one synchronous pass.</summary>
    internal const int BufferedJsonBytes = 256 * 1024;

    // A small body with a declared length: reading it whole (still bounded by the limit) lets System.Text.Json parse it on
    // its synchronous path, which is measurably cheaper than the resumable streaming one. Larger or undeclared bodies stream.
    private static async ValueTask<T> ReadSmallJsonAsync<T>(ScmResponse r, HttpContent content, int declared, long limit, JsonTypeInfo<T> info, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(declared);
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        // More than declared (only a misbehaving handler does that): keep reading, still within the limit.
                        if (length > limit)
                        {
                            throw new ResponseTooLargeException(limit);
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
                        buffer = bigger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }
            }

            if (length > limit)
            {
                throw new ResponseTooLargeException(limit);
            }

            // The streaming reader skips a UTF-8 byte order mark; so does this one.
            var json = buffer.AsSpan(0, length);
            if (json.StartsWith("\uFEFF"u8))
            {
                json = json[3..];
            }

            var value = JsonSerializer.Deserialize(json, info);
            return value ?? throw r.Protocol("the body is JSON null where a value was expected");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    public static ScmProtocolException Protocol(this ScmResponse r, string problem, Exception? inner = null) =>
        new(r.Status, problem, r.Operation.Method, r.Uri.AbsolutePath, inner);

    internal static string DescribeJsonError(JsonException ex)
    {
        var where = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
        var line = ex.LineNumber is long l ? l.ToString(CultureInfo.InvariantCulture) : "?";
        var pos = ex.BytePositionInLine is long b ? b.ToString(CultureInfo.InvariantCulture) : "?";
        return "malformed, truncated or unexpected JSON at " + where + " (line " + line + ", byte " + pos + ")";
    }
}
