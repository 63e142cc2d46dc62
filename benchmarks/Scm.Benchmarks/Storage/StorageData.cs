using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scm.Storage;
using Scm.Storage.Sqlite;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// Realistic certificate records for the storage benchmarks, and the large databases they query (built once and kept
/// in the temp folder, keyed by row count and schema version, because building a million rows takes minutes).
/// </summary>
internal static class StorageData
{
    /// <summary>The earliest NotAfter; NotAfter values spread evenly over the two years after it.</summary>
    public static readonly DateTimeOffset Epoch = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Spread = TimeSpan.FromDays(730);

    /// <summary>Bumped when the generated data or the store's file layout changes, so a cached database is rebuilt.</summary>
    private const int DataVersion = 2;

    /// <summary>A real EC P-256 leaf plus its issuer, PEM (about 1.3 KB), as the store keeps the chain of every certificate.</summary>
    private static readonly string ChainPem = BuildChainPem();

    /// <summary>The size of an AES-GCM protected PKCS#8 P-256 key (138 bytes + 33 bytes of envelope).</summary>
    private static readonly byte[] ProtectedKey = RandomNumberGenerator.GetBytes(171);

    public static string Folder
    {
        get
        {
            var folder = Path.Combine(Path.GetTempPath(), "scm-bench");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>
    /// Certificate number <paramref name="i"/>: 1 in 10 superseded, the rest active, NotAfter uniformly spread. Its id is
    /// random (UUID version 4 style), or with <paramref name="timeOrderedId"/> time-ordered as the engine makes them (version
    /// 7: 48 bits of milliseconds, one millisecond per certificate here, then the random bits).
    /// </summary>
    public static ManagedCertificate Certificate(int i, Random random, bool timeOrderedId = false)
    {
        Span<byte> id = stackalloc byte[16];
        random.NextBytes(id);
        if (timeOrderedId)
        {
            var milliseconds = Epoch.AddYears(-1).AddMilliseconds(i).ToUnixTimeMilliseconds();
            for (var k = 0; k < 6; k++)
            {
                id[k] = (byte)(milliseconds >> (40 - (8 * k)));
            }

            id[6] = (byte)(0x70 | (id[6] & 0x0F));
            id[8] = (byte)(0x80 | (id[8] & 0x3F));
            return Certificate(i, random, new Guid(id, bigEndian: true));
        }

        return Certificate(i, random, new Guid(id));
    }

    private static ManagedCertificate Certificate(int i, Random random, Guid guid)
    {
        var id = guid.ToByteArray();
        var cn = $"host{i.ToString(CultureInfo.InvariantCulture)}.example.com";
        var notAfter = Epoch + TimeSpan.FromSeconds(random.NextDouble() * Spread.TotalSeconds);
        return new ManagedCertificate
        {
            Id = guid,
            CommonName = cn,
            SubjectAlternativeNames = [cn, "www." + cn],
            SslId = 3_000_000_000L + i,
            OrganizationId = 2645,
            ProfileId = 1001,
            TermDays = 90,
            SerialNumber = i.ToString("X32", CultureInfo.InvariantCulture),
            Thumbprint = Convert.ToHexString(SHA256.HashData(id)),
            NotBefore = notAfter.AddDays(-90),
            NotAfter = notAfter,
            CertificatePem = ChainPem,
            ProtectedPrivateKey = ProtectedKey,
            KeyAlgorithm = KeyAlgorithm.EC,
            Curve = "P-256",
            KeystoreType = KeystoreType.Pem,
            Status = i % 10 == 0 ? CertificateStatus.Superseded : CertificateStatus.Active,
            ScmStatus = "Issued",
            AutoRenew = AutoRenewMode.Inherit,
            Tags = ["web"],
            CreatedAt = Epoch.AddYears(-1).AddSeconds(i),
            UpdatedAt = Epoch.AddYears(-1).AddSeconds(i),
        };
    }

    public static ManagedCertificate[] Certificates(int count, int seed, bool timeOrderedIds = false)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => Certificate(i, random, timeOrderedIds)).ToArray();
    }

    /// <summary>A database with <paramref name="rows"/> certificates, built on first use and reused afterwards.</summary>
    public static async Task<string> EnsureDatabaseAsync(int rows)
    {
        var path = Path.Combine(Folder, $"certificates-{rows.ToString(CultureInfo.InvariantCulture)}-schema{Scm.Storage.Sqlite.Internal.Schema.CurrentVersion}-data{DataVersion}.db");
        var done = path + ".complete";
        if (File.Exists(done) && File.Exists(path))
        {
            return path;
        }

        foreach (var stale in Directory.GetFiles(Folder, Path.GetFileName(path) + "*"))
        {
            File.Delete(stale);
        }

        await using (var store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = path, FullSync = false, VerifyOnInitialize = false }))
        {
            await store.InitializeAsync();
            var random = new Random(rows);
            const int BatchSize = 5_000;
            for (var start = 0; start < rows; start += BatchSize)
            {
                var batch = new StoreBatch();
                for (var i = start; i < Math.Min(rows, start + BatchSize); i++)
                {
                    batch.InsertCertificate(Certificate(i, random));
                }

                await store.CommitAsync(batch);
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await File.WriteAllTextAsync(done, rows.ToString(CultureInfo.InvariantCulture));
        return path;
    }

    private static string BuildChainPem()
    {
        var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Benchmark Issuing CA, O=Scm.Sdk", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=www.example.com", leafKey, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("www.example.com");
        sans.AddDnsName("example.com");
        leafRequest.CertificateExtensions.Add(sans.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = leafRequest.Create(ca, now, now.AddDays(90), RandomNumberGenerator.GetBytes(16));
        return leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n";
    }
}
