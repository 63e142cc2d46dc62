using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scm.Testing.Internal;

/// <summary>One SSL certificate record of the simulated SCM (mutable; guarded by the engine's lock).</summary>
internal sealed class OrderRecord
{
    public long Id { get; set; }

    public string RenewId { get; set; } = "";

    public long OrderNumber { get; set; }

    public OrgModel Org { get; set; } = null!;

    public ProfileModel Profile { get; set; } = null!;

    public int Term { get; set; }

    public string CommonName { get; set; } = "";

    public List<string> Names { get; set; } = [];

    public string? CsrPem { get; set; }

    public PublicKey? PublicKey { get; set; }

    public KeyInfo? Key { get; set; }

    public AsymmetricAlgorithm? ServerGeneratedKey { get; set; }

    public string? KeystorePassphrase { get; set; }

    public string Comments { get; set; } = "";

    public string? ExternalRequester { get; set; }

    public string? Requester { get; set; }

    public string RequestedVia { get; set; } = "Web API";

    public List<KeyValuePair<string, string>> CustomFields { get; set; } = [];

    public string Status { get; set; } = OrderStatus.Requested;

    public DateTimeOffset Requested { get; set; }

    public DateTimeOffset StageEntered { get; set; }

    public DateTimeOffset? Approved { get; set; }

    public DateTimeOffset? Issued { get; set; }

    public DateTimeOffset? Declined { get; set; }

    public DateTimeOffset? Revoked { get; set; }

    public DateTimeOffset? ReplacedDate { get; set; }

    public DateTimeOffset? RenewedDate { get; set; }

    public DateTimeOffset? Expires { get; set; }

    public bool Renewed { get; set; }

    public long? RenewedFrom { get; set; }

    public int? ReasonCode { get; set; }

    public X509Certificate2? Certificate { get; set; }

    public string? Serial => Facts?.Serial;

    public CertificateFacts? Facts { get; set; }

    public bool Imported { get; set; }

    public string AutoRenewState { get; set; } = "Not scheduled";

    public int AutoRenewDays { get; set; } = 30;

    public bool SuspendNotifications { get; set; }

    public int NotReadyPollsLeft { get; set; }

    public bool DcvHeld { get; set; }

    public string? DcvMode { get; set; }

    public string? DcvEmail { get; set; }

    public string? StatusReason { get; set; }

    public List<LocationRecord> Locations { get; } = [];

    public int Version { get; set; }

    public byte[]? DetailsCache { get; set; }

    public int DetailsCacheVersion { get; set; } = -1;

    public void Touch() => Version++;
}

internal sealed class LocationRecord
{
    public required long Id { get; init; }

    public string Name { get; set; } = "";

    public Dictionary<string, string> Details { get; set; } = new(StringComparer.Ordinal);
}

internal static class OrderStatus
{
    public const string Requested = "Requested";
    public const string Approved = "Approved";
    public const string Applied = "Applied";
    public const string Issued = "Issued";
    public const string Declined = "Declined";
    public const string Rejected = "Rejected";
    public const string Invalid = "Invalid";
    public const string Revoked = "Revoked";
    public const string Expired = "Expired";
    public const string Replaced = "Replaced";
}

/// <summary>What details show of an issued certificate, computed once at issuance.</summary>
internal sealed class CertificateFacts
{
    public CertificateFacts(X509Certificate2 certificate, string issuerDn)
    {
        Serial = TestCertificateAuthority.ColonHex(Convert.FromHexString(certificate.SerialNumber));
        SubjectDn = TestCertificateAuthority.FormatDn(certificate.SubjectName);
        IssuerDn = issuerDn;
        var raw = certificate.RawData;
        Md5 = Convert.ToHexString(MD5.HashData(raw));
        Sha1 = Convert.ToHexString(SHA1.HashData(raw));
        Sha256 = Convert.ToHexString(SHA256.HashData(raw));
        SignatureAlgorithm = certificate.SignatureAlgorithm.Value switch
        {
            "1.2.840.10045.4.3.2" => "SHA256WITHECDSA",
            "1.2.840.10045.4.3.3" => "SHA384WITHECDSA",
            "1.2.840.113549.1.1.11" => "SHA256WITHRSA",
            var other => other ?? "",
        };
        var sans = new List<string>();
        var keyUsages = new List<string>();
        var ekus = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            switch (extension)
            {
                case X509SubjectAlternativeNameExtension san:
                    foreach (var dns in san.EnumerateDnsNames())
                    {
                        sans.Add("dNSName=" + dns);
                    }

                    foreach (var ip in san.EnumerateIPAddresses())
                    {
                        sans.Add("iPAddress=" + ip);
                    }

                    break;
                case X509KeyUsageExtension ku:
                    if (ku.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
                    {
                        keyUsages.Add("digitalSignature");
                    }

                    if (ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment))
                    {
                        keyUsages.Add("keyEncipherment");
                    }

                    break;
                case X509EnhancedKeyUsageExtension eku:
                    foreach (var oid in eku.EnhancedKeyUsages)
                    {
                        ekus.Add(oid.Value switch
                        {
                            "1.3.6.1.5.5.7.3.1" => "serverAuth",
                            "1.3.6.1.5.5.7.3.2" => "clientAuth",
                            var other => other ?? "",
                        });
                    }

                    break;
            }
        }

        SubjectAltNames = string.Join(", ", sans);
        KeyUsages = [.. keyUsages];
        ExtendedKeyUsages = [.. ekus];
    }

    public string Serial { get; }

    public string SubjectDn { get; }

    public string IssuerDn { get; }

    public string SubjectAltNames { get; }

    public string Md5 { get; }

    public string Sha1 { get; }

    public string Sha256 { get; }

    public string SignatureAlgorithm { get; }

    public string[] KeyUsages { get; }

    public string[] ExtendedKeyUsages { get; }
}
