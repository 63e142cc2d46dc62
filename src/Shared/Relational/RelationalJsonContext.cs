using System.Text.Json.Serialization;

namespace Scm.Storage.Relational;

/// <summary>How records are stored in the <c>payload</c> columns of every relational store (source-generated, no reflection).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CertificateOrder))]
[JsonSerializable(typeof(ManagedCertificate))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(ScmAccountCatalog))]
internal sealed partial class RelationalJsonContext : JsonSerializerContext;
