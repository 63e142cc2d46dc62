using Scm.Client.Tests.Infrastructure;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class OtherGroupsTests : IDisposable
{
    private readonly ScmServer _server = ScmServer.Start();
    private readonly TestClient _client;

    public OtherGroupsTests() => _client = TestClient.Create(_server);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Organizations_GetAsync_MapsDetails()
    {
        _server.Stub(Get("/api/organization/v1/2645"), Json("""{"id":2645,"name":"ACME","stateOrProvince":"Odesa","country":"UA","sslCertsApiEnabled":true,"certTypes":["SSL"],"departments":[{"id":2646,"name":"IT"}]}"""));

        var org = await _client.Client.Organizations.GetAsync(2645);

        Assert.Equal("Odesa", org.StateOrProvince);
        Assert.True(org.SslCertificatesApiEnabled);
        Assert.Equal(2646, org.Departments![0].Id);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5, "/api/organization/v1/managedBy/RAO_SSL")]
    [InlineData(ScmApiVersion.Admin25_9, "/api/organization/v1/managed-by/RAO_SSL")]
    public async Task Organizations_ListManagedByAsync_UsesTheConfiguredVersionsPath(ScmApiVersion version, string path)
    {
        using var client = TestClient.Create(_server, o => o.ApiVersion = version);
        _server.Stub(Get(path), Json("""[{"id":3,"name":"Dept","parentName":"Org"}]"""));

        var orgs = await client.Client.Organizations.ListManagedByAsync(OrganizationRole.RaoSsl);

        Assert.Equal("Org", orgs[0].ParentName);
        Assert.Equal(path, _server.Single().Path);
    }

    [Fact]
    public async Task Organizations_ListManagedByAsync_UnknownRole_RefusedBeforeSending()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _client.Client.Organizations.ListManagedByAsync(new OrganizationRole("ADMIN")));

        Assert.Equal("role", ex.ParamName);
        Assert.Contains("MRAO, RAO_SSL", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Domains_ListAsync_PagesWithFilters()
    {
        using var client = TestClient.Create(_server, o => o.PageSize = 2);
        _server.Stub(Get("/api/domain/v1").WithParam("position", "0"), Json("""[{"id":1,"name":"a.example"},{"id":2,"name":"b.example"}]""").WithHeader("X-Total-Count", "3"));
        _server.Stub(Get("/api/domain/v1").WithParam("position", "2"), Json("""[{"id":3,"name":"c.example"}]""").WithHeader("X-Total-Count", "3"));

        var names = await client.Client.Domains.ListAsync(new DomainListFilter { State = DomainStateFilter.Active, OrganizationId = 7 }).Select(d => d.Name).ToListAsync();

        Assert.Equal(["a.example", "b.example", "c.example"], names);
        var first = _server.Requests[0];
        Assert.Equal("active", first.Query!["state"].Single());
        Assert.Equal("7", first.Query["orgId"].Single());
        Assert.Equal("2", first.Query["size"].Single());
    }

    [Fact]
    public async Task Domains_GetAsync_MapsValidationStatus()
    {
        _server.Stub(Get("/api/domain/v1/409"), Json("""{"id":409,"name":"ccmqa.com","validationStatus":"VALIDATED","dcvExpiration":"2026-05-21"}"""));

        var d = await _client.Client.Domains.GetAsync(409);

        Assert.Equal(DomainValidationStatus.Validated, d.ValidationStatus);
        Assert.Equal(new DateOnly(2026, 5, 21), d.DcvExpiresOn);
    }

    [Fact]
    public async Task Admin_GetPasswordStatusAsync_WrongCredentials_Throws401()
    {
        _server.Stub(Get("/api/admin/v1/password"), Error(401, -16, "Unknown user"));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Client.Admin.GetPasswordStatusAsync());

        Assert.Equal(-16, ex.ScmErrorCode);
    }

    [Fact]
    public async Task Reports_GetSslCertificatesAsync_SendsNumericCodesAndMapsRows()
    {
        _server.Stub(Post("/api/report/v1/ssl-certificates"), Json("""{"statusCode":0,"reports":[{"id":11,"commonName":"a.example","subjAltNames":"a.example; b.example","status":"Issued","expires":"05/22/2026","typeId":"224"}]}"""));

        var rows = await _client.Client.Reports.GetSslCertificatesAsync(new SslReportRequest
        {
            OrganizationIds = [2945],
            CertificateStatus = SslReportCertificateStatus.Issued,
            DateAttribute = SslReportDateAttribute.Expiration,
            From = new DateOnly(2019, 1, 1),
        });

        var req = _server.Single();
        Assert.Equal("buffered", req.Query!["output_type"].Single());
        Assert.Equal("""{"from":"2019-01-01","organizationIds":[2945],"certificateStatus":2,"certificateDateAttribute":3}""", req.Body);
        Assert.Equal(11, rows[0].Id);
        Assert.Equal(224, rows[0].TypeId);
        Assert.Equal(new DateOnly(2026, 5, 22), rows[0].ExpiresOn);
    }
}
