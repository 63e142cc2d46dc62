namespace Scm.Lifecycle;

/// <summary>
/// The CA/Browser Forum's limits for publicly trusted TLS certificates as ballot SC-081 phases them in: the longest
/// validity a certificate issued on a date may have, and how long a domain validation (DCV) may be reused. SCM and the CA
/// decide; the SDK uses these to tell the host before it pays for a surprise (an order whose term is beyond the maximum
/// gets a notice) and to plan renewals and revalidations (see docs/short-lived-certificates.md).
/// </summary>
public static class PublicTlsLimits
{
    private static readonly (DateTimeOffset From, int ValidityDays, int DcvReuseDays)[] s_phases =
    [
        (new DateTimeOffset(2029, 3, 15, 0, 0, 0, TimeSpan.Zero), 47, 10),
        (new DateTimeOffset(2027, 3, 15, 0, 0, 0, TimeSpan.Zero), 100, 100),
        (new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero), 200, 200),
    ];

    /// <summary>The longest validity, in days, of a public TLS certificate issued at <paramref name="issuedAt"/>: 398 before 2026-03-15, 200 from then, 100 from 2027-03-15, 47 from 2029-03-15.</summary>
    /// <param name="issuedAt">When the certificate is issued (an order's date is a good estimate).</param>
    /// <returns>The maximum validity in days.</returns>
    public static int MaxValidityDays(DateTimeOffset issuedAt) => Phase(issuedAt)?.ValidityDays ?? 398;

    /// <summary>How many days a domain validation may be reused for a certificate issued at <paramref name="issuedAt"/>: 398 before 2026-03-15, 200 from then, 100 from 2027-03-15, 10 from 2029-03-15.</summary>
    /// <param name="issuedAt">When the certificate is issued.</param>
    /// <returns>The reuse period in days.</returns>
    public static int MaxDcvReuseDays(DateTimeOffset issuedAt) => Phase(issuedAt)?.DcvReuseDays ?? 398;

    private static (DateTimeOffset From, int ValidityDays, int DcvReuseDays)? Phase(DateTimeOffset at)
    {
        foreach (var phase in s_phases)
        {
            if (at >= phase.From)
            {
                return phase;
            }
        }

        return null;
    }
}
