using System.Text;

namespace Scm.Client.Internal;

/// <summary>Which of Sectigo's API documents describe an operation (method and path).</summary>
[Flags]
internal enum ScmDocuments
{
    /// <summary>Neither: field evidence only, recorded in scm-api.md (the older collect path).</summary>
    None = 0,

    /// <summary>The "Certificate Manager 25.5 REST API" HTML document.</summary>
    Rest25_5 = 1,

    /// <summary>The "Admin Operations" OpenAPI document 25.9.2.</summary>
    Admin25_9 = 2,

    /// <summary>Both documents.</summary>
    Both = Rest25_5 | Admin25_9,
}

/// <summary>One (method, path template) the client can emit. Every request path is produced by <see cref="Format(string?)"/> from these, so the catalog is the truth the vendor-contract test checks.</summary>
internal sealed class ScmOperation
{
    private readonly string[] _literals;
    private readonly string[] _literalsV2;

    public ScmOperation(string name, HttpMethod method, string template, Type? requestBody = null, string? query = null, ScmDocuments documents = ScmDocuments.Both)
    {
        Name = name;
        Method = method;
        Template = template;
        RequestBody = requestBody;
        Query = query;
        Documents = documents;
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

    /// <summary>
    /// Which vendor documents describe the ssl/v1 (or only) form of this operation; the ssl/v2 form of a versioned SSL
    /// operation is in the Admin API 25.9 document only (see <see cref="DocumentsFor"/>). A contract test checks these
    /// flags against both documents, both ways.
    /// </summary>
    public ScmDocuments Documents { get; }

    /// <summary>The documents describing the form this operation takes under <paramref name="sslApiVersion"/>.</summary>
    public ScmDocuments DocumentsFor(string sslApiVersion) =>
        IsVersionedSsl && sslApiVersion == "v2" ? Documents & ScmDocuments.Admin25_9 : Documents;

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
    public static readonly ScmOperation SslCount = new("ssl.count", Head, "ssl/v1", query: "<filters>", documents: ScmDocuments.Rest25_5);
    public static readonly ScmOperation SslGet = new("ssl.get", Get, "ssl/v1/{sslId}");
    public static readonly ScmOperation SslUpdate = new("ssl.update", Put, "ssl/v1", typeof(Wire.UpdateWire));
    public static readonly ScmOperation SslDelete = new("ssl.delete", Delete, "ssl/v1/{sslId}");
    public static readonly ScmOperation SslEnroll = new("ssl.enroll", Post, "ssl/v1/enroll", typeof(Wire.EnrollWire));
    public static readonly ScmOperation SslEnrollKeyGeneration = new("ssl.enrollKeygen", Post, "ssl/v1/enroll-keygen", typeof(Wire.EnrollKeyGenerationWire));
    public static readonly ScmOperation SslCollect = new("ssl.collect", Get, "ssl/v1/collect/{sslId}", query: "format");
    public static readonly ScmOperation SslCollectLegacy = new("ssl.collect", Get, "ssl/v1/collect/{sslId}/{format}", documents: ScmDocuments.None);

    /// <summary>The keystore link as the REST API 25.5 documents it: GET, no body.</summary>
    public static readonly ScmOperation SslKeystoreRest = new("ssl.keystore", Get, "ssl/v1/keystore/{sslId}/{formatType}", documents: ScmDocuments.Rest25_5);

    /// <summary>The keystore link as the Admin API 25.9 documents it: POST with an optional pass phrase.</summary>
    public static readonly ScmOperation SslKeystoreAdmin = new("ssl.keystore", Post, "ssl/v1/keystore/{sslId}/{formatType}", typeof(Wire.KeystoreRequestWire), documents: ScmDocuments.Admin25_9);
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

    /// <summary>The REST API 25.5 spelling of the managed-by path.</summary>
    public static readonly ScmOperation OrganizationManagedByRest = new("organization.managedBy", Get, "organization/v1/managedBy/{role}", documents: ScmDocuments.Rest25_5);

    /// <summary>The Admin API 25.9 spelling of the managed-by path.</summary>
    public static readonly ScmOperation OrganizationManagedByAdmin = new("organization.managedBy", Get, "organization/v1/managed-by/{role}", documents: ScmDocuments.Admin25_9);
    public static readonly ScmOperation OrganizationValidations = new("organization.validations.list", Get, "organization/v2/{orgId}/validations");

    public static readonly ScmOperation DomainList = new("domain.list", Get, "domain/v1", query: "size,position,name,state,status,orgId");
    public static readonly ScmOperation DomainGet = new("domain.get", Get, "domain/v1/{id}");

    public static readonly ScmOperation AdminPassword = new("admin.password", Get, "admin/v1/password");
    public static readonly ScmOperation AdminChangePassword = new("admin.changePassword", Post, "admin/v1/changepassword", typeof(Wire.ChangePasswordWire));

    public static readonly ScmOperation CustomFieldList = new("customField.list", Get, "customField/v2", query: "certType");
    public static readonly ScmOperation CustomFieldGet = new("customField.get", Get, "customField/v2/{id}");

    /// <summary>The DCV list as the REST API 25.5 documents it (<c>dcv/v1</c>).</summary>
    public static readonly ScmOperation DcvListRest = new("dcv.list", Get, "dcv/v1/validation", query: "size,position,domain,org,department,dcvStatus,orderStatus,expiresIn", documents: ScmDocuments.Rest25_5);

    /// <summary>The DCV list as the Admin API 25.9 documents it (<c>dcv/v2</c>).</summary>
    public static readonly ScmOperation DcvListAdmin = new("dcv.list", Get, "dcv/v2/validation", query: "size,position,domain,org,department,dcvStatus,orderStatus,expiresIn", documents: ScmDocuments.Admin25_9);

    /// <summary>The status of one domain: <c>dcv/v2</c> in both documents (25.5 calls its v1 deprecated).</summary>
    public static readonly ScmOperation DcvStatus = new("dcv.status", Post, "dcv/v2/validation/status", typeof(Wire.DcvDomainWire));

    public static readonly ScmOperation DcvStartCnameRest = DcvRest("dcv.start.cname", "start/domain/cname");
    public static readonly ScmOperation DcvStartCnameAdmin = DcvAdmin("dcv.start.cname", "start/domain/cname");
    public static readonly ScmOperation DcvStartHttpRest = DcvRest("dcv.start.http", "start/domain/http");
    public static readonly ScmOperation DcvStartHttpAdmin = DcvAdmin("dcv.start.http", "start/domain/http");
    public static readonly ScmOperation DcvStartHttpsRest = DcvRest("dcv.start.https", "start/domain/https");
    public static readonly ScmOperation DcvStartHttpsAdmin = DcvAdmin("dcv.start.https", "start/domain/https");
    public static readonly ScmOperation DcvStartEmailRest = DcvRest("dcv.start.email", "start/domain/email");
    public static readonly ScmOperation DcvStartEmailAdmin = DcvAdmin("dcv.start.email", "start/domain/email");
    public static readonly ScmOperation DcvSubmitCnameRest = DcvRest("dcv.submit.cname", "submit/domain/cname");
    public static readonly ScmOperation DcvSubmitCnameAdmin = DcvAdmin("dcv.submit.cname", "submit/domain/cname");
    public static readonly ScmOperation DcvSubmitHttpRest = DcvRest("dcv.submit.http", "submit/domain/http");
    public static readonly ScmOperation DcvSubmitHttpAdmin = DcvAdmin("dcv.submit.http", "submit/domain/http");
    public static readonly ScmOperation DcvSubmitHttpsRest = DcvRest("dcv.submit.https", "submit/domain/https");
    public static readonly ScmOperation DcvSubmitHttpsAdmin = DcvAdmin("dcv.submit.https", "submit/domain/https");
    public static readonly ScmOperation DcvSubmitTxtRest = DcvRest("dcv.submit.txt", "submit/domain/txt");
    public static readonly ScmOperation DcvSubmitTxtAdmin = DcvAdmin("dcv.submit.txt", "submit/domain/txt");
    public static readonly ScmOperation DcvSubmitEmailRest = DcvRest("dcv.submit.email", "submit/domain/email", typeof(Wire.DcvEmailSubmitWire));
    public static readonly ScmOperation DcvSubmitEmailAdmin = DcvAdmin("dcv.submit.email", "submit/domain/email", typeof(Wire.DcvEmailSubmitWire));

    public static readonly ScmOperation ReportSsl = new("report.ssl", Post, "report/v1/ssl-certificates", typeof(Wire.SslReportRequestWire), query: "output_type");

    public static IReadOnlyList<ScmOperation> All { get; } =
    [
        SslListProfiles, SslListCustomFields, SslList, SslCount, SslGet, SslUpdate, SslDelete, SslEnroll, SslEnrollKeyGeneration,
        SslCollect, SslCollectLegacy, SslKeystoreRest, SslKeystoreAdmin, SslApprove, SslDecline, SslRevoke, SslRevokeBySerial,
        SslRevokeManual, SslRenew, SslRenewById, SslRenewManual, SslReplace, SslImport, SslGetDcv, SslRecheckDcv, SslListLocations,
        SslCreateLocation, SslGetLocation, SslUpdateLocation, SslDeleteLocation, OrganizationList, OrganizationGet,
        OrganizationManagedByRest, OrganizationManagedByAdmin, OrganizationValidations, DomainList, DomainGet, AdminPassword,
        AdminChangePassword, CustomFieldList, CustomFieldGet, ReportSsl, DcvListRest, DcvListAdmin, DcvStatus, DcvStartCnameRest,
        DcvStartCnameAdmin, DcvStartHttpRest, DcvStartHttpAdmin, DcvStartHttpsRest, DcvStartHttpsAdmin, DcvStartEmailRest,
        DcvStartEmailAdmin, DcvSubmitCnameRest, DcvSubmitCnameAdmin, DcvSubmitHttpRest, DcvSubmitHttpAdmin, DcvSubmitHttpsRest,
        DcvSubmitHttpsAdmin, DcvSubmitTxtRest, DcvSubmitTxtAdmin, DcvSubmitEmailRest, DcvSubmitEmailAdmin,
    ];

    /// <summary>A DCV start or submit as the REST API 25.5 documents it (<c>dcv/v1/validation/...</c>).</summary>
    private static ScmOperation DcvRest(string name, string rest, Type? body = null) =>
        new(name, Post, "dcv/v1/validation/" + rest, body ?? typeof(Wire.DcvDomainWire), documents: ScmDocuments.Rest25_5);

    /// <summary>A DCV start or submit as the Admin API 25.9 documents it (<c>dcv/v2/validation/...</c>).</summary>
    private static ScmOperation DcvAdmin(string name, string rest, Type? body = null) =>
        new(name, Post, "dcv/v2/validation/" + rest, body ?? typeof(Wire.DcvDomainWire), documents: ScmDocuments.Admin25_9);
}
