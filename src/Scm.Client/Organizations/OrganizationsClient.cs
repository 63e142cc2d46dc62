using System.Globalization;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>Organizations and departments (<c>/organization/v1</c>). Reached through <see cref="ScmClient.Organizations"/>.</summary>
public sealed class OrganizationsClient
{
    private readonly ScmTransport _transport;

    internal OrganizationsClient(ScmTransport transport) => _transport = transport;

    /// <summary>Lists the organizations visible to the caller, with their departments (not paged by SCM).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The organizations.</returns>
    public Task<IReadOnlyList<Organization>> ListAsync(CancellationToken cancellationToken = default) =>
        _transport.GetJsonAsync(ScmOperations.OrganizationList, ScmOperations.OrganizationList.Format(null), ScmJsonContext.Default.IReadOnlyListOrganization, cancellationToken);

    /// <summary>Gets an organization's or department's details.</summary>
    /// <param name="organizationId">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The details.</returns>
    public Task<OrganizationDetails> GetAsync(int organizationId, CancellationToken cancellationToken = default)
    {
        Guard.Id(organizationId, nameof(organizationId));
        return _transport.GetJsonAsync(ScmOperations.OrganizationGet, ScmOperations.OrganizationGet.Format(null, organizationId.ToString(CultureInfo.InvariantCulture)), ScmJsonContext.Default.OrganizationDetails, cancellationToken);
    }

    /// <summary>
    /// Lists the organizations and departments an administrator role manages: <c>GET /organization/v1/managedBy/{role}</c>
    /// under the REST API 25.5, <c>/managed-by/{role}</c> under the Admin API 25.9 (<see cref="ScmClientOptions.ApiVersion"/>).
    /// </summary>
    /// <param name="role">The role, e.g. <see cref="OrganizationRole.RaoSsl"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The organizations (id, name, parent name).</returns>
    public Task<IReadOnlyList<Organization>> ListManagedByAsync(OrganizationRole role, CancellationToken cancellationToken = default)
    {
        var api = _transport.Options.ApiVersion;
        var value = ScmVocabulary.Wire(api, ScmVocabulary.OrganizationRole, role.Value, nameof(role));
        var op = api == ScmApiVersion.Admin25_9 ? ScmOperations.OrganizationManagedByAdmin : ScmOperations.OrganizationManagedByRest;
        return _transport.GetJsonAsync(op, op.Format(null, value), ScmJsonContext.Default.IReadOnlyListOrganization, cancellationToken);
    }

    /// <summary>
    /// Lists an organization's validations (<c>GET /organization/v2/{orgId}/validations</c>): OV and EV for SSL, OV for
    /// S/MIME, with their status. SCM refuses an order for a profile that needs a validation the organization does not
    /// hold in status <see cref="OrganizationValidationStatus.Validated"/> with code -843.
    /// </summary>
    /// <param name="organizationId">The organization id (departments share their organization's validations).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The validations; empty when the organization has none.</returns>
    public Task<IReadOnlyList<OrganizationValidation>> ListValidationsAsync(int organizationId, CancellationToken cancellationToken = default)
    {
        Guard.Id(organizationId, nameof(organizationId));
        return _transport.GetJsonAsync(ScmOperations.OrganizationValidations, ScmOperations.OrganizationValidations.Format(null, organizationId.ToString(CultureInfo.InvariantCulture)),
            ScmJsonContext.Default.IReadOnlyListOrganizationValidation, cancellationToken);
    }
}
