using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>When a certificate is due for renewal, and why.</summary>
internal readonly record struct RenewalPlan(DateTimeOffset RenewAt, TimeSpan Window, bool FellBackToThird, DateTimeOffset EmergencyFrom);

/// <summary>
/// Auto-renewal: for every active certificate the policy selects, renew once it is due (N before its own NotAfter,
/// or a third of its lifetime when N is not shorter than the lifetime), minus a deterministic per-certificate jitter;
/// back off after failures unless inside the emergency window (the last twentieth of the lifetime); never renew what SCM
/// renews itself. Every decision is an audit entry with action <c>AutoRenew</c>.
/// </summary>
internal sealed class AutoRenewalScanner
{
    internal const string Action = "AutoRenew";

    private readonly EngineContext _ctx;
    private readonly LifecycleOperations _operations;
    private readonly OrderWorkflow _workflow;

    public AutoRenewalScanner(EngineContext context, LifecycleOperations operations, OrderWorkflow workflow)
    {
        _ctx = context;
        _operations = operations;
        _workflow = workflow;
    }

    private string PolicyKey => "autorenew:policy:" + _ctx.Options.AccountId;

    public async Task<AutoRenewalPolicy> GetPolicyAsync(CancellationToken cancellationToken)
    {
        var stored = await _ctx.Store.GetValueAsync(PolicyKey, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            try
            {
                return JsonSerializer.Deserialize(stored, LifecycleJsonContext.Default.AutoRenewalPolicy) ?? FromOptions();
            }
            catch (JsonException)
            {
                return FromOptions();
            }
        }

        return FromOptions();
    }

    public async Task SetPolicyAsync(AutoRenewalPolicy policy, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.RenewBefore <= TimeSpan.Zero)
        {
            throw new CertificateRequestValidationException([new ValidationError("RenewBefore", "positive", $"RenewBefore must be positive (RenewBeforeDays must be positive); got {policy.RenewBefore}.")]);
        }

        await _ctx.Store.SetValueAsync(PolicyKey, JsonSerializer.Serialize(policy, LifecycleJsonContext.Default.AutoRenewalPolicy), cancellationToken).ConfigureAwait(false);
        await _ctx.Store.AppendAuditAsync(new AuditEntry
        {
            AccountId = _ctx.Options.AccountId,
            Timestamp = _ctx.Now,
            Actor = actor,
            Action = Action,
            Decision = "PolicyChanged",
            Outcome = "Succeeded",
            Reason = $"Auto-renewal {(policy.Enabled ? "enabled" : "disabled")}: renew {Describe(policy.RenewBefore)} before expiry, selection {policy.Selection}" +
                     (policy.CertificateIds.Count > 0 ? $", {policy.CertificateIds.Count} listed certificates" : string.Empty) +
                     (policy.Tags.Count > 0 ? $", tags {string.Join(", ", policy.Tags)}" : string.Empty) + ".",
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ManagedCertificate> SetCertificateModeAsync(Guid certificateId, AutoRenewMode mode, string actor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var certificate = await _ctx.Store.GetCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Certificate {certificateId} does not exist.");
            try
            {
                var result = await _ctx.Store.CommitAsync(new StoreBatch()
                    .UpdateCertificate(certificate with { AutoRenew = mode, UpdatedAt = _ctx.Now })
                    .Audit(_ctx.Audit(actor, Action, mode switch { AutoRenewMode.Enabled => "OptedIn", AutoRenewMode.Disabled => "OptedOut", _ => "FollowsPolicy" }, "Succeeded",
                        $"Auto-renewal for {certificate.CommonName} set to {mode}.", certificate: certificate)), cancellationToken).ConfigureAwait(false);
                return result.Certificate(certificateId);
            }
            catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.VersionMismatch && attempt < 5)
            {
                // Re-read and re-apply (F11).
            }
        }
    }

    public async Task<AutoRenewalRunResult> RunAsync(string actor, CancellationToken cancellationToken)
    {
        var policy = await GetPolicyAsync(cancellationToken).ConfigureAwait(false);

        // Domains whose control validation lapses before the next renewals need it: revalidated now, or warned about.
        await _ctx.Dcv.ScanAsync(policy.RenewBefore, actor, cancellationToken).ConfigureAwait(false);
        if (!policy.Enabled)
        {
            return new AutoRenewalRunResult(policy, [], 0);
        }

        // Bulk work: while SCM's circuit breaker is open, reads pause and resume (Sectigo:BulkWork:MaxPause).
        using var bulk = BulkWorkScope.Begin(_ctx, "auto-renewal");
        var now = _ctx.Now;
        var horizon = now + policy.RenewBefore + _ctx.Options.AutoRenewal.MaxJitter;
        var decisions = new List<AutoRenewalDecision>();
        var notDue = 0;
        CertificateDuePosition? after = null;
        while (true)
        {
            var page = await _ctx.Store.ListCertificatesDueAsync(horizon, 500, after, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            after = new CertificateDuePosition(page[^1].NotAfter, page[^1].Id);
            var pageDecisions = new List<AutoRenewalDecision?>();
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (certificate, ct) =>
            {
                var decision = await DecideAsync(certificate, policy, actor, ct).ConfigureAwait(false);
                lock (pageDecisions)
                {
                    pageDecisions.Add(decision);
                }
            }).ConfigureAwait(false);
            decisions.AddRange(pageDecisions.OfType<AutoRenewalDecision>());
            notDue += pageDecisions.Count(d => d is null);
        }

        return new AutoRenewalRunResult(policy, decisions, notDue);
    }

    /// <summary>Decides (and acts) for one certificate; null when it is simply not due yet.</summary>
    private async Task<AutoRenewalDecision?> DecideAsync(ManagedCertificate certificate, AutoRenewalPolicy policy, string actor, CancellationToken cancellationToken)
    {
        var now = _ctx.Now;
        var plan = Plan(certificate, policy.RenewBefore, _ctx.Options.AutoRenewal.MaxJitter, _ctx.Options.AutoRenewal.MaxShareOfLifetime);
        if (now < plan.RenewAt)
        {
            return null;
        }

        if (!IsSelected(certificate, policy))
        {
            return await RecordAsync(certificate, plan, AutoRenewDecision.Skipped, "Not selected by the auto-renewal policy (or opted out).", null, actor, cancellationToken, once: true).ConfigureAwait(false);
        }

        if (certificate.IsObserveOnly && certificate.AutoRenew != AutoRenewMode.Enabled && !_ctx.Options.AutoRenewal.IncludeObserveOnly)
        {
            return await RecordAsync(certificate, plan, AutoRenewDecision.Skipped,
                "Observe-only (imported without its key): renewing needs a fresh key; opt this certificate in to let auto-renewal do that.", null, actor, cancellationToken, once: true).ConfigureAwait(false);
        }

        var lease = await _ctx.TryLeaseCertificateAsync(certificate.Id, wait: false, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            // Another instance (or task) is acting on it right now; its decision is its own to record.
            return null;
        }

        await using var leaseScope = lease.ConfigureAwait(false);
        var current = await _ctx.Store.GetCertificateAsync(certificate.Id, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Status != CertificateStatus.Active)
        {
            return null;
        }

        var open = await _ctx.Store.GetOpenOrderForCertificateAsync(current.Id, cancellationToken).ConfigureAwait(false);
        if (open is not null)
        {
            return await RecordAsync(current, plan, open.State == OrderState.Parked ? AutoRenewDecision.Parked : AutoRenewDecision.Skipped,
                open.State == OrderState.Parked
                    ? $"The renewal was issued but is parked: {open.LastError}"
                    : $"A {OrderWorkflow.KindWord(open.Kind)} is already in progress (order {open.Id}, {open.State}).",
                open.Id, actor, cancellationToken, once: true).ConfigureAwait(false);
        }

        var emergency = now >= plan.EmergencyFrom;
        if (current.RenewalNotBefore is { } notBefore && notBefore > now && !emergency)
        {
            return await RecordAsync(current, plan, AutoRenewDecision.BackingOff,
                $"After {current.RenewalFailures} failed attempt(s) (last: {current.LastRenewalError}), the next is not before {notBefore:O}.", null, actor, cancellationToken, once: true).ConfigureAwait(false);
        }

        // SCM may renew this certificate itself; never order a second renewal.
        ScmOrderView scm;
        try
        {
            scm = await _ctx.Gateway.GetOrderAsync(current.SslId!.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            return await RecordAsync(current, plan, AutoRenewDecision.Skipped, $"SCM could not be asked about sslId {current.SslId} ({ex.Message}); tried again on the next run.", null, actor, cancellationToken).ConfigureAwait(false);
        }

        if (OrderWorkflow.IsStatus(scm.AutoRenewState, "Scheduled") || scm.Renewed)
        {
            return await AdoptScmRenewalAsync(current, scm, plan, lease, actor, cancellationToken).ConfigureAwait(false);
        }

        var reason = (plan.FellBackToThird
            ? $"Due: the renewal window ({Describe(policy.RenewBefore)}) is capped by the certificate's lifetime, so renewing in its last {Share(_ctx.Options.AutoRenewal.MaxShareOfLifetime)} ({Describe(plan.Window)} before {Expiry(current.NotAfter, plan.Window)})"
            : $"Due: {Describe(plan.Window)} before expiry on {Expiry(current.NotAfter, plan.Window)}")
            + (!emergency ? string.Empty
                : current.RenewalNotBefore > now ? "; inside the emergency window (the last twentieth of its lifetime), so the backoff is overridden"
                : "; inside the emergency window (the last twentieth of its lifetime)");
        // The renewal runs under the lease taken above: no other host can decide about this certificate (and ask SCM again)
        // between this decision and the order.
        LifecycleOrderResult result;
        try
        {
            result = await _operations.RenewAsync(current.Id, new RenewCertificateRequest(), actor, "Renew", cancellationToken, (lease, current)).ConfigureAwait(false);
        }
        catch (LeaseLostException)
        {
            // This host paused past the lease (e.g. during a long DCV revalidation) and another took it: its decision is its own.
            Log.RenewalLeaseLost(_ctx.Logger, current.Id);
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException)
        {
            // Renewed, revoked or deleted by someone else in the meantime.
            return null;
        }

        if (result.Outcome == LifecycleOutcome.Deferred)
        {
            return await RecordAsync(current, plan, AutoRenewDecision.Deferred, $"{reason}. {result.Message} Tried again on the next run.", null, actor, cancellationToken, once: true).ConfigureAwait(false);
        }

        var (decision, text) = result.Outcome switch
        {
            LifecycleOutcome.Submitted => (AutoRenewDecision.Renewed, $"{reason}. Renewal ordered: SCM sslId {result.Order?.SslId}."),
            LifecycleOutcome.Pending => (AutoRenewDecision.Renewed, $"{reason}. Renewal sent; its outcome is being reconciled with SCM."),
            LifecycleOutcome.AlreadyInProgress => (AutoRenewDecision.Skipped, result.Message),
            _ => (AutoRenewDecision.Failed, $"{reason}. The renewal failed: {result.Message} Backing off."),
        };
        _ctx.Telemetry.Renewals.Add(1, new KeyValuePair<string, object?>("decision", decision.ToString()));
        if (plan.FellBackToThird)
        {
            Log.RenewalWindowTooLong(_ctx.Logger, current.Id, policy.RenewBefore, current.NotAfter - current.NotBefore);
        }

        await _ctx.Store.AppendAuditAsync(_ctx.Audit(actor, Action, decision.ToString(), decision == AutoRenewDecision.Failed ? "Failed" : "Succeeded", text, result.Order, current), cancellationToken).ConfigureAwait(false);
        return new AutoRenewalDecision(current.Id, current.CommonName, decision, text, plan.RenewAt, result.Order?.Id);
    }

    /// <summary>The lifetime share as words: "third" for 1/3, otherwise a percentage.</summary>
    private static string Share(double share) => Math.Abs(share - (1.0 / 3)) < 1e-9 ? "third"
        : Math.Abs(share - 0.5) < 1e-9 ? "half"
        : (share * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %";

    /// <summary>A renewal window in the unit that reads best: days, else hours, minutes or seconds (invariant culture).</summary>
    internal static string Describe(TimeSpan span) => span.Duration() switch
    {
        var d when d >= TimeSpan.FromDays(1) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.##} days"),
        var d when d >= TimeSpan.FromHours(1) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} hours"),
        var d when d >= TimeSpan.FromMinutes(1) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.##} minutes"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.##} seconds"),
    };

    /// <summary>The expiry as a date, or with its time (UTC) when the window is shorter than a day.</summary>
    private static string Expiry(DateTimeOffset notAfter, TimeSpan window) => window >= TimeSpan.FromDays(1)
        ? notAfter.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : notAfter.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>SCM auto-renews this certificate: adopt its renewal (as our renewal order, with the same key SCM reused) instead of ordering one.</summary>
    private async Task<AutoRenewalDecision> AdoptScmRenewalAsync(ManagedCertificate current, ScmOrderView scm, RenewalPlan plan, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        long? successor = null;
        var tokens = CorrelationMarker.Extract(scm.Comments);
        await foreach (var sslId in _ctx.Gateway.ListSslIdsByCommonNameAsync(current.CommonName, cancellationToken).ConfigureAwait(false))
        {
            if (sslId == current.SslId || (await _ctx.Store.FindOrdersBySslIdAsync(sslId, cancellationToken).ConfigureAwait(false)).Count > 0
                || (await _ctx.Store.FindCertificatesBySslIdAsync(sslId, cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                continue;
            }

            var candidate = await _ctx.Gateway.GetOrderAsync(sslId, cancellationToken).ConfigureAwait(false);
            var sameComments = string.Equals(candidate.Comments ?? string.Empty, scm.Comments ?? string.Empty, StringComparison.Ordinal)
                || CorrelationMarker.Extract(candidate.Comments).Any(tokens.Contains);
            var after = scm.Requested is null || candidate.Requested >= scm.Requested;
            if (sameComments && after && !OrderWorkflow.IsStatus(candidate.Status, "Revoked"))
            {
                successor = successor is null ? sslId : Math.Max(successor.Value, sslId);
            }
        }

        if (successor is null)
        {
            return await RecordAsync(current, plan, AutoRenewDecision.Skipped,
                $"SCM renews this certificate itself (auto-renew {scm.AutoRenewState}, {scm.AutoRenewDaysBeforeExpiration} days before expiry); its renewal will be adopted when it appears, none is ordered here.",
                null, actor, cancellationToken, once: true).ConfigureAwait(false);
        }

        var now = _ctx.Now;
        var order = new CertificateOrder
        {
            Id = RecordId.New(),
            CertificateId = current.Id,
            AccountId = current.AccountId,
            Kind = OrderKind.Renewal,
            State = OrderState.Submitted,
            CorrelationToken = CorrelationMarker.NewToken(),
            Request = new CertificateOrderRequest
            {
                CommonName = current.CommonName,
                SubjectAlternativeNames = current.SubjectAlternativeNames,
                OrganizationId = current.OrganizationId ?? 0,
                ProfileId = current.ProfileId ?? 0,
                TermDays = current.TermDays ?? 0,
                KeyAlgorithm = current.KeyAlgorithm ?? KeyAlgorithm.Rsa,
                KeySize = current.KeySize,
                Curve = current.Curve,
                KeystoreType = current.KeystoreType,
                ReuseKey = true,
                Tags = current.Tags,
                AutoRenew = current.AutoRenew,
            },
            SslId = successor,
            ProtectedPrivateKey = current.ProtectedPrivateKey,
            ProtectedKeystorePassword = current.ProtectedKeystorePassword,
            SubmittedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
            StateChangedAt = now,
        };
        var text = $"SCM renewed this certificate itself (auto-renew {scm.AutoRenewState}): adopted its renewal sslId {successor} instead of ordering one; it is installed when collected.";
        try
        {
            await _ctx.Store.CommitAsync(new StoreBatch().RequireLease(lease.Token).InsertOrder(order)
                .Audit(_ctx.Audit(actor, Action, AutoRenewDecision.AdoptedScmRenewal.ToString(), "Succeeded", text, order, current)), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.OpenOrderExists)
        {
            return new AutoRenewalDecision(current.Id, current.CommonName, AutoRenewDecision.Skipped, "A renewal is already in progress.", plan.RenewAt, null);
        }

        _ctx.Telemetry.Renewals.Add(1, new KeyValuePair<string, object?>("decision", AutoRenewDecision.AdoptedScmRenewal.ToString()));
        return new AutoRenewalDecision(current.Id, current.CommonName, AutoRenewDecision.AdoptedScmRenewal, text, plan.RenewAt, order.Id);
    }

    /// <summary>Records a decision. With <paramref name="once"/>, a decision identical to the certificate's last one is not repeated in the audit every day.</summary>
    private async Task<AutoRenewalDecision> RecordAsync(ManagedCertificate certificate, RenewalPlan plan, AutoRenewDecision decision, string reason, Guid? orderId, string actor, CancellationToken cancellationToken, bool once = false)
    {
        var repeated = false;
        if (once)
        {
            var recent = await _ctx.Store.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id, Action = Action, From = _ctx.Now - TimeSpan.FromDays(7), Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
            repeated = recent.Count > 0 && recent[^1].Decision == decision.ToString() && recent[^1].Reason == reason;
        }

        if (!repeated)
        {
            await _ctx.Store.AppendAuditAsync(new AuditEntry
            {
                AccountId = _ctx.Options.AccountId,
                Timestamp = _ctx.Now,
                Actor = actor,
                Action = Action,
                Decision = decision.ToString(),
                Outcome = decision is AutoRenewDecision.Failed ? "Failed" : decision is AutoRenewDecision.Deferred ? "Deferred" : decision is AutoRenewDecision.BackingOff or AutoRenewDecision.Parked ? "Pending" : "Skipped",
                Reason = reason,
                CertificateId = certificate.Id,
                OrderId = orderId,
                SslId = certificate.SslId,
                CommonName = certificate.CommonName,
            }, cancellationToken).ConfigureAwait(false);
        }

        _ctx.Telemetry.Renewals.Add(1, new KeyValuePair<string, object?>("decision", decision.ToString()));
        return new AutoRenewalDecision(certificate.Id, certificate.CommonName, decision, reason, plan.RenewAt, orderId);
    }

    private bool IsSelected(ManagedCertificate certificate, AutoRenewalPolicy policy)
    {
        var selected = certificate.AutoRenew switch
        {
            AutoRenewMode.Disabled => false,
            AutoRenewMode.Enabled => true,
            _ => policy.Selection switch
            {
                AutoRenewSelection.All => true,
                AutoRenewSelection.Listed => policy.CertificateIds.Contains(certificate.Id),
                AutoRenewSelection.Tagged => certificate.Tags.Any(t => policy.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)),
                _ => false,
            },
        };
        return selected && (_ctx.Options.AutoRenewal.Predicate?.Invoke(certificate) ?? true);
    }

    /// <summary>When a certificate is due: its own NotAfter minus the window (a third of the lifetime when the window is too long) minus a deterministic jitter.</summary>
    internal static RenewalPlan Plan(ManagedCertificate certificate, TimeSpan renewBefore, TimeSpan maxJitter, double maxShareOfLifetime = AutoRenewalOptions.DefaultMaxShareOfLifetime)
    {
        var lifetime = certificate.NotAfter - certificate.NotBefore;
        if (lifetime <= TimeSpan.Zero)
        {
            lifetime = TimeSpan.FromMinutes(1);
        }

        // The policy's "N days before expiry", capped by the last share (a third by default) of the certificate's own
        // lifetime: a 398-day certificate renews 30 days before expiry, a 47-day one in its last third (about 15.7 days
        // before), not after a third of its life (docs/short-lived-certificates.md).
        var share = maxShareOfLifetime is > 0 and <= 1 ? maxShareOfLifetime : AutoRenewalOptions.DefaultMaxShareOfLifetime;
        var cap = TimeSpan.FromTicks((long)(lifetime.Ticks * share));
        var capped = renewBefore > cap;
        var window = capped ? cap : renewBefore;
        var jitterSpan = maxJitter < window / 10 ? maxJitter : window / 10;
        var jitter = TimeSpan.FromTicks((long)(jitterSpan.Ticks * JitterFraction(certificate.Id)));
        return new RenewalPlan(certificate.NotAfter - window - jitter, window, capped, certificate.NotAfter - (lifetime / 20));
    }

    /// <summary>A stable fraction in [0, 1) from the certificate id, so every instance spreads the same certificate the same way.</summary>
    internal static double JitterFraction(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) / (double)(1UL << 53);
    }

    private AutoRenewalPolicy FromOptions()
    {
        var o = _ctx.Options.AutoRenewal;
        return new AutoRenewalPolicy
        {
            Enabled = o.Enabled,
            RenewBefore = o.RenewBefore ?? TimeSpan.FromDays(o.RenewBeforeDays),
            Selection = o.Selection,
            CertificateIds = o.CertificateIds.ToArray(),
            Tags = o.Tags.ToArray(),
        };
    }
}

/// <summary>JSON for the engine's own stored values (source-generated).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AutoRenewalPolicy))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;
