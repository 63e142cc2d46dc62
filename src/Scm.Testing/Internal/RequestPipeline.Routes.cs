using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Scm.Testing.Internal;

internal sealed partial class RequestPipeline
{
    private async Task DispatchAsync(HttpContext context, string path, string? apiPath, bool privateApi, byte[] body, ScmFaultKind? mutation)
    {
        try
        {
            if (apiPath is null)
            {
                if (path == TokenPath)
                {
                    await TokenAsync(context, body).ConfigureAwait(false);
                    return;
                }

                throw NotFound(context);
            }

            // SCM answers the password state, and lets the password be changed, even when the password has expired.
            var isPasswordState = apiPath.StartsWith("/admin/v1/password", StringComparison.Ordinal) || apiPath == "/admin/v1/changepassword";
            var authError = _auth.Authenticate(context, privateApi, _options.UseHttps, allowExpired: isPasswordState);
            if (authError is not null)
            {
                if (context.Request.Headers.Authorization.ToString().StartsWith("Bearer", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer realm=\"apiclients\", error=\"invalid_token\"";
                }

                throw authError;
            }

            await RouteAsync(context, apiPath, privateApi, body, mutation).ConfigureAwait(false);
        }
        catch (ScmApiException e)
        {
            context.Response.Headers.Remove(HeaderNames.ContentDisposition);
            await WriteJsonAsync(context, e.HttpStatus, ScmJson.Error(e.Code, e.Description), SslJson).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not IOException && !context.Response.HasStarted)
        {
            await WriteJsonAsync(context, 500, ScmJson.Error(-2, "Internal error, contact Support"), SslJson).ConfigureAwait(false);
        }
    }

    private async Task RouteAsync(HttpContext context, string apiPath, bool privateApi, byte[] body, ScmFaultKind? mutation)
    {
        var segments = apiPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 2)
        {
            throw NotFound(context);
        }

        switch (segments[0])
        {
            case "ssl" when segments[1] is "v1" or "v2":
                await SslAsync(context, segments[1], segments.AsMemory(2), privateApi, body, mutation).ConfigureAwait(false);
                return;
            case "organization" when segments[1] == "v1":
                await OrganizationAsync(context, segments.AsMemory(2)).ConfigureAwait(false);
                return;
            case "organization" when segments[1] == "v2" && segments.Length == 4 && segments[3] == "validations":
                RequireMethod(context, "GET");
                await WriteJsonAsync(context, 200, _engine.OrganizationValidationsJson(ParseId(segments[2], "orgId")), PlainJson).ConfigureAwait(false);
                return;
            case "customField" when segments[1] == "v2":
                await CustomFieldAsync(context, segments.AsMemory(2)).ConfigureAwait(false);
                return;
            case "report" when segments[1] == "v1" && segments.Length == 3 && segments[2] == "ssl-certificates":
                {
                    RequireMethod(context, "POST");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
                    context.Response.Headers.ContentDisposition = "attachment; filename=\"rest_api_ssl-certificates.json\"";
                    context.Response.Headers.CacheControl = "must-revalidate";
                    await WriteJsonAsync(context, 200, _engine.SslReportJson(doc.RootElement), SslJson).ConfigureAwait(false);
                    return;
                }

            case "admin" when segments[1] == "v1" && segments.Length == 3 && segments[2] == "changepassword":
                {
                    RequireMethod(context, "POST");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
                    _auth.ChangePassword(context, JsonBody.GetString(doc.RootElement, "newPassword"));
                    NoContent(context);
                    return;
                }

            case "dcv" when segments[1] is "v1" or "v2" && segments.Length >= 3 && segments[2] == "validation":
                await DcvAsync(context, segments[1], segments.AsMemory(3), body).ConfigureAwait(false);
                return;
            case "domain" when segments[1] == "v1":
                await DomainAsync(context, segments.AsMemory(2)).ConfigureAwait(false);
                return;
            case "admin" when segments[1] == "v1" && segments.Length == 3 && segments[2] == "password":
                RequireMethod(context, "GET");
                await WriteJsonAsync(context, 200, _engine.PasswordStateJson(_auth.Expired, _auth.PasswordExpiration), PlainJson).ConfigureAwait(false);
                return;
            default:
                throw NotFound(context);
        }
    }

    private async Task SslAsync(HttpContext context, string version, ReadOnlyMemory<string> rest, bool privateApi, byte[] body, ScmFaultKind? mutation)
    {
        var r = rest.Span;
        var method = context.Request.Method;
        var query = context.Request.Query;
        if (r.Length == 0)
        {
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
            {
                var (position, size) = Paging(query);
                var (total, rows) = _engine.List(SslFilter.From(query, _options.ApiVersion), position, size);
                context.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
                await WriteJsonAsync(context, 200, rows, SslJson).ConfigureAwait(false);
                return;
            }

            if (HttpMethods.IsPut(method))
            {
                using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
                await WriteJsonAsync(context, 200, _engine.Update(doc.RootElement), SslJson).ConfigureAwait(false);
                return;
            }

            throw MethodNotAllowed(context);
        }

        switch (r[0])
        {
            case "types" when r.Length == 1:
                RequireMethod(context, "GET");
                await WriteJsonAsync(context, 200, _engine.TypesJson(SslFilter.QueryInt(query, "organizationId")), SslJson).ConfigureAwait(false);
                return;
            case "customFields" when r.Length == 1:
                RequireMethod(context, "GET");
                await WriteJsonAsync(context, 200, _engine.CustomFieldsJson(), SslJson).ConfigureAwait(false);
                return;
            case "enroll" or "enroll-keygen" when r.Length == 1:
                {
                    RequireMethod(context, "POST");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
                    var enrolled = r[0] == "enroll" ? _engine.Enroll(doc.RootElement) : _engine.EnrollKeygen(doc.RootElement);
                    await WriteJsonAsync(context, 200, ScmJson.Build((enrolled.SslId, enrolled.RenewId), static (w, s) =>
                    {
                        w.WriteStartObject();
                        w.WriteNumber("sslId", s.Item1);
                        w.WriteString("renewId", s.Item2);
                        w.WriteEndObject();
                    }), SslJson).ConfigureAwait(false);
                    return;
                }

            case "collect" when r.Length is 2 or 3:
                {
                    RequireMethod(context, "GET");
                    var id = ParseId(r[1], "sslId");
                    var pathForm = r.Length == 3;
                    var format = pathForm ? r[2] : (query.TryGetValue("format", out var f) && !string.IsNullOrEmpty(f.ToString()) ? f.ToString() : null);
                    var (bytes, fileName) = _engine.Collect(id, format, pathForm, mutation);
                    context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
                    await WriteJsonAsync(context, 200, bytes, "application/octet-stream;charset=UTF-8").ConfigureAwait(false);
                    return;
                }

            case "keystore" when r.Length == 3:
                {
                    // REST API 25.5: GET without a body; Admin API 25.9: POST with an optional pass phrase.
                    RequireMethod(context, _options.ApiVersion == ScmSimulatorApiVersion.Admin25_9 ? "POST" : "GET");

                    string? passphrase = null;
                    using (var doc = JsonBody.ParseObject(body, allowEmpty: true))
                    {
                        if (doc is not null)
                        {
                            passphrase = JsonBody.GetString(doc.RootElement, "passphrase");
                        }
                    }

                    var token = _engine.CreateKeystoreTicket(ParseId(r[1], "sslId"), r[2], passphrase);
                    var link = $"{context.Request.Scheme}://{context.Request.Host}{_managementPrefix}/keystore/{token}?keyformat={r[2]}";
                    await WriteJsonAsync(context, 200, ScmJson.Build(link, static (w, l) =>
                    {
                        w.WriteStartObject();
                        w.WriteString("link", l);
                        w.WriteEndObject();
                    }), SslJson).ConfigureAwait(false);
                    return;
                }

            case "approve" or "decline" when r.Length == 2:
                {
                    RequireMethod(context, "POST");
                    var id = ParseId(r[1], "sslId");
                    string? message = null;
                    using (var doc = JsonBody.ParseObject(body, allowEmpty: true))
                    {
                        if (doc is not null)
                        {
                            message = JsonBody.GetString(doc.RootElement, "message");
                        }
                    }

                    if (r[0] == "approve")
                    {
                        _engine.Approve(id, message);
                    }
                    else
                    {
                        _engine.Decline(id, message);
                    }

                    NoContent(context);
                    return;
                }

            case "revoke" when r.Length == 2 && r[1] == "manual":
                {
                    RequireMethod(context, "POST");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
                    _engine.RevokeManual(doc.RootElement);
                    NoContent(context);
                    return;
                }

            case "revoke" when r.Length == 2:
                {
                    RequireMethod(context, "POST");
                    var id = ParseId(r[1], "sslId");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: true);
                    _engine.Revoke(id, doc?.RootElement);
                    NoContent(context);
                    return;
                }

            case "revoke" when r.Length == 3 && r[1] == "serial":
                {
                    RequireMethod(context, "POST");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: true);
                    _engine.RevokeBySerial(Uri.UnescapeDataString(r[2]), doc?.RootElement);
                    NoContent(context);
                    return;
                }

            case "renew" when r.Length == 3 && r[1] == "manual":
                {
                    RequireMethod(context, "POST");
                    var id = ParseId(r[2], "sslId");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: true);
                    _engine.RenewManual(id, doc?.RootElement);
                    NoContent(context);
                    return;
                }

            case "renew" when r.Length == 2:
                {
                    RequireMethod(context, "POST");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: true);
                    _engine.RenewByRenewId(r[1], doc?.RootElement);
                    NoContent(context);
                    return;
                }

            case "renewById" when r.Length == 2:
                {
                    RequireMethod(context, "POST");
                    var id = ParseId(r[1], "sslId");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: true);
                    var newId = _engine.RenewById(id, doc?.RootElement);
                    await WriteJsonAsync(context, 200, ScmJson.Build(newId, static (w, v) =>
                    {
                        w.WriteStartObject();
                        w.WriteNumber("sslId", v);
                        w.WriteEndObject();
                    }), SslJson).ConfigureAwait(false);
                    return;
                }

            case "replace" when r.Length == 2:
                {
                    RequireMethod(context, "POST");
                    var id = ParseId(r[1], "sslId");
                    using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
                    _engine.Replace(id, doc.RootElement);
                    NoContent(context);
                    return;
                }

            case "import" when r.Length == 1:
                RequireMethod(context, "POST");
                if (version == "v2")
                {
                    using var doc = JsonBody.Parse(body) ?? throw ScmApiException.ParseError();
                    await WriteJsonAsync(context, 200, _engine.ImportV2(doc.RootElement), SslJson).ConfigureAwait(false);
                }
                else
                {
                    await WriteJsonAsync(context, 200, await ImportZipAsync(context, body).ConfigureAwait(false), SslJson).ConfigureAwait(false);
                }

                return;
        }

        if (!long.TryParse(r[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sslId))
        {
            throw NotFound(context);
        }

        if (r.Length == 1)
        {
            if (HttpMethods.IsGet(method))
            {
                await WriteJsonAsync(context, 200, _engine.GetDetailsJson(sslId), SslJson).ConfigureAwait(false);
                return;
            }

            if (HttpMethods.IsDelete(method))
            {
                _engine.Delete(sslId);
                NoContent(context);
                return;
            }

            throw MethodNotAllowed(context);
        }

        if (r[1] == "dcv" && r.Length == 2)
        {
            RequireMethod(context, "GET");
            await WriteJsonAsync(context, 200, _engine.DcvJson(sslId, recheck: false), SslJson).ConfigureAwait(false);
            return;
        }

        if (r[1] == "dcv" && r.Length == 3 && r[2] == "recheck")
        {
            RequireMethod(context, "POST");
            await WriteJsonAsync(context, 202, _engine.DcvJson(sslId, recheck: true), SslJson).ConfigureAwait(false);
            return;
        }

        if (r[1] == "location" && r.Length == 2)
        {
            if (HttpMethods.IsGet(method))
            {
                await WriteJsonAsync(context, 200, _engine.LocationsJson(sslId), SslJson).ConfigureAwait(false);
                return;
            }

            RequireMethod(context, "POST");
            using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
            var locationId = _engine.AddLocation(sslId, doc.RootElement);
            var prefix = privateApi ? "/private/api" : "/api";
            context.Response.Headers.Location = $"{context.Request.Scheme}://{context.Request.Host}{prefix}/ssl/{version}/{sslId}/location/{locationId}";
            context.Response.StatusCode = 201;
            context.Response.ContentLength = 0;
            return;
        }

        if (r[1] == "location" && r.Length == 3)
        {
            var locationId = ParseId(r[2], "locationId");
            if (HttpMethods.IsGet(method))
            {
                await WriteJsonAsync(context, 200, _engine.LocationJson(sslId, locationId), SslJson).ConfigureAwait(false);
                return;
            }

            if (HttpMethods.IsPut(method))
            {
                using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
                _engine.UpdateLocation(sslId, locationId, doc.RootElement);
                context.Response.StatusCode = 200;
                context.Response.ContentLength = 0;
                return;
            }

            RequireMethod(context, "DELETE");
            _engine.DeleteLocation(sslId, locationId);
            NoContent(context);
            return;
        }

        throw NotFound(context);
    }

    private async Task OrganizationAsync(HttpContext context, ReadOnlyMemory<string> rest)
    {
        RequireMethod(context, "GET");
        var r = rest.Span;
        if (r.Length == 0)
        {
            await WriteJsonAsync(context, 200, _engine.OrganizationsJson(), PlainJson).ConfigureAwait(false);
            return;
        }

        if (r.Length == 2 && r[0] == (_options.ApiVersion == ScmSimulatorApiVersion.Admin25_9 ? "managed-by" : "managedBy"))
        {
            if (r[1] is not ("MRAO" or "RAO_SSL" or "RAO_SMIME" or "RAO_CS" or "RAO_DEVICE" or "DRAO_SSL" or "DRAO_SMIME" or "DRAO_CS" or "DRAO_DEVICE"))
            {
                throw ScmApiException.InvalidField("role");
            }

            await WriteJsonAsync(context, 200, _engine.OrganizationsFlatJson(), PlainJson).ConfigureAwait(false);
            return;
        }

        if (r.Length == 2 && r[0] == "report-type")
        {
            if (r[1] is not ("SSL" or "Client" or "Device" or "CodeSign"))
            {
                throw ScmApiException.InvalidField("report-type");
            }

            await WriteJsonAsync(context, 200, _engine.OrganizationsJson(), PlainJson).ConfigureAwait(false);
            return;
        }

        if (r.Length == 1)
        {
            await WriteJsonAsync(context, 200, _engine.OrganizationJson(ParseId(r[0], "id")), PlainJson).ConfigureAwait(false);
            return;
        }

        throw NotFound(context);
    }

    private async Task CustomFieldAsync(HttpContext context, ReadOnlyMemory<string> rest)
    {
        RequireMethod(context, "GET");
        var r = rest.Span;
        if (r.Length == 0)
        {
            var certType = context.Request.Query.TryGetValue("certType", out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
            await WriteJsonAsync(context, 200, _engine.CustomFieldsV2Json(certType), PlainJson).ConfigureAwait(false);
            return;
        }

        if (r.Length == 1)
        {
            await WriteJsonAsync(context, 200, _engine.CustomFieldV2Json(ParseId(r[0], "id")), PlainJson).ConfigureAwait(false);
            return;
        }

        throw NotFound(context);
    }

    private async Task DomainAsync(HttpContext context, ReadOnlyMemory<string> rest)
    {
        RequireMethod(context, "GET");
        var r = rest.Span;
        var query = context.Request.Query;
        string? Q(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
        if (r.Length == 0)
        {
            var (position, size) = Paging(query);
            var (total, rows) = _engine.Domains(Q("name"), Q("state"), Q("status"), SslFilter.QueryInt(query, "orgId"), position, size);
            context.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
            await WriteJsonAsync(context, 200, rows, PlainJson).ConfigureAwait(false);
            return;
        }

        if (r.Length == 1 && r[0] == "count")
        {
            var count = _engine.DomainCount(Q("name"), Q("state"), Q("status"), SslFilter.QueryInt(query, "orgId"));
            await WriteJsonAsync(context, 200, ScmJson.Build(count, static (w, c) =>
            {
                w.WriteStartObject();
                w.WriteNumber("count", c);
                w.WriteEndObject();
            }), PlainJson).ConfigureAwait(false);
            return;
        }

        if (r.Length == 1)
        {
            await WriteJsonAsync(context, 200, _engine.DomainJson(ParseId(r[0], "id")), PlainJson).ConfigureAwait(false);
            return;
        }

        throw NotFound(context);
    }

    /// <summary>
    /// <c>/dcv/{v1|v2}/validation...</c>: the REST API 25.5 serves v1 (and the v2 status it calls preferred), the Admin API
    /// 25.9 serves v2 only (with a TXT start that only answers a message); the other version's paths answer 404.
    /// </summary>
    private async Task DcvAsync(HttpContext context, string version, ReadOnlyMemory<string> rest, byte[] body)
    {
        var r = rest.Span;
        var admin = _options.ApiVersion == ScmSimulatorApiVersion.Admin25_9;
        var isStatus = r.Length == 1 && r[0] == "status";
        if (!(version == "v2" ? admin || isStatus : !admin))
        {
            throw NotFound(context);
        }

        if (r.Length == 0)
        {
            RequireMethod(context, "GET");
            var query = context.Request.Query;
            string? Q(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
            var (position, size) = Paging(query);
            var (total, rows) = _engine.DcvList(Q("domain"), SslFilter.QueryInt(query, "org"), SslFilter.QueryInt(query, "department"), Q("dcvStatus"), Q("orderStatus"), SslFilter.QueryInt(query, "expiresIn"), position, size);
            context.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
            await WriteJsonAsync(context, 200, rows, PlainJson).ConfigureAwait(false);
            return;
        }

        RequireMethod(context, "POST");
        using var doc = JsonBody.ParseObject(body, allowEmpty: false)!;
        var domain = JsonBody.GetString(doc.RootElement, "domain");
        if (isStatus)
        {
            await WriteJsonAsync(context, 200, _engine.DcvStatusJson(domain), PlainJson).ConfigureAwait(false);
            return;
        }

        if (r.Length != 3 || r[1] != "domain" || r[0] is not ("start" or "submit"))
        {
            throw NotFound(context);
        }

        var mode = r[2] switch
        {
            "cname" => "CNAME",
            "http" => "HTTP",
            "https" => "HTTPS",
            "txt" => "TXT",
            "email" => "EMAIL",
            _ => throw NotFound(context),
        };
        if (r[0] == "start")
        {
            if (mode == "TXT" && !admin)
            {
                throw NotFound(context); // 25.5: "Start request is not supported by the API. Use submit directly."
            }

            await WriteJsonAsync(context, 200, _engine.DcvStart(mode, domain), PlainJson).ConfigureAwait(false);
            return;
        }

        if (mode is "HTTP" or "HTTPS")
        {
            var (fetch, url, first, second) = _engine.PrepareHttpSubmit(mode, domain);
            var failure = await DcvFetchAsync(fetch, url, first, second).ConfigureAwait(false);
            await WriteJsonAsync(context, 200, _engine.CompleteHttpSubmit(mode, domain, url, failure), PlainJson).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 200, _engine.DcvSubmit(mode, domain, JsonBody.GetString(doc.RootElement, "email")), PlainJson).ConfigureAwait(false);
    }

    /// <summary>Fetches an HTTP(S) validation file; null when its first two lines are the expected ones, else what was wrong.</summary>
    private async Task<string?> DcvFetchAsync(Uri? fetch, string url, string firstLine, string secondLine)
    {
        if (fetch is null)
        {
            return $"could not connect to fetch {url} (no address in ScmSimulatorOptions.DcvHttpBaseAddresses)";
        }

        try
        {
            using var response = await DcvHttp.GetAsync(fetch, HttpCompletionOption.ResponseHeadersRead, _shutdown).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return $"{url} answered HTTP {(int)response.StatusCode}";
            }

            var stream = await response.Content.ReadAsStreamAsync(_shutdown).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[64 * 1024];
                var read = 0;
                int n;
                while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), _shutdown).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }

                var lines = Encoding.UTF8.GetString(buffer, 0, read).Split('\n').Select(l => l.Trim()).ToList();
                return lines.Count >= 2 && lines[0] == firstLine && lines[1] == secondLine
                    ? null
                    : $"the content of {url} does not match the validation details";
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return $"could not fetch {url}";
        }
    }

    private async Task TokenAsync(HttpContext context, byte[] body)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw MethodNotAllowed(context);
        }

        var fields = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        var (status, json) = _auth.IssueToken(new FormCollection(fields), context.Request.Headers.Authorization.ToString());
        context.Response.Headers.CacheControl = "no-store";
        await WriteJsonAsync(context, status, json, PlainJson).ConfigureAwait(false);
    }

    private async Task<byte[]> ImportZipAsync(HttpContext context, byte[] body)
    {
        var orgId = SslFilter.QueryInt(context.Request.Query, "orgId") ?? throw ScmApiException.Missing("orgId");
        var contentType = context.Request.ContentType ?? "";
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw ScmApiException.ParseError();
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value ?? throw ScmApiException.ParseError();
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        byte[]? zip = null;
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(context.RequestAborted).ConfigureAwait(false)) is not null)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                && HeaderUtilities.RemoveQuotes(disposition.Name).Value == "file")
            {
                using var copy = new MemoryStream();
                await section.Body.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
                zip = copy.ToArray();
            }
        }

        if (zip is null)
        {
            throw ScmApiException.Missing("file");
        }

        var files = new List<(string Name, byte[] Content)>();
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            foreach (var entry in archive.Entries)
            {
                if (entry.Length > 1024 * 1024 || string.IsNullOrEmpty(entry.Name))
                {
                    continue;
                }

                using var stream = entry.Open();
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
                files.Add((entry.FullName, copy.ToArray()));
            }
        }
        catch (InvalidDataException)
        {
            throw ScmApiException.BadRequest(-1601, "Field 'file' has invalid value: not a ZIP archive");
        }

        return _engine.ImportZip(orgId, files);
    }

    private (int Position, int Size) Paging(IQueryCollection query)
    {
        var position = SslFilter.QueryInt(query, "position") ?? 0;
        var size = SslFilter.QueryInt(query, "size") ?? _options.MaxPageSize;
        if (position < 0)
        {
            throw ScmApiException.InvalidField("position");
        }

        if (size < 0)
        {
            throw ScmApiException.InvalidField("size");
        }

        return (position, Math.Min(size, _options.MaxPageSize));
    }

    private static long ParseId(string text, string field)
        => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : throw ScmApiException.InvalidField(field);

    private static void RequireMethod(HttpContext context, string method)
    {
        var actual = context.Request.Method;
        if (!string.Equals(actual, method, StringComparison.OrdinalIgnoreCase)
            && !(method == "GET" && HttpMethods.IsHead(actual)))
        {
            throw MethodNotAllowed(context);
        }
    }

    private static void NoContent(HttpContext context)
    {
        context.Response.StatusCode = 204;
        context.Response.ContentLength = 0;
    }

    private static ScmApiException NotFound(HttpContext context)
        => new(404, -1, $"Resource not found: {context.Request.Method} {context.Request.Path}");

    private static ScmApiException MethodNotAllowed(HttpContext context)
        => new(405, -1, $"Method {context.Request.Method} is not supported for {context.Request.Path}");
}
