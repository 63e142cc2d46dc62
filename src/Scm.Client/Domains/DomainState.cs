using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The state of a domain in its details (<c>state</c>: <c>ACTIVE</c> or <c>SUSPENDED</c>). The list filter has its own values, see <see cref="DomainStateFilter"/>.</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DomainState>))]
public readonly struct DomainState : IEquatable<DomainState>, IScmStringValue<DomainState>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DomainState(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Active. Wire value <c>ACTIVE</c>.</summary>
    public static DomainState Active { get; } = new("ACTIVE");

    /// <summary>Suspended. Wire value <c>SUSPENDED</c>.</summary>
    public static DomainState Suspended { get; } = new("SUSPENDED");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DomainState left, DomainState right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DomainState left, DomainState right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DomainState(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DomainState other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DomainState other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DomainState IScmStringValue<DomainState>.FromWire(string value) => new(value);
}
