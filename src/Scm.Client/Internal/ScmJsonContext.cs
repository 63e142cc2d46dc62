using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scm.Client.Internal.Wire;

namespace Scm.Client.Internal;

/// <summary>The one source-generated JSON context of Scm.Client: compact output, no nulls for unset fields, unknown fields ignored.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    MaxDepth = 32,
    UseStringEnumConverter = false)]
[JsonSerializable(typeof(IReadOnlyList<SslCertificateSummary>))]
[JsonSerializable(typeof(SslCertificateDetails))]
[JsonSerializable(typeof(IReadOnlyList<SslCertificateProfile>))]
[JsonSerializable(typeof(IReadOnlyList<SslCustomField>))]
[JsonSerializable(typeof(IReadOnlyList<SslLocation>))]
[JsonSerializable(typeof(SslLocation))]
[JsonSerializable(typeof(SslDcvDetails))]
[JsonSerializable(typeof(SslDcvLog))]
[JsonSerializable(typeof(DcvResponseWire))]
[JsonSerializable(typeof(EnrollWire))]
[JsonSerializable(typeof(EnrollKeyGenerationWire))]
[JsonSerializable(typeof(EnrollResponseWire))]
[JsonSerializable(typeof(RenewByIdResponseWire))]
[JsonSerializable(typeof(MessageWire))]
[JsonSerializable(typeof(RevokeWire))]
[JsonSerializable(typeof(ManualRevokeWire))]
[JsonSerializable(typeof(RenewWire))]
[JsonSerializable(typeof(ManualRenewWire))]
[JsonSerializable(typeof(ReplaceWire))]
[JsonSerializable(typeof(UpdateWire))]
[JsonSerializable(typeof(IReadOnlyList<ImportItemWire>))]
[JsonSerializable(typeof(IReadOnlyList<ImportResultWire>))]
[JsonSerializable(typeof(LocationWriteWire))]
[JsonSerializable(typeof(ErrorBodyWire))]
[JsonSerializable(typeof(TokenResponseWire))]
[JsonSerializable(typeof(IReadOnlyList<Organization>))]
[JsonSerializable(typeof(OrganizationDetails))]
[JsonSerializable(typeof(IReadOnlyList<DomainSummary>))]
[JsonSerializable(typeof(DomainDetails))]
[JsonSerializable(typeof(AdminPasswordStatus))]
[JsonSerializable(typeof(SslReportRequestWire))]
[JsonSerializable(typeof(SslReportResponseWire))]
internal sealed partial class ScmJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The instance every call uses: the generated settings plus a relaxed encoder, so the wire carries '+', '&amp;', '\''
    /// and non-ASCII text as themselves rather than \uXXXX escapes (SCM's parser is reported not to be fully RFC 7159
    /// compliant; the fewer escapes the better).
    /// </summary>
    public static ScmJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
        MaxDepth = 32,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
