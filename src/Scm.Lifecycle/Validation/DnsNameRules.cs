using System.Globalization;
using System.Net;
using System.Text;

namespace Scm.Lifecycle.Validation;

/// <summary>Validation and normalization of DNS names used as common names and SANs.</summary>
internal static class DnsNameRules
{
    private static readonly IdnMapping s_idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    private static readonly string[] s_internalSuffixes =
        [".local", ".localhost", ".internal", ".lan", ".home", ".corp", ".intranet", ".localdomain", ".home.arpa"];

    /// <summary>Normalizes a name to its lowercase A-label form, or explains why it is not a valid public DNS name.</summary>
    /// <param name="input">The name as given.</param>
    /// <param name="allowInternalNames">Whether IP addresses, single-label and internal names are allowed.</param>
    /// <param name="normalized">The lowercase A-label form.</param>
    /// <param name="error">Why the name is invalid.</param>
    /// <returns>Whether the name is valid.</returns>
    public static bool TryNormalize(string? input, bool allowInternalNames, out string normalized, out string? error)
    {
        normalized = string.Empty;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "is empty";
            return false;
        }

        var shown = Show(input);
        foreach (var c in input)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                error = $"'{shown}' is not a valid DNS name: it contains {Describe(c)}.";
                return false;
            }
        }

        var name = input;
        if (name.Any(c => c > 0x7F))
        {
            try
            {
                name = s_idn.GetAscii(name);
            }
            catch (ArgumentException)
            {
                error = $"'{shown}' is not a valid internationalized domain name (invalid IDN).";
                return false;
            }
        }

        name = name.ToLowerInvariant();
        if (name.Length > 253)
        {
            error = $"Name '{Truncate(shown)}' exceeds 253 characters ({name.Length}).";
            return false;
        }

        if (IPAddress.TryParse(name, out _) && (name.Contains('.') || name.Contains(':')))
        {
            if (allowInternalNames)
            {
                normalized = name;
                error = null;
                return true;
            }

            error = $"'{shown}' is an IP address; private IPs and internal names are not allowed for this profile (enable AllowInternalNames where the profile permits them).";
            return false;
        }

        var labels = name.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label.Length == 0)
            {
                error = $"'{shown}' is not a valid DNS name: it has an empty label.";
                return false;
            }

            if (label.Contains('*'))
            {
                if (i != 0 || label != "*")
                {
                    error = $"'{shown}': wildcard allowed only as the whole left-most label (as in *.example.com).";
                    return false;
                }

                if (labels.Length < 3)
                {
                    error = $"'{shown}': a wildcard needs at least two labels after it (as in *.example.com).";
                    return false;
                }

                continue;
            }

            if (label.Length > 63)
            {
                error = $"Label '{Truncate(label)}' of '{Truncate(shown)}' exceeds 63 characters ({label.Length}).";
                return false;
            }

            foreach (var c in label)
            {
                if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
                {
                    error = $"'{shown}' is not a valid DNS name: {Describe(c)} is not allowed (letters, digits and '-' only).";
                    return false;
                }
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                error = $"'{shown}' is not a valid DNS name: label '{label}' starts or ends with a hyphen.";
                return false;
            }
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            error = $"'{shown}' is not a valid DNS name: the top-level label is numeric.";
            return false;
        }

        if (!allowInternalNames && (labels.Length < 2 || s_internalSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal))))
        {
            error = $"'{shown}' is an internal name; private IPs and internal names are not allowed for this profile (enable AllowInternalNames where the profile permits them).";
            return false;
        }

        normalized = name;
        error = null;
        return true;
    }

    /// <summary>Whether <paramref name="name"/> is <paramref name="domain"/> or one of its subdomains (wildcards stripped first).</summary>
    public static bool IsWithin(string name, string domain)
    {
        var n = StripWildcard(name);
        var d = StripWildcard(domain).ToLowerInvariant();
        return n.Equals(d, StringComparison.OrdinalIgnoreCase) || n.EndsWith("." + d, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Removes a left-most <c>*.</c>.</summary>
    public static string StripWildcard(string name) => name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;

    private static string Describe(char c) => c switch
    {
        '\0' => "a NUL character",
        ' ' => "a space",
        _ when char.IsControl(c) => $"a control character (U+{(int)c:X4})",
        _ when char.IsWhiteSpace(c) => $"white space (U+{(int)c:X4})",
        _ => $"'{c}'",
    };

    private static string Show(string s)
    {
        var sb = new StringBuilder(Math.Min(s.Length, 80));
        foreach (var c in s.Length > 80 ? s[..80] : s)
        {
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return s.Length > 80 ? sb + "..." : sb.ToString();
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
