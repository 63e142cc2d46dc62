using System.Text.Json.Serialization;

namespace Scm.Client.Internal.Wire;

/// <summary>The <c>{"domain": ...}</c> body of the DCV status, start and submit calls (<c>DomainRequest</c>).</summary>
internal sealed class DcvDomainWire
{
    [JsonPropertyName("domain")]
    public string? Domain { get; init; }
}

/// <summary>The e-mail submit body (<c>DomainEmailRequest</c>).</summary>
internal sealed class DcvEmailSubmitWire
{
    [JsonPropertyName("domain")]
    public string? Domain { get; init; }

    [JsonPropertyName("email")]
    public string? Email { get; init; }
}
