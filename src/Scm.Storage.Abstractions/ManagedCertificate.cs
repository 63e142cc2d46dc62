namespace Scm.Storage;

/// <summary>
/// A certificate in the inventory: its chain, the facts read from the certificate itself, the protected
/// private key (absent for observe-only imports), the keystore, auto-renewal settings and lineage.
/// </summary>
public sealed record ManagedCertificate
{
    /// <summary>Local id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Stored version; 0 for a record that was never stored.</summary>
    public long Version { get; init; }

    /// <summary>The local name of the SCM account.</summary>
    public string AccountId { get; init; } = "default";

    /// <summary>Common name.</summary>
    public required string CommonName { get; init; }

    /// <summary>DNS subject alternative names read from the certificate.</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; init; } = [];

    /// <summary>SCM's sslId. A reissue keeps the sslId, so several records (one superseded) may share it.</summary>
    public long? SslId { get; init; }

    /// <summary>SCM organization or department id, when known.</summary>
    public int? OrganizationId { get; init; }

    /// <summary>SCM certificate profile id, when known.</summary>
    public int? ProfileId { get; init; }

    /// <summary>Term in days, when known.</summary>
    public int? TermDays { get; init; }

    /// <summary>Serial number: uppercase hexadecimal without separators.</summary>
    public required string SerialNumber { get; init; }

    /// <summary>SHA-256 thumbprint of the DER certificate, uppercase hexadecimal.</summary>
    public required string Thumbprint { get; init; }

    /// <summary>Start of validity, read from the certificate.</summary>
    public required DateTimeOffset NotBefore { get; init; }

    /// <summary>End of validity, read from the certificate (never from SCM's date strings).</summary>
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>The certificate and its issuers, PEM, leaf first.</summary>
    public required string CertificatePem { get; init; }

    /// <summary>The private key as returned by the key protector; <see langword="null"/> for an observe-only certificate.</summary>
    public byte[]? ProtectedPrivateKey { get; init; }

    /// <summary>Key algorithm of the certificate's key.</summary>
    public KeyAlgorithm? KeyAlgorithm { get; init; }

    /// <summary>RSA key size in bits.</summary>
    public int? KeySize { get; init; }

    /// <summary>EC curve name.</summary>
    public string? Curve { get; init; }

    /// <summary>How the certificate is packaged for deployment.</summary>
    public KeystoreType KeystoreType { get; init; }

    /// <summary>The built keystore (PKCS#12, JKS or PEM bundle with the key), protected by the key protector.</summary>
    public byte[]? ProtectedKeystore { get; init; }

    /// <summary>The keystore password, protected by the key protector.</summary>
    public byte[]? ProtectedKeystorePassword { get; init; }

    /// <summary>Inventory status.</summary>
    public CertificateStatus Status { get; init; }

    /// <summary>The last SCM status seen (e.g. <c>Issued</c>, <c>Revoked</c>).</summary>
    public string? ScmStatus { get; init; }

    /// <summary>Where the certificate came from.</summary>
    public CertificateOrigin Origin { get; init; }

    /// <summary>Per-certificate auto-renewal choice.</summary>
    public AutoRenewMode AutoRenew { get; init; }

    /// <summary>Free-form tags used by auto-renewal selections and hosts.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The certificate this one renewed, if any.</summary>
    public Guid? RenewedFromId { get; init; }

    /// <summary>The certificate that renewed this one, if any.</summary>
    public Guid? RenewedById { get; init; }

    /// <summary>The certificate this one replaced by a reissue, if any.</summary>
    public Guid? ReplacesId { get; init; }

    /// <summary>The certificate that replaced this one by a reissue, if any.</summary>
    public Guid? ReplacedById { get; init; }

    /// <summary>Consecutive failed renewal attempts.</summary>
    public int RenewalFailures { get; init; }

    /// <summary>Renewal backoff: no automatic renewal is attempted before this time (except in the emergency window).</summary>
    public DateTimeOffset? RenewalNotBefore { get; init; }

    /// <summary>The last renewal error, safe to show.</summary>
    public string? LastRenewalError { get; init; }

    /// <summary>When SCM confirmed the revocation.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When the record was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the record was last written.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether there is no local private key: the certificate is monitored but renewal needs a fresh key.</summary>
    public bool IsObserveOnly => ProtectedPrivateKey is null;

    /// <summary>A short description for logs: ids, name, status and validity; never key material or PEM text.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"ManagedCertificate {{ Id = {Id}, CommonName = {CommonName}, SslId = {SslId}, Serial = {SerialNumber}, Status = {Status}, NotAfter = {NotAfter:O}, ObserveOnly = {IsObserveOnly}, Version = {Version} }}";
}
