using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scm.Lifecycle.Deployment;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

/// <summary>
/// The file-system target's versioned layout: one folder per managed certificate, complete version folders, one atomic
/// switch of <c>live</c>, the previous version kept, older ones pruned, idempotent re-deployment (reliability F56).
/// </summary>
public sealed class FileSystemDeploymentTargetTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "scm-deploy-" + Guid.NewGuid().ToString("N"));
    private readonly DeploymentSets _sets = new();

    public void Dispose()
    {
        _sets.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private FileSystemDeploymentTarget Target(int keep = 3, bool symbolicLink = true, bool privateKey = true) =>
        new(new FileSystemDeploymentOptions { Directory = _root, WriteUnencryptedPrivateKey = privateKey, WriteKeystorePassword = true, VersionsToKeep = keep }, symbolicLink);

    private static UnixFileMode Mode(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("No Unix file modes on Windows.") : File.GetUnixFileMode(path);

    private static string LinkTarget(string folder) => new DirectoryInfo(Path.Combine(folder, "live")).LinkTarget!;

    private static string[] VersionNames(string folder) =>
        Directory.GetDirectories(Path.Combine(folder, "versions")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>A renewal chain of one lineage: the first certificate and the renewals that follow it.</summary>
    private List<DeploymentSets.Issued> Lineage(string commonName, int count, bool rsa = false)
    {
        var lineage = Guid.NewGuid();
        var chain = new List<DeploymentSets.Issued> { _sets.Issue(commonName, lineage, rsa: rsa) };
        while (chain.Count < count)
        {
            chain.Add(_sets.Issue(commonName, lineage, renews: chain[^1].Certificate, rsa: rsa));
        }

        return chain;
    }

    [SkippableFact]
    public async Task Deploy_First_WritesACompleteVersionAndPointsLiveAtIt()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var issued = Lineage("www.example.com", 1)[0];
        var target = Target();

        var outcome = await target.DeployAsync(issued.Deployment());

        var folder = Path.Combine(_root, "www.example.com-" + issued.LineageId.ToString("N")[^8..]);
        Assert.Equal(folder, target.FolderFor("www.example.com", issued.LineageId));
        Assert.Equal("0001", outcome.Version);
        Assert.False(outcome.Unchanged);
        Assert.Equal("versions/0001", LinkTarget(folder));
        var live = Path.Combine(folder, "live");
        Assert.Equal(
            [Path.Combine(live, "fullchain.pem"), Path.Combine(live, "keystore.pfx"), Path.Combine(live, "privkey.pem"), Path.Combine(live, "keystore.password")],
            outcome.Locations);
        Assert.Equal(issued.Certificate.SerialNumber, DeploymentSets.CheckSet(live));
        Assert.Equal(issued.Keystore, await File.ReadAllBytesAsync(Path.Combine(live, "keystore.pfx")));
        Assert.Equal(issued.PrivateKeyPem, await File.ReadAllTextAsync(Path.Combine(live, "privkey.pem")));

        // Only the version, the link and the lock: no staging folder or temporary link left behind.
        Assert.Equal([".lock", "live", "versions"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["0001"], VersionNames(folder));

        // Key material 0600, the chain and the manifest 0644, folders 0700.
        var version = Path.Combine(folder, "versions", "0001");
        foreach (var name in new[] { "keystore.pfx", "privkey.pem", "keystore.password" })
        {
            Assert.Equal(OwnerOnly, Mode(Path.Combine(version, name)));
        }

        Assert.Equal(OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead, Mode(Path.Combine(version, "fullchain.pem")));
        Assert.Equal(OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead, Mode(Path.Combine(version, "deployment.json")));
        Assert.All(new[] { _root, folder, Path.Combine(folder, "versions"), version }, d => Assert.Equal(OwnerOnlyDirectory, Mode(d)));

        // The manifest says what the version holds, and holds no secret.
        var manifestText = await File.ReadAllTextAsync(Path.Combine(version, "deployment.json"));
        using var manifest = JsonDocument.Parse(manifestText);
        Assert.Equal(issued.Certificate.Id, manifest.RootElement.GetProperty("certificateId").GetGuid());
        Assert.Equal(issued.LineageId, manifest.RootElement.GetProperty("lineageId").GetGuid());
        Assert.Equal("EC", manifest.RootElement.GetProperty("keyAlgorithm").GetString());
        Assert.Equal(["fullchain.pem", "keystore.pfx", "privkey.pem", "keystore.password"],
            manifest.RootElement.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(DeploymentSets.Password, manifestText, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", manifestText, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Deploy_SameContentAgain_WritesNoNewVersion()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var issued = Lineage("www.example.com", 1)[0];
        var target = Target();
        var first = await target.DeployAsync(issued.Deployment());
        var folder = target.FolderFor("www.example.com", issued.LineageId);
        var written = File.GetLastWriteTimeUtc(Path.Combine(folder, "versions", "0001", "fullchain.pem"));

        var again = await target.DeployAsync(issued.Deployment());
        var third = await new FileSystemDeploymentTarget(new FileSystemDeploymentOptions { Directory = _root, WriteUnencryptedPrivateKey = true, WriteKeystorePassword = true }).DeployAsync(issued.Deployment());

        Assert.True(again.Unchanged);
        Assert.True(third.Unchanged);
        Assert.Equal("0001", again.Version);
        Assert.Equal(first.Locations, again.Locations);
        Assert.Equal(["0001"], VersionNames(folder));
        Assert.Equal("versions/0001", LinkTarget(folder));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(folder, "versions", "0001", "fullchain.pem")));

        // A different set of files is different content: writing the key in clear no more is a new version without it.
        var withoutKey = await Target(privateKey: false).DeployAsync(issued.Deployment());
        Assert.False(withoutKey.Unchanged);
        Assert.Equal("0002", withoutKey.Version);
        Assert.False(File.Exists(Path.Combine(folder, "live", "privkey.pem")));
    }

    [SkippableFact]
    public async Task Deploy_Renewal_SameFolderNewVersionPreviousKeptForRollback()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var lineage = Lineage("shop.example.com", 2);
        var target = Target();
        await target.DeployAsync(lineage[0].Deployment());

        var renewed = await target.DeployAsync(lineage[1].Deployment());

        var folder = target.FolderFor("shop.example.com", lineage[0].LineageId);
        Assert.Single(Directory.GetDirectories(_root));
        Assert.Equal("0002", renewed.Version);
        Assert.Equal("versions/0002", LinkTarget(folder));
        Assert.Equal(lineage[1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));
        // The previous version is kept whole: the set a rollback returns to.
        Assert.Equal(lineage[0].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "versions", "0001")));

        // Rollback as docs/operations.md describes it: a new link renamed over live (ln -s + mv -T).
        var temp = Path.Combine(folder, "live.rollback");
        Directory.CreateSymbolicLink(temp, "versions/0001");
        File.Replace(temp, Path.Combine(folder, "live"), null);
        Assert.Equal(lineage[0].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));

        // Re-deploying what live holds after the rollback changes nothing; deploying the renewal again publishes it anew.
        Assert.True((await target.DeployAsync(lineage[0].Deployment())).Unchanged);
        Assert.Equal("versions/0001", LinkTarget(folder));
        var forward = await target.DeployAsync(lineage[1].Deployment());
        Assert.Equal("0003", forward.Version);
        Assert.Equal(lineage[1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));
        Assert.Equal(["0001", "0002", "0003"], VersionNames(folder));
    }

    [SkippableTheory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Deploy_ManyRenewals_KeepsTheNewestVersionsOnly(int keep)
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var lineage = Lineage("api.example.com", 7);
        var target = Target(keep);
        foreach (var issued in lineage)
        {
            await target.DeployAsync(issued.Deployment());
        }

        var folder = target.FolderFor("api.example.com", lineage[0].LineageId);
        var expected = Enumerable.Range(7 - keep + 1, keep).Select(n => n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, VersionNames(folder));
        Assert.Equal("versions/0007", LinkTarget(folder));
        for (var n = 7 - keep + 1; n <= 7; n++)
        {
            Assert.Equal(lineage[n - 1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "versions", n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    [SkippableFact]
    public async Task Deploy_SameCommonNameRsaAndEc_TwoFoldersNeitherOverwritesTheOther()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var ec = Lineage("www.example.com", 2);
        var rsa = Lineage("www.example.com", 2, rsa: true);
        var target = Target();

        await target.DeployAsync(ec[0].Deployment());
        await target.DeployAsync(rsa[0].Deployment());
        await target.DeployAsync(ec[1].Deployment());
        await target.DeployAsync(rsa[1].Deployment());

        var ecFolder = target.FolderFor("www.example.com", ec[0].LineageId);
        var rsaFolder = target.FolderFor("www.example.com", rsa[0].LineageId);
        Assert.NotEqual(ecFolder, rsaFolder);
        Assert.Equal(new[] { ecFolder, rsaFolder }.Order(StringComparer.Ordinal), Directory.GetDirectories(_root).Order(StringComparer.Ordinal));
        Assert.Equal(ec[1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(ecFolder, "live")));
        Assert.Equal(rsa[1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(rsaFolder, "live")));
        Assert.Equal(["0001", "0002"], VersionNames(ecFolder));
        Assert.Equal(["0001", "0002"], VersionNames(rsaFolder));
        using var ecManifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(ecFolder, "live", "deployment.json")));
        using var rsaManifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(rsaFolder, "live", "deployment.json")));
        Assert.Equal("EC", ecManifest.RootElement.GetProperty("keyAlgorithm").GetString());
        Assert.Equal("Rsa", rsaManifest.RootElement.GetProperty("keyAlgorithm").GetString());
    }

    [SkippableFact]
    public async Task Deploy_WhileAReaderResolvesLive_ReaderNeverSeesAMix()
    {
        // F56: a server reloading at any moment during renewals reads the old set or the new set, never a mix.
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        const int Deployments = 40;
        var lineage = Lineage("www.example.com", 4);
        var target = Target();
        var folder = target.FolderFor("www.example.com", lineage[0].LineageId);
        await target.DeployAsync(lineage[0].Deployment());

        await using (var reader = new LiveReader(folder))
        {
            Assert.Equal(lineage[0].Certificate.SerialNumber, await reader.SeenAsync("0001").WaitAsync(TimeSpan.FromSeconds(30)));
            for (var i = 1; i < Deployments; i++)
            {
                // Renewals take turns (each a new set), so every deployment is a new version the reader must see whole.
                var issued = lineage[i % lineage.Count];
                var outcome = await target.DeployAsync(issued.Deployment());
                Assert.Equal((i + 1).ToString("D4", System.Globalization.CultureInfo.InvariantCulture), outcome.Version);
                Assert.Equal(issued.Certificate.SerialNumber, await reader.SeenAsync(outcome.Version!).WaitAsync(TimeSpan.FromSeconds(30)));
            }

            await reader.StopAsync();
            Assert.Empty(reader.Mixes);
            // The writer waits for the reader to see each version, so no version the reader resolves is pruned under it:
            // a missing file here would be a set published incomplete.
            Assert.Equal(0, reader.VanishedReads);
            Assert.Equal(Deployments, reader.VersionsSeen.Count);
            Assert.True(reader.ConsistentReads >= Deployments);
        }
    }

    [SkippableFact]
    public async Task Deploy_BeforeTheSwitch_NewVersionIsCompleteAndLiveStillServesTheOldSet()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var lineage = Lineage("www.example.com", 2);
        var target = Target();
        await target.DeployAsync(lineage[0].Deployment());
        var folder = target.FolderFor("www.example.com", lineage[0].LineageId);
        string? liveAtSwitch = null, newAtSwitch = null, linkAtSwitch = null;
        target.BeforeSwitch = version =>
        {
            linkAtSwitch = LinkTarget(folder);
            liveAtSwitch = DeploymentSets.CheckSet(Path.Combine(folder, "live"));
            newAtSwitch = DeploymentSets.CheckSet(version);
            return ValueTask.CompletedTask;
        };

        await target.DeployAsync(lineage[1].Deployment());

        Assert.Equal("versions/0001", linkAtSwitch);
        Assert.Equal(lineage[0].Certificate.SerialNumber, liveAtSwitch);
        Assert.Equal(lineage[1].Certificate.SerialNumber, newAtSwitch);
        Assert.Equal("versions/0002", LinkTarget(folder));
    }

    [SkippableFact]
    public async Task Deploy_SwitchFails_LiveKeepsTheOldSetAndNoOrphanVersionRemains()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var lineage = Lineage("www.example.com", 2);
        var target = Target();
        await target.DeployAsync(lineage[0].Deployment());
        var folder = target.FolderFor("www.example.com", lineage[0].LineageId);
        target.BeforeSwitch = _ => throw new IOException("disk full (simulated)");

        var ex = await Assert.ThrowsAsync<IOException>(() => target.DeployAsync(lineage[1].Deployment()));

        Assert.Contains("simulated", ex.Message, StringComparison.Ordinal);
        Assert.Equal("versions/0001", LinkTarget(folder));
        Assert.Equal(["0001"], VersionNames(folder));
        target.BeforeSwitch = null;
        Assert.Equal("0002", (await target.DeployAsync(lineage[1].Deployment())).Version);
    }

    [SkippableFact]
    public async Task Deploy_LeftoversOfACrashedDeployment_AreRemovedAndIgnored()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var lineage = Lineage("www.example.com", 2);
        var target = Target();
        await target.DeployAsync(lineage[0].Deployment());
        var folder = target.FolderFor("www.example.com", lineage[0].LineageId);
        // What a process killed mid-deployment leaves: a half-written staging folder and a link never renamed.
        Directory.CreateDirectory(Path.Combine(folder, ".staging-deadbeef0000"));
        await File.WriteAllTextAsync(Path.Combine(folder, ".staging-deadbeef0000", "fullchain.pem"), "-----BEGIN CERT");
        Directory.CreateSymbolicLink(Path.Combine(folder, ".tmp-live-deadbeef0000"), "versions/0001");
        Directory.CreateDirectory(Path.Combine(folder, "versions", "notes"));

        var outcome = await target.DeployAsync(lineage[1].Deployment());

        Assert.Equal("0002", outcome.Version);
        Assert.Equal([".lock", "live", "versions"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["0001", "0002", "notes"], VersionNames(folder));
    }

    [SkippableFact]
    public async Task Deploy_LiveIsARealFolder_FailsNamingItAndWritesNoVersion()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var issued = Lineage("www.example.com", 1)[0];
        var target = Target();
        var folder = target.FolderFor("www.example.com", issued.LineageId);
        Directory.CreateDirectory(Path.Combine(folder, "live"));

        var ex = await Assert.ThrowsAsync<IOException>(() => target.DeployAsync(issued.Deployment()));

        Assert.Contains(Path.Combine(folder, "live"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("is not a symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(Path.Combine(folder, "versions")));
    }

    [SkippableFact]
    public async Task Deploy_AnotherProcessHoldsTheFolderLock_FailsClearlyWithoutWriting()
    {
        Skip.If(OperatingSystem.IsWindows(), "Advisory locks between two handles of one process are the POSIX behaviour.");
        var lineage = Lineage("www.example.com", 2);
        var target = Target();
        await target.DeployAsync(lineage[0].Deployment());
        var folder = target.FolderFor("www.example.com", lineage[0].LineageId);

        IOException ex;
        using (new FileStream(Path.Combine(folder, ".lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            ex = await Assert.ThrowsAsync<IOException>(() => target.DeployAsync(lineage[1].Deployment()));
        }

        Assert.Contains("Another process is deploying to", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["0001"], VersionNames(folder));
        Assert.Equal("0002", (await target.DeployAsync(lineage[1].Deployment())).Version);
    }

    [SkippableFact]
    public async Task Deploy_ConcurrentDeploymentsOfOneLineageInOneProcess_TakeTurns()
    {
        Skip.If(OperatingSystem.IsWindows(), "The live symbolic link is the POSIX layout.");
        var lineage = Lineage("www.example.com", 6);
        var target = Target(keep: 10);

        var outcomes = await Task.WhenAll(lineage.Select(i => Task.Run(() => target.DeployAsync(i.Deployment()))));

        var folder = target.FolderFor("www.example.com", lineage[0].LineageId);
        Assert.Equal(["0001", "0002", "0003", "0004", "0005", "0006"], outcomes.Select(o => o.Version).Order(StringComparer.Ordinal));
        Assert.Equal("versions/0006", LinkTarget(folder));
        var serials = VersionNames(folder).Select(v => DeploymentSets.CheckSet(Path.Combine(folder, "versions", v))).ToArray();
        Assert.Equal(lineage.Select(i => i.Certificate.SerialNumber).Order(), serials.Order());
    }

    [Fact]
    public async Task Deploy_WindowsLayout_CurrentMarkerSwitchesFirstAndLiveHoldsWholeCopies()
    {
        // The layout used where a directory link cannot be replaced atomically; it runs anywhere.
        var lineage = Lineage("www.example.com", 3);
        var target = Target(keep: 2, symbolicLink: false);
        await target.DeployAsync(lineage[0].Deployment());
        var folder = target.FolderFor("www.example.com", lineage[0].LineageId);
        string? currentAtSwitch = null;
        target.BeforeSwitch = _ =>
        {
            currentAtSwitch = File.ReadAllText(Path.Combine(folder, "current")).Trim();
            return ValueTask.CompletedTask;
        };

        var second = await target.DeployAsync(lineage[1].Deployment());

        Assert.Equal("0001", currentAtSwitch);
        Assert.Equal("0002", second.Version);
        Assert.Equal("0002", (await File.ReadAllTextAsync(Path.Combine(folder, "current"))).Trim());
        Assert.Null(new DirectoryInfo(Path.Combine(folder, "live")).LinkTarget);
        Assert.Equal(lineage[1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));
        Assert.Equal(lineage[1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "versions", "0002")));
        Assert.Equal(lineage[0].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "versions", "0001")));

        // Same content: nothing written. A copy damaged in live (a crash between the marker and the copies) is repaired.
        Assert.True((await target.DeployAsync(lineage[1].Deployment())).Unchanged);
        await File.WriteAllTextAsync(Path.Combine(folder, "live", "fullchain.pem"), "stale");
        var repaired = await target.DeployAsync(lineage[1].Deployment());
        Assert.False(repaired.Unchanged);
        Assert.Equal("0002", repaired.Version);
        Assert.Equal(lineage[1].Certificate.SerialNumber, DeploymentSets.CheckSet(Path.Combine(folder, "live")));

        // Files a version no longer has leave live; pruning keeps two versions.
        target.BeforeSwitch = null;
        var third = await Target(keep: 2, symbolicLink: false, privateKey: false).DeployAsync(lineage[2].Deployment());
        Assert.Equal("0003", third.Version);
        Assert.False(File.Exists(Path.Combine(folder, "live", "privkey.pem")));
        Assert.Equal(["0002", "0003"], VersionNames(folder));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(folder, "live", "keystore.pfx")));
        }
    }

    [Fact]
    public async Task Deploy_PrivateKey_AskedAsynchronouslyOnlyWhenWrittenAndClearedAfterwards()
    {
        var lineage = Lineage("www.example.com", 2);
        await Target(privateKey: false).DeployAsync(lineage[0].Deployment());
        Assert.Equal(0, lineage[0].KeyRequests);

        await Target(privateKey: true).DeployAsync(lineage[1].Deployment());
        Assert.Equal(1, lineage[1].KeyRequests);
        var handedOut = Assert.Single(lineage[1].HandedOut);
        Assert.All(handedOut, c => Assert.Equal('\0', c));
    }

    [Fact]
    public async Task Deploy_Cancelled_WritesNothing()
    {
        var issued = Lineage("www.example.com", 1)[0];
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Target().DeployAsync(issued.Deployment(), cancelled.Token));

        Assert.False(Directory.Exists(_root));
    }

    [Theory]
    [InlineData("*.example.com", "_wildcard_.example.com")]
    [InlineData("../../etc/passwd", "_.._etc_passwd")]
    [InlineData("..", "_")]
    [InlineData("a/b\\c\0d", "a_b_c_d")]
    public void FolderFor_HostileCommonNames_StaySafelyUnderTheRoot(string cn, string expected)
    {
        Assert.Equal(expected, FileSystemDeploymentTarget.SafeName(cn));
        var id = Guid.NewGuid();
        var folder = Target().FolderFor(cn, id);
        Assert.Equal(Path.Combine(Path.GetFullPath(_root), expected + "-" + id.ToString("N")[^8..]), folder);
        Assert.StartsWith(Path.GetFullPath(_root) + Path.DirectorySeparatorChar, folder, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderFor_RootGivenWithATrailingSeparator_SameFolder()
    {
        var id = Guid.NewGuid();
        var withSeparator = new FileSystemDeploymentTarget(new FileSystemDeploymentOptions { Directory = _root + Path.DirectorySeparatorChar });
        Assert.Equal(Target().FolderFor("www.example.com", id), withSeparator.FolderFor("www.example.com", id));
    }

    [Fact]
    public void FolderFor_VeryLongCommonName_IsShortened()
    {
        var folder = Target().FolderFor(new string('a', 300) + ".example.com", Guid.NewGuid());
        Assert.Equal(109, Path.GetFileName(folder).Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void Options_TooFewVersionsToKeep_RejectedNamingTheOption(int keep)
    {
        var options = new FileSystemDeploymentOptions { Directory = _root, VersionsToKeep = keep };
        var direct = Assert.Throws<ArgumentException>(() => new FileSystemDeploymentTarget(options));
        Assert.Contains($"FileSystemDeploymentOptions.VersionsToKeep must be at least 2 (the live version and the previous one, for rollback); got {keep}.", direct.Message, StringComparison.Ordinal);

        var services = new ServiceCollection();
        var builder = services.AddSectigoCertificateManagement(o => o.Client.Login = "x");
        var registered = Assert.Throws<ArgumentException>(() => builder.AddFileSystemDeployment(o =>
        {
            o.Directory = _root;
            o.VersionsToKeep = keep;
        }));
        Assert.Contains("VersionsToKeep must be at least 2", registered.Message, StringComparison.Ordinal);
        Assert.Equal(3, new FileSystemDeploymentOptions().VersionsToKeep);
    }
}
