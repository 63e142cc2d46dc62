using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>A domain control validation method (<c>dcvMode</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DcvMode>))]
public readonly struct DcvMode : IEquatable<DcvMode>, IScmStringValue<DcvMode>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DcvMode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>A CNAME record. Wire value <c>CNAME</c>.</summary>
    public static DcvMode Cname { get; } = new("CNAME");

    /// <summary>An e-mail to a domain contact (needs <c>dcvEmail</c>). Wire value <c>EMAIL</c>.</summary>
    public static DcvMode Email { get; } = new("EMAIL");

    /// <summary>A file served over HTTP. Wire value <c>HTTP</c>.</summary>
    public static DcvMode Http { get; } = new("HTTP");

    /// <summary>A file served over HTTPS. Wire value <c>HTTPS</c>.</summary>
    public static DcvMode Https { get; } = new("HTTPS");

    /// <summary>A TXT record. Wire value <c>TXT</c>.</summary>
    public static DcvMode Txt { get; } = new("TXT");

    /// <summary>Chosen by SCM (OpenAPI only). Wire value <c>AUTO</c>.</summary>
    public static DcvMode Auto { get; } = new("AUTO");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DcvMode left, DcvMode right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DcvMode left, DcvMode right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DcvMode(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DcvMode other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DcvMode other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DcvMode IScmStringValue<DcvMode>.FromWire(string value) => new(value);
}
