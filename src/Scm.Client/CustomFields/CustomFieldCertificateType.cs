using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The certificate type a custom field belongs to (<c>certType</c>; the list filter spells it <c>SSL</c>, the answer may say <c>ssl</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<CustomFieldCertificateType>))]
public readonly struct CustomFieldCertificateType : IEquatable<CustomFieldCertificateType>, IScmStringValue<CustomFieldCertificateType>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public CustomFieldCertificateType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>SSL/TLS certificates. Wire value <c>SSL</c>.</summary>
    public static CustomFieldCertificateType Ssl { get; } = new("SSL");

    /// <summary>S/MIME (client) certificates. Wire value <c>SMIME</c>.</summary>
    public static CustomFieldCertificateType Smime { get; } = new("SMIME");

    /// <summary>Code signing certificates (not a list filter value of the Admin API 25.9). Wire value <c>CodeSign</c>.</summary>
    public static CustomFieldCertificateType CodeSigning { get; } = new("CodeSign");

    /// <summary>Device certificates. Wire value <c>Device</c>.</summary>
    public static CustomFieldCertificateType Device { get; } = new("Device");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(CustomFieldCertificateType left, CustomFieldCertificateType right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(CustomFieldCertificateType left, CustomFieldCertificateType right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator CustomFieldCertificateType(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(CustomFieldCertificateType other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CustomFieldCertificateType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static CustomFieldCertificateType IScmStringValue<CustomFieldCertificateType>.FromWire(string value) => new(value);
}
