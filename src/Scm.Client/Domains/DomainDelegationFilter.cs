using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The delegation <c>status</c> filter of the domain list (<c>GET /domain/v1</c>): <c>requested</c> or <c>approved</c>.</summary>
/// <remarks>
/// Only the two documented values are sent; any other value is rejected before a request, naming the field.
/// Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DomainDelegationFilter>))]
public readonly struct DomainDelegationFilter : IEquatable<DomainDelegationFilter>, IScmStringValue<DomainDelegationFilter>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DomainDelegationFilter(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Delegations requested and not yet approved. Wire value <c>requested</c>.</summary>
    public static DomainDelegationFilter Requested { get; } = new("requested");

    /// <summary>Approved delegations. Wire value <c>approved</c>.</summary>
    public static DomainDelegationFilter Approved { get; } = new("approved");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DomainDelegationFilter left, DomainDelegationFilter right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DomainDelegationFilter left, DomainDelegationFilter right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DomainDelegationFilter(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DomainDelegationFilter other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DomainDelegationFilter other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DomainDelegationFilter IScmStringValue<DomainDelegationFilter>.FromWire(string value) => new(value);
}
