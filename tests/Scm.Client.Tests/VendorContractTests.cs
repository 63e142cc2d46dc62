using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Scm.Client.Internal;
using Scm.Client.Internal.Wire;
using Scm.Client.Tests.Infrastructure;

namespace Scm.Client.Tests;

/// <summary>
/// Checks every request the client can emit against both of Sectigo's documents: the Admin API OpenAPI 25.9.2 and the
/// REST API 25.5 reference (read from ../shared/reference). Paths and verbs both ways (an operation flagged as documented
/// must be there, one not flagged must not), request bodies, query parameters, every closed set of values the client
/// sends (per version), and the JSON type of the codes the two documents type differently.
/// </summary>
public sealed class VendorContractTests
{
    private static IEnumerable<(ScmOperation Op, string SslVersion, string Path)> Emitted()
    {
        foreach (var op in ScmOperations.All)
        {
            yield return (op, "v1", "/api/" + op.TemplateFor("v1"));
            if (op.IsVersionedSsl)
            {
                yield return (op, "v2", "/api/" + op.TemplateFor("v2"));
            }
        }
    }

    [SkippableFact]
    public void EveryEmittedMethodAndPath_IsInTheOpenApiExactlyWhenFlagged()
    {
        var ops = VendorDocuments.OpenApiOperations();
        var problems = new List<string>();
        foreach (var (op, version, path) in Emitted())
        {
            var inSpec = ops.ContainsKey((op.Method.Method, VendorDocuments.Normalize(path)));
            var flagged = op.DocumentsFor(version).HasFlag(ScmDocuments.Admin25_9);
            if (inSpec != flagged)
            {
                problems.Add($"{op.Name} {op.Method} {path}: flagged Admin25_9={flagged}, in the OpenAPI={inSpec}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(ScmOperations.All.Count >= 40);
    }

    [SkippableFact]
    public void EveryEmittedMethodAndPath_IsInTheRestDocumentExactlyWhenFlagged()
    {
        var rest = VendorDocuments.Rest();
        var problems = new List<string>();
        foreach (var (op, version, path) in Emitted())
        {
            var documented = rest.Documents(op.Method.Method, path);
            var flagged = op.DocumentsFor(version).HasFlag(ScmDocuments.Rest25_5);
            if (documented != flagged)
            {
                problems.Add($"{op.Name} {op.Method} {path}: flagged Rest25_5={flagged}, in the REST document={documented}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public void OperationsInNeitherDocument_AreOnlyTheFieldEvidencedCollectPath()
    {
        _ = VendorDocuments.OpenApi();
        var undocumented = ScmOperations.All.Where(o => o.Documents == ScmDocuments.None).Select(o => o.Template).ToList();

        Assert.Equal(["ssl/v1/collect/{sslId}/{format}"], undocumented);
    }

    [SkippableFact]
    public void VersionedPairs_AreTheSameOperationInEachDocument()
    {
        var rest = VendorDocuments.Rest();
        var ops = VendorDocuments.OpenApiOperations();

        Assert.True(rest.Documents("GET", "/api/" + ScmOperations.SslKeystoreRest.Template));
        Assert.False(rest.Documents("POST", "/api/" + ScmOperations.SslKeystoreAdmin.Template));
        Assert.True(ops.ContainsKey(("POST", VendorDocuments.Normalize("/api/" + ScmOperations.SslKeystoreAdmin.Template))));
        Assert.False(ops.ContainsKey(("GET", VendorDocuments.Normalize("/api/" + ScmOperations.SslKeystoreRest.Template))));
        Assert.True(rest.Documents("GET", "/api/organization/v1/managedBy/{role}"));
        Assert.False(rest.Documents("GET", "/api/organization/v1/managed-by/{role}"));
        Assert.Contains("/api/organization/v1/managed-by/{role}", VendorDocuments.OpenApi().GetProperty("paths").EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain("/api/organization/v1/managedBy/{role}", VendorDocuments.OpenApi().GetProperty("paths").EnumerateObject().Select(p => p.Name));
    }

    [SkippableFact]
    public void EveryRequestBodyProperty_ExistsInTheOperationsRequestSchema()
    {
        var ops = VendorDocuments.OpenApiOperations();
        var problems = new List<string>();
        var checkedProperties = 0;
        foreach (var (op, version, path) in Emitted())
        {
            if (op.RequestBody is null || !ops.TryGetValue((op.Method.Method, VendorDocuments.Normalize(path)), out var spec))
            {
                continue;
            }

            Assert.True(spec.TryGetProperty("requestBody", out var body), op.Name + " sends a body but the OpenAPI operation has none");
            var schema = body.GetProperty("content").GetProperty("application/json").GetProperty("schema");
            var info = ScmJsonContext.Default.GetTypeInfo(op.RequestBody)!;
            checkedProperties += Compare(info, schema, op.Name + " " + path, problems);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedProperties > 60, "only " + checkedProperties + " properties were checked");
    }

    private static int Compare(JsonTypeInfo info, JsonElement schema, string where, List<string> problems)
    {
        schema = VendorDocuments.Resolve(schema);
        if (info.Kind == JsonTypeInfoKind.Enumerable)
        {
            if (!schema.TryGetProperty("items", out var items))
            {
                problems.Add(where + ": the client sends an array, the schema is not one");
                return 0;
            }

            return Compare(ScmJsonContext.Default.GetTypeInfo(info.ElementType!)!, items, where + "[]", problems);
        }

        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return 0;
        }

        var properties = Properties(schema);
        var count = 0;
        foreach (var p in info.Properties)
        {
            count++;
            if (!properties.TryGetValue(p.Name, out var child))
            {
                problems.Add(where + ": property '" + p.Name + "' is not in the request schema (has: " + string.Join(", ", properties.Keys) + ")");
                continue;
            }

            var childInfo = ScmJsonContext.Default.GetTypeInfo(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType);
            if (childInfo is { Kind: JsonTypeInfoKind.Object or JsonTypeInfoKind.Enumerable } && p.CustomConverter is null)
            {
                count += Compare(childInfo, child, where + "." + p.Name, problems);
            }
        }

        return count;
    }

    private static Dictionary<string, JsonElement> Properties(JsonElement schema)
    {
        schema = VendorDocuments.Resolve(schema);
        var result = new Dictionary<string, JsonElement>();
        if (schema.TryGetProperty("properties", out var props))
        {
            foreach (var p in props.EnumerateObject())
            {
                result[p.Name] = p.Value;
            }
        }

        foreach (var combinator in new[] { "allOf", "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(combinator, out var parts))
            {
                foreach (var part in parts.EnumerateArray())
                {
                    foreach (var kv in Properties(part))
                    {
                        result[kv.Key] = kv.Value;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Sends every query-carrying call with every filter set, in <paramref name="version"/>, and returns the URIs.</summary>
    private static async Task<List<Uri>> SendEveryQueryAsync(ScmApiVersion version)
    {
        var seen = new List<Uri>();
        var handler = new StubHandler((req, _) =>
        {
            seen.Add(req.RequestUri!);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(req.RequestUri!.AbsolutePath.EndsWith("/report/v1/ssl-certificates", StringComparison.Ordinal) ? "{\"reports\":[]}" : "[]") };
            response.Headers.Add("X-Total-Count", "0");
            return Task.FromResult(response);
        });
        using var client = TestClient.Create(new Uri("https://scm.test/api"), o => o.ApiVersion = version, primary: () => handler);
        var everyFilter = new SslListFilter
        {
            CommonName = "a", SubjectAlternativeName = "b", Status = SslCertificateStatus.SAApproved, ProfileId = 1, DiscoveryStatus = "Deployed",
            Vendor = "v", OrganizationId = 2, InstallStatus = SslInstallStatus.KeyReady, RenewalStatus = AutoRenewState.NotScheduled, Issuer = "i",
            SerialNumber = "01", Requester = "r", ExternalRequester = "e@x.com", SignatureAlgorithm = "s", KeyAlgorithm = "RSA", KeySize = 2048,
            KeyParameter = "2048", Sha1Hash = "1", Md5Hash = "2", Sha256Hash = version == ScmApiVersion.Admin25_9 ? "3" : null, KeyUsage = "k",
            ExtendedKeyUsage = "x", RequestedVia = RequestedVia.EnrollmentForm,
        };

        await client.Ssl.ListPageAsync(everyFilter, 0, 10);
        await client.Ssl.CountAsync(everyFilter);
        await client.Ssl.ListProfilesAsync(5);
        await Assert.ThrowsAsync<ScmProtocolException>(() => client.Ssl.CollectAsync(1, SslCollectFormat.X509)); // "[]" is no certificate
        await client.Client.Domains.ListPageAsync(new DomainListFilter { Name = "ab", State = DomainStateFilter.Active, DelegationStatus = DomainDelegationFilter.Approved, OrganizationId = 1 }, 0, 10);
        await client.Client.Reports.GetSslCertificatesAsync(new SslReportRequest());
        await client.Client.CustomFields.ListAsync(CustomFieldCertificateType.Ssl);
        return seen;
    }

    [SkippableTheory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task EveryQueryParameterTheClientSends_ExistsInTheOpenApi(ScmApiVersion version)
    {
        _ = VendorDocuments.OpenApi();
        var seen = await SendEveryQueryAsync(version);

        var problems = new List<string>();
        foreach (var uri in seen)
        {
            var path = uri.AbsolutePath;
            var method = path.EndsWith("/report/v1/ssl-certificates", StringComparison.Ordinal) ? "POST" : "GET";
            var template = VendorDocuments.OpenApiTemplate(method, path) ?? path;
            var allowed = VendorDocuments.ParameterNames(method, template, "query");
            foreach (var name in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')[0]))
            {
                if (!allowed.Contains(name))
                {
                    problems.Add(path + "?" + name);
                }
            }
        }

        Assert.Equal(7, seen.Count);
        Assert.Equal(version == ScmApiVersion.Admin25_9 ? 25 : 24, seen[0].Query.Split('&').Length);
        Assert.True(problems.Count == 0, "Query parameters not in the OpenAPI: " + string.Join(", ", problems));
    }

    [SkippableFact]
    public async Task EveryListQueryParameterTheClientSendsUnderRest25_5_IsInTheRestDocument()
    {
        var rest = VendorDocuments.Rest();
        var seen = await SendEveryQueryAsync(ScmApiVersion.Rest25_5);
        var sslList = rest.QueryParameters("List SSL certificates\nList all SSL certificates");
        var domainList = rest.QueryParameters("List domains\nQuery parameters");
        var types = rest.Text.Contains("ssl/v1/types?organizationId=", StringComparison.Ordinal);

        static IEnumerable<string> Names(Uri uri) => uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')[0]);

        Assert.Subset(sslList.ToHashSet(), Names(seen[0]).ToHashSet());
        Assert.Subset(sslList.ToHashSet(), Names(seen[1]).ToHashSet());
        Assert.Subset(domainList.ToHashSet(), Names(seen[4]).ToHashSet());
        Assert.True(types);
        Assert.DoesNotContain("sha256Hash", sslList);
        Assert.Contains("installStatus", sslList);
    }

    /// <summary>A vocabulary, where each document lists its values, and whether the client's table must equal the document's list or be part of it.</summary>
    private sealed record VocabularyCheck(ScmTerm[] Terms, Func<IReadOnlyList<string>?> Admin, Func<IReadOnlyList<string>> Rest, bool ExactAdmin = true, bool ExactRest = true);

    private static VocabularyCheck Check(string name)
    {
        const string SslList = "List SSL certificates\n";
        const string DomainList = "List domains\n";
        const string Report = "SSL certificates report\nRequest fields";
        static RestDocument R() => VendorDocuments.Rest();
        return name switch
        {
            "SslStatus" => new(ScmVocabulary.SslStatus, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/ssl/v1", "query", "status")), () => R().Values("Filter by status. Possible values:", SslList)),
            "InstallStatus" => new(ScmVocabulary.InstallStatus, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/ssl/v1", "query", "installStatus")), () => R().Values("Filter by Install status. Possible values:", SslList)),
            "RenewalStatus" => new(ScmVocabulary.RenewalStatus, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/ssl/v1", "query", "renewalStatus")), () => R().Values("Filter by Renewal status. Possible values:", SslList)),
            "RequestedVia" => new(ScmVocabulary.RequestedVia, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/ssl/v1", "query", "requestedVia")), () => R().Values("Filter by Requested Via. Possible values:", SslList)),
            "DiscoveryStatus" => new(ScmVocabulary.DiscoveryStatus, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/ssl/v1", "query", "discoveryStatus")), () => R().Values("Filter by discovery status. Possible values:", SslList)),
            "DomainState" => new(ScmVocabulary.DomainState, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/domain/v1", "query", "state")), () => R().Values("Filter by state, possible values", DomainList)),
            "DomainDelegationStatus" => new(ScmVocabulary.DomainDelegationStatus, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/domain/v1", "query", "status")), () => R().Values("Filter by status, possible values", DomainList)),
            "DcvMode" => new(ScmVocabulary.DcvMode, () => VendorDocuments.Enum(VendorDocuments.BodyProperty("POST", "/api/ssl/v1/enroll", "dcvMode")), () => R().Values("DCV validation mode. Possible values:")),
            "KeyGenerationMethod" => new(ScmVocabulary.KeyGenerationMethod, () => VendorDocuments.Enum(VendorDocuments.BodyProperty("POST", "/api/ssl/v1/enroll-keygen", "keyGenerationMethod")), () => R().Values("Key generation method", until: "passPhrase")),
            "KeyAlgorithm" => new(ScmVocabulary.KeyAlgorithm, () => null, () => R().Values("Keypair algorithm", until: "keySize")),
            "AutoRenewWritableState" => new(ScmVocabulary.AutoRenewWritableState, () => VendorDocuments.Enum(VendorDocuments.BodyProperty("PUT", "/api/ssl/v1", "autoRenewDetails.state")), () => R().Values("Auto-Renewal state\n | \n[", until: "defaults to"), ExactAdmin: false),
            "KeystoreFormat" => new(ScmVocabulary.KeystoreFormat, () => VendorDocuments.Enum(VendorDocuments.Parameter("POST", "/api/ssl/v1/keystore/{sslId}/{formatType}", "path", "formatType")), () => R().Values("Parameter to specify download format", until: "Example request")),
            "OrganizationRole" => new(ScmVocabulary.OrganizationRole, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/organization/v1/managed-by/{role}", "path", "role")), () => R().Values("Filter by role. Allowed values:")),
            "CustomFieldCertificateType" => new(ScmVocabulary.CustomFieldCertificateType, () => VendorDocuments.Enum(VendorDocuments.Parameter("GET", "/api/customField/v2", "query", "certType")), () => R().Values("Certificate type. Possible values:")),
            "RevocationReasonCode" => new(ScmVocabulary.RevocationReasonCode, () => VendorDocuments.Enum(VendorDocuments.BodyProperty("POST", "/api/ssl/v1/revoke/{id}", "reasonCode")), () => R().Text.Contains("[Allowed ranges 0,1 and 3-5]", StringComparison.Ordinal) ? ["0", "1", "3", "4", "5"] : []),
            "ReportCertificateStatus" => new(ScmVocabulary.ReportCertificateStatus, () => VendorDocuments.Enum(VendorDocuments.BodyProperty("POST", "/api/report/v1/ssl-certificates", "certificateStatus")), () => R().Codes("certificateStatus\n", Report, until: "\ncertificateDateAttribute")),
            "ReportDateAttribute" => new(ScmVocabulary.ReportDateAttribute, () => VendorDocuments.Enum(VendorDocuments.BodyProperty("POST", "/api/report/v1/ssl-certificates", "certificateDateAttribute")), () => R().Codes("certificateDateAttribute\n", Report, until: "\nfrom\n")),
            "ReportRequestSource" => new(ScmVocabulary.ReportRequestSource, () => VendorDocuments.Enum(VendorDocuments.BodyProperty("POST", "/api/report/v1/ssl-certificates", "certificateRequestSource")), () => R().Codes("certificateRequestSource\n", Report, until: "\nserialNumberFormat")),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    public static TheoryData<string> Vocabularies => new()
    {
        "SslStatus", "InstallStatus", "RenewalStatus", "RequestedVia", "DiscoveryStatus", "DomainState", "DomainDelegationStatus", "DcvMode",
        "KeyGenerationMethod", "KeyAlgorithm", "AutoRenewWritableState", "KeystoreFormat", "OrganizationRole", "CustomFieldCertificateType",
        "RevocationReasonCode", "ReportCertificateStatus", "ReportDateAttribute", "ReportRequestSource",
    };

    [SkippableTheory]
    [MemberData(nameof(Vocabularies))]
    public void Vocabulary_EachVersionsSpellings_AreTheValuesItsDocumentLists(string name)
    {
        _ = VendorDocuments.OpenApi();
        _ = VendorDocuments.Rest();
        var check = Check(name);
        var ours25_9 = check.Terms.Select(t => t.Admin25_9).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var ours25_5 = check.Terms.Select(t => t.Rest25_5).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var rest = check.Rest().Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(rest);
        if (check.ExactRest)
        {
            Assert.Equal(rest, ours25_5);
        }
        else
        {
            Assert.Subset(rest.ToHashSet(), ours25_5.ToHashSet());
        }

        if (check.Admin() is { } admin)
        {
            var sorted = admin.Order(StringComparer.Ordinal).ToList();
            if (check.ExactAdmin)
            {
                Assert.Equal(sorted, ours25_9);
            }
            else
            {
                Assert.Subset(sorted.ToHashSet(), ours25_9.ToHashSet());
            }
        }
        else
        {
            // The OpenAPI leaves it a free string: the client sends the same (REST-documented) spellings in both versions.
            Assert.Equal(ours25_5, ours25_9);
        }
    }

    [SkippableFact]
    public void VocabularyTables_CoverEveryDifferenceTheIssueNames()
    {
        _ = VendorDocuments.OpenApi();
        Assert.Equal("SAApproved", ScmVocabulary.Wire(ScmApiVersion.Rest25_5, ScmVocabulary.SslStatus, "SA Approved", "f"));
        Assert.Equal("SA Approved", ScmVocabulary.Wire(ScmApiVersion.Admin25_9, ScmVocabulary.SslStatus, "SAApproved", "f"));
        Assert.Equal("KEY_READY", ScmVocabulary.Wire(ScmApiVersion.Rest25_5, ScmVocabulary.InstallStatus, SslInstallStatus.KeyReady.Value, "f"));
        Assert.Equal("API", ScmVocabulary.Wire(ScmApiVersion.Rest25_5, ScmVocabulary.RequestedVia, RequestedVia.WebApi.Value, "f"));
        Assert.Equal("REST API", ScmVocabulary.Wire(ScmApiVersion.Admin25_9, ScmVocabulary.RequestedVia, "REST", "f"));
        Assert.Equal("active", ScmVocabulary.Wire(ScmApiVersion.Rest25_5, ScmVocabulary.DomainState, "ACTIVE", "f"));
        var unmanaged = Assert.Throws<ArgumentException>(() => ScmVocabulary.Wire(ScmApiVersion.Admin25_9, ScmVocabulary.SslStatus, "Unmanaged", "filter.Status"));
        Assert.Contains("filter.Status 'Unmanaged' is not documented by the Admin API 25.9", unmanaged.Message, StringComparison.Ordinal);
        var suspended = Assert.Throws<ArgumentException>(() => ScmVocabulary.Wire(ScmApiVersion.Rest25_5, ScmVocabulary.DomainState, "SUSPENDED", "filter.State"));
        Assert.Contains("filter.State must be one of active, inactive", suspended.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void CodesTypedDifferently_AreWrittenAsEachDocumentTypesThem()
    {
        var rest = VendorDocuments.Rest();
        Assert.Equal("Number", rest.FieldType("Revoke SSL certificate by Id\n", "reasonCode"));
        Assert.Equal("Number", rest.FieldType("SSL certificates report\nRequest fields", "certificateStatus"));
        Assert.Equal("Number", rest.FieldType("SSL certificates report\nRequest fields", "certificateDateAttribute"));
        Assert.Equal("Number", rest.FieldType("SSL certificates report\nRequest fields", "certificateRequestSource"));
        Assert.Equal("string", VendorDocuments.Type(VendorDocuments.BodyProperty("POST", "/api/ssl/v1/revoke/{id}", "reasonCode")));
        Assert.Equal("string", VendorDocuments.Type(VendorDocuments.BodyProperty("POST", "/api/ssl/v1/revoke/manual", "reasonCode")));
        Assert.Equal("string", VendorDocuments.Type(VendorDocuments.BodyProperty("POST", "/api/report/v1/ssl-certificates", "certificateStatus")));
        Assert.Equal("string", VendorDocuments.Type(VendorDocuments.BodyProperty("POST", "/api/report/v1/ssl-certificates", "certificateRequestSource")));

        static string Json(ScmApiVersion v) => System.Text.Encoding.UTF8.GetString(ScmTransport.Serialize(new RevokeWire { ReasonCode = ScmWireCode.For(v, 4), Reason = "r" }, ScmJsonContext.Default.RevokeWire));
        Assert.Equal("""{"reasonCode":4,"reason":"r"}""", Json(ScmApiVersion.Rest25_5));
        Assert.Equal("""{"reasonCode":"4","reason":"r"}""", Json(ScmApiVersion.Admin25_9));
    }

    [SkippableFact]
    public void CollectFormats_AreExactlyTheRestDocumentsList_AndAFreeStringInTheOpenApi()
    {
        var rest = VendorDocuments.Rest().Values("Format type for certificate.  Allowed values:").Order(StringComparer.Ordinal).ToList();
        var ours = typeof(SslCollectFormat).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(SslCollectFormat))
            .Select(p => ((SslCollectFormat)p.GetValue(null)!).Value)
            .Order(StringComparer.Ordinal)
            .ToList();
        var format = VendorDocuments.Parameter("GET", "/api/ssl/v1/collect/{sslId}", "query", "format");

        Assert.Equal(10, rest.Count);
        Assert.Equal(rest, ours);
        Assert.Equal("string", VendorDocuments.Type(format));
        Assert.False(format!.Value.TryGetProperty("enum", out _));
    }

    [SkippableFact]
    public void ReportDates_AreTheDocumentedCalendarDates()
    {
        var rest = VendorDocuments.Rest();
        Assert.Contains("ISO format, YYYY-MM-DD", rest.Text, StringComparison.Ordinal);
        var from = VendorDocuments.BodyProperty("POST", "/api/report/v1/ssl-certificates", "from")!.Value;
        Assert.Contains("YYYY-MM-DD", from.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
