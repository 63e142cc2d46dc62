namespace Scm.Testing;

/// <summary>The credentials the simulator accepts right now (they change when rotated).</summary>
public sealed class ScmSimulatorCredentials
{
    internal ScmSimulatorCredentials(string login, string password, string customerUri, string clientId, string clientSecret)
    {
        Login = login;
        Password = password;
        CustomerUri = customerUri;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    /// <summary>Gets the admin login (header <c>login</c>).</summary>
    public string Login { get; }

    /// <summary>Gets the admin password (header <c>password</c>).</summary>
    public string Password { get; }

    /// <summary>Gets the customer URI (header <c>customerUri</c>).</summary>
    public string CustomerUri { get; }

    /// <summary>Gets the OAuth2 client id for the token endpoint.</summary>
    public string ClientId { get; }

    /// <summary>Gets the OAuth2 client secret for the token endpoint.</summary>
    public string ClientSecret { get; }

    /// <summary>Returns the login and customer URI only; secrets are never part of the text.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => $"login={Login}, customerUri={CustomerUri}, clientId={ClientId}";
}
