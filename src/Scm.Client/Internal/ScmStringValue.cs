using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scm.Client.Internal;

/// <summary>Implemented by the string-backed value types so one converter serves them all.</summary>
internal interface IScmStringValue<TSelf>
    where TSelf : struct, IScmStringValue<TSelf>
{
    static abstract TSelf FromWire(string value);

    string Value { get; }
}

/// <summary>Equality for the string-backed value types: case-insensitive, ignoring ' ', '_' and '-'.</summary>
internal static class ScmStringValue
{
    public static bool AreEqual(string? left, string? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        left ??= string.Empty;
        right ??= string.Empty;
        int i = 0, j = 0;
        while (true)
        {
            while (i < left.Length && IsIgnored(left[i]))
            {
                i++;
            }

            while (j < right.Length && IsIgnored(right[j]))
            {
                j++;
            }

            if (i == left.Length || j == right.Length)
            {
                return i == left.Length && j == right.Length;
            }

            if (char.ToUpperInvariant(left[i]) != char.ToUpperInvariant(right[j]))
            {
                return false;
            }

            i++;
            j++;
        }
    }

    public static int GetHashCode(string? value)
    {
        var hash = new HashCode();
        if (value is not null)
        {
            foreach (var c in value)
            {
                if (!IsIgnored(c))
                {
                    hash.Add(char.ToUpperInvariant(c));
                }
            }
        }

        return hash.ToHashCode();
    }

    private static bool IsIgnored(char c) => c is ' ' or '_' or '-';
}

/// <summary>Reads any JSON string (or a number, kept as its text) into a string-backed value type.</summary>
internal sealed class ScmStringValueConverter<T> : JsonConverter<T>
    where T : struct, IScmStringValue<T>
{
    // Server enums repeat a handful of values: the first few distinct ones are remembered (UTF-8 and string) so a repeat
    // costs a byte comparison instead of a transcode and a string. Bounded, and any value still reads correctly when full.
    private const int MaxRemembered = 32;
    private static (byte[] Utf8, string Text)[] _seen = [];

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (reader.HasValueSequence || reader.ValueIsEscaped)
                {
                    return T.FromWire(reader.GetString()!);
                }

                var raw = reader.ValueSpan;
                var seen = Volatile.Read(ref _seen);
                foreach (var (utf8, text) in seen)
                {
                    if (raw.SequenceEqual(utf8))
                    {
                        return T.FromWire(text);
                    }
                }

                var value = reader.GetString()!;
                Remember(seen, raw, value);
                return T.FromWire(value);
            case JsonTokenType.Number:
                return T.FromWire(System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan));
            default:
                throw new JsonException($"Expected a string for {typeof(T).Name}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);

    private static void Remember((byte[] Utf8, string Text)[] seen, ReadOnlySpan<byte> raw, string value)
    {
        if (seen.Length >= MaxRemembered || raw.Length > 64)
        {
            return;
        }

        // Copy-on-write; losing a race only means the value is remembered on a later read.
        (byte[], string)[] next = [.. seen, (raw.ToArray(), value)];
        Interlocked.CompareExchange(ref _seen, next, seen);
    }
}
