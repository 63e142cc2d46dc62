using System.Globalization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>Custom fields of every certificate type (<c>/customField/v2</c>). Reached through <see cref="ScmClient.CustomFields"/>.</summary>
/// <remarks>
/// Unlike <see cref="SslCertificatesClient.ListCustomFieldsAsync"/> (one <c>mandatory</c> flag), v2 says which channels
/// require a field (<see cref="CustomFieldDefinition.IsRequiredByRestApi"/> is what an enroll through this SDK must
/// carry), its state, and its input type and options.
/// </remarks>
public sealed class CustomFieldsClient
{
    private readonly ScmTransport _transport;

    internal CustomFieldsClient(ScmTransport transport) => _transport = transport;

    /// <summary>Lists custom fields (<c>GET /customField/v2[?certType=]</c>).</summary>
    /// <param name="certificateType">
    /// Only the fields of this certificate type; null lists all. <see cref="CustomFieldCertificateType.CodeSigning"/> is a filter
    /// value of the REST API 25.5 only, and is refused before sending under the Admin API 25.9.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fields.</returns>
    public Task<IReadOnlyList<CustomFieldDefinition>> ListAsync(CustomFieldCertificateType? certificateType = null, CancellationToken cancellationToken = default)
    {
        var type = certificateType is { } t
            ? ScmVocabulary.Wire(_transport.Options.ApiVersion, ScmVocabulary.CustomFieldCertificateType, t.Value, nameof(certificateType))
            : null;
        var uri = ScmOperations.CustomFieldList.Format(null) + new QueryBuilder().Add("certType", type);
        return _transport.GetJsonAsync(ScmOperations.CustomFieldList, uri, ScmJsonContext.Default.IReadOnlyListCustomFieldDefinition, cancellationToken);
    }

    /// <summary>Gets one custom field (<c>GET /customField/v2/{id}</c>).</summary>
    /// <param name="id">The field id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The field.</returns>
    public Task<CustomFieldDefinition> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        Guard.Id(id, nameof(id));
        return _transport.GetJsonAsync(ScmOperations.CustomFieldGet, ScmOperations.CustomFieldGet.Format(null, id.ToString(CultureInfo.InvariantCulture)), ScmJsonContext.Default.CustomFieldDefinition, cancellationToken);
    }
}
