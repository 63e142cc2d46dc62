using System.Globalization;
using System.Text.Json;

namespace Scm.Testing.Internal;

/// <summary>Custom fields v2, organization validations and the SSL report: the endpoints whose shape depends on the vendor document version.</summary>
internal sealed partial class SimulatorEngine
{
    private static readonly string[] Rest25_5FieldTypes = ["SSL", "SMIME", "CodeSign", "Device"];
    private static readonly string[] Admin25_9FieldTypes = ["SSL", "SMIME", "Device"];

    /// <summary><c>GET /customField/v2[?certType=]</c>: every field (inactive ones too) with its state, input and channels.</summary>
    public byte[] CustomFieldsV2Json(string? certType)
    {
        if (certType is not null && Array.IndexOf(_options.ApiVersion == ScmSimulatorApiVersion.Admin25_9 ? Admin25_9FieldTypes : Rest25_5FieldTypes, certType) < 0)
        {
            throw ScmApiException.InvalidField("certType");
        }

        lock (_gate)
        {
            // The simulated account has SSL fields only.
            var fields = certType is null or "SSL" ? _customFields.ToList() : [];
            return ScmJson.Build(fields, static (w, fs) =>
            {
                w.WriteStartArray();
                foreach (var f in fs)
                {
                    WriteCustomFieldV2(w, f);
                }

                w.WriteEndArray();
            });
        }
    }

    /// <summary><c>GET /customField/v2/{id}</c>.</summary>
    public byte[] CustomFieldV2Json(long id)
    {
        lock (_gate)
        {
            var field = _customFields.Find(f => f.Id == id) ?? throw new ScmApiException(404, -135, $"Custom field cannot be found: {id}");
            return ScmJson.Build(field, WriteCustomFieldV2);
        }
    }

    private static void WriteCustomFieldV2(Utf8JsonWriter w, CustomFieldModel f)
    {
        w.WriteStartObject();
        w.WriteNumber("id", f.Id);
        w.WriteString("name", f.Name);
        w.WriteString("certType", "ssl");
        w.WriteString("state", f.Active ? "ACTIVE" : "INACTIVE");
        w.WriteStartObject("input");
        w.WriteString("type", f.InputWire);
        if (f.Input == ScmSimulatorCustomFieldInput.TextOption)
        {
            ScmJson.WriteStrings(w, "options", f.Options);
        }

        w.WriteEndObject();
        ScmJson.WriteStrings(w, "mandatories", f.Mandatories());
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>GET /organization/v2/{orgId}/validations</c> (a department answers with its organization's). The REST API 25.5
    /// names the kind <c>validationLevel</c> (<c>OV_SSL</c>), the Admin API 25.9 <c>type</c> (<c>OV</c>) with <c>permittedCertTypes</c>.
    /// </summary>
    public byte[] OrganizationValidationsJson(long orgId)
    {
        lock (_gate)
        {
            if (orgId > int.MaxValue || !_orgs.TryGetValue((int)orgId, out var org))
            {
                throw new ScmApiException(404, -1023, $"Organization '{orgId}' not found");
            }

            var now = Now;
            var admin = _options.ApiVersion == ScmSimulatorApiVersion.Admin25_9;
            var list = _validations.TryGetValue(org.Root.Id, out var held) ? held.ToList() : [];
            return ScmJson.Build((list, now, admin), static (w, s) =>
            {
                w.WriteStartArray();
                foreach (var v in s.list)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", v.Id);
                    if (s.admin)
                    {
                        w.WriteString("type", v.TypeWire);
                    }
                    else
                    {
                        w.WriteString("validationLevel", v.LevelWire);
                    }

                    w.WriteString("status", v.StatusAt(s.now));
                    if (v.Submitted is { } submitted)
                    {
                        w.WriteString("submitted", IsoInstant(submitted));
                    }

                    if (v.Expires is { } expires)
                    {
                        w.WriteString("expires", IsoInstant(expires));
                    }

                    w.WriteBoolean("alternative", false);
                    w.WriteNumber("backendId", 1100 + v.Id);
                    w.WriteString("backendType", "SASP");
                    if (s.admin)
                    {
                        ScmJson.WriteStrings(w, "permittedCertTypes", [v.Level == ScmSimulatorValidationLevel.OvSmime ? "SMIME" : "SSL"]);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
        }
    }

    /// <summary>Sets (or adds) an organization's validation of <paramref name="level"/>.</summary>
    public void SetOrganizationValidation(int organizationId, ScmSimulatorValidationLevel level, ScmSimulatorValidationStatus status, DateTimeOffset? expires)
    {
        lock (_gate)
        {
            if (!_orgs.TryGetValue(organizationId, out var org))
            {
                throw new KeyNotFoundException($"No organization {organizationId}.");
            }

            var list = _validations.TryGetValue(org.Root.Id, out var held) ? held : _validations[org.Root.Id] = [];
            var existing = list.Find(v => v.Level == level);
            if (existing is null)
            {
                existing = new ValidationModel { Id = 230 + _validations.Values.Sum(l => l.Count), Level = level, Submitted = Now };
                list.Add(existing);
            }

            existing.Status = status;
            existing.Expires = expires ?? (status == ScmSimulatorValidationStatus.Validated ? Now.AddYears(1) : existing.Expires);
        }
    }

    private static string IsoInstant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ SSL certificates report

    private static readonly int[] ReportStatuses = [0, 1, 2, 3, 4];
    private static readonly int[] ReportDateAttributes = [2, 3, 4, 5];
    private static readonly Dictionary<int, string> ReportSources = new()
    {
        [0] = "Enrollment Form", [1] = "Client Admin", [2] = "Web API", [3] = "Discovery", [4] = "Imported", [5] = "SCEP",
        [7] = "MS Agent", [9] = "Bulk Request", [10] = "ACME", [11] = "EST", [12] = "REST API",
    };

    /// <summary>
    /// <c>POST /report/v1/ssl-certificates</c>: the orders matching the body, as <c>{"statusCode":0,"reports":[...]}</c>. Codes
    /// are accepted as numbers (REST API 25.5) or numeric strings (Admin API 25.9), as SCM's JSON binder coerces scalars;
    /// <c>from</c>/<c>to</c> as <c>yyyy-MM-dd</c> (both documents) or an ISO instant (the 25.5 document's own example).
    /// </summary>
    public byte[] SslReportJson(JsonElement body)
    {
        var from = ReportDate(body, "from");
        var to = ReportDate(body, "to");
        if (from is not null && to is not null && from > to)
        {
            throw ScmApiException.InvalidField("from");
        }

        var commonName = JsonBody.GetString(body, "commonName");
        if (commonName is not null && (commonName.Length > 256 || commonName.IndexOfAny(['<', '>', '\\']) >= 0))
        {
            throw ScmApiException.InvalidField("commonName");
        }

        var external = JsonBody.GetString(body, "externalRequester");
        if (external is { Length: > 512 })
        {
            throw ScmApiException.InvalidField("externalRequester");
        }

        var status = ReportCode(body, "certificateStatus", ReportStatuses);
        var dateAttribute = ReportCode(body, "certificateDateAttribute", ReportDateAttributes);
        var source = ReportCode(body, "certificateRequestSource", [.. ReportSources.Keys]);
        _ = JsonBody.GetString(body, "serialNumberFormat");
        _ = JsonBody.GetBoolean(body, "includeIpAddresses");
        List<long>? orgIds = null;
        if (body.TryGetProperty("organizationIds", out var ids) && ids.ValueKind != JsonValueKind.Null)
        {
            if (ids.ValueKind != JsonValueKind.Array)
            {
                throw ScmApiException.ParseError();
            }

            orgIds = [.. ids.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var n) ? n : throw ScmApiException.ParseError())];
        }

        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var rows = _all.Where(o =>
                    (orgIds is null || orgIds.Contains(o.Org.Id) || orgIds.Contains(o.Org.Root.Id))
                    && (commonName is null || o.CommonName.Contains(commonName, StringComparison.OrdinalIgnoreCase))
                    && (external is null || (o.ExternalRequester ?? "").Contains(external, StringComparison.Ordinal))
                    && status switch
                    {
                        1 => o.Status is OrderStatus.Requested or OrderStatus.Approved or OrderStatus.Applied,
                        2 => o.Status == OrderStatus.Issued,
                        3 => o.Status == OrderStatus.Revoked,
                        4 => o.Status == OrderStatus.Expired,
                        _ => true,
                    }
                    && (source is not { } s || string.Equals(ReportSources[s], o.RequestedVia, StringComparison.OrdinalIgnoreCase))
                    && InRange(dateAttribute switch
                    {
                        2 => o.Revoked,
                        3 => o.Expires,
                        4 => o.Requested,
                        5 => o.Issued,
                        _ => null,
                    }, dateAttribute, from, to))
                .ToList();
            return ScmJson.Build(rows, static (w, rs) =>
            {
                w.WriteStartObject();
                w.WriteNumber("statusCode", 0);
                w.WriteStartArray("reports");
                foreach (var o in rs)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", o.Id);
                    w.WriteString("type", o.Profile.Name);
                    w.WriteNumber("typeId", o.Profile.Id);
                    w.WriteNumber("orgId", o.Org.Id);
                    w.WriteString("organizationName", o.Org.Name);
                    w.WriteString("commonName", o.CommonName);
                    w.WriteString("subjAltNames", string.Join("; ", o.Names));
                    w.WriteString("status", o.Status);
                    if (o.Requester is { } requester)
                    {
                        w.WriteString("requester", requester);
                    }

                    if (o.ExternalRequester is { } ext)
                    {
                        w.WriteString("externalRequester", ext);
                    }

                    w.WriteString("comments", o.Comments);
                    w.WriteString("requested", IsoInstant(o.Requested));
                    if (o.Expires is { } expires)
                    {
                        w.WriteString("expires", IsoInstant(expires));
                    }

                    if (o.Revoked is { } revoked)
                    {
                        w.WriteString("revoked", IsoInstant(revoked));
                    }

                    w.WriteString("serialNumber", o.Serial is null ? "" : StripColons(o.Serial));
                    w.WriteString("requestedVia", o.RequestedVia);
                    w.WriteNumber("term", o.Term);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
    }

    private static bool InRange(DateTimeOffset? value, int? attribute, DateOnly? from, DateOnly? to)
    {
        if (attribute is null || (from is null && to is null))
        {
            return true;
        }

        if (value is not { } v)
        {
            return false;
        }

        var day = DateOnly.FromDateTime(v.UtcDateTime);
        return (from is null || day >= from) && (to is null || day <= to);
    }

    private static DateOnly? ReportDate(JsonElement body, string name)
    {
        var text = JsonBody.GetString(body, name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        if (text.Length > 10 && text[10] == 'T'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return DateOnly.FromDateTime(instant.UtcDateTime);
        }

        throw ScmApiException.InvalidField(name);
    }

    private static int? ReportCode(JsonElement body, string name, int[] allowed)
    {
        var value = JsonBody.GetInt64(body, name);
        if (value is null)
        {
            return null;
        }

        return value is >= int.MinValue and <= int.MaxValue && Array.IndexOf(allowed, (int)value.Value) >= 0
            ? (int)value.Value
            : throw ScmApiException.InvalidField(name);
    }
}
