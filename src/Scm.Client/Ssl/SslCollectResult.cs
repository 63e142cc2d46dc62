using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scm.Client;

/// <summary>
/// The outcome of a collect: either the issued certificate (<see cref="IsIssued"/>) or "not ready yet" — SCM's
/// HTTP 400 with code 0 "Being processed by Sectigo", -183, -1400, -109 or -103, or an empty 200 body — which is an
/// expected outcome, not an exception. Dispose it to release the certificates.
/// </summary>
public sealed class SslCollectResult : IDisposable
{
    private SslCollectResult(bool issued, SslCollectFormat format, ReadOnlyMemory<byte> content, X509Certificate2Collection certificates, X509Certificate2? leaf, IReadOnlyList<X509Certificate2> chain, int? scmErrorCode, string? description)
    {
        IsIssued = issued;
        Format = format;
        Content = content;
        Certificates = certificates;
        Leaf = leaf;
        Chain = chain;
        ScmErrorCode = scmErrorCode;
        Description = description;
    }

    /// <summary>Whether the certificate was returned. False means "not issued yet: poll again later".</summary>
    public bool IsIssued { get; }

    /// <summary>The format requested.</summary>
    public SslCollectFormat Format { get; }

    /// <summary>The body exactly as SCM sent it (empty when not issued).</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>Every certificate in the body, in the order sent (empty when not issued).</summary>
    public X509Certificate2Collection Certificates { get; }

    /// <summary>
    /// The end-entity certificate, found by structure: the one certificate that issues no other certificate in the
    /// bundle and is not a CA — never by position. Null when not issued, for issuer-only formats, or when the bundle
    /// does not have exactly one such certificate (then use <see cref="FindByPublicKey(AsymmetricAlgorithm)"/>).
    /// </summary>
    public X509Certificate2? Leaf { get; }

    /// <summary>The issuers of <see cref="Leaf"/> present in the bundle, leaf-to-root (empty without a leaf).</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    /// <summary>When not issued: SCM's code (0, -183, -1400, -109, -103), or null for an empty 200 body.</summary>
    public int? ScmErrorCode { get; }

    /// <summary>When not issued: SCM's description.</summary>
    public string? Description { get; }

    internal static SslCollectResult NotReady(SslCollectFormat format, int? code, string? description) =>
        new(false, format, ReadOnlyMemory<byte>.Empty, [], null, [], code, description);

    internal static SslCollectResult Issued(SslCollectFormat format, ReadOnlyMemory<byte> content, X509Certificate2Collection certificates)
    {
        var leaf = Internal.CertificateBundle.FindLeaf(certificates);
        var chain = leaf is null ? [] : Internal.CertificateBundle.BuildChain(leaf, certificates);
        return new SslCollectResult(true, format, content, certificates, leaf, chain, null, null);
    }

    /// <summary>Finds the certificate whose public key is <paramref name="key"/>'s (the safe way to pick the leaf for a key you hold).</summary>
    /// <param name="key">An RSA, ECDSA or other key whose SubjectPublicKeyInfo can be exported.</param>
    /// <returns>The matching certificate, or null.</returns>
    public X509Certificate2? FindByPublicKey(AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return FindByPublicKey(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Finds the certificate whose DER SubjectPublicKeyInfo equals <paramref name="subjectPublicKeyInfo"/>.</summary>
    /// <param name="subjectPublicKeyInfo">A DER-encoded SubjectPublicKeyInfo.</param>
    /// <returns>The matching certificate, or null.</returns>
    public X509Certificate2? FindByPublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        foreach (var certificate in Certificates)
        {
            if (certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(subjectPublicKeyInfo))
            {
                return certificate;
            }
        }

        return null;
    }

    /// <summary>Disposes every certificate.</summary>
    public void Dispose()
    {
        foreach (var c in Certificates)
        {
            c.Dispose();
        }
    }
}
