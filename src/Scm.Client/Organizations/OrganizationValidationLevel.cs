using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The level of an organization validation (<c>validationLevel</c> in the REST API 25.5 document).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<OrganizationValidationLevel>))]
public readonly struct OrganizationValidationLevel : IEquatable<OrganizationValidationLevel>, IScmStringValue<OrganizationValidationLevel>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public OrganizationValidationLevel(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Organization validation for SSL certificates. Wire value <c>OV_SSL</c>.</summary>
    public static OrganizationValidationLevel OvSsl { get; } = new("OV_SSL");

    /// <summary>Organization validation for S/MIME certificates. Wire value <c>OV_SMIME</c>.</summary>
    public static OrganizationValidationLevel OvSmime { get; } = new("OV_SMIME");

    /// <summary>Extended validation for SSL certificates. Wire value <c>EV_SSL</c>.</summary>
    public static OrganizationValidationLevel EvSsl { get; } = new("EV_SSL");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(OrganizationValidationLevel left, OrganizationValidationLevel right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(OrganizationValidationLevel left, OrganizationValidationLevel right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator OrganizationValidationLevel(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(OrganizationValidationLevel other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OrganizationValidationLevel other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static OrganizationValidationLevel IScmStringValue<OrganizationValidationLevel>.FromWire(string value) => new(value);
}
