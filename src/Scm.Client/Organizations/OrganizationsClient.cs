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

    /// <summary>Lists the organizations and departments an administrator role manages (<c>GET /organization/v1/managed-by/{role}</c>).</summary>
    /// <param name="role">The role, e.g. <see cref="OrganizationRole.RaoSsl"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The organizations (id, name, parent name).</returns>
    public Task<IReadOnlyList<Organization>> ListManagedByAsync(OrganizationRole role, CancellationToken cancellationToken = default)
    {
        var value = role.Value;
        if (value.Length is 0 or > 32 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException("role must be one of MRAO, RAO_SSL, RAO_SMIME, RAO_CS, RAO_DEVICE, DRAO_SSL, DRAO_SMIME, DRAO_CS, DRAO_DEVICE; got '" + value + "'.", nameof(role));
        }

        return _transport.GetJsonAsync(ScmOperations.OrganizationManagedBy, ScmOperations.OrganizationManagedBy.Format(null, value), ScmJsonContext.Default.IReadOnlyListOrganization, cancellationToken);
    }
}
