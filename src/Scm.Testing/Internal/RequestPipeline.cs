using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Scm.Testing.Internal;

/// <summary>Every request: management routes, request log, counters, fault rules, authentication, then the SCM routes.</summary>
internal sealed partial class RequestPipeline
{
    public const string TokenPath = "/auth/realms/apiclients/protocol/openid-connect/token";
    public const string SslJson = "application/json;charset=UTF-8";
    public const string PlainJson = "application/json";
    private const int MaxBodyBytes = 16 * 1024 * 1024;
    private static readonly byte[] FillerChunk = BuildFiller();

    /// <summary>Fetches HTTP(S) DCV files from the addresses tests map (no redirects, 10-second timeout).</summary>
    private static readonly HttpClient DcvHttp = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private readonly SimulatorEngine _engine;
    private readonly AuthService _auth;
    private readonly FaultEngine _faults;
    private readonly ScmSimulatorCounters _counters;
    private readonly RequestLog _log;
    private readonly ScmSimulatorOptions _options;
    private readonly ManagementApi _management;
    private readonly string _managementPrefix;
    private readonly CancellationToken _shutdown;

    public RequestPipeline(
        SimulatorEngine engine,
        AuthService auth,
        FaultEngine faults,
        ScmSimulatorCounters counters,
        RequestLog log,
        ScmSimulatorOptions options,
        ManagementApi management,
        string managementPrefix,
        CancellationToken shutdown)
    {
        _engine = engine;
        _auth = auth;
        _faults = faults;
        _counters = counters;
        _log = log;
        _options = options;
        _management = management;
        _managementPrefix = managementPrefix;
        _shutdown = shutdown;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(_managementPrefix, StringComparison.Ordinal)
            && (path.Length == _managementPrefix.Length || path[_managementPrefix.Length] == '/'))
        {
            await _management.HandleAsync(context, path[_managementPrefix.Length..]).ConfigureAwait(false);
            return;
        }

        _counters.CountRequest();
        var arrived = _engine.Now;
        var method = context.Request.Method;
        string? apiPath = null;
        var privateApi = false;
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path == "/api")
        {
            apiPath = path.Length > 4 ? path[4..] : "/";
        }
        else if (path.StartsWith("/private/api/", StringComparison.Ordinal) || path == "/private/api")
        {
            apiPath = path.Length > 12 ? path[12..] : "/";
            privateApi = true;
        }

        var body = Array.Empty<byte>();
        var aborted = false;
        ScmFaultKind? applied = null;
        var logged = 0;
        void Log(int status)
        {
            if (Interlocked.Exchange(ref logged, 1) == 0)
            {
                _log.Add(new ScmSimulatorRequest(method, path, status, arrived, applied));
            }
        }

        // Logged before the headers leave, so a test reading the log after its response always finds the entry.
        context.Response.OnStarting(() =>
        {
            Log(context.Response.StatusCode);
            return Task.CompletedTask;
        });
        try
        {
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                body = await ReadBodyAsync(context).ConfigureAwait(false);
            }

            if (apiPath is not null && HttpMethods.IsPost(method))
            {
                CountPost(apiPath, body);
            }

            var (latency, rule) = _faults.Evaluate(method, apiPath ?? path, context.Request.QueryString.Value);
            if (latency > TimeSpan.Zero)
            {
                applied = ScmFaultKind.Latency;
                if (!await DelayAsync(latency, context).ConfigureAwait(false))
                {
                    aborted = true;
                    return;
                }
            }

            if (rule is null)
            {
                await DispatchAsync(context, path, apiPath, privateApi, body, null).ConfigureAwait(false);
                return;
            }

            applied = rule.Kind;
            aborted = await ApplyFaultAsync(context, rule, path, apiPath, privateApi, body).ConfigureAwait(false);
        }
        catch (ScmApiException e) when (!context.Response.HasStarted)
        {
            await WriteJsonAsync(context, e.HttpStatus, ScmJson.Error(e.Code, e.Description), SslJson).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || _shutdown.IsCancellationRequested)
        {
            aborted = true;
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            aborted = true;
        }
        finally
        {
            Log(aborted ? 0 : context.Response.StatusCode);
            _counters.EndRequest();
        }
    }

    private void CountPost(string apiPath, byte[] body)
    {
        var segments = apiPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 3 || segments[0] != "ssl" || segments[1] is not ("v1" or "v2"))
        {
            return;
        }

        if (segments.Length == 3 && segments[2] is "enroll" or "enroll-keygen")
        {
            _counters.CountEnrollPost(Encoding.UTF8.GetString(body));
        }
        else if (segments.Length == 4 && (segments[2] == "renewById" || (segments[2] == "renew" && segments[3] != "manual")))
        {
            _counters.CountRenewPost();
        }
    }

    private async Task<bool> ApplyFaultAsync(HttpContext context, ScmFaultRule rule, string path, string? apiPath, bool privateApi, byte[] body)
    {
        var response = context.Response;
        switch (rule.Kind)
        {
            case ScmFaultKind.ServerError:
                await WriteJsonAsync(context, rule.StatusCode, ScmJson.Error(-2, "Internal error, contact Support"), SslJson).ConfigureAwait(false);
                return false;
            case ScmFaultKind.TooManyRequests:
                var value = _faults.RetryAfterValue(rule, _engine.Now, out var present);
                if (present)
                {
                    response.Headers.RetryAfter = value;
                }

                await WriteJsonAsync(context, 429, ScmJson.Error(-1, "Too many requests, try again later"), SslJson).ConfigureAwait(false);
                return false;
            case ScmFaultKind.Stall:
                if (!await DelayAsync(rule.MinimumDelay, context).ConfigureAwait(false))
                {
                    return true;
                }

                await DispatchAsync(context, path, apiPath, privateApi, body, null).ConfigureAwait(false);
                return false;
            case ScmFaultKind.DropConnection:
                context.Abort();
                return true;
            case ScmFaultKind.HtmlErrorPage:
                var html = Encoding.UTF8.GetBytes(
                    $"<!DOCTYPE html>\n<html><head><title>{rule.StatusCode} Bad Gateway</title></head><body><h1>{rule.StatusCode} Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p></body></html>\n");
                await WriteJsonAsync(context, rule.StatusCode, html, "text/html; charset=utf-8").ConfigureAwait(false);
                return false;
            case ScmFaultKind.EmptyOk:
                response.StatusCode = 200;
                response.ContentType = SslJson;
                response.ContentLength = 0;
                return false;
            case ScmFaultKind.ScmError:
                await WriteJsonAsync(context, rule.StatusCode, ScmJson.Error(rule.ErrorCode, rule.ErrorDescription ?? string.Empty, rule.ErrorDetails, rule.ErrorItems), SslJson).ConfigureAwait(false);
                return false;
            case ScmFaultKind.ReportFailure:
                await WriteJsonAsync(context, 200, ScmJson.Build(rule, static (w, r) =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("statusCode", r.ErrorCode);
                    w.WriteString("message", r.ErrorDescription);
                    w.WriteStartArray("reports");
                    w.WriteEndArray();
                    w.WriteEndObject();
                }), SslJson).ConfigureAwait(false);
                return false;
            case ScmFaultKind.NotReady:
                var notReady = SimulatorEngine.NotReadyError(rule.NotReadyStyle);
                await WriteJsonAsync(context, notReady.HttpStatus, ScmJson.Error(notReady.Code, notReady.Description), SslJson).ConfigureAwait(false);
                return false;
            case ScmFaultKind.OversizedBody:
                await StreamFillerAsync(context, rule.BodyBytes).ConfigureAwait(false);
                return context.RequestAborted.IsCancellationRequested;
            case ScmFaultKind.EndlessBody:
                await StreamFillerAsync(context, null).ConfigureAwait(false);
                return true;
            case ScmFaultKind.CertificateForAnotherKey or ScmFaultKind.ExpiredCertificate or ScmFaultKind.ChainInOddOrder:
                await DispatchAsync(context, path, apiPath, privateApi, body, rule.Kind).ConfigureAwait(false);
                return false;
            default:
                return await ApplyBufferedFaultAsync(context, rule, path, apiPath, privateApi, body).ConfigureAwait(false);
        }
    }

    /// <summary>Faults that first process the request for real, then change or withhold the answer.</summary>
    private async Task<bool> ApplyBufferedFaultAsync(HttpContext context, ScmFaultRule rule, string path, string? apiPath, bool privateApi, byte[] body)
    {
        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await DispatchAsync(context, path, apiPath, privateApi, body, null).ConfigureAwait(false);
        }
        finally
        {
            response.Body = original;
        }

        var real = buffer.ToArray();
        var status = response.StatusCode;
        var contentType = response.ContentType ?? SslJson;
        switch (rule.Kind)
        {
            case ScmFaultKind.TruncatedJson:
                await WriteJsonAsync(context, status, real.AsSpan(0, real.Length / 2).ToArray(), contentType).ConfigureAwait(false);
                return false;
            case ScmFaultKind.MalformedJson:
                byte[] broken = real.Length > 1 ? [.. real.AsSpan(0, real.Length - 1), .. ",\"\":,"u8] : "{\"code\":"u8.ToArray();
                await WriteJsonAsync(context, status, broken, contentType).ConfigureAwait(false);
                return false;
            case ScmFaultKind.WrongJsonTypes:
                await WriteJsonAsync(context, status, NumbersToStrings(real), contentType).ConfigureAwait(false);
                return false;
            case ScmFaultKind.CommitThenFail:
                switch (rule.CommitFailure)
                {
                    case ScmCommitFailure.DropConnection:
                        context.Abort();
                        return true;
                    case ScmCommitFailure.Stall:
                        if (!await DelayAsync(rule.MinimumDelay, context).ConfigureAwait(false))
                        {
                            return true;
                        }

                        await WriteJsonAsync(context, status, real, contentType).ConfigureAwait(false);
                        return false;
                    default:
                        response.Headers.Remove("Location");
                        await WriteJsonAsync(context, 500, ScmJson.Error(-2, "Internal error, contact Support"), SslJson).ConfigureAwait(false);
                        return false;
                }

            default:
                await WriteJsonAsync(context, status, real, contentType).ConfigureAwait(false);
                return false;
        }
    }

    private static byte[] NumbersToStrings(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return ScmJson.Build(doc.RootElement, static (w, root) => Rewrite(w, root));
        }
        catch (JsonException)
        {
            return json;
        }

        static void Rewrite(Utf8JsonWriter w, JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    w.WriteStartObject();
                    foreach (var p in e.EnumerateObject())
                    {
                        w.WritePropertyName(p.Name);
                        Rewrite(w, p.Value);
                    }

                    w.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    w.WriteStartArray();
                    foreach (var item in e.EnumerateArray())
                    {
                        Rewrite(w, item);
                    }

                    w.WriteEndArray();
                    break;
                case JsonValueKind.Number:
                    w.WriteStringValue(e.GetRawText());
                    break;
                default:
                    e.WriteTo(w);
                    break;
            }
        }
    }

    private async Task StreamFillerAsync(HttpContext context, long? length)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = SslJson;
        if (length is { } total)
        {
            response.ContentLength = total;
        }

        const long EndlessCap = 4L * 1024 * 1024 * 1024;
        var remaining = length ?? EndlessCap;
        var first = true;
        while (remaining > 0 && !context.RequestAborted.IsCancellationRequested && !_shutdown.IsCancellationRequested)
        {
            var chunk = (int)Math.Min(remaining, FillerChunk.Length);
            var data = FillerChunk.AsMemory(0, chunk);
            if (first)
            {
                data.Span[0] = (byte)'[';
                first = false;
            }

            await response.Body.WriteAsync(data, context.RequestAborted).ConfigureAwait(false);
            remaining -= chunk;
        }
    }

    private static byte[] BuildFiller()
    {
        var row = "{\"sslId\":1,\"commonName\":\"oversized.example\"},"u8;
        var chunk = new byte[64 * 1024];
        for (var i = 0; i < chunk.Length; i++)
        {
            chunk[i] = row[i % row.Length];
        }

        return chunk;
    }

    /// <summary>Waits on the wall clock; false when the client went away (or the simulator stopped) meanwhile.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown);
        try
        {
            await Task.Delay(delay, TimeProvider.System, linked.Token).ConfigureAwait(false);
            return !context.RequestAborted.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw new ScmApiException(413, -1, "Request body too large");
            }
        }

        return buffer.ToArray();
    }

    internal static async Task WriteJsonAsync(HttpContext context, int status, byte[] body, string contentType)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
