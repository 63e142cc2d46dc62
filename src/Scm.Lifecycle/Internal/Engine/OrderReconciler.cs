using Scm.Lifecycle.Internal.Crypto;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Finds the SCM order behind an order whose submission outcome is unknown (docs/reliability.md, "What the answers rest on"):
/// search SCM by common name across every page, open the details of candidates not already known locally and
/// requested after the intent was written, and adopt the one whose <c>comments</c> carry the token. Without a token
/// match, fall back to issued candidates whose certificate carries our public key. Nothing found: re-submit with the
/// same key and token only after the ambiguity window, on a second empty search. Several found: keep the issued
/// (else the oldest), report the others. Search failing: stay ambiguous, never re-submit, escalate after a while.
/// </summary>
internal sealed class OrderReconciler
{
    private readonly EngineContext _ctx;
    private OrderWorkflow? _workflow;

    public OrderReconciler(EngineContext context) => _ctx = context;

    public OrderWorkflow Workflow
    {
        get => _workflow ?? throw new InvalidOperationException("The reconciler is not wired to a workflow.");
        set => _workflow = value;
    }

    /// <summary>
    /// Renewals and reissues: what SCM shows of the original (and, for a renewal, every order for the name) right before
    /// the POST. Stored with the "Submitting" state, it is the evidence <see cref="ReconcileAsync"/> compares with.
    /// </summary>
    public async Task<SubmissionBaseline> TakeBaselineAsync(CertificateOrder order, long originalSslId, CancellationToken cancellationToken)
    {
        var original = await ReadAsync(() => _ctx.Gateway.GetOrderAsync(originalSslId, cancellationToken)).ConfigureAwait(false);
        List<long>? listed = null;
        if (order.Kind == OrderKind.Renewal)
        {
            listed = await ReadAsync(async () =>
            {
                var ids = new List<long>();
                await foreach (var sslId in _ctx.Gateway.ListSslIdsByCommonNameAsync(order.Request.CommonName, cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(sslId);
                }

                return ids;
            }).ConfigureAwait(false);
        }

        return new SubmissionBaseline
        {
            TakenAt = _ctx.Now,
            OriginalSslId = originalSslId,
            OriginalStatus = original.Status,
            OriginalRenewed = original.Renewed,
            OriginalSerialNumber = NormalizeSerial(original.SerialNumber),
            OriginalReplacedOn = original.ReplacedOn,
            SslIdsForCommonName = listed,
        };
    }

    public async Task<StepResult> ReconcileAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken, bool adoptOnly = false)
    {
        var now = _ctx.Now;
        Evidence evidence;
        try
        {
            evidence = order.Kind == OrderKind.Reissue
                ? await FindReissueAsync(order, cancellationToken).ConfigureAwait(false)
                : await FindAsync(order, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            return await SearchFailedAsync(order, lease, actor, ex.Message, cancellationToken).ConfigureAwait(false);
        }

        if (evidence.Proven.Count > 0)
        {
            return await AdoptAsync(order, evidence, lease, actor, cancellationToken).ConfigureAwait(false);
        }

        if (adoptOnly)
        {
            var still = order with
            {
                NextAttemptAt = now + _ctx.Options.Polling.SlowDelay,
                Attempts = order.Attempts + 1,
                LastError = evidence.Doubt is null ? order.LastError : evidence.Doubt + " " + NeverResent,
            };
            return StepResult.Wait(await Workflow.SaveAsync(order, still, lease, null, cancellationToken).ConfigureAwait(false), "Still not found in SCM.");
        }

        var submittedAt = order.SubmittedAt ?? order.UpdatedAt;
        var windowEnds = submittedAt + _ctx.Options.Reconcile.AmbiguityWindow;
        if (evidence.Doubt is { } doubt && now >= windowEnds && order.Attempts >= 1)
        {
            // SCM shows something that may be this POST's order but nothing proves it: never re-sent, escalated now, and
            // searched again at a slow pace (an issued certificate with our public key is proof, and is adopted).
            var unclear = order with { Attempts = order.Attempts + 1 };
            return await Workflow.MarkStuckAsync(unclear, lease, actor,
                $"{doubt} {NeverResent} Searched again daily; an issued certificate with this order's public key is adopted.",
                cancellationToken).ConfigureAwait(false);
        }

        if (evidence.Doubt is null && now >= windowEnds && order.Attempts >= 1)
        {
            // Second empty search, after the window, and SCM looks as it did before the POST: the POST did not create
            // anything. Re-submit with the same key and token.
            var retry = order with { State = OrderState.KeyPersisted, Attempts = 0, NextAttemptAt = null, LastError = null, LastScmErrorCode = null };
            var saved = await Workflow.SaveAsync(order, retry, lease, _ctx.Audit(actor, OrderWorkflow.ActionFor(order), "Resubmit", "Pending",
                $"Two searches of SCM (the last after the {_ctx.Options.Reconcile.AmbiguityWindow} ambiguity window) found no order that this POST could have created ({evidence.Proof}); re-submitting with the same key and token.",
                order), cancellationToken).ConfigureAwait(false);
            return StepResult.Next(saved, "Not found in SCM; re-submitting with the same token.");
        }

        var next = order with
        {
            Attempts = order.Attempts + 1,
            NextAttemptAt = now >= windowEnds ? now + _ctx.Options.Reconcile.RetryDelay : Max(windowEnds, now + _ctx.Options.Reconcile.RetryDelay),
            LastError = evidence.Doubt ?? "No SCM order with this token yet.",
        };
        var waiting = await Workflow.SaveAsync(order, next, lease, null, cancellationToken).ConfigureAwait(false);
        return StepResult.Wait(waiting, "Not found in SCM yet; searching again later.");
    }

    /// <summary>
    /// A POST that SCM accepted after this instance lost the order's lease (the new owner may have re-sent it). Compares
    /// with what the store holds now: another sslId there means SCM holds a duplicate, reported at once with
    /// <see cref="DuplicateOrderDetectedEvent"/>; no sslId yet means the new owner's reconciliation will find this one. Either
    /// way the audit log records it (appended without the lease; nothing else is written).
    /// </summary>
    public async Task ReportPostAfterLeaseLostAsync(CertificateOrder submitted, long sslId, string actor, CancellationToken cancellationToken)
    {
        var now = await ReadStoredOrderAsync(submitted.Id).ConfigureAwait(false);
        var other = now?.SslId is { } held && held != sslId ? held : (long?)null;
        var outcome = other is { } duplicateOf
            ? $"the order's new owner already holds sslId {duplicateOf}, so sslId {sslId} is a DUPLICATE: an operator should cancel or revoke it."
            : now?.SslId == sslId
                ? "the order's new owner already adopted it; nothing is duplicated."
                : "the order's new owner will find it by its token and adopt it.";
        Log.PostAfterLeaseLost(_ctx.Logger, submitted.Id, sslId, outcome);
        try
        {
            await _ctx.Store.AppendAuditAsync(_ctx.Audit(actor, OrderWorkflow.ActionFor(submitted), "PostAfterLeaseLost", other is null ? "Pending" : "NeedsAttention",
                $"SCM accepted the {OrderWorkflow.KindWord(submitted.Kind)} as sslId {sslId} after this instance lost the order's lease; {outcome}",
                submitted with { SslId = sslId }), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ScmStoreException ex)
        {
            Log.StoreRetry(_ctx.Logger, submitted.Id, 0, ex.Message);
        }

        if (other is { } adopted)
        {
            await _ctx.Events.RaiseAsync(this, new DuplicateOrderDetectedEvent
            {
                Timestamp = _ctx.Now,
                OrderId = submitted.Id,
                CertificateId = submitted.CertificateId,
                SslId = adopted,
                CommonName = submitted.Request.CommonName,
                DuplicateSslIds = [sslId],
            }, cancellationToken).ConfigureAwait(false);
        }

        async Task<CertificateOrder?> ReadStoredOrderAsync(Guid id)
        {
            try
            {
                return await _ctx.Store.GetOrderAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ScmStoreException)
            {
                return null;
            }
        }
    }

    private async Task<StepResult> AdoptAsync(CertificateOrder order, Evidence evidence, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        var matches = evidence.Proven;
        var chosen = matches.FirstOrDefault(m => OrderWorkflow.IsStatus(m.Status, "Issued"))
            ?? matches.OrderBy(m => m.Requested ?? DateOnly.MaxValue).ThenBy(m => m.SslId).First();
        var duplicates = matches.Where(m => m.SslId != chosen.SslId).Select(m => m.SslId).ToArray();
        var reason = $"Found the order in SCM as sslId {chosen.SslId} (status {chosen.Status}, {evidence.Proof}) and adopted it; nothing was re-sent.";
        if (duplicates.Length > 0)
        {
            reason += $" DUPLICATES of this order: {string.Join(", ", duplicates)} — an operator should cancel or revoke them.";
        }

        var adopted = order with
        {
            State = OrderState.Submitted,
            SslId = chosen.SslId,
            OrderNumber = chosen.OrderNumber ?? order.OrderNumber,
            ScmStatus = chosen.Status,
            Attempts = 0,
            SubmitRefusals = 0,
            RefusedSince = null,
            RefusalReportedAt = null,
            NextAttemptAt = null,
            LastError = null,
            LastScmErrorCode = null,
        };
        var saved = await Workflow.SaveAsync(order, adopted, lease, _ctx.Audit(actor, OrderWorkflow.ActionFor(order), "Reconciled", "Succeeded", reason, adopted), cancellationToken).ConfigureAwait(false);
        Log.OrderReconciled(_ctx.Logger, order.Id, chosen.SslId, duplicates.Length);
        if (duplicates.Length > 0)
        {
            await _ctx.Events.RaiseAsync(this, new DuplicateOrderDetectedEvent
            {
                Timestamp = _ctx.Now,
                OrderId = order.Id,
                CertificateId = order.CertificateId,
                SslId = chosen.SslId,
                CommonName = order.Request.CommonName,
                DuplicateSslIds = duplicates,
            }, cancellationToken).ConfigureAwait(false);
        }

        if (order.Kind == OrderKind.Renewal)
        {
            await Workflow.RetagRenewalAsync(saved, cancellationToken).ConfigureAwait(false);
        }

        return StepResult.Next(saved, reason);
    }

    private async Task<StepResult> SearchFailedAsync(CertificateOrder order, CertificateLease lease, string actor, string error, CancellationToken cancellationToken)
    {
        var since = order.SubmittedAt ?? order.UpdatedAt;
        if (order.State != OrderState.Stuck && _ctx.Now - since >= _ctx.Options.Reconcile.EscalateAfter)
        {
            return await Workflow.MarkStuckAsync(order, lease, actor,
                $"Could not reconcile for {(_ctx.Now - since).TotalHours:0.#} h (last error: {error}); the order is never re-sent while its outcome is unknown.",
                cancellationToken).ConfigureAwait(false);
        }

        var next = order with { NextAttemptAt = _ctx.Now + _ctx.Options.Reconcile.RetryDelay, LastError = "Reconcile search failed: " + error };
        var saved = await Workflow.SaveAsync(order, next, lease, null, cancellationToken).ConfigureAwait(false);
        return StepResult.Wait(saved, next.LastError);
    }

    /// <summary>
    /// New orders and renewals. Candidates are the SCM orders for the common name that this POST could have created: not
    /// known locally; for a renewal with a baseline, not listed before the POST; otherwise requested since the day before
    /// the submission. A candidate is proven ours by our token in its comments (a renewal's SCM order carries the
    /// original's comments, so the original's tokens count too), by an issued certificate with this order's public key,
    /// or, for a renewal, by being the single new order for the name while SCM turned the original's <c>renewed</c> flag
    /// on. A candidate that carries another SDK order's token, or whose key type contradicts our CSR, is not ours.
    /// </summary>
    private async Task<Evidence> FindAsync(CertificateOrder order, CancellationToken cancellationToken)
    {
        var (original, originalId, flipped, matches, unproven, earliest) = await ScanAsync(order, order.SslId, cancellationToken).ConfigureAwait(false);
        var baseline = order.Baseline;
        if (matches.Count > 0)
        {
            return Evidence.Found(matches, "matched by this order's token in SCM's comments");
        }

        var byKey = await MatchByKeyAsync(order, unproven.Where(v => OrderWorkflow.IsStatus(v.Status, "Issued")).ToArray(), cancellationToken).ConfigureAwait(false);
        if (byKey.Count > 0)
        {
            return Evidence.Found(byKey, "matched by this order's public key in the issued certificate");
        }

        if (flipped && unproven.Count == 1)
        {
            return Evidence.Found(unproven,
                $"the only SCM order for {order.Request.CommonName} that appeared after the renewal was sent, and SCM marked sslId {originalId} as renewed");
        }

        if (unproven.Count > 0)
        {
            return Evidence.Unclear(
                $"SCM shows {unproven.Count} order(s) for {order.Request.CommonName} that this {OrderWorkflow.KindWord(order.Kind)} may have created (sslId {string.Join(", ", unproven.Select(v => v.SslId))}), none carrying its token or yet issued with its public key.");
        }

        if (original is not null && original.Renewed && (baseline is null || flipped))
        {
            return Evidence.Unclear(baseline is null
                ? $"SCM marks sslId {originalId} as renewed, and this renewal was sent before the engine kept a baseline, so it cannot tell whether the renewal is its own; no new order for {order.Request.CommonName} is visible."
                : $"SCM marked sslId {originalId} as renewed after this renewal was sent, but no new order for {order.Request.CommonName} is visible yet.");
        }

        return Evidence.Nothing(order.Kind == OrderKind.Renewal
            ? baseline is null
                ? $"SCM does not mark sslId {originalId} as renewed and lists no order for the name carrying this token"
                : $"SCM lists no order for {order.Request.CommonName} that appeared after the renewal was sent, and sslId {originalId} is {(baseline.OriginalRenewed ? "marked renewed as before" : "not marked renewed")}"
            : $"SCM lists no order for {order.Request.CommonName} requested since {earliest:yyyy-MM-dd} that is unknown here and carries no other order's token");
    }

    /// <summary>
    /// The SCM orders for the common name this order's POST could have created (see <see cref="FindAsync"/>), split into
    /// those carrying one of its tokens and those carrying no SDK token whose key type does not rule them out; and what SCM
    /// shows of a renewal's original. <paramref name="excluded"/> (the order's own sslId, when it has one) is left out.
    /// </summary>
    private async Task<Scan> ScanAsync(CertificateOrder order, long? excluded, CancellationToken cancellationToken)
    {
        var tokens = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { order.CorrelationToken };
        var baseline = order.Baseline;
        long? originalId = null;
        ScmOrderView? original = null;
        if (order.Kind == OrderKind.Renewal)
        {
            originalId = baseline?.OriginalSslId ?? (await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false))?.SslId;
            if (originalId is { } id)
            {
                original = await _ctx.Gateway.GetOrderAsync(id, cancellationToken).ConfigureAwait(false);
                foreach (var token in CorrelationMarker.Extract(original.Comments))
                {
                    tokens.Add(token);
                }
            }
        }

        // For a renewal, SCM turning the original's "renewed" flag on is the sign that renewById committed.
        var flipped = original is not null && original.Renewed && baseline is { OriginalRenewed: false };
        var before = baseline?.SslIdsForCommonName is { } listed ? new HashSet<long>(listed) : null;
        var earliest = DateOnly.FromDateTime((order.SubmittedAt ?? order.CreatedAt).UtcDateTime.AddDays(-1));
        var candidateIds = new List<long>();
        await foreach (var sslId in _ctx.Gateway.ListSslIdsByCommonNameAsync(order.Request.CommonName, cancellationToken).ConfigureAwait(false))
        {
            if (sslId == originalId || sslId == excluded || before?.Contains(sslId) == true || candidateIds.Contains(sslId)
                || await KnownElsewhereAsync(sslId, order, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            candidateIds.Add(sslId);
        }

        var details = await GetDetailsAsync(candidateIds, cancellationToken).ConfigureAwait(false);
        var matches = new List<ScmOrderView>();
        var unproven = new List<ScmOrderView>();
        foreach (var view in details)
        {
            if (before is null && view.Requested is { } requested && requested < earliest)
            {
                continue;
            }

            var carried = CorrelationMarker.Extract(view.Comments);
            if (carried.Any(tokens.Contains))
            {
                matches.Add(view);
            }
            else if (carried.Count == 0 && !KeyTypeContradicts(view.KeyType, order.Request))
            {
                unproven.Add(view);
            }
        }

        return new Scan(original, originalId, flipped, matches, unproven, earliest);
    }

    /// <summary>
    /// An order sent again after an unclear outcome: its first POST may still reach SCM late (an instance that paused right
    /// before sending, F40). Once the ambiguity window has passed, or before the order completes, SCM is searched once more
    /// for other orders this order may have created; each is reported with <see cref="DuplicateOrderDetectedEvent"/> and
    /// audited. A failing search is tried again at the next check.
    /// </summary>
    public async Task<CertificateOrder> CheckForDuplicatesAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        IReadOnlyList<ScmOrderView> found = [];
        if (order.Kind != OrderKind.Reissue && order.SslId is { } own)
        {
            try
            {
                var scan = await ScanAsync(order, own, cancellationToken).ConfigureAwait(false);
                found = [.. scan.Matches, .. order.Kind == OrderKind.Renewal ? scan.Unproven : []];
            }
            catch (ScmCallException ex)
            {
                Log.DuplicateCheckFailed(_ctx.Logger, order.Id, ex.Message);
                return order;
            }
        }

        AuditEntry? audit = null;
        if (found.Count > 0)
        {
            audit = _ctx.Audit(actor, OrderWorkflow.ActionFor(order), "DuplicateDetected", "NeedsAttention",
                $"This order was sent again after an unclear outcome, and SCM now also holds sslId {string.Join(", ", found.Select(v => v.SslId))} for {order.Request.CommonName} " +
                $"({(order.Kind == OrderKind.Renewal ? "new since the renewal was sent" : "carrying this order's token")}) besides sslId {order.SslId}: a DUPLICATE; an operator should cancel or revoke it.",
                order);
        }

        var saved = await Workflow.SaveAsync(order, order with { DuplicateCheckAt = null }, lease, audit, cancellationToken).ConfigureAwait(false);
        if (found.Count > 0)
        {
            Log.OrderReconciled(_ctx.Logger, order.Id, order.SslId!.Value, found.Count);
            await _ctx.Events.RaiseAsync(this, new DuplicateOrderDetectedEvent
            {
                Timestamp = _ctx.Now,
                OrderId = order.Id,
                CertificateId = order.CertificateId,
                SslId = order.SslId!.Value,
                CommonName = order.Request.CommonName,
                DuplicateSslIds = found.Select(v => v.SslId).ToArray(),
            }, cancellationToken).ConfigureAwait(false);
        }

        return saved;
    }

    private sealed record Scan(ScmOrderView? Original, long? OriginalId, bool Flipped, IReadOnlyList<ScmOrderView> Matches, IReadOnlyList<ScmOrderView> Unproven, DateOnly Earliest);

    private async Task<IReadOnlyList<ScmOrderView>> GetDetailsAsync(IReadOnlyList<long> sslIds, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(_ctx.Options.Reconcile.MaxConcurrency);
        return await Task.WhenAll(sslIds.Select(async sslId =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await _ctx.Gateway.GetOrderAsync(sslId, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Issued candidates carrying no token: collect them and compare their public key with the one in this order's CSR
    /// (the key itself is not needed, so a key protector that cannot decrypt does not stop reconciliation).
    /// </summary>
    private async Task<IReadOnlyList<ScmOrderView>> MatchByKeyAsync(CertificateOrder order, IReadOnlyList<ScmOrderView> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0 || order.CsrPem is null)
        {
            return [];
        }

        var spki = CsrFactory.SubjectPublicKeyInfo(order.CsrPem);
        var found = new List<ScmOrderView>();
        foreach (var candidate in candidates)
        {
            var collected = await _ctx.Gateway.CollectAsync(candidate.SslId, cancellationToken).ConfigureAwait(false);
            if (collected.Certificates is { } certificates)
            {
                var match = certificates.Any(c => KeyMaterial.Matches(c, spki));
                foreach (var c in certificates)
                {
                    c.Dispose();
                }

                if (match)
                {
                    found.Add(candidate);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// A reissue keeps the sslId. With a baseline, SCM accepted the replace if its record no longer looks as it did right
    /// before the POST (status, serial number or <c>replaced</c> date changed); without one (an order stored by an older
    /// version), if the order left Issued or delivers another serial than the local certificate's.
    /// </summary>
    private async Task<Evidence> FindReissueAsync(CertificateOrder order, CancellationToken cancellationToken)
    {
        var baseline = order.Baseline;
        var sslId = baseline?.OriginalSslId ?? (await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false))?.SslId;
        if (sslId is not { } id)
        {
            return Evidence.Nothing("the certificate to reissue has no SCM order");
        }

        var view = await _ctx.Gateway.GetOrderAsync(id, cancellationToken).ConfigureAwait(false);
        var serial = NormalizeSerial(view.SerialNumber);
        if (baseline is not null)
        {
            var changes = new List<string>();
            if (!OrderWorkflow.IsStatus(view.Status, baseline.OriginalStatus ?? string.Empty))
            {
                changes.Add($"status {baseline.OriginalStatus} -> {view.Status}");
            }

            if (!string.Equals(serial, baseline.OriginalSerialNumber, StringComparison.OrdinalIgnoreCase))
            {
                changes.Add("another serial number");
            }

            if (view.ReplacedOn != baseline.OriginalReplacedOn)
            {
                changes.Add($"replaced on {view.ReplacedOn:yyyy-MM-dd}");
            }

            return changes.Count > 0
                ? Evidence.Found([view], "SCM's record changed after the replace was sent: " + string.Join(", ", changes))
                : Evidence.Nothing($"sslId {id} still shows status {view.Status}, the same serial number and replaced date as before the replace was sent");
        }

        var current = await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false);
        var accepted = !OrderWorkflow.IsStatus(view.Status, "Issued")
            || (serial is not null && !serial.Equals(NormalizeSerial(current?.SerialNumber), StringComparison.OrdinalIgnoreCase));
        return accepted
            ? Evidence.Found([view], $"SCM's record left Issued or carries another serial (status {view.Status})")
            : Evidence.Nothing($"sslId {id} is still Issued with the local certificate's serial number");
    }

    /// <summary>Whether SCM's key type text (<c>"RSA - 2048"</c>, <c>"EC - P-256"</c>, <c>"RSA"</c>) rules out the order's key.</summary>
    internal static bool KeyTypeContradicts(string? keyType, CertificateOrderRequest request)
    {
        if (string.IsNullOrWhiteSpace(keyType))
        {
            return false;
        }

        var parts = keyType.Split('-', 2, StringSplitOptions.TrimEntries);
        var family = parts[0].ToUpperInvariant();
        var detail = parts.Length > 1 ? parts[1] : null;
        var isRsa = family == "RSA";
        var isEc = family is "EC" or "ECC" or "ECDSA";
        if (!isRsa && !isEc)
        {
            return false;
        }

        if (isRsa != (request.KeyAlgorithm == KeyAlgorithm.Rsa))
        {
            return true;
        }

        if (string.IsNullOrEmpty(detail))
        {
            return false;
        }

        if (isRsa)
        {
            return int.TryParse(detail, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits) && bits != (request.KeySize ?? 2048);
        }

        return CurveName(detail) is { } theirs && CurveName(request.Curve ?? "P-256") is { } ours && theirs != ours;
    }

    private static string? CurveName(string text) => text.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant() switch
    {
        "P-256" or "P256" or "SECP256R1" or "PRIME256V1" => "P-256",
        "P-384" or "P384" or "SECP384R1" => "P-384",
        "P-521" or "P521" or "SECP521R1" => "P-521",
        _ => null,
    };

    /// <summary>
    /// A read for the baseline, tried again at once (up to three times in all) when SCM or a proxy answered with an unusable
    /// body, which the HTTP pipeline cannot retry (a malformed 200): a glitch on a safe read should not hold a renewal back.
    /// </summary>
    private static async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read().ConfigureAwait(false);
            }
            catch (ScmCallException ex) when (ex.InnerException is Scm.Client.ScmProtocolException && attempt < 3)
            {
            }
        }
    }

    private static string? NormalizeSerial(string? serial) =>
        serial?.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private async Task<bool> KnownElsewhereAsync(long sslId, CertificateOrder order, CancellationToken cancellationToken)
    {
        var orders = await _ctx.Store.FindOrdersBySslIdAsync(sslId, cancellationToken).ConfigureAwait(false);
        if (orders.Any(o => o.Id != order.Id))
        {
            return true;
        }

        var certificates = await _ctx.Store.FindCertificatesBySslIdAsync(sslId, cancellationToken).ConfigureAwait(false);
        return certificates.Count > 0;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private const string NeverResent = "It is never sent again while SCM may hold it.";

    /// <summary>
    /// What a search found. <see cref="Proven"/>: SCM orders proven to be this POST's. <see cref="Doubt"/>: SCM shows
    /// something this POST may have created, without proof either way (the order must never be re-sent). Neither: SCM
    /// looks as it would had the POST created nothing, for the reason in <see cref="Proof"/>.
    /// </summary>
    private sealed record Evidence(IReadOnlyList<ScmOrderView> Proven, string? Doubt, string Proof)
    {
        public static Evidence Found(IReadOnlyList<ScmOrderView> proven, string how) => new(proven, null, how);

        public static Evidence Unclear(string doubt) => new([], doubt, string.Empty);

        public static Evidence Nothing(string why) => new([], null, why);
    }
}
