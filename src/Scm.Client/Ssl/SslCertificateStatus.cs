using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The status of an SSL certificate order in SCM (<c>status</c> on the wire).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<SslCertificateStatus>))]
public readonly struct SslCertificateStatus : IEquatable<SslCertificateStatus>, IScmStringValue<SslCertificateStatus>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public SslCertificateStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The request is stored in SCM and waits for approval or for submission to the CA. Wire value <c>Requested</c>.</summary>
    public static SslCertificateStatus Requested { get; } = new("Requested");

    /// <summary>A first-level approval is done and a second approval is pending (the OpenAPI spells it <c>SA Approved</c>; both compare equal). Wire value <c>SAApproved</c>.</summary>
    public static SslCertificateStatus SAApproved { get; } = new("SAApproved");

    /// <summary>Approved by an administrator, not yet accepted by the CA. Wire value <c>Approved</c>.</summary>
    public static SslCertificateStatus Approved { get; } = new("Approved");

    /// <summary>Submitted to the CA; validation is in progress and collect is not yet possible. Wire value <c>Applied</c>.</summary>
    public static SslCertificateStatus Applied { get; } = new("Applied");

    /// <summary>Issued by the CA; the certificate can be collected. Wire value <c>Issued</c>.</summary>
    public static SslCertificateStatus Issued { get; } = new("Issued");

    /// <summary>Declined by an SCM administrator. Wire value <c>Declined</c>.</summary>
    public static SslCertificateStatus Declined { get; } = new("Declined");

    /// <summary>Rejected by the CA. Wire value <c>Rejected</c>.</summary>
    public static SslCertificateStatus Rejected { get; } = new("Rejected");

    /// <summary>Processing failed; the request can be edited and resubmitted. Wire value <c>Invalid</c>.</summary>
    public static SslCertificateStatus Invalid { get; } = new("Invalid");

    /// <summary>Revoked. Wire value <c>Revoked</c>.</summary>
    public static SslCertificateStatus Revoked { get; } = new("Revoked");

    /// <summary>Past its expiry date. Wire value <c>Expired</c>.</summary>
    public static SslCertificateStatus Expired { get; } = new("Expired");

    /// <summary>Superseded by a replace operation. Wire value <c>Replaced</c>.</summary>
    public static SslCertificateStatus Replaced { get; } = new("Replaced");

    /// <summary>Created but not yet submitted. Wire value <c>Init</c>.</summary>
    public static SslCertificateStatus Init { get; } = new("Init");

    /// <summary>Deprecated by SCM; filtering by it returns nothing. Wire value <c>Unmanaged</c>.</summary>
    public static SslCertificateStatus Unmanaged { get; } = new("Unmanaged");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether the order is still on its way to issuance (Requested, SAApproved, Approved, Applied or Init).</summary>
    public bool IsPendingIssuance => Equals(Requested) || Equals(SAApproved) || Equals(Approved) || Equals(Applied) || Equals(Init);

    /// <summary>Whether the order waits for an administrator's approval (Requested or SAApproved).</summary>
    public bool IsAwaitingApproval => Equals(Requested) || Equals(SAApproved);

    /// <summary>Whether the order ended without a certificate (Declined, Rejected or Invalid).</summary>
    public bool IsTerminalFailure => Equals(Declined) || Equals(Rejected) || Equals(Invalid);

    /// <summary>Whether the certificate is issued and can be collected.</summary>
    public bool IsIssued => Equals(Issued);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(SslCertificateStatus left, SslCertificateStatus right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(SslCertificateStatus left, SslCertificateStatus right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator SslCertificateStatus(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(SslCertificateStatus other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SslCertificateStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static SslCertificateStatus IScmStringValue<SslCertificateStatus>.FromWire(string value) => new(value);
}
