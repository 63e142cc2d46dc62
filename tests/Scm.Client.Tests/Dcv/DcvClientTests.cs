using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Scm.Client.Tests.Infrastructure;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Client.Tests.Dcv;

/// <summary>
/// <see cref="DcvClient"/> against the simulator in both vendor API versions: list with paging and filters, status, start
/// and submit by every method with the simulator really checking (DNS zone, HTTP file on 127.0.0.1, e-mail confirmation),
/// refused checks, expiry on the fake clock and orders refused afterwards, and argument checks before any request.
/// </summary>
public sealed class DcvClientTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Start.UtcDateTime);

    private sealed class Session : IAsyncDisposable
    {
        public required ScmSimulator Sim { get; init; }

        public required FakeTimeProvider Clock { get; init; }

        public required ScmClient Client { get; init; }

        public required ScmSimulatorDnsZone Zone { get; init; }

        public required DcvFileServer Files { get; init; }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Sim.DisposeAsync();
            await Files.DisposeAsync();
        }
    }

    private static async Task<Session> StartAsync(ScmApiVersion version = ScmApiVersion.Rest25_5, Action<ScmSimulatorOptions>? configure = null)
    {
        var clock = new FakeTimeProvider(Start);
        var zone = new ScmSimulatorDnsZone();
        var files = new DcvFileServer();
        var options = new ScmSimulatorOptions
        {
            Seed = 1717,
            Log = null,
            TimeProvider = clock,
            ApiVersion = version == ScmApiVersion.Admin25_9 ? ScmSimulatorApiVersion.Admin25_9 : ScmSimulatorApiVersion.Rest25_5,
            DnsResolver = zone,
            MaxPageSize = 3,
        };
        options.DcvHttpBaseAddresses["pending-dcv.example"] = files.BaseAddress;
        configure?.Invoke(options);
        var sim = await ScmSimulator.StartAsync(options);
        var client = new ScmClient(new ScmClientOptions
        {
            BaseAddress = sim.BaseAddress,
            Login = sim.Credentials.Login,
            Password = sim.Credentials.Password,
            CustomerUri = sim.Credentials.CustomerUri,
            ApiVersion = version,
            MaxRetryAttempts = 0,
            PageSize = 200,
        });
        return new Session { Sim = sim, Clock = clock, Client = client, Zone = zone, Files = files };
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task List_PagesOfThree_WalksEveryDomainWithTotal(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);

        var page = await s.Client.Dcv.ListPageAsync(null, 0, 200);
        var all = await ToListAsync(s.Client.Dcv.ListAsync());

        Assert.Equal(3, page.Items.Count);
        Assert.Equal(7, page.TotalCount);
        Assert.Equal(7, all.Select(v => v.Domain).Distinct().Count());
        var acme = all.Single(v => v.Domain == "acme.example");
        Assert.Equal(DomainValidationStatus.Validated, acme.Status);
        Assert.Equal(DcvOrderStatus.NotInitiated, acme.OrderStatus);
        Assert.Equal(DomainValidationMethod.CnameCsrHash, acme.Method);
        Assert.Equal(Today.AddDays(335), acme.ExpiresOn);
        var pending = all.Single(v => v.Domain == "pending-dcv.example");
        Assert.Equal(DomainValidationStatus.NotValidated, pending.Status);
        Assert.Null(pending.ExpiresOn);
        Assert.Null(pending.Method);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task List_Filters_AreSentInTheVersionsSpellingAndApplied(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);
        await s.Client.Dcv.StartCnameAsync("acme.test");

        var notValidated = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { Status = DomainValidationStatus.NotValidated }));
        var expired = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { Status = "Expired" }));
        var awaiting = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { OrderStatus = DcvOrderStatus.AwaitingSubmission }));
        var byName = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { Domain = "globex.example" }));
        var byOrg = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { OrganizationId = 2002 }));
        var byDepartment = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { DepartmentId = 2201 }));
        var soon = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { ExpiresInDays = 334 }));
        var withinYear = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { ExpiresInDays = 335 }));

        Assert.Equal(["pending-dcv.example"], notValidated.Select(v => v.Domain));
        Assert.Equal(["expired-dcv.example"], expired.Select(v => v.Domain));
        var started = Assert.Single(awaiting);
        Assert.Equal("acme.test", started.Domain);
        Assert.Equal(DcvMode.Cname, started.OrderMethod);
        Assert.Equal(["globex.example"], byName.Select(v => v.Domain));
        Assert.Equal(["globex.example"], byOrg.Select(v => v.Domain));
        Assert.Equal(["globex.example"], byDepartment.Select(v => v.Domain));
        Assert.Empty(soon);
        Assert.Contains("acme.example", withinYear.Select(v => v.Domain));
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task Cname_RecordPublished_SubmitValidates_AndDomainDetailsShowTheDates(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);

        var challenge = await s.Client.Dcv.StartCnameAsync("pending-dcv.example");
        var awaiting = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        s.Zone.Set(challenge.Host!, ScmSimulatorDnsRecordType.Cname, challenge.Point!);
        var result = await s.Client.Dcv.SubmitCnameAsync("pending-dcv.example");
        var status = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        var details = await s.Client.Domains.GetAsync(3003);

        Assert.Matches(@"^_[0-9a-f]{32}\.pending-dcv\.example\.$", challenge.Host);
        Assert.Matches(@"^[0-9a-f]{32}\.[0-9a-f]{32}\.sectigo\.com\.$", challenge.Point);
        Assert.Equal(DcvOrderStatus.AwaitingSubmission, awaiting.OrderStatus);
        Assert.Equal(DomainValidationStatus.NotValidated, awaiting.Status);
        Assert.Equal(challenge.Host, awaiting.Host);
        Assert.Equal(DomainValidationStatus.Validated, result.Status);
        Assert.Equal(DcvOrderStatus.Submitted, result.OrderStatus);
        Assert.False(string.IsNullOrEmpty(result.OrderBackendId));
        Assert.Equal(DomainValidationStatus.Validated, status.Status);
        Assert.Equal(DcvMode.Cname, status.OrderMode);
        Assert.Equal(Today, status.ValidatedOn);
        Assert.Equal(Today.AddDays(398), status.ExpiresOn);
        Assert.Equal(Today, status.SubmittedOn);
        Assert.Equal(DomainValidationStatus.Validated, details.ValidationStatus);
        Assert.Equal(DomainValidationMethod.CnameCsrHash, details.ValidationMethod);
        Assert.Equal(Today, details.DcvValidatedOn);
        Assert.Equal(Today.AddDays(398), details.DcvExpiresOn);
    }

    [Fact]
    public async Task Cname_WrongRecord_Refused1603_AndStaysNotValidated()
    {
        await using var s = await StartAsync();
        var challenge = await s.Client.Dcv.StartCnameAsync("pending-dcv.example");
        s.Zone.Set(challenge.Host!, ScmSimulatorDnsRecordType.Cname, "somewhere-else.example.");

        var error = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.SubmitCnameAsync("pending-dcv.example"));
        var status = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");

        Assert.Equal(400, error.Status);
        Assert.Equal(ScmErrorCodes.DomainValidationFailed, error.ScmErrorCode);
        Assert.Contains("pending-dcv.example", error.Description, StringComparison.Ordinal);
        Assert.Equal("/api/dcv/v1/validation/submit/domain/cname", error.Path);
        Assert.Equal(DomainValidationStatus.NotValidated, status.Status);
        Assert.Equal(DcvOrderStatus.AwaitingSubmission, status.OrderStatus);
        Assert.Null((await s.Client.Domains.GetAsync(3003)).DcvExpiresOn);
    }

    [Fact]
    public async Task Submit_WithoutStart_Refused1603()
    {
        await using var s = await StartAsync();

        var error = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.SubmitHttpAsync("pending-dcv.example"));

        Assert.Equal(ScmErrorCodes.DomainValidationFailed, error.ScmErrorCode);
        Assert.Equal(0, s.Files.Requests);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5, false)]
    [InlineData(ScmApiVersion.Admin25_9, false)]
    [InlineData(ScmApiVersion.Rest25_5, true)]
    public async Task Http_FileServed_SubmitFetchesItAndValidates(ScmApiVersion version, bool https)
    {
        await using var s = await StartAsync(version);

        var challenge = https ? await s.Client.Dcv.StartHttpsAsync("pending-dcv.example") : await s.Client.Dcv.StartHttpAsync("pending-dcv.example");
        var url = new Uri(challenge.Url!);
        s.Files.Files[url.AbsolutePath] = challenge.FirstLine + "\r\n" + challenge.SecondLine + "\r\n";
        var result = https ? await s.Client.Dcv.SubmitHttpsAsync("pending-dcv.example") : await s.Client.Dcv.SubmitHttpAsync("pending-dcv.example");
        var details = await s.Client.Domains.GetAsync(3003);

        Assert.Equal(https ? "https" : "http", url.Scheme);
        Assert.Equal("pending-dcv.example", url.Host);
        Assert.Matches(@"^/\.well-known/pki-validation/[0-9A-F]{32}\.txt$", url.AbsolutePath);
        Assert.Matches("^[0-9a-f]{64}$", challenge.FirstLine);
        Assert.Equal("sectigo.com", challenge.SecondLine);
        Assert.Equal(1, s.Files.Requests);
        Assert.Equal(DomainValidationStatus.Validated, result.Status);
        Assert.Equal(https ? DomainValidationMethod.HttpsCsrHash : DomainValidationMethod.HttpCsrHash, details.ValidationMethod);
    }

    [Fact]
    public async Task Http_FileMissingOrWrong_Refused1603_AndStaysNotValidated()
    {
        await using var s = await StartAsync();
        var challenge = await s.Client.Dcv.StartHttpAsync("pending-dcv.example");

        var missing = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.SubmitHttpAsync("pending-dcv.example"));
        s.Files.Files[new Uri(challenge.Url!).AbsolutePath] = "0000\nsectigo.com\n";
        var wrong = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.SubmitHttpAsync("pending-dcv.example"));
        var status = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");

        Assert.Equal(ScmErrorCodes.DomainValidationFailed, missing.ScmErrorCode);
        Assert.Contains("404", missing.Description, StringComparison.Ordinal);
        Assert.Equal(ScmErrorCodes.DomainValidationFailed, wrong.ScmErrorCode);
        Assert.Contains("does not match", wrong.Description, StringComparison.Ordinal);
        Assert.Equal(2, s.Files.Requests);
        Assert.Equal(DomainValidationStatus.NotValidated, status.Status);
    }

    [Fact]
    public async Task Http_DomainWithoutMappedAddress_Refused1603()
    {
        await using var s = await StartAsync();
        await s.Client.Dcv.StartHttpAsync("acme.test");

        var error = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.SubmitHttpAsync("acme.test"));

        Assert.Equal(ScmErrorCodes.DomainValidationFailed, error.ScmErrorCode);
        Assert.Contains("DcvHttpBaseAddresses", error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task Txt_SubmitReturnsTheRecord_ValidatedOnceItIsPublished(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);

        var first = await s.Client.Dcv.SubmitTxtAsync("pending-dcv.example");
        s.Zone.Set(first.Host!, ScmSimulatorDnsRecordType.Txt, "wrong-value");
        var wrong = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        s.Zone.Set(first.Host!, ScmSimulatorDnsRecordType.Txt, first.Point!);
        var published = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        var details = await s.Client.Domains.GetAsync(3003);

        Assert.Equal("_pki-validation.pending-dcv.example.", first.Host);
        Assert.Equal(32, first.Point!.Length);
        Assert.Equal(DomainValidationStatus.NotValidated, first.Status);
        Assert.Equal(DcvOrderStatus.Submitted, first.OrderStatus);
        Assert.Equal(DomainValidationStatus.NotValidated, wrong.Status);
        Assert.Equal(DomainValidationStatus.Validated, published.Status);
        Assert.Equal(DcvMode.Txt, published.OrderMode);
        Assert.Equal(DomainValidationMethod.DnsTxtRandomValue, details.ValidationMethod);
        Assert.Equal(Today.AddDays(398), details.DcvExpiresOn);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task Email_OffersAdminAddresses_ValidatedWhenTheLinkIsFollowed(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);

        var offer = await s.Client.Dcv.StartEmailAsync("pending-dcv.example");
        var submitted = await s.Client.Dcv.SubmitEmailAsync("pending-dcv.example", "hostmaster@pending-dcv.example");
        var before = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        s.Sim.ConfirmDcvEmail("pending-dcv.example");
        var after = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");

        Assert.Equal(
            ["admin@pending-dcv.example", "administrator@pending-dcv.example", "hostmaster@pending-dcv.example", "postmaster@pending-dcv.example", "webmaster@pending-dcv.example"],
            offer.Emails);
        Assert.Equal("pending-dcv.example", Assert.Single(offer.DomainEmails!).DomainName);
        Assert.Equal(DomainValidationStatus.NotValidated, submitted.Status);
        Assert.False(string.IsNullOrEmpty(submitted.EmailReferenceNumber));
        Assert.Equal(DomainValidationStatus.NotValidated, before.Status);
        Assert.Equal("hostmaster@pending-dcv.example", before.ValidationEmail);
        Assert.Equal(DomainValidationStatus.Validated, after.Status);
        Assert.Equal(DcvMode.Email, after.OrderMode);
    }

    [Fact]
    public async Task Email_AddressNotOffered_Refused1601_AutoConfirmValidatesAtOnce()
    {
        await using var s = await StartAsync(configure: o => o.DcvEmailAutoConfirm = true);
        await s.Client.Dcv.StartEmailAsync("pending-dcv.example");

        var error = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.SubmitEmailAsync("pending-dcv.example", "someone@elsewhere.example"));
        var ok = await s.Client.Dcv.SubmitEmailAsync("pending-dcv.example", "admin@pending-dcv.example");

        Assert.Equal(-1601, error.ScmErrorCode);
        Assert.Equal(DomainValidationStatus.Validated, ok.Status);
    }

    [Fact]
    public async Task Expiry_OnTheFakeClock_TurnsExpired_AndEnrollAndRenewAreRefused1137()
    {
        await using var s = await StartAsync(configure: o =>
        {
            o.EnforceDcvExpiry = true;
            o.DcvValidityPeriod = TimeSpan.FromDays(10);
        });
        var challenge = await s.Client.Dcv.StartCnameAsync("pending-dcv.example");
        s.Zone.Set(challenge.Host!, ScmSimulatorDnsRecordType.Cname, challenge.Point!);
        var beforeValidation = await Assert.ThrowsAsync<ScmRequestException>(() => EnrollAsync(s, "www.pending-dcv.example"));
        await s.Client.Dcv.SubmitCnameAsync("pending-dcv.example");
        var sslId = await EnrollAsync(s, "www.pending-dcv.example");
        s.Clock.Advance(TimeSpan.FromSeconds(5)); // issued
        var issued = await s.Client.Ssl.GetAsync(sslId);

        s.Clock.Advance(TimeSpan.FromDays(10) - TimeSpan.FromSeconds(6));
        var lastSecond = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        s.Clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        var enroll = await Assert.ThrowsAsync<ScmRequestException>(() => EnrollAsync(s, "api.pending-dcv.example"));
        var renew = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Ssl.RenewByIdAsync(sslId));
        var details = await s.Client.Domains.GetAsync(3003);
        var list = await ToListAsync(s.Client.Dcv.ListAsync(new DcvListFilter { Status = DomainValidationStatus.Expired }));

        Assert.Equal(ScmErrorCodes.DomainNotValidatedUnderDcv, beforeValidation.ScmErrorCode);
        Assert.Equal(SslCertificateStatus.Issued, issued.Status);
        Assert.Equal(DomainValidationStatus.Validated, lastSecond.Status);
        Assert.Equal(Today.AddDays(10), lastSecond.ExpiresOn);
        Assert.Equal(DomainValidationStatus.Expired, expired.Status);
        Assert.Equal(ScmErrorCodes.DomainNotValidatedUnderDcv, enroll.ScmErrorCode);
        Assert.Contains("api.pending-dcv.example", enroll.Description, StringComparison.Ordinal);
        Assert.Equal(ScmErrorCodes.DomainNotValidatedUnderDcv, renew.ScmErrorCode);
        Assert.Equal(DomainValidationStatus.Expired, details.ValidationStatus);
        Assert.Contains("pending-dcv.example", list.Select(v => v.Domain));
        Assert.Equal(1, s.Sim.Counters.BillableOrders);
    }

    [Fact]
    public async Task Expiry_NotEnforced_DatesShownButOrdersGoOnAsBefore()
    {
        await using var s = await StartAsync(configure: o => o.DcvValidityPeriod = TimeSpan.FromDays(10));
        var challenge = await s.Client.Dcv.StartCnameAsync("pending-dcv.example");
        s.Zone.Set(challenge.Host!, ScmSimulatorDnsRecordType.Cname, challenge.Point!);
        await s.Client.Dcv.SubmitCnameAsync("pending-dcv.example");
        s.Clock.Advance(TimeSpan.FromDays(30));

        var status = await s.Client.Dcv.GetStatusAsync("pending-dcv.example");
        var notValidated = await Assert.ThrowsAsync<ScmRequestException>(() => EnrollAsync(s, "www.expired-dcv.example"));
        var sslId = await EnrollAsync(s, "www.pending-dcv.example");

        Assert.Equal(DomainValidationStatus.Validated, status.Status);
        Assert.Equal(Today.AddDays(10), status.ExpiresOn);
        Assert.Equal(ScmErrorCodes.DomainNotValidated, notValidated.ScmErrorCode);
        Assert.True(sslId > 0);
    }

    [Fact]
    public async Task DcvNotEnabled_EveryCallRefused1608()
    {
        await using var s = await StartAsync(configure: o => o.DcvEnabled = false);

        var list = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.ListPageAsync(null, 0, 10));
        var start = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.StartCnameAsync("acme.example"));

        Assert.Equal(ScmErrorCodes.DcvNotEnabled, list.ScmErrorCode);
        Assert.Equal(ScmErrorCodes.DcvNotEnabled, start.ScmErrorCode);
        Assert.Equal(400, start.Status);
    }

    [Fact]
    public async Task UnknownDomain_Refused404With727()
    {
        await using var s = await StartAsync();

        var error = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Dcv.GetStatusAsync("nowhere.example"));

        Assert.Equal(404, error.Status);
        Assert.Equal(ScmErrorCodes.DomainDoesNotExist, error.ScmErrorCode);
    }

    public static TheoryData<string, Func<DcvClient, Task>> BadArguments => new()
    {
        { "domain", c => c.GetStatusAsync(null!) },
        { "domain", c => c.GetStatusAsync("ab") },
        { "domain", c => c.StartCnameAsync("https://example.com") },
        { "domain", c => c.StartHttpAsync("example.com/x") },
        { "domain", c => c.StartHttpsAsync("  ") },
        { "domain", c => c.StartEmailAsync("*.example.com") },
        { "domain", c => c.SubmitCnameAsync(new string('a', 256)) },
        { "domain", c => c.SubmitHttpAsync("exa mple.com") },
        { "domain", c => c.SubmitHttpsAsync("example.com:443") },
        { "domain", c => c.SubmitTxtAsync(".example.com") },
        { "domain", c => c.SubmitEmailAsync("a..b", "admin@example.com") },
        { "email", c => c.SubmitEmailAsync("example.com", "not-an-address") },
        { "email", c => c.SubmitEmailAsync("example.com", null!) },
        { "size", c => c.ListPageAsync(null, 0, 201) },
        { "position", c => c.ListPageAsync(null, -1, 10) },
        { "filter.ExpiresInDays", c => c.ListPageAsync(new DcvListFilter { ExpiresInDays = 0 }, 0, 10) },
        { "filter.OrganizationId", c => c.ListPageAsync(new DcvListFilter { OrganizationId = -2 }, 0, 10) },
        { "filter.DepartmentId", c => c.ListPageAsync(new DcvListFilter { DepartmentId = 0 }, 0, 10) },
        { "filter.Status", c => c.ListPageAsync(new DcvListFilter { Status = "Pending" }, 0, 10) },
        { "filter.OrderStatus", c => c.ListPageAsync(new DcvListFilter { OrderStatus = "Done" }, 0, 10) },
        { "filter.Domain", c => c.ListPageAsync(new DcvListFilter { Domain = new string('a', 256) }, 0, 10) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task BadArgument_ThrowsNamingTheField_BeforeAnyRequest(string field, Func<DcvClient, Task> call)
    {
        var sent = 0;
        var handler = new StubHandler((_, _) =>
        {
            Interlocked.Increment(ref sent);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        using var client = TestClient.Create(new Uri("https://scm.test/api"), primary: () => handler);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => call(client.Client.Dcv));

        Assert.Equal(field, error.ParamName);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sent);
    }

    private static async Task<long> EnrollAsync(Session s, string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await s.Client.Ssl.EnrollAsync(new SslEnrollRequest
        {
            OrganizationId = 2001,
            ProfileId = 101,
            Term = 365,
            Csr = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
            CustomFields = [new CustomFieldValue("Cost Center", "CC-1")],
        });
        return result.SslId;
    }
}
