using System.Text.Json.Serialization;
using Scm.Client.Internal.Wire;

namespace Scm.Client.Internal;

/// <summary>
/// The one source-generated JSON context of Scm.Client: compact output, no nulls for unset fields, unknown fields ignored,
/// nesting limited to 32. Request bodies are written through <see cref="ScmTransport.Serialize{T}"/> with a relaxed encoder.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    MaxDepth = 32,
    UseStringEnumConverter = false)]
[JsonSerializable(typeof(IReadOnlyList<SslCertificateSummary>))]
[JsonSerializable(typeof(SslCertificateDetails))]
[JsonSerializable(typeof(SslCertificateDetailsWire))]
[JsonSerializable(typeof(IReadOnlyList<SslCertificateProfileWire>))]
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
[JsonSerializable(typeof(KeystoreRequestWire))]
[JsonSerializable(typeof(KeystoreLinkWire))]
[JsonSerializable(typeof(ChangePasswordWire))]
[JsonSerializable(typeof(IReadOnlyList<CustomFieldDefinition>))]
[JsonSerializable(typeof(CustomFieldDefinition))]
[JsonSerializable(typeof(IReadOnlyList<OrganizationValidation>))]
[JsonSerializable(typeof(DcvDomainWire))]
[JsonSerializable(typeof(DcvEmailSubmitWire))]
[JsonSerializable(typeof(IReadOnlyList<DcvValidationSummary>))]
[JsonSerializable(typeof(DcvValidationDetails))]
[JsonSerializable(typeof(DcvCnameChallenge))]
[JsonSerializable(typeof(DcvHttpChallenge))]
[JsonSerializable(typeof(DcvEmailChallenge))]
[JsonSerializable(typeof(DcvSubmitResult))]
internal sealed partial class ScmJsonContext : JsonSerializerContext
{
}
