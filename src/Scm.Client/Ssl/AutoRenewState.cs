using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The automatic-renewal state of a certificate (<c>autoRenewDetails.state</c>, <c>renewalStatus</c> filter).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<AutoRenewState>))]
public readonly struct AutoRenewState : IEquatable<AutoRenewState>, IScmStringValue<AutoRenewState>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public AutoRenewState(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>No automatic renewal is scheduled. Wire value <c>Not scheduled</c>.</summary>
    public static AutoRenewState NotScheduled { get; } = new("Not scheduled");

    /// <summary>Automatic renewal is scheduled. Wire value <c>Scheduled</c>.</summary>
    public static AutoRenewState Scheduled { get; } = new("Scheduled");

    /// <summary>Automatic renewal started. Wire value <c>Started</c>.</summary>
    public static AutoRenewState Started { get; } = new("Started");

    /// <summary>Automatic renewal succeeded. Wire value <c>Successful</c>.</summary>
    public static AutoRenewState Successful { get; } = new("Successful");

    /// <summary>Automatic renewal failed. Wire value <c>Failed</c>.</summary>
    public static AutoRenewState Failed { get; } = new("Failed");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(AutoRenewState left, AutoRenewState right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(AutoRenewState left, AutoRenewState right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator AutoRenewState(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(AutoRenewState other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AutoRenewState other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static AutoRenewState IScmStringValue<AutoRenewState>.FromWire(string value) => new(value);
}
