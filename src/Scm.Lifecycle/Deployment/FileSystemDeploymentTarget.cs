using System.Text;
using Scm.Lifecycle.Internal.Crypto;
using Scm.Storage;

namespace Scm.Lifecycle.Deployment;

/// <summary>Options of the file-system deployment target.</summary>
public sealed class FileSystemDeploymentOptions
{
    /// <summary>The root folder; each certificate gets a sub-folder named after its common name.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Also write the unencrypted private key as <c>privkey.pem</c> (mode 0600), as web servers expect (default false).</summary>
    public bool WriteUnencryptedPrivateKey { get; set; }

    /// <summary>Also write the keystore password to <c>keystore.password</c> (mode 0600) for unattended consumers (default false).</summary>
    public bool WriteKeystorePassword { get; set; }
}

/// <summary>
/// Writes certificates to a folder: <c>&lt;root&gt;/&lt;common-name&gt;/fullchain.pem</c> (0644), the keystore
/// (<c>keystore.pfx</c>, <c>keystore.jks</c> or <c>keystore.pem</c>, 0600) and optionally <c>privkey.pem</c> (0600).
/// Every file is replaced atomically (temporary file, flush, rename), so a reader never sees half a file.
/// </summary>
public sealed class FileSystemDeploymentTarget : ICertificateDeploymentTarget
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicFile = PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly FileSystemDeploymentOptions _options;

    /// <summary>Creates a target.</summary>
    /// <param name="options">Options; <see cref="FileSystemDeploymentOptions.Directory"/> is required.</param>
    public FileSystemDeploymentTarget(FileSystemDeploymentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new ArgumentException("FileSystemDeploymentOptions.Directory is required.", nameof(options));
        }

        _options = options;
    }

    /// <inheritdoc />
    public string Name => "filesystem";

    /// <summary>The folder a certificate is written to.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The full path of its folder under the root.</returns>
    public string FolderFor(ManagedCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var root = Path.GetFullPath(_options.Directory);
        var folder = Path.GetFullPath(Path.Combine(root, SafeName(certificate.CommonName)));
        if (!folder.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The folder name derived from '{certificate.CommonName}' escapes the deployment root.");
        }

        return folder;
    }

    /// <inheritdoc />
    public async Task<DeploymentOutcome> DeployAsync(CertificateDeployment deployment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var folder = FolderFor(deployment.Certificate);
        CreateDirectory(Path.GetFullPath(_options.Directory));
        CreateDirectory(folder);

        var written = new List<string>();
        var chainPath = Path.Combine(folder, "fullchain.pem");
        await WriteAtomicAsync(chainPath, Encoding.ASCII.GetBytes(deployment.ChainPem), PublicFile, cancellationToken).ConfigureAwait(false);
        written.Add(chainPath);

        var keystorePath = Path.Combine(folder, "keystore" + KeystoreFactory.Extension(deployment.Certificate.KeystoreType));
        await WriteAtomicAsync(keystorePath, deployment.Keystore, PrivateFile, cancellationToken).ConfigureAwait(false);
        written.Add(keystorePath);

        if (_options.WriteUnencryptedPrivateKey)
        {
            var keyPath = Path.Combine(folder, "privkey.pem");
            var pem = Encoding.ASCII.GetBytes(deployment.GetUnencryptedPrivateKeyPem());
            try
            {
                await WriteAtomicAsync(keyPath, pem, PrivateFile, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Array.Clear(pem);
            }

            written.Add(keyPath);
        }

        if (_options.WriteKeystorePassword)
        {
            var passwordPath = Path.Combine(folder, "keystore.password");
            await WriteAtomicAsync(passwordPath, Encoding.UTF8.GetBytes(deployment.KeystorePassword), PrivateFile, cancellationToken).ConfigureAwait(false);
            written.Add(passwordPath);
        }

        return new DeploymentOutcome(Name, written);
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

    private static async Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
