using System.Text;
using System.Text.RegularExpressions;

namespace Scm.Testing.Internal;

/// <summary>Matches a path against a glob: <c>*</c> within one segment, <c>**</c> across segments.</summary>
internal sealed class PathPatternMatcher
{
    private readonly Regex _regex;

    private PathPatternMatcher(Regex regex) => _regex = regex;

    public static PathPatternMatcher Create(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    sb.Append(".*");
                    i++;
                }
                else
                {
                    sb.Append("[^/]*");
                }
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }

        sb.Append('$');
        return new PathPatternMatcher(new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Compiled));
    }

    public bool IsMatch(string path) => _regex.IsMatch(path);
}
