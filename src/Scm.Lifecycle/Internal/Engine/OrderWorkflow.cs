using System.Security.Cryptography;
using Scm.Lifecycle.Internal.Crypto;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>What one call to <see cref="OrderWorkflow.AdvanceAsync"/> did.</summary>
internal sealed record AdvanceReport(CertificateOrder Order, ManagedCertificate? Installed, string? Message);

/// <summary>
/// The persisted state machine of an order. Every step is stored (fenced by the certificate's lease) before the
/// next side effect: key before submission, "Submitting" before the POST, the sslId right after it. A POST is never
/// repeated blindly: an unclear outcome makes the order Ambiguous, and only a reconcile search that finds nothing,
/// twice and after the ambiguity window, re-submits it with the same key and token.
/// </summary>
internal sealed class OrderWorkflow
{
    private static readonly TimeSpan MaxRefusalWait = TimeSpan.FromHours(1);

    private const int MaxStepsPerCall = 12;

    private readonly EngineContext _ctx;
    private readonly CertificateInstaller _installer;
    private readonly OrderReconciler _reconciler;

    public OrderWorkflow(EngineContext context, CertificateInstaller installer, OrderReconciler reconciler)
    {
        _ctx = context;
        _installer = installer;
        _reconciler = reconciler;
    }

    /// <summary>
    /// Moves an order forward until it has to wait (for SCM, for time, or for an operator). The caller holds the
    /// certificate's lease. With <paramref name="force"/>, waiting for <see cref="CertificateOrder.NextAttemptAt"/> is
    /// skipped for polls (never for the ambiguity window).
    /// </summary>
    public async Task<AdvanceReport> AdvanceAsync(CertificateOrder order, CertificateLease lease, string actor, bool force, CancellationToken cancellationToken)
    {
        // An order whose key material cannot be decrypted waits for an operator (who restores the key ring and checks it
        // again); the scheduler never retries it by itself.
        var keyParked = IsKeyParked(order);
        if (keyParked && actor == CertificateLifecycle.SchedulerActor)
        {
            return new AdvanceReport(order, null, order.LastError);
        }

        try
        {
            var report = await AdvanceCoreAsync(order, lease, actor, force, cancellationToken).ConfigureAwait(false);
            if (keyParked && !IsKeyParked(report.Order))
            {
                await _ctx.Keys.SetUnreadableAsync(KeyRingGuard.RecordName(order), unreadable: false, cancellationToken).ConfigureAwait(false);
            }

            return report;
        }
        catch (KeyProtectionException ex)
        {
            var result = await MarkKeyUnreadableAsync(order, lease, actor, ex, cancellationToken).ConfigureAwait(false);
            return new AdvanceReport(result.Order, null, result.Message);
        }
    }

    private async Task<AdvanceReport> AdvanceCoreAsync(CertificateOrder order, CertificateLease lease, string actor, bool force, CancellationToken cancellationToken)
    {
        ManagedCertificate? installed = null;
        string? message = null;
        for (var step = 0; step < MaxStepsPerCall && order.IsOpen; step++)
        {
            await lease.KeepAliveAsync(cancellationToken).ConfigureAwait(false);
            var notBefore = order.NextAttemptAt is null || order.NextAttemptAt <= _ctx.Now;
            var due = force || notBefore;

            // SCM refused this order "for now": its wait is SCM's, so a forced check does not cut it short (each early
            // try would be one more refusal, and the refusals' escalation counts on the waits).
            var refusedDue = order.SubmitRefusals > 0 ? notBefore : due;
            StepResult result;
            switch (order.State)
            {
                case OrderState.Planned:
                    result = await GenerateKeyAsync(order, lease, actor, cancellationToken).ConfigureAwait(false);
                    break;
                case OrderState.KeyPersisted when refusedDue:
                    result = await SubmitAsync(order, lease, actor, cancellationToken).ConfigureAwait(false);
                    break;
                case OrderState.Submitting:
                    result = await MarkInterruptedAsync(order, lease, actor, cancellationToken).ConfigureAwait(false);
                    break;
                case OrderState.Ambiguous when refusedDue:
                    result = await _reconciler.ReconcileAsync(order, lease, actor, cancellationToken).ConfigureAwait(false);
                    break;
                case OrderState.Stuck when order.SslId is null:
                    result = await _reconciler.ReconcileAsync(order, lease, actor, cancellationToken, adoptOnly: true).ConfigureAwait(false);
                    break;
                case OrderState.Submitted or OrderState.AwaitingApproval or OrderState.Stuck when due:
                    result = await PollAsync(order, lease, actor, cancellationToken).ConfigureAwait(false);
                    break;
                case OrderState.Parked:
                    result = await _installer.InstallParkedAsync(order, lease, actor, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    return new AdvanceReport(order, installed, message ?? "waiting until " + order.NextAttemptAt?.ToString("O"));
            }

            order = result.Order;
            installed ??= result.Installed;
            message = result.Message ?? message;
            if (!result.Continue)
            {
                break;
            }
        }

        return new AdvanceReport(order, installed, message);
    }

    /// <summary>
    /// <see cref="AdvanceAsync"/> for a caller's own request (order, renew, reissue): an instance that lost the
    /// certificate's lease mid-way (it paused past the lease, and another instance took over) hands the order over
    /// instead of failing the caller with an internal error; the report shows the order as stored now.
    /// </summary>
    public async Task<AdvanceReport> AdvanceOrHandOverAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        try
        {
            return await AdvanceAsync(order, lease, actor, force: false, cancellationToken).ConfigureAwait(false);
        }
        catch (LeaseLostException)
        {
            Log.LeaseLost(_ctx.Logger, order.Id);
            var current = await _ctx.Store.GetOrderAsync(order.Id, CancellationToken.None).ConfigureAwait(false) ?? order;
            return new AdvanceReport(current, null, "This instance lost the certificate's lease while working on the order (it paused past the lease); another instance continues it.");
        }
    }

    /// <summary>Planned: make the key and CSR, protect the key, store both. Nothing is sent.</summary>
    private async Task<StepResult> GenerateKeyAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        var request = order.Request;
        byte[] protectedKey;
        string csr;
        AsymmetricAlgorithm key;
        if (order.Kind == OrderKind.Renewal && request.ReuseKey)
        {
            var current = await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false);
            if (current?.ProtectedPrivateKey is null)
            {
                return await FailAsync(order, lease, actor, "KeyReuse", "The current certificate has no local key to reuse; renew with a new key.", null, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                key = await UnprotectKeyAsync(current, cancellationToken).ConfigureAwait(false);
            }
            catch (KeyProtectionException ex)
            {
                // Nothing was sent: the renewal fails (the certificate backs off) and the certificate is reported.
                await ReportKeyUnreadableAsync(null, current, ex, cancellationToken).ConfigureAwait(false);
                return await FailAsync(order, lease, actor, "KeyUnreadable",
                    $"The current certificate's private key cannot be decrypted ({ex.Message}); restore the key ring, or renew with a new key.", null, cancellationToken).ConfigureAwait(false);
            }

            protectedKey = current.ProtectedPrivateKey;
        }
        else
        {
            key = KeyMaterial.Generate(request.KeyAlgorithm, request.KeySize, request.Curve);
            var pkcs8 = KeyMaterial.ExportPkcs8(key);
            try
            {
                protectedKey = await _ctx.Keys.ProtectAsync(pkcs8, KeyBindings.PrivateKey(key), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }

        using (key)
        {
            csr = CsrFactory.CreatePem(key, request.CommonName, request.SubjectAlternativeNames);
        }

        var next = order with
        {
            State = OrderState.KeyPersisted,
            ProtectedPrivateKey = protectedKey,
            CsrPem = csr,
            Attempts = 0,
            NextAttemptAt = null,
            LastError = null,
            LastScmErrorCode = null,
        };
        var saved = await SaveAsync(order, next, lease, _ctx.Audit(actor, ActionFor(order), "KeyGenerated", "Succeeded",
            $"{Describe(request)} key and CSR generated locally and stored protected.", order), cancellationToken).ConfigureAwait(false);
        return StepResult.Next(saved);
    }

    /// <summary>KeyPersisted: record "Submitting" (fenced), re-check the lease, POST once, store the outcome.</summary>
    private async Task<StepResult> SubmitAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        ManagedCertificate? current = null;
        if (order.Kind is OrderKind.Renewal or OrderKind.Reissue)
        {
            current = await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false);
            if (current?.SslId is null)
            {
                return await FailAsync(order, lease, actor, "MissingCertificate",
                    "The certificate to renew or reissue is gone or has no SCM id.", null, cancellationToken).ConfigureAwait(false);
            }
        }

        // A renewal or reissue first records what SCM shows of the original (and, for a renewal, of every order for the
        // name): after an unclear outcome, that snapshot is what proves whether the POST created anything, whether or
        // not SCM's records carry our token. Without it nothing is sent.
        SubmissionBaseline? baseline = null;
        if (current is not null)
        {
            try
            {
                baseline = await _reconciler.TakeBaselineAsync(order, current.SslId!.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (ScmCallException ex)
            {
                return await DeferAsync(order, lease, $"Could not read SCM's records before sending the {KindWord(order.Kind)} (nothing was sent): {ex.Message}",
                    ex.ScmErrorCode, ex.RetryAfter, cancellationToken).ConfigureAwait(false);
            }
        }

        await lease.EnsureAsync(_ctx.MinimumLeaseBeforePost, cancellationToken).ConfigureAwait(false);
        var submitting = order with
        {
            State = OrderState.Submitting,
            Baseline = baseline,
            SubmittedAt = _ctx.Now,
            FencingToken = lease.Token.FencingToken,
            Attempts = order.Attempts + 1,
            NextAttemptAt = null,
        };
        submitting = await SaveAsync(order, submitting, lease, null, cancellationToken).ConfigureAwait(false);

        // The POST is not cancelled by the caller: once it may have left, its outcome must be read and stored.
        // It is bounded by the client's own POST timeout; a shutdown that cuts it leaves "Submitting" (reconciled later).
        long sslId;
        string? renewId = null;
        try
        {
            switch (order.Kind)
            {
                case OrderKind.New:
                    var enroll = await _ctx.Gateway.EnrollAsync(new EnrollCommand(
                        order.Request.OrganizationId,
                        order.CsrPem!,
                        order.Request.ProfileId,
                        order.Request.TermDays,
                        order.Request.SubjectAlternativeNames.Where(n => !string.Equals(n, order.Request.CommonName, StringComparison.OrdinalIgnoreCase)).ToArray(),
                        CorrelationMarker.Append(order.Request.Comments, order.CorrelationToken),
                        order.Request.ExternalRequesters,
                        order.Request.CustomFields), CancellationToken.None).ConfigureAwait(false);
                    (sslId, renewId) = enroll;
                    break;
                case OrderKind.Renewal:
                    sslId = await _ctx.Gateway.RenewByIdAsync(current!.SslId!.Value, order.CsrPem!, CancellationToken.None).ConfigureAwait(false);
                    break;
                case OrderKind.Reissue:
                    await _ctx.Gateway.ReplaceAsync(current!.SslId!.Value, new ReplaceCommand(
                        order.CsrPem!, order.Request.Reason ?? "Reissue", order.Request.CommonName, order.Request.SubjectAlternativeNames), CancellationToken.None).ConfigureAwait(false);
                    sslId = current.SslId.Value;
                    break;
                default:
                    return await FailAsync(submitting, lease, actor, "Submit", $"An order of kind {order.Kind} cannot be submitted.", null, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ScmCallException ex)
        {
            return await OnSubmitFailedAsync(submitting, lease, actor, ex, cancellationToken).ConfigureAwait(false);
        }

        _ctx.Telemetry.Orders.Add(1, new KeyValuePair<string, object?>("kind", order.Kind.ToString()), new KeyValuePair<string, object?>("outcome", "submitted"));
        var submitted = submitting with
        {
            State = OrderState.Submitted,
            DuplicateCheckAt = order.SubmittedAt is null ? null : _ctx.Now + _ctx.Options.Reconcile.AmbiguityWindow,
            SslId = sslId,
            RenewId = renewId ?? submitting.RenewId,
            ScmStatus = null,
            Attempts = 0,
            SubmitRefusals = 0,
            RefusedSince = null,
            RefusalReportedAt = null,
            NextAttemptAt = _ctx.Now + _ctx.Options.Polling.InitialDelay,
            LastError = null,
            LastScmErrorCode = null,
        };
        CertificateOrder stored;
        try
        {
            stored = await SaveWithRetryAsync(submitting, submitted, lease,
                _ctx.Audit(actor, ActionFor(order), "Submitted", "Succeeded", $"SCM accepted the {KindWord(order.Kind)} as sslId {sslId}.", submitted),
                cancellationToken).ConfigureAwait(false);
        }
        catch (LeaseLostException)
        {
            // F40: this instance paused between its last lease check and the POST, long enough for another instance to take
            // the order over. SCM has an order the store cannot be told about from here: report it now, so a duplicate is
            // known at once rather than found by an operator.
            await _reconciler.ReportPostAfterLeaseLostAsync(submitting, sslId, actor, cancellationToken).ConfigureAwait(false);
            throw;
        }

        if (order.Kind == OrderKind.Renewal)
        {
            await RetagRenewalAsync(stored, cancellationToken).ConfigureAwait(false);
        }

        return StepResult.Next(stored, $"Submitted to SCM as sslId {sslId}.");
    }

    /// <summary>A renewal copies the original's comments; give the new SCM order its own correlation marker (best effort).</summary>
    internal async Task RetagRenewalAsync(CertificateOrder renewal, CancellationToken cancellationToken)
    {
        try
        {
            var view = await _ctx.Gateway.GetOrderAsync(renewal.SslId!.Value, cancellationToken).ConfigureAwait(false);
            if (!CorrelationMarker.Contains(view.Comments, renewal.CorrelationToken))
            {
                var comments = CorrelationMarker.Append(CorrelationMarker.Strip(view.Comments), renewal.CorrelationToken);
                if (comments.Length > CertificateRequestLimits.ScmMaxCommentsLength)
                {
                    comments = CorrelationMarker.Format(renewal.CorrelationToken);
                }

                await _ctx.Gateway.UpdateCommentsAsync(renewal.SslId.Value, comments, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ScmCallException ex)
        {
            Log.RetagFailed(_ctx.Logger, renewal.Id, ex.Message);
        }
    }

    private async Task<StepResult> OnSubmitFailedAsync(CertificateOrder submitting, CertificateLease lease, string actor, ScmCallException ex, CancellationToken cancellationToken)
    {
        var now = _ctx.Now;
        switch (ex.Kind)
        {
            case SubmitFailureKind.Rejected:
                _ctx.Telemetry.Orders.Add(1, new KeyValuePair<string, object?>("kind", submitting.Kind.ToString()), new KeyValuePair<string, object?>("outcome", "rejected"));
                var reason = ex.ScmErrorCode == -180
                    ? "SCM refused the renewal: this certificate profile does not allow renewal (-180). Order a new certificate instead."
                    : $"SCM refused the request: {ex.Message}";
                return await FailAsync(submitting, lease, actor, "Rejected", reason, ex.ScmErrorCode, cancellationToken).ConfigureAwait(false);

            case SubmitFailureKind.Unauthorized or SubmitFailureKind.NotSent:
                var retry = submitting with
                {
                    State = OrderState.KeyPersisted,
                    NextAttemptAt = now + Backoff(_ctx.Options.Polling.RetryDelay, submitting.Attempts),
                    LastError = ex.Message,
                    LastScmErrorCode = ex.ScmErrorCode,
                };
                var saved = await SaveWithRetryAsync(submitting, retry, lease,
                    _ctx.Audit(actor, ActionFor(submitting), ex.Kind == SubmitFailureKind.Unauthorized ? "CredentialsRefused" : "NotSent", "Pending",
                        $"Nothing was created in SCM ({ex.Message}); retrying after {retry.NextAttemptAt:O}.", submitting),
                    cancellationToken).ConfigureAwait(false);
                return StepResult.Wait(saved, ex.Message);

            default:
                // SCM's "not now" codes (-140, -195, -3114) refuse without creating anything, but the rule for every POST
                // that did not plainly succeed holds: SCM is searched for the token before the same request goes out again.
                // Refusals in a row back off (doubling, up to an hour), and once they have lasted Reconcile:EscalateAfter the
                // order is reported once (OrderStuckEvent); it is still tried hourly, since nothing was created.
                var unavailable = ex.Kind == SubmitFailureKind.Unavailable;
                var refusals = unavailable ? submitting.SubmitRefusals + 1 : submitting.SubmitRefusals;
                var baseWait = Max(_ctx.PostTimeout, _ctx.Options.Reconcile.RetryDelay);
                var wait = ex.Kind == SubmitFailureKind.RateLimited && ex.RetryAfter is { } ra
                    ? Max(ra, _ctx.Options.Reconcile.RetryDelay)
                    : unavailable ? RefusalBackoff(baseWait, refusals) : baseWait;
                var refusedSince = unavailable ? submitting.RefusedSince ?? now : submitting.RefusedSince;
                var refusedFor = refusedSince is { } since ? now - since : TimeSpan.Zero;
                var escalate = unavailable && submitting.RefusalReportedAt is null && refusedFor >= _ctx.Options.Reconcile.EscalateAfter;
                // A reissue is not searched for: its search looks at the certificate's own SCM order, which another user's
                // change (the very cause of -3114) may have moved, and it must never be adopted as ours. SCM refused
                // plainly, so nothing was created: the same request is sent again after the wait.
                var resendWithoutSearch = unavailable && submitting.Kind == OrderKind.Reissue;
                var ambiguous = submitting with
                {
                    State = resendWithoutSearch ? OrderState.KeyPersisted : OrderState.Ambiguous,
                    Attempts = 0,
                    SubmitRefusals = refusals,
                    RefusedSince = refusedSince,
                    RefusalReportedAt = escalate ? now : submitting.RefusalReportedAt,
                    NextAttemptAt = now + wait,
                    LastError = ex.Message,
                    LastScmErrorCode = ex.ScmErrorCode,
                };
                var stored = await SaveWithRetryAsync(submitting, ambiguous, lease,
                    _ctx.Audit(actor, ActionFor(submitting), unavailable ? "ScmUnavailable" : "Ambiguous", escalate ? "NeedsAttention" : "Pending",
                        resendWithoutSearch
                            ? $"SCM refused the reissue for now ({ex.Message}; refusal {refusals} in a row{(refusals > 1 ? $", for about {refusedFor.TotalHours:0.#} h" : string.Empty)}); nothing was created, and the same request is sent again from {ambiguous.NextAttemptAt:O}."
                        : unavailable
                            ? $"SCM refused the submission for now ({ex.Message}; refusal {refusals} in a row{(refusals > 1 ? $", for about {refusedFor.TotalHours:0.#} h" : string.Empty)}); from {ambiguous.NextAttemptAt:O} SCM is searched for the order's token, and the same request is sent again once the searches (the last after the ambiguity window) find nothing."
                            : $"The submission's outcome is unknown ({ex.Message}); SCM will be searched for the order's token before anything is re-sent.",
                        submitting),
                    cancellationToken).ConfigureAwait(false);
                if (escalate)
                {
                    await ReportStuckAsync(submitting,
                        $"SCM has refused this order for about {refusedFor.TotalHours:0.#} h ({refusals} refusals in a row, last: {ex.Message}); nothing was created, and it is still tried hourly.",
                        cancellationToken).ConfigureAwait(false);
                }

                return StepResult.Wait(stored, unavailable ? "SCM refused for now; will check and send again." : "Outcome unknown; will reconcile.");
        }
    }

    /// <summary>An order found in Submitting was interrupted mid-POST (crash or shutdown): treat the outcome as unknown.</summary>
    private async Task<StepResult> MarkInterruptedAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        var ambiguous = order with
        {
            State = OrderState.Ambiguous,
            Attempts = 0,
            NextAttemptAt = null,
            LastError = "A previous submission was interrupted; its outcome is unknown.",
        };
        var saved = await SaveAsync(order, ambiguous, lease,
            _ctx.Audit(actor, ActionFor(order), "Ambiguous", "Pending", "Found in Submitting after an interruption; reconciling with SCM.", order),
            cancellationToken).ConfigureAwait(false);
        return StepResult.Next(saved);
    }

    /// <summary>Submitted / AwaitingApproval / Stuck: ask SCM; collect and install when issued.</summary>
    private async Task<StepResult> PollAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        ScmOrderView view;
        try
        {
            view = await _ctx.Gateway.GetOrderAsync(order.SslId!.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex) when (ex.HttpStatus == 404)
        {
            return await MarkStuckAsync(order, lease, actor, $"SCM no longer knows sslId {order.SslId} ({ex.Message}).", cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            return await DeferAsync(order, lease, ex.Message, ex.ScmErrorCode, ex.RetryAfter, cancellationToken).ConfigureAwait(false);
        }

        var status = view.Status;
        if (order.DuplicateCheckAt is { } checkAt && (checkAt <= _ctx.Now || !IsStatus(status, "Requested") && !IsStatus(status, "Approved") && !IsStatus(status, "Applied")))
        {
            order = await _reconciler.CheckForDuplicatesAsync(order, lease, actor, cancellationToken).ConfigureAwait(false);
        }

        if (IsStatus(status, "Issued"))
        {
            return await _installer.CollectAndInstallAsync(order, view, lease, actor, cancellationToken).ConfigureAwait(false);
        }

        if (IsStatus(status, "Declined") || IsStatus(status, "Rejected") || IsStatus(status, "Invalid")
            || IsStatus(status, "Revoked") || IsStatus(status, "Expired") || IsStatus(status, "Replaced"))
        {
            var failed = order with { ScmStatus = status };
            return await FailAsync(failed, lease, actor, status, $"SCM reports the order as {status}.", null, cancellationToken).ConfigureAwait(false);
        }

        var awaitingApproval = IsStatus(status, "Requested") || IsStatus(status, "SAApproved") || IsStatus(status, "SA Approved");
        return await WaitForIssuanceAsync(order, lease, actor, status, awaitingApproval, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Not issued yet: back off (10 s doubling to 5 min within the follow-up window, then daily); flag Stuck after the thresholds, once.</summary>
    internal async Task<StepResult> WaitForIssuanceAsync(CertificateOrder order, CertificateLease lease, string actor, string? scmStatus, bool awaitingApproval, CancellationToken cancellationToken)
    {
        var now = _ctx.Now;
        var polling = _ctx.Options.Polling;
        var since = order.SubmittedAt ?? order.CreatedAt;
        var age = now - since;
        var delay = age < polling.FollowUpWindow ? Backoff(polling.InitialDelay, order.Attempts, polling.MaxDelay) : polling.SlowDelay;
        var threshold = awaitingApproval ? polling.StuckAfterAwaitingApproval : polling.StuckAfterSubmitted;
        var reason = awaitingApproval
            ? $"Waiting for an SCM administrator's approval for {Hours(age)} (sslId {order.SslId}); it will not be re-ordered."
            : $"Not issued {Hours(age)} after submission (SCM status {scmStatus}, sslId {order.SslId}); it will not be re-ordered.";
        if (order.State != OrderState.Stuck && age >= threshold)
        {
            var flagged = order with { ScmStatus = scmStatus, Attempts = order.Attempts + 1 };
            return await MarkStuckAsync(flagged, lease, actor, reason, cancellationToken).ConfigureAwait(false);
        }

        var nextState = order.State == OrderState.Stuck ? OrderState.Stuck : awaitingApproval ? OrderState.AwaitingApproval : OrderState.Submitted;
        var next = order with
        {
            State = nextState,
            ScmStatus = scmStatus,
            Attempts = order.Attempts + 1,
            NextAttemptAt = now + delay,

            // A Stuck order keeps saying why (with its current age) while it waits; others have no error to show.
            LastError = nextState == OrderState.Stuck ? reason : null,
            LastScmErrorCode = null,
        };
        AuditEntry? audit = null;
        if (nextState != order.State && nextState == OrderState.AwaitingApproval)
        {
            audit = _ctx.Audit(actor, ActionFor(order), "AwaitingApproval", "Pending", $"SCM holds sslId {order.SslId} for an administrator's approval.", order);
        }

        var saved = await SaveAsync(order, next, lease, audit, cancellationToken).ConfigureAwait(false);
        return StepResult.Wait(saved, awaitingApproval ? "Awaiting approval in SCM." : $"Not issued yet (SCM status {scmStatus}).");
    }

    internal async Task<StepResult> MarkStuckAsync(CertificateOrder order, CertificateLease lease, string actor, string reason, CancellationToken cancellationToken)
    {
        var stuck = order with
        {
            State = OrderState.Stuck,
            NextAttemptAt = _ctx.Now + _ctx.Options.Polling.SlowDelay,
            LastError = reason,
        };
        var saved = await SaveAsync(order, stuck, lease, _ctx.Audit(actor, ActionFor(order), "Stuck", "NeedsAttention", reason, order), cancellationToken).ConfigureAwait(false);
        await ReportStuckAsync(order, reason, cancellationToken).ConfigureAwait(false);
        return StepResult.Wait(saved, reason);
    }

    /// <summary>Tells the host an order needs an operator: the log line and <see cref="OrderStuckEvent"/>.</summary>
    private async Task ReportStuckAsync(CertificateOrder order, string reason, CancellationToken cancellationToken)
    {
        Log.OrderStuck(_ctx.Logger, order.Id, reason);
        await _ctx.Events.RaiseAsync(this, new OrderStuckEvent
        {
            Timestamp = _ctx.Now,
            OrderId = order.Id,
            CertificateId = order.CertificateId,
            SslId = order.SslId,
            CommonName = order.Request.CommonName,
            Reason = reason,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A transient failure of a read: keep the state, remember the error, try later.</summary>
    internal async Task<StepResult> DeferAsync(CertificateOrder order, CertificateLease lease, string error, int? code, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var delay = retryAfter ?? Backoff(_ctx.Options.Polling.RetryDelay, order.Attempts, _ctx.Options.Polling.MaxDelay);
        var next = order with { Attempts = order.Attempts + 1, NextAttemptAt = _ctx.Now + delay, LastError = error, LastScmErrorCode = code };
        var saved = await SaveAsync(order, next, lease, null, cancellationToken).ConfigureAwait(false);
        return StepResult.Wait(saved, error);
    }

    internal async Task<StepResult> FailAsync(CertificateOrder order, CertificateLease lease, string actor, string decision, string reason, int? scmCode, CancellationToken cancellationToken)
    {
        var failed = order with { State = OrderState.Failed, NextAttemptAt = null, LastError = reason, LastScmErrorCode = scmCode };
        var backoff = await RenewalBackoffAsync(order, reason, cancellationToken).ConfigureAwait(false);
        var saved = await SaveAsync(order, failed, lease, _ctx.Audit(actor, ActionFor(order), decision, "Failed", reason, order), cancellationToken, backoff).ConfigureAwait(false);
        _ctx.Telemetry.Orders.Add(1, new KeyValuePair<string, object?>("kind", order.Kind.ToString()), new KeyValuePair<string, object?>("outcome", "failed"));
        Log.OrderFailed(_ctx.Logger, order.Id, reason);
        await _ctx.Events.RaiseAsync(this, new OrderFailedEvent
        {
            Timestamp = _ctx.Now,
            OrderId = order.Id,
            CertificateId = order.CertificateId,
            SslId = order.SslId,
            CommonName = order.Request.CommonName,
            State = OrderState.Failed,
            Reason = reason,
            ScmErrorCode = scmCode,
        }, cancellationToken).ConfigureAwait(false);
        return StepResult.Stop(saved, reason);
    }

    /// <summary>Stores an order transition, fenced by the lease, with an optional audit entry in the same transaction.</summary>
    internal async Task<CertificateOrder> SaveAsync(CertificateOrder previous, CertificateOrder next, CertificateLease lease, AuditEntry? audit, CancellationToken cancellationToken, ManagedCertificate? certificateUpdate = null)
    {
        var now = _ctx.Now;
        next = next with
        {
            UpdatedAt = now,
            StateChangedAt = next.State != previous.State ? now : previous.StateChangedAt,
        };
        var batch = new StoreBatch().RequireLease(lease.Token).UpdateOrder(next);
        if (certificateUpdate is not null)
        {
            batch.UpdateCertificate(certificateUpdate);
        }

        if (audit is not null)
        {
            batch.Audit(audit);
        }

        try
        {
            var result = await _ctx.Store.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
            if (next.State != previous.State)
            {
                _ctx.Telemetry.StateTransitions.Add(1, new KeyValuePair<string, object?>("state", next.State.ToString()));
            }

            return result.Order(next.Id);
        }
        catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.LeaseLost)
        {
            throw new LeaseLostException(lease.Name);
        }
    }

    /// <summary>
    /// Stores the outcome of a POST, retrying a failing store with backoff (the outcome exists only in memory). If the
    /// process dies first, the order stays "Submitting" and the reconcile rule finds it; nothing is re-sent blindly.
    /// </summary>
    internal async Task<CertificateOrder> SaveWithRetryAsync(CertificateOrder previous, CertificateOrder next, CertificateLease lease, AuditEntry? audit, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SaveAsync(previous, next, lease, audit, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ScmStoreException ex) when (ex.IsTransient && attempt < 6)
            {
                Log.StoreRetry(_ctx.Logger, next.Id, attempt, ex.Message);
                await Task.Delay(delay, _ctx.Time, CancellationToken.None).ConfigureAwait(false);
                delay *= 2;
            }
        }
    }

    /// <summary>
    /// A failed renewal backs its certificate off (cert-manager's rule: 1 h doubling, at most 32 h and at most a tenth of
    /// the remaining lifetime), so auto-renewal never loops; the emergency window still overrides it.
    /// </summary>
    internal async Task<ManagedCertificate?> RenewalBackoffAsync(CertificateOrder order, string reason, CancellationToken cancellationToken)
    {
        if (order.Kind != OrderKind.Renewal)
        {
            return null;
        }

        var certificate = await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false);
        if (certificate is null || certificate.Status != CertificateStatus.Active)
        {
            return null;
        }

        var now = _ctx.Now;
        var failures = certificate.RenewalFailures + 1;
        return certificate with
        {
            RenewalFailures = failures,
            RenewalNotBefore = now + RenewalBackoff(failures, certificate.NotAfter - now),
            LastRenewalError = reason,
            UpdatedAt = now,
        };
    }

    internal static TimeSpan RenewalBackoff(int failures, TimeSpan remaining)
    {
        var doubling = Backoff(TimeSpan.FromHours(1), failures - 1, TimeSpan.FromHours(32));
        var tenth = remaining > TimeSpan.Zero ? remaining / 10 : TimeSpan.FromMinutes(1);
        return doubling < tenth ? doubling : tenth;
    }

    /// <summary>The private key of an order, checked against the order's binding (its CSR's public key).</summary>
    internal async Task<AsymmetricAlgorithm> UnprotectKeyAsync(CertificateOrder order, CancellationToken cancellationToken) =>
        await UnprotectKeyAsync(order.ProtectedPrivateKey!, await KeyBindings.PrivateKeyAsync(order, _ctx.Store, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>The private key of a certificate, checked against the certificate's binding (its public key).</summary>
    internal Task<AsymmetricAlgorithm> UnprotectKeyAsync(ManagedCertificate certificate, CancellationToken cancellationToken) =>
        UnprotectKeyAsync(certificate.ProtectedPrivateKey!, KeyBindings.PrivateKey(certificate), cancellationToken);

    /// <summary>The instant that marks an order parked because its key material cannot be decrypted: never due.</summary>
    internal static readonly DateTimeOffset KeyUnreadableParkedUntil = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static bool IsKeyParked(CertificateOrder order) => order.State == OrderState.Stuck && order.NextAttemptAt == KeyUnreadableParkedUntil;

    /// <summary>
    /// Key material of an order cannot be decrypted (F13: tampered, corrupt, bound to another record, or its key is not
    /// in the ring): the order becomes Stuck, visibly, and is never retried by the scheduler; never a new key.
    /// </summary>
    private async Task<StepResult> MarkKeyUnreadableAsync(CertificateOrder order, CertificateLease lease, string actor, KeyProtectionException ex, CancellationToken cancellationToken)
    {
        var current = await _ctx.Store.GetOrderAsync(order.Id, cancellationToken).ConfigureAwait(false) ?? order;
        var reason = $"The order's key material cannot be decrypted: {ex.Message} It is not retried automatically and no new key is made: restore the key ring the store was protected with (docs/operations.md, 'Key protection'), then check the order again.";
        var stuck = current with
        {
            State = OrderState.Stuck,
            NextAttemptAt = KeyUnreadableParkedUntil,
            LastError = reason,
        };
        var saved = await SaveAsync(current, stuck, lease, _ctx.Audit(actor, ActionFor(current), "KeyUnreadable", "NeedsAttention", reason, current), cancellationToken).ConfigureAwait(false);
        await ReportKeyUnreadableAsync(current, null, ex, cancellationToken).ConfigureAwait(false);
        return StepResult.Wait(saved, reason);
    }

    /// <summary>Tells the host that a record's key material cannot be decrypted: the log line, the health check's list and <see cref="PrivateKeyUnreadableEvent"/>.</summary>
    internal async Task ReportKeyUnreadableAsync(CertificateOrder? order, ManagedCertificate? certificate, KeyProtectionException ex, CancellationToken cancellationToken)
    {
        var record = order is not null ? KeyRingGuard.RecordName(order) : KeyRingGuard.RecordName(certificate!);
        Log.KeyUnreadable(_ctx.Logger, record, "key material", ex.Message);
        await _ctx.Keys.SetUnreadableAsync(record, unreadable: true, cancellationToken).ConfigureAwait(false);
        await _ctx.Events.RaiseAsync(this, new PrivateKeyUnreadableEvent
        {
            Timestamp = _ctx.Now,
            OrderId = order?.Id,
            CertificateId = order?.CertificateId ?? certificate?.Id,
            SslId = order?.SslId ?? certificate?.SslId,
            CommonName = order?.Request.CommonName ?? certificate?.CommonName,
            Reason = ex.Message,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AsymmetricAlgorithm> UnprotectKeyAsync(byte[] protectedKey, byte[] binding, CancellationToken cancellationToken)
    {
        var pkcs8 = await _ctx.Keys.UnprotectAsync(protectedKey, binding, cancellationToken).ConfigureAwait(false);
        try
        {
            return KeyMaterial.ImportPkcs8(pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>The wait after the <paramref name="refusals"/>-th "not now" refusal in a row: the base, doubling, at most an hour (never below the base).</summary>
    internal static TimeSpan RefusalBackoff(TimeSpan baseWait, int refusals)
    {
        var cap = baseWait > MaxRefusalWait ? baseWait : MaxRefusalWait;
        var factor = Math.Pow(2, Math.Clamp(refusals - 1, 0, 30));
        return baseWait.TotalSeconds * factor >= cap.TotalSeconds ? cap : TimeSpan.FromSeconds(baseWait.TotalSeconds * factor);
    }

    internal static TimeSpan Backoff(TimeSpan initial, int attempts, TimeSpan? cap = null)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts, 0, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(initial.Ticks * factor, TimeSpan.FromDays(30).Ticks));
        return cap is { } c && delay > c ? c : delay;
    }

    internal static string ActionFor(CertificateOrder order) => order.Kind switch
    {
        OrderKind.Renewal => "Renew",
        OrderKind.Reissue => "Reissue",
        OrderKind.Import => "Import",
        _ => "Order",
    };

    internal static string KindWord(OrderKind kind) => kind switch
    {
        OrderKind.Renewal => "renewal",
        OrderKind.Reissue => "reissue",
        OrderKind.Import => "import",
        _ => "order",
    };

    internal static bool IsStatus(string? status, string expected) =>
        status is not null && string.Equals(status.Replace(" ", string.Empty, StringComparison.Ordinal), expected.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    private static string Describe(CertificateOrderRequest request) =>
        request.KeyAlgorithm == KeyAlgorithm.Rsa ? $"RSA-{request.KeySize ?? 2048}" : $"EC {request.Curve ?? "P-256"}";

    private static string Hours(TimeSpan span) => span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : $"{span.TotalMinutes:0} min";

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>The outcome of one state-machine step.</summary>
internal readonly record struct StepResult(CertificateOrder Order, bool Continue, string? Message, ManagedCertificate? Installed)
{
    public static StepResult Next(CertificateOrder order, string? message = null) => new(order, true, message, null);

    public static StepResult Wait(CertificateOrder order, string? message = null) => new(order, false, message, null);

    public static StepResult Stop(CertificateOrder order, string? message = null) => new(order, false, message, null);

    public static StepResult Done(CertificateOrder order, ManagedCertificate installed, string? message = null) => new(order, false, message, installed);
}
