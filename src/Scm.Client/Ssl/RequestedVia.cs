using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>How an SSL certificate was requested (<c>requestedVia</c>; details use the display form, the list filter also accepts the UPPER_SNAKE form).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<RequestedVia>))]
public readonly struct RequestedVia : IEquatable<RequestedVia>, IScmStringValue<RequestedVia>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public RequestedVia(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The enrollment web form. Wire value <c>Enrollment Form</c>.</summary>
    public static RequestedVia EnrollmentForm { get; } = new("Enrollment Form");

    /// <summary>The SCM administration UI. Wire value <c>Client Admin</c>.</summary>
    public static RequestedVia ClientAdmin { get; } = new("Client Admin");

    /// <summary>The REST or SOAP web API. Wire value <c>Web API</c>.</summary>
    public static RequestedVia WebApi { get; } = new("Web API");

    /// <summary>Found by network discovery. Wire value <c>Discovery</c>.</summary>
    public static RequestedVia Discovery { get; } = new("Discovery");

    /// <summary>Imported. Wire value <c>Imported</c>.</summary>
    public static RequestedVia Imported { get; } = new("Imported");

    /// <summary>SCEP. Wire value <c>SCEP</c>.</summary>
    public static RequestedVia Scep { get; } = new("SCEP");

    /// <summary>The certificate discovery agent. Wire value <c>CD Agent</c>.</summary>
    public static RequestedVia CdAgent { get; } = new("CD Agent");

    /// <summary>The Microsoft CA agent. Wire value <c>MS Agent</c>.</summary>
    public static RequestedVia MsAgent { get; } = new("MS Agent");

    /// <summary>A Microsoft CA. Wire value <c>MS CA</c>.</summary>
    public static RequestedVia MsCa { get; } = new("MS CA");

    /// <summary>A bulk request. Wire value <c>Bulk Request</c>.</summary>
    public static RequestedVia BulkRequest { get; } = new("Bulk Request");

    /// <summary>ACME. Wire value <c>ACME</c>.</summary>
    public static RequestedVia Acme { get; } = new("ACME");

    /// <summary>EST. Wire value <c>EST</c>.</summary>
    public static RequestedVia Est { get; } = new("EST");

    /// <summary>The REST enrollment API. Wire value <c>REST API</c>.</summary>
    public static RequestedVia RestApi { get; } = new("REST API");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(RequestedVia left, RequestedVia right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(RequestedVia left, RequestedVia right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator RequestedVia(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(RequestedVia other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RequestedVia other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static RequestedVia IScmStringValue<RequestedVia>.FromWire(string value) => new(value);
}
