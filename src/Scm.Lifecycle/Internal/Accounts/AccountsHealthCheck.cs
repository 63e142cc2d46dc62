using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Lifecycle.Internal.Engine;

namespace Scm.Lifecycle.Internal.Accounts;

/// <summary>
/// The host's health across its accounts: a single-account host reports exactly what its engine's check reports; a
/// multi-account host checks every account and reports the worst status, each account's problems prefixed with its name
/// (<c>[acme] 2 orders are stuck ...</c>) and its figures under <c>&lt;account&gt;:&lt;figure&gt;</c>, plus
/// <c>accounts</c> (the number served) and <c>accountsUnhealthy</c>.
/// </summary>
internal sealed class AccountsHealthCheck(AccountEngines engines) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var all = engines.Engines;
        if (engines.IsSingleAccount)
        {
            return await new LifecycleHealthCheck(all[0].Lifecycle).CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
        }

        var data = new Dictionary<string, object> { ["accounts"] = all.Count };
        var problems = new List<string>();
        var worst = HealthStatus.Healthy;
        var unhealthyAccounts = 0;
        foreach (var engine in all)
        {
            HealthCheckResult result;
            try
            {
                result = await new LifecycleHealthCheck(engine.Lifecycle).CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One account's store partition or key ring failing is that account's problem, reported as such.
                result = new HealthCheckResult(context.Registration.FailureStatus, ex.Message);
            }

            foreach (var (key, value) in result.Data)
            {
                data[engine.Name + ":" + key] = value;
            }

            if (result.Status != HealthStatus.Healthy)
            {
                problems.Add($"[{engine.Name}] {result.Description}");
            }

            if (result.Status < worst)
            {
                worst = result.Status;
            }

            unhealthyAccounts += result.Status == context.Registration.FailureStatus && result.Status != HealthStatus.Healthy ? 1 : 0;
        }

        data["accountsUnhealthy"] = unhealthyAccounts;
        var description = problems.Count == 0
            ? all.Count == 0 ? "No SCM account is served yet." : $"All certificates and orders of the {all.Count} accounts are in order."
            : string.Join(" ", problems);
        return new HealthCheckResult(worst, description, data: data);
    }
}
