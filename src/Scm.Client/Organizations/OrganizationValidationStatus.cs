using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The status of an organization validation (<c>status</c>, <c>backgroundStatus</c>). SCM refuses orders for profiles that need it with -843 unless it is <see cref="Validated"/>.</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<OrganizationValidationStatus>))]
public readonly struct OrganizationValidationStatus : IEquatable<OrganizationValidationStatus>, IScmStringValue<OrganizationValidationStatus>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public OrganizationValidationStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Not validated. Wire value <c>NOT_VALIDATED</c>.</summary>
    public static OrganizationValidationStatus NotValidated { get; } = new("NOT_VALIDATED");

    /// <summary>Submitted, waiting for the CA. Wire value <c>PENDING</c>.</summary>
    public static OrganizationValidationStatus Pending { get; } = new("PENDING");

    /// <summary>Was validated; the validation expired. Wire value <c>EXPIRED</c>.</summary>
    public static OrganizationValidationStatus Expired { get; } = new("EXPIRED");

    /// <summary>The CA refused the validation. Wire value <c>FAILED</c>.</summary>
    public static OrganizationValidationStatus Failed { get; } = new("FAILED");

    /// <summary>Validated and current. Wire value <c>VALIDATED</c>.</summary>
    public static OrganizationValidationStatus Validated { get; } = new("VALIDATED");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(OrganizationValidationStatus left, OrganizationValidationStatus right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(OrganizationValidationStatus left, OrganizationValidationStatus right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator OrganizationValidationStatus(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(OrganizationValidationStatus other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OrganizationValidationStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static OrganizationValidationStatus IScmStringValue<OrganizationValidationStatus>.FromWire(string value) => new(value);
}
