using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Security;
using Scm.Lifecycle.Internal.Crypto;
using Scm.Lifecycle.Internal.Engine;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

public sealed class CryptoTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void CsrFactory_CreatesSignedRequestWithNames()
    {
        using var key = KeyMaterial.Generate(KeyAlgorithm.EC, null, "P-256");
        var pem = CsrFactory.CreatePem(key, "www.example.com", ["www.example.com", "api.example.com"]);
        var request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("CN=www.example.com", request.SubjectName.Name);
        var san = new X509SubjectAlternativeNameExtension(request.CertificateExtensions.Single(e => e.Oid?.Value == "2.5.29.17").RawData);
        Assert.Equal(["www.example.com", "api.example.com"], san.EnumerateDnsNames());
        Assert.Equal(KeyMaterial.SubjectPublicKeyInfo(key), request.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void KeyMaterial_Pkcs8RoundTrip_KeepsTheKey()
    {
        using var key = KeyMaterial.Generate(KeyAlgorithm.EC, null, "P-384");
        var pkcs8 = KeyMaterial.ExportPkcs8(key);
        using var back = KeyMaterial.ImportPkcs8(pkcs8);
        Assert.Equal(KeyMaterial.SubjectPublicKeyInfo(key), KeyMaterial.SubjectPublicKeyInfo(back));
    }

    [Fact]
    public void KeyMaterial_GeneratePassword_Has192Bits()
    {
        var a = KeyMaterial.GeneratePassword();
        var b = KeyMaterial.GeneratePassword();
        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
        Assert.Equal(24, Convert.FromBase64String(a.Replace('-', '+').Replace('_', '/')).Length);
    }

    [Fact]
    public void KeystoreFactory_Pkcs12_LoadsWithPasswordAndKeyMatches()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = _pki.Issue(key, "www.example.com", ["www.example.com"]);
        var pfx = KeystoreFactory.Build(KeystoreType.Pkcs12, leaf, [_pki.Intermediate, _pki.Root], key, Password, 10_000);

        using var loaded = X509CertificateLoader.LoadPkcs12(pfx, Password);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(leaf.Thumbprint, loaded.Thumbprint);
        using var loadedKey = loaded.GetECDsaPrivateKey()!;
        var data = Encoding.ASCII.GetBytes("proof");
        Assert.True(key.VerifyData(data, loadedKey.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
        var all = X509CertificateLoader.LoadPkcs12Collection(pfx, Password);
        Assert.Equal(3, all.Count);
        Assert.Throws<CryptographicException>(() => X509CertificateLoader.LoadPkcs12(pfx, "wrong password"));
    }

    [Fact]
    public void KeystoreFactory_Pkcs12_UsesPbes2Aes256()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = _pki.Issue(key, "www.example.com", ["www.example.com"]);
        var pfx = KeystoreFactory.Build(KeystoreType.Pkcs12, leaf, [], key, Password, 10_000);
        // PBES2 (1.2.840.113549.1.5.13) with AES-256-CBC (2.16.840.1.101.3.4.1.42); never the legacy 3DES/RC2 PBEs.
        Assert.True(Contains(pfx, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D]));
        Assert.True(Contains(pfx, [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A]));
        Assert.False(Contains(pfx, [0x06, 0x0A, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01, 0x03]));
    }

    [Fact]
    public void KeystoreFactory_Jks_LoadsWithBouncyCastleAndKeyMatches()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = _pki.Issue(key, "www.example.com", ["www.example.com"]);
        var jks = KeystoreFactory.Build(KeystoreType.Jks, leaf, [_pki.Intermediate], key, Password, 10_000);

        var store = new JksStore();
        store.Load(new MemoryStream(jks), Password.ToCharArray());
        Assert.Equal([KeystoreFactory.Alias], store.Aliases);
        var chain = store.GetCertificateChain(KeystoreFactory.Alias);
        Assert.Equal(2, chain.Length);
        Assert.Equal(leaf.RawData, chain[0].GetEncoded());
        var privateKey = store.GetKey(KeystoreFactory.Alias, Password.ToCharArray());
        var publicKey = chain[0].GetPublicKey();
        var signer = SignerUtilities.GetSigner("SHA256withECDSA");
        signer.Init(true, privateKey);
        var data = Encoding.ASCII.GetBytes("proof");
        signer.BlockUpdate(data, 0, data.Length);
        var signature = signer.GenerateSignature();
        signer.Init(false, publicKey);
        signer.BlockUpdate(data, 0, data.Length);
        Assert.True(signer.VerifySignature(signature));
        Assert.Throws<IOException>(() => new JksStore().Load(new MemoryStream(jks), "wrong".ToCharArray()));
    }

    [Fact]
    public void KeystoreFactory_Pem_HasChainAndEncryptedKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = _pki.Issue(key, "www.example.com", ["www.example.com"]);
        var pem = Encoding.ASCII.GetString(KeystoreFactory.Build(KeystoreType.Pem, leaf, [_pki.Intermediate], key, Password, 10_000));

        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(pem);
        Assert.Equal(leaf.Thumbprint, certificates[0].Thumbprint);
        Assert.Equal(2, certificates.Count);
        Assert.DoesNotContain("BEGIN PRIVATE KEY", pem, StringComparison.Ordinal);
        using var loaded = X509Certificate2.CreateFromEncryptedPem(pem, pem, Password);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(leaf.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void KeystoreFactory_Rsa_Pkcs12KeyMatches()
    {
        using var key = RSA.Create(2048);
        using var leaf = _pki.Issue(key, "rsa.example.com", ["rsa.example.com"]);
        var pfx = KeystoreFactory.Build(KeystoreType.Pkcs12, leaf, [], key, Password, 10_000);
        using var loaded = X509CertificateLoader.LoadPkcs12(pfx, Password);
        using var rsa = loaded.GetRSAPrivateKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), rsa.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void IssuerChain_OddOrderBundle_FindsIssuersByName()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = _pki.Issue(key, "www.example.com", ["www.example.com"]);
        var chain = CertificateInstaller.IssuerChain(leaf, [_pki.Root, leaf, _pki.Intermediate]);
        Assert.Equal([_pki.Intermediate.Thumbprint, _pki.Root.Thumbprint], chain.Select(c => c.Thumbprint));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
