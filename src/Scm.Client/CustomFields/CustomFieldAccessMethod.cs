using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>A channel for which a custom field can be mandatory (<c>mandatories</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<CustomFieldAccessMethod>))]
public readonly struct CustomFieldAccessMethod : IEquatable<CustomFieldAccessMethod>, IScmStringValue<CustomFieldAccessMethod>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public CustomFieldAccessMethod(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>SCM's administrator interface. Wire value <c>ADMIN_UI</c>.</summary>
    public static CustomFieldAccessMethod AdminUi { get; } = new("ADMIN_UI");

    /// <summary>The REST API (what this SDK uses: enroll fails with -62 without the field). Wire value <c>REST_API</c>.</summary>
    public static CustomFieldAccessMethod RestApi { get; } = new("REST_API");

    /// <summary>The legacy SOAP API. Wire value <c>SOAP_API</c>.</summary>
    public static CustomFieldAccessMethod SoapApi { get; } = new("SOAP_API");

    /// <summary>Enrollment web forms. Wire value <c>WEB_FORM</c>.</summary>
    public static CustomFieldAccessMethod WebForm { get; } = new("WEB_FORM");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(CustomFieldAccessMethod left, CustomFieldAccessMethod right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(CustomFieldAccessMethod left, CustomFieldAccessMethod right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator CustomFieldAccessMethod(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(CustomFieldAccessMethod other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CustomFieldAccessMethod other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static CustomFieldAccessMethod IScmStringValue<CustomFieldAccessMethod>.FromWire(string value) => new(value);
}
