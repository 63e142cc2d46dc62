using System.Collections.Concurrent;
using System.Globalization;
using Scm.Storage;
using Scm.Tests.Shared;

namespace Scm.Lifecycle.Worker;

/// <summary>
/// The worker's store as the engine sees it, with two test aids around the real (SQLite) store. Trace: every order
/// write, every fenced write the store refused because the lease was lost, and every lease check or renewal that found
/// the lease gone, printed on standard output as one "TRACE" line each. Pause: at one <see cref="PausePoint"/>, once,
/// the worker prints "PAUSE POINT" (with the order, its token and the lease it holds) and waits for a line "continue"
/// on standard input, so a test knows exactly where the process is when it stops it (SIGSTOP).
/// </summary>
/// <remarks>
/// Lines go straight to <see cref="Console.Out"/> (synchronized, flushed per line) rather than through the logger,
/// whose console output is written later by a background thread: a "PAUSE POINT" line must be out before the wait.
/// Nothing printed is secret (ids, states, lease names, fencing tokens; the correlation token is in SCM's comments).
/// </remarks>
internal sealed class TracingStore : ForwardingScmStore, IAsyncDisposable
{
    private readonly bool _trace;
    private readonly PausePoint _pauseAt;
    private readonly ConcurrentDictionary<Guid, OrderState> _committed = new();
    private int _paused;

    public TracingStore(IScmStore inner, bool trace, PausePoint pauseAt)
        : base(inner)
    {
        _trace = trace;
        _pauseAt = pauseAt;
    }

    public override async Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        var update = batch.Operations.OfType<UpdateOrderOperation>().Select(u => u.Order).FirstOrDefault();

        // AfterPost: the order this process last stored as Submitting now gets its sslId; SCM has answered the POST.
        if (update is { State: OrderState.Submitted, SslId: not null } && _committed.TryGetValue(update.Id, out var before) && before == OrderState.Submitting)
        {
            await PauseAsync(PausePoint.AfterPost, update, batch.RequiredLease, $"SCM answered the POST with sslId {update.SslId}; about to store it").ConfigureAwait(false);
        }

        StoreBatchResult result;
        try
        {
            result = await Inner.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.LeaseLost)
        {
            if (_trace)
            {
                var orders = batch.Operations.OfType<UpdateOrderOperation>().Select(u => $"order {u.Order.Id} -> {u.Order.State}");
                Print($"TRACE FENCED {string.Join(", ", orders)}: lease {batch.RequiredLease?.Name} fence {batch.RequiredLease?.FencingToken} refused ({ex.Message})");
            }

            throw;
        }

        var decisions = string.Join(",", result.AuditEntries.Select(a => a.Decision));
        foreach (var order in result.Orders)
        {
            _committed[order.Id] = order.State;
            if (_trace)
            {
                Print(string.Create(CultureInfo.InvariantCulture,
                    $"TRACE order {order.Id} {order.State} sslId {order.SslId?.ToString(CultureInfo.InvariantCulture) ?? "-"} attempts {order.Attempts} version {order.Version} fence {batch.RequiredLease?.FencingToken.ToString(CultureInfo.InvariantCulture) ?? "-"} audit [{decisions}]"));
            }
        }

        if (update is { State: OrderState.KeyPersisted, ProtectedPrivateKey: not null } && update.SubmittedAt is null)
        {
            await PauseAsync(PausePoint.AfterKeyStored, update, batch.RequiredLease, "key and CSR stored; about to re-check the lease, store Submitting and POST").ConfigureAwait(false);
        }
        else if (update is { State: OrderState.Submitting })
        {
            await PauseAsync(PausePoint.BeforePost, update, batch.RequiredLease, "Submitting stored after the lease check; about to POST, then store the outcome").ConfigureAwait(false);
        }

        return result;
    }

    public override async Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var renewed = await Inner.RenewLeaseAsync(lease, duration, cancellationToken).ConfigureAwait(false);
        if (renewed is null && _trace)
        {
            Print($"TRACE LEASE LOST {lease.Name} fence {lease.FencingToken} (renewal refused)");
        }

        return renewed;
    }

    public override async Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        var current = await Inner.CheckLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
        if (current is null && _trace)
        {
            Print($"TRACE LEASE LOST {lease.Name} fence {lease.FencingToken} (check found it gone)");
        }

        return current;
    }

    public ValueTask DisposeAsync() => Inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;

    private async Task PauseAsync(PausePoint point, CertificateOrder order, LeaseToken? lease, string where)
    {
        if (point != _pauseAt || Interlocked.Exchange(ref _paused, 1) != 0)
        {
            return;
        }

        Print(string.Create(CultureInfo.InvariantCulture,
            $"PAUSE POINT {point}: order {order.Id} token {order.CorrelationToken}: {where}; holding lease {lease?.Name} fence {lease?.FencingToken} until {lease?.ExpiresAt:O}; waiting for 'continue' on standard input"));
        while (true)
        {
            // A blocking read on a pool thread: nothing else waits on standard input. End of input also continues.
            var line = await Task.Run(Console.In.ReadLine).ConfigureAwait(false);
            if (line is null || string.Equals(line.Trim(), "continue", StringComparison.Ordinal))
            {
                break;
            }
        }

        Print($"PAUSE POINT {point} released: continuing");
    }

    private static void Print(string line) => Console.Out.WriteLine(line);
}
