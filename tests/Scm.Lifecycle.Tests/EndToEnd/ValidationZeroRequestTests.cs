using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>docs/reliability.md, "Bad input", through the host: every rejected input is refused before any request reaches SCM, and nothing is stored.</summary>
public sealed class ValidationZeroRequestTests : IAsyncLifetime
{
    private EngineHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await EngineHarness.StartAsync();
        await _h.Lifecycle.SyncCatalogAsync();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    public static TheoryData<string, string> BadRequests => new()
    {
        { "empty-cn", "CommonName" },
        { "long-cn", "CommonName" },
        { "bad-chars", "CommonName" },
        { "misplaced-wildcard", "CommonName" },
        { "private-ip", "CommonName" },
        { "local-name", "CommonName" },
        { "empty-san", "SubjectAlternativeNames[1]" },
        { "comma-san", "SubjectAlternativeNames[0]" },
        { "long-comment", "Comments" },
        { "bad-requester", "ExternalRequesters[0]" },
        { "rsa-1024", "KeySize" },
        { "rsa-2047", "KeySize" },
        { "curve-p521", "Curve" },
        { "term-0", "TermDays" },
        { "term-not-offered", "TermDays" },
        { "unknown-profile", "ProfileId" },
        { "unknown-org", "OrganizationId" },
        { "profile-not-for-org", "ProfileId" },
        { "missing-mandatory-field", "CustomFields" },
        { "unknown-field", "CustomFields[1]" },
        { "short-password", "KeystorePassword" },
        { "nul-password", "KeystorePassword" },
        { "domain-not-validated", "SubjectAlternativeNames" },
        { "domain-not-delegated", "SubjectAlternativeNames" },
        { "domain-unknown", "SubjectAlternativeNames" },
    };

    private static OrderCertificateRequest Bad(string kind)
    {
        var r = EngineHarness.Request();
        return kind switch
        {
            "empty-cn" => r with { CommonName = " " },
            "long-cn" => r with { CommonName = new string('a', 60) + ".acme.example" },
            "bad-chars" => r with { CommonName = "bad_name.acme.example" },
            "misplaced-wildcard" => r with { CommonName = "foo.*.acme.example" },
            "private-ip" => r with { CommonName = "10.0.0.5", SubjectAlternativeNames = [] },
            "local-name" => r with { CommonName = "server.local", SubjectAlternativeNames = [] },
            "empty-san" => r with { SubjectAlternativeNames = ["a.acme.example", ""] },
            "comma-san" => r with { SubjectAlternativeNames = ["a.acme.example,b.acme.example"] },
            "long-comment" => r with { Comments = new string('c', 1025) },
            "bad-requester" => r with { ExternalRequesters = ["bob@example.com;eve@example.com"] },
            "rsa-1024" => r with { KeyAlgorithm = KeyAlgorithm.Rsa, KeySize = 1024 },
            "rsa-2047" => r with { KeyAlgorithm = KeyAlgorithm.Rsa, KeySize = 2047 },
            "curve-p521" => r with { Curve = "P-521" },
            "term-0" => r with { TermDays = 0 },
            "term-not-offered" => r with { TermDays = 730 },
            "unknown-profile" => r with { ProfileId = 999999 },
            "unknown-org" => r with { OrganizationId = 0 },
            "profile-not-for-org" => r with { ProfileId = 105 },
            "missing-mandatory-field" => r with { CustomFields = [] },
            "unknown-field" => r with { CustomFields = [new CustomFieldValue(EngineHarness.CostCenter, "1"), new CustomFieldValue("No Such Field", "x")] },
            "short-password" => r with { KeystorePassword = "short" },
            "nul-password" => r with { KeystorePassword = "long enough pass\0word" },
            "domain-not-validated" => r with { SubjectAlternativeNames = ["www.pending-dcv.example"] },
            "domain-not-delegated" => r with { SubjectAlternativeNames = ["www.globex.example"] },
            "domain-unknown" => r with { SubjectAlternativeNames = ["www.nowhere.example"] },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Order_BadInput_RejectedNamingFieldWithZeroRequestsAndNothingStored(string kind, string field)
    {
        var requestsBefore = _h.Simulator.Counters.Requests;
        var ex = await Assert.ThrowsAsync<CertificateRequestValidationException>(() => _h.Lifecycle.OrderAsync(Bad(kind)));
        Assert.True(ex.HasErrorFor(field), $"{kind}: expected an error for {field}; got: {ex.Message}");
        Assert.Equal(requestsBefore, _h.Simulator.Counters.Requests);
        Assert.Empty(await _h.Lifecycle.ListOrdersAsync().ToListAsync());
        Assert.DoesNotContain("word", ex.Message.Replace("password", string.Empty, StringComparison.OrdinalIgnoreCase).Replace("Password", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
