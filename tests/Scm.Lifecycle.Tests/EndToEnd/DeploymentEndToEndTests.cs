using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Tests.Unit;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Deployment through the DI-built host against the simulator: order, issue, deploy, renew, reissue, deploy again, with a
/// server-like reader on the live folder the whole time (reliability F56), and the lineage that keeps one folder per
/// managed certificate.
/// </summary>
public sealed class DeploymentEndToEndTests : IDisposable
{
    /// <summary>A second file-system target that also writes the key and the password, so a reader can check whole sets.</summary>
    private readonly string _keyFolderRoot = Path.Combine(Path.GetTempPath(), "scm-deploy-e2e-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_keyFolderRoot))
        {
            Directory.Delete(_keyFolderRoot, recursive: true);
        }
    }

    private Task<EngineHarness> StartAsync() => EngineHarness.StartAsync(builder: b => b.AddFileSystemDeployment(o =>
    {
        o.Directory = _keyFolderRoot;
        o.WriteUnencryptedPrivateKey = true;
        o.WriteKeystorePassword = true;
    }));

    private static string Folder(string root, string commonName, Guid lineageId) => Path.Combine(root, commonName + "-" + lineageId.ToString("N")[^8..]);

    private static async Task<ManagedCertificate> IssueAsync(EngineHarness h, OrderCertificateRequest request)
    {
        var ordered = await h.Lifecycle.OrderAsync(request);
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        return done.InstalledCertificate!;
    }

    private static async Task<ManagedCertificate> RenewAsync(EngineHarness h, ManagedCertificate current)
    {
        var renewal = await h.Lifecycle.RenewAsync(current.Id);
        Assert.Equal(LifecycleOutcome.Submitted, renewal.Outcome);
        var done = await h.AdvanceAndCheckAsync(renewal.Order!.Id);
        Assert.Equal(OrderState.Completed, done.Order.State);
        return done.InstalledCertificate!;
    }

    private static async Task<ManagedCertificate> ReissueAsync(EngineHarness h, ManagedCertificate current)
    {
        var reissue = await h.Lifecycle.ReissueAsync(current.Id, new ReissueCertificateRequest { Reason = "key rotation" });
        Assert.Equal(LifecycleOutcome.Submitted, reissue.Outcome);
        var done = await h.AdvanceAndCheckAsync(reissue.Order!.Id);
        Assert.Equal(OrderState.Completed, done.Order.State);
        return done.InstalledCertificate!;
    }

    [SkippableFact]
    public async Task OrderIssueRenewReissueRenew_ReaderOnLive_SeesOneWholeSetEveryTimeInOneFolder()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        await using var h = await StartAsync();
        var first = await IssueAsync(h, EngineHarness.Request());
        var folder = Folder(_keyFolderRoot, "www.acme.example", first.Id);
        Assert.Equal(first.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));

        var chain = new List<ManagedCertificate> { first };
        await using (var reader = new LiveReader(folder))
        {
            Assert.Equal(first.SerialNumber, await reader.SeenAsync("0001").WaitAsync(TimeSpan.FromSeconds(30)));
            chain.Add(await RenewAsync(h, chain[^1]));
            Assert.Equal(chain[^1].SerialNumber, await reader.SeenAsync("0002").WaitAsync(TimeSpan.FromSeconds(30)));
            chain.Add(await ReissueAsync(h, chain[^1]));
            Assert.Equal(chain[^1].SerialNumber, await reader.SeenAsync("0003").WaitAsync(TimeSpan.FromSeconds(30)));
            chain.Add(await RenewAsync(h, chain[^1]));
            Assert.Equal(chain[^1].SerialNumber, await reader.SeenAsync("0004").WaitAsync(TimeSpan.FromSeconds(30)));
            await reader.StopAsync();
            Assert.Empty(reader.Mixes);
            Assert.Equal(0, reader.VanishedReads);
        }

        // Four certificates (new ids, each linked to the one before), one folder per target, one version each, the
        // default three kept; the live set is the newest certificate.
        Assert.Equal(4, chain.Select(c => c.Id).Distinct().Count());
        Assert.Equal(chain[0].Id, chain[1].RenewedFromId);
        Assert.Equal(chain[1].Id, chain[2].ReplacesId);
        Assert.Equal([folder], Directory.GetDirectories(_keyFolderRoot));
        var plainFolder = Folder(h.DeployDirectory, "www.acme.example", first.Id);
        Assert.Equal([plainFolder], Directory.GetDirectories(h.DeployDirectory));
        foreach (var root in new[] { folder, plainFolder })
        {
            Assert.Equal(["0002", "0003", "0004"], Directory.GetDirectories(Path.Combine(root, "versions")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal("versions/0004", new DirectoryInfo(Path.Combine(root, "live")).LinkTarget);
        }

        using (var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "live", "deployment.json"))))
        {
            Assert.Equal(chain[3].Id, manifest.RootElement.GetProperty("certificateId").GetGuid());
            Assert.Equal(first.Id, manifest.RootElement.GetProperty("lineageId").GetGuid());
        }

        // The keystore-only target (no key in clear) holds the same certificate's keystore.
        var keystore = await h.Lifecycle.GetKeystoreAsync(chain[3].Id);
        Assert.Equal(keystore.Content.ToArray(), await File.ReadAllBytesAsync(Path.Combine(plainFolder, "live", "keystore.pfx")));
        using (var pfx = X509CertificateLoader.LoadPkcs12(keystore.Content.ToArray(), keystore.Password))
        {
            Assert.Equal(chain[3].Thumbprint, Convert.ToHexString(SHA256.HashData(pfx.RawData)));
        }

        // Deploying the live certificate again writes nothing; the audit says so.
        var again = await h.Lifecycle.DeployAsync(chain[3].Id);
        Assert.All(again, o => Assert.True(o.Unchanged));
        Assert.All(again, o => Assert.Equal("0004", o.Version));
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = chain[3].Id });
        Assert.Contains(audit, a => a.Action == "Deploy" && a.Reason!.Contains("(version 0004, already in place)", StringComparison.Ordinal));
        Assert.Equal(2, h.Events.Count(e => e is CertificateDeploymentEvent { Succeeded: true, Unchanged: true, Version: "0004" } d && d.CertificateId == chain[3].Id));

        // Rolling back through the engine: deploying the superseded certificate publishes it again as a new version.
        var back = await h.Lifecycle.DeployAsync(chain[2].Id);
        Assert.All(back, o => Assert.Equal("0005", o.Version));
        Assert.Equal(chain[2].SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));
    }

    [Fact]
    public async Task Renew_AfterTheFirstRecordOfTheLineageWasDeleted_StillDeploysIntoItsFolder()
    {
        await using var h = await StartAsync();
        var first = await IssueAsync(h, EngineHarness.Request());
        var second = await RenewAsync(h, first);
        Assert.True((await h.Lifecycle.DeleteCertificateAsync(first.Id)).Deleted);

        var third = await RenewAsync(h, second);

        var folder = Folder(_keyFolderRoot, "www.acme.example", first.Id);
        Assert.Equal([folder], Directory.GetDirectories(_keyFolderRoot));
        Assert.Equal(["0001", "0002", "0003"], Directory.GetDirectories(Path.Combine(folder, "versions")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(third.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));
    }

    [Fact]
    public async Task Order_SameCommonNameWithRsaAndEc_TwoFoldersEachWithItsOwnSet()
    {
        await using var h = await StartAsync();
        var ec = await IssueAsync(h, EngineHarness.Request(algorithm: KeyAlgorithm.EC));
        var rsa = await IssueAsync(h, EngineHarness.Request(algorithm: KeyAlgorithm.Rsa));

        var ecFolder = Folder(_keyFolderRoot, "www.acme.example", ec.Id);
        var rsaFolder = Folder(_keyFolderRoot, "www.acme.example", rsa.Id);
        Assert.Equal(new[] { ecFolder, rsaFolder }.Order(StringComparer.Ordinal), Directory.GetDirectories(_keyFolderRoot).Order(StringComparer.Ordinal));
        Assert.Equal(ec.SerialNumber, DeploymentSets.CheckSet(Path.Combine(ecFolder, "live")));
        Assert.Equal(rsa.SerialNumber, DeploymentSets.CheckSet(Path.Combine(rsaFolder, "live")));
        Assert.Contains("BEGIN PRIVATE KEY", await File.ReadAllTextAsync(Path.Combine(rsaFolder, "live", "privkey.pem")), StringComparison.Ordinal);
        using var rsaLeaf = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(rsaFolder, "live", "fullchain.pem")));
        Assert.NotNull(rsaLeaf.GetRSAPublicKey());
        using var ecLeaf = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(ecFolder, "live", "fullchain.pem")));
        Assert.NotNull(ecLeaf.GetECDsaPublicKey());
    }
}
