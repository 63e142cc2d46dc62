using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Scm.Client.Tests.Infrastructure;

/// <summary>
/// Sectigo's two API documents as the contract tests read them, from ../shared/reference beside the repository (never
/// copied into it): the Admin API OpenAPI 25.9.2 (JSON) and the REST API 25.5 reference (Asciidoctor HTML, read as text).
/// </summary>
internal static partial class VendorDocuments
{
    private static readonly Lazy<string?> Reference = new(FindReference);
    private static readonly Lazy<JsonDocument?> OpenApiDocument = new(() => Load("scm-admin-api-openapi-25.9.2.json") is { } text ? JsonDocument.Parse(text) : null);
    private static readonly Lazy<RestDocument?> RestDocumentText = new(() => Load("scm-rest-api-25.5.html") is { } html ? new RestDocument(html) : null);

    /// <summary>The OpenAPI root, or a skip when the file is absent.</summary>
    public static JsonElement OpenApi()
    {
        Skip.If(OpenApiDocument.Value is null, "../shared/reference/scm-admin-api-openapi-25.9.2.json is not present beside the repository.");
        return OpenApiDocument.Value!.RootElement;
    }

    /// <summary>The REST API 25.5 document as text, or a skip when the file is absent.</summary>
    public static RestDocument Rest()
    {
        Skip.If(RestDocumentText.Value is null, "../shared/reference/scm-rest-api-25.5.html is not present beside the repository.");
        return RestDocumentText.Value!;
    }

    private static string? FindReference()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Scm.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared", "reference");
    }

    private static string? Load(string name)
    {
        if (Reference.Value is not { } folder || !File.Exists(Path.Combine(folder, name)))
        {
            return null;
        }

        return File.ReadAllText(Path.Combine(folder, name), Encoding.UTF8);
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();

    /// <summary>A path with every <c>{name}</c> replaced by <c>{}</c>.</summary>
    public static string Normalize(string path) => Placeholder().Replace(path, "{}");

    /// <summary>Every (METHOD, normalized path) of the OpenAPI document with its operation object.</summary>
    public static Dictionary<(string Method, string Path), JsonElement> OpenApiOperations()
    {
        var ops = new Dictionary<(string, string), JsonElement>();
        foreach (var path in OpenApi().GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                ops[(op.Name.ToUpperInvariant(), Normalize(path.Name))] = op.Value;
            }
        }

        return ops;
    }

    /// <summary>Follows <c>$ref</c>s.</summary>
    public static JsonElement Resolve(JsonElement schema)
    {
        var root = OpenApi();
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var r))
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

    /// <summary>The schema of a parameter (<c>query</c>, <c>path</c> or <c>header</c>) of an operation.</summary>
    public static JsonElement? Parameter(string method, string path, string location, string name)
    {
        if (!OpenApiOperations().TryGetValue((method, Normalize(path)), out var op) || !op.TryGetProperty("parameters", out var ps))
        {
            return null;
        }

        foreach (var p in ps.EnumerateArray())
        {
            var param = Resolve(p);
            if (param.GetProperty("in").GetString() == location && param.GetProperty("name").GetString() == name)
            {
                return Resolve(param.GetProperty("schema"));
            }
        }

        return null;
    }

    /// <summary>The OpenAPI path template (normalized) that a concrete request path such as <c>/api/ssl/v1/collect/42</c> matches, if any.</summary>
    public static string? OpenApiTemplate(string method, string concretePath)
    {
        // Literal segments win over placeholders (ssl/v1/types before ssl/v1/{sslId}).
        foreach (var (m, template) in OpenApiOperations().Keys.OrderBy(k => k.Path.Split("{}").Length))
        {
            var pattern = "^" + Regex.Escape(template).Replace(@"\{}", "[^/]+", StringComparison.Ordinal) + "$";
            if (m == method && Regex.IsMatch(concretePath, pattern, RegexOptions.CultureInvariant))
            {
                return template;
            }
        }

        return null;
    }

    /// <summary>The names of an operation's parameters in <paramref name="location"/>.</summary>
    public static HashSet<string> ParameterNames(string method, string path, string location)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (OpenApiOperations().TryGetValue((method, Normalize(path)), out var op) && op.TryGetProperty("parameters", out var ps))
        {
            foreach (var p in ps.EnumerateArray())
            {
                var param = Resolve(p);
                if (param.GetProperty("in").GetString() == location)
                {
                    names.Add(param.GetProperty("name").GetString()!);
                }
            }
        }

        return names;
    }

    /// <summary>The schema of a (dotted) property of an operation's JSON request body.</summary>
    public static JsonElement? BodyProperty(string method, string path, string dotted)
    {
        if (!OpenApiOperations().TryGetValue((method, Normalize(path)), out var op) || !op.TryGetProperty("requestBody", out var body))
        {
            return null;
        }

        var schema = Resolve(body.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        foreach (var part in dotted.Split('.'))
        {
            if (!schema.TryGetProperty("properties", out var props) || !props.TryGetProperty(part, out var child))
            {
                return null;
            }

            schema = Resolve(child);
        }

        return schema;
    }

    /// <summary>A schema's <c>enum</c> values (array items' enum for an array schema).</summary>
    public static IReadOnlyList<string> Enum(JsonElement? schema)
    {
        Assert.True(schema is not null, "the OpenAPI has no such parameter or property");
        var s = schema!.Value;
        if (s.TryGetProperty("items", out var items))
        {
            s = Resolve(items);
        }

        Assert.True(s.TryGetProperty("enum", out var values), "the OpenAPI schema has no enum: " + s.GetRawText());
        return values.EnumerateArray().Select(v => v.ToString()).ToList();
    }

    /// <summary>The JSON type a schema declares.</summary>
    public static string? Type(JsonElement? schema) => schema is { } s && s.TryGetProperty("type", out var t) ? t.GetString() : null;
}

/// <summary>The REST API 25.5 reference as plain text (table cells separated by <c> | </c>), with the few look-ups the contract tests need.</summary>
internal sealed partial class RestDocument
{
    public RestDocument(string html)
    {
        var text = ScriptOrStyle().Replace(html, string.Empty);
        text = BlockTag().Replace(text, "\n");
        text = CellTag().Replace(text, " | ");
        text = AnyTag().Replace(text, string.Empty);
        text = WebUtility.HtmlDecode(text);
        Text = BlankLines().Replace(text, "\n");
        Operations = CurlLine().Matches(Text)
            .Select(m => (Method: m.Groups["method"].Value, Path: PathOf(m.Groups["url"].Value)))
            .Distinct()
            .ToList();
        Templates = TableLine().Matches(Text).Select(m => m.Groups["path"].Value.Trim()).Distinct().ToList();
    }

    /// <summary>The whole document as text.</summary>
    public string Text { get; }

    /// <summary>Every (METHOD, path) of the document's curl examples (host and query removed, no trailing slash).</summary>
    public IReadOnlyList<(string Method, string Path)> Operations { get; }

    /// <summary>Every path template of the path-parameter tables (<c>Table 1. /api/...</c>).</summary>
    public IReadOnlyList<string> Templates { get; }

    /// <summary>Whether a curl example with <paramref name="method"/> matches <paramref name="template"/> (<c>/api/ssl/v1/collect/{sslId}</c>).</summary>
    public bool Documents(string method, string template)
    {
        var pattern = new Regex("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]*}", "[^/?]+") + "$", RegexOptions.CultureInvariant);
        return Operations.Any(o => o.Method == method && pattern.IsMatch(o.Path));
    }

    /// <summary>The query parameter names of the first query-parameter table after <paramref name="anchor"/> (a section's heading lines).</summary>
    public IReadOnlyList<string> QueryParameters(string anchor)
    {
        var at = Text.IndexOf(anchor, StringComparison.Ordinal);
        Assert.True(at >= 0, "not in the REST document: " + anchor);
        var table = Text.IndexOf("Query parameters\n", at, StringComparison.Ordinal);
        var end = Text.IndexOf("Example request", table, StringComparison.Ordinal);
        var cells = Text[table..end].Split("\n | \n").Skip(1).Select(c => c.Trim()).ToList();
        return cells.Where((_, i) => i % 2 == 0).ToList();
    }

    /// <summary>
    /// The values listed after <paramref name="anchor"/> (the first one at or after <paramref name="after"/>) up to the end of
    /// its line, or up to <paramref name="until"/>: a bracketed list <c>[a, b]</c> (quoted values inside it when quoted),
    /// quoted values <c>'a', 'b'</c>, or a bare comma list after the last colon.
    /// </summary>
    public IReadOnlyList<string> Values(string anchor, string? after = null, string? until = null)
    {
        var line = Span(anchor, after, until);
        var bracket = Bracketed().Match(line);
        if (bracket.Success)
        {
            var inside = bracket.Groups[1].Value;
            return inside.Contains('\'', StringComparison.Ordinal)
                ? Quoted().Matches(inside).Select(m => m.Groups[1].Value.Trim()).ToList()
                : inside.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        }

        var quoted = Quoted().Matches(line).Select(m => m.Groups[1].Value.Trim()).ToList();
        if (quoted.Count > 0)
        {
            return quoted;
        }

        var colon = line.LastIndexOf(':');
        var list = line[(colon + 1)..];
        var newline = list.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? list : list[..newline]).Split(',').Select(v => v.Trim().TrimEnd('.')).Where(v => v.Length > 0).ToList();
    }

    /// <summary>
    /// The numeric codes written as <c>N (Name)</c> or <c>N(Name)</c> after <paramref name="anchor"/>: inside the first
    /// bracketed list when the text has one (codes after it, such as a deprecated one, are not included), else up to <paramref name="until"/>.
    /// </summary>
    public IReadOnlyList<string> Codes(string anchor, string? after = null, string? until = null)
    {
        var text = Span(anchor, after, until);
        var bracket = Bracketed().Match(text);
        var scope = bracket.Success ? bracket.Groups[1].Value : text;
        return CodeItem().Matches(scope).Select(m => m.Groups[1].Value).ToList();
    }

    private string Span(string anchor, string? after, string? until)
    {
        var start = after is null ? 0 : Text.IndexOf(after, StringComparison.Ordinal);
        Assert.True(start >= 0, "not in the REST document: " + after);
        var at = Text.IndexOf(anchor, start, StringComparison.Ordinal);
        Assert.True(at >= 0, "not in the REST document: " + anchor);
        var end = until is null ? Text.IndexOf('\n', at) : Text.IndexOf(until, at + anchor.Length, StringComparison.Ordinal);
        Assert.True(until is null || end >= 0, "no '" + until + "' after '" + anchor + "'");
        return Text[at..(end < 0 ? Text.Length : end)];
    }

    /// <summary>
    /// The type the request-field table gives <paramref name="field"/> in the section that starts at <paramref name="section"/>
    /// (<c>Number</c>, <c>String</c>, ...).
    /// </summary>
    public string FieldType(string section, string field)
    {
        var start = Text.IndexOf(section, StringComparison.Ordinal);
        Assert.True(start >= 0, "not in the REST document: " + section);
        var at = Text.IndexOf("\n" + field + "\n | \n", start, StringComparison.Ordinal);
        Assert.True(at >= 0, "no field '" + field + "' after '" + section + "'");
        var typeStart = at + field.Length + 6;
        return Text[typeStart..Text.IndexOf('\n', typeStart)].Trim();
    }

    private static string PathOf(string url)
    {
        var path = new Uri(url).AbsolutePath;
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex(@"<(script|style)[^>]*>.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"<(p|div|tr|br|li|h[1-6]|pre|table)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<(td|th)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex CellTag();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"\n\s*\n+")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"curl '(?<url>https?://[^']+)' -i -X (?<method>[A-Z]+)")]
    private static partial Regex CurlLine();

    [GeneratedRegex(@"Table 1\. (?<path>/api/\S+)")]
    private static partial Regex TableLine();

    [GeneratedRegex(@"\[([^\]]+)\]")]
    private static partial Regex Bracketed();

    [GeneratedRegex(@"'([A-Za-z0-9][A-Za-z0-9_ ]*)'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b(\d+)\s*\(")]
    private static partial Regex CodeItem();
}
