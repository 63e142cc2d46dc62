using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Crypto;

/// <summary>Key generation, PKCS#8 round trips and public-key comparison, all with .NET's own crypto.</summary>
internal static class KeyMaterial
{
    /// <summary>Generates a key. On Linux an RSA key is generated lazily; exporting its parameters forces the cost now.</summary>
    public static AsymmetricAlgorithm Generate(KeyAlgorithm algorithm, int? keySize, string? curve)
    {
        switch (algorithm)
        {
            case KeyAlgorithm.Rsa:
                var rsa = RSA.Create(keySize ?? 2048);
                _ = rsa.ExportParameters(includePrivateParameters: false);
                return rsa;
            case KeyAlgorithm.EC:
                return ECDsa.Create(CurveFor(curve ?? "P-256"));
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Key algorithm must be RSA or EC.");
        }
    }

    public static ECCurve CurveFor(string curve) => curve switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        "P-521" => ECCurve.NamedCurves.nistP521,
        _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "Curve must be P-256, P-384 or P-521."),
    };

    /// <summary>Exports the private key as unencrypted PKCS#8 (the caller protects and clears it).</summary>
    public static byte[] ExportPkcs8(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKey();

    /// <summary>Imports a PKCS#8 private key of either algorithm.</summary>
    public static AsymmetricAlgorithm ImportPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        // The algorithm OID sits inside the structure; try EC first (cheap), then RSA.
        try
        {
            var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            return ec;
        }
        catch (CryptographicException)
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                return rsa;
            }
            catch (CryptographicException ex)
            {
                rsa.Dispose();
                throw new CryptographicException("The stored private key is not a valid PKCS#8 RSA or EC key.", ex);
            }
        }
    }

    /// <summary>The DER SubjectPublicKeyInfo of a key.</summary>
    public static byte[] SubjectPublicKeyInfo(AsymmetricAlgorithm key) => key.ExportSubjectPublicKeyInfo();

    /// <summary>The DER SubjectPublicKeyInfo of a certificate.</summary>
    public static byte[] SubjectPublicKeyInfo(X509Certificate2 certificate) => certificate.PublicKey.ExportSubjectPublicKeyInfo();

    /// <summary>Whether a certificate carries this key's public key.</summary>
    public static bool Matches(X509Certificate2 certificate, ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        SubjectPublicKeyInfo(certificate).AsSpan().SequenceEqual(subjectPublicKeyInfo);

    /// <summary>Attaches a private key to a certificate (returns a new instance).</summary>
    public static X509Certificate2 WithPrivateKey(X509Certificate2 certificate, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        ECDsa ec => certificate.CopyWithPrivateKey(ec),
        _ => throw new ArgumentException("Unsupported key type.", nameof(key)),
    };

    /// <summary>Describes the key of a certificate as the storage enums do.</summary>
    public static (KeyAlgorithm? Algorithm, int? KeySize, string? Curve) Describe(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return (KeyAlgorithm.Rsa, rsa.KeySize, null);
        }

        using var ec = certificate.GetECDsaPublicKey();
        if (ec is not null)
        {
            var curve = ec.KeySize switch { 256 => "P-256", 384 => "P-384", 521 => "P-521", _ => null };
            return (KeyAlgorithm.EC, null, curve);
        }

        return (null, null, null);
    }

    /// <summary>A random password with 192 bits of entropy (32 URL-safe characters).</summary>
    public static string GeneratePassword()
    {
        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        var text = Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
        bytes.Clear();
        return text;
    }
}
