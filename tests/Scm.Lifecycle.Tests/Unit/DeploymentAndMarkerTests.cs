using System.Text;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Internal;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

public sealed class DeploymentAndMarkerTests
{
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
    public void CertificateDeployment_ToString_HidesSecrets()
    {
        var cert = Certificate("www.example.com");
        var text = new CertificateDeployment(cert, cert.Id, cert.CertificatePem, Encoding.ASCII.GetBytes("KEYSTORE-CANARY"), "PASSWORD-CANARY", _ => ValueTask.FromResult("KEY-CANARY".ToCharArray())).ToString();
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
