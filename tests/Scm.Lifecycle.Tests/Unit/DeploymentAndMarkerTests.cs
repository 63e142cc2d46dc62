using System.Text;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Internal;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

public sealed class DeploymentAndMarkerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scm-deploy-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static ManagedCertificate Certificate(string cn, KeystoreType type = KeystoreType.Pkcs12) => new()
    {
        Id = Guid.NewGuid(),
        CommonName = cn,
        SerialNumber = "01",
        Thumbprint = "AA",
        NotBefore = DateTimeOffset.UnixEpoch,
        NotAfter = DateTimeOffset.UnixEpoch.AddDays(1),
        CertificatePem = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
        KeystoreType = type,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task FileSystemTarget_WritesFilesWithPrivateModes()
    {
        var target = new FileSystemDeploymentTarget(new FileSystemDeploymentOptions { Directory = _root, WriteUnencryptedPrivateKey = true });
        var cert = Certificate("www.example.com");
        var deployment = new CertificateDeployment(cert, cert.CertificatePem, new byte[] { 1, 2, 3 }, "pw", () => "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");

        var outcome = await target.DeployAsync(deployment);

        var folder = Path.Combine(_root, "www.example.com");
        Assert.Equal([Path.Combine(folder, "fullchain.pem"), Path.Combine(folder, "keystore.pfx"), Path.Combine(folder, "privkey.pem")], outcome.Locations);
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(Path.Combine(folder, "keystore.pfx")));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "keystore.pfx")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "privkey.pem")));
            Assert.True(File.GetUnixFileMode(Path.Combine(folder, "fullchain.pem")).HasFlag(UnixFileMode.OtherRead));
        }
    }

    [Fact]
    public async Task FileSystemTarget_ReplacesExistingFileAtomically()
    {
        var target = new FileSystemDeploymentTarget(new FileSystemDeploymentOptions { Directory = _root });
        var cert = Certificate("www.example.com", KeystoreType.Jks);
        await target.DeployAsync(new CertificateDeployment(cert, cert.CertificatePem, new byte[] { 1 }, "pw", () => string.Empty));
        await target.DeployAsync(new CertificateDeployment(cert, cert.CertificatePem, new byte[] { 2, 2 }, "pw", () => string.Empty));
        Assert.Equal(new byte[] { 2, 2 }, await File.ReadAllBytesAsync(Path.Combine(_root, "www.example.com", "keystore.jks")));
        Assert.False(File.Exists(Path.Combine(_root, "www.example.com", "privkey.pem")));
    }

    [Theory]
    [InlineData("*.example.com", "_wildcard_.example.com")]
    [InlineData("../../etc/passwd", "_.._etc_passwd")]
    [InlineData("..", "_")]
    [InlineData("a/b\\c\0d", "a_b_c_d")]
    public void FileSystemTarget_SafeName_StaysUnderRoot(string cn, string expected)
    {
        Assert.Equal(expected, FileSystemDeploymentTarget.SafeName(cn));
        var target = new FileSystemDeploymentTarget(new FileSystemDeploymentOptions { Directory = _root });
        Assert.StartsWith(Path.GetFullPath(_root) + Path.DirectorySeparatorChar, target.FolderFor(Certificate(cn)), StringComparison.Ordinal);
    }

    [Fact]
    public void CertificateDeployment_ToString_HidesSecrets()
    {
        var cert = Certificate("www.example.com");
        var text = new CertificateDeployment(cert, cert.CertificatePem, Encoding.ASCII.GetBytes("KEYSTORE-CANARY"), "PASSWORD-CANARY", () => "KEY-CANARY").ToString();
        Assert.DoesNotContain("CANARY", text, StringComparison.Ordinal);
        Assert.Contains("***", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CorrelationMarker_AppendStripExtract_RoundTrip()
    {
        var token = CorrelationMarker.NewToken();
        var comments = CorrelationMarker.Append("deployed by team A", token);
        Assert.Equal("deployed by team A [scm-sdk:" + token + "]", comments);
        Assert.Equal(CertificateRequestLimits.CorrelationMarkerLength, comments.Length - "deployed by team A".Length);
        Assert.Equal([token], CorrelationMarker.Extract(comments));
        Assert.True(CorrelationMarker.Contains(comments, token));
        Assert.Equal("deployed by team A", CorrelationMarker.Strip(comments));
        Assert.Equal(CorrelationMarker.Format(token), CorrelationMarker.Append(null, token));
        Assert.Empty(CorrelationMarker.Extract("no marker [scm-sdk:nothex]"));
    }

    [Theory]
    [InlineData(null, 5, false, true)]
    [InlineData(10, 9, false, true)]
    [InlineData(10, 10, false, false)]
    [InlineData(10, 10, true, true)]
    [InlineData(0, 0, false, false)]
    public async Task LicenceCapQuota_Decides(int? max, int active, bool replaces, bool allowed)
    {
        var decision = await new LicenceCapQuota().CanInstallAsync(new InventoryQuotaContext(active, max, OrderKind.New, "a.example.com", replaces), default);
        Assert.Equal(allowed, decision.Allowed);
        if (!allowed)
        {
            Assert.Contains($"licence cap of {max}", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OptionsValidator_ReportsEveryBadOptionByName()
    {
        var options = new SectigoCertificateManagementOptions { AccountId = "" };
        options.Polling.InitialDelay = TimeSpan.Zero;
        options.Ordering.Pkcs12Iterations = 400_000;
        options.KeyProtection.Key = "not-base64";
        var errors = LifecycleOptionsValidator.Collect(options);
        Assert.Contains("Sectigo:AccountId must be 1-100 characters.", errors);
        Assert.Contains(errors, e => e.StartsWith("Sectigo:Polling:InitialDelay must be positive", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Sectigo:Ordering:Pkcs12Iterations must be between 1000 and 300000", StringComparison.Ordinal));
        Assert.Contains("Sectigo:KeyProtection:Key must be a base64-encoded 256-bit (32-byte) key.", errors);
        Assert.Empty(LifecycleOptionsValidator.Collect(new SectigoCertificateManagementOptions()));
    }

    [Fact]
    public void Options_ToString_HidesKey()
    {
        var options = new KeyProtectionOptions { Key = Convert.ToBase64String(new byte[32]) };
        Assert.DoesNotContain(options.Key, options.ToString(), StringComparison.Ordinal);
    }
}
