using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using Scm.Client;
using Scm.Client.Internal;

namespace Scm.Benchmarks.Client;

/// <summary>
/// Scm.Client against an in-memory handler returning canned SCM payloads, each beside a baseline of a raw HttpClient
/// plus System.Text.Json (source-generated) doing the same work: same headers, same body, same fields read.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ClientBenchmarks
{
    private ServiceProvider _services = null!;
    private ScmClient _client = null!;
    private HttpClient _raw = null!;
    private SslEnrollRequest _enroll = null!;
    private BaselineEnroll _baselineEnroll = null!;

    [GlobalSetup]
    public void Setup()
    {
        var handler = new CannedScmHandler();
        var services = new ServiceCollection();
        services.AddScmClient(o =>
        {
            o.BaseAddress = new Uri("https://cert-manager.test/api");
            o.Login = "api-admin";
            o.Password = "benchmark-password";
            o.CustomerUri = "acme";
        }).ConfigurePrimaryHttpMessageHandler(() => handler);
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<ScmClient>();
        _raw = new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri("https://cert-manager.test/api/") };

        var sans = Enumerable.Range(0, 10).Select(i => "host" + i + ".example.com").ToArray();
        _enroll = new SslEnrollRequest
        {
            OrganizationId = 2645,
            ProfileId = 1001,
            Term = 365,
            Csr = CannedScmHandler.Csr,
            SubjectAlternativeNames = sans,
            Comments = "scm-sdk:7f3e9c1a-0d4b-4b8e-9a53-2b1f3c4d5e6f",
            ExternalRequester = "ops@example.com",
            CustomFields = [new CustomFieldValue("cost-center", "42")],
            DcvMode = DcvMode.Cname,
        };
        _baselineEnroll = new BaselineEnroll
        {
            OrgId = 2645,
            Csr = CannedScmHandler.Csr,
            SubjAltNames = string.Join(',', sans),
            CertType = 1001,
            Term = 365,
            Comments = _enroll.Comments,
            ExternalRequester = "ops@example.com",
            CustomFields = [new BaselineCustomField { Name = "cost-center", Value = "42" }],
            DcvMode = "CNAME",
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _services.Dispose();
    }

    private HttpRequestMessage Signed(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("login", "api-admin");
        request.Headers.TryAddWithoutValidation("password", "benchmark-password");
        request.Headers.TryAddWithoutValidation("customerUri", "acme");
        return request;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("GetDetails")]
    public async Task<long> GetDetails_RawHttpClient()
    {
        using var request = Signed(HttpMethod.Get, "ssl/v1/3000000001");
        using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var d = await response.Content.ReadFromJsonAsync(BaselineJsonContext.Default.BaselineDetails);
        return d!.SslId;
    }

    [Benchmark, BenchmarkCategory("GetDetails")]
    public async Task<long> GetDetails_ScmClient() => (await _client.Ssl.GetAsync(3000000001)).SslId;

    [Benchmark(Baseline = true), BenchmarkCategory("ListPage200")]
    public async Task<int> ListPage200_RawHttpClient()
    {
        using var request = Signed(HttpMethod.Get, "ssl/v1?size=200&position=0");
        using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var total = int.Parse(response.Headers.GetValues("X-Total-Count").First(), System.Globalization.CultureInfo.InvariantCulture);
        var rows = await response.Content.ReadFromJsonAsync(BaselineJsonContext.Default.ListBaselineSummary);
        return rows!.Count + total;
    }

    [Benchmark, BenchmarkCategory("ListPage200")]
    public async Task<int> ListPage200_ScmClient()
    {
        var page = await _client.Ssl.ListPageAsync(null, 0, 200);
        return page.Items.Count + page.TotalCount!.Value;
    }

    /// <summary>The same input (a list of SANs, typed fields) turned into the wire JSON: join the SANs, build the DTO, serialize.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("EnrollSerialization")]
    public byte[] EnrollSerialization_RawStj()
    {
        var dto = new BaselineEnroll
        {
            OrgId = _enroll.OrganizationId,
            Csr = _enroll.Csr,
            SubjAltNames = string.Join(',', _enroll.SubjectAlternativeNames!),
            CertType = _enroll.ProfileId,
            Term = _enroll.Term,
            Comments = _enroll.Comments,
            ExternalRequester = _enroll.ExternalRequester,
            CustomFields = _baselineEnroll.CustomFields,
            DcvMode = _enroll.DcvMode!.Value.Value,
        };
        return JsonSerializer.SerializeToUtf8Bytes(dto, BaselineJsonContext.Default.BaselineEnroll);
    }

    /// <summary>Validation of every field, mapping to the wire DTO and serialization, as EnrollAsync does before sending.</summary>
    [Benchmark, BenchmarkCategory("EnrollSerialization")]
    public byte[] EnrollSerialization_ScmClient() => ScmTransport.Serialize(SslCertificatesClient.ToWire(_enroll), ScmJsonContext.Default.EnrollWire);

    [Benchmark(Baseline = true), BenchmarkCategory("EnrollRoundTrip")]
    public async Task<long> EnrollRoundTrip_RawHttpClient()
    {
        using var request = Signed(HttpMethod.Post, "ssl/v1/enroll");
        request.Content = JsonContent.Create(_baselineEnroll, BaselineJsonContext.Default.BaselineEnroll);
        using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var r = await response.Content.ReadFromJsonAsync(BaselineJsonContext.Default.BaselineEnrollResponse);
        return r!.SslId;
    }

    [Benchmark, BenchmarkCategory("EnrollRoundTrip")]
    public async Task<long> EnrollRoundTrip_ScmClient() => (await _client.Ssl.EnrollAsync(_enroll)).SslId;
}

/// <summary>Answers like SCM from memory.</summary>
internal sealed class CannedScmHandler : HttpMessageHandler
{
    public const string Csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIICyTCCAbECAQAwgYMxCzAJBgNVBAYTAlVBMQ8wDQYDVQQIDAZPZGVzc2ExDzAN\nBgNVBAcMBk9kZXNzYTERMA8GA1UECgwIQWR2YW5jZWQxCzAJBgNVBAsMAklUMRIw\nEAYDVQQDDAljY21xYS5jb20xHjAcBgkqhkiG9w0BCQEWD25teXphQGNjbXFhLmNv\n-----END CERTIFICATE REQUEST-----";

    private static readonly byte[] Details = Encoding.UTF8.GetBytes("""
        {"commonName":"ccmqa.com","sslId":3000000001,"id":3000000001,"orgId":2645,"status":"Issued","orderNumber":7344326,"backendCertId":"7344326",
         "vendor":"Sectigo Limited","certType":{"id":1001,"name":"OV Multi-Domain","description":"","terms":[365,730],"keyTypes":{"RSA":["2048","3072","4096"],"EC":["P-256"]},"useSecondaryOrgName":false},
         "subType":"","validationType":"Organization Validation (OV)","term":365,"owner":"client-admin-195 client-admin-195","ownerId":195,"requester":"requester@ccmqa.com",
         "requestedVia":"Web API","externalRequester":"a@x.com","comments":"scm-sdk:7f3e9c1a","requested":"05/21/2025","approved":"05/21/2025","issued":"05/22/2025","expires":"05/22/2026",
         "renewed":false,"serialNumber":"AB:CD:EF:01:23:45:10:2A:EB:1F:65:E7:27:F1:34:9F","signatureAlg":"SHA256WITHRSA","keyAlgorithm":"RSA","keySize":2048,"keyType":"RSA - 2048",
         "keyUsages":["digitalSignature","keyEncipherment"],"extendedKeyUsages":["serverAuth","clientAuth"],"subjectAlternativeNames":["ccmqa.com","www.ccmqa.com"],
         "customFields":[{"name":"cost-center","value":"42"}],
         "certificateDetails":{"issuer":"CN=Sectigo RSA Organization Validation Secure Server CA,O=Sectigo Limited,L=Salford,ST=Greater Manchester,C=GB","subject":"CN=ccmqa.com","subjectAltNames":"dNSName=ccmqa.com, dNSName=www.ccmqa.com","md5Hash":"0123456789abcdef0123456789abcdef","sha1Hash":"0123456789abcdef0123456789abcdef01234567"},
         "autoInstallDetails":{"state":"Not configured"},"autoRenewDetails":{"state":"Not scheduled","daysBeforeExpiration":30},"suspendNotifications":false}
        """);

    private static readonly byte[] Page = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, 200).Select(i =>
        "{\"sslId\":" + (3000000000L + i) + ",\"commonName\":\"host" + i + ".example.com\",\"subjectAlternativeNames\":[\"host" + i + ".example.com\",\"www.host" + i + ".example.com\"],\"serialNumber\":\"AB:CD:EF:01:23:45:10:2A:EB:1F:65:E7:27:F1:34:" + (i % 100).ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + "\"}")) + "]");

    private static readonly byte[] EnrollResponse = Encoding.UTF8.GetBytes("""{"sslId":3000000055,"renewId":"gu03sW6WENt7GTvDTuOP"}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(Stream.Null, cancellationToken);
        }

        var path = request.RequestUri!.AbsolutePath;
        byte[] body;
        var page = false;
        if (path.EndsWith("/enroll", StringComparison.Ordinal))
        {
            body = EnrollResponse;
        }
        else if (path.EndsWith("/ssl/v1", StringComparison.Ordinal))
        {
            body = Page;
            page = true;
        }
        else
        {
            body = Details;
        }

        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
        if (page)
        {
            response.Headers.TryAddWithoutValidation("X-Total-Count", "4200");
        }

        return response;
    }
}

public sealed class BaselineCustomField
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("value")] public string? Value { get; set; }
}

public sealed class BaselineProfile
{
    [JsonPropertyName("id")] public int Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("terms")] public List<int>? Terms { get; set; }
    [JsonPropertyName("keyTypes")] public Dictionary<string, List<string>>? KeyTypes { get; set; }
    [JsonPropertyName("useSecondaryOrgName")] public bool? UseSecondaryOrgName { get; set; }
}

public sealed class BaselineCertificateInfo
{
    [JsonPropertyName("issuer")] public string? Issuer { get; set; }
    [JsonPropertyName("subject")] public string? Subject { get; set; }
    [JsonPropertyName("subjectAltNames")] public string? SubjectAltNames { get; set; }
    [JsonPropertyName("md5Hash")] public string? Md5Hash { get; set; }
    [JsonPropertyName("sha1Hash")] public string? Sha1Hash { get; set; }
    [JsonPropertyName("sha256Hash")] public string? Sha256Hash { get; set; }
}

public sealed class BaselineState
{
    [JsonPropertyName("state")] public string? State { get; set; }
    [JsonPropertyName("daysBeforeExpiration")] public int? DaysBeforeExpiration { get; set; }
}

public sealed class BaselineDetails
{
    [JsonPropertyName("commonName")] public string? CommonName { get; set; }
    [JsonPropertyName("sslId")] public long SslId { get; set; }
    [JsonPropertyName("id")] public long? Id { get; set; }
    [JsonPropertyName("orgId")] public int? OrgId { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("orderNumber")] public long? OrderNumber { get; set; }
    [JsonPropertyName("backendCertId")] public string? BackendCertId { get; set; }
    [JsonPropertyName("vendor")] public string? Vendor { get; set; }
    [JsonPropertyName("certType")] public BaselineProfile? CertType { get; set; }
    [JsonPropertyName("subType")] public string? SubType { get; set; }
    [JsonPropertyName("validationType")] public string? ValidationType { get; set; }
    [JsonPropertyName("term")] public int? Term { get; set; }
    [JsonPropertyName("owner")] public string? Owner { get; set; }
    [JsonPropertyName("ownerId")] public long? OwnerId { get; set; }
    [JsonPropertyName("requester")] public string? Requester { get; set; }
    [JsonPropertyName("requesterId")] public long? RequesterId { get; set; }
    [JsonPropertyName("requestedVia")] public string? RequestedVia { get; set; }
    [JsonPropertyName("externalRequester")] public string? ExternalRequester { get; set; }
    [JsonPropertyName("comments")] public string? Comments { get; set; }
    [JsonPropertyName("requested")] public string? Requested { get; set; }
    [JsonPropertyName("approved")] public string? Approved { get; set; }
    [JsonPropertyName("issued")] public string? Issued { get; set; }
    [JsonPropertyName("declined")] public string? Declined { get; set; }
    [JsonPropertyName("expires")] public string? Expires { get; set; }
    [JsonPropertyName("replaced")] public string? Replaced { get; set; }
    [JsonPropertyName("revoked")] public string? Revoked { get; set; }
    [JsonPropertyName("renewedDate")] public string? RenewedDate { get; set; }
    [JsonPropertyName("reasonCode")] public int? ReasonCode { get; set; }
    [JsonPropertyName("renewed")] public bool? Renewed { get; set; }
    [JsonPropertyName("serialNumber")] public string? SerialNumber { get; set; }
    [JsonPropertyName("signatureAlg")] public string? SignatureAlg { get; set; }
    [JsonPropertyName("keyAlgorithm")] public string? KeyAlgorithm { get; set; }
    [JsonPropertyName("keySize")] public int? KeySize { get; set; }
    [JsonPropertyName("keyType")] public string? KeyType { get; set; }
    [JsonPropertyName("keyUsages")] public List<string>? KeyUsages { get; set; }
    [JsonPropertyName("extendedKeyUsages")] public List<string>? ExtendedKeyUsages { get; set; }
    [JsonPropertyName("subjectAlternativeNames")] public List<string>? SubjectAlternativeNames { get; set; }
    [JsonPropertyName("customFields")] public List<BaselineCustomField>? CustomFields { get; set; }
    [JsonPropertyName("certificateDetails")] public BaselineCertificateInfo? CertificateDetails { get; set; }
    [JsonPropertyName("autoInstallDetails")] public BaselineState? AutoInstallDetails { get; set; }
    [JsonPropertyName("autoRenewDetails")] public BaselineState? AutoRenewDetails { get; set; }
    [JsonPropertyName("suspendNotifications")] public bool? SuspendNotifications { get; set; }
}

public sealed class BaselineSummary
{
    [JsonPropertyName("sslId")] public long SslId { get; set; }
    [JsonPropertyName("commonName")] public string? CommonName { get; set; }
    [JsonPropertyName("subjectAlternativeNames")] public List<string>? SubjectAlternativeNames { get; set; }
    [JsonPropertyName("serialNumber")] public string? SerialNumber { get; set; }
}

public sealed class BaselineEnroll
{
    [JsonPropertyName("orgId")] public int OrgId { get; set; }
    [JsonPropertyName("csr")] public string? Csr { get; set; }
    [JsonPropertyName("subjAltNames")] public string? SubjAltNames { get; set; }
    [JsonPropertyName("certType")] public int CertType { get; set; }
    [JsonPropertyName("term")] public int Term { get; set; }
    [JsonPropertyName("comments")] public string? Comments { get; set; }
    [JsonPropertyName("externalRequester")] public string? ExternalRequester { get; set; }
    [JsonPropertyName("customFields")] public List<BaselineCustomField>? CustomFields { get; set; }
    [JsonPropertyName("dcvMode")] public string? DcvMode { get; set; }
    [JsonPropertyName("dcvEmail")] public string? DcvEmail { get; set; }
}

public sealed class BaselineEnrollResponse
{
    [JsonPropertyName("sslId")] public long SslId { get; set; }
    [JsonPropertyName("renewId")] public string? RenewId { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BaselineDetails))]
[JsonSerializable(typeof(List<BaselineSummary>))]
[JsonSerializable(typeof(BaselineEnroll))]
[JsonSerializable(typeof(BaselineEnrollResponse))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext
{
}
