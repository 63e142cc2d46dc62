using System.Text.Json.Serialization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The state of a domain's DCV order (<c>orderStatus</c>, <c>dcvOrderStatus</c>; wire form UPPER_SNAKE, the display form compares equal).</summary>
/// <remarks>
/// An open set: any string the server sends is kept as is, so an unknown value never fails
/// deserialization. Equality ignores case, spaces, underscores and hyphens, so the display form and
/// the UPPER_SNAKE form of one value compare equal.
/// </remarks>
[JsonConverter(typeof(ScmStringValueConverter<DcvOrderStatus>))]
public readonly struct DcvOrderStatus : IEquatable<DcvOrderStatus>, IScmStringValue<DcvOrderStatus>
{
    private readonly string? _value;

    /// <summary>Creates a value from its wire form.</summary>
    /// <param name="value">The wire value; any string is accepted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public DcvOrderStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>No validation started. Wire value <c>NOT_INITIATED</c>.</summary>
    public static DcvOrderStatus NotInitiated { get; } = new("NOT_INITIATED");

    /// <summary>Started; SCM waits for the submit. Wire value <c>AWAITING_SUBMISSION</c>.</summary>
    public static DcvOrderStatus AwaitingSubmission { get; } = new("AWAITING_SUBMISSION");

    /// <summary>Submitted; SCM checks (or waits for the e-mail link). Wire value <c>SUBMITTED</c>.</summary>
    public static DcvOrderStatus Submitted { get; } = new("SUBMITTED");

    /// <summary>Rejected. Wire value <c>REJECTED</c>.</summary>
    public static DcvOrderStatus Rejected { get; } = new("REJECTED");

    /// <summary>The wire form of this value (empty for <c>default</c>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator ==(DcvOrderStatus left, DcvOrderStatus right) => left.Equals(right);

    /// <summary>Compares two values (case-insensitive, ignoring spaces, underscores and hyphens).</summary>
    public static bool operator !=(DcvOrderStatus left, DcvOrderStatus right) => !left.Equals(right);

    /// <summary>Converts a wire string to a value.</summary>
    public static implicit operator DcvOrderStatus(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(DcvOrderStatus other) => ScmStringValue.AreEqual(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DcvOrderStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ScmStringValue.GetHashCode(_value);

    /// <summary>Returns the wire form.</summary>
    public override string ToString() => _value ?? string.Empty;

    static DcvOrderStatus IScmStringValue<DcvOrderStatus>.FromWire(string value) => new(value);
}
