using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The input type of a custom field (<c>input.type</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<CustomFieldInputType>))]
public readonly struct CustomFieldInputType : IEquatable<CustomFieldInputType>, IScmStringValue<CustomFieldInputType>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public CustomFieldInputType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>One line of text. Wire value <c>TEXT_SINGLE_LINE</c>.</summary>
    public static CustomFieldInputType TextSingleLine { get; } = new("TEXT_SINGLE_LINE");

    /// <summary>Several lines of text. Wire value <c>TEXT_MULTI_LINE</c>.</summary>
    public static CustomFieldInputType TextMultiLine { get; } = new("TEXT_MULTI_LINE");

    /// <summary>An e-mail address. Wire value <c>EMAIL</c>.</summary>
    public static CustomFieldInputType Email { get; } = new("EMAIL");

    /// <summary>A number. Wire value <c>NUMBER</c>.</summary>
    public static CustomFieldInputType Number { get; } = new("NUMBER");

    /// <summary>One of <see cref="CustomFieldInput.Options"/>. Wire value <c>TEXT_OPTION</c>.</summary>
    public static CustomFieldInputType TextOption { get; } = new("TEXT_OPTION");

    /// <summary>A date, <c>yyyy-MM-dd</c>. Wire value <c>DATE</c>.</summary>
    public static CustomFieldInputType Date { get; } = new("DATE");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(CustomFieldInputType left, CustomFieldInputType right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(CustomFieldInputType left, CustomFieldInputType right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator CustomFieldInputType(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(CustomFieldInputType other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CustomFieldInputType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static CustomFieldInputType IScmStringValue<CustomFieldInputType>.FromWire(string value) => new(value);
}
