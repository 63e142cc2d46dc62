using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The kind of a certificate location (<c>locationType</c>); only <see cref="Custom"/> can be written through the API.</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<SslLocationType>))]
public readonly struct SslLocationType : IEquatable<SslLocationType>, IScmStringValue<SslLocationType>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public SslLocationType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>An ACME client. Wire value <c>ACME</c>.</summary>
    public static SslLocationType Acme { get; } = new("ACME");

    /// <summary>A custom location written through the API. Wire value <c>CUSTOM</c>.</summary>
    public static SslLocationType Custom { get; } = new("CUSTOM");

    /// <summary>A node and port. Wire value <c>NODE_PORT</c>.</summary>
    public static SslLocationType NodePort { get; } = new("NODE_PORT");

    /// <summary>A network host. Wire value <c>NETWORK_HOST</c>.</summary>
    public static SslLocationType NetworkHost { get; } = new("NETWORK_HOST");

    /// <summary>An Active Directory entry. Wire value <c>ACTIVE_DIRECTORY_ENTRY</c>.</summary>
    public static SslLocationType ActiveDirectoryEntry { get; } = new("ACTIVE_DIRECTORY_ENTRY");

    /// <summary>An Azure Key Vault key. Wire value <c>AZURE_KEY_VAULT</c>.</summary>
    public static SslLocationType AzureKeyVault { get; } = new("AZURE_KEY_VAULT");

    /// <summary>An Azure Key Vault certificate. Wire value <c>AZURE_KEY_VAULT_CERT</c>.</summary>
    public static SslLocationType AzureKeyVaultCertificate { get; } = new("AZURE_KEY_VAULT_CERT");

    /// <summary>The Private Key Agent. Wire value <c>PK_AGENT</c>.</summary>
    public static SslLocationType PrivateKeyAgent { get; } = new("PK_AGENT");

    /// <summary>A network agent. Wire value <c>NETWORK_AGENT</c>.</summary>
    public static SslLocationType NetworkAgent { get; } = new("NETWORK_AGENT");

    /// <summary>The Sectigo key vault. Wire value <c>SECTIGO_KEY_VAULT</c>.</summary>
    public static SslLocationType SectigoKeyVault { get; } = new("SECTIGO_KEY_VAULT");

    /// <summary>The legacy key archive. Wire value <c>LEGACY_KEY_ARCHIVE</c>.</summary>
    public static SslLocationType LegacyKeyArchive { get; } = new("LEGACY_KEY_ARCHIVE");

    /// <summary>AWS Certificate Manager. Wire value <c>AWS_CM</c>.</summary>
    public static SslLocationType AwsCertificateManager { get; } = new("AWS_CM");

    /// <summary>Google Cloud Certificate Manager. Wire value <c>GCP_CM</c>.</summary>
    public static SslLocationType GcpCertificateManager { get; } = new("GCP_CM");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(SslLocationType left, SslLocationType right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(SslLocationType left, SslLocationType right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator SslLocationType(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(SslLocationType other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SslLocationType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static SslLocationType IScmStringValue<SslLocationType>.FromWire(string value) => new(value);
}
