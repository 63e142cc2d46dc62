using Scm.Testing.Internal;

namespace Scm.Testing;

/// <summary>
/// One fault rule: a method and path pattern, a fault kind, and how often it fires (always, a number of times, or a
/// percentage of matching requests drawn from the simulator's seed, optionally only the first ones of each distinct
/// request). <see cref="Once"/>, <see cref="Times"/>, <see cref="Percent"/>, <see cref="FirstPerRequest"/> and
/// <see cref="Always"/> return a new rule.
/// </summary>
public sealed class ScmFaultRule
{
    private static long _nextRuleId;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _perRequest = new(StringComparer.Ordinal);
    private long _hits;
    private int _remaining;

    internal ScmFaultRule(
        string? method,
        string pathPattern,
        ScmFaultKind kind,
        int statusCode,
        ScmRetryAfterStyle retryAfterStyle,
        TimeSpan minDelay,
        TimeSpan maxDelay,
        long bodyBytes,
        ScmCommitFailure commitFailure,
        ScmNotReadyStyle notReadyStyle,
        int? times,
        double percent,
        int errorCode,
        string? errorDescription,
        string? errorDetails = null,
        IReadOnlyList<string>? errorItems = null,
        int? perRequest = null)
    {
        ErrorDetails = errorDetails;
        ErrorItems = errorItems is null ? null : [.. errorItems];
        Id = "rule-" + Interlocked.Increment(ref _nextRuleId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Method = string.IsNullOrEmpty(method) ? null : method.ToUpperInvariant();
        PathPattern = pathPattern;
        Kind = kind;
        StatusCode = statusCode;
        RetryAfterStyle = retryAfterStyle;
        MinimumDelay = minDelay;
        MaximumDelay = maxDelay;
        BodyBytes = bodyBytes;
        CommitFailure = commitFailure;
        NotReadyStyle = notReadyStyle;
        ErrorCode = errorCode;
        ErrorDescription = errorDescription;
        TimesLimit = times;
        _remaining = times ?? int.MaxValue;
        PercentChance = percent;
        PerRequestLimit = perRequest;
        Matcher = PathPatternMatcher.Create(pathPattern);
    }

    /// <summary>Gets the rule's id (used by the management API).</summary>
    public string Id { get; }

    /// <summary>Gets the HTTP method the rule matches, or <see langword="null"/> for any.</summary>
    public string? Method { get; }

    /// <summary>Gets the path pattern.</summary>
    public string PathPattern { get; }

    /// <summary>Gets the fault kind.</summary>
    public ScmFaultKind Kind { get; }

    /// <summary>Gets the status code the fault answers with, where it has one.</summary>
    public int StatusCode { get; }

    /// <summary>Gets the <c>Retry-After</c> style of a 429 rule.</summary>
    public ScmRetryAfterStyle RetryAfterStyle { get; }

    /// <summary>Gets the delay (latency, stall, Retry-After value), or the lower bound of a random latency.</summary>
    public TimeSpan MinimumDelay { get; }

    /// <summary>Gets the upper bound of a random latency (equal to <see cref="MinimumDelay"/> otherwise).</summary>
    public TimeSpan MaximumDelay { get; }

    /// <summary>Gets the body size of an oversized-body rule.</summary>
    public long BodyBytes { get; }

    /// <summary>Gets how a commit-then-fail rule fails.</summary>
    public ScmCommitFailure CommitFailure { get; }

    /// <summary>Gets the not-ready style of a not-ready rule.</summary>
    public ScmNotReadyStyle NotReadyStyle { get; }

    /// <summary>Gets the SCM error code an <see cref="ScmFaultKind.ScmError"/> rule answers (0 for other kinds).</summary>
    public int ErrorCode { get; }

    /// <summary>Gets the description an <see cref="ScmFaultKind.ScmError"/> rule answers (<see langword="null"/> for other kinds).</summary>
    public string? ErrorDescription { get; }

    /// <summary>Gets the <c>details</c> of an <see cref="ScmFaultKind.ScmError"/> body, if any.</summary>
    public string? ErrorDetails { get; }

    /// <summary>Gets the <c>items</c> of an <see cref="ScmFaultKind.ScmError"/> body, if any.</summary>
    public IReadOnlyList<string>? ErrorItems { get; }

    /// <summary>Gets how many times the rule may fire, or <see langword="null"/> for no limit.</summary>
    public int? TimesLimit { get; }

    /// <summary>Gets the chance (0-100) that a matching request fires the rule.</summary>
    public double PercentChance { get; }

    /// <summary>
    /// Gets how many times the rule may fire for each distinct request (method, path and query), or
    /// <see langword="null"/> when it is not limited per request (see <see cref="FirstPerRequest"/>).
    /// </summary>
    public int? PerRequestLimit { get; }

    /// <summary>Gets how many times the rule has fired.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Gets a value indicating whether the rule can still fire.</summary>
    public bool IsExhausted => Volatile.Read(ref _remaining) <= 0;

    internal PathPatternMatcher Matcher { get; }

    /// <summary>Returns a copy of this rule that fires once.</summary>
    /// <returns>The new rule.</returns>
    public ScmFaultRule Once() => Times(1);

    /// <summary>Returns a copy of this rule that fires <paramref name="count"/> times.</summary>
    /// <param name="count">How many times; at least 1.</param>
    /// <returns>The new rule.</returns>
    public ScmFaultRule Times(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Copy(count, PercentChance);
    }

    /// <summary>Returns a copy of this rule that fires for the given percentage of matching requests (seeded).</summary>
    /// <param name="percent">0-100.</param>
    /// <returns>The new rule.</returns>
    public ScmFaultRule Percent(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0d);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100d);
        return Copy(TimesLimit, percent);
    }

    /// <summary>Returns a copy of this rule that fires on every matching request.</summary>
    /// <returns>The new rule.</returns>
    public ScmFaultRule Always() => Copy(null, 100);

    /// <summary>
    /// Returns a copy of this rule that fires only on the first <paramref name="count"/> matching requests of each distinct
    /// request (same method, path and query): for example the first GET of every order's details, or the first call
    /// for every page of a list, as a proxy that fails each new request once would. Combines with <see cref="Times"/>
    /// (a total) and <see cref="Percent"/>.
    /// </summary>
    /// <param name="count">How many times per distinct request; at least 1 (default 1).</param>
    /// <returns>The new rule.</returns>
    public ScmFaultRule FirstPerRequest(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new(Method, PathPattern, Kind, StatusCode, RetryAfterStyle, MinimumDelay, MaximumDelay, BodyBytes, CommitFailure, NotReadyStyle, TimesLimit, PercentChance, ErrorCode, ErrorDescription, ErrorDetails, ErrorItems, count);
    }

    /// <summary>Describes the rule.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Id}: {Method ?? "*"} {PathPattern} -> {Kind}" + (PerRequestLimit is { } n ? $" (first {n} per request)" : string.Empty);

    /// <summary>Consumes one firing for <paramref name="requestKey"/> (method, path and query) within the per-request and total limits.</summary>
    internal bool TryConsume(string requestKey)
    {
        if (PerRequestLimit is not { } limit)
        {
            return TryConsume();
        }

        var fired = _perRequest.AddOrUpdate(requestKey, 1, (_, n) => n + 1);
        if (fired > limit)
        {
            _perRequest.AddOrUpdate(requestKey, 0, (_, n) => n - 1);
            return false;
        }

        if (!TryConsume())
        {
            _perRequest.AddOrUpdate(requestKey, 0, (_, n) => n - 1);
            return false;
        }

        return true;
    }

    internal bool TryConsume()
    {
        while (true)
        {
            var current = Volatile.Read(ref _remaining);
            if (current <= 0)
            {
                return false;
            }

            var next = current == int.MaxValue ? current : current - 1;
            if (next == current || Interlocked.CompareExchange(ref _remaining, next, current) == current)
            {
                Interlocked.Increment(ref _hits);
                return true;
            }
        }
    }

    private ScmFaultRule Copy(int? times, double percent)
        => new(Method, PathPattern, Kind, StatusCode, RetryAfterStyle, MinimumDelay, MaximumDelay, BodyBytes, CommitFailure, NotReadyStyle, times, percent, ErrorCode, ErrorDescription, ErrorDetails, ErrorItems, PerRequestLimit);
}
