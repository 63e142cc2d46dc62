using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.Validation;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

/// <summary>
/// Issue 17, policy for short lifetimes: the renewal window is the policy's "N days before expiry" capped by the last
/// third of the certificate's lifetime (the table of docs/short-lived-certificates.md), and an order whose term is beyond
/// the CA/Browser Forum maximum in force on its date gets a notice before anything is paid.
/// </summary>
public sealed class ShortLivedPolicyTests
{
    private static readonly DateTimeOffset s_issued = new(2029, 4, 1, 0, 0, 0, TimeSpan.Zero);

    private static ManagedCertificate Certificate(int lifetimeDays) => new()
    {
        Id = Guid.NewGuid(),
        CommonName = "a.example.com",
        SerialNumber = "01",
        Thumbprint = "00",
        NotBefore = s_issued,
        NotAfter = s_issued.AddDays(lifetimeDays),
        CertificatePem = string.Empty,
        CreatedAt = s_issued,
        UpdatedAt = s_issued,
    };

    // The documented table: lifetime, policy "N days before expiry", the window the engine uses, whether it was capped.
    [Theory]
    [InlineData(398, 30, 30.0, false)]
    [InlineData(200, 30, 30.0, false)]
    [InlineData(100, 30, 30.0, false)]
    [InlineData(47, 30, 47.0 / 3, true)]
    [InlineData(398, 60, 60.0, false)]
    [InlineData(200, 60, 60.0, false)]
    [InlineData(100, 60, 100.0 / 3, true)]
    [InlineData(47, 60, 47.0 / 3, true)]
    [InlineData(47, 10, 10.0, false)]
    public void Plan_RenewBeforeCappedByTheLastThirdOfTheLifetime(int lifetimeDays, int renewBeforeDays, double windowDays, bool capped)
    {
        var certificate = Certificate(lifetimeDays);
        var plan = AutoRenewalScanner.Plan(certificate, TimeSpan.FromDays(renewBeforeDays), TimeSpan.FromHours(6));

        Assert.Equal(windowDays, plan.Window.TotalDays, precision: 6);
        Assert.Equal(capped, plan.FellBackToThird);

        // Jitter moves the renewal earlier by at most min(6 h, a tenth of the window), never later than the window.
        var jitter = TimeSpan.FromHours(6) < plan.Window / 10 ? TimeSpan.FromHours(6) : plan.Window / 10;
        Assert.InRange(plan.RenewAt, certificate.NotAfter - plan.Window - jitter, certificate.NotAfter - plan.Window);
    }

    [Theory]
    [InlineData(0.5, 47, 30, 23.5)]
    [InlineData(1.0, 47, 30, 30)]
    [InlineData(0.25, 398, 30, 30)]
    public void Plan_MaxShareOfLifetime_ChangesTheCap(double share, int lifetimeDays, int renewBeforeDays, double windowDays)
    {
        var plan = AutoRenewalScanner.Plan(Certificate(lifetimeDays), TimeSpan.FromDays(renewBeforeDays), TimeSpan.Zero, share);
        Assert.Equal(windowDays, plan.Window.TotalDays, precision: 6);
    }

    [Theory]
    [InlineData("2026-03-14", 398, 398)]
    [InlineData("2026-03-15", 200, 200)]
    [InlineData("2027-03-14", 200, 200)]
    [InlineData("2027-03-15", 100, 100)]
    [InlineData("2029-03-14", 100, 100)]
    [InlineData("2029-03-15", 47, 10)]
    [InlineData("2035-01-01", 47, 10)]
    public void PublicTlsLimits_FollowBallotSc081(string date, int validity, int dcvReuse)
    {
        var at = DateTimeOffset.Parse(date + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(validity, PublicTlsLimits.MaxValidityDays(at));
        Assert.Equal(dcvReuse, PublicTlsLimits.MaxDcvReuseDays(at));
    }

    [Fact]
    public void Validate_TermBeyondTheMaximumInForce_IsANoticeNotAnError()
    {
        var validator = new OrderRequestValidator(new OrderingOptions());
        var request = TestCatalog.Valid() with { TermDays = 180 };

        var before = validator.Validate(request, TestCatalog.Create(), new DateTimeOffset(2027, 3, 14, 12, 0, 0, TimeSpan.Zero));
        var after = validator.Validate(request, TestCatalog.Create(), new DateTimeOffset(2027, 6, 1, 12, 0, 0, TimeSpan.Zero));

        Assert.DoesNotContain(before.Notices, n => n.Contains("SC-081", StringComparison.Ordinal));
        var notice = Assert.Single(after.Notices, n => n.Contains("SC-081", StringComparison.Ordinal));
        Assert.Contains("TermDays 180 is longer than the 100 days", notice, StringComparison.Ordinal);
        Assert.Contains("2027-06-01", notice, StringComparison.Ordinal);
    }
}
