using System.Net;
using Polly;

namespace Scm.Client.Internal;

/// <summary>
/// The per-account pacing of one client's attempts, on its <see cref="TimeProvider"/>: SCM's <c>Retry-After</c> (from a
/// 429 or 503) holds every attempt until it has passed, and <see cref="ScmClientOptions.MaxRequestsPerSecond"/> spaces
/// them (a token bucket holding one second's worth). Waits here are not part of an attempt's timeout; they are part of
/// the request's whole budget.
/// </summary>
internal sealed class ScmRequestGate
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxRetryAfter;
    private readonly TimeSpan _longestHold;
    private readonly double _rate;
    private readonly object _lock = new();
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;
    private double _tokens;
    private long _refilledAt;

    public ScmRequestGate(ScmClientOptions options, TimeProvider time)
    {
        _time = time;
        _maxRetryAfter = options.MaxRetryAfter;
        _longestHold = options.AttemptTimeout;
        _rate = options.MaxRequestsPerSecond;
        _tokens = _rate;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Until when SCM's last <c>Retry-After</c> holds this client's requests (<see cref="DateTimeOffset.MinValue"/> when none).</summary>
    public DateTimeOffset NotBefore
    {
        get
        {
            lock (_lock)
            {
                return _notBefore;
            }
        }
    }

    /// <summary>
    /// Waits for the attempt's turn. A <c>Retry-After</c> hold longer than an attempt timeout is not waited for: the
    /// attempt is refused (not sent) with <see cref="ScmHeldBackException"/>, which the caller sees as rate limited.
    /// </summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan hold;
            lock (_lock)
            {
                hold = _notBefore - _time.GetUtcNow();
            }

            if (hold <= TimeSpan.Zero)
            {
                break;
            }

            if (hold > _longestHold)
            {
                throw new ScmHeldBackException(hold);
            }

            await Task.Delay(hold, _time, cancellationToken).ConfigureAwait(false);
        }

        if (_rate <= 0)
        {
            return;
        }

        // A reservation: the token is taken now (the balance may go below zero) and the wait is what the balance owes.
        TimeSpan wait;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_rate, _tokens + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _rate));
            _refilledAt = now;
            _tokens -= 1;
            wait = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
        }

        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    _tokens += 1; // never sent: the reservation is given back
                }

                throw;
            }
        }
    }

    /// <summary>Takes note of SCM's <c>Retry-After</c> on a 429 or 503 answer (clamped to <see cref="ScmClientOptions.MaxRetryAfter"/>).</summary>
    public void Observe(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            return;
        }

        if (ScmHttpHandlerFactory.RetryAfter(response.Headers.RetryAfter, _time, _maxRetryAfter) is not { } delay || delay <= TimeSpan.Zero)
        {
            return;
        }

        var until = _time.GetUtcNow() + delay;
        lock (_lock)
        {
            if (until > _notBefore)
            {
                _notBefore = until;
            }
        }
    }
}

/// <summary>
/// The innermost strategy but one (just outside the attempt timeout): waits at the <see cref="ScmRequestGate"/>, marks
/// the request as sent, observes <c>Retry-After</c>, and records whether the attempt succeeded (for the severity of the
/// resilience telemetry and the circuit breaker).
/// </summary>
internal sealed class ScmGateStrategy(ScmRequestGate gate) : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback, ResilienceContext context, TState state)
    {
        context.Properties.Set(ScmHttpHandlerFactory.AttemptSucceeded, false);
        try
        {
            await gate.WaitAsync(context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception ex) when (ex is ScmHeldBackException or OperationCanceledException)
        {
            return Outcome.FromException<HttpResponseMessage>(ex);
        }

        if (context.GetRequestMessage()?.Options.TryGetValue(ScmHttpHandlerFactory.Sent, out var mark) == true)
        {
            mark.Sent = true;
        }

        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<HttpResponseMessage>(ex);
        }

        if (outcome.Result is { } response)
        {
            gate.Observe(response);
            context.Properties.Set(ScmHttpHandlerFactory.AttemptSucceeded, response.IsSuccessStatusCode);
        }

        return outcome;
    }
}

/// <summary>Records whether an attempt got a 2xx answer (for the severity of the resilience telemetry), in a pipeline without a gate.</summary>
internal sealed class ScmAttemptOutcomeStrategy : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback, ResilienceContext context, TState state)
    {
        context.Properties.Set(ScmHttpHandlerFactory.AttemptSucceeded, false);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<HttpResponseMessage>(ex);
        }

        context.Properties.Set(ScmHttpHandlerFactory.AttemptSucceeded, outcome.Result is { IsSuccessStatusCode: true });
        return outcome;
    }
}

/// <summary>Set once the request has left the client's own waits to be sent (read by the transport when it times out).</summary>
internal sealed class ScmSendMark
{
    public volatile bool Sent;
}

/// <summary>An attempt not sent because SCM's <c>Retry-After</c> still holds the client's requests for longer than an attempt may wait.</summary>
internal sealed class ScmHeldBackException(TimeSpan remaining)
    : Exception("SCM asked this client to wait (Retry-After); the request was not sent.")
{
    public TimeSpan Remaining { get; } = remaining;
}

/// <summary>
/// What the transport tells a caller about an open circuit: until when it stays open (from the breaker's own events).
/// One per client (per account).
/// </summary>
internal sealed class ScmCircuitState
{
    private readonly object _lock = new();
    private DateTimeOffset? _openUntil;
    private bool _halfOpen;

    public void Opened(DateTimeOffset until)
    {
        lock (_lock)
        {
            _openUntil = until;
            _halfOpen = false;
        }
    }

    public void HalfOpened()
    {
        lock (_lock)
        {
            _halfOpen = true;
        }
    }

    public void Closed()
    {
        lock (_lock)
        {
            _openUntil = null;
            _halfOpen = false;
        }
    }

    /// <summary>
    /// How long a caller refused by the open circuit should wait before trying again: the rest of the break; while the
    /// probe is out (half-open), or when unknown, a short wait (1 s).
    /// </summary>
    public TimeSpan RetryAfter(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_halfOpen || _openUntil is null)
            {
                return TimeSpan.FromSeconds(1);
            }

            var rest = _openUntil.Value - now;
            return rest > TimeSpan.FromSeconds(1) ? rest : TimeSpan.FromSeconds(1);
        }
    }
}
