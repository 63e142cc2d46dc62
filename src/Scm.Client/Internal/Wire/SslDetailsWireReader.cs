using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Scm.Client.Internal.Json;

namespace Scm.Client.Internal.Wire;

/// <summary>
/// A hand-written reader for the SSL details body (<c>GET /ssl/v1/{sslId}</c>), the most frequent response of the lifecycle
/// engine (status checks, imports). It fills <see cref="SslCertificateDetailsWire"/> exactly as the source-generated
/// metadata does (same fields, same per-field converters, same errors for wrong token types, unknown fields skipped,
/// the last of duplicate fields wins) without the generic machinery's per-property lookups, delegates and state frames.
/// Writing, and every other reader of the wire type, keep using the generated metadata; a test compares the two readers.
/// </summary>
internal sealed class SslDetailsWireReader : JsonConverter<SslCertificateDetailsWire>
{
    private static readonly ScmFlexibleInt32Converter Int32 = new();
    private static readonly ScmFlexibleBooleanConverter Boolean = new();
    private static readonly ScmFlexibleStringConverter FlexibleString = new();
    private static readonly ScmDateOnlyConverter Date = new();
    private static readonly ScmInt32ListConverter Int32List = new();
    private static readonly ScmKeyTypesConverter KeyTypes = new();
    private static readonly ScmStringValueConverter<SslCertificateStatus> Status = new();
    private static readonly ScmStringValueConverter<RequestedVia> Via = new();
    private static readonly ScmStringValueConverter<AutoRenewState> RenewState = new();

    /// <summary>Type metadata that reads through this converter (in one pass from a buffer, or streamed: System.Text.Json buffers the value first).</summary>
    public static JsonTypeInfo<SslCertificateDetailsWire> TypeInfo { get; } =
        JsonMetadataServices.CreateValueInfo<SslCertificateDetailsWire>(ScmJsonContext.Default.Options, new SslDetailsWireReader());

    public override SslCertificateDetailsWire? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object for the SSL details.");
        }

        var w = new SslCertificateDetailsWire();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            switch (name.Length)
            {
                case 2 when name.SequenceEqual("id"u8):
                    w.Id = NullableInt64(ref reader, "id");
                    break;
                case 4 when name.SequenceEqual("term"u8):
                    w.Term = Int32.Read(ref reader, typeof(int?), options);
                    break;
                case 5 when name.SequenceEqual("sslId"u8):
                    w.SslId = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var sslId) ? sslId : throw Invalid("sslId", "an integer");
                    break;
                case 5 when name.SequenceEqual("orgId"u8):
                    w.OrgId = Int32.Read(ref reader, typeof(int?), options);
                    break;
                case 5 when name.SequenceEqual("owner"u8):
                    w.Owner = String(ref reader, "owner");
                    break;
                case 6 when name.SequenceEqual("status"u8):
                    w.Status = Status.Read(ref reader, typeof(SslCertificateStatus), options);
                    break;
                case 6 when name.SequenceEqual("vendor"u8):
                    w.Vendor = String(ref reader, "vendor");
                    break;
                case 6 when name.SequenceEqual("issued"u8):
                    w.Issued = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 7 when name.SequenceEqual("subType"u8):
                    w.SubType = String(ref reader, "subType");
                    break;
                case 7 when name.SequenceEqual("ownerId"u8):
                    w.OwnerId = ScmJson.ReadFlexibleInt64(ref reader);
                    break;
                case 7 when name.SequenceEqual("expires"u8):
                    w.Expires = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 7 when name.SequenceEqual("revoked"u8):
                    w.Revoked = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 7 when name.SequenceEqual("renewed"u8):
                    w.Renewed = Boolean.Read(ref reader, typeof(bool?), options);
                    break;
                case 7 when name.SequenceEqual("keySize"u8):
                    w.KeySize = Int32.Read(ref reader, typeof(int?), options);
                    break;
                case 7 when name.SequenceEqual("keyType"u8):
                    w.KeyType = String(ref reader, "keyType");
                    break;
                case 8 when name.SequenceEqual("certType"u8):
                    w.CertType = Profile(ref reader, options);
                    break;
                case 8 when name.SequenceEqual("comments"u8):
                    w.Comments = String(ref reader, "comments");
                    break;
                case 8 when name.SequenceEqual("approved"u8):
                    w.Approved = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 8 when name.SequenceEqual("declined"u8):
                    w.Declined = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 8 when name.SequenceEqual("replaced"u8):
                    w.Replaced = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 9 when name.SequenceEqual("requester"u8):
                    w.Requester = String(ref reader, "requester");
                    break;
                case 9 when name.SequenceEqual("requested"u8):
                    w.Requested = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 9 when name.SequenceEqual("keyUsages"u8):
                    w.KeyUsages = Strings(ref reader, "keyUsages");
                    break;
                case 10 when name.SequenceEqual("commonName"u8):
                    w.CommonName = String(ref reader, "commonName");
                    break;
                case 10 when name.SequenceEqual("reasonCode"u8):
                    w.ReasonCode = Int32.Read(ref reader, typeof(int?), options);
                    break;
                case 11 when name.SequenceEqual("orderNumber"u8):
                    w.OrderNumber = ScmJson.ReadFlexibleInt64(ref reader);
                    break;
                case 11 when name.SequenceEqual("requesterId"u8):
                    w.RequesterId = ScmJson.ReadFlexibleInt64(ref reader);
                    break;
                case 11 when name.SequenceEqual("renewedDate"u8):
                    w.RenewedDate = Date.Read(ref reader, typeof(DateOnly?), options);
                    break;
                case 12 when name.SequenceEqual("requestedVia"u8):
                    w.RequestedVia = reader.TokenType == JsonTokenType.Null ? (RequestedVia?)null : Via.Read(ref reader, typeof(RequestedVia), options);
                    break;
                case 12 when name.SequenceEqual("serialNumber"u8):
                    w.SerialNumber = String(ref reader, "serialNumber");
                    break;
                case 12 when name.SequenceEqual("signatureAlg"u8):
                    w.SignatureAlg = String(ref reader, "signatureAlg");
                    break;
                case 12 when name.SequenceEqual("keyAlgorithm"u8):
                    w.KeyAlgorithm = String(ref reader, "keyAlgorithm");
                    break;
                case 12 when name.SequenceEqual("customFields"u8):
                    w.CustomFields = reader.TokenType == JsonTokenType.Null ? null : Nested<IReadOnlyList<CustomFieldValue>>(ref reader, ScmJsonContext.Default.IReadOnlyListCustomFieldValue);
                    break;
                case 13 when name.SequenceEqual("backendCertId"u8):
                    w.BackendCertId = FlexibleString.Read(ref reader, typeof(string), options);
                    break;
                case 14 when name.SequenceEqual("validationType"u8):
                    w.ValidationType = String(ref reader, "validationType");
                    break;
                case 16 when name.SequenceEqual("autoRenewDetails"u8):
                    w.AutoRenewDetails = AutoRenew(ref reader, options);
                    break;
                case 17 when name.SequenceEqual("externalRequester"u8):
                    w.ExternalRequester = String(ref reader, "externalRequester");
                    break;
                case 17 when name.SequenceEqual("extendedKeyUsages"u8):
                    w.ExtendedKeyUsages = Strings(ref reader, "extendedKeyUsages");
                    break;
                case 18 when name.SequenceEqual("certificateDetails"u8):
                    w.CertificateDetails = Info(ref reader);
                    break;
                case 18 when name.SequenceEqual("autoInstallDetails"u8):
                    w.AutoInstallDetails = reader.TokenType == JsonTokenType.Null ? null : Nested(ref reader, ScmJsonContext.Default.SslAutoInstallDetailsWire);
                    break;
                case 20 when name.SequenceEqual("suspendNotifications"u8):
                    w.SuspendNotifications = Boolean.Read(ref reader, typeof(bool?), options);
                    break;
                case 23 when name.SequenceEqual("subjectAlternativeNames"u8):
                    w.SubjectAlternativeNames = Strings(ref reader, "subjectAlternativeNames");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return w;
    }

    public override void Write(Utf8JsonWriter writer, SslCertificateDetailsWire value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, ScmJsonContext.Default.SslCertificateDetailsWire);

    private static SslCertificateProfileWire? Profile(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectObject(ref reader, "certType");
        var p = new SslCertificateProfileWire();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("id"u8))
            {
                p.Id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var id) ? id : throw Invalid("certType.id", "an integer");
            }
            else if (name.SequenceEqual("name"u8))
            {
                p.Name = String(ref reader, "certType.name");
            }
            else if (name.SequenceEqual("description"u8))
            {
                p.Description = String(ref reader, "certType.description");
            }
            else if (name.SequenceEqual("terms"u8))
            {
                p.Terms = Int32List.Read(ref reader, typeof(IReadOnlyList<int>), options);
            }
            else if (name.SequenceEqual("keyTypes"u8))
            {
                p.KeyTypes = KeyTypes.Read(ref reader, typeof(IReadOnlyDictionary<string, IReadOnlyList<string>>), options);
            }
            else if (name.SequenceEqual("useSecondaryOrgName"u8))
            {
                p.UseSecondaryOrgName = Boolean.Read(ref reader, typeof(bool?), options);
            }
            else
            {
                reader.Skip();
            }
        }

        return p;
    }

    private static SslCertificateInfoWire? Info(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectObject(ref reader, "certificateDetails");
        var c = new SslCertificateInfoWire();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("issuer"u8))
            {
                c.Issuer = String(ref reader, "certificateDetails.issuer");
            }
            else if (name.SequenceEqual("subject"u8))
            {
                c.Subject = String(ref reader, "certificateDetails.subject");
            }
            else if (name.SequenceEqual("subjectAltNames"u8))
            {
                c.SubjectAltNames = String(ref reader, "certificateDetails.subjectAltNames");
            }
            else if (name.SequenceEqual("md5Hash"u8))
            {
                c.Md5Hash = String(ref reader, "certificateDetails.md5Hash");
            }
            else if (name.SequenceEqual("sha1Hash"u8))
            {
                c.Sha1Hash = String(ref reader, "certificateDetails.sha1Hash");
            }
            else if (name.SequenceEqual("sha256Hash"u8))
            {
                c.Sha256Hash = String(ref reader, "certificateDetails.sha256Hash");
            }
            else
            {
                reader.Skip();
            }
        }

        return c;
    }

    private static SslAutoRenewDetailsWire? AutoRenew(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectObject(ref reader, "autoRenewDetails");
        var a = new SslAutoRenewDetailsWire();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("state"u8))
            {
                a.State = reader.TokenType == JsonTokenType.Null ? (AutoRenewState?)null : RenewState.Read(ref reader, typeof(AutoRenewState), options);
            }
            else if (name.SequenceEqual("daysBeforeExpiration"u8))
            {
                a.DaysBeforeExpiration = Int32.Read(ref reader, typeof(int?), options);
            }
            else
            {
                reader.Skip();
            }
        }

        return a;
    }

    // The generated metadata's own converter reads in place (as ScmWireConverter does for the public models).
    private static T? Nested<T>(ref Utf8JsonReader reader, JsonTypeInfo<T> info) =>
        ((JsonConverter<T>)info.Converter).Read(ref reader, typeof(T), info.Options);

    /// <summary>The property name as UTF-8 (an escaped or split name, which SCM does not send, is unescaped into a new array).</summary>
    private static ReadOnlySpan<byte> Name(ref Utf8JsonReader reader) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence ? reader.ValueSpan : Encoding.UTF8.GetBytes(reader.GetString()!);

    private static string? String(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw Invalid(field, "a string"),
    };

    private static long? NullableInt64(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt64(out var v) => v,
        _ => throw Invalid(field, "an integer"),
    };

    private static List<string>? Strings(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid(field, "an array of strings");
        }

        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(String(ref reader, field)!);
        }

        return list;
    }

    private static void ExpectObject(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(field, "an object");
        }
    }

    private static JsonException Invalid(string field, string expected) => new("The field '" + field + "' is not " + expected + ".");
}
