using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Scm.Client.Internal;
using Scm.Client.Tests.Infrastructure;

namespace Scm.Client.Tests;

/// <summary>Checks every request the client can emit against Sectigo's published OpenAPI document (25.9.2).</summary>
public sealed partial class VendorContractTests
{
    /// <summary>Documented in scm-api.md but absent from the OpenAPI: HEAD count on the SSL list, the older collect path.</summary>
    private static readonly HashSet<(string Method, string Path)> DocumentedExtras =
    [
        ("HEAD", "/api/ssl/v1"),
        ("HEAD", "/api/ssl/v2"),
        ("GET", "/api/ssl/v1/collect/{}/{}"),
        ("GET", "/api/ssl/v2/collect/{}/{}"),
    ];

    private static readonly Lazy<JsonDocument?> Spec = new(LoadSpec);

    private static JsonDocument? LoadSpec()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Scm.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        if (dir?.Parent is null)
        {
            return null;
        }

        var file = Path.Combine(dir.Parent.FullName, "shared", "reference", "scm-admin-api-openapi-25.9.2.json");
        return File.Exists(file) ? JsonDocument.Parse(File.ReadAllText(file)) : null;
    }

    private static JsonElement Root()
    {
        Skip.If(Spec.Value is null, "Sectigo's OpenAPI file ../shared/reference/scm-admin-api-openapi-25.9.2.json is not present beside the repository.");
        return Spec.Value!.RootElement;
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();

    private static string Normalize(string path) => Placeholder().Replace(path, "{}");

    private static Dictionary<(string, string), JsonElement> Operations(JsonElement root)
    {
        var ops = new Dictionary<(string, string), JsonElement>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                ops[(op.Name.ToUpperInvariant(), Normalize(path.Name))] = op.Value;
            }
        }

        return ops;
    }

    private static IEnumerable<(ScmOperation Op, string Path)> Emitted()
    {
        foreach (var op in ScmOperations.All)
        {
            yield return (op, Normalize("/api/" + op.TemplateFor("v1")));
            if (op.IsVersionedSsl)
            {
                yield return (op, Normalize("/api/" + op.TemplateFor("v2")));
            }
        }
    }

    [SkippableFact]
    public void EveryEmittedMethodAndPath_ExistsInOpenApiOrDocumentedExtras()
    {
        var ops = Operations(Root());
        var missing = Emitted()
            .Where(e => !ops.ContainsKey((e.Op.Method.Method, e.Path)) && !DocumentedExtras.Contains((e.Op.Method.Method, e.Path)))
            .Select(e => e.Op.Method.Method + " " + e.Path)
            .ToList();

        Assert.True(missing.Count == 0, "Not in the OpenAPI nor in the documented extras: " + string.Join(", ", missing));
        Assert.True(ScmOperations.All.Count >= 30);
    }

    [SkippableFact]
    public void DocumentedExtraFlags_MatchOnlyOperationsAbsentFromOpenApi()
    {
        var ops = Operations(Root());

        foreach (var (op, path) in Emitted())
        {
            var inSpec = ops.ContainsKey((op.Method.Method, path));
            Assert.True(op.DocumentedExtra == !inSpec, op.Name + " " + op.Method + " " + path + ": DocumentedExtra=" + op.DocumentedExtra + ", in spec=" + inSpec);
        }
    }

    [SkippableFact]
    public void EveryRequestBodyProperty_ExistsInTheOperationsRequestSchema()
    {
        var root = Root();
        var ops = Operations(root);
        var problems = new List<string>();
        var checkedProperties = 0;
        foreach (var (op, path) in Emitted())
        {
            if (op.RequestBody is null || !ops.TryGetValue((op.Method.Method, path), out var spec))
            {
                continue;
            }

            Assert.True(spec.TryGetProperty("requestBody", out var body), op.Name + " sends a body but the OpenAPI operation has none");
            var schema = body.GetProperty("content").GetProperty("application/json").GetProperty("schema");
            var info = ScmJsonContext.Default.GetTypeInfo(op.RequestBody)!;
            checkedProperties += Compare(root, info, schema, op.Name + " " + path, problems);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedProperties > 60, "only " + checkedProperties + " properties were checked");
    }

    private static int Compare(JsonElement root, JsonTypeInfo info, JsonElement schema, string where, List<string> problems)
    {
        schema = Resolve(root, schema);
        if (info.Kind == JsonTypeInfoKind.Enumerable)
        {
            if (!schema.TryGetProperty("items", out var items))
            {
                problems.Add(where + ": the client sends an array, the schema is not one");
                return 0;
            }

            return Compare(root, ScmJsonContext.Default.GetTypeInfo(info.ElementType!)!, items, where + "[]", problems);
        }

        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return 0;
        }

        var properties = Properties(root, schema);
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
                count += Compare(root, childInfo, child, where + "." + p.Name, problems);
            }
        }

        return count;
    }

    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var r))
        {
            var node = root;
            foreach (var part in r.GetString()!.TrimStart('#', '/').Split('/'))
            {
                node = node.GetProperty(part);
            }

            schema = node;
        }

        return schema;
    }

    private static Dictionary<string, JsonElement> Properties(JsonElement root, JsonElement schema)
    {
        schema = Resolve(root, schema);
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
                    foreach (var kv in Properties(root, part))
                    {
                        result[kv.Key] = kv.Value;
                    }
                }
            }
        }

        return result;
    }

    private static HashSet<string> QueryParameters(JsonElement root, string method, string path)
    {
        var names = new HashSet<string>();
        if (Operations(root).TryGetValue((method, path), out var op) && op.TryGetProperty("parameters", out var ps))
        {
            foreach (var p in ps.EnumerateArray())
            {
                var param = Resolve(root, p);
                if (param.GetProperty("in").GetString() == "query")
                {
                    names.Add(param.GetProperty("name").GetString()!);
                }
            }
        }

        return names;
    }

    [SkippableFact]
    public async Task EveryQueryParameterTheClientSends_ExistsInTheOpenApi()
    {
        var root = Root();
        var seen = new List<Uri>();
        var handler = new StubHandler((req, _) =>
        {
            seen.Add(req.RequestUri!);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(req.RequestUri!.AbsolutePath.EndsWith("/report/v1/ssl-certificates", StringComparison.Ordinal) ? "{\"reports\":[]}" : "[]") };
            response.Headers.Add("X-Total-Count", "0");
            return Task.FromResult(response);
        });
        using var client = TestClient.Create(new Uri("https://scm.test/api"), primary: () => handler);
        var everyFilter = new SslListFilter
        {
            CommonName = "a", SubjectAlternativeName = "b", Status = SslCertificateStatus.Issued, ProfileId = 1, DiscoveryStatus = "Deployed",
            Vendor = "v", OrganizationId = 2, InstallStatus = SslInstallStatus.Completed, RenewalStatus = AutoRenewState.Scheduled, Issuer = "i",
            SerialNumber = "01", Requester = "r", ExternalRequester = "e@x.com", SignatureAlgorithm = "s", KeyAlgorithm = "RSA", KeySize = 2048,
            KeyParameter = "2048", Sha1Hash = "1", Md5Hash = "2", Sha256Hash = "3", KeyUsage = "k", ExtendedKeyUsage = "x", RequestedVia = RequestedVia.WebApi,
        };

        await client.Ssl.ListPageAsync(everyFilter, 0, 10);
        await client.Ssl.ListProfilesAsync(5);
        await client.Client.Domains.ListPageAsync(new DomainListFilter { Name = "ab", State = DomainState.Active, DelegationStatus = "approved", OrganizationId = 1 }, 0, 10);
        await client.Client.Reports.GetSslCertificatesAsync(new SslReportRequest());

        var problems = new List<string>();
        foreach (var uri in seen)
        {
            var allowed = QueryParameters(root, "GET", Normalize(uri.AbsolutePath)) is { Count: > 0 } g ? g : QueryParameters(root, "POST", Normalize(uri.AbsolutePath));
            foreach (var name in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')[0]))
            {
                if (!allowed.Contains(name))
                {
                    problems.Add(uri.AbsolutePath + "?" + name);
                }
            }
        }

        Assert.Equal(4, seen.Count);
        Assert.Equal(25, seen[0].Query.Split('&').Length);
        Assert.True(problems.Count == 0, "Query parameters not in the OpenAPI: " + string.Join(", ", problems));
    }
}
