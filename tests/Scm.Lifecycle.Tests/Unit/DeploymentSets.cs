using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Scm.Lifecycle.Deployment;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

/// <summary>Real certificate + key + keystore sets for deployment tests, and a reader that checks a deployed set.</summary>
internal sealed class DeploymentSets : IDisposable
{
    public const string Password = "keystore-password-for-tests";

    private readonly TestPki _pki = new();
    private readonly List<IDisposable> _owned = [];

    /// <summary>A certificate of a lineage (its own id, linked to the previous one when renewing), with a fresh key.</summary>
    public Issued Issue(string commonName, Guid lineageId, ManagedCertificate? renews = null, bool rsa = false)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _owned.Add(key);
        var leaf = _pki.Issue(key, commonName, [commonName]);
        _owned.Add(leaf);
        var chainPem = leaf.ExportCertificatePem() + "\n" + _pki.Intermediate.ExportCertificatePem() + "\n";
        using var withKey = rsa ? leaf.CopyWithPrivateKey((RSA)key) : leaf.CopyWithPrivateKey((ECDsa)key);
        var keystore = withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, Password);
        var certificate = new ManagedCertificate
        {
            Id = renews is null ? lineageId : Guid.NewGuid(),
            CommonName = commonName,
            SubjectAlternativeNames = [commonName],
            SerialNumber = leaf.SerialNumber.ToUpperInvariant(),
            Thumbprint = Convert.ToHexString(SHA256.HashData(leaf.RawData)),
            NotBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime()),
            NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime()),
            CertificatePem = chainPem,
            KeyAlgorithm = rsa ? KeyAlgorithm.Rsa : KeyAlgorithm.EC,
            KeySize = rsa ? 2048 : null,
            Curve = rsa ? null : "P-256",
            KeystoreType = KeystoreType.Pkcs12,
            RenewedFromId = renews?.Id,
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        };
        var keyPem = key is RSA r ? r.ExportPkcs8PrivateKeyPem() : ((ECDsa)key).ExportPkcs8PrivateKeyPem();
        return new Issued(certificate, lineageId, keystore, keyPem);
    }

    public void Dispose()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }

        _pki.Dispose();
    }

    /// <summary>
    /// Reads one version folder as a careful server does (chain, key, keystore and its password, the manifest) and checks
    /// they belong together: the key's public key is the leaf's, the keystore holds the same leaf and key, the manifest
    /// names the leaf's serial. Returns the serial; throws <see cref="MixedSetException"/> for a mix.
    /// </summary>
    public static string CheckSet(string versionFolder)
    {
        var chainPem = File.ReadAllText(Path.Combine(versionFolder, "fullchain.pem"));
        var keyPem = File.ReadAllText(Path.Combine(versionFolder, "privkey.pem"));
        var password = File.ReadAllText(Path.Combine(versionFolder, "keystore.password"));
        var pfx = File.ReadAllBytes(Path.Combine(versionFolder, "keystore.pfx"));
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(versionFolder, "deployment.json")));

        using var leaf = X509Certificate2.CreateFromPem(chainPem);
        var leafKey = leaf.PublicKey.ExportSubjectPublicKeyInfo();
        if (!leafKey.AsSpan().SequenceEqual(PublicKeyOf(keyPem)))
        {
            throw new MixedSetException($"{versionFolder}: privkey.pem does not belong to the certificate in fullchain.pem.");
        }

        using var stored = X509CertificateLoader.LoadPkcs12(pfx, password);
        using AsymmetricAlgorithm storedKey = (AsymmetricAlgorithm?)stored.GetECDsaPrivateKey() ?? stored.GetRSAPrivateKey()
            ?? throw new MixedSetException($"{versionFolder}: the keystore holds no private key.");
        var storedPublic = storedKey is ECDsa ec ? ec.ExportSubjectPublicKeyInfo() : ((RSA)storedKey).ExportSubjectPublicKeyInfo();
        if (stored.Thumbprint != leaf.Thumbprint || !storedPublic.AsSpan().SequenceEqual(leafKey))
        {
            throw new MixedSetException($"{versionFolder}: the keystore holds another certificate or key than fullchain.pem.");
        }

        var serial = manifest.RootElement.GetProperty("serialNumber").GetString();
        if (!string.Equals(serial, leaf.SerialNumber, StringComparison.OrdinalIgnoreCase))
        {
            throw new MixedSetException($"{versionFolder}: deployment.json names serial {serial}, fullchain.pem holds {leaf.SerialNumber}.");
        }

        return leaf.SerialNumber.ToUpperInvariant();
    }

    private static byte[] PublicKeyOf(string privateKeyPem)
    {
        using var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(privateKeyPem);
            return ec.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException)
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(privateKeyPem);
            return rsa.ExportSubjectPublicKeyInfo();
        }
    }

    /// <summary>One issued certificate and everything a deployment of it carries.</summary>
    public sealed record Issued(ManagedCertificate Certificate, Guid LineageId, byte[] Keystore, string PrivateKeyPem)
    {
        /// <summary>How many times a target asked for the private key.</summary>
        public int KeyRequests => _keyRequests;

        /// <summary>The arrays handed to targets (to check they were cleared).</summary>
        public ConcurrentQueue<char[]> HandedOut { get; } = new();

        private int _keyRequests;

        public CertificateDeployment Deployment() => new(Certificate, LineageId, Certificate.CertificatePem, Keystore, Password, async ct =>
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _keyRequests);
            var pem = PrivateKeyPem.ToCharArray();
            HandedOut.Enqueue(pem);
            return pem;
        });
    }
}

/// <summary>A reader found files of two versions in one set.</summary>
internal sealed class MixedSetException(string message) : Exception(message);

/// <summary>
/// Reads a certificate folder in a loop the way a server that reloads at any moment does: resolve <c>live</c> once,
/// read the whole set from the version it points at, check the set. Records every version read whole and every mix.
/// </summary>
internal sealed class LiveReader : IAsyncDisposable
{
    private readonly string _folder;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _seen = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public LiveReader(string folder)
    {
        _folder = folder;
        _loop = Task.Run(Loop);
    }

    public ConcurrentQueue<string> Mixes { get; } = new();

    public int ConsistentReads => _consistent;

    /// <summary>Reads that found the version gone (pruned after two newer ones): not a mix, the reader retries.</summary>
    public int VanishedReads => _vanished;

    private int _consistent;
    private int _vanished;

    /// <summary>Completes (with the serial read) once the reader has read the given version whole.</summary>
    public Task<string> SeenAsync(string version) => _seen.GetOrAdd(version, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public IReadOnlyCollection<string> VersionsSeen => _seen.Where(p => p.Value.Task.IsCompleted).Select(p => p.Key).ToArray();

    private void Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            var target = new DirectoryInfo(Path.Combine(_folder, FileSystemDeploymentTarget.LiveName)).LinkTarget;
            if (target is null)
            {
                Thread.Yield();
                continue;
            }

            var version = Path.GetFileName(target);
            try
            {
                var serial = DeploymentSets.CheckSet(Path.Combine(_folder, target));
                Interlocked.Increment(ref _consistent);
                _seen.GetOrAdd(version, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(serial);
            }
            catch (MixedSetException ex)
            {
                Mixes.Enqueue(ex.Message);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                Interlocked.Increment(ref _vanished);
            }
            catch (Exception ex) when (ex is CryptographicException or JsonException or ArgumentException or IOException)
            {
                // A half-written file, or one still being written (locked), would show up here: that is a mix too (a file
                // of no complete version).
                Mixes.Enqueue($"{version}: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>Stops the loop and waits (bounded) for it to end.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
