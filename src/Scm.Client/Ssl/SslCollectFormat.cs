using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The format of a collected certificate (<c>format</c> of <c>GET /ssl/v1/collect/{sslId}</c>).</summary>
/// <remarks>
/// Unlike the other value types the client only sends the ten formats SCM documents: any other value is
/// rejected with an <see cref="ArgumentException"/> before a request is made. Equality ignores case.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<SslCollectFormat>))]
public readonly struct SslCollectFormat : IEquatable<SslCollectFormat>, IScmStringValue<SslCollectFormat>
{
    private static readonly string[] Known = ["x509", "x509CO", "base64", "bin", "x509IO", "x509IOR", "pem", "pemco", "pemia", "x509R"];

    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public SslCollectFormat(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Certificate with its chain, concatenated PEM, root first. Wire value <c>x509</c>.</summary>
    public static SslCollectFormat X509 { get; } = new("x509");

    /// <summary>Certificate only, PEM. Wire value <c>x509CO</c>.</summary>
    public static SslCollectFormat X509CertificateOnly { get; } = new("x509CO");

    /// <summary>PKCS#7, PEM-armoured (SCM's default). Wire value <c>base64</c>.</summary>
    public static SslCollectFormat Base64 { get; } = new("base64");

    /// <summary>PKCS#7, DER. Wire value <c>bin</c>.</summary>
    public static SslCollectFormat Binary { get; } = new("bin");

    /// <summary>Root and intermediate(s) only, PEM. Wire value <c>x509IO</c>.</summary>
    public static SslCollectFormat X509IssuersOnly { get; } = new("x509IO");

    /// <summary>Intermediate(s) and root only, PEM (reverse of <see cref="X509IssuersOnly"/>). Wire value <c>x509IOR</c>.</summary>
    public static SslCollectFormat X509IssuersOnlyReversed { get; } = new("x509IOR");

    /// <summary>Certificate with chain, PEM. Wire value <c>pem</c>.</summary>
    public static SslCollectFormat Pem { get; } = new("pem");

    /// <summary>Certificate only, PEM. Wire value <c>pemco</c>.</summary>
    public static SslCollectFormat PemCertificateOnly { get; } = new("pemco");

    /// <summary>Certificate followed by its issuer(s), PEM. Wire value <c>pemia</c>.</summary>
    public static SslCollectFormat PemIssuersAfter { get; } = new("pemia");

    /// <summary>Certificate with chain, PEM, in the other order. Wire value <c>x509R</c>.</summary>
    public static SslCollectFormat X509Reversed { get; } = new("x509R");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is one of the ten formats SCM documents.</summary>
    public bool IsKnown => Canonical is not null;

    /// <summary>Whether the content is PKCS#7 (base64 or bin) rather than concatenated PEM certificates.</summary>
    public bool IsPkcs7 => Equals(Base64) || Equals(Binary);

    /// <summary>The documented spelling of a known format, else null.</summary>
    internal string? Canonical
    {
        get
        {
            foreach (var k in Known)
            {
                if (string.Equals(k, _value, StringComparison.OrdinalIgnoreCase))
                {
                    return k;
                }
            }

            return null;
        }
    }

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator ==(SslCollectFormat left, SslCollectFormat right) => left.Equals(right);

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator !=(SslCollectFormat left, SslCollectFormat right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator SslCollectFormat(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(SslCollectFormat other) => string.Equals(_value ?? string.Empty, other._value ?? string.Empty, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SslCollectFormat other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(_value ?? string.Empty);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static SslCollectFormat IScmStringValue<SslCollectFormat>.FromWire(string value) => new(value);
}
