using System.Globalization;
using System.Text;

namespace Scm.Client.Internal;

/// <summary>Builds <c>?a=b&amp;c=d</c> with escaped values; absent values are skipped.</summary>
internal sealed class QueryBuilder
{
    private readonly StringBuilder _sb = new();

    public QueryBuilder Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _sb.Append(_sb.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public QueryBuilder Add(string name, long? value) =>
        value is null ? this : Add(name, value.Value.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => _sb.ToString();
}
