using System.Globalization;
using System.Text;

namespace Scm.Storage.Relational;

/// <summary>
/// The continuation token of the list queries: an opaque, URL-safe encoding of the (created-at, id) position of the
/// last item of a page (the in-memory store issues the same format).
/// </summary>
internal static class ContinuationToken
{
    private const string Prefix = "p1.";

    public static (long Ticks, Guid Id)? Parse(string? token, string parameter)
    {
        if (token is null)
        {
            return null;
        }

        try
        {
            if (token.StartsWith(Prefix, StringComparison.Ordinal) && token.Length < 200)
            {
                var body = token[Prefix.Length..].Replace('-', '+').Replace('_', '/');
                body += new string('=', (4 - (body.Length % 4)) % 4);
                var parts = Encoding.ASCII.GetString(Convert.FromBase64String(body)).Split('.');
                if (parts.Length == 2
                    && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    && Guid.TryParseExact(parts[1], "N", out var id))
                {
                    return (ticks, id);
                }
            }
        }
        catch (FormatException)
        {
            // Falls through to the clear error below.
        }

        throw new ArgumentException("The continuation token is not one this store issued.", parameter);
    }

    public static StorePage<T> Page<T>(List<T> items, int pageSize, Func<T, (DateTimeOffset CreatedAt, Guid Id)> position)
    {
        if (items.Count <= pageSize)
        {
            return new StorePage<T>(items, null);
        }

        items.RemoveRange(pageSize, items.Count - pageSize);
        var (createdAt, id) = position(items[^1]);
        var text = createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + id.ToString("N");
        return new StorePage<T>(items, Prefix + Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
    }
}
