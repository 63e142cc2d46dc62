using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Security;
using Scm.Lifecycle;
using Scm.Storage;

namespace Scm.Samples.Web.Rendering;

/// <summary>
/// A keystore download: the certificate's keystore re-encrypted with a password the user types at download time, so
/// the keystore password the engine keeps (generated at order time and never shown) stays where it is. PKCS#12 and
/// encrypted PEM keys use PBES2 AES-256-CBC with SHA-256, like the engine; JKS is re-written with BouncyCastle.
/// </summary>
public static class KeystoreExport
{
    /// <summary>The shortest download password accepted.</summary>
    public const int MinPasswordLength = 12;

    /// <summary>The longest download password accepted.</summary>
    public const int MaxPasswordLength = 256;

    private const int Iterations = 100_000;

    /// <summary>The rule a download password breaks, or <see langword="null"/> (the message never repeats the password).</summary>
    public static string? CheckPassword(string? password) =>
        string.IsNullOrEmpty(password) ? "KeystorePassword is required: the keystore is encrypted with the password you type here."
        : password.Length < MinPasswordLength ? $"KeystorePassword must be at least {MinPasswordLength} characters; got {password.Length}."
        : password.Length > MaxPasswordLength ? $"KeystorePassword must be at most {MaxPasswordLength} characters; got {password.Length}."
        : password.Contains('\0', StringComparison.Ordinal) ? "KeystorePassword may not contain NUL."
        : null;

    /// <summary>The keystore re-encrypted with <paramref name="password"/>, its file name and content type.</summary>
    public static (byte[] Content, string FileName, string ContentType) Rewrap(CertificateKeystore keystore, string password)
    {
        ArgumentNullException.ThrowIfNull(keystore);
        var name = FileName(keystore.Certificate.CommonName);
        return keystore.Type switch
        {
            KeystoreType.Pkcs12 => (Pkcs12(keystore, password), name + ".pfx", "application/x-pkcs12"),
            KeystoreType.Jks => (Jks(keystore, password), name + ".jks", "application/octet-stream"),
            _ => (Pem(keystore, password), name + ".pem", "application/x-pem-file"),
        };
    }

    private static byte[] Pkcs12(CertificateKeystore keystore, string password)
    {
        var collection = X509CertificateLoader.LoadPkcs12Collection(keystore.Content.Span, keystore.Password, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
        try
        {
            return collection.ExportPkcs12(new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Iterations), password);
        }
        finally
        {
            foreach (var certificate in collection)
            {
                certificate.Dispose();
            }
        }
    }

    private static byte[] Pem(CertificateKeystore keystore, string password)
    {
        const string Begin = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
        const string End = "-----END ENCRYPTED PRIVATE KEY-----";
        var text = Encoding.ASCII.GetString(keystore.Content.Span);
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException("The PEM keystore holds no encrypted private key.");
        }

        var keyPem = text[start..(end + End.Length)];
        var chain = (text[..start] + text[(end + End.Length)..]).Trim();
        using AsymmetricAlgorithm key = keystore.Certificate.KeyAlgorithm == KeyAlgorithm.EC ? ECDsa.Create() : RSA.Create();
        key.ImportFromEncryptedPem(keyPem, keystore.Password);
        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Iterations);
        return Encoding.ASCII.GetBytes(chain + "\n" + key.ExportEncryptedPkcs8PrivateKeyPem(password, pbe) + "\n");
    }

    private static byte[] Jks(CertificateKeystore keystore, string password)
    {
        var oldPassword = keystore.Password.ToCharArray();
        var newPassword = password.ToCharArray();
        try
        {
            var source = new JksStore();
            using (var input = new MemoryStream(keystore.Content.ToArray(), writable: false))
            {
                source.Load(input, oldPassword);
            }

            var target = new JksStore();
            foreach (var alias in source.Aliases)
            {
                if (source.IsKeyEntry(alias))
                {
                    target.SetKeyEntry(alias, source.GetKey(alias, oldPassword), newPassword, source.GetCertificateChain(alias));
                }
                else if (source.GetCertificate(alias) is { } certificate)
                {
                    target.SetCertificateEntry(alias, certificate);
                }
            }

            using var output = new MemoryStream();
            target.Save(output, newPassword);
            return output.ToArray();
        }
        finally
        {
            Array.Clear(oldPassword);
            Array.Clear(newPassword);
        }
    }

    private static string FileName(string commonName)
    {
        var safe = new string(commonName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray()).Trim('.');
        return safe.Length == 0 ? "certificate" : safe;
    }
}
