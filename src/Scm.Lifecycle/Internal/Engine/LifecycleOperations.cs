using System.Security.Cryptography;
using System.Text;
using Scm.Client;
using Scm.Lifecycle.Internal.Crypto;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Lifecycle.Validation;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>Renew, reissue, revoke, cancel and delete: each a short persisted state machine under the certificate's lease.</summary>
internal sealed class LifecycleOperations
{
    private static readonly string[] s_terminalScmStatuses = ["Issued", "Declined", "Rejected", "Invalid", "Revoked", "Expired", "Replaced"];

    private readonly EngineContext _ctx;
    private readonly OrderWorkflow _workflow;
    private readonly OrderRequestValidator _validator;

    public LifecycleOperations(EngineContext context, OrderWorkflow workflow, OrderRequestValidator validator)
    {
        _ctx = context;
        _workflow = workflow;
        _validator = validator;
    }

    /// <summary>Renews a certificate: a separate Renewal order (new key by default); the current certificate stays in service until the new one is installed.</summary>
    /// <remarks>
    /// <c>held</c>: the certificate's lease, already held by the caller (auto-renewal's scan), with the certificate as read
    /// under it. The renewal runs under that lease instead of releasing and re-acquiring it, so another host can never
    /// slip in between the scan's decision and the order (and ask SCM the same question again). The caller keeps
    /// ownership and releases it.
    /// </remarks>
    public async Task<LifecycleOrderResult> RenewAsync(Guid certificateId, RenewCertificateRequest request, string actor, string action, CancellationToken cancellationToken,
        (CertificateLease Lease, ManagedCertificate Certificate)? held = null)
    {
        var certificate = held?.Certificate ?? await RequireCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false);
        if (certificate.Status != CertificateStatus.Active)
        {
            throw new InvalidOperationException($"Certificate {certificateId} is {certificate.Status}; only an active certificate can be renewed.");
        }

        if (certificate.SslId is null)
        {
            throw new InvalidOperationException($"Certificate {certificateId} has no SCM sslId; it cannot be renewed in SCM.");
        }

        if (request.ReuseKey && certificate.IsObserveOnly)
        {
            throw new CertificateRequestValidationException([new ValidationError("ReuseKey", "observe-only",
                "ReuseKey is not possible: the certificate is observe-only (imported without its key); renewal needs a fresh key.")]);
        }

        var errors = new List<ValidationError>();
        var algorithm = request.KeyAlgorithm ?? certificate.KeyAlgorithm ?? KeyAlgorithm.Rsa;
        var (keySize, curve) = OrderRequestValidator.ValidateKey(algorithm, request.KeySize ?? certificate.KeySize, request.Curve ?? certificate.Curve,
            await ProfileAsync(certificate.ProfileId, cancellationToken).ConfigureAwait(false), errors);
        _validator.ValidateKeystorePassword(request.KeystorePassword, certificate.KeystoreType, errors);
        if (errors.Count > 0)
        {
            throw new CertificateRequestValidationException(errors);
        }

        var names = certificate.SubjectAlternativeNames.Prepend(certificate.CommonName).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (await DeferForDcvAsync(certificate, names, actor, action, cancellationToken).ConfigureAwait(false) is { } deferred)
        {
            return deferred;
        }

        var (protectedPassword, generated) = await PasswordAsync(request.KeystorePassword, certificate, cancellationToken).ConfigureAwait(false);
        var order = NewOrder(certificate, OrderKind.Renewal, new CertificateOrderRequest
        {
            CommonName = certificate.CommonName,
            SubjectAlternativeNames = names,
            OrganizationId = certificate.OrganizationId ?? 0,
            ProfileId = certificate.ProfileId ?? 0,
            TermDays = certificate.TermDays ?? 0,
            KeyAlgorithm = algorithm,
            KeySize = keySize,
            Curve = curve,
            KeystoreType = certificate.KeystoreType,
            ReuseKey = request.ReuseKey,
            Tags = certificate.Tags,
            AutoRenew = certificate.AutoRenew,
        }, protectedPassword);
        return await StartAsync(order, certificate, generated, actor, action, $"Renewal of {certificate.CommonName} (sslId {certificate.SslId}) requested.", [], cancellationToken, held?.Lease).ConfigureAwait(false);
    }

    /// <summary>Reissues a certificate (SCM replace): new key and CSR, possibly new names and key type, same sslId.</summary>
    public async Task<LifecycleOrderResult> ReissueAsync(Guid certificateId, ReissueCertificateRequest request, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var certificate = await RequireCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false);
        if (certificate.Status != CertificateStatus.Active || certificate.SslId is null)
        {
            throw new InvalidOperationException($"Certificate {certificateId} is {certificate.Status}{(certificate.SslId is null ? " without an sslId" : string.Empty)}; only an active SCM certificate can be reissued.");
        }

        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > CertificateRequestLimits.MaxReasonLength)
        {
            errors.Add(new ValidationError("Reason", "length", $"Reason must be 1-{CertificateRequestLimits.MaxReasonLength} characters; got {request.Reason?.Length ?? 0}."));
        }

        var notices = new List<string>();
        var (cn, names) = _validator.ValidateNames(request.CommonName ?? certificate.CommonName,
            request.SubjectAlternativeNames ?? certificate.SubjectAlternativeNames, errors, notices);
        var algorithm = request.KeyAlgorithm ?? certificate.KeyAlgorithm ?? KeyAlgorithm.Rsa;
        var keySizeDefault = request.KeyAlgorithm is null ? certificate.KeySize : null;
        var curveDefault = request.KeyAlgorithm is null ? certificate.Curve : null;
        var (keySize, curve) = OrderRequestValidator.ValidateKey(algorithm, request.KeySize ?? keySizeDefault, request.Curve ?? curveDefault,
            await ProfileAsync(certificate.ProfileId, cancellationToken).ConfigureAwait(false), errors);
        var keystoreType = request.KeystoreType ?? certificate.KeystoreType;
        _validator.ValidateKeystorePassword(request.KeystorePassword, keystoreType, errors);
        if (errors.Count == 0 && await DeferForDcvAsync(certificate, names, actor, "Reissue", cancellationToken).ConfigureAwait(false) is { } deferred)
        {
            return deferred;
        }

        var catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        if (cn is not null && catalog is not null && catalog.Organizations.FirstOrDefault(o => o.Id == certificate.OrganizationId) is { } organization)
        {
            _validator.ValidateDomains(names, organization, catalog, _ctx.Now, errors);
        }
        if (errors.Count > 0)
        {
            throw new CertificateRequestValidationException(errors);
        }

        var (protectedPassword, generated) = await PasswordAsync(request.KeystorePassword, certificate, cancellationToken).ConfigureAwait(false);
        var order = NewOrder(certificate, OrderKind.Reissue, new CertificateOrderRequest
        {
            CommonName = cn!,
            SubjectAlternativeNames = names,
            OrganizationId = certificate.OrganizationId ?? 0,
            ProfileId = certificate.ProfileId ?? 0,
            TermDays = certificate.TermDays ?? 0,
            KeyAlgorithm = algorithm,
            KeySize = keySize,
            Curve = curve,
            KeystoreType = keystoreType,
            Reason = request.Reason,
            Tags = certificate.Tags,
            AutoRenew = certificate.AutoRenew,
        }, protectedPassword);
        return await StartAsync(order, certificate, generated, actor, "Reissue", $"Reissue of {certificate.CommonName} (sslId {certificate.SslId}) requested: {request.Reason}", notices, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revalidates lapsing domains first (<see cref="DcvKeeper"/>); when that is not possible, the order is not sent (SCM
    /// would refuse it) and the deferral is audited.
    /// </summary>
    private async Task<LifecycleOrderResult?> DeferForDcvAsync(ManagedCertificate certificate, IReadOnlyList<string> names, string actor, string action, CancellationToken cancellationToken)
    {
        var reason = await _ctx.Dcv.EnsureAsync(names, _ctx.Now, actor, certificate, cancellationToken).ConfigureAwait(false);
        if (reason is null)
        {
            return null;
        }

        var text = $"The {action.ToLowerInvariant()} of {certificate.CommonName} was deferred, nothing was sent to SCM: {reason}";
        await _ctx.Store.AppendAuditAsync(_ctx.Audit(actor, action, "Deferred", "Deferred", text, certificate: certificate), cancellationToken).ConfigureAwait(false);
        return new LifecycleOrderResult { Outcome = LifecycleOutcome.Deferred, Message = text };
    }

    /// <summary>
    /// Stores the order under the certificate's lease and advances it. With <paramref name="heldLease"/> the caller already
    /// holds the lease and read <paramref name="certificate"/> under it (the lease is kept alive here, and its fencing token
    /// guards the insert, so a caller that paused past it writes nothing); otherwise the lease is acquired (waiting for an
    /// in-process holder) and the certificate re-read under it.
    /// </summary>
    private async Task<LifecycleOrderResult> StartAsync(
        CertificateOrder order, ManagedCertificate certificate, string? generatedPassword, string actor, string action, string requested, IReadOnlyList<string> notices,
        CancellationToken cancellationToken, CertificateLease? heldLease = null)
    {
        var lease = heldLease;
        CertificateLease? acquired = null;
        if (lease is null)
        {
            lease = acquired = await _ctx.TryLeaseCertificateAsync(certificate.Id, wait: true, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Another instance is working on certificate {certificate.Id}; try again shortly.");
        }
        else
        {
            // DCV revalidation may have run since the caller acquired it.
            await lease.KeepAliveAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await StartUnderLeaseAsync(order, certificate, lease, reread: acquired is not null, generatedPassword, actor, action, requested, notices, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (acquired is not null)
            {
                await acquired.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<LifecycleOrderResult> StartUnderLeaseAsync(
        CertificateOrder order, ManagedCertificate certificate, CertificateLease lease, bool reread, string? generatedPassword, string actor, string action, string requested,
        IReadOnlyList<string> notices, CancellationToken cancellationToken)
    {
        // Under the lease nobody else changes the certificate: if it is no longer active (another instance renewed it
        // between our read and now), start nothing.
        var fresh = reread ? await _ctx.Store.GetCertificateAsync(certificate.Id, cancellationToken).ConfigureAwait(false) : certificate;
        if (fresh is null || fresh.Status != CertificateStatus.Active)
        {
            return new LifecycleOrderResult
            {
                Outcome = LifecycleOutcome.AlreadyInProgress,
                Message = $"Certificate {certificate.CommonName} is no longer active ({fresh?.Status.ToString() ?? "deleted"}); nothing was started.",
            };
        }

        CertificateOrder stored;
        try
        {
            stored = (await _ctx.Store.CommitAsync(new StoreBatch().RequireLease(lease.Token).InsertOrder(order)
                .Audit(_ctx.Audit(actor, action, "Requested", "Pending", requested, order)), cancellationToken).ConfigureAwait(false)).Order(order.Id);
        }
        catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.OpenOrderExists)
        {
            var open = await _ctx.Store.GetOpenOrderForCertificateAsync(certificate.Id, cancellationToken).ConfigureAwait(false);
            return new LifecycleOrderResult
            {
                Outcome = LifecycleOutcome.AlreadyInProgress,
                Order = open,
                Message = $"Certificate {certificate.CommonName} already has an open {open?.Kind.ToString().ToLowerInvariant() ?? "order"} ({open?.State}); nothing new was started.",
            };
        }

        var report = await _workflow.AdvanceOrHandOverAsync(stored, lease, actor, cancellationToken).ConfigureAwait(false);
        var outcome = report.Order.State switch
        {
            OrderState.Submitted or OrderState.AwaitingApproval or OrderState.Completed or OrderState.Parked => LifecycleOutcome.Submitted,
            OrderState.Failed when report.Order.LastScmErrorCode == -180 => LifecycleOutcome.NotAllowed,
            OrderState.Failed or OrderState.InvalidCertificate or OrderState.Cancelled => LifecycleOutcome.Failed,
            _ => LifecycleOutcome.Pending,
        };
        return new LifecycleOrderResult
        {
            Outcome = outcome,
            Order = report.Order,
            GeneratedKeystorePassword = generatedPassword,
            Notices = notices,
            Message = outcome switch
            {
                LifecycleOutcome.Submitted => $"SCM accepted the {OrderWorkflow.KindWord(order.Kind)} (sslId {report.Order.SslId}); the current certificate stays in service until the new one is collected and verified.",
                LifecycleOutcome.NotAllowed => report.Order.LastError ?? "SCM does not allow this.",
                LifecycleOutcome.Failed => report.Order.LastError ?? "It failed.",
                _ => report.Message ?? "Waiting for SCM.",
            },
        };
    }

    /// <summary>Revokes at SCM first; the local record changes only once SCM confirms (204, or -159/-102 with details showing Revoked).</summary>
    public async Task<RevokeCertificateResult> RevokeAsync(Guid certificateId, RevokeCertificateRequest request, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ValidationError>();
        if (request.ReasonCode is not (RevocationReason.Unspecified or RevocationReason.KeyCompromise or RevocationReason.AffiliationChanged or RevocationReason.Superseded or RevocationReason.CessationOfOperation))
        {
            errors.Add(new ValidationError("ReasonCode", "reason-code", $"ReasonCode must be 0, 1, 3, 4 or 5; got {(int)request.ReasonCode}."));
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > CertificateRequestLimits.MaxReasonLength)
        {
            errors.Add(new ValidationError("Reason", "length", $"Reason must be 1-{CertificateRequestLimits.MaxReasonLength} characters; got {request.Reason?.Length ?? 0}."));
        }

        if (errors.Count > 0)
        {
            throw new CertificateRequestValidationException(errors);
        }

        var certificate = await RequireCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false);
        if (certificate.SslId is not { } sslId)
        {
            throw new InvalidOperationException($"Certificate {certificateId} has no SCM sslId; there is nothing to revoke at SCM.");
        }

        var lease = await _ctx.TryLeaseCertificateAsync(certificate.Id, wait: true, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Another instance is working on certificate {certificate.Id}; try again shortly.");
        await using var leaseScope = lease.ConfigureAwait(false);
        certificate = await RequireCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false);
        var alreadyRevoked = false;
        if (certificate.Status != CertificateStatus.Revoked)
        {
            await lease.EnsureAsync(_ctx.MinimumLeaseBeforePost, cancellationToken).ConfigureAwait(false);
            try
            {
                await _ctx.Gateway.RevokeAsync(sslId, (int)request.ReasonCode, request.Reason!, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ScmCallException ex) when (ex.ScmErrorCode is -159 or -102 || ex.Kind is SubmitFailureKind.Ambiguous or SubmitFailureKind.RateLimited)
            {
                // Already revoked on a retry, or an unclear outcome: SCM's details decide, never a guess.
                var view = await _ctx.Gateway.GetOrderAsync(sslId, cancellationToken).ConfigureAwait(false);
                if (!OrderWorkflow.IsStatus(view.Status, "Revoked"))
                {
                    throw new InvalidOperationException($"SCM did not confirm the revocation of sslId {sslId} ({ex.Message}; SCM status {view.Status}). Nothing was changed locally.", ex);
                }

                alreadyRevoked = ex.ScmErrorCode is -159 or -102;
            }
        }
        else
        {
            alreadyRevoked = true;
        }

        var now = _ctx.Now;
        var revoked = certificate with { Status = CertificateStatus.Revoked, ScmStatus = "Revoked", RevokedAt = certificate.RevokedAt ?? now, UpdatedAt = now };
        var reasonText = $"Revoked at SCM (reason code {(int)request.ReasonCode}: {request.Reason})" + (alreadyRevoked ? "; SCM reported it already revoked." : ".");
        var batch = new StoreBatch().RequireLease(lease.Token);
        if (request.RemoveFromInventory)
        {
            batch.DeleteCertificate(certificate.Id, certificate.Version)
                .Audit(_ctx.Audit(actor, "Revoke", "Revoked", "Succeeded", reasonText, certificate: certificate))
                .Audit(_ctx.Audit(actor, "Delete", "Deleted", "Succeeded", "Removed from the inventory after revocation (SCM keeps its record).", certificate: certificate));
        }
        else
        {
            batch.UpdateCertificate(revoked).Audit(_ctx.Audit(actor, "Revoke", "Revoked", "Succeeded", reasonText, certificate: certificate));
        }

        var result = await _ctx.Store.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
        return new RevokeCertificateResult
        {
            Outcome = LifecycleOutcome.Done,
            Certificate = request.RemoveFromInventory ? null : result.Certificate(certificate.Id),
            WasAlreadyRevoked = alreadyRevoked,
            Removed = request.RemoveFromInventory,
            Message = reasonText + (request.RemoveFromInventory ? " The local record was removed." : string.Empty),
        };
    }

    /// <summary>
    /// Cancels an order that is not issued: before submission it is simply closed; awaiting approval it is declined in
    /// SCM; once SCM sent it to the CA there is no SCM cancel, so it is closed locally and watched (reported if it issues).
    /// </summary>
    public async Task<CancelOrderResult> CancelAsync(Guid orderId, string? reason, string actor, CancellationToken cancellationToken)
    {
        var order = await _ctx.Store.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Order {orderId} does not exist.");
        var message = string.IsNullOrWhiteSpace(reason) ? "Cancelled through the Scm.Sdk engine." : reason;
        if (message.Length > CertificateRequestLimits.MaxReasonLength)
        {
            throw new CertificateRequestValidationException([new ValidationError("Reason", "length", $"Reason must be 1-{CertificateRequestLimits.MaxReasonLength} characters; got {message.Length}.")]);
        }

        if (!order.IsOpen || order.State == OrderState.Parked)
        {
            return new CancelOrderResult
            {
                Outcome = LifecycleOutcome.NotAllowed,
                Order = order,
                Message = order.State == OrderState.Parked
                    ? "The order was already issued (parked by the licence cap); delete or revoke its certificate instead."
                    : $"The order is already {order.State}.",
            };
        }

        var lease = await _ctx.TryLeaseCertificateAsync(order.CertificateId, wait: true, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Another instance is working on order {orderId}; try again shortly.");
        await using var leaseScope = lease.ConfigureAwait(false);
        order = (await _ctx.Store.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false))!;

        // An order whose submission outcome is unknown is first looked for in SCM.
        if (order.State is OrderState.Ambiguous or OrderState.Submitting)
        {
            try
            {
                order = (await _workflow.AdvanceAsync(order, lease, actor, force: true, cancellationToken).ConfigureAwait(false)).Order;
            }
            catch (LeaseLostException)
            {
                throw new StoreConflictException(StoreConflictReason.LeaseLost, "lease", order.Id);
            }
        }

        var mayIssue = false;
        string outcome;
        if (order.SslId is { } sslId && order.State is not (OrderState.Planned or OrderState.KeyPersisted))
        {
            ScmOrderView view;
            try
            {
                view = await _ctx.Gateway.GetOrderAsync(sslId, cancellationToken).ConfigureAwait(false);
            }
            catch (ScmCallException ex)
            {
                throw new InvalidOperationException($"SCM could not be asked about sslId {sslId} ({ex.Message}); the order was not cancelled.", ex);
            }

            if (OrderWorkflow.IsStatus(view.Status, "Issued"))
            {
                return new CancelOrderResult
                {
                    Outcome = LifecycleOutcome.NotAllowed,
                    Order = order,
                    Message = $"SCM already issued sslId {sslId}; it is collected on the next check. Revoke it if it is not wanted.",
                };
            }

            if (OrderWorkflow.IsStatus(view.Status, "Requested") || OrderWorkflow.IsStatus(view.Status, "SAApproved"))
            {
                await _ctx.Gateway.DeclineAsync(sslId, message, CancellationToken.None).ConfigureAwait(false);
                order = order with { ScmStatus = "Declined" };
                outcome = $"Declined in SCM (sslId {sslId}, it was awaiting approval) and cancelled locally.";
            }
            else if (s_terminalScmStatuses.Any(s => OrderWorkflow.IsStatus(view.Status, s)))
            {
                order = order with { ScmStatus = view.Status };
                outcome = $"SCM reports sslId {sslId} as {view.Status}; cancelled locally.";
            }
            else
            {
                mayIssue = true;
                order = order with { ScmStatus = view.Status };
                outcome = $"SCM has no cancel for an order in {view.Status} (already with the CA): cancelled locally; SCM may still issue sslId {sslId}, and the engine keeps watching and reports it if it does.";
            }
        }
        else
        {
            outcome = order.State is OrderState.Planned or OrderState.KeyPersisted
                ? "Cancelled before anything was sent to SCM."
                : "Cancelled; SCM has no record of it (searched for its token).";
        }

        var cancelled = order with { State = OrderState.Cancelled, NextAttemptAt = null, LastError = message };
        var saved = await _workflow.SaveAsync(order, cancelled, lease, _ctx.Audit(actor, "Cancel", "Cancelled", "Succeeded", outcome, order), cancellationToken).ConfigureAwait(false);
        return new CancelOrderResult { Outcome = LifecycleOutcome.Done, Order = saved, ScmMayStillIssue = mayIssue, Message = outcome };
    }

    /// <summary>Cancelled orders SCM may still issue: check them; report (once) any that issued anyway.</summary>
    public async Task<int> WatchCancelledAsync(string actor, CancellationToken cancellationToken)
    {
        using var bulk = BulkWorkScope.Begin(_ctx, "status scan");
        var reported = 0;
        string? token = null;
        do
        {
            var page = await _ctx.Store.ListOrdersAsync(new OrderQuery { States = [OrderState.Cancelled], PageSize = 200, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            token = page.ContinuationToken;
            foreach (var order in page.Items.Where(o => o.SslId is not null && !s_terminalScmStatuses.Any(s => OrderWorkflow.IsStatus(o.ScmStatus, s))))
            {
                ScmOrderView view;
                try
                {
                    view = await _ctx.Gateway.GetOrderAsync(order.SslId!.Value, cancellationToken).ConfigureAwait(false);
                }
                catch (ScmCallException)
                {
                    continue;
                }

                if (string.Equals(view.Status, order.ScmStatus, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var issued = OrderWorkflow.IsStatus(view.Status, "Issued");
                var updated = order with { ScmStatus = view.Status, UpdatedAt = _ctx.Now };
                var batch = new StoreBatch().UpdateOrder(updated);
                if (issued)
                {
                    batch.Audit(_ctx.Audit(actor, "Cancel", "CancelledButIssued", "NeedsAttention",
                        $"SCM issued sslId {order.SslId} after the order was cancelled locally; it was not installed. Revoke it in SCM if it is not wanted.", order));
                }

                try
                {
                    await _ctx.Store.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
                }
                catch (StoreConflictException)
                {
                    continue;
                }

                if (issued)
                {
                    reported++;
                    await _ctx.Events.RaiseAsync(this, new CancelledOrderIssuedEvent
                    {
                        Timestamp = _ctx.Now,
                        OrderId = order.Id,
                        CertificateId = order.CertificateId,
                        SslId = order.SslId,
                        CommonName = order.Request.CommonName,
                    }, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        while (token is not null);
        return reported;
    }

    /// <summary>Deletes a certificate record and its closed orders (keys go with them). SCM is untouched; the audit keeps the deletion.</summary>
    public async Task<DeleteResult> DeleteCertificateAsync(Guid certificateId, string actor, CancellationToken cancellationToken)
    {
        var certificate = await _ctx.Store.GetCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false);
        if (certificate is null)
        {
            return new DeleteResult(false, 0, 0, $"Certificate {certificateId} does not exist.");
        }

        var lease = await _ctx.TryLeaseCertificateAsync(certificateId, wait: true, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Another instance is working on certificate {certificateId}; try again shortly.");
        await using var leaseScope = lease.ConfigureAwait(false);
        var open = await _ctx.Store.GetOpenOrderForCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false);
        if (open is not null)
        {
            throw new InvalidOperationException($"Certificate {certificateId} has an open {open.Kind.ToString().ToLowerInvariant()} order ({open.State}); cancel it first.");
        }

        certificate = (await _ctx.Store.GetCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false))!;
        var orders = await AllOrdersOfAsync(certificateId, cancellationToken).ConfigureAwait(false);
        var batch = new StoreBatch().RequireLease(lease.Token).DeleteCertificate(certificateId, certificate.Version);
        foreach (var order in orders)
        {
            batch.DeleteOrder(order.Id, order.Version);
        }

        batch.Audit(_ctx.Audit(actor, "Delete", "Deleted", "Succeeded",
            $"Removed {certificate.CommonName} (serial {certificate.SerialNumber}) and {orders.Count} closed orders from the inventory; SCM was not touched.", certificate: certificate));
        await _ctx.Store.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
        return new DeleteResult(true, 1, orders.Count, $"Deleted {certificate.CommonName} locally; SCM keeps sslId {certificate.SslId}.");
    }

    /// <summary>Deletes a closed order record. SCM is untouched; the audit keeps the deletion.</summary>
    public async Task<DeleteResult> DeleteOrderAsync(Guid orderId, string actor, CancellationToken cancellationToken)
    {
        var order = await _ctx.Store.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return new DeleteResult(false, 0, 0, $"Order {orderId} does not exist.");
        }

        if (order.IsOpen)
        {
            throw new InvalidOperationException($"Order {orderId} is {order.State}; cancel it before deleting it.");
        }

        await _ctx.Store.CommitAsync(new StoreBatch().DeleteOrder(order.Id, order.Version)
            .Audit(_ctx.Audit(actor, "Delete", "Deleted", "Succeeded", $"Removed the {order.State} {OrderWorkflow.KindWord(order.Kind)} order for {order.Request.CommonName}; SCM was not touched.", order)),
            cancellationToken).ConfigureAwait(false);
        return new DeleteResult(true, 0, 1, $"Deleted order {orderId} locally.");
    }

    private async Task<List<CertificateOrder>> AllOrdersOfAsync(Guid certificateId, CancellationToken cancellationToken)
    {
        var orders = new List<CertificateOrder>();
        string? token = null;
        do
        {
            var page = await _ctx.Store.ListOrdersAsync(new OrderQuery { CertificateId = certificateId, PageSize = 200, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            orders.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return orders;
    }

    private CertificateOrder NewOrder(ManagedCertificate certificate, OrderKind kind, CertificateOrderRequest request, byte[] protectedPassword)
    {
        var now = _ctx.Now;
        return new CertificateOrder
        {
            Id = RecordId.New(),
            CertificateId = certificate.Id,
            AccountId = certificate.AccountId,
            Kind = kind,
            State = OrderState.Planned,
            CorrelationToken = CorrelationMarker.NewToken(),
            Request = request,
            ProtectedKeystorePassword = protectedPassword,
            CreatedAt = now,
            UpdatedAt = now,
            StateChangedAt = now,
        };
    }

    private async Task<(byte[] Protected, string? Generated)> PasswordAsync(string? given, ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        if (given is null && certificate.ProtectedKeystorePassword is not null)
        {
            return (certificate.ProtectedKeystorePassword, null);
        }

        var generated = given is null ? KeyMaterial.GeneratePassword() : null;
        var bytes = Encoding.UTF8.GetBytes(given ?? generated!);
        try
        {
            return (await _ctx.Keys.ProtectAsync(bytes, KeyBindings.KeystorePassword(certificate.Id), cancellationToken).ConfigureAwait(false), generated);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private async Task<ManagedCertificate> RequireCertificateAsync(Guid certificateId, CancellationToken cancellationToken) =>
        await _ctx.Store.GetCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"Certificate {certificateId} does not exist.");

    private async Task<CatalogProfile?> ProfileAsync(int? profileId, CancellationToken cancellationToken)
    {
        if (profileId is null)
        {
            return null;
        }

        var catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        return catalog?.Profiles.FirstOrDefault(p => p.Id == profileId);
    }
}
