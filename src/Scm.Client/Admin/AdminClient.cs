using Scm.Client.Internal;
using Scm.Client.Internal.Wire;

namespace Scm.Client;

/// <summary>The calling administrator (<c>/admin/v1</c>). Reached through <see cref="ScmClient.Admin"/>.</summary>
public sealed class AdminClient
{
    /// <summary>The longest password SCM accepts (its code -976: "New password must be between {0} and 32 characters").</summary>
    public const int MaxPasswordLength = 32;

    private readonly ScmTransport _transport;
    private readonly ScmCredentialStore _credentials;

    internal AdminClient(ScmTransport transport, ScmCredentialStore credentials)
    {
        _transport = transport;
        _credentials = credentials;
    }

    /// <summary>Gets the caller's password state (<c>GET /admin/v1/password</c>): the cheapest way to check credentials.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state and expiry date.</returns>
    /// <exception cref="ScmRequestException">401 with code -16 when the credentials are wrong.</exception>
    public Task<AdminPasswordStatus> GetPasswordStatusAsync(CancellationToken cancellationToken = default) =>
        _transport.GetJsonAsync(ScmOperations.AdminPassword, ScmOperations.AdminPassword.Format(null), ScmJsonContext.Default.AdminPasswordStatus, cancellationToken);

    /// <summary>
    /// Changes the calling administrator's own password (<c>POST /admin/v1/changepassword</c>, header <c>password</c> =
    /// the current one, body <c>{"newPassword": ...}</c>; the same in both API documents). Password authentication only.
    /// Sent once, never retried. When SCM answers 204 the client signs every later request with the new password
    /// (as <see cref="ScmClient.UpdateCredentials"/> would); on any failure it keeps the current one.
    /// </summary>
    /// <remarks>
    /// The SDK cannot store the new password where the host's configuration reads it: save it before calling this (the
    /// engine's <c>ChangeScmPasswordAsync</c> does, through the host's <c>IScmPasswordStore</c>), or the next start uses a
    /// password SCM no longer accepts. After a timeout or a 5xx the outcome is unknown: check with
    /// <see cref="GetPasswordStatusAsync"/> signed with each password. The new password is redacted from every later
    /// error description and never logged.
    /// </remarks>
    /// <param name="newPassword">
    /// The new password: 1..32 characters, no control characters, different from the current one and not containing the
    /// login (SCM's -976, -982 and -220); SCM's password policy decides the rest (-7306, with the rules it broke).
    /// </param>
    /// <param name="cancellationToken">Cancels the call (SCM may still have changed the password).</param>
    /// <returns>A task that completes when SCM accepted the new password.</returns>
    /// <exception cref="InvalidOperationException">The client does not use password authentication.</exception>
    /// <exception cref="ArgumentException">The new password breaks one of the rules above; the message names the rule, never the value.</exception>
    /// <exception cref="ScmRequestException">SCM refused it (for example -7306 password policy violated, with SCM's reasons).</exception>
    public async Task ChangePasswordAsync(string newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newPassword);
        if (_credentials.Mode != ScmAuthenticationMode.Password)
        {
            throw new InvalidOperationException("ChangePasswordAsync needs password authentication (ScmClientOptions.AuthenticationMode = Password); the client uses "
                + _credentials.Mode + ", whose requests carry no admin password.");
        }

        var current = _credentials.Current;
        if (newPassword.Length is 0 or > MaxPasswordLength || string.IsNullOrWhiteSpace(newPassword))
        {
            throw new ArgumentException("newPassword must be 1.." + MaxPasswordLength.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters and not blank (SCM -976).", nameof(newPassword));
        }

        if (newPassword.Any(char.IsControl))
        {
            throw new ArgumentException("newPassword must not contain control characters.", nameof(newPassword));
        }

        if (string.Equals(newPassword, current.Password, StringComparison.Ordinal))
        {
            throw new ArgumentException("newPassword must differ from the current password (SCM -220).", nameof(newPassword));
        }

        if (current.Login is { Length: > 0 } login && newPassword.Contains(login, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("newPassword must not contain the login (SCM -982).", nameof(newPassword));
        }

        // Redacted from any SCM answer before it can be sent; the request itself is signed with the current password.
        _credentials.RememberSecret(newPassword);
        await _transport.SendNoContentAsync(ScmOperations.AdminChangePassword, ScmOperations.AdminChangePassword.Format(null),
            new ChangePasswordWire { NewPassword = newPassword }, ScmJsonContext.Default.ChangePasswordWire, cancellationToken).ConfigureAwait(false);
        _credentials.Update(new ScmCredentialUpdate { Password = newPassword });
    }
}
