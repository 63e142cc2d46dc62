using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>The calling administrator (<c>/admin/v1</c>). Reached through <see cref="ScmClient.Admin"/>.</summary>
public sealed class AdminClient
{
    private readonly ScmTransport _transport;

    internal AdminClient(ScmTransport transport) => _transport = transport;

    /// <summary>Gets the caller's password state (<c>GET /admin/v1/password</c>): the cheapest way to check credentials.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state and expiry date.</returns>
    /// <exception cref="ScmRequestException">401 with code -16 when the credentials are wrong.</exception>
    public Task<AdminPasswordStatus> GetPasswordStatusAsync(CancellationToken cancellationToken = default) =>
        _transport.GetJsonAsync(ScmOperations.AdminPassword, ScmOperations.AdminPassword.Format(null), ScmJsonContext.Default.AdminPasswordStatus, cancellationToken);
}
