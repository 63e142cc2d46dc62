using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The state of a custom field (<c>state</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<CustomFieldState>))]
public readonly struct CustomFieldState : IEquatable<CustomFieldState>, IScmStringValue<CustomFieldState>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public CustomFieldState(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>In use. Wire value <c>ACTIVE</c>.</summary>
    public static CustomFieldState Active { get; } = new("ACTIVE");

    /// <summary>Not in use. Wire value <c>INACTIVE</c>.</summary>
    public static CustomFieldState Inactive { get; } = new("INACTIVE");

    /// <summary>Suspended while active. Wire value <c>SUSPENDED_ACTIVE</c>.</summary>
    public static CustomFieldState SuspendedActive { get; } = new("SUSPENDED_ACTIVE");

    /// <summary>Suspended while inactive. Wire value <c>SUSPENDED_INACTIVE</c>.</summary>
    public static CustomFieldState SuspendedInactive { get; } = new("SUSPENDED_INACTIVE");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(CustomFieldState left, CustomFieldState right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(CustomFieldState left, CustomFieldState right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator CustomFieldState(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(CustomFieldState other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CustomFieldState other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static CustomFieldState IScmStringValue<CustomFieldState>.FromWire(string value) => new(value);
}
