using System.Security.Cryptography;
using Scm.Lifecycle.Internal.Crypto;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Finds the SCM order behind an order whose submission outcome is unknown (reliability.md, "Reconcile rule"):
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

    public async Task<StepResult> ReconcileAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken, bool adoptOnly = false)
    {
        var now = _ctx.Now;
        IReadOnlyList<ScmOrderView> matches;
        try
        {
            matches = order.Kind == OrderKind.Reissue
                ? await FindReissueAsync(order, cancellationToken).ConfigureAwait(false)
                : await FindByTokenAsync(order, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            return await SearchFailedAsync(order, lease, actor, ex.Message, cancellationToken).ConfigureAwait(false);
        }

        if (matches.Count > 0)
        {
            return await AdoptAsync(order, matches, lease, actor, cancellationToken).ConfigureAwait(false);
        }

        if (adoptOnly)
        {
            var still = order with { NextAttemptAt = now + _ctx.Options.Polling.SlowDelay, Attempts = order.Attempts + 1 };
            return StepResult.Wait(await Workflow.SaveAsync(order, still, lease, null, cancellationToken).ConfigureAwait(false), "Still not found in SCM.");
        }

        var submittedAt = order.SubmittedAt ?? order.UpdatedAt;
        var windowEnds = submittedAt + _ctx.Options.Reconcile.AmbiguityWindow;
        if (now >= windowEnds && order.Attempts >= 1)
        {
            // Second empty search, after the window: the POST did not create anything. Re-submit with the same key and token.
            var retry = order with { State = OrderState.KeyPersisted, Attempts = 0, NextAttemptAt = null, LastError = null, LastScmErrorCode = null };
            var saved = await Workflow.SaveAsync(order, retry, lease, _ctx.Audit(actor, OrderWorkflow.ActionFor(order), "Resubmit", "Pending",
                $"Two searches of SCM (the last after the {_ctx.Options.Reconcile.AmbiguityWindow} ambiguity window) found no order with token {order.CorrelationToken}; re-submitting with the same key and token.",
                order), cancellationToken).ConfigureAwait(false);
            return StepResult.Next(saved, "Not found in SCM; re-submitting with the same token.");
        }

        var next = order with
        {
            Attempts = order.Attempts + 1,
            NextAttemptAt = now >= windowEnds ? now + _ctx.Options.Reconcile.RetryDelay : Max(windowEnds, now + _ctx.Options.Reconcile.RetryDelay),
            LastError = "No SCM order with this token yet.",
        };
        var waiting = await Workflow.SaveAsync(order, next, lease, null, cancellationToken).ConfigureAwait(false);
        return StepResult.Wait(waiting, "Not found in SCM yet; searching again later.");
    }

    private async Task<StepResult> AdoptAsync(CertificateOrder order, IReadOnlyList<ScmOrderView> matches, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        var chosen = matches.FirstOrDefault(m => OrderWorkflow.IsStatus(m.Status, "Issued"))
            ?? matches.OrderBy(m => m.Requested ?? DateOnly.MaxValue).ThenBy(m => m.SslId).First();
        var duplicates = matches.Where(m => m.SslId != chosen.SslId).Select(m => m.SslId).ToArray();
        var reason = $"Found the order in SCM as sslId {chosen.SslId} (status {chosen.Status}) and adopted it; nothing was re-sent.";
        if (duplicates.Length > 0)
        {
            reason += $" DUPLICATES with the same token: {string.Join(", ", duplicates)} — an operator should cancel or revoke them.";
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

    /// <summary>New orders and renewals: SCM orders by common name carrying our token (a renewal also carries the original's comments).</summary>
    private async Task<IReadOnlyList<ScmOrderView>> FindByTokenAsync(CertificateOrder order, CancellationToken cancellationToken)
    {
        var tokens = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { order.CorrelationToken };
        long? excluded = null;
        if (order.Kind == OrderKind.Renewal)
        {
            var current = await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false);
            if (current?.SslId is { } originalId)
            {
                excluded = originalId;
                var original = await _ctx.Gateway.GetOrderAsync(originalId, cancellationToken).ConfigureAwait(false);
                foreach (var token in CorrelationMarker.Extract(original.Comments))
                {
                    tokens.Add(token);
                }

                if (!original.Renewed && tokens.Count == 1)
                {
                    // SCM marks the original as renewed when renewById succeeds; without it and without a token to follow there is nothing to find.
                    return [];
                }
            }
        }

        var earliest = DateOnly.FromDateTime((order.SubmittedAt ?? order.CreatedAt).UtcDateTime.AddDays(-1));
        var candidates = new List<ScmOrderView>();
        var keyCandidates = new List<ScmOrderView>();
        await foreach (var sslId in _ctx.Gateway.ListSslIdsByCommonNameAsync(order.Request.CommonName, cancellationToken).ConfigureAwait(false))
        {
            if (sslId == excluded || await KnownElsewhereAsync(sslId, order, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            candidates.Add(new ScmOrderView { SslId = sslId, Status = string.Empty });
        }

        var matches = new List<ScmOrderView>();
        using var gate = new SemaphoreSlim(_ctx.Options.Reconcile.MaxConcurrency);
        var details = await Task.WhenAll(candidates.Select(async c =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await _ctx.Gateway.GetOrderAsync(c.SslId, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);

        foreach (var view in details)
        {
            if (view.Requested is { } requested && requested < earliest)
            {
                continue;
            }

            if (CorrelationMarker.Extract(view.Comments).Any(tokens.Contains))
            {
                matches.Add(view);
            }
            else if (OrderWorkflow.IsStatus(view.Status, "Issued"))
            {
                keyCandidates.Add(view);
            }
        }

        if (matches.Count == 0 && keyCandidates.Count > 0 && order.ProtectedPrivateKey is not null)
        {
            matches.AddRange(await MatchByKeyAsync(order, keyCandidates, cancellationToken).ConfigureAwait(false));
        }

        return matches;
    }

    /// <summary>The token was lost (someone edited the comments): collect issued candidates and compare their public key with ours.</summary>
    private async Task<IReadOnlyList<ScmOrderView>> MatchByKeyAsync(CertificateOrder order, IReadOnlyList<ScmOrderView> candidates, CancellationToken cancellationToken)
    {
        using var key = await Workflow.UnprotectKeyAsync(order, cancellationToken).ConfigureAwait(false);
        var spki = KeyMaterial.SubjectPublicKeyInfo(key);
        var found = new List<ScmOrderView>();
        foreach (var candidate in candidates)
        {
            var collected = await _ctx.Gateway.CollectAsync(candidate.SslId, cancellationToken).ConfigureAwait(false);
            if (collected.Certificates is { } certificates)
            {
                var match = certificates.Cast<System.Security.Cryptography.X509Certificates.X509Certificate2>().Any(c => KeyMaterial.Matches(c, spki));
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

        CryptographicOperations.ZeroMemory(spki);
        return found;
    }

    /// <summary>A reissue keeps the sslId: SCM accepted it if the order left Issued or delivers a new serial.</summary>
    private async Task<IReadOnlyList<ScmOrderView>> FindReissueAsync(CertificateOrder order, CancellationToken cancellationToken)
    {
        var current = await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false);
        if (current?.SslId is not { } sslId)
        {
            return [];
        }

        var view = await _ctx.Gateway.GetOrderAsync(sslId, cancellationToken).ConfigureAwait(false);
        var serial = view.SerialNumber?.Replace(":", string.Empty, StringComparison.Ordinal);
        var accepted = !OrderWorkflow.IsStatus(view.Status, "Issued")
            || (serial is not null && !serial.Equals(current.SerialNumber, StringComparison.OrdinalIgnoreCase));
        return accepted ? [view] : [];
    }

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
}
