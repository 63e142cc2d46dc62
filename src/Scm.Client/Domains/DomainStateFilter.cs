using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The <c>state</c> filter of the domain list (<c>GET /domain/v1</c>): <c>active</c> or <c>inactive</c>, lower case in both SCM API documents.</summary>
/// <remarks>
/// Only the two documented values are sent; any other value (for example the details' <c>ACTIVE</c> or <c>SUSPENDED</c>, which SCM
/// refuses as a filter) is rejected before a request, naming the field. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DomainStateFilter>))]
public readonly struct DomainStateFilter : IEquatable<DomainStateFilter>, IScmStringValue<DomainStateFilter>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DomainStateFilter(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Active domains. Wire value <c>active</c>.</summary>
    public static DomainStateFilter Active { get; } = new("active");

    /// <summary>Suspended (inactive) domains. Wire value <c>inactive</c>.</summary>
    public static DomainStateFilter Inactive { get; } = new("inactive");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DomainStateFilter left, DomainStateFilter right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DomainStateFilter left, DomainStateFilter right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DomainStateFilter(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DomainStateFilter other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DomainStateFilter other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DomainStateFilter IScmStringValue<DomainStateFilter>.FromWire(string value) => new(value);
}
