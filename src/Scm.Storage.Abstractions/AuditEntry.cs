namespace Scm.Storage;

/// <summary>
/// One entry of the append-only audit log: who did what to which certificate, what was decided and how it ended.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>Position in the log, assigned by the store on append (0 before); strictly increasing.</summary>
    public long Sequence { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who acted: <c>scheduler</c>, <c>engine</c>, or a host-supplied user or process name.</summary>
    public required string Actor { get; init; }

    /// <summary>The operation, e.g. <c>Order</c>, <c>Collect</c>, <c>AutoRenew</c>, <c>Revoke</c>, <c>Delete</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The decision taken, e.g. <c>Renewed</c>, <c>Skipped</c>, <c>BackingOff</c>, <c>Parked</c>, <c>AdoptedScmRenewal</c>.</summary>
    public required string Decision { get; init; }

    /// <summary>How it ended, e.g. <c>Succeeded</c>, <c>Failed</c>, <c>Pending</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>Why, in words safe to show (never a secret).</summary>
    public string? Reason { get; init; }

    /// <summary>The certificate concerned, if any.</summary>
    public Guid? CertificateId { get; init; }

    /// <summary>The order concerned, if any.</summary>
    public Guid? OrderId { get; init; }

    /// <summary>The SCM sslId concerned, if any.</summary>
    public long? SslId { get; init; }

    /// <summary>The common name concerned, if any.</summary>
    public string? CommonName { get; init; }

    /// <summary>The SCM account the entry belongs to (the engine's account; entries written before accounts existed have none).</summary>
    public string? AccountId { get; init; }
}

/// <summary>A query over the audit log. Results come in <see cref="AuditEntry.Sequence"/> order.</summary>
public sealed record AuditQuery
{
    /// <summary>Inclusive lower bound on <see cref="AuditEntry.Timestamp"/>.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive upper bound on <see cref="AuditEntry.Timestamp"/>.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only entries for this certificate.</summary>
    public Guid? CertificateId { get; init; }

    /// <summary>Only entries with this action.</summary>
    public string? Action { get; init; }

    /// <summary>Only entries after this sequence number (for paging).</summary>
    public long? AfterSequence { get; init; }

    /// <summary>Maximum number of entries to return (1..10,000).</summary>
    public int Limit { get; init; } = 1000;
}
