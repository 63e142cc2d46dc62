using System.Text.Json.Serialization;
using Scm.Client.Internal.Json;

namespace Scm.Client;

/// <summary>The calling administrator's password state (<c>GET /admin/v1/password</c>): the cheap credential check.</summary>
public sealed class AdminPasswordStatus
{
    /// <summary>When the password expires (<c>yyyy-MM-dd</c>), if it does.</summary>
    [JsonPropertyName("expirationDate")]
    [JsonConverter(typeof(ScmDateOnlyConverter))]
    public DateOnly? ExpirationDate { get; init; }

    /// <summary>The state.</summary>
    [JsonPropertyName("state")]
    public AdminPasswordState State { get; init; }
}
