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
public sealed record DeploymentOutcome(string Target, IReadOnlyList<string> Locations);

/// <summary>
/// What a deployment target receives: the certificate record, its chain, the keystore and its password, and
/// the private key on request. Holds secrets: never logged, and <see cref="ToString"/> shows none.
/// </summary>
public sealed class CertificateDeployment
{
    private readonly Func<string> _privateKeyPem;

    /// <summary>Creates a deployment.</summary>
    /// <param name="certificate">The certificate record.</param>
    /// <param name="chainPem">The certificate and its issuers, PEM, leaf first.</param>
    /// <param name="keystore">The keystore in <see cref="ManagedCertificate.KeystoreType"/> format.</param>
    /// <param name="keystorePassword">The keystore password.</param>
    /// <param name="privateKeyPem">Produces the unencrypted PKCS#8 private key, PEM, only when a target asks for it.</param>
    public CertificateDeployment(ManagedCertificate certificate, string chainPem, ReadOnlyMemory<byte> keystore, string keystorePassword, Func<string> privateKeyPem)
    {
        Certificate = certificate;
        ChainPem = chainPem;
        Keystore = keystore;
        KeystorePassword = keystorePassword;
        _privateKeyPem = privateKeyPem;
    }

    /// <summary>The certificate record.</summary>
    public ManagedCertificate Certificate { get; }

    /// <summary>The certificate and its issuers, PEM, leaf first.</summary>
    public string ChainPem { get; }

    /// <summary>The keystore bytes (PKCS#12, JKS, or PEM with an encrypted key).</summary>
    public ReadOnlyMemory<byte> Keystore { get; }

    /// <summary>The keystore password.</summary>
    public string KeystorePassword { get; }

    /// <summary>The unencrypted PKCS#8 private key as PEM, for targets (such as web servers) that need it in clear.</summary>
    /// <returns>The PEM text; write it only where the file permissions protect it.</returns>
    public string GetUnencryptedPrivateKeyPem() => _privateKeyPem();

    /// <inheritdoc />
    public override string ToString() =>
        $"CertificateDeployment {{ CertificateId = {Certificate.Id}, CommonName = {Certificate.CommonName}, KeystoreType = {Certificate.KeystoreType}, Keystore = ({Keystore.Length} bytes), KeystorePassword = *** }}";
}
