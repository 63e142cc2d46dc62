using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>An administrator role used to list the organizations it manages (<c>managed-by/{role}</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<OrganizationRole>))]
public readonly struct OrganizationRole : IEquatable<OrganizationRole>, IScmStringValue<OrganizationRole>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public OrganizationRole(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Master registration authority officer. Wire value <c>MRAO</c>.</summary>
    public static OrganizationRole Mrao { get; } = new("MRAO");

    /// <summary>RAO for SSL certificates. Wire value <c>RAO_SSL</c>.</summary>
    public static OrganizationRole RaoSsl { get; } = new("RAO_SSL");

    /// <summary>RAO for S/MIME certificates. Wire value <c>RAO_SMIME</c>.</summary>
    public static OrganizationRole RaoSmime { get; } = new("RAO_SMIME");

    /// <summary>RAO for code-signing certificates. Wire value <c>RAO_CS</c>.</summary>
    public static OrganizationRole RaoCodeSigning { get; } = new("RAO_CS");

    /// <summary>RAO for device certificates. Wire value <c>RAO_DEVICE</c>.</summary>
    public static OrganizationRole RaoDevice { get; } = new("RAO_DEVICE");

    /// <summary>Department RAO for SSL certificates. Wire value <c>DRAO_SSL</c>.</summary>
    public static OrganizationRole DraoSsl { get; } = new("DRAO_SSL");

    /// <summary>Department RAO for S/MIME certificates. Wire value <c>DRAO_SMIME</c>.</summary>
    public static OrganizationRole DraoSmime { get; } = new("DRAO_SMIME");

    /// <summary>Department RAO for code-signing certificates. Wire value <c>DRAO_CS</c>.</summary>
    public static OrganizationRole DraoCodeSigning { get; } = new("DRAO_CS");

    /// <summary>Department RAO for device certificates. Wire value <c>DRAO_DEVICE</c>.</summary>
    public static OrganizationRole DraoDevice { get; } = new("DRAO_DEVICE");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(OrganizationRole left, OrganizationRole right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(OrganizationRole left, OrganizationRole right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator OrganizationRole(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(OrganizationRole other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OrganizationRole other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static OrganizationRole IScmStringValue<OrganizationRole>.FromWire(string value) => new(value);
}
