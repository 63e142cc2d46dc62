using System.Globalization;
using System.Text;

namespace Scm.Client;

/// <summary>An SCM request failed: SCM answered with an error, or (see <see cref="ScmTransportException"/>) no answer was received.</summary>
/// <remarks>
/// Carries the HTTP status, SCM's error code and description, and the method and path of the request. The message
/// and properties never contain the query string, a request or response body, a header value or a secret.
/// </remarks>
public class ScmRequestException : Exception
{
    /// <summary>Creates an exception describing a failed SCM request.</summary>
    /// <param name="status">The HTTP status code, or 0 when no response was received.</param>
    /// <param name="scmErrorCode">SCM's error code from the body, when there was one.</param>
    /// <param name="description">SCM's error description (or a description of the status when the body had none).</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, without query string.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public ScmRequestException(int status, int? scmErrorCode, string? description, HttpMethod method, string path, Exception? innerException = null)
        : this(null, status, scmErrorCode, description, method, path, innerException)
    {
    }

    /// <summary>Creates an exception describing a failed SCM request whose error body carried field-level reasons.</summary>
    /// <param name="status">The HTTP status code, or 0 when no response was received.</param>
    /// <param name="scmErrorCode">SCM's error code from the body, when there was one.</param>
    /// <param name="description">SCM's error description (or a description of the status when the body had none).</param>
    /// <param name="details">SCM's <c>details</c>, when the body had them.</param>
    /// <param name="items">SCM's <c>items</c> (for example the fields that were refused, and why); empty when none.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, without query string.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public ScmRequestException(int status, int? scmErrorCode, string? description, string? details, IReadOnlyList<string>? items, HttpMethod method, string path, Exception? innerException = null)
        : this(null, status, scmErrorCode, description, details, items, method, path, innerException)
    {
    }

    /// <summary>Creates an exception with a specific message.</summary>
    /// <param name="message">The message; when null one is composed from the other arguments.</param>
    /// <param name="status">The HTTP status code, or 0 when no response was received.</param>
    /// <param name="scmErrorCode">SCM's error code from the body, when there was one.</param>
    /// <param name="description">SCM's error description.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, without query string.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    protected ScmRequestException(string? message, int status, int? scmErrorCode, string? description, HttpMethod method, string path, Exception? innerException)
        : this(message, status, scmErrorCode, description, null, null, method, path, innerException)
    {
    }

    /// <summary>Creates an exception with a specific message and SCM's field-level reasons.</summary>
    /// <param name="message">The message; when null one is composed from the other arguments.</param>
    /// <param name="status">The HTTP status code, or 0 when no response was received.</param>
    /// <param name="scmErrorCode">SCM's error code from the body, when there was one.</param>
    /// <param name="description">SCM's error description.</param>
    /// <param name="details">SCM's <c>details</c>, when present.</param>
    /// <param name="items">SCM's <c>items</c>; null or empty when none.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, without query string.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    protected ScmRequestException(string? message, int status, int? scmErrorCode, string? description, string? details, IReadOnlyList<string>? items, HttpMethod method, string path, Exception? innerException)
        : base(message ?? Compose(status, scmErrorCode, description, details, items, method, path), innerException)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        Status = status;
        ScmErrorCode = scmErrorCode;
        Description = description;
        Details = details;
        Items = items is null || items.Count == 0 ? [] : [.. items];
        Method = method;
        Path = StripQuery(path);
    }

    /// <summary>The HTTP status code of the response, or 0 when no response was received.</summary>
    public int Status { get; }

    /// <summary>SCM's error code (0 or negative; see <see cref="ScmErrorCodes"/>), when the body carried one.</summary>
    public int? ScmErrorCode { get; }

    /// <summary>SCM's error description, or a description of the HTTP status when the body had none.</summary>
    public string? Description { get; }

    /// <summary>SCM's <c>details</c> of the error (Admin API error bodies), when the body carried them.</summary>
    public string? Details { get; }

    /// <summary>SCM's <c>items</c> of the error: field-level reasons such as which field was refused and why; empty when none.</summary>
    public IReadOnlyList<string> Items { get; }

    /// <summary>The HTTP method of the failed request.</summary>
    public HttpMethod Method { get; }

    /// <summary>The path of the failed request, without query string (e.g. <c>/api/ssl/v1/collect/42</c>).</summary>
    public string Path { get; }

    internal static string Compose(int status, int? code, string? description, string? details, IReadOnlyList<string>? items, HttpMethod method, string path)
    {
        var sb = new StringBuilder("SCM request ");
        sb.Append(method.Method).Append(' ').Append(StripQuery(path)).Append(" failed");
        if (status != 0)
        {
            sb.Append(": HTTP ").Append(status.ToString(CultureInfo.InvariantCulture));
        }

        if (code is not null)
        {
            sb.Append(", SCM code ").Append(code.Value.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(description))
        {
            sb.Append(": ").Append(description);
        }

        if (Internal.ScmErrorText.Describe(details, items ?? []) is { } reasons)
        {
            sb.Append(" (").Append(reasons).Append(')');
        }

        return sb.Append('.').ToString();
    }

    private static string StripQuery(string path)
    {
        var q = path.IndexOfAny(['?', '#']);
        return q < 0 ? path : path[..q];
    }
}

/// <summary>SCM (or a proxy in front of it) answered 429 Too Many Requests.</summary>
public sealed class ScmRateLimitedException : ScmRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="retryAfter">The parsed and clamped <c>Retry-After</c>, or null when absent or invalid.</param>
    /// <param name="scmErrorCode">SCM's error code, if the body had one.</param>
    /// <param name="description">The description.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, without query string.</param>
    public ScmRateLimitedException(TimeSpan? retryAfter, int? scmErrorCode, string? description, HttpMethod method, string path)
        : base(null, 429, scmErrorCode, description, method, path, null)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long to wait before trying again, from <c>Retry-After</c> (seconds or HTTP date, clamped to <see cref="ScmClientOptions.MaxRetryAfter"/>); null when absent, negative or unparsable.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>SCM's answer could not be understood: malformed or truncated JSON, wrong types, a missing required field, or a body over the size cap.</summary>
/// <remarks>For a POST this means the server probably acted (e.g. a 200 enroll without an sslId): treat the outcome as unknown.</remarks>
public sealed class ScmProtocolException : ScmRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The HTTP status of the response.</param>
    /// <param name="problem">What was wrong, without any of the body.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, without query string.</param>
    /// <param name="innerException">The underlying parser exception, if any.</param>
    public ScmProtocolException(int status, string problem, HttpMethod method, string path, Exception? innerException = null)
        : base(ComposeProtocol(status, problem, method, path), status, null, problem, method, path, innerException)
    {
    }

    private static string ComposeProtocol(int status, string problem, HttpMethod method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var q = path.IndexOf('?', StringComparison.Ordinal);
        var p = q < 0 ? path : path[..q];
        return "SCM request " + method.Method + " " + p + " returned an unusable response (HTTP "
            + status.ToString(CultureInfo.InvariantCulture) + "): " + problem;
    }
}

/// <summary>Why no response was received.</summary>
public enum ScmTransportFailure
{
    /// <summary>An attempt or the whole request timed out. For a POST the server may have acted.</summary>
    Timeout = 0,

    /// <summary>The connection failed (DNS, refused, reset, ended early). For a POST the server may have acted if the request was sent.</summary>
    ConnectionFailed = 1,

    /// <summary>The TLS handshake failed (untrusted, expired or wrong-host server certificate, or client certificate refused). Not retried.</summary>
    SecureConnectionFailed = 2,

    /// <summary>The circuit breaker is open after repeated failures; the request was not sent.</summary>
    CircuitOpen = 3,

    /// <summary>
    /// The request timed out while it waited for its turn in the client (<see cref="ScmClientOptions.MaxConcurrentRequests"/>,
    /// <see cref="ScmClientOptions.MaxRequestsPerSecond"/>, or SCM's <c>Retry-After</c>); it was never sent.
    /// </summary>
    QueuedTooLong = 4,
}

/// <summary>No usable response was received from SCM (timeout, connection or TLS failure, open circuit).</summary>
public sealed class ScmTransportException : ScmRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What went wrong.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, without query string.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    /// <param name="retryAfter">For <see cref="ScmTransportFailure.CircuitOpen"/>: how long until the circuit lets a call through again, when known.</param>
    public ScmTransportException(ScmTransportFailure failure, HttpMethod method, string path, Exception? innerException = null, TimeSpan? retryAfter = null)
        : base(ComposeTransport(failure, method, path), 0, null, Describe(failure), method, path, innerException)
    {
        Failure = failure;
        RetryAfter = retryAfter;
    }

    /// <summary>What went wrong.</summary>
    public ScmTransportFailure Failure { get; }

    /// <summary>Whether the request certainly never reached SCM (the circuit was open, or it timed out before its turn came).</summary>
    public bool RequestNotSent => Failure is ScmTransportFailure.CircuitOpen or ScmTransportFailure.QueuedTooLong;

    /// <summary>
    /// For <see cref="ScmTransportFailure.CircuitOpen"/>: how long until the circuit lets a call through again (the rest of
    /// its break; a short wait while a probe is out). Work that can wait (imports, scans) pauses this long and tries again;
    /// <see langword="null"/> for other failures.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    private static string Describe(ScmTransportFailure failure) => failure switch
    {
        ScmTransportFailure.Timeout => "The request timed out",
        ScmTransportFailure.ConnectionFailed => "The connection to SCM failed",
        ScmTransportFailure.SecureConnectionFailed => "The TLS connection to SCM could not be established (server certificate not trusted, expired or for another host, or client certificate refused)",
        ScmTransportFailure.CircuitOpen => "The circuit breaker is open after repeated failures; the request was not sent",
        ScmTransportFailure.QueuedTooLong => "The request timed out waiting for its turn in the client (concurrency or rate limit, or SCM's Retry-After); it was not sent",
        _ => failure.ToString(),
    };

    private static string ComposeTransport(ScmTransportFailure failure, HttpMethod method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var q = path.IndexOf('?', StringComparison.Ordinal);
        return "SCM request " + method.Method + " " + (q < 0 ? path : path[..q]) + " failed: " + Describe(failure) + ".";
    }
}
