using Scm.Lifecycle.Deployment;
using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>
/// The one entry point a host uses to manage SCM-issued certificates: link and check the account, sync its catalog,
/// import existing orders, order certificates with locally generated keys, follow them until they are issued,
/// collect them into the inventory and deploy them. Every operation is async, cancellable and safe to call from
/// several threads and several processes sharing one store; outcomes are result records, bad input a
/// <see cref="CertificateRequestValidationException"/> raised before anything is sent or stored.
/// Resolve it from DI (<c>AddSectigoCertificateManagement</c>) or create it with <see cref="CertificateLifecycleFactory"/>;
/// disposing it releases what it owns (the SCM client it created, in the non-DI case).
/// </summary>
public interface ICertificateLifecycle : IAsyncDisposable
{
    /// <summary>Raised after each lifecycle event was stored (also delivered to registered <see cref="ILifecycleEventHandler"/>s).</summary>
    event EventHandler<LifecycleEvent>? EventRaised;

    /// <summary>Checks that the account can order: credentials, organizations, validated domains, profiles.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Findings; never throws for an account problem.</returns>
    Task<AccountCheckResult> CheckAccountAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes the SCM API admin's password (password authentication), for example before it expires (the account check
    /// warns 14 days ahead). The new password goes to <paramref name="passwordStore"/> as pending before SCM is asked, is
    /// committed there once SCM holds it and before the engine relies on it, and is discarded when SCM does not change it;
    /// the running client switches to it as soon as SCM accepted it. A lost answer is settled by asking SCM which password it
    /// accepts. The password never appears in logs, audit entries, exceptions or the result.
    /// </summary>
    /// <param name="passwordStore">Where the host's configuration keeps the password (see <see cref="IScmPasswordStore"/>).</param>
    /// <param name="newPassword">The new password (1..32 characters, not the login; SCM's policy decides the rest); <see langword="null"/> generates a 24-character one that only the store receives.</param>
    /// <param name="cancellationToken">Cancellation (a change already sent is settled as described).</param>
    /// <returns>How it ended; never the password.</returns>
    /// <exception cref="InvalidOperationException">The engine does not use password authentication.</exception>
    /// <exception cref="ArgumentException">The new password breaks a rule checked before anything is stored or sent; the message names the rule, never the value.</exception>
    Task<ScmPasswordChangeResult> ChangeScmPasswordAsync(IScmPasswordStore passwordStore, string? newPassword = null, CancellationToken cancellationToken = default);

    /// <summary>Pulls organizations, domains, certificate profiles and custom fields into the catalog store.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored snapshot.</returns>
    Task<CatalogSyncResult> SyncCatalogAsync(CancellationToken cancellationToken = default);

    /// <summary>The last synced catalog.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The snapshot, or <see langword="null"/> if never synced.</returns>
    Task<ScmAccountCatalog?> GetCatalogAsync(CancellationToken cancellationToken = default);

    /// <summary>Imports existing SCM orders (upsert by sslId; issued ones are collected as observe-only certificates).</summary>
    /// <param name="request">Filter; all manageable statuses when <see langword="null"/>.</param>
    /// <param name="progress">Progress reports, one per page.</param>
    /// <param name="cancellationToken">Cancellation; a later call resumes from the last checkpoint.</param>
    /// <returns>Counts and failures.</returns>
    Task<ImportResult> ImportExistingOrdersAsync(ImportRequest? request = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Orders a certificate: validates the request against the synced catalog, generates the key and CSR locally,
    /// stores the order with the protected key BEFORE the enroll, enrolls once, and stores SCM's ids.
    /// </summary>
    /// <param name="request">What to order.</param>
    /// <param name="cancellationToken">Cancellation (an enroll already sent is still awaited and recorded).</param>
    /// <returns>The stored order and, if one was generated, the keystore password (returned only here).</returns>
    /// <exception cref="CertificateRequestValidationException">The request broke a rule; nothing was stored or sent.</exception>
    Task<OrderCertificateResult> OrderAsync(OrderCertificateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Checks one order with SCM now and moves it on (collects and installs it when issued).</summary>
    /// <param name="orderId">Order id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The order after the check.</returns>
    Task<StatusCheckResult> CheckStatusAsync(Guid orderId, CancellationToken cancellationToken = default);

    /// <summary>Checks every open order (or only those due for a follow-up).</summary>
    /// <param name="dueOnly">Only orders whose next attempt time has come.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One result per order looked at.</returns>
    Task<StatusScanResult> CheckPendingOrdersAsync(bool dueOnly = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renews a certificate now (SCM renewById) with a new key by default. The current certificate and key stay in service
    /// until the new pair is collected and verified; the lineage old -> new is kept.
    /// </summary>
    /// <param name="certificateId">The certificate.</param>
    /// <param name="request">Options (key reuse, key type, keystore password); defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The outcome (Submitted, AlreadyInProgress, NotAllowed for a profile that forbids renewal, ...).</returns>
    Task<LifecycleOrderResult> RenewAsync(Guid certificateId, RenewCertificateRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Reissues a certificate (SCM replace): new key and CSR, possibly new names and key type, same sslId.</summary>
    /// <param name="certificateId">The certificate.</param>
    /// <param name="request">The reissue, with a reason (1..512).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The outcome; the new certificate replaces the old one only once collected and verified.</returns>
    Task<LifecycleOrderResult> ReissueAsync(Guid certificateId, ReissueCertificateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Revokes a certificate at SCM; the local record changes only after SCM confirms.</summary>
    /// <param name="certificateId">The certificate.</param>
    /// <param name="request">Reason code (0, 1, 3, 4, 5), comments, and whether to remove the local record afterwards.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The outcome.</returns>
    Task<RevokeCertificateResult> RevokeAsync(Guid certificateId, RevokeCertificateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels an order that is not issued (declined in SCM while awaiting approval; otherwise closed locally and watched).</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="reason">Optional message for SCM (1..512).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The outcome, saying what SCM allowed.</returns>
    Task<CancelOrderResult> CancelOrderAsync(Guid orderId, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a certificate and its closed orders locally; SCM is untouched; the audit keeps a record.</summary>
    /// <param name="certificateId">The certificate.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What was removed.</returns>
    Task<DeleteResult> DeleteCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a closed order locally; SCM is untouched; the audit keeps a record.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What was removed.</returns>
    Task<DeleteResult> DeleteOrderAsync(Guid orderId, CancellationToken cancellationToken = default);

    /// <summary>The auto-renewal policy in force (stored, or the configured default).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The policy.</returns>
    Task<AutoRenewalPolicy> GetAutoRenewalPolicyAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores the auto-renewal policy (shared by every instance using the store).</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task SetAutoRenewalPolicyAsync(AutoRenewalPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Opts one certificate in or out of auto-renewal (or back to following the policy).</summary>
    /// <param name="certificateId">The certificate.</param>
    /// <param name="mode">The choice.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The certificate as stored.</returns>
    Task<ManagedCertificate> SetCertificateAutoRenewAsync(Guid certificateId, AutoRenewMode mode, CancellationToken cancellationToken = default);

    /// <summary>Runs the auto-renewal scan now (it also runs daily on the scheduler).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Every decision for the certificates that were due.</returns>
    Task<AutoRenewalRunResult> RunAutoRenewalAsync(CancellationToken cancellationToken = default);

    /// <summary>The auto-renewal audit trail (every decision), by time range and certificate, like SCM's "Auto-Renewal Audit".</summary>
    /// <param name="from">Inclusive start, or <see langword="null"/>.</param>
    /// <param name="to">Exclusive end, or <see langword="null"/>.</param>
    /// <param name="certificateId">Only this certificate, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The entries in order.</returns>
    Task<IReadOnlyList<AuditEntry>> GetAutoRenewalAuditAsync(DateTimeOffset? from = null, DateTimeOffset? to = null, Guid? certificateId = null, CancellationToken cancellationToken = default);

    /// <summary>Delivers a certificate to the registered deployment targets again.</summary>
    /// <param name="certificateId">Certificate id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Where it went.</returns>
    Task<IReadOnlyList<DeploymentOutcome>> DeployAsync(Guid certificateId, CancellationToken cancellationToken = default);

    /// <summary>The keystore of a certificate and its password, for hosts that deploy themselves.</summary>
    /// <param name="certificateId">Certificate id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The keystore.</returns>
    /// <exception cref="InvalidOperationException">The certificate is observe-only (no local key) or unknown.</exception>
    Task<CertificateKeystore> GetKeystoreAsync(Guid certificateId, CancellationToken cancellationToken = default);

    /// <summary>Reads an order.</summary>
    /// <param name="orderId">Order id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The order or <see langword="null"/>.</returns>
    Task<CertificateOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default);

    /// <summary>Reads a certificate.</summary>
    /// <param name="certificateId">Certificate id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The certificate or <see langword="null"/>.</returns>
    Task<ManagedCertificate?> GetCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default);

    /// <summary>Lists the inventory, page by page.</summary>
    /// <param name="status">Only certificates in this status.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The certificates, oldest first.</returns>
    IAsyncEnumerable<ManagedCertificate> ListCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default);

    /// <summary>Lists orders, page by page.</summary>
    /// <param name="states">Only orders in these states (all when empty or <see langword="null"/>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The orders, oldest first.</returns>
    IAsyncEnumerable<CertificateOrder> ListOrdersAsync(IReadOnlyList<OrderState>? states = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the audit trail.</summary>
    /// <param name="query">Time range, certificate, action.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Entries in order.</returns>
    Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
