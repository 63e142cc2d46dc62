using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>Something a host may want to react to. Raised after the change was stored.</summary>
public abstract record LifecycleEvent
{
    /// <summary>When it happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The SCM account whose engine raised the event (its name; <c>default</c> in a single-account host).</summary>
    public string? AccountId { get; init; }

    /// <summary>The order concerned, if any.</summary>
    public Guid? OrderId { get; init; }

    /// <summary>The certificate concerned, if any.</summary>
    public Guid? CertificateId { get; init; }

    /// <summary>SCM's sslId, if known.</summary>
    public long? SslId { get; init; }

    /// <summary>The common name, if known.</summary>
    public string? CommonName { get; init; }
}

/// <summary>A certificate was collected, verified and installed into the inventory.</summary>
public sealed record CertificateIssuedEvent : LifecycleEvent
{
    /// <summary>The installed certificate.</summary>
    public required ManagedCertificate Certificate { get; init; }

    /// <summary>The order that produced it.</summary>
    public required OrderKind Kind { get; init; }
}

/// <summary>An order failed for good (declined, rejected, invalid certificate, refused by SCM).</summary>
public sealed record OrderFailedEvent : LifecycleEvent
{
    /// <summary>The order's final state.</summary>
    public required OrderState State { get; init; }

    /// <summary>Why, in words safe to show.</summary>
    public required string Reason { get; init; }

    /// <summary>SCM's error code, when there was one.</summary>
    public int? ScmErrorCode { get; init; }
}

/// <summary>An issued certificate was parked because the inventory's licence cap is reached.</summary>
public sealed record CertificateParkedEvent : LifecycleEvent
{
    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>
/// An order needs an operator: waiting too long for approval or issuance, ambiguous for too long, not collectable, or
/// refused by SCM "for now" (-140, -195, -3114) for longer than <c>Reconcile:EscalateAfter</c> (that order is still tried hourly).
/// </summary>
public sealed record OrderStuckEvent : LifecycleEvent
{
    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>More than one SCM order carries one correlation token; one was adopted, the others need an operator.</summary>
public sealed record DuplicateOrderDetectedEvent : LifecycleEvent
{
    /// <summary>The sslIds of the duplicates that were not adopted.</summary>
    public required IReadOnlyList<long> DuplicateSslIds { get; init; }
}

/// <summary>A certificate was deployed, or deployment failed.</summary>
public sealed record CertificateDeploymentEvent : LifecycleEvent
{
    /// <summary>The deployment target.</summary>
    public required string Target { get; init; }

    /// <summary>Whether it succeeded.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Where it went, or why it failed.</summary>
    public required string Detail { get; init; }

    /// <summary>The version the target published (<see cref="Deployment.DeploymentOutcome.Version"/>), when it keeps versions.</summary>
    public string? Version { get; init; }

    /// <summary>
    /// Whether the target already held exactly this content and wrote nothing (<see cref="Deployment.DeploymentOutcome.Unchanged"/>):
    /// a server reload can be skipped.
    /// </summary>
    public bool Unchanged { get; init; }
}

/// <summary>An order that was cancelled locally was issued by SCM anyway.</summary>
public sealed record CancelledOrderIssuedEvent : LifecycleEvent;

/// <summary>SCM refused the credentials (401): scheduled SCM work pauses and a probe runs at a low rate until they work again.</summary>
public sealed record CredentialsRefusedEvent : LifecycleEvent
{
    /// <summary>What SCM answered, safe to show.</summary>
    public required string Reason { get; init; }
}

/// <summary>SCM accepts the credentials again; scheduled work resumed.</summary>
public sealed record CredentialsRestoredEvent : LifecycleEvent;

/// <summary>
/// Key material of an order or certificate cannot be decrypted (tampered or corrupt, bound to another record, or
/// protected by a key the ring does not have). The order is Stuck and not retried automatically; no new key is made.
/// Restore the key ring the store was protected with, then check the order again.
/// </summary>
public sealed record PrivateKeyUnreadableEvent : LifecycleEvent
{
    /// <summary>Why, in words safe to show (never key material).</summary>
    public required string Reason { get; init; }
}

/// <summary>
/// A domain's control validation lapses before a renewal (or order) needs it and no <see cref="DomainValidation.IDcvResponder"/>
/// can revalidate it (none registered, or it does not support a method SCM offers): revalidate the domain in SCM before
/// <see cref="RenewalAt"/>, or the renewals of certificates for it are deferred. Raised once per domain and expiry date.
/// </summary>
public sealed record DcvExpiringEvent : LifecycleEvent
{
    /// <summary>The registered domain, e.g. <c>example.com</c>.</summary>
    public required string Domain { get; init; }

    /// <summary>The day the domain's validation expires (SCM's date, UTC).</summary>
    public required DateOnly Expires { get; init; }

    /// <summary>The earliest renewal that needs the domain validated.</summary>
    public required DateTimeOffset RenewalAt { get; init; }

    /// <summary>Why, in words safe to show.</summary>
    public required string Reason { get; init; }
}

/// <summary>Receives lifecycle events. Register any number in DI; exceptions are logged and do not affect the engine.</summary>
public interface ILifecycleEventHandler
{
    /// <summary>Handles one event.</summary>
    /// <param name="lifecycleEvent">The event.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    ValueTask HandleAsync(LifecycleEvent lifecycleEvent, CancellationToken cancellationToken);
}
