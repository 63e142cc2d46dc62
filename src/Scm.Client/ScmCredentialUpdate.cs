namespace Scm.Client;

/// <summary>
/// New credentials for a running <see cref="ScmClient"/> (see <see cref="ScmClient.UpdateCredentials"/>), for example
/// after the API admin's password was changed in SCM or an OAuth2 client secret was rotated. A property left
/// <see langword="null"/> keeps its current value. The authentication mode, base address and client certificate cannot
/// be changed this way: they shape the HTTP pipeline, so changing them needs a new client.
/// </summary>
/// <remarks><see cref="ToString"/> names the properties that are set and never shows a value.</remarks>
public sealed class ScmCredentialUpdate
{
    /// <summary>Gets the new login (header and client-certificate modes), or <see langword="null"/> to keep it.</summary>
    public string? Login { get; init; }

    /// <summary>Gets the new password (header mode), or <see langword="null"/> to keep it.</summary>
    public string? Password { get; init; }

    /// <summary>Gets the new customer URI (header and client-certificate modes), or <see langword="null"/> to keep it.</summary>
    public string? CustomerUri { get; init; }

    /// <summary>Gets the new OAuth2 client id, or <see langword="null"/> to keep it.</summary>
    public string? ClientId { get; init; }

    /// <summary>Gets the new OAuth2 client secret, or <see langword="null"/> to keep it.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Names the properties that are set; values are never shown.</summary>
    /// <returns>For example <c>ScmCredentialUpdate { Password = *** }</c>.</returns>
    public override string ToString()
    {
        var set = new List<string>(5);
        Add(set, nameof(Login), Login);
        Add(set, nameof(Password), Password);
        Add(set, nameof(CustomerUri), CustomerUri);
        Add(set, nameof(ClientId), ClientId);
        Add(set, nameof(ClientSecret), ClientSecret);
        return set.Count == 0 ? "ScmCredentialUpdate { }" : "ScmCredentialUpdate { " + string.Join(", ", set) + " }";
    }

    private static void Add(List<string> set, string name, string? value)
    {
        if (value is not null)
        {
            set.Add(name + " = ***");
        }
    }
}
