using System.Globalization;

namespace Scm.Client.Internal;

/// <summary>Argument checks run before any request, with messages naming the field, the rule and what was given (never a secret's value).</summary>
internal static class Guard
{
    public const int MaxComments = 1024;
    public const int MaxExternalRequester = 512;
    public const int MaxCsr = 32767;
    public const int MaxCommonName = 64;

    public static void Id(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, name + " must be positive; got " + value.ToString(CultureInfo.InvariantCulture) + ".");
        }
    }

    public static void Length(string? value, int min, int max, string name, bool required = true)
    {
        if (value is null)
        {
            if (required)
            {
                throw new ArgumentNullException(name, name + " is required (" + Range(min, max) + ").");
            }

            return;
        }

        if (value.Length < min || value.Length > max || (min > 0 && string.IsNullOrWhiteSpace(value)))
        {
            throw new ArgumentException(name + " must be " + Range(min, max) + " and not blank; got " + value.Length.ToString(CultureInfo.InvariantCulture) + " characters.", name);
        }
    }

    public static void Message(string? value, string name) => Length(value, 1, 512, name);

    public static void Comments(string? value, string name) => Length(value, 0, MaxComments, name, required: false);

    public static void ExternalRequester(string? value, string name) => Length(value, 0, MaxExternalRequester, name, required: false);

    public static void Csr(string? value, string name, bool required = true) => Length(value, 1, MaxCsr, name, required);

    public static void CommonName(string? value, string name, bool required) => Length(value, 1, MaxCommonName, name, required);

    public static void Reason(RevocationReason reason, string name)
    {
        if (reason is not (RevocationReason.Unspecified or RevocationReason.KeyCompromise or RevocationReason.AffiliationChanged or RevocationReason.Superseded or RevocationReason.CessationOfOperation))
        {
            throw new ArgumentOutOfRangeException(name, (int)reason, name + " must be 0, 1, 3, 4 or 5 (Unspecified, KeyCompromise, AffiliationChanged, Superseded, CessationOfOperation); got " + ((int)reason).ToString(CultureInfo.InvariantCulture) + ".");
        }
    }

    public static void SubjectAlternativeNames(IReadOnlyList<string>? names, string name, bool commaSeparatedOnWire)
    {
        if (names is null)
        {
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            var n = names[i];
            if (string.IsNullOrWhiteSpace(n))
            {
                throw new ArgumentException(Item(name, i) + " is empty.", name);
            }

            if (commaSeparatedOnWire && n.Contains(',', StringComparison.Ordinal))
            {
                throw new ArgumentException(Item(name, i) + " may not contain ',' (SCM receives the SANs as one comma-separated string).", name);
            }

            if (n.Length > 253)
            {
                throw new ArgumentException(Item(name, i) + " exceeds 253 characters.", name);
            }
        }
    }

    public static void CustomFields(IReadOnlyList<CustomFieldValue>? fields, string name)
    {
        if (fields is null)
        {
            return;
        }

        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i] ?? throw new ArgumentException(Item(name, i) + " is null.", name);
            if (f.Name is null || f.Name.Length is < 1 or > 256 || string.IsNullOrWhiteSpace(f.Name))
            {
                Length(f.Name, 1, 256, Item(name, i) + ".Name");
            }

            if (f.Value is { Length: > 256 })
            {
                Length(f.Value, 0, 256, Item(name, i) + ".Value", required: false);
            }
        }
    }

    /// <summary>Checks the DCV pair and returns the mode as the configured API version spells it (null when none).</summary>
    public static string? Dcv(ScmApiVersion version, DcvMode? mode, string? email, string modeName, string emailName)
    {
        string? wire = null;
        if (mode is { } m)
        {
            wire = ScmVocabulary.Wire(version, ScmVocabulary.DcvMode, m.Value, modeName);
            if (wire == "EMAIL" && string.IsNullOrWhiteSpace(email))
            {
                throw new ArgumentException(emailName + " is required when " + modeName + " is EMAIL.", emailName);
            }
        }

        if (email is not null && !LooksLikeEmail(email))
        {
            throw new ArgumentException(emailName + " is not a valid e-mail address.", emailName);
        }

        return wire;
    }

    /// <summary>A domain name as the DCV operations take it: 3..255 characters (both documents), no spaces, scheme, path, port or wildcard.</summary>
    public static void DomainName(string? value, string name)
    {
        Length(value, 3, 255, name);
        var v = value!;
        if (v.Any(c => char.IsWhiteSpace(c) || c is '/' or ':' or '@' or '*' or '?' or '#' or ',') || v.StartsWith('.') || v.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException(name + " must be a bare domain name such as example.com (no scheme, path, port, wildcard or spaces).", name);
        }
    }

    public static void Email(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentNullException(name, name + " is required.");
        }

        if (!LooksLikeEmail(value))
        {
            throw new ArgumentException(name + " is not a valid e-mail address.", name);
        }
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, name + " must be at least 1; got " + value.ToString(CultureInfo.InvariantCulture) + ".");
        }
    }

    private static string Item(string name, int i) => name + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";

    private static bool LooksLikeEmail(string s)
    {
        var at = s.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == s.LastIndexOf('@') && at < s.Length - 3 && s.IndexOf('.', at) > at + 1 && !s.Any(char.IsWhiteSpace) && !s.Contains(',', StringComparison.Ordinal) && !s.Contains(';', StringComparison.Ordinal);
    }

    private static string Range(int min, int max) => min == 0
        ? "at most " + max.ToString(CultureInfo.InvariantCulture) + " characters"
        : min.ToString(CultureInfo.InvariantCulture) + ".." + max.ToString(CultureInfo.InvariantCulture) + " characters";
}
