using Scm.Lifecycle.Internal.Engine;

namespace Scm.Lifecycle.Tests.Unit;

/// <summary>Audit reasons name a renewal window in a unit a reader can use, short-lived certificates included.</summary>
public sealed class AutoRenewalTextTests
{
    [Theory]
    [InlineData(30 * 86400, "30 days")]
    [InlineData(36 * 3600, "1.5 days")]
    [InlineData(2 * 3600, "2 hours")]
    [InlineData(90 * 60, "1.5 hours")]
    [InlineData(20 * 60, "20 minutes")]
    [InlineData(30, "30 seconds")]
    [InlineData(0, "0 seconds")]
    public void Describe_PicksTheLargestUnitBelowTheSpan(int seconds, string expected) =>
        Assert.Equal(expected, AutoRenewalScanner.Describe(TimeSpan.FromSeconds(seconds)));
}
