using Scm.Storage;

namespace Scm.Lifecycle;

/// <summary>
/// What a host asks for when ordering a new certificate. The key and CSR are generated locally; nothing
/// is sent to SCM until the request passed validation against the synced catalog.
/// </summary>
public sealed record OrderCertificateRequest
{
    /// <summary>Common name: a DNS name (a left-most <c>*.</c> wildcard is allowed), 1..64 characters.</summary>
    public required string CommonName { get; init; }

    /// <summary>Additional DNS names. The common name is added when missing (the result says so).</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; init; } = [];

    /// <summary>SCM organization or department id.</summary>
    public required int OrganizationId { get; init; }

    /// <summary>SCM certificate profile id (the profile must be offered to the organization).</summary>
    public required int ProfileId { get; init; }

    /// <summary>Term in days; must be one of the profile's terms.</summary>
    public required int TermDays { get; init; }

    /// <summary>Key algorithm (default RSA).</summary>
    public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.Rsa;

    /// <summary>RSA key size in bits (default 2048); ignored for EC.</summary>
    public int? KeySize { get; init; }

    /// <summary>EC curve (<c>P-256</c> by default, <c>P-384</c>, <c>P-521</c> when the profile offers it); ignored for RSA.</summary>
    public string? Curve { get; init; }

    /// <summary>How the issued certificate and key are packaged (default PKCS#12).</summary>
    public KeystoreType KeystoreType { get; init; } = KeystoreType.Pkcs12;

    /// <summary>
    /// The keystore password. When <see langword="null"/>, one with 192 bits of entropy is generated and returned
    /// once in <see cref="OrderCertificateResult.GeneratedKeystorePassword"/>. Never logged or printed.
    /// </summary>
    public string? KeystorePassword { get; init; }

    /// <summary>Comments sent to SCM (the SDK appends its correlation marker; see <see cref="CertificateRequestLimits.MaxCommentsLength"/>).</summary>
    public string? Comments { get; init; }

    /// <summary>External requester e-mail addresses (together at most 512 characters).</summary>
    public IReadOnlyList<string> ExternalRequesters { get; init; } = [];

    /// <summary>Custom field values; every mandatory SSL custom field of the account must be present.</summary>
    public IReadOnlyList<CustomFieldValue> CustomFields { get; init; } = [];

    /// <summary>Tags kept with the certificate (used by auto-renewal selections).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Per-certificate auto-renewal choice.</summary>
    public AutoRenewMode AutoRenew { get; init; } = AutoRenewMode.Inherit;

    /// <inheritdoc />
    public override string ToString() =>
        $"OrderCertificateRequest {{ CommonName = {CommonName}, SubjectAlternativeNames = [{string.Join(", ", SubjectAlternativeNames)}], " +
        $"OrganizationId = {OrganizationId}, ProfileId = {ProfileId}, TermDays = {TermDays}, KeyAlgorithm = {KeyAlgorithm}, " +
        $"KeySize = {KeySize}, Curve = {Curve}, KeystoreType = {KeystoreType}, KeystorePassword = {(KeystorePassword is null ? "(generate)" : "***")} }}";
}

/// <summary>The outcome of <see cref="ICertificateLifecycle.OrderAsync"/>.</summary>
public sealed record OrderCertificateResult
{
    /// <summary>The order as stored.</summary>
    public required CertificateOrder Order { get; init; }

    /// <summary>The generated keystore password; returned only here, only once. Never logged or printed.</summary>
    public string? GeneratedKeystorePassword { get; init; }

    /// <summary>Adjustments made to the request (for example the common name added to the SANs).</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    /// <summary>The order's local id.</summary>
    public Guid OrderId => Order.Id;

    /// <summary>The id the certificate has (or will have) in the inventory.</summary>
    public Guid CertificateId => Order.CertificateId;

    /// <summary>The order's state after the call (usually <see cref="OrderState.Submitted"/>).</summary>
    public OrderState State => Order.State;

    /// <summary>SCM's sslId, when SCM accepted the order.</summary>
    public long? SslId => Order.SslId;

    /// <inheritdoc />
    public override string ToString() =>
        $"OrderCertificateResult {{ OrderId = {OrderId}, CertificateId = {CertificateId}, State = {State}, SslId = {SslId}, " +
        $"GeneratedKeystorePassword = {(GeneratedKeystorePassword is null ? "(none)" : "***")} }}";
}

/// <summary>Limits the SDK enforces on requests before anything is sent to SCM.</summary>
public static class CertificateRequestLimits
{
    /// <summary>SCM's limit on <c>comments</c>.</summary>
    public const int ScmMaxCommentsLength = 1024;

    /// <summary>Characters reserved in <c>comments</c> for the SDK's correlation marker (<c> [scm-sdk:&lt;32 hex&gt;]</c>).</summary>
    public const int CorrelationMarkerLength = 43;

    /// <summary>The longest comment a caller may give.</summary>
    public const int MaxCommentsLength = ScmMaxCommentsLength - CorrelationMarkerLength;

    /// <summary>SCM's limit on the external requester field.</summary>
    public const int MaxExternalRequesterLength = 512;

    /// <summary>The X.509 and SCM limit on the common name.</summary>
    public const int MaxCommonNameLength = 64;

    /// <summary>The longest actor an <see cref="ILifecycleActorAccessor"/> may supply for the audit trail.</summary>
    public const int MaxActorLength = 128;

    /// <summary>SCM's limit on reasons and messages (reissue, revoke, approve, decline).</summary>
    public const int MaxReasonLength = 512;

    /// <summary>The smallest RSA key size the SDK generates, even if a profile lists smaller ones.</summary>
    public const int MinRsaKeySize = 2048;

    /// <summary>The largest RSA key size the SDK generates.</summary>
    public const int MaxRsaKeySize = 8192;
}
