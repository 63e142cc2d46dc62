using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scm.Lifecycle.Internal.Crypto;

/// <summary>Builds PKCS#10 requests with .NET's <see cref="CertificateRequest"/> (SHA-256; RSA PKCS#1 v1.5 or ECDSA).</summary>
internal static class CsrFactory
{
    public static string CreatePem(AsymmetricAlgorithm key, string commonName, IReadOnlyList<string> dnsNames)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        var name = subject.Build();
        var request = key switch
        {
            RSA rsa => new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(name, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("Unsupported key type.", nameof(key)),
        };

        var san = new SubjectAlternativeNameBuilder();
        foreach (var dnsName in dnsNames)
        {
            if (System.Net.IPAddress.TryParse(dnsName, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(dnsName);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequestPem();
    }

    /// <summary>The SubjectPublicKeyInfo (DER) of a PEM CSR, read without checking its signature (it is our own).</summary>
    public static byte[] SubjectPublicKeyInfo(string csrPem)
    {
        var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation);
        return request.PublicKey.ExportSubjectPublicKeyInfo();
    }
}
