using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The DCV status of a domain (<c>validationStatus</c>; wire form UPPER_SNAKE, the display form compares equal).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DomainValidationStatus>))]
public readonly struct DomainValidationStatus : IEquatable<DomainValidationStatus>, IScmStringValue<DomainValidationStatus>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DomainValidationStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Validated. Wire value <c>VALIDATED</c>.</summary>
    public static DomainValidationStatus Validated { get; } = new("VALIDATED");

    /// <summary>Not validated. Wire value <c>NOT_VALIDATED</c>.</summary>
    public static DomainValidationStatus NotValidated { get; } = new("NOT_VALIDATED");

    /// <summary>The validation expired. Wire value <c>EXPIRED</c>.</summary>
    public static DomainValidationStatus Expired { get; } = new("EXPIRED");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DomainValidationStatus left, DomainValidationStatus right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DomainValidationStatus left, DomainValidationStatus right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DomainValidationStatus(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DomainValidationStatus other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DomainValidationStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DomainValidationStatus IScmStringValue<DomainValidationStatus>.FromWire(string value) => new(value);
}
