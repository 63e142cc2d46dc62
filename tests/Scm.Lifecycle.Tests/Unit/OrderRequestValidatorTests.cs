using Scm.Lifecycle.Validation;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.Unit;

/// <summary>The bad-input table of docs/reliability.md, against a synced catalog: every case names the field and the rule.</summary>
public sealed class OrderRequestValidatorTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static ValidatedOrderRequest Validate(OrderCertificateRequest request, OrderingOptions? options = null) =>
        new OrderRequestValidator(options ?? new OrderingOptions()).Validate(request, TestCatalog.Create(), s_now);

    private static CertificateRequestValidationException Reject(OrderCertificateRequest request, OrderingOptions? options = null) =>
        Assert.Throws<CertificateRequestValidationException>(() => Validate(request, options));

    [Fact]
    public void Validate_ValidRequest_NormalizesAndAddsCommonNameFirst()
    {
        var result = Validate(TestCatalog.Valid() with { CommonName = "WWW.example.com", SubjectAlternativeNames = ["api.example.com", "API.example.com"] });
        Assert.Equal("www.example.com", result.CommonName);
        Assert.Equal(["www.example.com", "api.example.com"], result.SubjectAlternativeNames);
        Assert.Contains(result.Notices, n => n.Contains("Duplicate", StringComparison.Ordinal));
        Assert.Contains(result.Notices, n => n.Contains("added to the subject alternative names", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "CommonName is required.")]
    [InlineData("  ", "CommonName is required.")]
    public void Validate_EmptyCommonName_Required(string cn, string message)
    {
        var ex = Reject(TestCatalog.Valid() with { CommonName = cn });
        Assert.Contains(ex.Errors, e => e.Field == "CommonName" && e.Message == message);
        Assert.Equal("CommonName", ex.ParamName);
    }

    [Fact]
    public void Validate_CommonNameOver64_NamesLimit()
    {
        var cn = new string('a', 53) + ".example.com";
        var ex = Reject(TestCatalog.Valid() with { CommonName = cn });
        Assert.Contains(ex.Errors, e => e.Message == "CommonName must be 1-64 characters (X.509 and SCM limit); got 65.");
    }

    [Theory]
    [InlineData("foo.*.example.com", "wildcard allowed only as the whole left-most label")]
    [InlineData("a_b.example.com", "not a valid DNS name")]
    [InlineData("10.0.0.5", "Private IPs and internal names are not allowed")]
    [InlineData("server.local", "Private IPs and internal names are not allowed")]
    public void Validate_BadCommonName_Rejected(string cn, string fragment)
    {
        var ex = Reject(TestCatalog.Valid() with { CommonName = cn, SubjectAlternativeNames = [] });
        Assert.Contains(ex.Errors, e => e.Field == "CommonName" && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Validate_IdnCommonName_ConvertedToALabel()
    {
        var catalog = TestCatalog.Create() with
        {
            Domains = [new CatalogDomain { Id = 9, Name = "xn--bcher-kva.example", State = "ACTIVE", ValidationStatus = "VALIDATED", Delegations = [new() { OrganizationId = TestCatalog.Org, Status = "ACTIVE" }] }],
        };
        var result = new OrderRequestValidator(new OrderingOptions()).Validate(
            TestCatalog.Valid() with { CommonName = "bücher.example", SubjectAlternativeNames = [] }, catalog, s_now);
        Assert.Equal("xn--bcher-kva.example", result.CommonName);
    }

    [Fact]
    public void Validate_SanProblems_EachNamedByIndex()
    {
        var ex = Reject(TestCatalog.Valid() with { SubjectAlternativeNames = ["a.example.com", "", "b.example.com,c.example.com"] });
        Assert.Contains(ex.Errors, e => e.Field == "SubjectAlternativeNames[1]" && e.Message == "SubjectAlternativeNames[1] is empty.");
        Assert.Contains(ex.Errors, e => e.Field == "SubjectAlternativeNames[2]" && e.Message.Contains("may not contain ','", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TooManySans_NamesMaximum()
    {
        var sans = Enumerable.Range(0, 6).Select(i => $"h{i}.example.com").ToArray();
        var ex = Reject(TestCatalog.Valid() with { SubjectAlternativeNames = sans }, new OrderingOptions { MaxSubjectAlternativeNames = 5 });
        Assert.Contains(ex.Errors, e => e.Message.StartsWith("At most 5", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CommentTooLong_NamesLimitWithMarker()
    {
        var ex = Reject(TestCatalog.Valid() with { Comments = new string('x', 1025) });
        Assert.Contains(ex.Errors, e => e.Field == "Comments" && e.Message.StartsWith("Comments may be at most 981 characters", StringComparison.Ordinal) && e.Message.EndsWith("got 1025.", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CommentAtLimit_Accepted()
    {
        var result = Validate(TestCatalog.Valid() with { Comments = new string('x', CertificateRequestLimits.MaxCommentsLength) });
        Assert.NotNull(result);
    }

    [Theory]
    [InlineData("bob@")]
    [InlineData("a@b@c")]
    [InlineData("bob@example.com;eve@example.com")]
    public void Validate_BadExternalRequester_Rejected(string email)
    {
        var ex = Reject(TestCatalog.Valid() with { ExternalRequesters = [email] });
        Assert.Contains(ex.Errors, e => e.Field == "ExternalRequesters[0]" && e.Message.Contains("ExternalRequester must be e-mail addresses separated by ',' and at most 512 characters.", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ExternalRequestersOver512_Rejected()
    {
        var many = Enumerable.Range(0, 40).Select(i => $"person{i:00}@example.com").ToArray();
        var ex = Reject(TestCatalog.Valid() with { ExternalRequesters = many });
        Assert.Contains(ex.Errors, e => e.Field == "ExternalRequesters" && e.Rule == "length");
    }

    [Theory]
    [InlineData(1024, "RSA key size 1024 is not allowed; this profile accepts 2048, 3072, 4096.")]
    [InlineData(2047, "RSA key size 2047 is not allowed; this profile accepts 2048, 3072, 4096.")]
    [InlineData(8192, "RSA key size 8192 is not allowed; this profile accepts 2048, 3072, 4096.")]
    public void Validate_RsaSizeNotAllowed_ListsAllowedSizes(int size, string message)
    {
        var ex = Reject(TestCatalog.Valid() with { KeyAlgorithm = KeyAlgorithm.Rsa, KeySize = size });
        Assert.Contains(ex.Errors, e => e.Field == "KeySize" && e.Message == message);
    }

    [Theory]
    [InlineData("P-521", "Key type EC P-521 is not allowed by profile 10; allowed: EC P-256, EC P-384.")]
    [InlineData("secp256k1", "Key type EC secp256k1 is not supported; supported curves: P-256, P-384, P-521.")]
    public void Validate_CurveNotAllowed_ListsAllowed(string curve, string message)
    {
        var ex = Reject(TestCatalog.Valid() with { Curve = curve });
        Assert.Contains(ex.Errors, e => e.Message == message);
    }

    [Fact]
    public void Validate_RsaOnEcOnlyProfile_Rejected()
    {
        var ex = Reject(TestCatalog.Valid() with { ProfileId = TestCatalog.EcOnlyProfile, KeyAlgorithm = KeyAlgorithm.Rsa, KeySize = 2048 });
        Assert.Contains(ex.Errors, e => e.Rule == "algorithm-not-allowed" && e.Message.Contains("allowed: EC P-256", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, "TermDays must be positive; got 0.")]
    [InlineData(-1, "TermDays must be positive; got -1.")]
    [InlineData(365, "Term 365 is not offered by profile 10; allowed: 90, 180.")]
    public void Validate_BadTerm_NamesAllowedTerms(int term, string message)
    {
        var ex = Reject(TestCatalog.Valid() with { TermDays = term });
        Assert.Contains(ex.Errors, e => e.Field == "TermDays" && e.Message == message);
    }

    [Fact]
    public void Validate_UnknownProfile_ListsAvailable()
    {
        var ex = Reject(TestCatalog.Valid() with { ProfileId = 999999 });
        Assert.Contains(ex.Errors, e => e.Field == "ProfileId" && e.Message.StartsWith("Certificate profile 999999 not found; available: 10 (OV Multi-Domain)", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_UnknownOrganization_Rejected()
    {
        var ex = Reject(TestCatalog.Valid() with { OrganizationId = 0 });
        Assert.Contains(ex.Errors, e => e.Field == "OrganizationId" && e.Message.StartsWith("Organization 0 not found", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ProfileNotOfferedToOrganization_Rejected()
    {
        var ex = Reject(TestCatalog.Valid() with { ProfileId = TestCatalog.OtherOrgProfile, KeyAlgorithm = KeyAlgorithm.Rsa, KeySize = 2048 });
        Assert.Contains(ex.Errors, e => e.Rule == "profile-not-offered");
    }

    [Fact]
    public void Validate_DepartmentInheritsParentDelegation_Accepted()
    {
        var result = Validate(TestCatalog.Valid() with { OrganizationId = TestCatalog.Department });
        Assert.Equal("www.example.com", result.CommonName);
    }

    [Theory]
    [InlineData("a.pending.example.net", "domain-not-validated")]
    [InlineData("a.expired.example.org", "domain-not-validated")]
    [InlineData("a.other.example.io", "domain-not-delegated")]
    [InlineData("a.requested.example.dev", "domain-not-delegated")]
    [InlineData("a.unknown-domain.com", "domain-unknown")]
    public void Validate_DomainNotUsable_Rejected(string name, string rule)
    {
        var ex = Reject(TestCatalog.Valid() with { SubjectAlternativeNames = [name] });
        Assert.Contains(ex.Errors, e => e.Rule == rule && e.Message.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CustomFieldProblems_Reported()
    {
        var ex = Reject(TestCatalog.Valid() with { CustomFields = [new CustomFieldValue("unknownField", "x"), new CustomFieldValue("note", "a"), new CustomFieldValue("note", "b")] });
        Assert.Contains(ex.Errors, e => e.Message == "Mandatory custom field 'costCenter' is missing.");
        Assert.Contains(ex.Errors, e => e.Message.StartsWith("Unknown custom field 'unknownField'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Message == "Custom field 'note' is given more than once.");
    }

    [Theory]
    [InlineData("short", "at least 12 characters")]
    [InlineData("long enough\0password", "may not contain NUL")]
    public void Validate_BadKeystorePassword_Rejected(string password, string fragment)
    {
        var ex = Reject(TestCatalog.Valid() with { KeystorePassword = password });
        Assert.Contains(ex.Errors, e => e.Field == "KeystorePassword" && e.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.DoesNotContain(password, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_AllReportedTogether()
    {
        var ex = Reject(TestCatalog.Valid() with { CommonName = "", TermDays = 365, Comments = new string('c', 2000) });
        Assert.True(ex.Errors.Count >= 3);
        Assert.StartsWith($"{ex.Errors.Count} problems:", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.HasErrorFor("TermDays"));
    }
}
