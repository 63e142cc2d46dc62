using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The delegation status of a domain or one of its delegations (<c>delegationStatus</c>, <c>status</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DomainDelegationStatus>))]
public readonly struct DomainDelegationStatus : IEquatable<DomainDelegationStatus>, IScmStringValue<DomainDelegationStatus>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DomainDelegationStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Active. Wire value <c>ACTIVE</c>.</summary>
    public static DomainDelegationStatus Active { get; } = new("ACTIVE");

    /// <summary>Requested and waiting for approval. Wire value <c>REQUESTED</c>.</summary>
    public static DomainDelegationStatus Requested { get; } = new("REQUESTED");

    /// <summary>Waiting for the caller (seen in client code only). Wire value <c>AWAITING_ME</c>.</summary>
    public static DomainDelegationStatus AwaitingMe { get; } = new("AWAITING_ME");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DomainDelegationStatus left, DomainDelegationStatus right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DomainDelegationStatus left, DomainDelegationStatus right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DomainDelegationStatus(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DomainDelegationStatus other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DomainDelegationStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DomainDelegationStatus IScmStringValue<DomainDelegationStatus>.FromWire(string value) => new(value);
}
