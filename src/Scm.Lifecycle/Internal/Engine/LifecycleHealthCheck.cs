using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Reports what needs an operator, from the store alone (no SCM call): the credential circuit, certificates inside
/// their renewal window with no renewal under way (unhealthy inside the emergency window or expired), certificates
/// whose renewals fail, stuck or recently failed orders, and key protection (keys the store needs that the ring lacks,
/// records whose key material cannot be decrypted).
/// </summary>
internal sealed class LifecycleHealthCheck : IHealthCheck
{
    private readonly CertificateLifecycle _lifecycle;

    public LifecycleHealthCheck(CertificateLifecycle lifecycle) => _lifecycle = lifecycle;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var ctx = _lifecycle.Context;
        await _lifecycle.EnsureStoreInitializedAsync(cancellationToken).ConfigureAwait(false);
        var now = ctx.Now;
        var problems = new List<string>();
        var unhealthy = false;
        var data = new Dictionary<string, object>();

        // Key protection: keys the store needs that the ring lacks stop everything; values that cannot be decrypted
        // park their orders until an operator restores the key ring.
        var (missingKeys, keyLocation) = await ctx.Keys.FindMissingAsync(cancellationToken).ConfigureAwait(false);
        var unreadable = await ctx.Keys.ReadUnreadableAsync(cancellationToken).ConfigureAwait(false);
        data["keyProtection"] = missingKeys.Count > 0 ? "keys missing" : unreadable.Count > 0 ? "unreadable keys" : "ok";
        data["keysMissing"] = missingKeys.Count;
        data["recordsWithUnreadableKeys"] = unreadable.Count;
        if (missingKeys.Count > 0)
        {
            unhealthy = true;
            problems.Add($"The store needs key-encryption key {string.Join(", ", missingKeys)}, which the key ring at {keyLocation} does not have; nothing runs until it is back.");
        }

        if (unreadable.Count > 0)
        {
            unhealthy = true;
            problems.Add($"{unreadable.Count} records have key material that cannot be decrypted ({string.Join(", ", unreadable.Take(5))}{(unreadable.Count > 5 ? ", ..." : string.Empty)}); they are not retried until the key ring is restored and they are checked again.");
        }

        var shared = await ctx.Store.GetValueAsync("auth-circuit:" + ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        var credentialsRefused = ctx.AuthCircuit.IsOpen || shared is not null;
        data["credentials"] = credentialsRefused ? "refused" : "ok";
        if (credentialsRefused)
        {
            unhealthy = true;
            problems.Add("SCM refuses the credentials; scheduled work is paused.");
        }

        var policy = await _lifecycle.AutoRenewal.GetPolicyAsync(cancellationToken).ConfigureAwait(false);
        var horizon = now + policy.RenewBefore + ctx.Options.AutoRenewal.MaxJitter;
        int overdue = 0, emergency = 0, expired = 0, failing = 0;
        CertificateDuePosition? after = null;
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await ctx.Store.ListCertificatesDueAsync(horizon, 500, after, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            after = new CertificateDuePosition(page[^1].NotAfter, page[^1].Id);
            foreach (var certificate in page)
            {
                var plan = AutoRenewalScanner.Plan(certificate, policy.RenewBefore, ctx.Options.AutoRenewal.MaxJitter, ctx.Options.AutoRenewal.MaxShareOfLifetime);
                failing += certificate.RenewalFailures > 0 ? 1 : 0;
                if (now < plan.RenewAt || await ctx.Store.GetOpenOrderForCertificateAsync(certificate.Id, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }

                overdue++;
                if (certificate.NotAfter <= now)
                {
                    expired++;
                }
                else if (now >= plan.EmergencyFrom)
                {
                    emergency++;
                }
            }
        }

        data["autoRenewal"] = policy.Enabled ? "enabled" : "disabled";
        var hint = policy.Enabled ? string.Empty : " Auto-renewal is disabled: renew them by hand or enable it.";
        data["certificatesDueWithoutRenewal"] = overdue;
        data["certificatesInEmergencyWindow"] = emergency;
        data["certificatesExpired"] = expired;
        data["certificatesWithFailingRenewals"] = failing;
        if (expired + emergency > 0)
        {
            unhealthy = true;
            problems.Add($"{expired} active certificates expired and {emergency} are in their last twentieth of lifetime without a renewal under way." + hint);
        }
        else if (overdue > 0)
        {
            problems.Add($"{overdue} certificates are inside their renewal window with no renewal under way." + hint);
        }

        if (failing > 0)
        {
            problems.Add($"{failing} certificates have failing renewals.");
        }

        // Domains whose control validation lapses before upcoming renewals need it, with no way to revalidate them (the last scan's finding).
        var dcv = await ctx.Store.GetValueAsync(ctx.Dcv.FindingKey, cancellationToken).ConfigureAwait(false);
        data["domainValidation"] = dcv is null ? "ok" : "lapsing";
        if (dcv is not null)
        {
            problems.Add(dcv);
        }

        var stuck = await CountAsync(ctx, [OrderState.Stuck], null, cancellationToken).ConfigureAwait(false);
        var failedRecently = await CountAsync(ctx, [OrderState.Failed, OrderState.InvalidCertificate], now - TimeSpan.FromDays(1), cancellationToken).ConfigureAwait(false);
        var parked = await CountAsync(ctx, [OrderState.Parked], null, cancellationToken).ConfigureAwait(false);
        data["ordersStuck"] = stuck;
        data["ordersFailedLast24h"] = failedRecently;
        data["ordersParked"] = parked;
        if (stuck > 0)
        {
            problems.Add($"{stuck} orders are stuck and need an operator.");
        }

        if (failedRecently > 0)
        {
            problems.Add($"{failedRecently} orders failed in the last 24 hours.");
        }

        if (parked > 0)
        {
            problems.Add($"{parked} issued certificates are parked by the licence cap.");
        }

        var description = problems.Count == 0 ? "All certificates and orders are in order." : string.Join(" ", problems);
        return unhealthy
            ? new HealthCheckResult(context.Registration.FailureStatus, description, data: data)
            : problems.Count > 0 ? HealthCheckResult.Degraded(description, data: data) : HealthCheckResult.Healthy(description, data);
    }

    private static async Task<int> CountAsync(EngineContext ctx, OrderState[] states, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var count = 0;
        string? token = null;
        do
        {
            var page = await ctx.Store.ListOrdersAsync(new OrderQuery { States = states, PageSize = 500, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            count += page.Items.Count(o => since is null || o.UpdatedAt >= since);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return count;
    }
}
