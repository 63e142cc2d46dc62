using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>What a quota decision is about.</summary>
/// <param name="ActiveCertificates">Active certificates in the inventory now.</param>
/// <param name="Maximum">The configured licence cap, if any.</param>
/// <param name="Kind">The kind of order whose certificate is to be installed.</param>
/// <param name="CommonName">The certificate's common name.</param>
/// <param name="ReplacesActiveCertificate">Whether installing it supersedes an active certificate (a renewal or reissue), so the count does not grow.</param>
public sealed record InventoryQuotaContext(int ActiveCertificates, int? Maximum, OrderKind Kind, string CommonName, bool ReplacesActiveCertificate);

/// <summary>A quota decision.</summary>
/// <param name="Allowed">Whether the certificate may be installed now.</param>
/// <param name="Reason">Why not, in words safe to show.</param>
public readonly record struct QuotaDecision(bool Allowed, string? Reason)
{
    /// <summary>Installation allowed.</summary>
    public static QuotaDecision Allow => new(true, null);

    /// <summary>Installation refused for now; the certificate is parked.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static QuotaDecision Park(string reason) => new(false, reason);
}

/// <summary>
/// Decides whether an issued certificate may enter the inventory. The default enforces
/// <see cref="InventoryOptions.MaxManagedCertificates"/>; register your own to consult a licence server.
/// A refused certificate is parked (never dropped) and installed when a later check allows it.
/// </summary>
public interface IInventoryQuota
{
    /// <summary>Decides.</summary>
    /// <param name="context">The inventory and the certificate.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The decision.</returns>
    ValueTask<QuotaDecision> CanInstallAsync(InventoryQuotaContext context, CancellationToken cancellationToken);
}

/// <summary>The default quota: the configured licence cap on active certificates.</summary>
public sealed class LicenceCapQuota : IInventoryQuota
{
    /// <inheritdoc />
    public ValueTask<QuotaDecision> CanInstallAsync(InventoryQuotaContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Maximum is not { } max)
        {
            return ValueTask.FromResult(QuotaDecision.Allow);
        }

        var after = context.ActiveCertificates + (context.ReplacesActiveCertificate ? 0 : 1);
        return ValueTask.FromResult(after <= max
            ? QuotaDecision.Allow
            : QuotaDecision.Park($"The inventory's licence cap of {max} active certificates is reached ({context.ActiveCertificates} active)."));
    }
}
