using System.Text.RegularExpressions;

namespace Scm.Lifecycle.Internal;

/// <summary>
/// The marker the engine writes into SCM's <c>comments</c>: <c>[scm-sdk:&lt;32 lowercase hex&gt;]</c>. It is how an order
/// whose submission outcome is unknown is found again (SCM has no idempotency key).
/// </summary>
internal static partial class CorrelationMarker
{
    public const string Prefix = "[scm-sdk:";

    public static string NewToken() => Guid.NewGuid().ToString("N");

    public static string Format(string token) => Prefix + token + "]";

    /// <summary>The comments to send: the caller's text, a space, the marker (43 characters with the space).</summary>
    public static string Append(string? comments, string token) =>
        string.IsNullOrEmpty(comments) ? Format(token) : comments + " " + Format(token);

    /// <summary>Removes every SDK marker (to replace one with another).</summary>
    public static string Strip(string? comments) =>
        string.IsNullOrEmpty(comments) ? string.Empty : MarkerPattern().Replace(comments, string.Empty).TrimEnd();

    /// <summary>Whether the comments carry this token.</summary>
    public static bool Contains(string? comments, string token) =>
        comments is not null && comments.Contains(Format(token), StringComparison.OrdinalIgnoreCase);

    /// <summary>Every token in the comments.</summary>
    public static IReadOnlyList<string> Extract(string? comments)
    {
        if (string.IsNullOrEmpty(comments))
        {
            return [];
        }

        return MarkerPattern().Matches(comments).Select(m => m.Groups[1].Value.ToLowerInvariant()).ToArray();
    }

    [GeneratedRegex(@" ?\[scm-sdk:([0-9a-fA-F]{32})\]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkerPattern();
}
