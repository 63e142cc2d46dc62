using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Security;
using Scm.Storage;
#if !NET10_0_OR_GREATER
using System.Security.Cryptography.Pkcs;
#endif

namespace Scm.Lifecycle.Internal.Crypto;

/// <summary>
/// Builds the keystore a certificate is delivered in: PKCS#12 (.NET, PBES2 AES-256-CBC + SHA-256), JKS (BouncyCastle)
/// or PEM (chain plus an encrypted PKCS#8 key).
/// </summary>
internal static class KeystoreFactory
{
    public const string Alias = "certificate";

    public static byte[] Build(KeystoreType type, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> issuers, AsymmetricAlgorithm key, string password, int iterations) => type switch
    {
        KeystoreType.Pkcs12 => BuildPkcs12(leaf, issuers, key, password, iterations),
        KeystoreType.Jks => BuildJks(leaf, issuers, key, password),
        KeystoreType.Pem => BuildPem(leaf, issuers, key, password, iterations),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Keystore type must be PEM, PKCS#12 or JKS."),
    };

    /// <summary>The usual file extension of a keystore type.</summary>
    public static string Extension(KeystoreType type) => type switch
    {
        KeystoreType.Pkcs12 => ".pfx",
        KeystoreType.Jks => ".jks",
        _ => ".pem",
    };

    private static byte[] BuildPkcs12(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> issuers, AsymmetricAlgorithm key, string password, int iterations)
    {
        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, iterations);
        using var withKey = KeyMaterial.WithPrivateKey(leaf, key);
#if NET10_0_OR_GREATER
        var collection = new X509Certificate2Collection(withKey);
        foreach (var issuer in issuers)
        {
            collection.Add(issuer);
        }

        return collection.ExportPkcs12(pbe, password);
#else
        var builder = new Pkcs12Builder();
        var keyContents = new Pkcs12SafeContents();
        var keyBag = keyContents.AddShroudedKey(key, password, pbe);
        var certContents = new Pkcs12SafeContents();
        var leafBag = certContents.AddCertificate(leaf);
        var localKeyId = new Pkcs9LocalKeyId(SHA1.HashData(leaf.RawData));
        keyBag.Attributes.Add(localKeyId);
        leafBag.Attributes.Add(localKeyId);
        foreach (var issuer in issuers)
        {
            certContents.AddCertificate(issuer);
        }

        builder.AddSafeContentsUnencrypted(keyContents);
        builder.AddSafeContentsEncrypted(certContents, password, pbe);
        builder.SealWithMac(password, HashAlgorithmName.SHA256, iterations);
        return builder.Encode();
#endif
    }

    private static byte[] BuildJks(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> issuers, AsymmetricAlgorithm key, string password)
    {
        var pkcs8 = key.ExportPkcs8PrivateKey();
        var chars = password.ToCharArray();
        try
        {
            var store = new JksStore();
            var chain = new List<Org.BouncyCastle.X509.X509Certificate> { new(leaf.RawData) };
            chain.AddRange(issuers.Select(i => new Org.BouncyCastle.X509.X509Certificate(i.RawData)));
            store.SetKeyEntry(Alias, PrivateKeyFactory.CreateKey(pkcs8), chars, chain.ToArray());
            using var stream = new MemoryStream();
            store.Save(stream, chars);
            return stream.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
            Array.Clear(chars);
        }
    }

    private static byte[] BuildPem(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> issuers, AsymmetricAlgorithm key, string password, int iterations)
    {
        var text = new StringBuilder();
        text.Append(ChainPem(leaf, issuers));
        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, iterations);
        text.Append(key.ExportEncryptedPkcs8PrivateKeyPem(password, pbe)).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The certificate then its issuers, PEM.</summary>
    public static string ChainPem(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> issuers)
    {
        var text = new StringBuilder();
        text.Append(leaf.ExportCertificatePem()).Append('\n');
        foreach (var issuer in issuers)
        {
            text.Append(issuer.ExportCertificatePem()).Append('\n');
        }

        return text.ToString();
    }
}
