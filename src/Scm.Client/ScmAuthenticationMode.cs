namespace Scm.Client;

/// <summary>How the client authenticates to SCM.</summary>
public enum ScmAuthenticationMode
{
    /// <summary><c>login</c>, <c>password</c> and <c>customerUri</c> headers on every request (base <c>https://cert-manager.com/api</c>).</summary>
    Password = 0,

    /// <summary>OAuth2 client credentials: a bearer token from <see cref="ScmClientOptions.TokenEndpoint"/>, used on the admin host (<c>https://admin.enterprise.sectigo.com/api</c>).</summary>
    OAuth2ClientCredentials = 1,

    /// <summary>Mutual TLS with the administrator's client certificate plus <c>login</c> and <c>customerUri</c> headers, on a <c>/private/api</c> base.</summary>
    ClientCertificate = 2,
}
