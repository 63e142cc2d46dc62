using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scm.Client.Internal;

/// <summary>
/// SCM's error body: <c>{code, description}</c> in both documents, plus the Admin API's optional <c>details</c> (a string)
/// and <c>items</c> (field-level reasons; the 404 schema allows any JSON in them); OAuth2's <c>error</c>/<c>error_description</c>
/// stand in for a description. Unparsable, non-JSON or oversized bodies read as empty.
/// </summary>
internal readonly record struct ScmErrorBody(int? Code, string? Description, string? Details, IReadOnlyList<string> Items)
{
    /// <summary>At most this many <c>items</c> are kept.</summary>
    public const int MaxItems = 20;

    public static ScmErrorBody Empty { get; } = new(null, null, null, []);

    public static async ValueTask<ScmErrorBody> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var bytes = await ScmTransport.TryReadBytesAsync(response, ScmTransport.MaxErrorBodyBytes, ct).ConfigureAwait(false);
        return bytes is null ? Empty : Parse(bytes);
    }

    public static ScmErrorBody Parse(ReadOnlySpan<byte> bytes)
    {
        var span = bytes.TrimStart(" \t\r\n"u8);
        if (span.IsEmpty || span[0] != (byte)'{')
        {
            return Empty;
        }

        try
        {
            var body = JsonSerializer.Deserialize(span, ScmJsonContext.Default.ErrorBodyWire);
            return body is null
                ? Empty
                : new ScmErrorBody(body.Code, body.Description ?? body.ErrorDescription ?? body.Error, body.Details, body.Items ?? []);
        }
        catch (JsonException)
        {
            return Empty;
        }
    }
}

/// <summary>Reads any JSON value as text: strings as they are, anything else as its compact JSON (bounded).</summary>
internal sealed class ScmAnyTextConverter : JsonConverter<string?>
{
    internal const int MaxLength = 2048;

    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadText(ref reader);

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    internal static string? ReadText(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            default:
                using (var doc = JsonDocument.ParseValue(ref reader))
                {
                    var text = doc.RootElement.GetRawText();
                    return text.Length > MaxLength ? text[..MaxLength] : text;
                }
        }
    }
}

/// <summary>Reads <c>items</c>: an array of anything (each element as text), or a single value as a one-element list.</summary>
internal sealed class ScmErrorItemsConverter : JsonConverter<IReadOnlyList<string>?>
{
    public override bool HandleNull => true;

    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return ScmAnyTextConverter.ReadText(ref reader) is { } one ? [one] : [];
        }

        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var text = ScmAnyTextConverter.ReadText(ref reader);
            if (text is not null && items.Count < ScmErrorBody.MaxItems)
            {
                items.Add(text);
            }
        }

        return items;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string>? value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value ?? [])
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}

/// <summary>How an exception message shows <c>details</c> and <c>items</c>.</summary>
internal static class ScmErrorText
{
    public static string? Describe(string? details, IReadOnlyList<string> items)
    {
        if (string.IsNullOrEmpty(details) && items.Count == 0)
        {
            return null;
        }

        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(details))
        {
            sb.Append("details: ").Append(details);
        }

        if (items.Count > 0)
        {
            sb.Append(sb.Length == 0 ? "items: " : "; items: ").AppendJoin("; ", items);
        }

        return sb.ToString();
    }
}
