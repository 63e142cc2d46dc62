using System.Globalization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>Domains (<c>/domain/v1</c>). Reached through <see cref="ScmClient.Domains"/>.</summary>
public sealed class DomainsClient
{
    private readonly ScmTransport _transport;

    internal DomainsClient(ScmTransport transport) => _transport = transport;

    /// <summary>Lists domains lazily, page by page, until <c>X-Total-Count</c> rows were received (without the header, until a short page).</summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The domains; empty when none.</returns>
    public IAsyncEnumerable<DomainSummary> ListAsync(DomainListFilter? filter = null, CancellationToken cancellationToken = default) =>
        ScmPaging.WalkAsync(_transport.Options.PageSize, (position, size, ct) => ListPageAsync(filter, position, size, ct), cancellationToken);

    /// <summary>Gets one page of domains with SCM's total count.</summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="position">0-based offset.</param>
    /// <param name="size">Rows per page, 1..200.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public Task<ScmPage<DomainSummary>> ListPageAsync(DomainListFilter? filter, int position, int size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (size is < 1 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "size must be 1..200; got " + size.ToString(CultureInfo.InvariantCulture) + ".");
        }

        if (filter?.Name is { } name)
        {
            Guard.Length(name, 2, 256, "filter.Name");
        }

        if (filter?.OrganizationId is { } org)
        {
            Guard.Positive(org, "filter.OrganizationId");
        }

        var api = _transport.Options.ApiVersion;
        var query = new QueryBuilder().Add("size", size).Add("position", position)
            .Add("name", filter?.Name)
            .Add("state", filter?.State is { } state ? ScmVocabulary.Wire(api, ScmVocabulary.DomainState, state.Value, "filter.State") : null)
            .Add("status", filter?.DelegationStatus is { } status ? ScmVocabulary.Wire(api, ScmVocabulary.DomainDelegationStatus, status.Value, "filter.DelegationStatus") : null)
            .Add("orgId", filter?.OrganizationId);
        var uri = ScmOperations.DomainList.Format(null) + query;
        return _transport.SendAsync(ScmOperations.DomainList, uri, null, (position, size), static async (r, s, ct) =>
        {
            await r.EnsureSuccessAsync(ct).ConfigureAwait(false);
            var total = SslCertificatesClient.ParseTotal(r, required: false);
            var items = await r.ReadJsonAsync(ScmJsonContext.Default.IReadOnlyListDomainSummary, ct).ConfigureAwait(false);
            return new ScmPage<DomainSummary>(items, s.position, s.size, total);
        }, cancellationToken);
    }

    /// <summary>Gets a domain's details, including its validation status.</summary>
    /// <param name="domainId">The domain id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The details.</returns>
    public Task<DomainDetails> GetAsync(int domainId, CancellationToken cancellationToken = default)
    {
        Guard.Id(domainId, nameof(domainId));
        return _transport.GetJsonAsync(ScmOperations.DomainGet, ScmOperations.DomainGet.Format(null, domainId.ToString(CultureInfo.InvariantCulture)), ScmJsonContext.Default.DomainDetails, cancellationToken);
    }
}
