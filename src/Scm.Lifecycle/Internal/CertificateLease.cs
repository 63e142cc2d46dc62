using Scm.Storage;

namespace Scm.Lifecycle.Internal;

/// <summary>The lease this instance holds on a certificate or job was lost; the step stops without writing.</summary>
internal sealed class LeaseLostException : Exception
{
    public LeaseLostException(string name)
        : base($"The lease '{name}' is no longer held by this instance; it stopped, and the store refused its write.")
    {
    }
}

/// <summary>
/// A held store lease plus the in-process lock for the same name (so two ticks of this process never act on one
/// certificate at once). Released on dispose with a non-cancellable, time-bounded call; otherwise it expires.
/// </summary>
internal sealed class CertificateLease : IAsyncDisposable
{
    private readonly ILeaseProvider _provider;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly SemaphoreSlim _localLock;
    private int _disposed;

    private CertificateLease(ILeaseProvider provider, TimeProvider time, TimeSpan duration, SemaphoreSlim localLock, LeaseToken token)
    {
        _provider = provider;
        _time = time;
        _duration = duration;
        _localLock = localLock;
        Token = token;
    }

    public LeaseToken Token { get; private set; }

    public string Name => Token.Name;

    /// <summary>Acquires the in-process lock (waiting when <paramref name="wait"/>) and the store lease; null when either is held elsewhere.</summary>
    public static async Task<CertificateLease?> TryAcquireAsync(
        ILeaseProvider provider, LocalLocks locks, string name, string owner, TimeSpan duration, TimeProvider time, bool wait, CancellationToken cancellationToken)
    {
        var localLock = locks.For(name);
        if (wait)
        {
            await localLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!await localLock.WaitAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            var token = await provider.TryAcquireLeaseAsync(name, owner, duration, cancellationToken).ConfigureAwait(false);
            if (token is null)
            {
                localLock.Release();
                return null;
            }

            return new CertificateLease(provider, time, duration, localLock, token);
        }
        catch
        {
            localLock.Release();
            throw;
        }
    }

    /// <summary>
    /// Confirms with the store that the lease is still held, renewing it when less than <paramref name="minimumRemaining"/>
    /// is left. Called right before every POST to SCM.
    /// </summary>
    public async Task EnsureAsync(TimeSpan minimumRemaining, CancellationToken cancellationToken)
    {
        var current = await _provider.CheckLeaseAsync(Token, cancellationToken).ConfigureAwait(false) ?? throw new LeaseLostException(Name);
        Token = current;
        if (current.ExpiresAt - _time.GetUtcNow() < minimumRemaining)
        {
            Token = await _provider.RenewLeaseAsync(current, _duration, cancellationToken).ConfigureAwait(false) ?? throw new LeaseLostException(Name);
        }
    }

    /// <summary>Extends the lease when half of it is used up (cheap to call between steps).</summary>
    public async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        if (Token.ExpiresAt - _time.GetUtcNow() < _duration / 2)
        {
            Token = await _provider.RenewLeaseAsync(Token, _duration, cancellationToken).ConfigureAwait(false) ?? throw new LeaseLostException(Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            await _provider.ReleaseLeaseAsync(Token, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ScmStoreException)
        {
            // The lease expires by itself.
        }
        finally
        {
            _localLock.Release();
        }
    }
}

/// <summary>One semaphore per lease name, for in-process de-duplication.</summary>
internal sealed class LocalLocks
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public SemaphoreSlim For(string name) => _locks.GetOrAdd(name, static _ => new SemaphoreSlim(1, 1));
}
