using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The auto-installation state of a certificate (<c>installStatus</c> filter, <c>autoInstallDetails.state</c>).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<SslInstallStatus>))]
public readonly struct SslInstallStatus : IEquatable<SslInstallStatus>, IScmStringValue<SslInstallStatus>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public SslInstallStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>Auto-installation is not configured. Wire value <c>Not configured</c>.</summary>
    public static SslInstallStatus NotConfigured { get; } = new("Not configured");

    /// <summary>Not started. Wire value <c>Not started</c>.</summary>
    public static SslInstallStatus NotStarted { get; } = new("Not started");

    /// <summary>The key is being generated. Wire value <c>Key processing</c>.</summary>
    public static SslInstallStatus KeyProcessing { get; } = new("Key processing");

    /// <summary>The key and CSR are ready. Wire value <c>Key and CSR ready</c>.</summary>
    public static SslInstallStatus KeyReady { get; } = new("Key and CSR ready");

    /// <summary>The certificate is being processed. Wire value <c>Certificate processing</c>.</summary>
    public static SslInstallStatus CertificateProcessing { get; } = new("Certificate processing");

    /// <summary>Installation is scheduled. Wire value <c>Installation scheduled</c>.</summary>
    public static SslInstallStatus Scheduled { get; } = new("Installation scheduled");

    /// <summary>Installation is running. Wire value <c>Installation processing</c>.</summary>
    public static SslInstallStatus Installing { get; } = new("Installation processing");

    /// <summary>An action is required. Wire value <c>Action required</c>.</summary>
    public static SslInstallStatus ActionRequired { get; } = new("Action required");

    /// <summary>Ready to install. Wire value <c>Ready for install</c>.</summary>
    public static SslInstallStatus ReadyForInstall { get; } = new("Ready for install");

    /// <summary>The server must be restarted. Wire value <c>Server restart required</c>.</summary>
    public static SslInstallStatus ServerRestartRequired { get; } = new("Server restart required");

    /// <summary>Installation completed. Wire value <c>Completed</c>.</summary>
    public static SslInstallStatus Completed { get; } = new("Completed");

    /// <summary>The configuration is invalid. Wire value <c>Invalid configuration</c>.</summary>
    public static SslInstallStatus InvalidConfiguration { get; } = new("Invalid configuration");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(SslInstallStatus left, SslInstallStatus right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(SslInstallStatus left, SslInstallStatus right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator SslInstallStatus(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(SslInstallStatus other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SslInstallStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static SslInstallStatus IScmStringValue<SslInstallStatus>.FromWire(string value) => new(value);
}
