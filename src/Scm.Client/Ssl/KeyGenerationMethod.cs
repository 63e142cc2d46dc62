using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>Where SCM generates the key of an <c>enroll-keygen</c> request (<c>keyGenerationMethod</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<KeyGenerationMethod>))]
public readonly struct KeyGenerationMethod : IEquatable<KeyGenerationMethod>, IScmStringValue<KeyGenerationMethod>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public KeyGenerationMethod(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The Private Key Agent. Wire value <c>PK_AGENT</c>.</summary>
    public static KeyGenerationMethod PrivateKeyAgent { get; } = new("PK_AGENT");

    /// <summary>An Azure Key Vault. Wire value <c>AZURE_KEY_VAULT</c>.</summary>
    public static KeyGenerationMethod AzureKeyVault { get; } = new("AZURE_KEY_VAULT");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(KeyGenerationMethod left, KeyGenerationMethod right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(KeyGenerationMethod left, KeyGenerationMethod right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator KeyGenerationMethod(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(KeyGenerationMethod other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is KeyGenerationMethod other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static KeyGenerationMethod IScmStringValue<KeyGenerationMethod>.FromWire(string value) => new(value);
}
