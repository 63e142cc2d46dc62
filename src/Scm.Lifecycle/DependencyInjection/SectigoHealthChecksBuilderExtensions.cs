using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Lifecycle.Internal.Accounts;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Sectigo certificate management health check.</summary>
public static class SectigoHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check reporting certificates inside their renewal window with no renewal under way, failing
    /// renewals, stuck or failed orders, parked certificates, key protection and the SCM credential state (store only,
    /// no SCM call); on a host serving several SCM accounts, for every account, each problem and figure named after it.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name (default <c>sectigo-certificates</c>).</param>
    /// <param name="failureStatus">Status for the unhealthy cases (default Unhealthy).</param>
    /// <param name="tags">Tags for filtering.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddSectigoCertificateManagement(this IHealthChecksBuilder builder, string name = "sectigo-certificates", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new AccountsHealthCheck(sp.GetRequiredService<AccountEngines>()), failureStatus, tags));
    }
}
