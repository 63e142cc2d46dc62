namespace Scm.Lifecycle.Internal;

/// <summary>
/// One of the in-process scheduler's account slots (<see cref="SchedulingOptions.MaxConcurrentAccounts"/>), held while an
/// account runs its syncs, checks and scans. It flows with the execution context, so bulk work deep in a job can give it
/// back while it pauses for SCM's open circuit (<see cref="Engine.BulkWorkScope"/>): an account waiting out its SCM's
/// outage never holds back the other accounts. The slot is taken back before the paused work goes on.
/// </summary>
internal sealed class AccountSlot : IDisposable
{
    private static readonly AsyncLocal<AccountSlot?> s_current = new();

    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _transition = new(1, 1);
    private int _pausing;
    private bool _holding;

    private AccountSlot(SemaphoreSlim slots)
    {
        _slots = slots;
        _holding = true;
    }

    /// <summary>The slot the current job runs under; null outside the in-process scheduler.</summary>
    public static AccountSlot? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Waits for a free slot.</summary>
    public static async Task<AccountSlot> AcquireAsync(SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new AccountSlot(slots);
    }

    /// <summary>
    /// Runs <paramref name="pause"/> with the slot given back (when the current job holds one), then takes it back. Several
    /// tasks of one job may pause at once: the slot is given back by the first and taken back by the last.
    /// </summary>
    public static async Task PauseAsync(Func<Task> pause, CancellationToken cancellationToken)
    {
        if (Current is not { } slot)
        {
            await pause().ConfigureAwait(false);
            return;
        }

        await slot.LeaveAsync().ConfigureAwait(false);
        try
        {
            await pause().ConfigureAwait(false);
        }
        finally
        {
            await slot.ReturnAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task LeaveAsync()
    {
        await _transition.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_pausing++ == 0 && _holding)
            {
                _holding = false;
                _slots.Release();
            }
        }
        finally
        {
            _transition.Release();
        }
    }

    private async Task ReturnAsync(CancellationToken cancellationToken)
    {
        await _transition.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (--_pausing == 0 && !_holding)
            {
                // Cancelled (the host stops): the slot stays given back, and Dispose releases nothing.
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                _holding = true;
            }
        }
        finally
        {
            _transition.Release();
        }
    }

    /// <summary>Gives the slot back for good (when held).</summary>
    public void Dispose()
    {
        _transition.Wait();
        try
        {
            if (_holding)
            {
                _holding = false;
                _slots.Release();
            }
        }
        finally
        {
            _transition.Release();
        }
    }
}
