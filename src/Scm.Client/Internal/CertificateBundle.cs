using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Scm.Client.Internal;

/// <summary>Parses what collect returns (PEM certificates, PKCS#7 PEM, PKCS#7 DER, a DER certificate) and finds the leaf by structure.</summary>
internal static class CertificateBundle
{
    private const string SignedDataOid = "1.2.840.113549.1.7.2";

    public static X509Certificate2Collection Parse(ReadOnlySpan<byte> content)
    {
        var collection = new X509Certificate2Collection();
        var start = content.TrimStart(" \t\r\n"u8);
        if (start.IsEmpty)
        {
            return collection;
        }

        // Binary (DER) bodies are taken as they are: trailing bytes may legitimately be 0x00 or 0x0A.
        if (start[0] == 0x30)
        {
            AddDer(collection, start.ToArray());
            return collection;
        }

        var trimmed = start.TrimEnd(" \t\r\n\0"u8);

        var text = Encoding.ASCII.GetString(trimmed);
        var rest = text.AsSpan();
        var found = false;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            found = true;
            var label = rest[fields.Label];
            var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
            if (label.SequenceEqual("CERTIFICATE") || label.SequenceEqual("X509 CERTIFICATE") || label.SequenceEqual("TRUSTED CERTIFICATE"))
            {
                collection.Add(Load(der));
            }
            else if (label.SequenceEqual("PKCS7") || label.SequenceEqual("CMS") || label.SequenceEqual("PKCS #7 SIGNED DATA"))
            {
                AddPkcs7(collection, der);
            }

            rest = rest[fields.Location.End..];
        }

        if (!found)
        {
            // Bare base64 without armour.
            var der = Convert.FromBase64String(new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray()));
            AddDer(collection, der);
        }

        return collection;
    }

    private static void AddDer(X509Certificate2Collection collection, byte[] der)
    {
        if (IsPkcs7(der))
        {
            AddPkcs7(collection, der);
        }
        else
        {
            collection.Add(Load(der));
        }
    }

    private static bool IsPkcs7(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.BER);
            var seq = reader.ReadSequence();
            return seq.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) && seq.ReadObjectIdentifier() == SignedDataOid;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, encapContentInfo, [0] certificates ... } }.</summary>
    private static void AddPkcs7(X509Certificate2Collection collection, byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.BER);
        var contentInfo = reader.ReadSequence();
        if (contentInfo.ReadObjectIdentifier() != SignedDataOid)
        {
            throw new CryptographicException("The PKCS#7 content is not SignedData.");
        }

        var explicitContent = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        var signedData = explicitContent.ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf(skipSortOrderValidation: true);
        signedData.ReadSequence();
        var certificatesTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(certificatesTag))
        {
            var certificates = signedData.ReadSetOf(skipSortOrderValidation: true, certificatesTag);
            while (certificates.HasData)
            {
                var tag = certificates.PeekTag();
                var encoded = certificates.ReadEncodedValue();
                if (tag.HasSameClassAndValue(Asn1Tag.Sequence))
                {
                    collection.Add(Load(encoded.Span));
                }
            }
        }
    }

    /// <summary>At most this many CA certificates are kept decoded (SCM sends the same few issuers with every collect).</summary>
    internal const int MaxCachedAuthorities = 64;

    // Decoding a certificate is the largest cost of a collect (about 0.14 ms each on the benchmark machine), and every
    // bundle repeats the same root and intermediate. CA certificates are kept decoded, keyed by their whole encoding
    // (a hit compares every byte), and handed out as new handles: each caller still owns and disposes its own object.
    private static readonly ConcurrentDictionary<byte[], X509Certificate2> s_authorities = new(EncodingComparer.Instance);

    internal static int CachedAuthorityCount => s_authorities.Count;

    private static X509Certificate2 Load(ReadOnlySpan<byte> der)
    {
        var encoded = der.ToArray();
        if (s_authorities.TryGetValue(encoded, out var known))
        {
            return new X509Certificate2(known);
        }

#if NET9_0_OR_GREATER
        var loaded = X509CertificateLoader.LoadCertificate(encoded);
#else
        var loaded = new X509Certificate2(encoded);
#endif
        if (s_authorities.Count < MaxCachedAuthorities && IsCertificateAuthority(loaded))
        {
            var kept = new X509Certificate2(loaded);
            if (!s_authorities.TryAdd(encoded, kept))
            {
                kept.Dispose();
            }
        }

        return loaded;
    }

    /// <summary>Compares certificate encodings byte for byte.</summary>
    private sealed class EncodingComparer : IEqualityComparer<byte[]>
    {
        public static readonly EncodingComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }

    /// <summary>The certificate that issues no other certificate in the bundle and is not a CA; null when there is not exactly one.</summary>
    public static X509Certificate2? FindLeaf(X509Certificate2Collection certificates)
    {
        X509Certificate2? leaf = null;
        foreach (var candidate in certificates)
        {
            if (IsCertificateAuthority(candidate) || IssuesAnother(candidate, certificates))
            {
                continue;
            }

            if (leaf is not null && !leaf.RawDataMemory.Span.SequenceEqual(candidate.RawDataMemory.Span))
            {
                return null;
            }

            leaf = candidate;
        }

        return leaf;
    }

    /// <summary>The issuers of <paramref name="leaf"/> found in the bundle, leaf-to-root, stopping at a self-signed one.</summary>
    public static IReadOnlyList<X509Certificate2> BuildChain(X509Certificate2 leaf, X509Certificate2Collection certificates)
    {
        var chain = new List<X509Certificate2>();
        var current = leaf;
        while (!IsSelfIssued(current))
        {
            X509Certificate2? issuer = null;
            foreach (var c in certificates)
            {
                if (!ReferenceEquals(c, current) && !chain.Contains(c) && Issued(c, current))
                {
                    issuer = c;
                    break;
                }
            }

            if (issuer is null)
            {
                break;
            }

            chain.Add(issuer);
            current = issuer;
        }

        return chain;
    }

    private static bool IssuesAnother(X509Certificate2 candidate, X509Certificate2Collection all)
    {
        foreach (var other in all)
        {
            if (!ReferenceEquals(other, candidate) && !IsSelfIssued(other) && Issued(candidate, other))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSelfIssued(X509Certificate2 c) => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);

    /// <summary>Whether <paramref name="issuer"/>'s subject is <paramref name="subject"/>'s issuer (and the key ids agree when both are present).</summary>
    private static bool Issued(X509Certificate2 issuer, X509Certificate2 subject)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(subject.IssuerName.RawData))
        {
            return false;
        }

        var ski = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        var aki = subject.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        if (ski?.SubjectKeyIdentifierBytes is { } s && aki?.KeyIdentifier is { } a)
        {
            return s.Span.SequenceEqual(a.Span);
        }

        return true;
    }

    private static bool IsCertificateAuthority(X509Certificate2 c)
    {
        var bc = c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        return bc?.CertificateAuthority == true;
    }
}
