using Scm.Lifecycle.Deployment;
using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>
/// The one entry point a host uses to manage SCM-issued certificates: link and check the account, sync its catalog,
/// import existing orders, order certificates with locally generated keys, follow them until they are issued,
/// collect them into the inventory and deploy them. Every operation is async, cancellable and safe to call from
/// several threads and several processes sharing one store; outcomes are result records, bad input a
/// <see cref="CertificateRequestValidationException"/> raised before anything is sent or stored.
/// </summary>
public interface ICertificateLifecycle
{
    /// <summary>Raised after each lifecycle event was stored (also delivered to registered <see cref="ILifecycleEventHandler"/>s).</summary>
    event EventHandler<LifecycleEvent>? EventRaised;

    /// <summary>Checks that the account can order: credentials, organizations, validated domains, profiles.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Findings; never throws for an account problem.</returns>
    Task<AccountCheckResult> CheckAccountAsync(CancellationToken cancellationToken = default);

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
