using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scm.Client.Internal.Json;

/// <summary>Dates as SCM writes them: <c>MM/dd/yyyy</c> by default, also ISO forms; unparsable or empty gives null.</summary>
internal sealed class ScmDateOnlyConverter : JsonConverter<DateOnly?>
{
    private static readonly string[] Formats = ["MM/dd/yyyy", "M/d/yyyy", "yyyy-MM-dd", "yyyy/MM/dd", "dd.MM.yyyy"];

    public override bool HandleNull => true;

    public override DateOnly? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        // The common case, SCM's MM/dd/yyyy (or an ISO date) as plain ASCII, is read from the raw bytes without a string.
        if (!reader.HasValueSequence && !reader.ValueIsEscaped && TryParseCommon(reader.ValueSpan, out var common))
        {
            return common;
        }

        Span<char> buffer = stackalloc char[64];
        var n = ScmJson.CopyString(ref reader, buffer);
        return Parse(n >= 0 ? buffer[..n] : reader.GetString().AsSpan());
    }

    /// <summary>
    /// Exactly <c>MM/dd/yyyy</c> or <c>yyyy-MM-dd</c> (ASCII digits, a real calendar date): what TryParseExact accepts for
    /// those two formats. Anything else returns false and goes through <see cref="Parse"/>, which decides as before.
    /// </summary>
    internal static bool TryParseCommon(ReadOnlySpan<byte> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10)
        {
            return false;
        }

        int year, month, day;
        if (s[2] == (byte)'/' && s[5] == (byte)'/')
        {
            month = Digits(s[0], s[1]);
            day = Digits(s[3], s[4]);
            year = Digits(s[6], s[7]) * 100 + Digits(s[8], s[9]);
        }
        else if (s[4] == (byte)'-' && s[7] == (byte)'-')
        {
            year = Digits(s[0], s[1]) * 100 + Digits(s[2], s[3]);
            month = Digits(s[5], s[6]);
            day = Digits(s[8], s[9]);
        }
        else
        {
            return false;
        }

        // A non-digit makes its pair negative, and so the year, month or day out of range.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static int Digits(byte tens, byte ones)
    {
        var t = (uint)(tens - '0');
        var o = (uint)(ones - '0');
        return t <= 9 && o <= 9 ? (int)(t * 10 + o) : -10000;
    }

    internal static DateOnly? Parse(ReadOnlySpan<char> s)
    {
        s = s.Trim();
        if (s.IsEmpty)
        {
            return null;
        }

        if (s.Length <= 10 && DateOnly.TryParseExact(s, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        // ISO date-time, "yyyy-MM-dd HH:mm:ss", "MM/dd/yyyy HH:mm:ss": keep the calendar date as written.
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
        {
            return DateOnly.FromDateTime(dto.DateTime);
        }

        return null;
    }

    public override void Write(Utf8JsonWriter writer, DateOnly? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>Timestamps: ISO-8601 with or without offset, <c>yyyy-MM-dd HH:mm:ss</c> (taken as UTC), or a bare date.</summary>
internal sealed class ScmDateTimeOffsetConverter : JsonConverter<DateTimeOffset?>
{
    private static readonly string[] Formats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy", "yyyy-MM-dd"];

    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        Span<char> buffer = stackalloc char[64];
        var n = ScmJson.CopyString(ref reader, buffer);
        var s = (n >= 0 ? buffer[..n] : reader.GetString().AsSpan()).Trim();
        if (s.IsEmpty)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(s, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v)
            || DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out v))
        {
            return v;
        }

        return null;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            // SCM's own example: 2025-05-21T12:24:27.916+00:00
            writer.WriteStringValue(value.Value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>An int written as a number or as a numeric string; empty string gives null.</summary>
internal sealed class ScmFlexibleInt32Converter : JsonConverter<int?>
{
    public override bool HandleNull => true;

    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var v = ScmJson.ReadFlexibleInt64(ref reader);
        if (v is null)
        {
            return null;
        }

        if (v.Value is < int.MinValue or > int.MaxValue)
        {
            throw new JsonException("Number out of the Int32 range.");
        }

        return (int)v.Value;
    }

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteNumberValue(value.Value);
        }
    }
}

/// <summary>A long written as a number or as a numeric string; empty string gives null.</summary>
internal sealed class ScmFlexibleInt64Converter : JsonConverter<long?>
{
    public override bool HandleNull => true;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ScmJson.ReadFlexibleInt64(ref reader);

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteNumberValue(value.Value);
        }
    }
}

/// <summary>A string that SCM sometimes writes as a number (or boolean): the token's text is kept.</summary>
internal sealed class ScmFlexibleStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            default:
                throw new JsonException("Expected a string or a number.");
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

/// <summary>A boolean written as true/false, "true"/"false" or 1/0.</summary>
internal sealed class ScmFlexibleBooleanConverter : JsonConverter<bool?>
{
    public override bool HandleNull => true;

    public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var n) ? n != 0 : throw new JsonException("Expected a boolean.");
            case JsonTokenType.String:
                var s = reader.GetString();
                if (string.IsNullOrWhiteSpace(s))
                {
                    return null;
                }

                return bool.TryParse(s.Trim(), out var b) ? b : s.Trim() switch
                {
                    "1" => true,
                    "0" => false,
                    _ => throw new JsonException("Expected a boolean."),
                };
            default:
                throw new JsonException("Expected a boolean.");
        }
    }

    public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteBooleanValue(value.Value);
        }
    }
}

/// <summary>An array of ints whose items may be numbers or numeric strings; null or absent gives an empty list.</summary>
internal sealed class ScmInt32ListConverter : JsonConverter<IReadOnlyList<int>>
{
    public override bool HandleNull => true;

    public override IReadOnlyList<int> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Expected an array of numbers.");
        }

        var list = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var v = ScmJson.ReadFlexibleInt64(ref reader);
            if (v is { } n and >= int.MinValue and <= int.MaxValue)
            {
                list.Add((int)n);
            }
        }

        return list;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<int> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var v in value)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }
}

/// <summary>A profile's <c>keyTypes</c>: algorithm to sizes/curves, whose items may be strings or numbers; null gives empty.</summary>
internal sealed class ScmKeyTypesConverter : JsonConverter<IReadOnlyDictionary<string, IReadOnlyList<string>>>
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Empty = new Dictionary<string, IReadOnlyList<string>>();

    public override bool HandleNull => true;

    public override IReadOnlyDictionary<string, IReadOnlyList<string>> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return Empty;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected an object for keyTypes.");
        }

        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            var values = new List<string>();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String:
                            values.Add(reader.GetString()!);
                            break;
                        case JsonTokenType.Number:
                            values.Add(Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan));
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
            }
            else
            {
                reader.Skip();
            }

            map[key] = values;
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, IReadOnlyList<string>> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (k, v) in value)
        {
            writer.WriteStartArray(k);
            foreach (var s in v)
            {
                writer.WriteStringValue(s);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}

internal static class ScmJson
{
    public static long? ReadFlexibleInt64(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var n))
                {
                    return n;
                }

                throw new JsonException("Number is not an integer in range.");
            case JsonTokenType.String:
                if (!reader.HasValueSequence && !reader.ValueIsEscaped)
                {
                    var span = reader.ValueSpan;
                    if (span.IsEmpty || span.Trim((byte)' ').IsEmpty)
                    {
                        return null;
                    }

                    if (Utf8Parser.TryParse(span.Trim((byte)' '), out long p, out var consumed) && consumed == span.Trim((byte)' ').Length)
                    {
                        return p;
                    }

                    throw new JsonException("String is not an integer.");
                }

                var s = reader.GetString();
                if (string.IsNullOrWhiteSpace(s))
                {
                    return null;
                }

                return long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var q) ? q : throw new JsonException("String is not an integer.");
            default:
                throw new JsonException("Expected an integer.");
        }
    }

    /// <summary>Copies the current string token into <paramref name="buffer"/> and returns its length, or -1 when it does not fit.</summary>
    public static int CopyString(ref Utf8JsonReader reader, scoped Span<char> buffer)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length <= buffer.Length)
        {
            return Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
        }

        return -1;
    }
}
