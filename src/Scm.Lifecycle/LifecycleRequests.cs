using Scm.Client;
using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>How to renew a certificate (SCM renewById). By default: a new key of the same type, same keystore password.</summary>
public sealed record RenewCertificateRequest
{
    /// <summary>Reuse the current key instead of generating a new one (explicit opt-in; not possible for observe-only certificates).</summary>
    public bool ReuseKey { get; init; }

    /// <summary>Key algorithm of the new key (default: the current certificate's).</summary>
    public KeyAlgorithm? KeyAlgorithm { get; init; }

    /// <summary>RSA key size of the new key (default: the current certificate's).</summary>
    public int? KeySize { get; init; }

    /// <summary>EC curve of the new key (default: the current certificate's).</summary>
    public string? Curve { get; init; }

    /// <summary>A new keystore password; by default the current one is kept (or one is generated for an observe-only certificate).</summary>
    public string? KeystorePassword { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"RenewCertificateRequest {{ ReuseKey = {ReuseKey}, KeyAlgorithm = {KeyAlgorithm}, KeySize = {KeySize}, Curve = {Curve}, KeystorePassword = {(KeystorePassword is null ? "(keep)" : "***")} }}";
}

/// <summary>How a renewal, reissue or cancellation request ended.</summary>
public enum LifecycleOutcome
{
    /// <summary>Sent to SCM and accepted; the new certificate is collected when SCM issues it.</summary>
    Submitted = 0,

    /// <summary>Sent, but the outcome is unknown (timeout, 5xx); the engine reconciles with SCM before anything is re-sent.</summary>
    Pending = 1,

    /// <summary>The certificate already has an open order; nothing new was started.</summary>
    AlreadyInProgress = 2,

    /// <summary>SCM does not allow it (for example the profile forbids renewal, -180).</summary>
    NotAllowed = 3,

    /// <summary>It failed; see the message and the order.</summary>
    Failed = 4,

    /// <summary>Done (revoked, cancelled, deleted).</summary>
    Done = 5,

    /// <summary>
    /// Not sent to SCM because SCM would refuse it: a domain's control validation lapses and could not be revalidated
    /// (the message names the domain and why). Auto-renewal tries again on its next run.
    /// </summary>
    Deferred = 6,
}

/// <summary>The outcome of a renewal or reissue.</summary>
public sealed record LifecycleOrderResult
{
    /// <summary>How it ended.</summary>
    public required LifecycleOutcome Outcome { get; init; }

    /// <summary>The order (new, or the one already in progress).</summary>
    public CertificateOrder? Order { get; init; }

    /// <summary>A generated keystore password, returned only here. Never logged or printed.</summary>
    public string? GeneratedKeystorePassword { get; init; }

    /// <summary>What happened, in words.</summary>
    public required string Message { get; init; }

    /// <summary>Adjustments made to the request.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() =>
        $"LifecycleOrderResult {{ Outcome = {Outcome}, OrderId = {Order?.Id}, State = {Order?.State}, SslId = {Order?.SslId}, Message = {Message}, GeneratedKeystorePassword = {(GeneratedKeystorePassword is null ? "(none)" : "***")} }}";
}

/// <summary>How to reissue a certificate (SCM replace): a new key and CSR under the same sslId, with a reason.</summary>
public sealed record ReissueCertificateRequest
{
    /// <summary>Why (1..512 characters); sent to SCM.</summary>
    public required string Reason { get; init; }

    /// <summary>A new common name (default: the current one).</summary>
    public string? CommonName { get; init; }

    /// <summary>New subject alternative names (default: the current ones).</summary>
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>Key algorithm (default: the current certificate's).</summary>
    public KeyAlgorithm? KeyAlgorithm { get; init; }

    /// <summary>RSA key size (default: the current certificate's).</summary>
    public int? KeySize { get; init; }

    /// <summary>EC curve (default: the current certificate's).</summary>
    public string? Curve { get; init; }

    /// <summary>Keystore type (default: the current one).</summary>
    public KeystoreType? KeystoreType { get; init; }

    /// <summary>A new keystore password (default: keep the current one, or generate one for an observe-only certificate).</summary>
    public string? KeystorePassword { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"ReissueCertificateRequest {{ Reason = {Reason}, CommonName = {CommonName}, KeyAlgorithm = {KeyAlgorithm}, KeystoreType = {KeystoreType}, KeystorePassword = {(KeystorePassword is null ? "(keep)" : "***")} }}";
}

/// <summary>How to revoke a certificate.</summary>
public sealed record RevokeCertificateRequest
{
    /// <summary>RFC 5280 reason code; SCM allows 0, 1, 3, 4 and 5.</summary>
    public RevocationReason ReasonCode { get; init; } = RevocationReason.Unspecified;

    /// <summary>Comments sent to SCM (1..512 characters).</summary>
    public required string Reason { get; init; }

    /// <summary>Remove the local record once SCM confirmed the revocation (the audit keeps a record).</summary>
    public bool RemoveFromInventory { get; init; }
}

/// <summary>The outcome of a revocation.</summary>
public sealed record RevokeCertificateResult
{
    /// <summary><see cref="LifecycleOutcome.Done"/> when SCM confirmed (204, or already revoked).</summary>
    public required LifecycleOutcome Outcome { get; init; }

    /// <summary>The certificate as stored after the revocation (null when it was removed).</summary>
    public ManagedCertificate? Certificate { get; init; }

    /// <summary>Whether SCM reported it was already revoked (a retry after a lost local write).</summary>
    public bool WasAlreadyRevoked { get; init; }

    /// <summary>Whether the local record was removed.</summary>
    public bool Removed { get; init; }

    /// <summary>What happened.</summary>
    public required string Message { get; init; }
}

/// <summary>The outcome of a cancellation.</summary>
public sealed record CancelOrderResult
{
    /// <summary>How it ended.</summary>
    public required LifecycleOutcome Outcome { get; init; }

    /// <summary>The order after the call.</summary>
    public required CertificateOrder Order { get; init; }

    /// <summary>Whether SCM may still issue it (SCM cannot cancel an order it already sent to the CA); the engine keeps watching and reports it.</summary>
    public bool ScmMayStillIssue { get; init; }

    /// <summary>What happened and what SCM allowed.</summary>
    public required string Message { get; init; }
}

/// <summary>The outcome of a local deletion (SCM is never touched).</summary>
/// <param name="Deleted">Whether something was deleted.</param>
/// <param name="CertificatesRemoved">Certificate records removed.</param>
/// <param name="OrdersRemoved">Order records removed.</param>
/// <param name="Message">What happened.</param>
public sealed record DeleteResult(bool Deleted, int CertificatesRemoved, int OrdersRemoved, string Message);

/// <summary>Which certificates the auto-renewal policy covers (per-certificate opt-in/out still applies).</summary>
public enum AutoRenewSelection
{
    /// <summary>Every certificate with a local key.</summary>
    All = 0,

    /// <summary>Only the listed certificates.</summary>
    Listed = 1,

    /// <summary>Only certificates with one of the listed tags.</summary>
    Tagged = 2,

    /// <summary>Only certificates opted in one by one.</summary>
    OptedIn = 3,
}

/// <summary>The auto-renewal policy (stored, so hosts and the CLI share it; the configured options are its default).</summary>
public sealed record AutoRenewalPolicy
{
    /// <summary>Whether auto-renewal runs at all.</summary>
    public bool Enabled { get; init; }

    /// <summary>Renew this long before expiry (from the certificate's own NotAfter). When not shorter than the certificate's lifetime, renewal falls back to the last third of its lifetime.</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Which certificates are covered.</summary>
    public AutoRenewSelection Selection { get; init; }

    /// <summary>The certificates, for <see cref="AutoRenewSelection.Listed"/>.</summary>
    public IReadOnlyList<Guid> CertificateIds { get; init; } = [];

    /// <summary>The tags, for <see cref="AutoRenewSelection.Tagged"/>.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>What auto-renewal decided for one certificate.</summary>
public enum AutoRenewDecision
{
    /// <summary>A renewal was ordered.</summary>
    Renewed = 0,

    /// <summary>Not selected, observe-only, already renewing, or not renewable: nothing done (the reason says which).</summary>
    Skipped = 1,

    /// <summary>A previous attempt failed; the next is not before the given time.</summary>
    BackingOff = 2,

    /// <summary>The attempt failed; it backs off (1 h doubling, at most min(32 h, 10% of the remaining time)).</summary>
    Failed = 3,

    /// <summary>SCM renews this certificate itself (its auto-renew is scheduled): its renewal is adopted, never ordered twice.</summary>
    AdoptedScmRenewal = 4,

    /// <summary>Issued, but parked because the licence cap is reached.</summary>
    Parked = 5,

    /// <summary>Not ordered: a domain's control validation lapses and could not be revalidated; tried again on the next run.</summary>
    Deferred = 6,
}

/// <summary>One auto-renewal decision (also written to the audit trail with action <c>AutoRenew</c>).</summary>
/// <param name="CertificateId">The certificate.</param>
/// <param name="CommonName">Its common name.</param>
/// <param name="Decision">What was decided.</param>
/// <param name="Reason">Why.</param>
/// <param name="RenewAt">When renewal is (was) due, jitter included.</param>
/// <param name="OrderId">The renewal order, if one was created or is in progress.</param>
public sealed record AutoRenewalDecision(Guid CertificateId, string CommonName, AutoRenewDecision Decision, string Reason, DateTimeOffset RenewAt, Guid? OrderId);

/// <summary>The outcome of one auto-renewal run.</summary>
/// <param name="Policy">The policy applied.</param>
/// <param name="Decisions">Decisions for the certificates that were due (certificates not yet due are counted only).</param>
/// <param name="NotYetDue">Certificates looked at that are not due yet.</param>
public sealed record AutoRenewalRunResult(AutoRenewalPolicy Policy, IReadOnlyList<AutoRenewalDecision> Decisions, int NotYetDue);
