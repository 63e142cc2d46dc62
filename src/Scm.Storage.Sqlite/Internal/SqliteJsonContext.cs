using System.Text.Json.Serialization;

namespace Scm.Storage.Sqlite.Internal;

/// <summary>How records are stored in the <c>payload</c> columns (source-generated, no reflection).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CertificateOrder))]
[JsonSerializable(typeof(ManagedCertificate))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(ScmAccountCatalog))]
internal sealed partial class SqliteJsonContext : JsonSerializerContext;
