using System.Globalization;
using Scm.Client.Internal;
using Scm.Client.Internal.Wire;

namespace Scm.Client;

/// <summary>
/// Domain control validation (<c>/dcv</c>): list validations, read one domain's status, and start and submit a validation
/// by CNAME, HTTP, HTTPS, TXT or e-mail. Reached through <see cref="ScmClient.Dcv"/>.
/// </summary>
/// <remarks>
/// <para>
/// Paths follow <see cref="ScmClientOptions.ApiVersion"/>: <c>dcv/v1/validation/...</c> under
/// <see cref="ScmApiVersion.Rest25_5"/>, <c>dcv/v2/validation/...</c> under <see cref="ScmApiVersion.Admin25_9"/> (the only
/// version its document lists); the status is <c>dcv/v2/validation/status</c> in both. Arguments are checked before
/// anything is sent. Every call but the list is a POST and is sent once.
/// </para>
/// <para>
/// A validation is started (the answer says which DNS record, file or e-mail address proves control), the proof is put in
/// place, then submitted. TXT has no start: both documents say to submit directly, and the submit's answer carries the
/// record (<see cref="DcvSubmitResult.Host"/>, <see cref="DcvSubmitResult.Point"/>), which SCM then checks periodically.
/// SCM answers 400 <see cref="ScmErrorCodes.DcvNotEnabled"/> (-1608) when DCV is not enabled for the customer.
/// </para>
/// </remarks>
public sealed class DcvClient
{
    private readonly ScmTransport _transport;

    internal DcvClient(ScmTransport transport) => _transport = transport;

    private ScmApiVersion Api => _transport.Options.ApiVersion;

    private bool Admin => Api == ScmApiVersion.Admin25_9;

    /// <summary>Lists domain validations lazily, page by page, until <c>X-Total-Count</c> rows were received (without the header, until a short page).</summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The validations; empty when none.</returns>
    /// <exception cref="ArgumentException">A filter value breaks a documented rule; the message names it.</exception>
    public IAsyncEnumerable<DcvValidationSummary> ListAsync(DcvListFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ValidateFilter(filter);
        return ScmPaging.WalkAsync(_transport.Options.PageSize, (position, size, ct) => ListPageAsync(filter, position, size, ct), cancellationToken);
    }

    /// <summary>Gets one page of domain validations with SCM's total count.</summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="position">0-based offset.</param>
    /// <param name="size">Rows per page, 1..200.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException">An argument or filter value breaks a documented rule; the message names it.</exception>
    public Task<ScmPage<DcvValidationSummary>> ListPageAsync(DcvListFilter? filter, int position, int size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (size is < 1 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "size must be 1..200; got " + size.ToString(CultureInfo.InvariantCulture) + ".");
        }

        ValidateFilter(filter);
        var api = Api;
        var query = new QueryBuilder().Add("size", size).Add("position", position)
            .Add("domain", filter?.Domain)
            .Add("org", filter?.OrganizationId)
            .Add("department", filter?.DepartmentId)
            .Add("dcvStatus", filter?.Status is { } status ? ScmVocabulary.Wire(api, ScmVocabulary.DcvStatus, status.Value, "filter.Status") : null)
            .Add("orderStatus", filter?.OrderStatus is { } order ? ScmVocabulary.Wire(api, ScmVocabulary.DcvOrderStatus, order.Value, "filter.OrderStatus") : null)
            .Add("expiresIn", filter?.ExpiresInDays);
        var op = Admin ? ScmOperations.DcvListAdmin : ScmOperations.DcvListRest;
        return _transport.SendAsync(op, op.Format(null) + query, null, (position, size), static async (r, s, ct) =>
        {
            await r.EnsureSuccessAsync(ct).ConfigureAwait(false);
            var total = SslCertificatesClient.ParseTotal(r, required: false);
            var items = await r.ReadJsonAsync(ScmJsonContext.Default.IReadOnlyListDcvValidationSummary, ct).ConfigureAwait(false);
            return new ScmPage<DcvValidationSummary>(items, s.position, s.size, total);
        }, cancellationToken);
    }

    /// <summary>Gets the validation details of one domain (<c>POST /dcv/v2/validation/status</c>).</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status, dates, and the pending order's challenge.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    public Task<DcvValidationDetails> GetStatusAsync(string domain, CancellationToken cancellationToken = default)
    {
        Guard.DomainName(domain, nameof(domain));
        var op = ScmOperations.DcvStatus;
        return _transport.SendJsonAsync(op, op.Format(null), new DcvDomainWire { Domain = domain }, ScmJsonContext.Default.DcvDomainWire, ScmJsonContext.Default.DcvValidationDetails, cancellationToken);
    }

    /// <summary>Starts a CNAME validation: the answer names the record to create.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The CNAME record to create.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    public Task<DcvCnameChallenge> StartCnameAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvStartCnameRest, ScmOperations.DcvStartCnameAdmin, domain, ScmJsonContext.Default.DcvCnameChallenge, cancellationToken);

    /// <summary>Starts an HTTP validation: the answer names the file to serve on port 80.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The URL and the file's two lines.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    public Task<DcvHttpChallenge> StartHttpAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvStartHttpRest, ScmOperations.DcvStartHttpAdmin, domain, ScmJsonContext.Default.DcvHttpChallenge, cancellationToken);

    /// <summary>Starts an HTTPS validation: the answer names the file to serve on port 443.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The URL and the file's two lines.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    public Task<DcvHttpChallenge> StartHttpsAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvStartHttpsRest, ScmOperations.DcvStartHttpsAdmin, domain, ScmJsonContext.Default.DcvHttpChallenge, cancellationToken);

    /// <summary>Starts an e-mail validation: the answer lists the addresses SCM can mail.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The addresses; pass one to <see cref="SubmitEmailAsync"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    public Task<DcvEmailChallenge> StartEmailAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvStartEmailRest, ScmOperations.DcvStartEmailAdmin, domain, ScmJsonContext.Default.DcvEmailChallenge, cancellationToken);

    /// <summary>Submits a started CNAME validation once the record is in DNS.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domain's status after the submit.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    /// <exception cref="ScmRequestException">SCM refused, for example -1603 when its check failed.</exception>
    public Task<DcvSubmitResult> SubmitCnameAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvSubmitCnameRest, ScmOperations.DcvSubmitCnameAdmin, domain, ScmJsonContext.Default.DcvSubmitResult, cancellationToken);

    /// <summary>Submits a started HTTP validation once the file is served.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domain's status after the submit.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    /// <exception cref="ScmRequestException">SCM refused, for example -1603 when its check failed.</exception>
    public Task<DcvSubmitResult> SubmitHttpAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvSubmitHttpRest, ScmOperations.DcvSubmitHttpAdmin, domain, ScmJsonContext.Default.DcvSubmitResult, cancellationToken);

    /// <summary>Submits a started HTTPS validation once the file is served.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domain's status after the submit.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    /// <exception cref="ScmRequestException">SCM refused, for example -1603 when its check failed.</exception>
    public Task<DcvSubmitResult> SubmitHttpsAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvSubmitHttpsRest, ScmOperations.DcvSubmitHttpsAdmin, domain, ScmJsonContext.Default.DcvSubmitResult, cancellationToken);

    /// <summary>
    /// Submits a TXT validation (there is no start). The answer names the TXT record (<see cref="DcvSubmitResult.Host"/>,
    /// <see cref="DcvSubmitResult.Point"/>); once it is in DNS, SCM's periodic check validates the domain (watch
    /// <see cref="GetStatusAsync"/>), and a second submit asks for a check now.
    /// </summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domain's status and the TXT record.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is missing or not a bare domain name.</exception>
    public Task<DcvSubmitResult> SubmitTxtAsync(string domain, CancellationToken cancellationToken = default) =>
        Send(ScmOperations.DcvSubmitTxtRest, ScmOperations.DcvSubmitTxtAdmin, domain, ScmJsonContext.Default.DcvSubmitResult, cancellationToken);

    /// <summary>Submits an e-mail validation: SCM mails <paramref name="email"/>, and the domain is validated when its link is followed.</summary>
    /// <param name="domain">The domain, 3..255 characters.</param>
    /// <param name="email">One of the addresses <see cref="StartEmailAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domain's status and the mail's reference number.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> or <paramref name="email"/> is missing or malformed.</exception>
    public Task<DcvSubmitResult> SubmitEmailAsync(string domain, string email, CancellationToken cancellationToken = default)
    {
        Guard.DomainName(domain, nameof(domain));
        Guard.Email(email, nameof(email));
        var op = Admin ? ScmOperations.DcvSubmitEmailAdmin : ScmOperations.DcvSubmitEmailRest;
        return _transport.SendJsonAsync(op, op.Format(null), new DcvEmailSubmitWire { Domain = domain, Email = email }, ScmJsonContext.Default.DcvEmailSubmitWire, ScmJsonContext.Default.DcvSubmitResult, cancellationToken);
    }

    private Task<T> Send<T>(ScmOperation rest, ScmOperation admin, string domain, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, CancellationToken cancellationToken)
    {
        Guard.DomainName(domain, nameof(domain));
        var op = Admin ? admin : rest;
        return _transport.SendJsonAsync(op, op.Format(null), new DcvDomainWire { Domain = domain }, ScmJsonContext.Default.DcvDomainWire, info, cancellationToken);
    }

    private static void ValidateFilter(DcvListFilter? filter)
    {
        if (filter is null)
        {
            return;
        }

        if (filter.Domain is { } domain)
        {
            Guard.Length(domain, 1, 255, "filter.Domain");
        }

        if (filter.OrganizationId is { } org)
        {
            Guard.Positive(org, "filter.OrganizationId");
        }

        if (filter.DepartmentId is { } department)
        {
            Guard.Positive(department, "filter.DepartmentId");
        }

        if (filter.ExpiresInDays is { } days)
        {
            Guard.Positive(days, "filter.ExpiresInDays");
        }
    }
}
