using System.Globalization;
using Scm.Lifecycle;
using Scm.Storage;

namespace Scm.Samples.Web.Rendering;

/// <summary>Small formatting rules shared by the pages.</summary>
public static class Display
{
    public static string SeverityClass(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Ok => "ok",
        FindingSeverity.Warning => "warn",
        _ => "bad",
    };

    public static string Date(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-";

    public static string Day(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Whole days from <paramref name="now"/> to <paramref name="notAfter"/> (negative once expired).</summary>
    public static int DaysLeft(DateTimeOffset notAfter, DateTimeOffset now) => (int)Math.Floor((notAfter - now).TotalDays);

    /// <summary>The expiry class of a certificate: expired, due within 14 or 30 days, or fine.</summary>
    public static string ExpiryClass(DateTimeOffset notAfter, DateTimeOffset now)
    {
        var days = (notAfter - now).TotalDays;
        return days < 0 ? "expired" : days < 14 ? "bad" : days < 30 ? "warn" : "ok";
    }

    public static string StatusClass(CertificateStatus status) => status switch
    {
        CertificateStatus.Active => "ok",
        CertificateStatus.Revoked => "bad",
        _ => "muted",
    };

    public static string OrderClass(OrderState state) => state switch
    {
        OrderState.Completed => "ok",
        OrderState.Failed or OrderState.InvalidCertificate or OrderState.Stuck or OrderState.Ambiguous => "bad",
        OrderState.Cancelled => "muted",
        _ => "warn",
    };

    public static string Short(Guid id) => id.ToString("N")[^8..];

    public static string KeyDescription(KeyAlgorithm? algorithm, int? size, string? curve) => algorithm switch
    {
        KeyAlgorithm.EC => "EC " + (curve ?? "P-256"),
        KeyAlgorithm.Rsa => "RSA " + (size?.ToString(CultureInfo.InvariantCulture) ?? "2048"),
        _ => "-",
    };

    public static string RevocationReasonLabel(int code) => code switch
    {
        0 => "0 - Unspecified",
        1 => "1 - Key compromise",
        3 => "3 - Affiliation changed",
        4 => "4 - Superseded",
        5 => "5 - Cessation of operation",
        _ => code.ToString(CultureInfo.InvariantCulture),
    };
}
