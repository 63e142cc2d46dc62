using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Scm.Lifecycle.Internal.Crypto;

namespace Scm.Lifecycle.Deployment;

/// <summary>Options of the file-system deployment target.</summary>
public sealed class FileSystemDeploymentOptions
{
    /// <summary>The minimum of <see cref="VersionsToKeep"/>: the live version and the previous one, for rollback.</summary>
    public const int MinimumVersionsToKeep = 2;

    /// <summary>
    /// The root folder. Each managed certificate gets a folder <c>&lt;common name&gt;-&lt;short lineage id&gt;</c> under it,
    /// holding its versions and the <c>live</c> link to the current one (see <see cref="FileSystemDeploymentTarget"/>).
    /// </summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Also write the unencrypted private key as <c>privkey.pem</c> (mode 0600), as web servers expect (default false).</summary>
    public bool WriteUnencryptedPrivateKey { get; set; }

    /// <summary>Also write the keystore password to <c>keystore.password</c> (mode 0600) for unattended consumers (default false).</summary>
    public bool WriteKeystorePassword { get; set; }

    /// <summary>
    /// How many version folders each certificate folder keeps, the live one included (default 3: the live version and the
    /// two before it). Older ones are deleted after each switch. At least <see cref="MinimumVersionsToKeep"/>.
    /// </summary>
    public int VersionsToKeep { get; set; } = 3;
}

/// <summary>
/// Writes certificates to a folder, one folder per managed certificate and one sub-folder per deployed version, and
/// switches between versions in one step, so a reader sees the old set of files or the new set, never a mix:
/// <code>
/// &lt;Directory&gt;/www.example.com-1a2b3c4d/   (common name + the last 8 hex digits of the lineage id)
///   live -&gt; versions/0003                (symbolic link, replaced atomically by rename)
///   versions/0002/ ...                     (the previous version, kept for rollback)
///   versions/0003/fullchain.pem            (leaf first, 0644)
///                 keystore.pfx|jks|pem     (0600)
///                 privkey.pem              (0600, optional)
///                 keystore.password        (0600, optional)
///                 deployment.json          (what this version holds: ids, serial, validity; no secret)
/// </code>
/// A version is written completely (every file flushed to disk) in a staging folder, renamed into <c>versions/</c>, and
/// only then does <c>live</c> switch to it: a new link is created beside it and renamed over it, which POSIX makes atomic.
/// Readers point at <c>live/...</c>; one that must never combine two versions resolves <c>live</c> once and reads every
/// file from the version folder it resolved to. Re-deploying the content <c>live</c> already holds writes nothing.
/// Renewals and reissues of one managed certificate (one <see cref="CertificateDeployment.LineageId"/>) share its folder; two
/// certificates with the same common name (an RSA and an EC one) get two folders.
/// On Windows, where a directory link cannot be replaced atomically (and creating one needs a privilege), <c>live</c> is
/// a real folder: the file <c>current</c> (the live version's name) is replaced atomically first, then each file of
/// <c>live</c> is replaced atomically on its own; the set is consistent when read through <c>current</c> and
/// <c>versions/</c>, each file of <c>live</c> is always whole, but for a moment <c>live</c> may hold files of two versions.
/// </summary>
public sealed class FileSystemDeploymentTarget : ICertificateDeploymentTarget
{
    /// <summary>The name of the link (or, on Windows, the folder) a server points at.</summary>
    internal const string LiveName = "live";

    /// <summary>The folder holding the versions.</summary>
    internal const string VersionsName = "versions";

    /// <summary>On Windows: the file naming the live version.</summary>
    internal const string CurrentName = "current";

    /// <summary>The description of a version, written into it.</summary>
    internal const string ManifestName = "deployment.json";

    private const string TargetName = "filesystem";
    private const string LockName = ".lock";
    private const string StagingPrefix = ".staging-";
    private const string TempPrefix = ".tmp-";
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicFile = PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Deployments to one certificate folder in this process take turns (striped by folder; other processes: the lock file).</summary>
    private static readonly SemaphoreSlim[] s_folderGates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    private readonly string _root;
    private readonly bool _writePrivateKey;
    private readonly bool _writeKeystorePassword;
    private readonly int _versionsToKeep;
    private readonly bool _useSymbolicLink;

    /// <summary>Creates a target.</summary>
    /// <param name="options">
    /// Options, read once here; <see cref="FileSystemDeploymentOptions.Directory"/> is required and
    /// <see cref="FileSystemDeploymentOptions.VersionsToKeep"/> must be at least <see cref="FileSystemDeploymentOptions.MinimumVersionsToKeep"/>.
    /// </param>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it.</exception>
    public FileSystemDeploymentTarget(FileSystemDeploymentOptions options)
        : this(options, useSymbolicLink: !OperatingSystem.IsWindows())
    {
    }

    /// <summary>Creates a target; <paramref name="useSymbolicLink"/> false is the Windows layout (tests use it on Linux too).</summary>
    internal FileSystemDeploymentTarget(FileSystemDeploymentOptions options, bool useSymbolicLink)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new ArgumentException("FileSystemDeploymentOptions.Directory is required.", nameof(options));
        }

        if (options.VersionsToKeep < FileSystemDeploymentOptions.MinimumVersionsToKeep)
        {
            throw new ArgumentException(
                $"FileSystemDeploymentOptions.VersionsToKeep must be at least {FileSystemDeploymentOptions.MinimumVersionsToKeep} (the live version and the previous one, for rollback); got {options.VersionsToKeep}.",
                nameof(options));
        }

        _root = Path.GetFullPath(options.Directory);
        _writePrivateKey = options.WriteUnencryptedPrivateKey;
        _writeKeystorePassword = options.WriteKeystorePassword;
        _versionsToKeep = options.VersionsToKeep;
        _useSymbolicLink = useSymbolicLink;
    }

    /// <inheritdoc />
    public string Name => TargetName;

    /// <summary>Tests only: called with the new version's folder once it is complete, before <c>live</c> switches to it.</summary>
    internal Func<string, ValueTask>? BeforeSwitch { get; set; }

    /// <summary>
    /// The folder of a managed certificate: <c>&lt;Directory&gt;/&lt;common name&gt;-&lt;last 8 hex digits of the lineage id&gt;</c>, the
    /// common name in lower case with <c>*.</c> as <c>_wildcard_.</c> and any character other than letters, digits,
    /// <c>.</c>, <c>-</c> and <c>_</c> as <c>_</c>. A server points at <c>&lt;folder&gt;/live/...</c>.
    /// </summary>
    /// <param name="commonName">The certificate's common name.</param>
    /// <param name="lineageId">The lineage id (<see cref="CertificateDeployment.LineageId"/>; for a certificate never renewed nor reissued, its id).</param>
    /// <returns>The full path of the folder, always under the root.</returns>
    public string FolderFor(string commonName, Guid lineageId)
    {
        ArgumentNullException.ThrowIfNull(commonName);
        var folder = Path.GetFullPath(Path.Combine(_root, SafeName(commonName) + "-" + ShortId(lineageId)));
        var under = Path.EndsInDirectorySeparator(_root) ? _root : _root + Path.DirectorySeparatorChar;
        if (!folder.StartsWith(under, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The folder name derived from '{commonName}' escapes the deployment root.");
        }

        return folder;
    }

    /// <inheritdoc />
    public async Task<DeploymentOutcome> DeployAsync(CertificateDeployment deployment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var folder = FolderFor(deployment.Certificate.CommonName, deployment.LineageId);
        var files = await ContentAsync(deployment, cancellationToken).ConfigureAwait(false);
        try
        {
            CreateDirectory(_root);
            CreateDirectory(folder);
            CreateDirectory(Path.Combine(folder, VersionsName));
            var gate = s_folderGates[(StringComparer.Ordinal.GetHashCode(folder) & int.MaxValue) % s_folderGates.Length];
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var folderLock = LockFolder(folder);
                return await DeployLockedAsync(folder, files, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        finally
        {
            foreach (var file in files)
            {
                CryptographicOperations.ZeroMemory(file.Content);
            }
        }
    }

    /// <summary>A folder name from a common name: lowercase letters, digits, '.', '-'; a wildcard becomes <c>_wildcard_</c>.</summary>
    internal static string SafeName(string commonName)
    {
        var builder = new StringBuilder(commonName.Length);
        var name = commonName.StartsWith("*.", StringComparison.Ordinal) ? "_wildcard_" + commonName[1..] : commonName;
        foreach (var c in name.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_' ? c : '_');
        }

        var safe = builder.ToString().Trim('.');
        if (safe.Length == 0 || safe == "..")
        {
            safe = "_";
        }

        return safe.Length > 100 ? safe[..100] : safe;
    }

    /// <summary>The last 8 hex digits of an id (the random end of a time-ordered id), as the sample CLI shows ids.</summary>
    internal static string ShortId(Guid id) => id.ToString("N")[^8..];

    private async Task<DeploymentOutcome> DeployLockedAsync(string folder, IReadOnlyList<DeployedFile> files, CancellationToken cancellationToken)
    {
        var versions = Path.Combine(folder, VersionsName);
        DeleteLeftovers(folder);
        var live = LiveVersion(folder);
        if (live is not null && await SameContentAsync(Path.Combine(versions, live), files, cancellationToken).ConfigureAwait(false))
        {
            // Idempotent: nothing new. On Windows, copies a crash may have left half-updated in live/ are repaired.
            var repaired = !_useSymbolicLink && await SyncLiveCopiesAsync(folder, files, cancellationToken).ConfigureAwait(false);
            Prune(versions, live);
            return Outcome(folder, live, files, unchanged: !repaired);
        }

        var staging = Path.Combine(folder, StagingPrefix + Guid.NewGuid().ToString("N")[..12]);
        string version;
        try
        {
            CreateDirectory(staging);
            foreach (var file in files)
            {
                await WriteNewFileAsync(Path.Combine(staging, file.Name), file.Content, file.IsPublic ? PublicFile : PrivateFile, cancellationToken).ConfigureAwait(false);
            }

            version = Publish(staging, versions);
        }
        catch
        {
            DeleteQuietly(staging);
            throw;
        }

        try
        {
            if (BeforeSwitch is { } beforeSwitch)
            {
                await beforeSwitch(Path.Combine(versions, version)).ConfigureAwait(false);
            }

            // From here on nothing is cancelled: a switch is one step (POSIX) or a marker then whole files (Windows).
            if (_useSymbolicLink)
            {
                SwitchLink(folder, version);
            }
            else
            {
                await SwitchCopiesAsync(folder, version, files).ConfigureAwait(false);
            }
        }
        catch
        {
            // Never switched to (or, on Windows, the marker never named it): an orphan that would only confuse a rollback.
            string? nowLive = null;
            try
            {
                nowLive = LiveVersion(folder);
            }
            catch (IOException)
            {
            }

            if (nowLive != version)
            {
                DeleteQuietly(Path.Combine(versions, version));
            }

            throw;
        }

        Prune(versions, version);
        return Outcome(folder, version, files, unchanged: false);
    }

    private async Task<List<DeployedFile>> ContentAsync(CertificateDeployment deployment, CancellationToken cancellationToken)
    {
        var certificate = deployment.Certificate;
        var files = new List<DeployedFile>
        {
            new("fullchain.pem", Encoding.ASCII.GetBytes(deployment.ChainPem), IsPublic: true),
            new("keystore" + KeystoreFactory.Extension(certificate.KeystoreType), deployment.Keystore.ToArray(), IsPublic: false),
        };
        try
        {
            if (_writePrivateKey)
            {
                var pem = await deployment.GetUnencryptedPrivateKeyPemAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    files.Add(new DeployedFile("privkey.pem", Encoding.ASCII.GetBytes(pem), IsPublic: false));
                }
                finally
                {
                    Array.Clear(pem);
                }
            }

            if (_writeKeystorePassword)
            {
                files.Add(new DeployedFile("keystore.password", Encoding.UTF8.GetBytes(deployment.KeystorePassword), IsPublic: false));
            }

            files.Add(new DeployedFile(ManifestName, Manifest(deployment, files), IsPublic: true));
            return files;
        }
        catch
        {
            foreach (var file in files)
            {
                CryptographicOperations.ZeroMemory(file.Content);
            }

            throw;
        }
    }

    /// <summary>What a version holds, for operators choosing a version to roll back to and for readers checking a set.</summary>
    private static byte[] Manifest(CertificateDeployment deployment, IReadOnlyList<DeployedFile> files)
    {
        var certificate = deployment.Certificate;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("certificateId", certificate.Id);
            json.WriteString("lineageId", deployment.LineageId);
            json.WriteString("commonName", certificate.CommonName);
            json.WriteStartArray("subjectAlternativeNames");
            foreach (var name in certificate.SubjectAlternativeNames)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            if (certificate.SslId is { } sslId)
            {
                json.WriteNumber("sslId", sslId);
            }

            json.WriteString("serialNumber", certificate.SerialNumber);
            json.WriteString("sha256Thumbprint", certificate.Thumbprint);
            json.WriteString("notBefore", certificate.NotBefore.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("notAfter", certificate.NotAfter.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            if (certificate.KeyAlgorithm is { } algorithm)
            {
                json.WriteString("keyAlgorithm", algorithm.ToString());
            }

            if (certificate.KeySize is { } keySize)
            {
                json.WriteNumber("keySize", keySize);
            }

            if (certificate.Curve is { } curve)
            {
                json.WriteString("curve", curve);
            }

            json.WriteString("keystoreType", certificate.KeystoreType.ToString());
            json.WriteStartArray("files");
            foreach (var file in files)
            {
                json.WriteStringValue(file.Name);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The version <c>live</c> (or, on Windows, <c>current</c>) names; null when there is none or it names no version folder.</summary>
    internal string? LiveVersion(string folder)
    {
        string? target;
        if (_useSymbolicLink)
        {
            var live = new DirectoryInfo(Path.Combine(folder, LiveName));
            target = live.LinkTarget;
            if (target is null && (live.Exists || File.Exists(live.FullName)))
            {
                throw new IOException($"'{live.FullName}' is not a symbolic link; the file-system deployment target switches versions by replacing that link. Move it away and deploy again.");
            }
        }
        else
        {
            var current = Path.Combine(folder, CurrentName);
            target = File.Exists(current) ? Path.Combine(VersionsName, File.ReadAllText(current).Trim()) : null;
        }

        if (target is null)
        {
            return null;
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(target));
        var resolved = Path.GetFullPath(Path.Combine(folder, target));
        return IsVersionName(name) && resolved == Path.Combine(folder, VersionsName, name) ? name : null;
    }

    private static async Task<bool> SameContentAsync(string versionFolder, IReadOnlyList<DeployedFile> files, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(versionFolder))
        {
            return false;
        }

        var present = System.IO.Directory.GetFiles(versionFolder).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        if (!present.SetEquals(files.Select(f => f.Name)))
        {
            return false;
        }

        foreach (var file in files)
        {
            if (!await SameBytesAsync(Path.Combine(versionFolder, file.Name), file.Content, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<bool> SameBytesAsync(string path, byte[] expected, CancellationToken cancellationToken)
    {
        byte[] existing;
        try
        {
            existing = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        try
        {
            return existing.Length == expected.Length && CryptographicOperations.FixedTimeEquals(existing, expected);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(existing);
        }
    }

    /// <summary>Renames a complete staging folder to the next free version number.</summary>
    private static string Publish(string staging, string versions)
    {
        var next = Versions(versions).Select(v => v.Number).DefaultIfEmpty(0).Max() + 1;
        for (var attempt = 0; ; attempt++)
        {
            var name = next.ToString("D4", CultureInfo.InvariantCulture);
            var destination = Path.Combine(versions, name);
            try
            {
                System.IO.Directory.Move(staging, destination);
                return name;
            }
            catch (IOException) when (attempt < 100 && System.IO.Directory.Exists(destination))
            {
                next++;
            }
        }
    }

    /// <summary>POSIX: a new link beside <c>live</c>, renamed over it (rename(2) replaces the old link in one step).</summary>
    private static void SwitchLink(string folder, string version)
    {
        var live = Path.Combine(folder, LiveName);
        var target = Path.Combine(VersionsName, version);
        if (new DirectoryInfo(live).LinkTarget is null)
        {
            System.IO.Directory.CreateSymbolicLink(live, target);
            return;
        }

        var temp = Path.Combine(folder, TempPrefix + LiveName + "-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateSymbolicLink(temp, target);
        try
        {
            // File.Replace is rename(2) on Unix and works on the link itself (lstat), never on what it points to.
            File.Replace(temp, live, destinationBackupFileName: null);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>Windows: the marker naming the live version is replaced first (one step), then the copies in <c>live</c>.</summary>
    private static async Task SwitchCopiesAsync(string folder, string version, IReadOnlyList<DeployedFile> files)
    {
        await ReplaceFileAsync(Path.Combine(folder, CurrentName), Encoding.ASCII.GetBytes(version + "\n"), PublicFile, CancellationToken.None).ConfigureAwait(false);
        await SyncLiveCopiesAsync(folder, files, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Windows: makes <c>live</c> hold exactly the given files, each replaced whole; true when anything changed.</summary>
    private static async Task<bool> SyncLiveCopiesAsync(string folder, IReadOnlyList<DeployedFile> files, CancellationToken cancellationToken)
    {
        var live = Path.Combine(folder, LiveName);
        CreateDirectory(live);
        var changed = false;
        foreach (var file in files)
        {
            var path = Path.Combine(live, file.Name);
            if (!await SameBytesAsync(path, file.Content, cancellationToken).ConfigureAwait(false))
            {
                await ReplaceFileAsync(path, file.Content, file.IsPublic ? PublicFile : PrivateFile, cancellationToken).ConfigureAwait(false);
                changed = true;
            }
        }

        foreach (var stale in System.IO.Directory.GetFiles(live).Where(p => !files.Any(f => f.Name == Path.GetFileName(p))))
        {
            File.Delete(stale);
            changed = true;
        }

        return changed;
    }

    /// <summary>Deletes versions beyond <see cref="FileSystemDeploymentOptions.VersionsToKeep"/>, oldest first, never the live one.</summary>
    private void Prune(string versions, string live)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal) { live };
        foreach (var (name, _) in Versions(versions).OrderByDescending(v => v.Number))
        {
            if (keep.Count < _versionsToKeep || keep.Contains(name))
            {
                keep.Add(name);
                continue;
            }

            // Best effort: a version a reader still has open files in goes on the next deployment.
            DeleteQuietly(Path.Combine(versions, name));
        }
    }

    private static IEnumerable<(string Name, int Number)> Versions(string versions)
    {
        foreach (var path in System.IO.Directory.EnumerateDirectories(versions))
        {
            var name = Path.GetFileName(path);
            if (IsVersionName(name))
            {
                yield return (name, int.Parse(name, NumberStyles.None, CultureInfo.InvariantCulture));
            }
        }
    }

    private static bool IsVersionName(string name) =>
        name.Length is >= 4 and <= 9 && name.All(char.IsAsciiDigit);

    /// <summary>What a crashed or failed deployment left behind: staging folders and temporary links or files (called under the lock).</summary>
    private static void DeleteLeftovers(string folder)
    {
        foreach (var path in System.IO.Directory.EnumerateFileSystemEntries(folder, ".*").ToArray())
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                DeleteQuietly(path);
            }
        }

        var live = Path.Combine(folder, LiveName);
        if (new DirectoryInfo(live).LinkTarget is null && System.IO.Directory.Exists(live))
        {
            foreach (var temp in System.IO.Directory.EnumerateFiles(live, TempPrefix + "*").ToArray())
            {
                DeleteQuietly(temp);
            }
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (new DirectoryInfo(path).LinkTarget is not null || File.Exists(path))
            {
                File.Delete(path);
            }
            else if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next deployment's clean-up.
        }
    }

    /// <summary>Another process deploying to the same folder holds this lock; it is not waited for.</summary>
    private static FileStream LockFolder(string folder)
    {
        var path = Path.Combine(folder, LockName);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        try
        {
            return new FileStream(path, options);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"Another process is deploying to '{folder}' (it holds '{LockName}'); deploy again once it has finished.", ex);
        }
    }

    private static DeploymentOutcome Outcome(string folder, string version, IReadOnlyList<DeployedFile> files, bool unchanged) =>
        new(
            TargetName,
            files.Where(f => f.Name != ManifestName).Select(f => Path.Combine(folder, LiveName, f.Name)).ToArray())
        {
            Version = version,
            Unchanged = unchanged,
        };

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, PrivateDirectory);
        }
    }

    /// <summary>Creates a file that must not exist yet with its mode, writes it and flushes it to disk.</summary>
    private static async Task WriteNewFileAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        var stream = new FileStream(path, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Replaces one file whole: a temporary file beside it, flushed to disk, renamed over it.</summary>
    private static async Task ReplaceFileAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, TempPrefix + Path.GetFileName(path) + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await WriteNewFileAsync(temp, content, mode, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>One file of a version.</summary>
    private sealed record DeployedFile(string Name, byte[] Content, bool IsPublic);
}
