using System.Text;

namespace Scm.Client.Internal;

/// <summary>One (method, path template) the client can emit. Every request path is produced by <see cref="Format(string?)"/> from these, so the catalog is the truth the vendor-contract test checks.</summary>
internal sealed class ScmOperation
{
    private readonly string[] _literals;
    private readonly string[] _literalsV2;

    public ScmOperation(string name, HttpMethod method, string template, Type? requestBody = null, string? query = null, bool documentedExtra = false)
    {
        Name = name;
        Method = method;
        Template = template;
        RequestBody = requestBody;
        Query = query;
        DocumentedExtra = documentedExtra;
        _literals = Split(template, out var placeholders);
        Placeholders = placeholders;
        IsVersionedSsl = template.StartsWith("ssl/v1", StringComparison.Ordinal);
        _literalsV2 = IsVersionedSsl ? Split("ssl/v2" + template["ssl/v1".Length..], out _) : _literals;
    }

    /// <summary>Stable name, used for logs, metrics and traces (e.g. <c>ssl.get</c>).</summary>
    public string Name { get; }

    public HttpMethod Method { get; }

    /// <summary>Path template relative to the base, e.g. <c>ssl/v1/collect/{sslId}</c>.</summary>
    public string Template { get; }

    /// <summary>The wire type written as the JSON body, if any.</summary>
    public Type? RequestBody { get; }

    /// <summary>Query parameter names the operation may send (comma separated), for documentation and tests.</summary>
    public string? Query { get; }

    /// <summary>Not in Sectigo's OpenAPI but documented in scm-api.md (HEAD count, legacy collect path).</summary>
    public bool DocumentedExtra { get; }

    public IReadOnlyList<string> Placeholders { get; }

    /// <summary>Whether <see cref="ScmClientOptions.SslApiVersion"/> switches this path between ssl/v1 and ssl/v2.</summary>
    public bool IsVersionedSsl { get; }

    public bool IsSafe => Method == HttpMethod.Get || Method == HttpMethod.Head;

    public string TemplateFor(string sslApiVersion) =>
        IsVersionedSsl && sslApiVersion == "v2" ? "ssl/v2" + Template["ssl/v1".Length..] : Template;

    public string Format(string? version) => Format(version, ReadOnlySpan<string>.Empty);

    public string Format(string? version, string arg0) => Format(version, [arg0]);

    public string Format(string? version, string arg0, string arg1) => Format(version, [arg0, arg1]);

    private string Format(string? version, ReadOnlySpan<string> args)
    {
        var lit = version == "v2" ? _literalsV2 : _literals;
        if (args.Length != lit.Length - 1)
        {
            throw new InvalidOperationException("Wrong number of path arguments for " + Name + ".");
        }

        if (args.Length == 0)
        {
            return lit[0];
        }

        if (args.Length == 1)
        {
            return string.Concat(lit[0], args[0], lit[1]);
        }

        var sb = new StringBuilder(lit[0]);
        for (var i = 0; i < args.Length; i++)
        {
            sb.Append(args[i]).Append(lit[i + 1]);
        }

        return sb.ToString();
    }

    private static string[] Split(string template, out string[] placeholders)
    {
        var literals = new List<string>();
        var names = new List<string>();
        var start = 0;
        while (true)
        {
            var open = template.IndexOf('{', start);
            if (open < 0)
            {
                literals.Add(template[start..]);
                break;
            }

            var close = template.IndexOf('}', open);
            literals.Add(template[start..open]);
            names.Add(template[(open + 1)..close]);
            start = close + 1;
        }

        placeholders = [.. names];
        return [.. literals];
    }
}

/// <summary>The catalog of every request the client can send.</summary>
internal static class ScmOperations
{
    private static readonly HttpMethod Get = HttpMethod.Get;
    private static readonly HttpMethod Post = HttpMethod.Post;
    private static readonly HttpMethod Put = HttpMethod.Put;
    private static readonly HttpMethod Delete = HttpMethod.Delete;
    private static readonly HttpMethod Head = HttpMethod.Head;

    public static readonly ScmOperation SslListProfiles = new("ssl.types.list", Get, "ssl/v1/types", query: "organizationId");
    public static readonly ScmOperation SslListCustomFields = new("ssl.customFields.list", Get, "ssl/v1/customFields");
    public static readonly ScmOperation SslList = new("ssl.list", Get, "ssl/v1", query: "size,position,<filters>");
    public static readonly ScmOperation SslCount = new("ssl.count", Head, "ssl/v1", query: "<filters>", documentedExtra: true);
    public static readonly ScmOperation SslGet = new("ssl.get", Get, "ssl/v1/{sslId}");
    public static readonly ScmOperation SslUpdate = new("ssl.update", Put, "ssl/v1", typeof(Wire.UpdateWire));
    public static readonly ScmOperation SslDelete = new("ssl.delete", Delete, "ssl/v1/{sslId}");
    public static readonly ScmOperation SslEnroll = new("ssl.enroll", Post, "ssl/v1/enroll", typeof(Wire.EnrollWire));
    public static readonly ScmOperation SslEnrollKeyGeneration = new("ssl.enrollKeygen", Post, "ssl/v1/enroll-keygen", typeof(Wire.EnrollKeyGenerationWire));
    public static readonly ScmOperation SslCollect = new("ssl.collect", Get, "ssl/v1/collect/{sslId}", query: "format");
    public static readonly ScmOperation SslCollectLegacy = new("ssl.collect", Get, "ssl/v1/collect/{sslId}/{format}", documentedExtra: true);
    public static readonly ScmOperation SslApprove = new("ssl.approve", Post, "ssl/v1/approve/{id}", typeof(Wire.MessageWire));
    public static readonly ScmOperation SslDecline = new("ssl.decline", Post, "ssl/v1/decline/{id}", typeof(Wire.MessageWire));
    public static readonly ScmOperation SslRevoke = new("ssl.revoke", Post, "ssl/v1/revoke/{id}", typeof(Wire.RevokeWire));
    public static readonly ScmOperation SslRevokeBySerial = new("ssl.revokeBySerial", Post, "ssl/v1/revoke/serial/{serialNumber}", typeof(Wire.RevokeWire));
    public static readonly ScmOperation SslRevokeManual = new("ssl.revokeManual", Post, "ssl/v1/revoke/manual", typeof(Wire.ManualRevokeWire));
    public static readonly ScmOperation SslRenew = new("ssl.renew", Post, "ssl/v1/renew/{renewId}", typeof(Wire.RenewWire));
    public static readonly ScmOperation SslRenewById = new("ssl.renewById", Post, "ssl/v1/renewById/{sslId}", typeof(Wire.RenewWire));
    public static readonly ScmOperation SslRenewManual = new("ssl.renewManual", Post, "ssl/v1/renew/manual/{id}", typeof(Wire.ManualRenewWire));
    public static readonly ScmOperation SslReplace = new("ssl.replace", Post, "ssl/v1/replace/{sslId}", typeof(Wire.ReplaceWire));
    public static readonly ScmOperation SslImport = new("ssl.import", Post, "ssl/v2/import", typeof(IReadOnlyList<Wire.ImportItemWire>));
    public static readonly ScmOperation SslGetDcv = new("ssl.dcv.get", Get, "ssl/v1/{sslId}/dcv");
    public static readonly ScmOperation SslRecheckDcv = new("ssl.dcv.recheck", Post, "ssl/v1/{sslId}/dcv/recheck");
    public static readonly ScmOperation SslListLocations = new("ssl.location.list", Get, "ssl/v1/{sslId}/location");
    public static readonly ScmOperation SslCreateLocation = new("ssl.location.create", Post, "ssl/v1/{sslId}/location", typeof(Wire.LocationWriteWire));
    public static readonly ScmOperation SslGetLocation = new("ssl.location.get", Get, "ssl/v1/{sslId}/location/{locationId}");
    public static readonly ScmOperation SslUpdateLocation = new("ssl.location.update", Put, "ssl/v1/{sslId}/location/{locationId}", typeof(Wire.LocationWriteWire));
    public static readonly ScmOperation SslDeleteLocation = new("ssl.location.delete", Delete, "ssl/v1/{sslId}/location/{locationId}");

    public static readonly ScmOperation OrganizationList = new("organization.list", Get, "organization/v1");
    public static readonly ScmOperation OrganizationGet = new("organization.get", Get, "organization/v1/{id}");
    public static readonly ScmOperation OrganizationManagedBy = new("organization.managedBy", Get, "organization/v1/managed-by/{role}");

    public static readonly ScmOperation DomainList = new("domain.list", Get, "domain/v1", query: "size,position,name,state,status,orgId");
    public static readonly ScmOperation DomainGet = new("domain.get", Get, "domain/v1/{id}");

    public static readonly ScmOperation AdminPassword = new("admin.password", Get, "admin/v1/password");

    public static readonly ScmOperation ReportSsl = new("report.ssl", Post, "report/v1/ssl-certificates", typeof(Wire.SslReportRequestWire), query: "output_type");

    public static IReadOnlyList<ScmOperation> All { get; } =
    [
        SslListProfiles, SslListCustomFields, SslList, SslCount, SslGet, SslUpdate, SslDelete, SslEnroll, SslEnrollKeyGeneration,
        SslCollect, SslCollectLegacy, SslApprove, SslDecline, SslRevoke, SslRevokeBySerial, SslRevokeManual, SslRenew, SslRenewById,
        SslRenewManual, SslReplace, SslImport, SslGetDcv, SslRecheckDcv, SslListLocations, SslCreateLocation, SslGetLocation,
        SslUpdateLocation, SslDeleteLocation, OrganizationList, OrganizationGet, OrganizationManagedBy, DomainList, DomainGet,
        AdminPassword, ReportSsl,
    ];
}
