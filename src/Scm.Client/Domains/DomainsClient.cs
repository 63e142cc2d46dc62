using System.Globalization;
using System.Runtime.CompilerServices;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>Domains (<c>/domain/v1</c>). Reached through <see cref="ScmClient.Domains"/>.</summary>
public sealed class DomainsClient
{
    private readonly ScmTransport _transport;

    internal DomainsClient(ScmTransport transport) => _transport = transport;

    /// <summary>Lists domains lazily, page by page.</summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The domains; empty when none.</returns>
    public async IAsyncEnumerable<DomainSummary> ListAsync(DomainListFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var size = _transport.Options.PageSize;
        var position = 0;
        while (true)
        {
            var page = await ListPageAsync(filter, position, size, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (page.Items.Count == 0 || page.Items.Count < size)
            {
                yield break;
            }

            position += page.Items.Count;
            if (page.TotalCount is { } total && position >= total)
            {
                yield break;
            }
        }
    }

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

        var query = new QueryBuilder().Add("size", size).Add("position", position)
            .Add("name", filter?.Name)
            .Add("state", filter?.State?.Value)
            .Add("status", filter?.DelegationStatus)
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
