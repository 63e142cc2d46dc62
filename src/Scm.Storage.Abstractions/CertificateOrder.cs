namespace Scm.Storage;

/// <summary>
/// An order for a certificate: a new one, a renewal, a reissue or an imported SCM order, with its
/// persisted state machine. Immutable; every write carries <see cref="Version"/> for optimistic concurrency.
/// </summary>
public sealed record CertificateOrder
{
    /// <summary>Local id of the order.</summary>
    public required Guid Id { get; init; }

    /// <summary>
    /// The managed certificate this order is for: for <see cref="OrderKind.New"/> and <see cref="OrderKind.Import"/>,
    /// the id the resulting certificate record will get; for renewals and reissues, the certificate being renewed
    /// or reissued. A store holds at most one open order per certificate id.
    /// </summary>
    public required Guid CertificateId { get; init; }

    /// <summary>The local name of the SCM account the order belongs to.</summary>
    public string AccountId { get; init; } = "default";

    /// <summary>Why the order exists.</summary>
    public required OrderKind Kind { get; init; }

    /// <summary>Current state.</summary>
    public required OrderState State { get; init; }

    /// <summary>Stored version; 0 for a record that was never stored. A store rejects a write whose version is stale.</summary>
    public long Version { get; init; }

    /// <summary>The correlation token (32 lowercase hex characters) written into SCM's <c>comments</c> to find the order again.</summary>
    public required string CorrelationToken { get; init; }

    /// <summary>What was asked for.</summary>
    public required CertificateOrderRequest Request { get; init; }

    /// <summary>SCM's sslId, once known.</summary>
    public long? SslId { get; init; }

    /// <summary>SCM's renewId, once known.</summary>
    public string? RenewId { get; init; }

    /// <summary>SCM's (CA) order number, if reported.</summary>
    public string? OrderNumber { get; init; }

    /// <summary>The last SCM status seen for the order (e.g. <c>Applied</c>).</summary>
    public string? ScmStatus { get; init; }

    /// <summary>The private key (PKCS#8) as returned by the key protector; never the clear key.</summary>
    public byte[]? ProtectedPrivateKey { get; init; }

    /// <summary>The CSR sent to SCM, PEM encoded.</summary>
    public string? CsrPem { get; init; }

    /// <summary>The keystore password, protected by the key protector, when the keystore type needs one.</summary>
    public byte[]? ProtectedKeystorePassword { get; init; }

    /// <summary>The collected and verified certificate chain (PEM, leaf first) while the order is <see cref="OrderState.Parked"/>.</summary>
    public string? CollectedCertificatePem { get; init; }

    /// <summary>How many attempts (submissions or status polls, depending on the state) were made.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// How many submissions of this order SCM has refused for now ("try again later": -140, -195, -3114) since it last
    /// accepted or was found in SCM. Each refusal doubles the wait before the order is checked and sent again (up to an
    /// hour); reset to 0 when SCM accepts the order or the order is found in SCM.
    /// </summary>
    public int SubmitRefusals { get; init; }

    /// <summary>When SCM first refused this order "for now" in the current run of refusals; <see langword="null"/> when it is not being refused.</summary>
    public DateTimeOffset? RefusedSince { get; init; }

    /// <summary>When the engine reported that SCM has refused this order for too long (once per run of refusals); <see langword="null"/> until then.</summary>
    public DateTimeOffset? RefusalReportedAt { get; init; }

    /// <summary>When the engine should look at the order next; <see langword="null"/> means as soon as possible.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The last error, as a message safe to show (never a secret).</summary>
    public string? LastError { get; init; }

    /// <summary>The SCM error code of the last error, when there was one.</summary>
    public int? LastScmErrorCode { get; init; }

    /// <summary>The fencing token of the lease under which the last submission was made.</summary>
    public long? FencingToken { get; init; }

    /// <summary>When the order was first submitted (the start of the ambiguity window for reconciliation).</summary>
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>
    /// What SCM showed right before the last renewal or reissue POST: the evidence reconciliation compares with after an
    /// unclear outcome, so that a certificate whose SCM record carries no SDK token (imported, or comments edited by
    /// someone else) is never renewed or reissued twice. <see langword="null"/> for new orders and for orders stored by
    /// an older version.
    /// </summary>
    public SubmissionBaseline? Baseline { get; init; }

    /// <summary>
    /// When to search SCM once more for a second order this order may have created: set when the order was sent again
    /// after an unclear outcome, since the first POST may still reach SCM late (an instance that paused right before
    /// sending). Cleared by that search; a duplicate found is reported and audited.
    /// </summary>
    public DateTimeOffset? DuplicateCheckAt { get; init; }

    /// <summary>When <see cref="State"/> last changed.</summary>
    public DateTimeOffset? StateChangedAt { get; init; }

    /// <summary>When the record was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the record was last written.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether the order is open (non-terminal); see <see cref="OrderStates.IsOpen"/>.</summary>
    public bool IsOpen => OrderStates.IsOpen(State);

    /// <summary>A short description for logs: ids, kind, state and name; never key material, PEM or CSR text.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"CertificateOrder {{ Id = {Id}, CertificateId = {CertificateId}, Kind = {Kind}, State = {State}, CommonName = {Request.CommonName}, SslId = {SslId}, ScmStatus = {ScmStatus}, Version = {Version} }}";
}

/// <summary>
/// What SCM showed of a renewal's or reissue's original order right before the POST (see
/// <see cref="CertificateOrder.Baseline"/>). After an unclear outcome, reconciliation adopts only an SCM order that
/// appeared after this snapshot, and re-sends only when SCM still looks exactly like it.
/// </summary>
public sealed record SubmissionBaseline
{
    /// <summary>When the snapshot was taken (engine clock).</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The sslId of the SCM order being renewed or reissued.</summary>
    public required long OriginalSslId { get; init; }

    /// <summary>SCM's status of the original order.</summary>
    public string? OriginalStatus { get; init; }

    /// <summary>Whether SCM showed the original as renewed (a committed renewById sets it).</summary>
    public bool OriginalRenewed { get; init; }

    /// <summary>The original's serial number as SCM showed it (a committed replace changes or clears it).</summary>
    public string? OriginalSerialNumber { get; init; }

    /// <summary>The original's <c>replaced</c> date as SCM showed it.</summary>
    public DateOnly? OriginalReplacedOn { get; init; }

    /// <summary>
    /// Renewals: every sslId SCM listed for the common name (the original and its earlier renewals included); an order
    /// for the name that is not in this list appeared after the snapshot. <see langword="null"/> for reissues.
    /// </summary>
    public IReadOnlyList<long>? SslIdsForCommonName { get; init; }
}

/// <summary>What an order asks SCM for.</summary>
public sealed record CertificateOrderRequest
{
    /// <summary>The common name (first DNS name of the certificate).</summary>
    public required string CommonName { get; init; }

    /// <summary>Subject alternative names (DNS names), the common name included.</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; init; } = [];

    /// <summary>SCM organization or department id.</summary>
    public required int OrganizationId { get; init; }

    /// <summary>SCM certificate profile id.</summary>
    public required int ProfileId { get; init; }

    /// <summary>Term in days.</summary>
    public required int TermDays { get; init; }

    /// <summary>Key algorithm.</summary>
    public KeyAlgorithm KeyAlgorithm { get; init; }

    /// <summary>RSA key size in bits (RSA only).</summary>
    public int? KeySize { get; init; }

    /// <summary>EC curve name such as <c>P-256</c> (EC only).</summary>
    public string? Curve { get; init; }

    /// <summary>How the issued certificate and key are packaged.</summary>
    public KeystoreType KeystoreType { get; init; }

    /// <summary>The caller's comments (without the SDK's correlation marker).</summary>
    public string? Comments { get; init; }

    /// <summary>External requester e-mail addresses.</summary>
    public IReadOnlyList<string> ExternalRequesters { get; init; } = [];

    /// <summary>Custom field values.</summary>
    public IReadOnlyList<CustomFieldValue> CustomFields { get; init; } = [];

    /// <summary>For a reissue, the reason given to SCM.</summary>
    public string? Reason { get; init; }

    /// <summary>For a renewal, whether the current key is reused instead of generating a new one.</summary>
    public bool ReuseKey { get; init; }

    /// <summary>Tags the resulting certificate gets (renewals and reissues keep the current certificate's tags).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The auto-renewal choice the resulting certificate gets (renewals and reissues keep the current one's).</summary>
    public AutoRenewMode AutoRenew { get; init; }
}

/// <summary>A custom field name and value.</summary>
/// <param name="Name">Field name.</param>
/// <param name="Value">Field value.</param>
public sealed record CustomFieldValue(string Name, string Value);
