using System.Security.Cryptography.X509Certificates;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>What the engine reads of an SCM SSL order.</summary>
internal sealed record ScmOrderView
{
    public required long SslId { get; init; }

    public required string Status { get; init; }

    public string? CommonName { get; init; }

    public IReadOnlyList<string> SubjectAlternativeNames { get; init; } = [];

    public string? Comments { get; init; }

    public int? OrganizationId { get; init; }

    public int? ProfileId { get; init; }

    public int? TermDays { get; init; }

    public DateOnly? Requested { get; init; }

    public DateOnly? Expires { get; init; }

    public string? SerialNumber { get; init; }

    public bool Renewed { get; init; }

    public DateOnly? ReplacedOn { get; init; }

    public string? KeyType { get; init; }

    public string? AutoRenewState { get; init; }

    public int? AutoRenewDaysBeforeExpiration { get; init; }

    public string? OrderNumber { get; init; }

    public string? RequestedVia { get; init; }
}

/// <summary>The collected certificates of an order, or "not yet".</summary>
internal sealed record ScmCollectOutcome(bool IsReady, X509Certificate2Collection? Certificates, X509Certificate2? StructuralLeaf, int? NotReadyCode, string? NotReadyDescription);

/// <summary>How a POST to SCM ended when it did not succeed.</summary>
internal enum SubmitFailureKind
{
    /// <summary>SCM refused the request (a 4xx with an SCM code): nothing was created.</summary>
    Rejected,

    /// <summary>Credentials were refused (401): nothing was created.</summary>
    Unauthorized,

    /// <summary>The request never left (connection refused, name not resolved): nothing was created.</summary>
    NotSent,

    /// <summary>429: SCM documents nothing about it, so the order is reconciled before any re-submission.</summary>
    RateLimited,

    /// <summary>
    /// SCM refused the request with a code that means "not now" (a 4xx with -140 CSR decoding temporarily unavailable,
    /// -195 CA not available, or -3114 modified by another user): nothing was created, and the same request may be sent
    /// again after a backoff.
    /// </summary>
    Unavailable,

    /// <summary>Timeout, 5xx, dropped connection, malformed answer: the order may exist.</summary>
    Ambiguous,
}

/// <summary>A classified failure of an SCM call.</summary>
internal sealed class ScmCallException : Exception
{
    public ScmCallException(SubmitFailureKind kind, string message, int? scmErrorCode, int? httpStatus, TimeSpan? retryAfter, Exception inner)
        : base(message, inner)
    {
        Kind = kind;
        ScmErrorCode = scmErrorCode;
        HttpStatus = httpStatus;
        RetryAfter = retryAfter;
    }

    public SubmitFailureKind Kind { get; }

    public int? ScmErrorCode { get; }

    public int? HttpStatus { get; }

    public TimeSpan? RetryAfter { get; }
}

/// <summary>An SCM enroll as the engine builds it.</summary>
internal sealed record EnrollCommand(
    int OrganizationId,
    string CsrPem,
    int ProfileId,
    int TermDays,
    IReadOnlyList<string> SubjectAlternativeNames,
    string Comments,
    IReadOnlyList<string> ExternalRequesters,
    IReadOnlyList<CustomFieldValue> CustomFields);

/// <summary>An SCM replace (reissue) as the engine builds it.</summary>
internal sealed record ReplaceCommand(string CsrPem, string Reason, string CommonName, IReadOnlyList<string> SubjectAlternativeNames);

/// <summary>The SCM account's state of the admin password.</summary>
internal sealed record ScmPasswordState(string? State, DateOnly? ExpirationDate);

/// <summary>An organization validation: <see cref="Kind"/> is <c>OV</c> or <c>EV</c> (SSL), or another kind SCM names.</summary>
internal sealed record ScmOrganizationValidation(string Kind, string? Status, DateTimeOffset? Expires);

/// <summary>A domain's control validation as SCM reports it (<c>dcv/v2/validation/status</c>).</summary>
internal sealed record ScmDcvStatus(string? Status, DateOnly? Expires, string? OrderStatus);

/// <summary>What SCM answered to a DCV start or submit: the record (CNAME, TXT) or file (HTTP, HTTPS) to put in place, and the status.</summary>
internal sealed record ScmDcvStep(string? Status, string? Host, string? Point, Uri? Url, string? FirstLine, string? SecondLine);

/// <summary>
/// The engine's only way to SCM. Every SCM quirk the engine relies on is handled behind it, and every failure of a
/// POST is classified (<see cref="ScmCallException"/>); GET failures surface as <see cref="ScmCallException"/> too.
/// </summary>
internal interface IScmGateway
{
    Task<(long SslId, string? RenewId)> EnrollAsync(EnrollCommand command, CancellationToken cancellationToken);

    Task<long> RenewByIdAsync(long sslId, string csrPem, CancellationToken cancellationToken);

    Task ReplaceAsync(long sslId, ReplaceCommand command, CancellationToken cancellationToken);

    Task<ScmOrderView> GetOrderAsync(long sslId, CancellationToken cancellationToken);

    Task UpdateCommentsAsync(long sslId, string comments, CancellationToken cancellationToken);

    IAsyncEnumerable<long> ListSslIdsByCommonNameAsync(string commonName, CancellationToken cancellationToken);

    Task<(IReadOnlyList<long> SslIds, int? TotalCount)> ListPageAsync(string? status, int position, int size, CancellationToken cancellationToken);

    Task<ScmCollectOutcome> CollectAsync(long sslId, CancellationToken cancellationToken);

    Task RevokeAsync(long sslId, int reasonCode, string reason, CancellationToken cancellationToken);

    Task DeclineAsync(long sslId, string message, CancellationToken cancellationToken);

    Task<ScmPasswordState> GetPasswordStateAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogOrganization>> ListOrganizationsAsync(CancellationToken cancellationToken);

    IAsyncEnumerable<int> ListDomainIdsAsync(CancellationToken cancellationToken);

    Task<CatalogDomain> GetDomainAsync(int domainId, CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogProfile>> ListProfilesAsync(int? organizationId, CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogCustomField>> ListCustomFieldsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<ScmOrganizationValidation>> ListOrganizationValidationsAsync(int organizationId, CancellationToken cancellationToken);

    Task<ScmDcvStatus> GetDcvStatusAsync(string domain, CancellationToken cancellationToken);

    /// <summary>Starts a DCV of <paramref name="method"/> (CNAME, HTTP or HTTPS; TXT has no start): the challenge to publish.</summary>
    Task<ScmDcvStep> StartDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken);

    /// <summary>Submits a DCV of <paramref name="method"/>; for TXT the answer carries the record.</summary>
    Task<ScmDcvStep> SubmitDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken);

    /// <summary>Changes the admin password; on success the client signs later requests with it.</summary>
    Task ChangePasswordAsync(string newPassword, CancellationToken cancellationToken);

    /// <summary>Signs later requests with <paramref name="password"/> (after SCM was shown to hold it).</summary>
    void UsePassword(string password);
}
