using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>What the one-time Private Key Agent link of <see cref="SslCertificatesClient.GetKeystoreLinkAsync"/> downloads (<c>formatType</c>).</summary>
/// <remarks>
/// Only the five documented values are sent; any other value is rejected before a request.
/// Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<SslKeystoreFormat>))]
public readonly struct SslKeystoreFormat : IEquatable<SslKeystoreFormat>, IScmStringValue<SslKeystoreFormat>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public SslKeystoreFormat(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The private key only, base64. Wire value <c>key</c>.</summary>
    public static SslKeystoreFormat Key { get; } = new("key");

    /// <summary>PKCS#12, base64. Wire value <c>p12</c>.</summary>
    public static SslKeystoreFormat Pkcs12 { get; } = new("p12");

    /// <summary>Certificate and private key, PKCS#12 with AES. Wire value <c>p12aes</c>.</summary>
    public static SslKeystoreFormat Pkcs12Aes { get; } = new("p12aes");

    /// <summary>Certificate and private key, Java KeyStore. Wire value <c>jks</c>.</summary>
    public static SslKeystoreFormat Jks { get; } = new("jks");

    /// <summary>Certificate and encrypted private key, PEM. Wire value <c>pem</c>.</summary>
    public static SslKeystoreFormat Pem { get; } = new("pem");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(SslKeystoreFormat left, SslKeystoreFormat right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(SslKeystoreFormat left, SslKeystoreFormat right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator SslKeystoreFormat(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(SslKeystoreFormat other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SslKeystoreFormat other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static SslKeystoreFormat IScmStringValue<SslKeystoreFormat>.FromWire(string value) => new(value);
}
