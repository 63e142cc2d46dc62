using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Scm.Testing.Internal;

/// <summary>The simulator's test CA: a self-signed root and an issuing intermediate (EC P-256) that sign real certificates.</summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    public const string VendorName = "Scm.Testing Simulator";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly ECDsa _rootKey;
    private readonly ECDsa _issuerKey;
    private readonly SeededRandom _random;

    public TestCertificateAuthority(SeededRandom random, DateTimeOffset simulatorNow, DateTimeOffset wallClockNow, int seed)
    {
        _random = random;
        var notBefore = Min(simulatorNow, wallClockNow).AddDays(-2);
        var notAfter = Max(simulatorNow, wallClockNow).AddYears(30);

        _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootName = new X500DistinguishedName(
            $"CN=Scm.Testing Root CA {seed.ToString(CultureInfo.InvariantCulture)}, O=Scm.Testing Simulator, C=GB");
        var rootRequest = new CertificateRequest(rootName, _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var rootWithKey = rootRequest.CreateSelfSigned(notBefore, notAfter);
        Root = CertificateLoading.FromDer(rootWithKey.RawData);

        _issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerName = new X500DistinguishedName("CN=Scm.Testing Issuing CA, O=Scm.Testing Simulator, L=Salford, S=Greater Manchester, C=GB");
        var issuerRequest = new CertificateRequest(issuerName, _issuerKey, HashAlgorithmName.SHA256);
        issuerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        issuerRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        issuerRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(ServerAuthOid), new Oid(ClientAuthOid) }, false));
        issuerRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(issuerRequest.PublicKey, false));
        issuerRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        using var issuer = issuerRequest.Create(
            rootName, X509SignatureGenerator.CreateForECDsa(_rootKey), notBefore.AddMinutes(1), notAfter.AddDays(-1), NewSerial());
        Intermediate = CertificateLoading.FromDer(issuer.RawData);
        IssuerDn = FormatDn(Intermediate.SubjectName);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public string IssuerDn { get; }

    public static string FormatDn(X500DistinguishedName name)
    {
        var sb = new StringBuilder();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            var oid = rdn.GetSingleElementType().Value;
            var label = oid switch
            {
                "2.5.4.3" => "CN",
                "2.5.4.10" => "O",
                "2.5.4.11" => "OU",
                "2.5.4.7" => "L",
                "2.5.4.8" => "ST",
                "2.5.4.6" => "C",
                _ => oid,
            };
            sb.Append(label).Append('=').Append(rdn.GetSingleElementValue());
        }

        return sb.ToString();
    }

    public static string ColonHex(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (sb.Length > 0)
            {
                sb.Append(':');
            }

            sb.Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    public byte[] NewSerial()
    {
        var serial = new byte[16];
        _random.NextBytes(serial);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        return serial;
    }

    /// <summary>Signs a TLS server certificate for <paramref name="publicKey"/>.</summary>
    public X509Certificate2 IssueLeaf(
        PublicKey publicKey,
        X500DistinguishedName subject,
        IReadOnlyList<string> names,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        byte[] serial)
    {
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = publicKey.Oid.Value == KeyInfo.RsaOid
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
            : X509KeyUsageFlags.DigitalSignature;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(ServerAuthOid) }, false));
        if (names.Count > 0)
        {
            request.CertificateExtensions.Add(BuildSan(names));
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        using var generated = request.Create(
            Intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(_issuerKey), Truncate(notBefore), Truncate(notAfter), serial);
        return CertificateLoading.FromDer(generated.RawData);
    }

    /// <summary>Issues the HTTPS server certificate (with its private key) for 127.0.0.1, ::1 and localhost.</summary>
    public X509Certificate2 IssueServerCertificate(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Scm.Testing Simulator", key, HashAlgorithmName.SHA256);
        using var publicOnly = IssueLeaf(
            request.PublicKey, request.SubjectName, ["localhost", "127.0.0.1", "::1"], notBefore, notAfter, NewSerial());
        using var withKey = publicOnly.CopyWithPrivateKey(key);
        return CertificateLoading.ReloadWithKey(withKey);
    }

    /// <summary>Issues a TLS client-authentication certificate (with its private key).</summary>
    public X509Certificate2 IssueClientCertificate(string subjectCommonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(subjectCommonName);
        subject.AddOrganizationName("Scm.Testing Simulator");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(ClientAuthOid) }, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        using var generated = request.Create(
            Intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(_issuerKey), Truncate(notBefore), Truncate(notAfter), NewSerial());
        using var withKey = generated.CopyWithPrivateKey(key);
        return CertificateLoading.ReloadWithKey(withKey);
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _issuerKey.Dispose();
        Root.Dispose();
        Intermediate.Dispose();
    }

    private static X509Extension BuildSan(IReadOnlyList<string> names)
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                builder.AddIpAddress(ip);
            }
            else
            {
                builder.AddDnsName(name);
            }
        }

        return builder.Build();
    }

    private static DateTimeOffset Truncate(DateTimeOffset value)
        => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>Certificate loading that works on net8.0 and net10.0 without obsolete APIs.</summary>
internal static class CertificateLoading
{
    public static X509Certificate2 FromDer(byte[] der)
    {
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadCertificate(der);
#else
        return new X509Certificate2(der);
#endif
    }

    public static X509Certificate2 ReloadWithKey(X509Certificate2 withKey)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var pfx = withKey.Export(X509ContentType.Pfx, password);
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadPkcs12(pfx, password, X509KeyStorageFlags.Exportable);
#else
        return new X509Certificate2(pfx, password, X509KeyStorageFlags.Exportable);
#endif
    }
}

/// <summary>What the simulator knows about a public key: algorithm and size or curve.</summary>
internal readonly record struct KeyInfo(string Algorithm, string Parameter, int Bits)
{
    public const string RsaOid = "1.2.840.113549.1.1.1";
    public const string EcOid = "1.2.840.10045.2.1";

    public string KeyType => Algorithm + " - " + Parameter;

    public static KeyInfo? From(PublicKey key)
    {
        switch (key.Oid.Value)
        {
            case RsaOid:
                {
                    using var rsa = key.GetRSAPublicKey();
                    if (rsa is null)
                    {
                        return null;
                    }

                    var bits = rsa.KeySize;
                    return new KeyInfo("RSA", bits.ToString(CultureInfo.InvariantCulture), bits);
                }

            case EcOid:
                {
                    using var ec = key.GetECDsaPublicKey();
                    if (ec is null)
                    {
                        return null;
                    }

                    var curve = ec.ExportParameters(false).Curve.Oid?.Value switch
                    {
                        "1.2.840.10045.3.1.7" => "P-256",
                        "1.3.132.0.34" => "P-384",
                        "1.3.132.0.35" => "P-521",
                        var other => other ?? "unknown",
                    };
                    return new KeyInfo("EC", curve, ec.KeySize);
                }

            default:
                return new KeyInfo(key.Oid.FriendlyName ?? key.Oid.Value ?? "unknown", "", 0);
        }
    }
}
