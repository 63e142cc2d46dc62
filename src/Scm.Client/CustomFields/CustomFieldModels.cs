using System.Text.Json.Serialization;

namespace Scm.Client;

/// <summary>The input of a custom field: its type and, for <see cref="CustomFieldInputType.TextOption"/>, the allowed values.</summary>
public sealed class CustomFieldInput
{
    /// <summary>The input type.</summary>
    [JsonPropertyName("type")]
    public CustomFieldInputType? Type { get; init; }

    /// <summary>The values a <see cref="CustomFieldInputType.TextOption"/> field accepts; empty for other types.</summary>
    [JsonPropertyName("options")]
    public IReadOnlyList<string>? Options { get; init; }
}

/// <summary>A custom field as <c>/customField/v2</c> describes it: certificate type, state, input and the channels that require it.</summary>
public sealed class CustomFieldDefinition
{
    /// <summary>The field id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The name enroll's <c>customFields</c> entries use.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The certificate type (SCM answers in lower case, e.g. <c>ssl</c>; equality ignores case).</summary>
    [JsonPropertyName("certType")]
    public CustomFieldCertificateType? CertificateType { get; init; }

    /// <summary>The state.</summary>
    [JsonPropertyName("state")]
    public CustomFieldState? State { get; init; }

    /// <summary>The input type and options.</summary>
    [JsonPropertyName("input")]
    public CustomFieldInput? Input { get; init; }

    /// <summary>The channels for which the field is mandatory (<c>mandatories</c>).</summary>
    [JsonPropertyName("mandatories")]
    public IReadOnlyList<CustomFieldAccessMethod>? Mandatories { get; init; }

    /// <summary>Whether the field is in use (<see cref="CustomFieldState.Active"/>).</summary>
    [JsonIgnore]
    public bool IsActive => State == CustomFieldState.Active;

    /// <summary>Whether requests through <paramref name="channel"/> must carry the field (it is listed in <see cref="Mandatories"/>).</summary>
    /// <param name="channel">The channel, e.g. <see cref="CustomFieldAccessMethod.RestApi"/>.</param>
    /// <returns><see langword="true"/> when SCM requires the field from that channel.</returns>
    public bool IsMandatoryFor(CustomFieldAccessMethod channel) => Mandatories?.Contains(channel) ?? false;

    /// <summary>Whether an enroll through the REST API (what this SDK sends) must carry the field: active and mandatory for <see cref="CustomFieldAccessMethod.RestApi"/>.</summary>
    [JsonIgnore]
    public bool IsRequiredByRestApi => IsActive && IsMandatoryFor(CustomFieldAccessMethod.RestApi);
}
