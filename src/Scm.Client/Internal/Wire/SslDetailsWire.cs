using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Scm.Client.Internal.Json;

namespace Scm.Client.Internal.Wire;

/// <summary>
/// A settable wire DTO read from SCM and mapped to an immutable public model. System.Text.Json fills init-only properties
/// through its buffered constructor path (every value boxed into an argument array, then copied); settable properties are
/// set in place, so large response models are read through a wire DTO and mapped once.
/// </summary>
/// <typeparam name="TModel">The public model.</typeparam>
/// <typeparam name="TWire">The wire DTO itself.</typeparam>
internal interface IScmWire<TModel, TWire>
    where TModel : class
    where TWire : class, IScmWire<TModel, TWire>
{
    static abstract JsonTypeInfo<TWire> TypeInfo { get; }

    static abstract TWire FromModel(TModel model);

    TModel ToModel();
}

/// <summary>Reads and writes a public model through its wire DTO, so every reader of the model shares one mapping.</summary>
/// <typeparam name="TModel">The public model.</typeparam>
/// <typeparam name="TWire">Its wire DTO.</typeparam>
internal sealed class ScmWireConverter<TModel, TWire> : JsonConverter<TModel>
    where TModel : class
    where TWire : class, IScmWire<TModel, TWire>
{
    // The wire type's own converter reads in place; JsonSerializer.Deserialize(ref reader, ...) would first scan the value to scope a second reader.
    public override TModel? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var info = TWire.TypeInfo;
        return ((JsonConverter<TWire>)info.Converter).Read(ref reader, typeof(TWire), info.Options)?.ToModel();
    }

    public override void Write(Utf8JsonWriter writer, TModel value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, TWire.FromModel(value), TWire.TypeInfo);
}

/// <summary>The wire form of <see cref="SslCertificateDetails"/> (<c>GET /ssl/v1/{sslId}</c>, the update's answer).</summary>
internal sealed class SslCertificateDetailsWire : IScmWire<SslCertificateDetails, SslCertificateDetailsWire>
{
    public static JsonTypeInfo<SslCertificateDetailsWire> TypeInfo => ScmJsonContext.Default.SslCertificateDetailsWire;

    [JsonPropertyName("sslId")]
    public long SslId { get; set; }

    [JsonPropertyName("id")]
    public long? Id { get; set; }

    [JsonPropertyName("commonName")]
    public string? CommonName { get; set; }

    [JsonPropertyName("orgId")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? OrgId { get; set; }

    [JsonPropertyName("status")]
    public SslCertificateStatus Status { get; set; }

    [JsonPropertyName("orderNumber")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? OrderNumber { get; set; }

    [JsonPropertyName("backendCertId")]
    [JsonConverter(typeof(ScmFlexibleStringConverter))]
    public string? BackendCertId { get; set; }

    [JsonPropertyName("vendor")]
    public string? Vendor { get; set; }

    [JsonPropertyName("certType")]
    public SslCertificateProfileWire? CertType { get; set; }

    [JsonPropertyName("subType")]
    public string? SubType { get; set; }

    [JsonPropertyName("validationType")]
    public string? ValidationType { get; set; }

    [JsonPropertyName("term")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? Term { get; set; }

    [JsonPropertyName("owner")]
    public string? Owner { get; set; }

    [JsonPropertyName("ownerId")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? OwnerId { get; set; }

    [JsonPropertyName("requester")]
    public string? Requester { get; set; }

    [JsonPropertyName("requesterId")]
    [JsonConverter(typeof(ScmFlexibleInt64Converter))]
    public long? RequesterId { get; set; }

    [JsonPropertyName("requestedVia")]
    public RequestedVia? RequestedVia { get; set; }

    [JsonPropertyName("externalRequester")]
    public string? ExternalRequester { get; set; }

    [JsonPropertyName("comments")]
    public string? Comments { get; set; }

    [JsonPropertyName("requested")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? Requested { get; set; }

    [JsonPropertyName("approved")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? Approved { get; set; }

    [JsonPropertyName("issued")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? Issued { get; set; }

    [JsonPropertyName("declined")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? Declined { get; set; }

    [JsonPropertyName("expires")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? Expires { get; set; }

    [JsonPropertyName("replaced")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? Replaced { get; set; }

    [JsonPropertyName("revoked")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? Revoked { get; set; }

    [JsonPropertyName("renewedDate")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? RenewedDate { get; set; }

    [JsonPropertyName("reasonCode")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? ReasonCode { get; set; }

    [JsonPropertyName("renewed")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? Renewed { get; set; }

    [JsonPropertyName("serialNumber")]
    public string? SerialNumber { get; set; }

    [JsonPropertyName("signatureAlg")]
    public string? SignatureAlg { get; set; }

    [JsonPropertyName("keyAlgorithm")]
    public string? KeyAlgorithm { get; set; }

    [JsonPropertyName("keySize")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? KeySize { get; set; }

    [JsonPropertyName("keyType")]
    public string? KeyType { get; set; }

    [JsonPropertyName("keyUsages")]
    public IReadOnlyList<string>? KeyUsages { get; set; }

    [JsonPropertyName("extendedKeyUsages")]
    public IReadOnlyList<string>? ExtendedKeyUsages { get; set; }

    [JsonPropertyName("subjectAlternativeNames")]
    public IReadOnlyList<string>? SubjectAlternativeNames { get; set; }

    [JsonPropertyName("customFields")]
    public IReadOnlyList<CustomFieldValue>? CustomFields { get; set; }

    [JsonPropertyName("certificateDetails")]
    public SslCertificateInfoWire? CertificateDetails { get; set; }

    [JsonPropertyName("autoInstallDetails")]
    public SslAutoInstallDetailsWire? AutoInstallDetails { get; set; }

    [JsonPropertyName("autoRenewDetails")]
    public SslAutoRenewDetailsWire? AutoRenewDetails { get; set; }

    [JsonPropertyName("suspendNotifications")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? SuspendNotifications { get; set; }

    public SslCertificateDetails ToModel() => new()
    {
        SslId = SslId,
        WireId = Id,
        CommonName = CommonName,
        OrganizationId = OrgId,
        Status = Status,
        OrderNumber = OrderNumber,
        BackendCertId = BackendCertId,
        Vendor = Vendor,
        Profile = CertType?.ToModel(),
        SubType = SubType,
        ValidationType = ValidationType,
        Term = Term,
        Owner = Owner,
        OwnerId = OwnerId,
        Requester = Requester,
        RequesterId = RequesterId,
        RequestedVia = RequestedVia,
        ExternalRequester = ExternalRequester,
        Comments = Comments,
        RequestedOn = Requested,
        ApprovedOn = Approved,
        IssuedOn = Issued,
        DeclinedOn = Declined,
        ExpiresOn = Expires,
        ReplacedOn = Replaced,
        RevokedOn = Revoked,
        RenewedOn = RenewedDate,
        RevocationReasonCode = ReasonCode,
        Renewed = Renewed,
        SerialNumber = SerialNumber,
        SignatureAlgorithm = SignatureAlg,
        KeyAlgorithm = KeyAlgorithm,
        KeySize = KeySize,
        KeyType = KeyType,
        KeyUsages = KeyUsages,
        ExtendedKeyUsages = ExtendedKeyUsages,
        SubjectAlternativeNames = SubjectAlternativeNames,
        CustomFields = CustomFields,
        CertificateDetails = CertificateDetails?.ToModel(),
        AutoInstallDetails = AutoInstallDetails?.ToModel(),
        AutoRenewDetails = AutoRenewDetails?.ToModel(),
        SuspendNotifications = SuspendNotifications,
    };

    public static SslCertificateDetailsWire FromModel(SslCertificateDetails model) => new()
    {
        SslId = model.SslId,
        Id = model.WireId,
        CommonName = model.CommonName,
        OrgId = model.OrganizationId,
        Status = model.Status,
        OrderNumber = model.OrderNumber,
        BackendCertId = model.BackendCertId,
        Vendor = model.Vendor,
        CertType = model.Profile is { } p ? SslCertificateProfileWire.FromModel(p) : null,
        SubType = model.SubType,
        ValidationType = model.ValidationType,
        Term = model.Term,
        Owner = model.Owner,
        OwnerId = model.OwnerId,
        Requester = model.Requester,
        RequesterId = model.RequesterId,
        RequestedVia = model.RequestedVia,
        ExternalRequester = model.ExternalRequester,
        Comments = model.Comments,
        Requested = model.RequestedOn,
        Approved = model.ApprovedOn,
        Issued = model.IssuedOn,
        Declined = model.DeclinedOn,
        Expires = model.ExpiresOn,
        Replaced = model.ReplacedOn,
        Revoked = model.RevokedOn,
        RenewedDate = model.RenewedOn,
        ReasonCode = model.RevocationReasonCode,
        Renewed = model.Renewed,
        SerialNumber = model.SerialNumber,
        SignatureAlg = model.SignatureAlgorithm,
        KeyAlgorithm = model.KeyAlgorithm,
        KeySize = model.KeySize,
        KeyType = model.KeyType,
        KeyUsages = model.KeyUsages,
        ExtendedKeyUsages = model.ExtendedKeyUsages,
        SubjectAlternativeNames = model.SubjectAlternativeNames,
        CustomFields = model.CustomFields,
        CertificateDetails = model.CertificateDetails is { } c ? SslCertificateInfoWire.FromModel(c) : null,
        AutoInstallDetails = model.AutoInstallDetails is { } i ? SslAutoInstallDetailsWire.FromModel(i) : null,
        AutoRenewDetails = model.AutoRenewDetails is { } r ? SslAutoRenewDetailsWire.FromModel(r) : null,
        SuspendNotifications = model.SuspendNotifications,
    };
}

/// <summary>The wire form of <see cref="SslCertificateProfile"/> (<c>certType</c> in details, rows of <c>GET /ssl/v1/types</c>).</summary>
internal sealed class SslCertificateProfileWire : IScmWire<SslCertificateProfile, SslCertificateProfileWire>
{
    public static JsonTypeInfo<SslCertificateProfileWire> TypeInfo => ScmJsonContext.Default.SslCertificateProfileWire;

    [JsonPropertyName("id")]
    public int Id { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("terms")]
    [JsonConverter(typeof(ScmInt32ListConverter))]
    public IReadOnlyList<int>? Terms { get; set; }

    [JsonPropertyName("keyTypes")]
    [JsonConverter(typeof(ScmKeyTypesConverter))]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? KeyTypes { get; set; }

    [JsonPropertyName("useSecondaryOrgName")]
    [JsonConverter(typeof(ScmFlexibleBooleanConverter))]
    public bool? UseSecondaryOrgName { get; set; }

    // The model keeps null for "absent" and answers empty collections itself, so null is passed through unchanged.
    public SslCertificateProfile ToModel() => new()
    {
        Id = Id,
        Name = Name,
        Description = Description,
        Terms = Terms!,
        KeyTypes = KeyTypes!,
        UseSecondaryOrgName = UseSecondaryOrgName,
    };

    public static SslCertificateProfileWire FromModel(SslCertificateProfile model) => new()
    {
        Id = model.Id,
        Name = model.Name,
        Description = model.Description,
        Terms = model.Terms,
        KeyTypes = model.KeyTypes,
        UseSecondaryOrgName = model.UseSecondaryOrgName,
    };
}

/// <summary>The wire form of <see cref="SslCertificateInfo"/> (<c>certificateDetails</c>).</summary>
internal sealed class SslCertificateInfoWire
{
    [JsonPropertyName("issuer")]
    public string? Issuer { get; set; }

    [JsonPropertyName("subject")]
    public string? Subject { get; set; }

    [JsonPropertyName("subjectAltNames")]
    public string? SubjectAltNames { get; set; }

    [JsonPropertyName("md5Hash")]
    public string? Md5Hash { get; set; }

    [JsonPropertyName("sha1Hash")]
    public string? Sha1Hash { get; set; }

    [JsonPropertyName("sha256Hash")]
    public string? Sha256Hash { get; set; }

    public SslCertificateInfo ToModel() => new()
    {
        Issuer = Issuer,
        Subject = Subject,
        SubjectAltNames = SubjectAltNames,
        Md5Hash = Md5Hash,
        Sha1Hash = Sha1Hash,
        Sha256Hash = Sha256Hash,
    };

    public static SslCertificateInfoWire FromModel(SslCertificateInfo model) => new()
    {
        Issuer = model.Issuer,
        Subject = model.Subject,
        SubjectAltNames = model.SubjectAltNames,
        Md5Hash = model.Md5Hash,
        Sha1Hash = model.Sha1Hash,
        Sha256Hash = model.Sha256Hash,
    };
}

/// <summary>The wire form of <see cref="SslAutoInstallDetails"/> (<c>autoInstallDetails</c>).</summary>
internal sealed class SslAutoInstallDetailsWire
{
    [JsonPropertyName("state")]
    public SslInstallStatus? State { get; set; }

    [JsonPropertyName("nodes")]
    public IReadOnlyList<SslAutoInstallNodeWire>? Nodes { get; set; }

    public SslAutoInstallDetails ToModel()
    {
        SslAutoInstallNode[]? nodes = null;
        if (Nodes is { } wire)
        {
            nodes = new SslAutoInstallNode[wire.Count];
            for (var i = 0; i < nodes.Length; i++)
            {
                // A JSON null item stays null, as it did when the model was read directly.
                nodes[i] = wire[i]?.ToModel()!;
            }
        }

        return new SslAutoInstallDetails { State = State, Nodes = nodes };
    }

    public static SslAutoInstallDetailsWire FromModel(SslAutoInstallDetails model) => new()
    {
        State = model.State,
        Nodes = model.Nodes?.Select(n => n is null ? null! : SslAutoInstallNodeWire.FromModel(n)).ToArray(),
    };
}

/// <summary>The wire form of <see cref="SslAutoInstallNode"/>.</summary>
internal sealed class SslAutoInstallNodeWire
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("port")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? Port { get; set; }

    public SslAutoInstallNode ToModel() => new() { Name = Name, Port = Port };

    public static SslAutoInstallNodeWire FromModel(SslAutoInstallNode model) => new() { Name = model.Name, Port = model.Port };
}

/// <summary>The wire form of <see cref="SslAutoRenewDetails"/> as read (<c>autoRenewDetails</c>); updates write the public model.</summary>
internal sealed class SslAutoRenewDetailsWire
{
    [JsonPropertyName("state")]
    public AutoRenewState? State { get; set; }

    [JsonPropertyName("daysBeforeExpiration")]
    [JsonConverter(typeof(ScmFlexibleInt32Converter))]
    public int? DaysBeforeExpiration { get; set; }

    public SslAutoRenewDetails ToModel() => new() { State = State, DaysBeforeExpiration = DaysBeforeExpiration };

    public static SslAutoRenewDetailsWire FromModel(SslAutoRenewDetails model) => new() { State = model.State, DaysBeforeExpiration = model.DaysBeforeExpiration };
}
