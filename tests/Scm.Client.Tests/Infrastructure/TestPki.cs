using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scm.Client.Tests.Infrastructure;

/// <summary>A tiny EC P-256 chain (root, intermediate, leaf) made in-process.</summary>
internal sealed class TestPki : IDisposable
{
    private TestPki(X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 leaf, ECDsa leafKey)
    {
        Root = root;
        Intermediate = intermediate;
        Leaf = leaf;
        LeafKey = leafKey;
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 Leaf { get; }

    public ECDsa LeafKey { get; }

    public static TestPki Create(string leafName = "www.example.test")
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootReq = new CertificateRequest("CN=Test Root CA", rootKey, HashAlgorithmName.SHA256);
        rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootReq.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootReq.PublicKey, false));
        var root = rootReq.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

        using var interKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var interReq = new CertificateRequest("CN=Test Issuing CA", interKey, HashAlgorithmName.SHA256);
        interReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        interReq.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(interReq.PublicKey, false));
        interReq.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var interPublic = interReq.Create(root, now.AddDays(-1), now.AddYears(4), [1, 2, 3, 4]);
        var intermediate = interPublic.CopyWithPrivateKey(interKey);

        var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafReq = new CertificateRequest("CN=" + leafName, leafKey, HashAlgorithmName.SHA256);
        leafReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(leafName);
        leafReq.CertificateExtensions.Add(san.Build());
        leafReq.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, true, false));
        var leaf = leafReq.Create(intermediate, now.AddDays(-1), now.AddDays(90), [5, 6, 7, 8]);
        return new TestPki(root, X509CertificateLoader.LoadCertificate(intermediate.RawData), leaf, leafKey);
    }

    /// <summary>Root first, then intermediate, then leaf: the order SCM's "with chain" formats use.</summary>
    public string RootFirstPem() => Root.ExportCertificatePem() + "\n" + Intermediate.ExportCertificatePem() + "\n" + Leaf.ExportCertificatePem() + "\n";

    public byte[] Pkcs7Der() => new X509Certificate2Collection { Root, Intermediate, Leaf }.Export(X509ContentType.Pkcs7)!;

    public string Pkcs7Pem() => PemEncoding.WriteString("PKCS7", Pkcs7Der());

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        Leaf.Dispose();
        LeafKey.Dispose();
    }
}
