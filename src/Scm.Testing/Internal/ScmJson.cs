using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Scm.Testing.Internal;

/// <summary>Writes JSON the way SCM does (compact, absent values omitted, SCM's date formats), with Utf8JsonWriter only.</summary>
internal static class ScmJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    public static byte[] Build<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.Clear();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, state);
        }

        var result = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 1 << 20)
        {
            _threadBuffer = null;
        }

        return result;
    }

    public static byte[] Error(int code, string description) => Error(code, description, null, null);

    /// <summary>An error body with the Admin API's optional <c>details</c> and <c>items</c>.</summary>
    public static byte[] Error(int code, string description, string? details, IReadOnlyList<string>? items) => Build((code, description, details, items), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteNumber("code", s.code);
        w.WriteString("description", s.description);
        if (s.details is not null)
        {
            w.WriteString("details", s.details);
        }

        if (s.items is not null)
        {
            WriteStrings(w, "items", s.items);
        }

        w.WriteEndObject();
    });

    /// <summary>SSL details dates: <c>MM/dd/yyyy</c>.</summary>
    public static string UsDate(DateTimeOffset value) => value.UtcDateTime.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture);

    /// <summary>Domain, admin and custom-field dates: <c>yyyy-MM-dd</c>.</summary>
    public static string IsoDate(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string IsoDate(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>DCV log dates: <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    public static string LogDate(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static void WriteProfile(Utf8JsonWriter w, ProfileModel p)
    {
        w.WriteStartObject();
        w.WriteNumber("id", p.Id);
        w.WriteString("name", p.Name);
        w.WriteString("description", p.Description);
        w.WriteStartArray("terms");
        foreach (var t in p.Terms)
        {
            w.WriteNumberValue(t);
        }

        w.WriteEndArray();
        w.WriteStartObject("keyTypes");
        foreach (var pair in p.KeyTypes)
        {
            w.WriteStartArray(pair.Key);
            foreach (var v in pair.Value)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteBoolean("useSecondaryOrgName", p.UseSecondaryOrgName);
        w.WriteEndObject();
    }

    public static byte[] Details(OrderRecord o, AdminInfo admin) => Build((o, admin), static (w, s) => WriteDetails(w, s.o, s.admin));

    public static void WriteDetails(Utf8JsonWriter w, OrderRecord o, AdminInfo admin)
    {
        w.WriteStartObject();
        w.WriteString("commonName", o.CommonName);
        w.WriteNumber("sslId", o.Id);
        w.WriteNumber("id", o.Id);
        w.WriteNumber("orgId", o.Org.Id);
        w.WriteString("status", o.Status);
        if (o.OrderNumber > 0)
        {
            w.WriteNumber("orderNumber", o.OrderNumber);
            w.WriteString("backendCertId", o.OrderNumber.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteString("vendor", TestCertificateAuthority.VendorName);
        w.WritePropertyName("certType");
        WriteProfile(w, o.Profile);
        w.WriteString("subType", "");
        w.WriteString("validationType", o.Profile.ValidationType);
        w.WriteNumber("term", o.Term);
        if (o.Approved is not null && !o.Imported)
        {
            w.WriteString("owner", admin.DisplayName);
            w.WriteNumber("ownerId", admin.Id);
        }

        w.WriteString("requester", o.Requester ?? admin.Email);
        if (!o.Imported)
        {
            w.WriteNumber("requesterId", admin.Id);
        }

        w.WriteString("requestedVia", o.RequestedVia);
        if (!string.IsNullOrEmpty(o.ExternalRequester))
        {
            w.WriteString("externalRequester", o.ExternalRequester);
        }

        if (!string.IsNullOrEmpty(o.Comments))
        {
            w.WriteString("comments", o.Comments);
        }

        w.WriteString("requested", UsDate(o.Requested));
        WriteDate(w, "approved", o.Approved);
        WriteDate(w, "issued", o.Issued);
        WriteDate(w, "declined", o.Declined);
        WriteDate(w, "expires", o.Expires);
        WriteDate(w, "replaced", o.ReplacedDate);
        WriteDate(w, "revoked", o.Revoked);
        WriteDate(w, "renewedDate", o.RenewedDate);
        if (o.ReasonCode is { } reason)
        {
            w.WriteNumber("reasonCode", reason);
        }

        w.WriteBoolean("renewed", o.Renewed);
        var facts = o.Facts;
        if (facts is not null)
        {
            w.WriteString("serialNumber", facts.Serial);
            w.WriteString("signatureAlg", facts.SignatureAlgorithm);
        }

        if (o.Key is { } key)
        {
            w.WriteString("keyAlgorithm", key.Algorithm);
            w.WriteNumber("keySize", key.Bits);
            w.WriteString("keyType", key.KeyType);
        }

        if (facts is not null)
        {
            WriteStrings(w, "keyUsages", facts.KeyUsages);
            WriteStrings(w, "extendedKeyUsages", facts.ExtendedKeyUsages);
        }

        if (o.Names.Count > 0)
        {
            WriteStrings(w, "subjectAlternativeNames", o.Names);
        }

        if (o.CustomFields.Count > 0)
        {
            w.WriteStartArray("customFields");
            foreach (var field in o.CustomFields)
            {
                w.WriteStartObject();
                w.WriteString("name", field.Key);
                w.WriteString("value", field.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (facts is not null)
        {
            w.WriteStartObject("certificateDetails");
            w.WriteString("issuer", facts.IssuerDn);
            w.WriteString("subject", facts.SubjectDn);
            w.WriteString("subjectAltNames", facts.SubjectAltNames);
            w.WriteString("md5Hash", facts.Md5);
            w.WriteString("sha1Hash", facts.Sha1);
            w.WriteString("sha256Hash", facts.Sha256);
            w.WriteEndObject();
        }

        w.WriteStartObject("autoInstallDetails");
        w.WriteString("state", "Not configured");
        w.WriteEndObject();
        w.WriteStartObject("autoRenewDetails");
        w.WriteString("state", o.AutoRenewState);
        if (o.AutoRenewState != "Not scheduled")
        {
            w.WriteNumber("daysBeforeExpiration", o.AutoRenewDays);
        }

        w.WriteEndObject();
        w.WriteBoolean("suspendNotifications", o.SuspendNotifications);
        w.WriteEndObject();
    }

    public static void WriteListRow(Utf8JsonWriter w, OrderRecord o)
    {
        w.WriteStartObject();
        w.WriteNumber("sslId", o.Id);
        w.WriteString("commonName", o.CommonName);
        if (o.Names.Count > 0)
        {
            WriteStrings(w, "subjectAlternativeNames", o.Names);
        }

        if (o.Serial is { } serial)
        {
            w.WriteString("serialNumber", serial);
        }

        w.WriteEndObject();
    }

    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    public static void WriteOrgBasic(Utf8JsonWriter w, OrgModel org, bool withDepartments)
    {
        w.WriteStartObject();
        w.WriteNumber("id", org.Id);
        w.WriteString("name", org.Name);
        if (org.Parent is not null)
        {
            w.WriteString("parentName", org.Parent.Name);
        }

        w.WriteStartArray("certTypes");
        w.WriteStringValue("SSL");
        w.WriteEndArray();
        if (withDepartments && org.Parent is null)
        {
            w.WriteStartArray("departments");
            foreach (var d in org.Departments)
            {
                w.WriteStartObject();
                w.WriteNumber("id", d.Id);
                w.WriteString("name", d.Name);
                w.WriteString("parentName", org.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    public static void WriteOrgDetails(Utf8JsonWriter w, OrgModel org)
    {
        var source = org.Root.Source;
        w.WriteStartObject();
        w.WriteNumber("id", org.Id);
        w.WriteString("name", org.Name);
        if (org.Parent is not null)
        {
            w.WriteNumber("parentId", org.Parent.Id);
            w.WriteString("parentName", org.Parent.Name);
            if (org.Parent.Source.SecondaryName is { } parentSecondary)
            {
                w.WriteString("parentSecondaryName", parentSecondary);
            }
        }

        w.WriteStartArray("certTypes");
        w.WriteStringValue("SSL");
        w.WriteEndArray();
        w.WriteStartArray("departments");
        foreach (var d in org.Departments)
        {
            w.WriteStartObject();
            w.WriteNumber("id", d.Id);
            w.WriteString("name", d.Name);
            w.WriteString("parentName", org.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (org.Parent is null && source.SecondaryName is { } secondary)
        {
            w.WriteString("secondaryName", secondary);
        }

        WriteOptional(w, "contactEmails", source.ContactEmails);
        WriteOptional(w, "address1", source.Address1);
        WriteOptional(w, "city", source.City);
        WriteOptional(w, "stateOrProvince", source.StateOrProvince);
        WriteOptional(w, "postalCode", source.PostalCode);
        w.WriteString("country", source.Country);
        w.WriteString("validationStatus", "VALIDATED");
        w.WriteStartObject("clientCertificate");
        w.WriteBoolean("allowKeyRecoveryByMasterAdmins", false);
        w.WriteBoolean("allowKeyRecoveryByOrgAdmins", false);
        w.WriteBoolean("allowKeyRecoveryByDepartmentAdmins", false);
        w.WriteEndObject();
        w.WriteBoolean("sslCertsApiEnabled", source.SslCertsApiEnabled);
        w.WriteBoolean("clientCertsApiEnabled", false);
        w.WriteEndObject();
    }

    public static void WriteDomainDetails(Utf8JsonWriter w, DomainModel d)
    {
        w.WriteStartObject();
        w.WriteNumber("id", d.Id);
        w.WriteString("name", d.Name);
        w.WriteString("delegationStatus", d.Delegation == ScmSimulatorDomainDelegation.Active ? "ACTIVE" : "REQUESTED");
        w.WriteString("state", d.Active ? "ACTIVE" : "SUSPENDED");
        w.WriteString("validationStatus", d.ValidationStatusWire);
        if (d.Validation != ScmSimulatorDomainValidation.NotValidated)
        {
            w.WriteString("validationMethod", d.DcvMethod);
        }

        if (d.DcvValidation is { } validated)
        {
            w.WriteString("dcvValidation", IsoDate(validated));
        }

        if (d.DcvExpiration is { } expires)
        {
            w.WriteString("dcvExpiration", IsoDate(expires));
        }

        w.WriteStartArray("delegations");
        foreach (var orgId in d.DelegatedOrganizationIds)
        {
            w.WriteStartObject();
            w.WriteNumber("orgId", orgId);
            w.WriteStartArray("certTypes");
            w.WriteStringValue("SSL");
            w.WriteEndArray();
            w.WriteStartArray("domainCertificateRequestPrivileges");
            w.WriteStringValue("DOMAIN");
            w.WriteStringValue("SUBDOMAIN");
            w.WriteEndArray();
            w.WriteString("status", d.Delegation == ScmSimulatorDomainDelegation.Active ? "ACTIVE" : "REQUESTED");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteDate(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, UsDate(v));
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.WriteString(name, value);
        }
    }
}

/// <summary>The admin as shown in details (approver and requester).</summary>
internal sealed record AdminInfo(string DisplayName, int Id, string Email);
