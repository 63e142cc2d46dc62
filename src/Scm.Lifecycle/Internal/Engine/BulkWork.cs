using System.Runtime.CompilerServices;
using Scm.Client;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// One run of bulk work (an import, a status scan, an auto-renewal run): while it is active, an SCM read that meets the
/// client's open circuit breaker pauses for the rest of the break and is tried again, instead of failing the run.
/// Every task of the run shares one pause (the first to meet the open circuit sets it; the others wait for the same
/// moment), and the run pauses at most <see cref="BulkWorkOptions.MaxPause"/> in all; after that the read fails as a
/// single call does. Flows with the execution context (<see cref="AsyncLocal{T}"/>), so reads deep in the workflow pause
/// too; outside a run nothing pauses (single calls keep failing fast).
/// </summary>
internal sealed class BulkWorkScope : IDisposable
{
    private static readonly AsyncLocal<BulkWorkScope?> s_current = new();

    private readonly EngineContext _ctx;
    private readonly BulkWorkScope? _previous;
    private readonly Action<TimeSpan>? _onPause;
    private readonly object _lock = new();
    private DateTimeOffset _resumeAt = DateTimeOffset.MinValue;
    private TimeSpan _paused;

    private BulkWorkScope(EngineContext ctx, string operation, Action<TimeSpan>? onPause, BulkWorkScope? previous)
    {
        _ctx = ctx;
        Operation = operation;
        _onPause = onPause;
        _previous = previous;
    }

    /// <summary>The run the current code belongs to, if any.</summary>
    public static BulkWorkScope? Current => s_current.Value;

    /// <summary>What the run is (for logs): <c>import</c>, <c>status scan</c>, <c>auto-renewal</c>.</summary>
    public string Operation { get; }

    /// <summary>How long the run has paused so far.</summary>
    public TimeSpan Paused
    {
        get
        {
            lock (_lock)
            {
                return _paused;
            }
        }
    }

    /// <summary>Starts a run (nested runs share the outer one); <paramref name="onPause"/> hears of each new pause.</summary>
    public static BulkWorkScope Begin(EngineContext ctx, string operation, Action<TimeSpan>? onPause = null)
    {
        var scope = new BulkWorkScope(ctx, operation, onPause, s_current.Value);
        if (scope._previous is null)
        {
            s_current.Value = scope;
        }

        return scope;
    }

    /// <summary>Whether <paramref name="ex"/> is the client's open circuit (the request was not sent); its break's remainder when so.</summary>
    public static bool IsCircuitOpen(ScmCallException ex, out TimeSpan retryAfter)
    {
        if (ex.InnerException is ScmTransportException { Failure: ScmTransportFailure.CircuitOpen } open)
        {
            retryAfter = open.RetryAfter ?? TimeSpan.FromSeconds(1);
            return true;
        }

        retryAfter = default;
        return false;
    }

    /// <summary>
    /// Whether a bulk read that failed with <paramref name="ex"/> is tried again: after a pause when SCM's circuit breaker
    /// is open (within the run's pause budget); after a short wait (1 s doubling to 8 s) when SCM failed it for good after
    /// the client's own retries (5xx, 408, timeout, no connection), for as long as two sampling windows of the breaker
    /// (<see cref="ScmClientOptions.CircuitBreakerSamplingDuration"/>) since its first such failure. If SCM is really
    /// down, the breaker opens within that time (at the latest once the successes from before the outage have left its
    /// window) and the run pauses, so the orders read meanwhile are not failed; if it has not opened by then, SCM fails
    /// only this read, and the read fails. Anything else (SCM refused it, rate limited, an
    /// unusable answer) is not tried again here. <paramref name="state"/> belongs to the read (its first failure and tries).
    /// </summary>
    public async Task<bool> ShouldTryAgainAsync(ScmCallException ex, ReadRetryState state, CancellationToken cancellationToken)
    {
        if (IsCircuitOpen(ex, out _))
        {
            // The breaker has decided: what failed before no longer counts against this read (after the break, a probe
            // that fails re-opens the circuit, and the read pauses again while the run's budget lasts).
            state.FirstFailure = null;
            state.Tries = 0;
            return await PauseAsync(ex, cancellationToken).ConfigureAwait(false);
        }

        if (!IsScmFailure(ex))
        {
            return false;
        }


        var now = _ctx.Now;
        state.FirstFailure ??= now;
        if (now - state.FirstFailure.Value >= 2 * _ctx.Options.Client.CircuitBreakerSamplingDuration)
        {
            return false;
        }

        var wait = TimeSpan.FromSeconds(Math.Min(8, 1 << Math.Min(state.Tries++, 3)));
        await Task.Delay(wait, _ctx.Time, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>SCM (or the way to it) failed the read after the client's retries: a 5xx or 408, a timeout, no connection.</summary>
    internal static bool IsScmFailure(ScmCallException ex) => ex.InnerException switch
    {
        ScmTransportException t => t.Failure is ScmTransportFailure.Timeout or ScmTransportFailure.ConnectionFailed,
        ScmProtocolException => false,
        ScmRateLimitedException => false,
        ScmRequestException r => r.Status is >= 500 or 408,
        _ => false,
    };

    /// <summary>
    /// Pauses for the open circuit of <paramref name="ex"/>; false (no wait) when the run's pause budget is spent, so the
    /// caller lets the failure through.
    /// </summary>
    public async Task<bool> PauseAsync(ScmCallException ex, CancellationToken cancellationToken)
    {
        if (!IsCircuitOpen(ex, out var retryAfter))
        {
            return false;
        }

        var root = _previous ?? this;
        if (!ReferenceEquals(root, this))
        {
            return await root.PauseAsync(ex, cancellationToken).ConfigureAwait(false);
        }

        var now = _ctx.Now;
        TimeSpan wait;
        var announce = false;
        lock (_lock)
        {
            if (_resumeAt > now)
            {
                wait = _resumeAt - now; // another task of the run already paused for this break
            }
            else
            {
                var budget = _ctx.Options.BulkWork.MaxPause - _paused;
                if (budget <= TimeSpan.Zero)
                {
                    Log.BulkWorkGaveUp(_ctx.Logger, Operation, _paused);
                    return false;
                }

                wait = retryAfter < budget ? retryAfter : budget;
                _resumeAt = now + wait;
                _paused += wait;
                announce = true;
            }
        }

        if (announce)
        {
            Log.BulkWorkPaused(_ctx.Logger, Operation, wait);
            _onPause?.Invoke(wait);
        }

        // A scheduled job gives its account slot to another account while it waits (LifecycleScheduler).
        await AccountSlot.PauseAsync(() => Task.Delay(wait, _ctx.Time, cancellationToken), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public void Dispose()
    {
        if (_previous is null && ReferenceEquals(s_current.Value, this))
        {
            s_current.Value = null;
        }
    }
}

/// <summary>
/// Below the credential circuit: during a bulk run (<see cref="BulkWorkScope"/>), SCM reads that meet the open circuit
/// breaker pause and are tried again, and reads SCM failed for good are tried again for a while (see
/// <see cref="BulkWorkScope.ShouldTryAgainAsync"/>). Writes (POST, PUT, DELETE) are never re-sent from here: their failure goes back to
/// the workflow, which defers the order (the request was not sent) and re-checks its lease before any later POST.
/// </summary>
internal sealed class PausingGateway(IScmGateway inner) : IScmGateway
{
    public Task<(long SslId, string? RenewId)> EnrollAsync(EnrollCommand command, CancellationToken cancellationToken) => inner.EnrollAsync(command, cancellationToken);

    public Task<long> RenewByIdAsync(long sslId, string csrPem, CancellationToken cancellationToken) => inner.RenewByIdAsync(sslId, csrPem, cancellationToken);

    public Task ReplaceAsync(long sslId, ReplaceCommand command, CancellationToken cancellationToken) => inner.ReplaceAsync(sslId, command, cancellationToken);

    public Task<ScmOrderView> GetOrderAsync(long sslId, CancellationToken cancellationToken) => Read(() => inner.GetOrderAsync(sslId, cancellationToken), cancellationToken);

    public Task UpdateCommentsAsync(long sslId, string comments, CancellationToken cancellationToken) => inner.UpdateCommentsAsync(sslId, comments, cancellationToken);

    public IAsyncEnumerable<long> ListSslIdsByCommonNameAsync(string commonName, CancellationToken cancellationToken) =>
        ReadAll(ct => inner.ListSslIdsByCommonNameAsync(commonName, ct), cancellationToken);

    public Task<(IReadOnlyList<long> SslIds, int? TotalCount)> ListPageAsync(string? status, int position, int size, CancellationToken cancellationToken) =>
        Read(() => inner.ListPageAsync(status, position, size, cancellationToken), cancellationToken);

    public Task<ScmCollectOutcome> CollectAsync(long sslId, CancellationToken cancellationToken) => Read(() => inner.CollectAsync(sslId, cancellationToken), cancellationToken);

    public Task RevokeAsync(long sslId, int reasonCode, string reason, CancellationToken cancellationToken) => inner.RevokeAsync(sslId, reasonCode, reason, cancellationToken);

    public Task DeclineAsync(long sslId, string message, CancellationToken cancellationToken) => inner.DeclineAsync(sslId, message, cancellationToken);

    public Task<ScmPasswordState> GetPasswordStateAsync(CancellationToken cancellationToken) => Read(() => inner.GetPasswordStateAsync(cancellationToken), cancellationToken);

    public Task<IReadOnlyList<CatalogOrganization>> ListOrganizationsAsync(CancellationToken cancellationToken) => Read(() => inner.ListOrganizationsAsync(cancellationToken), cancellationToken);

    public IAsyncEnumerable<int> ListDomainIdsAsync(CancellationToken cancellationToken) => ReadAll(inner.ListDomainIdsAsync, cancellationToken);

    public Task<CatalogDomain> GetDomainAsync(int domainId, CancellationToken cancellationToken) => Read(() => inner.GetDomainAsync(domainId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<CatalogProfile>> ListProfilesAsync(int? organizationId, CancellationToken cancellationToken) =>
        Read(() => inner.ListProfilesAsync(organizationId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<CatalogCustomField>> ListCustomFieldsAsync(CancellationToken cancellationToken) => Read(() => inner.ListCustomFieldsAsync(cancellationToken), cancellationToken);

    public Task<IReadOnlyList<ScmOrganizationValidation>> ListOrganizationValidationsAsync(int organizationId, CancellationToken cancellationToken) =>
        Read(() => inner.ListOrganizationValidationsAsync(organizationId, cancellationToken), cancellationToken);

    public Task<ScmDcvStatus> GetDcvStatusAsync(string domain, CancellationToken cancellationToken) => Read(() => inner.GetDcvStatusAsync(domain, cancellationToken), cancellationToken);

    public Task<ScmDcvStep> StartDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken) => inner.StartDcvAsync(domain, method, cancellationToken);

    public Task<ScmDcvStep> SubmitDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken) => inner.SubmitDcvAsync(domain, method, cancellationToken);

    public Task ChangePasswordAsync(string newPassword, CancellationToken cancellationToken) => inner.ChangePasswordAsync(newPassword, cancellationToken);

    public void UsePassword(string password) => inner.UsePassword(password);

    private static async Task<T> Read<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var tries = new ReadRetryState();
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (ScmCallException ex) when (BulkWorkScope.Current is { } scope)
            {
                if (!await scope.ShouldTryAgainAsync(ex, tries, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
    }

    /// <summary>A paged list read: after a pause it starts again from the top and skips what it already yielded (ids are unique).</summary>
    private static async IAsyncEnumerable<T> ReadAll<T>(Func<CancellationToken, IAsyncEnumerable<T>> list, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var yielded = new HashSet<T>();
        var tries = new ReadRetryState();
        while (true)
        {
            var restart = false;
            var enumerator = list(cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    T item;
                    try
                    {
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                        {
                            yield break;
                        }

                        item = enumerator.Current;
                    }
                    catch (ScmCallException ex) when (BulkWorkScope.Current is { } scope)
                    {
                        if (!await scope.ShouldTryAgainAsync(ex, tries, cancellationToken).ConfigureAwait(false))
                        {
                            throw;
                        }

                        restart = true;
                        break;
                    }

                    if (yielded.Add(item))
                    {
                        yield return item;
                    }
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            if (!restart)
            {
                yield break;
            }
        }
    }
}

/// <summary>One bulk read's retry state: when SCM first failed it for good, and how often it was tried again since.</summary>
internal sealed class ReadRetryState
{
    public DateTimeOffset? FirstFailure { get; set; }

    public int Tries { get; set; }
}
