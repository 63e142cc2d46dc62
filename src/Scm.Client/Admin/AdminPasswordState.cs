using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The state of the calling administrator's password (<c>state</c> of <c>GET /admin/v1/password</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<AdminPasswordState>))]
public readonly struct AdminPasswordState : IEquatable<AdminPasswordState>, IScmStringValue<AdminPasswordState>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public AdminPasswordState(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The password is valid. Wire value <c>ALIVE</c>.</summary>
    public static AdminPasswordState Alive { get; } = new("ALIVE");

    /// <summary>The password expired; API calls will fail until it is changed. Wire value <c>EXPIRED</c>.</summary>
    public static AdminPasswordState Expired { get; } = new("EXPIRED");

    /// <summary>The password never expires. Wire value <c>NEVER_EXPIRE</c>.</summary>
    public static AdminPasswordState NeverExpire { get; } = new("NEVER_EXPIRE");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(AdminPasswordState left, AdminPasswordState right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(AdminPasswordState left, AdminPasswordState right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator AdminPasswordState(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(AdminPasswordState other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AdminPasswordState other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static AdminPasswordState IScmStringValue<AdminPasswordState>.FromWire(string value) => new(value);
}
