using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.KeyProtection;

/// <summary>Which protected value of a record.</summary>
internal enum ProtectedField
{
    PrivateKey,
    KeystorePassword,
    Keystore,
}

/// <summary>
/// The associated data that binds each protected value to what it belongs to, so a value moved into another record or
/// field fails to decrypt:
/// <list type="bullet">
/// <item>a private key to its public key (SHA-256 of the SubjectPublicKeyInfo): the order's CSR and every certificate
/// issued for that key carry it, so the key moves from an order to its certificate, and on to a renewal that reuses it,
/// without being re-wrapped, while another order's or certificate's key is refused;</item>
/// <item>a keystore to the certificate it contains (its SHA-256 thumbprint);</item>
/// <item>a keystore password to the certificate id (the order's <see cref="CertificateOrder.CertificateId"/>, the
/// certificate's <see cref="ManagedCertificate.Id"/>): a new order and its certificate share the id; a renewal or reissue
/// produces a new certificate record, and the install re-wraps the password for it in the same transaction.</item>
/// </list>
/// The field name is part of every binding, so a keystore password can never stand in for a private key.
/// </summary>
internal static class KeyBindings
{
    private const string Prefix = "scm-sdk/2\n";

    public static byte[] PrivateKey(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Encode("private-key", "spki-sha256:" + Convert.ToHexString(SHA256.HashData(subjectPublicKeyInfo)));

    public static byte[] PrivateKey(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => PrivateKey(rsa.ExportSubjectPublicKeyInfo()),
        ECDsa ec => PrivateKey(ec.ExportSubjectPublicKeyInfo()),
        _ => throw new NotSupportedException($"Unsupported key type {key.GetType().Name}."),
    };

    public static byte[] KeystorePassword(Guid certificateId) => Encode("keystore-password", "certificate:" + certificateId.ToString("N"));

    public static byte[] Keystore(string thumbprint) => Encode("keystore", "sha256:" + thumbprint.ToUpperInvariant());

    /// <summary>The binding of a certificate's private key: the public key of its leaf (the first certificate of its PEM).</summary>
    public static byte[] PrivateKey(ManagedCertificate certificate)
    {
        try
        {
            using var leaf = X509Certificate2.CreateFromPem(certificate.CertificatePem);
            return PrivateKey(leaf.PublicKey.ExportSubjectPublicKeyInfo());
        }
        catch (CryptographicException ex)
        {
            throw new KeyProtectionException($"The certificate {certificate.Id} has no readable certificate to bind its private key to.", ex);
        }
    }

    /// <summary>
    /// The binding of an order's private key: the public key of its CSR; an order adopted without a CSR (SCM renewed the
    /// certificate itself, with its key) takes the public key of the certificate it renews.
    /// </summary>
    public static async Task<byte[]> PrivateKeyAsync(CertificateOrder order, ICertificateStore store, CancellationToken cancellationToken)
    {
        if (order.CsrPem is { } csr)
        {
            try
            {
                var request = CertificateRequest.LoadSigningRequestPem(csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation);
                return PrivateKey(request.PublicKey.ExportSubjectPublicKeyInfo());
            }
            catch (CryptographicException ex)
            {
                throw new KeyProtectionException($"The order {order.Id} has no readable CSR to bind its private key to.", ex);
            }
        }

        var certificate = await store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyProtectionException($"The order {order.Id} has neither a CSR nor a certificate to bind its private key to.");
        return PrivateKey(certificate);
    }

    public static string Describe(ProtectedField field) => field switch
    {
        ProtectedField.PrivateKey => "private key",
        ProtectedField.KeystorePassword => "keystore password",
        _ => "keystore",
    };

    private static byte[] Encode(string field, string subject) => Encoding.UTF8.GetBytes(Prefix + field + "\n" + subject);
}
