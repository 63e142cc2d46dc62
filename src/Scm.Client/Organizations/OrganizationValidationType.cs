using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The type of an organization validation (<c>type</c> in the Admin API 25.9 document).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<OrganizationValidationType>))]
public readonly struct OrganizationValidationType : IEquatable<OrganizationValidationType>, IScmStringValue<OrganizationValidationType>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public OrganizationValidationType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>E-mail validation. Wire value <c>EMAIL</c>.</summary>
    public static OrganizationValidationType Email { get; } = new("EMAIL");

    /// <summary>Domain validation. Wire value <c>DV</c>.</summary>
    public static OrganizationValidationType Dv { get; } = new("DV");

    /// <summary>Organization validation. Wire value <c>OV</c>.</summary>
    public static OrganizationValidationType Ov { get; } = new("OV");

    /// <summary>Extended validation. Wire value <c>EV</c>.</summary>
    public static OrganizationValidationType Ev { get; } = new("EV");

    /// <summary>A private CA's validation. Wire value <c>PRIVATE</c>.</summary>
    public static OrganizationValidationType Private { get; } = new("PRIVATE");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(OrganizationValidationType left, OrganizationValidationType right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(OrganizationValidationType left, OrganizationValidationType right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator OrganizationValidationType(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(OrganizationValidationType other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OrganizationValidationType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static OrganizationValidationType IScmStringValue<OrganizationValidationType>.FromWire(string value) => new(value);
}
