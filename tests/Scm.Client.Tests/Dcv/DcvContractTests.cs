using System.Net;
using System.Reflection;
using System.Text.Json.Serialization;
using Scm.Client.Internal;
using Scm.Client.Tests.Infrastructure;

namespace Scm.Client.Tests.Dcv;

/// <summary>
/// The DCV operations against both vendor documents (the path catalog itself is checked, both ways, by
/// <see cref="VendorContractTests"/>): query parameters, filter vocabularies, request and response fields, and the
/// differences between the versions (v1 in 25.5, v2 in 25.9, no TXT start in 25.5).
/// </summary>
public sealed class DcvContractTests
{
    private const string RestList = "List domain control validations\nList all domain validations";

    private static async Task<Uri> SendListWithEveryFilterAsync(ScmApiVersion version)
    {
        Uri? seen = null;
        var handler = new StubHandler((req, _) =>
        {
            seen = req.RequestUri;
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[]") };
            response.Headers.Add("X-Total-Count", "0");
            return Task.FromResult(response);
        });
        using var client = TestClient.Create(new Uri("https://scm.test/api"), o => o.ApiVersion = version, primary: () => handler);
        await client.Client.Dcv.ListPageAsync(
            new DcvListFilter { Domain = "a.example", OrganizationId = 1, DepartmentId = 2, Status = DomainValidationStatus.Expired, OrderStatus = DcvOrderStatus.Submitted, ExpiresInDays = 30 },
            0,
            10);
        return seen!;
    }

    private static List<string> Names(Uri uri) => uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')[0]).ToList();

    [SkippableFact]
    public async Task ListQueryParameters_AreTheOpenApisUnderAdmin25_9()
    {
        _ = VendorDocuments.OpenApi();
        var uri = await SendListWithEveryFilterAsync(ScmApiVersion.Admin25_9);
        var allowed = VendorDocuments.ParameterNames("GET", "/api/dcv/v2/validation", "query");

        Assert.Equal("/api/dcv/v2/validation", uri.AbsolutePath);
        Assert.Equal(8, Names(uri).Count);
        Assert.Equal(allowed.Order(StringComparer.Ordinal), Names(uri).Order(StringComparer.Ordinal));
        Assert.Contains("dcvStatus=Expired", uri.Query, StringComparison.Ordinal);
        Assert.Contains("orderStatus=Submitted", uri.Query, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ListQueryParameters_AreTheRestDocumentsUnderRest25_5()
    {
        var rest = VendorDocuments.Rest();
        var uri = await SendListWithEveryFilterAsync(ScmApiVersion.Rest25_5);
        var documented = rest.QueryParameters(RestList);

        Assert.Equal("/api/dcv/v1/validation", uri.AbsolutePath);
        Assert.Equal(documented.Order(StringComparer.Ordinal), Names(uri).Order(StringComparer.Ordinal));
        Assert.Contains("dcvStatus=EXPIRED", uri.Query, StringComparison.Ordinal);
        Assert.Contains("orderStatus=SUBMITTED", uri.Query, StringComparison.Ordinal);
        Assert.Contains("curl 'https://cert-manager.com/api/dcv/v1/validation?size=10&position=0&org=&department=&domain=ccmqa.com&expiresIn=&dcvStatus=&orderStatus='", rest.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string> Vocabularies => new() { "DcvStatus", "DcvOrderStatus" };

    [SkippableTheory]
    [MemberData(nameof(Vocabularies))]
    public void FilterVocabulary_Admin25_9IsTheOpenApiEnum_Rest25_5ItsUpperSnakeForm(string name)
    {
        var terms = name == "DcvStatus" ? ScmVocabulary.DcvStatus : ScmVocabulary.DcvOrderStatus;
        var schema = VendorDocuments.OpenApi().GetProperty("components").GetProperty("schemas").GetProperty(name);
        var display = VendorDocuments.Enum(schema);

        Assert.Equal(display, terms.Select(t => t.Admin25_9!));
        Assert.Equal(display.Select(v => v.ToUpperInvariant().Replace(' ', '_')), terms.Select(t => t.Rest25_5!));
    }

    [SkippableFact]
    public void FilterVocabulary_EveryUpperSnakeValueTheRestDocumentShows_IsInTheTables()
    {
        var rest = VendorDocuments.Rest();
        var at = rest.Text.IndexOf(RestList, StringComparison.Ordinal);
        var end = rest.Text.IndexOf("Submit bulk domain control validation email", at, StringComparison.Ordinal);
        var section = rest.Text[at..end];
        var statuses = System.Text.RegularExpressions.Regex.Matches(section, "\"(?:status|dcvStatus)\" : \"([A-Z_]+)\"").Select(m => m.Groups[1].Value).ToHashSet();
        var orders = System.Text.RegularExpressions.Regex.Matches(section, "\"(?:orderStatus|dcvOrderStatus)\" : \"([A-Z_]+)\"").Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal(["EXPIRED", "NOT_VALIDATED", "VALIDATED"], statuses.Order(StringComparer.Ordinal));
        Assert.Equal(["NOT_INITIATED", "SUBMITTED"], orders.Order(StringComparer.Ordinal));
        Assert.Subset(ScmVocabulary.DcvStatus.Select(t => t.Rest25_5!).ToHashSet(), statuses);
        Assert.Subset(ScmVocabulary.DcvOrderStatus.Select(t => t.Rest25_5!).ToHashSet(), orders);
    }

    public static TheoryData<Type, string, string> ResponseModels => new()
    {
        { typeof(DcvValidationSummary), "DcvSearchResult", RestList },
        { typeof(DcvValidationDetails), "DcvStatusResponseV2", "Get domain control validation details\nGet domain validation details" },
        { typeof(DcvCnameChallenge), "DomainCnameResponse", "Start domain control validation CName\nStart Domain" },
        { typeof(DcvHttpChallenge), "DomainHttpResponse", "Start domain control validation HTTP\nStart Domain" },
        { typeof(DcvEmailChallenge), "DomainEmailResponse", "Start domain control validation email\nRetrieve" },
        { typeof(DcvSubmitResult), "SubmitTxtDomainResponse", "Submit domain control validation using TXT record\nSubmit a request|Submit domain control validation email\nSubmit a request" },
    };

    [SkippableTheory]
    [MemberData(nameof(ResponseModels))]
    public void ResponseFields_AreInTheOpenApiSchema_AndTheRestSection(Type model, string schemaName, string restSection)
    {
        var schema = VendorDocuments.OpenApi().GetProperty("components").GetProperty("schemas").GetProperty(schemaName).GetProperty("properties");
        var rest = VendorDocuments.Rest();
        var restFields = string.Concat(restSection.Split('|').Select(section =>
        {
            var at = rest.Text.IndexOf(section, StringComparison.Ordinal);
            Assert.True(at >= 0, section);
            var responseFields = rest.Text.IndexOf("Response fields", at, StringComparison.Ordinal);
            return rest.Text[responseFields..rest.Text.IndexOf("Example response", responseFields, StringComparison.Ordinal)];
        }));
        var fields = model.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).OfType<string>().ToList();

        Assert.NotEmpty(fields);
        foreach (var field in fields)
        {
            Assert.True(schema.TryGetProperty(field, out _), model.Name + "." + field + " is not in the OpenAPI " + schemaName);
            Assert.True(new[] { field, "[]." + field, field + "[]" }.Any(f => restFields.Contains("\n" + f + "\n", StringComparison.Ordinal)), model.Name + "." + field + " is not a response field of the REST section " + restSection.Trim());
        }
    }

    [SkippableFact]
    public void DomainEmailsFields_AreTheOpenApisAndTheRestExamples()
    {
        var schema = VendorDocuments.OpenApi().GetProperty("components").GetProperty("schemas").GetProperty("DomainDcvEmails").GetProperty("properties");
        var rest = VendorDocuments.Rest();
        var fields = typeof(DcvDomainEmails).GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name).ToList();

        Assert.Equal(schema.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal), fields.Order(StringComparer.Ordinal));
        Assert.All(fields, f => Assert.Contains("\"" + f + "\" :", rest.Text, StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Versions_Rest25_5HasNoTxtStart_Admin25_9ListsOnlyV2_StatusIsV2InBoth()
    {
        var rest = VendorDocuments.Rest();
        var paths = VendorDocuments.OpenApi().GetProperty("paths").EnumerateObject().Select(p => p.Name).Where(p => p.StartsWith("/api/dcv/", StringComparison.Ordinal)).ToList();

        Assert.Contains("Start request is not supported by the API. Use submit directly.", rest.Text, StringComparison.Ordinal);
        Assert.False(rest.Documents("POST", "/api/dcv/v1/validation/start/domain/txt"));
        Assert.True(rest.Documents("POST", "/api/dcv/v2/validation/status"));
        Assert.True(rest.Documents("POST", "/api/dcv/v1/validation/submit/domain/txt"));
        Assert.All(paths, p => Assert.StartsWith("/api/dcv/v2/", p, StringComparison.Ordinal));
        Assert.Contains("/api/dcv/v2/validation/status", paths);
        Assert.DoesNotContain(ScmOperations.All, o => o.Template.Contains("start/domain/txt", StringComparison.Ordinal));
        Assert.Equal(21, ScmOperations.All.Count(o => o.Template.StartsWith("dcv/", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void RequestBodies_DomainAndEmail_AreTheDocumentedFields()
    {
        var rest = VendorDocuments.Rest();
        Assert.Equal("String", rest.FieldType("Submit domain control validation email\nSubmit a request", "domain"));
        Assert.Equal("String", rest.FieldType("Submit domain control validation email\nSubmit a request", "email"));
        Assert.Equal("String", rest.FieldType("Start domain control validation CName\nStart Domain", "domain"));
        Assert.Equal("string", VendorDocuments.Type(VendorDocuments.BodyProperty("POST", "/api/dcv/v2/validation/submit/domain/email", "email")));
        Assert.Equal(255, VendorDocuments.BodyProperty("POST", "/api/dcv/v2/validation/status", "domain")!.Value.GetProperty("maxLength").GetInt32());
        Assert.Equal(3, VendorDocuments.BodyProperty("POST", "/api/dcv/v2/validation/status", "domain")!.Value.GetProperty("minLength").GetInt32());
        Assert.Contains("[Size must be between 3 and 255 inclusive]", rest.Text, StringComparison.Ordinal);
    }
}
