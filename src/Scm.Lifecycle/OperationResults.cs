using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>How serious an account check finding is.</summary>
public enum FindingSeverity
{
    /// <summary>All good.</summary>
    Ok = 0,

    /// <summary>Works, but something will bite (for example the password expires soon).</summary>
    Warning = 1,

    /// <summary>Ordering cannot work until this is fixed.</summary>
    Error = 2,
}

/// <summary>One finding of an account check.</summary>
/// <param name="Check">What was checked, e.g. <c>credentials</c>, <c>organizations</c>, <c>domains</c>, <c>profiles</c>.</param>
/// <param name="Severity">How serious.</param>
/// <param name="Message">What was found and what to do, in words safe to show.</param>
public sealed record AccountCheckFinding(string Check, FindingSeverity Severity, string Message);

/// <summary>The outcome of <see cref="ICertificateLifecycle.CheckAccountAsync"/>.</summary>
public sealed record AccountCheckResult
{
    /// <summary>Whether certificates can be ordered: credentials work, and SCM shows an organization with validated domains and certificate profiles.</summary>
    public required bool IsReady { get; init; }

    /// <summary>Everything that was checked, in order.</summary>
    public required IReadOnlyList<AccountCheckFinding> Findings { get; init; }

    /// <summary>Organizations and departments visible to the account.</summary>
    public int Organizations { get; init; }

    /// <summary>Domains that are delegated, active and DCV-validated.</summary>
    public int ValidatedDomains { get; init; }

    /// <summary>Certificate profiles visible to the account.</summary>
    public int Profiles { get; init; }

    /// <summary>The state of the API admin's password (<c>ALIVE</c>, <c>EXPIRED</c>, <c>NEVER_EXPIRE</c>), when SCM reported it.</summary>
    public string? PasswordState { get; init; }

    /// <summary>When the API admin's password expires, when SCM reported it.</summary>
    public DateOnly? PasswordExpires { get; init; }
}

/// <summary>The outcome of <see cref="ICertificateLifecycle.SyncCatalogAsync"/>.</summary>
/// <param name="Catalog">The stored snapshot.</param>
/// <param name="Duration">How long the sync took.</param>
public sealed record CatalogSyncResult(ScmAccountCatalog Catalog, TimeSpan Duration);

/// <summary>What to import from SCM.</summary>
public sealed record ImportRequest
{
    /// <summary>Only orders with these SCM statuses (e.g. <c>Issued</c>, <c>Applied</c>); empty imports every status that can be managed.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = [];

    /// <summary>Continue from the last checkpoint of an interrupted import with the same filter (default true).</summary>
    public bool Resume { get; init; } = true;

    /// <summary>Also import issued certificates that have already expired (default false).</summary>
    public bool IncludeExpired { get; init; }
}

/// <summary>Why an import skipped an SCM order (it is not imported).</summary>
public enum ImportSkipReason
{
    /// <summary>Expired: SCM's status is <c>Expired</c>, or the order is issued but past its expiry date (and <see cref="ImportRequest.IncludeExpired"/> is off).</summary>
    Expired = 0,

    /// <summary>SCM's status is <c>Revoked</c>.</summary>
    Revoked = 1,

    /// <summary>SCM's status is <c>Declined</c> (an administrator declined the request).</summary>
    Declined = 2,

    /// <summary>SCM's status is <c>Rejected</c> (the CA rejected the request).</summary>
    Rejected = 3,

    /// <summary>SCM's status is <c>Invalid</c> (processing failed in SCM).</summary>
    Invalid = 4,

    /// <summary>SCM's status is <c>Replaced</c> (superseded by a reissue).</summary>
    Replaced = 5,

    /// <summary>SCM's status is <c>Unmanaged</c> (deprecated by SCM).</summary>
    Unmanaged = 6,
}

/// <summary>Progress of an import.</summary>
public sealed record ImportProgress
{
    /// <summary>SCM's total for the filter (from <c>X-Total-Count</c>), when known.</summary>
    public int? Total { get; init; }

    /// <summary>Orders looked at so far (including those resumed past).</summary>
    public int Processed { get; init; }

    /// <summary>New certificates or pending orders added (those in <see cref="NeedsReview"/> included).</summary>
    public int Imported { get; init; }

    /// <summary>Orders already known locally (nothing imported twice).</summary>
    public int AlreadyKnown { get; init; }

    /// <summary>Orders not importable: the sum of <see cref="SkippedBy"/>.</summary>
    public int Skipped { get; init; }

    /// <summary>Skipped orders by reason (only reasons that occurred).</summary>
    public IReadOnlyDictionary<ImportSkipReason, int> SkippedBy { get; init; } = new Dictionary<ImportSkipReason, int>();

    /// <summary>
    /// Orders in a status the SDK does not know: imported as open orders and followed like pending ones (SCM's status kept
    /// verbatim in <see cref="CertificateOrder.ScmStatus"/>), counted in <see cref="Imported"/> and listed in
    /// <see cref="ImportResult.NeedsReview"/> for an operator to look at.
    /// </summary>
    public int NeedsReview { get; init; }

    /// <summary>Orders whose import failed (retried by the next import).</summary>
    public int Failed { get; init; }

    /// <summary>
    /// Set on a report made because SCM is failing (its circuit breaker is open): how long the import pauses before it
    /// resumes by itself; <see langword="null"/> on the other reports.
    /// </summary>
    public TimeSpan? PausedFor { get; init; }
}

/// <summary>One order that could not be imported.</summary>
/// <param name="SslId">SCM sslId.</param>
/// <param name="Reason">Why.</param>
public sealed record ImportFailure(long SslId, string Reason);

/// <summary>An order imported in a status the SDK does not know, for an operator to review.</summary>
/// <param name="SslId">SCM sslId.</param>
/// <param name="OrderId">The local order that follows it.</param>
/// <param name="ScmStatus">SCM's status, verbatim.</param>
public sealed record ImportReviewItem(long SslId, Guid OrderId, string ScmStatus);

/// <summary>The outcome of <see cref="ICertificateLifecycle.ImportExistingOrdersAsync"/>.</summary>
public sealed record ImportResult
{
    /// <summary>Final counts.</summary>
    public required ImportProgress Progress { get; init; }

    /// <summary>Orders that failed to import.</summary>
    public IReadOnlyList<ImportFailure> Failures { get; init; } = [];

    /// <summary>Orders imported in a status the SDK does not know (followed as open orders), for review.</summary>
    public IReadOnlyList<ImportReviewItem> NeedsReview { get; init; } = [];

    /// <summary>Local orders whose unknown submission outcome the import resolved (their token was found in SCM).</summary>
    public int Reconciled { get; init; }

    /// <summary>Whether the import resumed an interrupted one.</summary>
    public bool Resumed { get; init; }

    /// <summary>How long the import paused in all because SCM was failing (its circuit breaker was open).</summary>
    public TimeSpan Paused { get; init; }
}

/// <summary>The outcome of checking one order.</summary>
public sealed record StatusCheckResult
{
    /// <summary>The order after the check.</summary>
    public required CertificateOrder Order { get; init; }

    /// <summary>The order's state before the check.</summary>
    public required OrderState PreviousState { get; init; }

    /// <summary>The certificate installed by this check, if any.</summary>
    public ManagedCertificate? InstalledCertificate { get; init; }

    /// <summary>Whether the order was skipped because another instance (or task) is working on it.</summary>
    public bool Skipped { get; init; }

    /// <summary>What happened, in words.</summary>
    public string? Message { get; init; }
}

/// <summary>The outcome of checking every pending order.</summary>
public sealed record StatusScanResult
{
    /// <summary>Each order's result.</summary>
    public required IReadOnlyList<StatusCheckResult> Results { get; init; }

    /// <summary>Orders looked at.</summary>
    public int Checked => Results.Count;

    /// <summary>Certificates installed.</summary>
    public int Installed => Results.Count(r => r.InstalledCertificate is not null);

    /// <summary>Orders that ended in a failure state during the scan.</summary>
    public int Failed => Results.Count(r => r.Order.State is OrderState.Failed or OrderState.InvalidCertificate && r.PreviousState != r.Order.State);

    /// <summary>Orders still open after the scan.</summary>
    public int StillPending => Results.Count(r => r.Order.IsOpen);
}

/// <summary>A certificate's keystore and password, for hosts that deploy themselves. Holds secrets: never log it.</summary>
public sealed class CertificateKeystore
{
    /// <summary>Creates a keystore result.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <param name="content">The keystore bytes.</param>
    /// <param name="password">The keystore password.</param>
    public CertificateKeystore(ManagedCertificate certificate, ReadOnlyMemory<byte> content, string password)
    {
        Certificate = certificate;
        Content = content;
        Password = password;
    }

    /// <summary>The certificate.</summary>
    public ManagedCertificate Certificate { get; }

    /// <summary>The keystore (PKCS#12, JKS, or PEM with an encrypted key).</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The keystore password.</summary>
    public string Password { get; }

    /// <summary>The keystore type.</summary>
    public KeystoreType Type => Certificate.KeystoreType;

    /// <inheritdoc />
    public override string ToString() => $"CertificateKeystore {{ CertificateId = {Certificate.Id}, Type = {Type}, Content = ({Content.Length} bytes), Password = *** }}";
}
