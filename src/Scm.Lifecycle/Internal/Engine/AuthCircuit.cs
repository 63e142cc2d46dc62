using System.Runtime.CompilerServices;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// The account-wide credential circuit (F45): once SCM refuses the credentials, every SCM call fails fast without
/// reaching SCM (so the account is not locked by retries), except a probe that runs at a low rate. A successful probe
/// closes it; work resumes by itself.
/// </summary>
internal sealed class AuthCircuit
{
    private readonly object _gate = new();
    private DateTimeOffset? _openedAt;
    private DateTimeOffset _lastProbe;
    private string? _reason;

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _openedAt is not null;
            }
        }
    }

    public DateTimeOffset? OpenedAt
    {
        get
        {
            lock (_gate)
            {
                return _openedAt;
            }
        }
    }

    public string? Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>Opens the circuit; returns true when it was closed before (so the caller reports it once).</summary>
    public bool Open(DateTimeOffset now, string reason)
    {
        lock (_gate)
        {
            var wasClosed = _openedAt is null;
            _openedAt ??= now;
            _lastProbe = now;
            _reason = reason;
            return wasClosed;
        }
    }

    public bool Close()
    {
        lock (_gate)
        {
            var wasOpen = _openedAt is not null;
            _openedAt = null;
            _reason = null;
            return wasOpen;
        }
    }

    /// <summary>Whether a probe may run now (and reserves it).</summary>
    public bool TryBeginProbe(DateTimeOffset now, TimeSpan interval)
    {
        lock (_gate)
        {
            if (_openedAt is null || now - _lastProbe < interval)
            {
                return false;
            }

            _lastProbe = now;
            return true;
        }
    }
}

/// <summary>Wraps the gateway with the credential circuit: opens it on 401, fails fast while it is open.</summary>
internal sealed class CircuitGateway : IScmGateway
{
    private readonly IScmGateway _inner;
    private readonly AuthCircuit _circuit;
    private readonly TimeProvider _time;

    public CircuitGateway(IScmGateway inner, AuthCircuit circuit, TimeProvider time)
    {
        _inner = inner;
        _circuit = circuit;
        _time = time;
    }

    /// <summary>The gateway without the circuit, for probes.</summary>
    public IScmGateway Inner => _inner;

    public Task<(long SslId, string? RenewId)> EnrollAsync(EnrollCommand command, CancellationToken cancellationToken) => Guard(() => _inner.EnrollAsync(command, cancellationToken));

    public Task<long> RenewByIdAsync(long sslId, string csrPem, CancellationToken cancellationToken) => Guard(() => _inner.RenewByIdAsync(sslId, csrPem, cancellationToken));

    public Task ReplaceAsync(long sslId, ReplaceCommand command, CancellationToken cancellationToken) => Guard(async () =>
    {
        await _inner.ReplaceAsync(sslId, command, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public Task<ScmOrderView> GetOrderAsync(long sslId, CancellationToken cancellationToken) => Guard(() => _inner.GetOrderAsync(sslId, cancellationToken));

    public Task UpdateCommentsAsync(long sslId, string comments, CancellationToken cancellationToken) => Guard(async () =>
    {
        await _inner.UpdateCommentsAsync(sslId, comments, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public async IAsyncEnumerable<long> ListSslIdsByCommonNameAsync(string commonName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfOpen();
        var enumerator = _inner.ListSslIdsByCommonNameAsync(commonName, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (ScmCallException ex) when (ex.Kind == SubmitFailureKind.Unauthorized)
                {
                    _circuit.Open(_time.GetUtcNow(), ex.Message);
                    throw;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task<(IReadOnlyList<long> SslIds, int? TotalCount)> ListPageAsync(string? status, int position, int size, CancellationToken cancellationToken) =>
        Guard(() => _inner.ListPageAsync(status, position, size, cancellationToken));

    public Task<ScmCollectOutcome> CollectAsync(long sslId, CancellationToken cancellationToken) => Guard(() => _inner.CollectAsync(sslId, cancellationToken));

    public Task RevokeAsync(long sslId, int reasonCode, string reason, CancellationToken cancellationToken) => Guard(async () =>
    {
        await _inner.RevokeAsync(sslId, reasonCode, reason, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public Task DeclineAsync(long sslId, string message, CancellationToken cancellationToken) => Guard(async () =>
    {
        await _inner.DeclineAsync(sslId, message, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public Task<ScmPasswordState> GetPasswordStateAsync(CancellationToken cancellationToken) => Guard(() => _inner.GetPasswordStateAsync(cancellationToken));

    public Task<IReadOnlyList<CatalogOrganization>> ListOrganizationsAsync(CancellationToken cancellationToken) => Guard(() => _inner.ListOrganizationsAsync(cancellationToken));

    public async IAsyncEnumerable<int> ListDomainIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfOpen();
        await foreach (var id in _inner.ListDomainIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return id;
        }
    }

    public Task<CatalogDomain> GetDomainAsync(int domainId, CancellationToken cancellationToken) => Guard(() => _inner.GetDomainAsync(domainId, cancellationToken));

    public Task<IReadOnlyList<CatalogProfile>> ListProfilesAsync(int? organizationId, CancellationToken cancellationToken) => Guard(() => _inner.ListProfilesAsync(organizationId, cancellationToken));

    public Task<IReadOnlyList<CatalogCustomField>> ListCustomFieldsAsync(CancellationToken cancellationToken) => Guard(() => _inner.ListCustomFieldsAsync(cancellationToken));

    public Task<IReadOnlyList<ScmOrganizationValidation>> ListOrganizationValidationsAsync(int organizationId, CancellationToken cancellationToken) =>
        Guard(() => _inner.ListOrganizationValidationsAsync(organizationId, cancellationToken));

    // A password change is how an expired password (an open circuit) gets fixed: never held back by the circuit.
    public Task<ScmDcvStatus> GetDcvStatusAsync(string domain, CancellationToken cancellationToken) => Guard(() => _inner.GetDcvStatusAsync(domain, cancellationToken));

    public Task<ScmDcvStep> StartDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken) =>
        Guard(() => _inner.StartDcvAsync(domain, method, cancellationToken));

    public Task<ScmDcvStep> SubmitDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken) =>
        Guard(() => _inner.SubmitDcvAsync(domain, method, cancellationToken));

    public Task ChangePasswordAsync(string newPassword, CancellationToken cancellationToken) => _inner.ChangePasswordAsync(newPassword, cancellationToken);

    public void UsePassword(string password) => _inner.UsePassword(password);

    private void ThrowIfOpen()
    {
        if (_circuit.IsOpen)
        {
            throw new ScmCallException(SubmitFailureKind.NotSent,
                $"SCM refused the credentials at {_circuit.OpenedAt:O}; SCM calls are paused until a probe succeeds (check the credentials, then run the account check).",
                null, 401, null, new InvalidOperationException("Credential circuit open."));
        }
    }

    private async Task<T> Guard<T>(Func<Task<T>> call)
    {
        ThrowIfOpen();
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ScmCallException ex) when (ex.Kind == SubmitFailureKind.Unauthorized)
        {
            _circuit.Open(_time.GetUtcNow(), ex.Message);
            throw;
        }
    }
}
