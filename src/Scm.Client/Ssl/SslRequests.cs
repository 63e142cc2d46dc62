namespace Scm.Client;

/// <summary>RFC 5280 revocation reasons SCM accepts on revoke (0, 1, 3, 4, 5); any other value is rejected before sending.</summary>
public enum RevocationReason
{
    /// <summary>0: unspecified.</summary>
    Unspecified = 0,

    /// <summary>1: the private key was compromised.</summary>
    KeyCompromise = 1,

    /// <summary>3: the subject's affiliation changed.</summary>
    AffiliationChanged = 3,

    /// <summary>4: superseded by another certificate.</summary>
    Superseded = 4,

    /// <summary>5: the service ceased operation.</summary>
    CessationOfOperation = 5,
}

/// <summary>A certificate request with a caller-made CSR (<c>POST /ssl/v1/enroll</c>).</summary>
public sealed class SslEnrollRequest
{
    /// <summary>The organization or department id (<c>orgId</c>, >= 1).</summary>
    public required int OrganizationId { get; init; }

    /// <summary>The certificate profile id (<c>certType</c>, from <see cref="SslCertificatesClient.ListProfilesAsync"/>).</summary>
    public required int ProfileId { get; init; }

    /// <summary>The term in days; must be one of the profile's terms.</summary>
    public required int Term { get; init; }

    /// <summary>The CSR, PEM or bare base64 (1..32767 characters).</summary>
    public required string Csr { get; init; }

    /// <summary>Subject alternative names; sent as ONE comma-separated <c>subjAltNames</c> string, so no name may contain a comma.</summary>
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>Comments (at most 1024 characters).</summary>
    public string? Comments { get; init; }

    /// <summary>External requester e-mail address(es), comma separated (at most 512 characters).</summary>
    public string? ExternalRequester { get; init; }

    /// <summary>Custom field values; every mandatory field must be present.</summary>
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }

    /// <summary>The DCV method, when the account requires one.</summary>
    public DcvMode? DcvMode { get; init; }

    /// <summary>The DCV e-mail address (with <see cref="DcvMode.Email"/>).</summary>
    public string? DcvEmail { get; init; }
}

/// <summary>Azure Key Vault settings of an <c>enroll-keygen</c> request.</summary>
public sealed class AzureKeyVaultSettings
{
    /// <summary>The Azure account id in SCM.</summary>
    public required int AzureAccountId { get; init; }

    /// <summary>The vault key, <c>/subscriptions/.../vaults/&lt;name&gt;</c>.</summary>
    public required string VaultKey { get; init; }
}

/// <summary>A certificate request whose key SCM generates (<c>POST /ssl/v1/enroll-keygen</c>).</summary>
public sealed class SslKeyGenerationEnrollRequest
{
    /// <summary>The organization or department id (<c>orgId</c>).</summary>
    public required int OrganizationId { get; init; }

    /// <summary>The certificate profile id (<c>certType</c>).</summary>
    public required int ProfileId { get; init; }

    /// <summary>The term in days.</summary>
    public required int Term { get; init; }

    /// <summary>The common name (1..64 characters).</summary>
    public required string CommonName { get; init; }

    /// <summary>Subject alternative names; sent as one comma-separated string.</summary>
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>Comments (at most 1024 characters).</summary>
    public string? Comments { get; init; }

    /// <summary>External requester(s), at most 512 characters.</summary>
    public string? ExternalRequester { get; init; }

    /// <summary>Custom field values.</summary>
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }

    /// <summary>The DCV method.</summary>
    public DcvMode? DcvMode { get; init; }

    /// <summary>The DCV e-mail address.</summary>
    public string? DcvEmail { get; init; }

    /// <summary>The key algorithm, <c>RSA</c> or <c>EC</c>.</summary>
    public string? Algorithm { get; init; }

    /// <summary>The RSA size (e.g. <c>"2048"</c>) or EC curve (e.g. <c>"P-256"</c>).</summary>
    public string? KeyParameter { get; init; }

    /// <summary>Where the key is generated.</summary>
    public KeyGenerationMethod? KeyGenerationMethod { get; init; }

    /// <summary>The PKCS#12 pass phrase (Private Key Agent only, 8..64 characters). Never logged or shown.</summary>
    public string? PassPhrase { get; init; }

    /// <summary>Azure Key Vault settings (Azure Key Vault only).</summary>
    public AzureKeyVaultSettings? AzureKeyVault { get; init; }

    /// <summary>Reuse an existing key (Azure Key Vault only).</summary>
    public bool? ReuseKey { get; init; }

    /// <summary>Make the key exportable (Azure Key Vault only).</summary>
    public bool? ExportableKey { get; init; }

    /// <summary>Keep the key in an HSM only (Azure Key Vault only).</summary>
    public bool? HsmOnly { get; init; }
}

/// <summary>Optional settings of a renewal by id (<c>POST /ssl/v1/renewById/{sslId}</c>).</summary>
public sealed class SslRenewRequest
{
    /// <summary>A new CSR; when null SCM reuses the original CSR.</summary>
    public string? Csr { get; init; }

    /// <summary>The DCV method.</summary>
    public DcvMode? DcvMode { get; init; }

    /// <summary>The DCV e-mail address.</summary>
    public string? DcvEmail { get; init; }
}

/// <summary>Marks a certificate as renewed by another one (<c>POST /ssl/v1/renew/manual/{sslId}</c>); set <see cref="RenewedBySslId"/> and/or <see cref="OrderNumber"/>.</summary>
public sealed class SslManualRenewRequest
{
    /// <summary>The id of the certificate that renews it (<c>id</c>).</summary>
    public long? RenewedBySslId { get; init; }

    /// <summary>The CA order number of the renewing certificate.</summary>
    public string? OrderNumber { get; init; }

    /// <summary>The DCV method.</summary>
    public DcvMode? DcvMode { get; init; }

    /// <summary>The DCV e-mail address.</summary>
    public string? DcvEmail { get; init; }
}

/// <summary>Re-issues a certificate with a new CSR, keeping its sslId (<c>POST /ssl/v1/replace/{sslId}</c>).</summary>
public sealed class SslReplaceRequest
{
    /// <summary>The new CSR (1..32767 characters).</summary>
    public required string Csr { get; init; }

    /// <summary>Why (1..512 characters).</summary>
    public required string Reason { get; init; }

    /// <summary>A new common name (1..64 characters).</summary>
    public string? CommonName { get; init; }

    /// <summary>New subject alternative names (sent as an array here).</summary>
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>The DCV method.</summary>
    public DcvMode? DcvMode { get; init; }

    /// <summary>The DCV e-mail address.</summary>
    public string? DcvEmail { get; init; }
}

/// <summary>Changes a certificate record (<c>PUT /ssl/v1</c>). Profile, organization, term, CN, CSR and SANs can change only while Requested, Declined, Rejected or Invalid.</summary>
public sealed class SslUpdateRequest
{
    /// <summary>The certificate id.</summary>
    public required long SslId { get; init; }

    /// <summary>New term in days.</summary>
    public int? Term { get; init; }

    /// <summary>New profile id (<c>certTypeId</c> on the wire).</summary>
    public int? ProfileId { get; init; }

    /// <summary>New organization id.</summary>
    public int? OrganizationId { get; init; }

    /// <summary>New common name (1..64).</summary>
    public string? CommonName { get; init; }

    /// <summary>New CSR.</summary>
    public string? Csr { get; init; }

    /// <summary>New SANs (an array on the wire).</summary>
    public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>External requester(s), at most 512 characters.</summary>
    public string? ExternalRequester { get; init; }

    /// <summary>Comments, at most 1024 characters.</summary>
    public string? Comments { get; init; }

    /// <summary>Custom field values.</summary>
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }

    /// <summary>Automatic renewal settings.</summary>
    public SslAutoRenewDetails? AutoRenew { get; init; }

    /// <summary>Suspend notifications.</summary>
    public bool? SuspendNotifications { get; init; }

    /// <summary>The requester.</summary>
    public string? Requester { get; init; }

    /// <summary>The requester's admin id (>= 1).</summary>
    public long? RequesterAdminId { get; init; }

    /// <summary>The approver's admin id (>= -1; -1 clears it).</summary>
    public long? ApproverAdminId { get; init; }
}

/// <summary>Marks a certificate revoked in SCM only, not at the CA (<c>POST /ssl/v1/revoke/manual</c>). Give <see cref="SslId"/>, or <see cref="SerialNumber"/> with <see cref="Issuer"/>.</summary>
public sealed class SslManualRevocationRequest
{
    /// <summary>The certificate id (<c>certId</c>).</summary>
    public long? SslId { get; init; }

    /// <summary>The serial number (with <see cref="Issuer"/>).</summary>
    public string? SerialNumber { get; init; }

    /// <summary>The issuer DN (with <see cref="SerialNumber"/>).</summary>
    public string? Issuer { get; init; }

    /// <summary>When it was revoked.</summary>
    public DateTimeOffset? RevokeDate { get; init; }

    /// <summary>The reason.</summary>
    public RevocationReason ReasonCode { get; init; }
}

/// <summary>One certificate to import through <c>POST /ssl/v2/import</c>.</summary>
public sealed class SslImportItem
{
    /// <summary>The organization id (<c>orgID</c> on the wire).</summary>
    public required int OrganizationId { get; init; }

    /// <summary>The certificate, DER (sent base64).</summary>
    public required ReadOnlyMemory<byte> Certificate { get; init; }

    /// <summary>Its CSR, DER (sent base64), if known.</summary>
    public ReadOnlyMemory<byte>? Csr { get; init; }

    /// <summary>The owner's e-mail (at most 128 characters).</summary>
    public string? Owner { get; init; }

    /// <summary>External requester(s), at most 512 characters.</summary>
    public string? ExternalRequester { get; init; }

    /// <summary>The CA-side id (at most 255 characters).</summary>
    public string? BackendCertId { get; init; }

    /// <summary>Comments (at most 1024 characters).</summary>
    public string? Comments { get; init; }

    /// <summary>Custom field values.</summary>
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; init; }
}

/// <summary>Filters of the SSL certificate list and count (<c>GET</c>/<c>HEAD /ssl/v1</c>). Every property is optional.</summary>
public sealed class SslListFilter
{
    /// <summary>Common name.</summary>
    public string? CommonName { get; init; }

    /// <summary>A subject alternative name.</summary>
    public string? SubjectAlternativeName { get; init; }

    /// <summary>Status.</summary>
    public SslCertificateStatus? Status { get; init; }

    /// <summary>Profile id (<c>sslTypeId</c>).</summary>
    public int? ProfileId { get; init; }

    /// <summary>Deprecated discovery status (<c>NotDeployed</c> or <c>Deployed</c>).</summary>
    public string? DiscoveryStatus { get; init; }

    /// <summary>Issuing CA name (at most 128).</summary>
    public string? Vendor { get; init; }

    /// <summary>Organization or department id.</summary>
    public int? OrganizationId { get; init; }

    /// <summary>Auto-installation status.</summary>
    public SslInstallStatus? InstallStatus { get; init; }

    /// <summary>Auto-renewal status.</summary>
    public AutoRenewState? RenewalStatus { get; init; }

    /// <summary>Issuer.</summary>
    public string? Issuer { get; init; }

    /// <summary>Serial number (at most 128).</summary>
    public string? SerialNumber { get; init; }

    /// <summary>Requester (at most 128).</summary>
    public string? Requester { get; init; }

    /// <summary>External requester (at most 512).</summary>
    public string? ExternalRequester { get; init; }

    /// <summary>Signature algorithm (at most 32).</summary>
    public string? SignatureAlgorithm { get; init; }

    /// <summary>Key algorithm (at most 32).</summary>
    public string? KeyAlgorithm { get; init; }

    /// <summary>Deprecated key size; prefer <see cref="KeyParameter"/>.</summary>
    public int? KeySize { get; init; }

    /// <summary>Key size or curve name (<c>keyParam</c>, at most 32).</summary>
    public string? KeyParameter { get; init; }

    /// <summary>SHA-1 hash (at most 40).</summary>
    public string? Sha1Hash { get; init; }

    /// <summary>MD5 hash (at most 32).</summary>
    public string? Md5Hash { get; init; }

    /// <summary>SHA-256 hash (at most 64).</summary>
    public string? Sha256Hash { get; init; }

    /// <summary>Key usage (at most 256).</summary>
    public string? KeyUsage { get; init; }

    /// <summary>Extended key usage (at most 512).</summary>
    public string? ExtendedKeyUsage { get; init; }

    /// <summary>How it was requested.</summary>
    public RequestedVia? RequestedVia { get; init; }
}
