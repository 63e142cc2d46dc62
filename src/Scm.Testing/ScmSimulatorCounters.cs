using System.Text.RegularExpressions;

namespace Scm.Testing;

/// <summary>
/// Ground truth for tests: enroll POSTs received and billable orders created, in total and per correlation token found
/// in <c>comments</c> (the SDK's marker <c>[scm-sdk:&lt;32 hex&gt;]</c> by default), and renewal orders per renewed sslId.
/// </summary>
/// <remarks>
/// An enroll POST is counted when it arrives, before any fault rule or validation, so a POST answered by a fault or
/// rejected by validation still counts. A billable order is every order created: enroll, enroll-keygen, renew by renewId,
/// renewById and SCM-side auto-renewal (the renewal copies the original's comments, so it counts under the same token).
/// </remarks>
public sealed class ScmSimulatorCounters
{
    private readonly object _gate = new();
    private readonly Regex _pattern;
    private readonly Dictionary<string, long> _enrollPostsByToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _billableByToken = new(StringComparer.Ordinal);
    private readonly Dictionary<long, long> _renewalsBySslId = [];
    private long _enrollPosts;
    private long _billableOrders;
    private long _renewPosts;
    private long _requests;
    private long _inFlight;

    internal ScmSimulatorCounters(Regex pattern) => _pattern = pattern;

    /// <summary>Gets the number of enroll and enroll-keygen POSTs received.</summary>
    public long EnrollPosts
    {
        get
        {
            lock (_gate)
            {
                return _enrollPosts;
            }
        }
    }

    /// <summary>Gets the number of billable orders created (enroll, keygen, renewals, auto-renewals).</summary>
    public long BillableOrders
    {
        get
        {
            lock (_gate)
            {
                return _billableOrders;
            }
        }
    }

    /// <summary>Gets the number of renew POSTs received (by renewId and by sslId).</summary>
    public long RenewPosts
    {
        get
        {
            lock (_gate)
            {
                return _renewPosts;
            }
        }
    }

    /// <summary>Gets the number of API and token requests received (management calls excluded).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// Gets the number of API and token requests received whose handling has not ended yet (a slow, latency-faulted or
    /// stalled request counts until its answer is written or its connection dropped). Code that moves a fake clock while
    /// the engine works can leave the clock alone while a request is served normally. Not changed by <see cref="Reset"/>.
    /// </summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Gets the enroll POSTs whose body carried <paramref name="token"/>.</summary>
    /// <param name="token">The correlation token (32 lowercase hex characters for the SDK's marker).</param>
    /// <returns>The count.</returns>
    public long EnrollPostsFor(string token)
    {
        lock (_gate)
        {
            return _enrollPostsByToken.GetValueOrDefault(token);
        }
    }

    /// <summary>Gets the billable orders whose comments carry <paramref name="token"/>.</summary>
    /// <param name="token">The correlation token.</param>
    /// <returns>The count.</returns>
    public long BillableOrdersFor(string token)
    {
        lock (_gate)
        {
            return _billableByToken.GetValueOrDefault(token);
        }
    }

    /// <summary>Gets the renewal orders created from the certificate <paramref name="sslId"/> (its direct renewals).</summary>
    /// <param name="sslId">The renewed certificate's sslId.</param>
    /// <returns>The count.</returns>
    public long RenewalOrdersFor(long sslId)
    {
        lock (_gate)
        {
            return _renewalsBySslId.GetValueOrDefault(sslId);
        }
    }

    /// <summary>Gets a snapshot of billable orders per token.</summary>
    /// <returns>Token to count.</returns>
    public IReadOnlyDictionary<string, long> BillableOrdersByToken()
    {
        lock (_gate)
        {
            return new Dictionary<string, long>(_billableByToken, StringComparer.Ordinal);
        }
    }

    /// <summary>Gets a snapshot of enroll POSTs per token.</summary>
    /// <returns>Token to count.</returns>
    public IReadOnlyDictionary<string, long> EnrollPostsByToken()
    {
        lock (_gate)
        {
            return new Dictionary<string, long>(_enrollPostsByToken, StringComparer.Ordinal);
        }
    }

    /// <summary>Gets a snapshot of renewal orders per renewed sslId.</summary>
    /// <returns>sslId to count.</returns>
    public IReadOnlyDictionary<long, long> RenewalOrdersBySslId()
    {
        lock (_gate)
        {
            return new Dictionary<long, long>(_renewalsBySslId);
        }
    }

    /// <summary>Sets every counter back to zero.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _enrollPosts = 0;
            _billableOrders = 0;
            _renewPosts = 0;
            _enrollPostsByToken.Clear();
            _billableByToken.Clear();
            _renewalsBySslId.Clear();
            Interlocked.Exchange(ref _requests, 0);
        }
    }

    /// <summary>Finds the correlation tokens in a text with the configured pattern.</summary>
    /// <param name="text">Comments or a request body.</param>
    /// <returns>The distinct tokens, in order of appearance.</returns>
    public IReadOnlyList<string> ExtractTokens(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        List<string>? tokens = null;
        foreach (Match match in _pattern.Matches(text))
        {
            var group = match.Groups["token"];
            if (!group.Success)
            {
                group = match.Groups.Count > 1 ? match.Groups[1] : match.Groups[0];
            }

            tokens ??= [];
            if (!tokens.Contains(group.Value))
            {
                tokens.Add(group.Value);
            }
        }

        return tokens ?? (IReadOnlyList<string>)[];
    }

    internal void CountRequest()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _inFlight);
    }

    internal void EndRequest() => Interlocked.Decrement(ref _inFlight);

    internal void CountEnrollPost(string? bodyText)
    {
        var tokens = ExtractTokens(bodyText);
        lock (_gate)
        {
            _enrollPosts++;
            foreach (var token in tokens)
            {
                _enrollPostsByToken[token] = _enrollPostsByToken.GetValueOrDefault(token) + 1;
            }
        }
    }

    internal void CountRenewPost()
    {
        lock (_gate)
        {
            _renewPosts++;
        }
    }

    internal void CountBillableOrder(string? comments, long? renewedFrom)
    {
        var tokens = ExtractTokens(comments);
        lock (_gate)
        {
            _billableOrders++;
            foreach (var token in tokens)
            {
                _billableByToken[token] = _billableByToken.GetValueOrDefault(token) + 1;
            }

            if (renewedFrom is { } original)
            {
                _renewalsBySslId[original] = _renewalsBySslId.GetValueOrDefault(original) + 1;
            }
        }
    }
}
