namespace Scm.Testing;

/// <summary>What a fault rule does to a matching request.</summary>
public enum ScmFaultKind
{
    /// <summary>Answers a 5xx status with an SCM error body; nothing is processed.</summary>
    ServerError,

    /// <summary>Answers 429 with a <c>Retry-After</c> header in the rule's style; nothing is processed.</summary>
    TooManyRequests,

    /// <summary>Waits (wall clock), then processes the request normally.</summary>
    Latency,

    /// <summary>Waits past a client's timeout (wall clock) before processing; a request the client gave up on is not processed.</summary>
    Stall,

    /// <summary>Aborts the connection without an answer; nothing is processed.</summary>
    DropConnection,

    /// <summary>Processes the request, then sends only the first half of the body.</summary>
    TruncatedJson,

    /// <summary>Processes the request, then sends a syntactically broken JSON body with the real status.</summary>
    MalformedJson,

    /// <summary>Processes the request, then sends the body with every JSON number turned into a string.</summary>
    WrongJsonTypes,

    /// <summary>Answers an HTML error page (as a proxy would) with the rule's status; nothing is processed.</summary>
    HtmlErrorPage,

    /// <summary>Answers 200 with an empty body; nothing is processed.</summary>
    EmptyOk,

    /// <summary>Answers 200 with a JSON-looking body of the rule's size, streamed (never allocated whole); nothing is processed.</summary>
    OversizedBody,

    /// <summary>Answers 200 with a chunked body that never ends (until the client goes away); nothing is processed.</summary>
    EndlessBody,

    /// <summary>On collect: the certificate returned is for a different key (same names).</summary>
    CertificateForAnotherKey,

    /// <summary>On collect: the certificate returned (same key and names) has already expired.</summary>
    ExpiredCertificate,

    /// <summary>On collect: the chain formats return the certificates in an odd order (intermediate, leaf, root).</summary>
    ChainInOddOrder,

    /// <summary>Processes the request (the order is created), then answers 500, drops the connection, or stalls.</summary>
    CommitThenFail,

    /// <summary>Answers the not-ready error (400, code 0 / -183 / -1400) as a collect before issuance would; nothing is processed.</summary>
    NotReady,

    /// <summary>Answers an SCM error body with the rule's HTTP status, code and description (e.g. 400 with -195 "CA is not available now"), and optionally <c>details</c> and <c>items</c>; nothing is processed.</summary>
    ScmError,

    /// <summary>On a report: answers 200 with a non-zero <c>statusCode</c> and a <c>message</c>, and no rows, as SCM does when a report fails to run.</summary>
    ReportFailure,
}

/// <summary>How a 429 fault writes its <c>Retry-After</c> header.</summary>
public enum ScmRetryAfterStyle
{
    /// <summary>Delta seconds, e.g. <c>Retry-After: 2</c>.</summary>
    Seconds,

    /// <summary>An HTTP date (from the simulator's clock), e.g. <c>Retry-After: Wed, 21 Oct 2026 07:28:00 GMT</c>.</summary>
    HttpDate,

    /// <summary>No <c>Retry-After</c> header.</summary>
    Absent,

    /// <summary>A value that is neither seconds nor a date.</summary>
    Garbage,

    /// <summary>Seconds, HTTP date or absent, chosen at random (seeded) per answer.</summary>
    Random,
}

/// <summary>How a <see cref="ScmFaultKind.CommitThenFail"/> rule fails after the request was processed.</summary>
public enum ScmCommitFailure
{
    /// <summary>Answers 500 with an SCM error body.</summary>
    ServerError,

    /// <summary>Aborts the connection.</summary>
    DropConnection,

    /// <summary>Waits past a client's timeout, then sends the real answer.</summary>
    Stall,
}

/// <summary>
/// Starts a fault rule: <c>ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail().Once()</c>.
/// Path patterns are matched against the path after <c>/api</c> or <c>/private/api</c> (e.g. <c>/ssl/v1/collect/1001</c>), or the
/// whole path for other routes (the token endpoint); <c>*</c> matches within one segment and <c>**</c> across segments.
/// </summary>
public static class ScmFault
{
    /// <summary>Targets requests with a method (or any method when <see langword="null"/>) and a path pattern.</summary>
    /// <param name="method">The HTTP method, case-insensitive, or <see langword="null"/> for any.</param>
    /// <param name="pathPattern">The path pattern, e.g. <c>/ssl/*/enroll</c>.</param>
    /// <returns>The target, on which a fault kind is chosen.</returns>
    public static ScmFaultTarget On(string? method, string pathPattern)
    {
        ArgumentNullException.ThrowIfNull(pathPattern);
        return new ScmFaultTarget(method, pathPattern);
    }

    /// <summary>Targets requests of any method on a path pattern.</summary>
    /// <param name="pathPattern">The path pattern; default <c>/**</c> (every route).</param>
    /// <returns>The target, on which a fault kind is chosen.</returns>
    public static ScmFaultTarget Any(string pathPattern = "/**") => On(null, pathPattern);
}

/// <summary>A method and path pattern waiting for a fault kind.</summary>
public sealed class ScmFaultTarget
{
    internal ScmFaultTarget(string? method, string pathPattern)
    {
        Method = method;
        PathPattern = pathPattern;
    }

    /// <summary>Gets the HTTP method, or <see langword="null"/> for any.</summary>
    public string? Method { get; }

    /// <summary>Gets the path pattern.</summary>
    public string PathPattern { get; }

    /// <summary>Answers a 5xx status.</summary>
    /// <param name="statusCode">500-599; default 500.</param>
    /// <returns>The rule (fires always until limited by Once/Times/Percent).</returns>
    public ScmFaultRule ServerError(int statusCode = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 500);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return Make(ScmFaultKind.ServerError, statusCode: statusCode);
    }

    /// <summary>Answers 429 with a <c>Retry-After</c> header.</summary>
    /// <param name="style">How the header is written.</param>
    /// <param name="retryAfter">The delay the header announces; default 1 second.</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule TooManyRequests(ScmRetryAfterStyle style = ScmRetryAfterStyle.Seconds, TimeSpan? retryAfter = null)
        => Make(ScmFaultKind.TooManyRequests, statusCode: 429, retryAfterStyle: style, minDelay: retryAfter ?? TimeSpan.FromSeconds(1));

    /// <summary>Adds a fixed wall-clock delay, then processes the request.</summary>
    /// <param name="delay">The delay.</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule Latency(TimeSpan delay) => Latency(delay, delay);

    /// <summary>Adds a random (seeded) wall-clock delay between two bounds, then processes the request.</summary>
    /// <param name="minimum">The shortest delay.</param>
    /// <param name="maximum">The longest delay.</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule Latency(TimeSpan minimum, TimeSpan maximum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        return Make(ScmFaultKind.Latency, minDelay: minimum, maxDelay: maximum);
    }

    /// <summary>Holds the request past a client's timeout before processing it.</summary>
    /// <param name="duration">How long; default 100 seconds (HttpClient's default timeout).</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule Stall(TimeSpan? duration = null)
        => Make(ScmFaultKind.Stall, minDelay: duration ?? TimeSpan.FromSeconds(100));

    /// <summary>Aborts the connection without processing the request.</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule DropConnection() => Make(ScmFaultKind.DropConnection);

    /// <summary>Processes the request and sends half of its body.</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule TruncatedJson() => Make(ScmFaultKind.TruncatedJson);

    /// <summary>Processes the request and sends broken JSON instead of its body.</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule MalformedJson() => Make(ScmFaultKind.MalformedJson);

    /// <summary>Processes the request and sends its body with every number turned into a string.</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule WrongJsonTypes() => Make(ScmFaultKind.WrongJsonTypes);

    /// <summary>Answers an HTML error page.</summary>
    /// <param name="statusCode">The status; default 502.</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule HtmlErrorPage(int statusCode = 502) => Make(ScmFaultKind.HtmlErrorPage, statusCode: statusCode);

    /// <summary>Answers 200 with an empty body.</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule EmptyOk() => Make(ScmFaultKind.EmptyOk, statusCode: 200);

    /// <summary>Answers 200 with a body of the given size (with <c>Content-Length</c>), streamed.</summary>
    /// <param name="bytes">The body size; default 50 MiB.</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule OversizedBody(long bytes = 50L * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        return Make(ScmFaultKind.OversizedBody, statusCode: 200, bodyBytes: bytes);
    }

    /// <summary>Answers 200 with a chunked body that does not end until the client disconnects (or 4 GiB were sent).</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule EndlessBody() => Make(ScmFaultKind.EndlessBody, statusCode: 200);

    /// <summary>On collect, returns a certificate for a different key.</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule CertificateForAnotherKey() => Make(ScmFaultKind.CertificateForAnotherKey);

    /// <summary>On collect, returns an already expired certificate for the same key.</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule ExpiredCertificate() => Make(ScmFaultKind.ExpiredCertificate);

    /// <summary>On collect, returns the chain formats in an odd order (intermediate, leaf, root).</summary>
    /// <returns>The rule.</returns>
    public ScmFaultRule ChainInOddOrder() => Make(ScmFaultKind.ChainInOddOrder);

    /// <summary>Processes the request (committing it), then fails.</summary>
    /// <param name="failure">How it fails; default 500.</param>
    /// <param name="stall">For <see cref="ScmCommitFailure.Stall"/>: how long; default 100 seconds.</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule CommitThenFail(ScmCommitFailure failure = ScmCommitFailure.ServerError, TimeSpan? stall = null)
        => Make(ScmFaultKind.CommitThenFail, statusCode: 500, commitFailure: failure, minDelay: stall ?? TimeSpan.FromSeconds(100));

    /// <summary>Answers the not-ready error without processing the request.</summary>
    /// <param name="style">The style; default -183.</param>
    /// <returns>The rule.</returns>
    public ScmFaultRule NotReady(ScmNotReadyStyle style = ScmNotReadyStyle.NotCollectable)
        => Make(ScmFaultKind.NotReady, statusCode: 400, notReadyStyle: style);

    /// <summary>
    /// Answers an SCM error without processing the request, as SCM does when it refuses one: for example
    /// <c>ScmError(-195, "CA is not available now, retry later")</c> or <c>ScmError(-140, "CSR decoding temporarily unavailable")</c>.
    /// </summary>
    /// <param name="code">The SCM error code written in the body's <c>code</c>.</param>
    /// <param name="description">The body's <c>description</c>.</param>
    /// <param name="statusCode">The HTTP status, 400-599; default 400.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 400-599.</exception>
    public ScmFaultRule ScmError(int code, string description, int statusCode = 400) => ScmError(code, description, null, null, statusCode);

    /// <summary>
    /// Answers an SCM error with the Admin API's optional <c>details</c> and <c>items</c> (field-level reasons) without
    /// processing the request.
    /// </summary>
    /// <param name="code">The SCM error code written in the body's <c>code</c>.</param>
    /// <param name="description">The body's <c>description</c>.</param>
    /// <param name="details">The body's <c>details</c>; omitted when <see langword="null"/>.</param>
    /// <param name="items">The body's <c>items</c>; omitted when <see langword="null"/>.</param>
    /// <param name="statusCode">The HTTP status, 400-599; default 400.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 400-599.</exception>
    public ScmFaultRule ScmError(int code, string description, string? details, IReadOnlyList<string>? items, int statusCode = 400)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return new(Method, PathPattern, ScmFaultKind.ScmError, statusCode, ScmRetryAfterStyle.Seconds, TimeSpan.Zero, TimeSpan.Zero, 0,
            ScmCommitFailure.ServerError, ScmNotReadyStyle.NotCollectable, null, 100, code, description, details, items);
    }

    /// <summary>Answers a report with HTTP 200, <c>{"statusCode": statusCode, "message": message, "reports": []}</c>, without running it.</summary>
    /// <param name="statusCode">The non-zero <c>statusCode</c>.</param>
    /// <param name="message">The <c>message</c>.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is 0 (that is a successful report).</exception>
    public ScmFaultRule ReportFailure(int statusCode, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfZero(statusCode);
        return new(Method, PathPattern, ScmFaultKind.ReportFailure, 200, ScmRetryAfterStyle.Seconds, TimeSpan.Zero, TimeSpan.Zero, 0,
            ScmCommitFailure.ServerError, ScmNotReadyStyle.NotCollectable, null, 100, statusCode, message);
    }

    private ScmFaultRule Make(
        ScmFaultKind kind,
        int statusCode = 0,
        ScmRetryAfterStyle retryAfterStyle = ScmRetryAfterStyle.Seconds,
        TimeSpan minDelay = default,
        TimeSpan? maxDelay = null,
        long bodyBytes = 0,
        ScmCommitFailure commitFailure = ScmCommitFailure.ServerError,
        ScmNotReadyStyle notReadyStyle = ScmNotReadyStyle.NotCollectable)
        => new(Method, PathPattern, kind, statusCode, retryAfterStyle, minDelay, maxDelay ?? minDelay, bodyBytes, commitFailure, notReadyStyle, null, 100, 0, null);
}
