using Scm.Storage;

namespace Scm.Lifecycle.Deployment;

/// <summary>
/// Somewhere an issued certificate is delivered to (a folder, a key vault, a load balancer). Called after a
/// certificate was collected, verified and installed into the inventory, and again on demand. Must be idempotent.
/// </summary>
public interface ICertificateDeploymentTarget
{
    /// <summary>A short name for logs and audit entries.</summary>
    string Name { get; }

    /// <summary>Delivers a certificate.</summary>
    /// <param name="deployment">The certificate, its keystore and password.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Where it went (for example file paths), for the audit trail.</returns>
    Task<DeploymentOutcome> DeployAsync(CertificateDeployment deployment, CancellationToken cancellationToken = default);
}

/// <summary>Where a target put a certificate.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Locations">Locations written (file paths, URIs).</param>
public sealed record DeploymentOutcome(string Target, IReadOnlyList<string> Locations)
{
    /// <summary>
    /// The version the target published, when it keeps versions (the file-system target: the name of the version folder
    /// its <c>live</c> link points to, such as <c>0003</c>); <see langword="null"/> otherwise.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>
    /// Whether the target already held exactly this content and wrote nothing (an idempotent re-deployment); the
    /// <see cref="Locations"/> are then those of the content already in place.
    /// </summary>
    public bool Unchanged { get; init; }
}

/// <summary>
/// What a deployment target receives: the certificate record, its chain, the keystore and its password, and
/// the private key on request. Holds secrets: never logged, and <see cref="ToString"/> shows none.
/// </summary>
public sealed class CertificateDeployment
{
    private readonly Func<CancellationToken, ValueTask<char[]>> _privateKeyPem;

    /// <summary>Creates a deployment.</summary>
    /// <param name="certificate">The certificate record.</param>
    /// <param name="lineageId">The id of the first certificate of this certificate's lineage (see <see cref="LineageId"/>).</param>
    /// <param name="chainPem">The certificate and its issuers, PEM, leaf first.</param>
    /// <param name="keystore">The keystore in <see cref="ManagedCertificate.KeystoreType"/> format.</param>
    /// <param name="keystorePassword">The keystore password.</param>
    /// <param name="privateKeyPem">
    /// Produces the unencrypted PKCS#8 private key as PEM characters, only when a target asks for it: a new array on every
    /// call, which the caller clears.
    /// </param>
    public CertificateDeployment(
        ManagedCertificate certificate, Guid lineageId, string chainPem, ReadOnlyMemory<byte> keystore, string keystorePassword,
        Func<CancellationToken, ValueTask<char[]>> privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(chainPem);
        ArgumentNullException.ThrowIfNull(keystorePassword);
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        Certificate = certificate;
        LineageId = lineageId;
        ChainPem = chainPem;
        Keystore = keystore;
        KeystorePassword = keystorePassword;
        _privateKeyPem = privateKeyPem;
    }

    /// <summary>The certificate record.</summary>
    public ManagedCertificate Certificate { get; }

    /// <summary>
    /// The id of the first certificate of this certificate's lineage: the record that every renewal and reissue of it
    /// descends from (following <see cref="ManagedCertificate.RenewedFromId"/> and <see cref="ManagedCertificate.ReplacesId"/>
    /// back). The same for every renewal of one managed certificate, and different for two certificates that merely share
    /// a common name, so a target can keep one place per managed certificate.
    /// </summary>
    public Guid LineageId { get; }

    /// <summary>The certificate and its issuers, PEM, leaf first.</summary>
    public string ChainPem { get; }

    /// <summary>The keystore bytes (PKCS#12, JKS, or PEM with an encrypted key).</summary>
    public ReadOnlyMemory<byte> Keystore { get; }

    /// <summary>The keystore password.</summary>
    public string KeystorePassword { get; }

    /// <summary>
    /// The unencrypted PKCS#8 private key as PEM (<c>-----BEGIN PRIVATE KEY-----</c>), for targets (such as web servers)
    /// that need it in clear. Decrypted on each call by the key protector, asynchronously.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>
    /// The PEM characters in a new array that the caller owns: write it only where file permissions protect it, and clear
    /// it (<see cref="Array.Clear(Array)"/>) as soon as it is written. A <see cref="string"/> is deliberately not used: it
    /// cannot be cleared. <c>new string(pem)</c> or the span overloads (<c>ImportFromPem(ReadOnlySpan&lt;char&gt;)</c>) read it.
    /// </returns>
    public ValueTask<char[]> GetUnencryptedPrivateKeyPemAsync(CancellationToken cancellationToken = default) => _privateKeyPem(cancellationToken);

    /// <inheritdoc />
    public override string ToString() =>
        $"CertificateDeployment {{ CertificateId = {Certificate.Id}, LineageId = {LineageId}, CommonName = {Certificate.CommonName}, KeystoreType = {Certificate.KeystoreType}, Keystore = ({Keystore.Length} bytes), KeystorePassword = *** }}";
}
