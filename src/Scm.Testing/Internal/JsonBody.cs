using System.Globalization;
using System.Text.Json;

namespace Scm.Testing.Internal;

/// <summary>
/// Reads request bodies the way SCM's JSON binder does: structure must match (an array or object where a scalar is
/// expected, or a non-object body, is -1002 "Cannot parse message body"); scalars are coerced like Jackson's defaults
/// (a numeric string for a number, a number for a string); unknown properties are ignored; names are case-sensitive.
/// </summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>Parses a body; an empty body gives <see langword="null"/>.</summary>
    public static JsonDocument? Parse(ReadOnlyMemory<byte> body)
    {
        if (IsBlank(body.Span))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException)
        {
            throw ScmApiException.ParseError();
        }
    }

    /// <summary>Parses a body that must be a JSON object (empty allowed when <paramref name="allowEmpty"/>).</summary>
    public static JsonDocument? ParseObject(ReadOnlyMemory<byte> body, bool allowEmpty)
    {
        var doc = Parse(body);
        if (doc is null)
        {
            if (allowEmpty)
            {
                return null;
            }

            throw ScmApiException.ParseError();
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw ScmApiException.ParseError();
        }

        return doc;
    }

    public static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }

    public static long? GetInt64(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                if (value.TryGetInt64(out var number))
                {
                    return number;
                }

                if (value.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e18)
                {
                    return (long)d;
                }

                throw ScmApiException.ParseError();
            case JsonValueKind.String:
                var text = value.GetString();
                if (string.IsNullOrEmpty(text))
                {
                    return null;
                }

                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }

                throw ScmApiException.ParseError();
            default:
                throw ScmApiException.ParseError();
        }
    }

    public static int? GetInt32(JsonElement obj, string name)
    {
        var value = GetInt64(obj, name);
        if (value is null)
        {
            return null;
        }

        if (value is < int.MinValue or > int.MaxValue)
        {
            throw ScmApiException.ParseError();
        }

        return (int)value.Value;
    }

    public static string? GetString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw ScmApiException.ParseError(),
        };
    }

    public static bool? GetBoolean(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase) => true,
            JsonValueKind.String when string.Equals(value.GetString(), "false", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw ScmApiException.ParseError(),
        };
    }

    public static List<string>? GetStringArray(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw ScmApiException.ParseError();
        }

        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString() ?? "",
                JsonValueKind.Number => item.GetRawText(),
                _ => throw ScmApiException.ParseError(),
            });
        }

        return list;
    }

    public static List<KeyValuePair<string, string>>? GetNameValueArray(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw ScmApiException.ParseError();
        }

        var list = new List<KeyValuePair<string, string>>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw ScmApiException.ParseError();
            }

            list.Add(new(GetString(item, "name") ?? "", GetString(item, "value") ?? ""));
        }

        return list;
    }

    public static JsonElement? GetObject(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw ScmApiException.ParseError();
        }

        return value;
    }
}
