using Scm.Lifecycle.Validation;

namespace Scm.Lifecycle.Tests.Unit;

public sealed class DnsNameRulesTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("WWW.Example.COM", "www.example.com")]
    [InlineData("*.example.com", "*.example.com")]
    [InlineData("a-b.example.com", "a-b.example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    public void TryNormalize_ValidName_ReturnsLowercaseALabel(string input, string expected)
    {
        Assert.True(DnsNameRules.TryNormalize(input, allowInternalNames: false, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("a b.example.com", "a space")]
    [InlineData("a_b.example.com", "'_'")]
    [InlineData("a!.example.com", "'!'")]
    [InlineData("a\0.example.com", "NUL")]
    [InlineData("a\u0007.example.com", "control character")]
    [InlineData("-a.example.com", "hyphen")]
    [InlineData("a-.example.com", "hyphen")]
    [InlineData("foo.*.example.com", "left-most label")]
    [InlineData("*.*.example.com", "left-most label")]
    [InlineData("*", "wildcard")]
    [InlineData("*example.com", "left-most label")]
    [InlineData("*.com", "two labels")]
    [InlineData("a..example.com", "empty label")]
    [InlineData("10.0.0.5", "IP address")]
    [InlineData("server.local", "internal name")]
    [InlineData("localhost", "internal name")]
    [InlineData("intranet", "internal name")]
    public void TryNormalize_InvalidName_ExplainsWhy(string input, string reasonFragment)
    {
        Assert.False(DnsNameRules.TryNormalize(input, allowInternalNames: false, out _, out var error));
        Assert.Contains(reasonFragment, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TryNormalize_LabelOver63_ReportsLabelLength()
    {
        var label = new string('a', 64);
        Assert.False(DnsNameRules.TryNormalize(label + ".example.com", false, out _, out var error));
        Assert.Contains("exceeds 63 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryNormalize_NameOver253_ReportsNameLength()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + ".com";
        Assert.False(DnsNameRules.TryNormalize(name, false, out _, out var error));
        Assert.Contains("exceeds 253 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryNormalize_InternalNamesAllowed_AcceptsIpAndLocal()
    {
        Assert.True(DnsNameRules.TryNormalize("10.0.0.5", allowInternalNames: true, out var ip, out _));
        Assert.Equal("10.0.0.5", ip);
        Assert.True(DnsNameRules.TryNormalize("server.local", allowInternalNames: true, out var local, out _));
        Assert.Equal("server.local", local);
    }

    [Theory]
    [InlineData("a.example.com", "example.com", true)]
    [InlineData("example.com", "example.com", true)]
    [InlineData("*.example.com", "example.com", true)]
    [InlineData("a.example.com", "*.example.com", true)]
    [InlineData("badexample.com", "example.com", false)]
    [InlineData("example.org", "example.com", false)]
    public void IsWithin_MatchesDomainAndSubdomains(string name, string domain, bool expected) =>
        Assert.Equal(expected, DnsNameRules.IsWithin(name, domain));

    [Theory]
    [InlineData("bob@example.com", true)]
    [InlineData("first.last+tag@sub.example.co.uk", true)]
    [InlineData("bob@", false)]
    [InlineData("a@b@c.com", false)]
    [InlineData("bob@example.com;eve@example.com", false)]
    [InlineData("bob@example", false)]
    [InlineData(".bob@example.com", false)]
    [InlineData("bob smith@example.com", false)]
    public void EmailRules_IsValid(string value, bool expected) => Assert.Equal(expected, EmailRules.IsValid(value));
}
