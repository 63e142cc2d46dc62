using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>How a domain was validated (<c>validationMethod</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DomainValidationMethod>))]
public readonly struct DomainValidationMethod : IEquatable<DomainValidationMethod>, IScmStringValue<DomainValidationMethod>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DomainValidationMethod(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>A file with the CSR hash over HTTP. Wire value <c>HTTP_CSR_HASH</c>.</summary>
    public static DomainValidationMethod HttpCsrHash { get; } = new("HTTP_CSR_HASH");

    /// <summary>A CNAME record with the CSR hash. Wire value <c>CNAME_CSR_HASH</c>.</summary>
    public static DomainValidationMethod CnameCsrHash { get; } = new("CNAME_CSR_HASH");

    /// <summary>An e-mail to a domain contact. Wire value <c>EMAIL</c>.</summary>
    public static DomainValidationMethod Email { get; } = new("EMAIL");

    /// <summary>A file with the CSR hash over HTTPS. Wire value <c>HTTPS_CSR_HASH</c>.</summary>
    public static DomainValidationMethod HttpsCsrHash { get; } = new("HTTPS_CSR_HASH");

    /// <summary>A TXT record with a random value. Wire value <c>DNSTXT_RANDOM_VALUE</c>.</summary>
    public static DomainValidationMethod DnsTxtRandomValue { get; } = new("DNSTXT_RANDOM_VALUE");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DomainValidationMethod left, DomainValidationMethod right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DomainValidationMethod left, DomainValidationMethod right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DomainValidationMethod(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DomainValidationMethod other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DomainValidationMethod other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DomainValidationMethod IScmStringValue<DomainValidationMethod>.FromWire(string value) => new(value);
}
