using System.Globalization;
using Scm.Storage;

namespace Scm.Samples.Console;

/// <summary>
/// Finds the certificate or order a command names: a full id, the 8-character short id the tables show (the id's last 8
/// hex digits), any unique prefix or suffix of 4 or more hex digits of the id, SCM's numeric sslId, or the common name
/// (the active certificate, the open order). Only among the records of the session's account: another account's id
/// matches nothing.
/// </summary>
internal static class IdResolver
{
    public static async Task<ManagedCertificate> CertificateAsync(EngineSession session, string text, CancellationToken cancellationToken)
    {
        return await FindCertificateAsync(session, text, cancellationToken)
            ?? throw new CliException($"No certificate matches '{text}'{session.InAccount} (use the id or SCM id that `scm {ListCommand(session)}` shows).");
    }

    public static async Task<ManagedCertificate?> FindCertificateAsync(EngineSession session, string text, CancellationToken cancellationToken)
    {
        var lifecycle = session.Lifecycle;
        text = text.Trim();
        if (Guid.TryParse(text, out var id))
        {
            return await lifecycle.GetCertificateAsync(id, cancellationToken)
                ?? (await lifecycle.GetOrderAsync(id, cancellationToken) is { } order ? await lifecycle.GetCertificateAsync(order.CertificateId, cancellationToken) : null);
        }

        var all = await lifecycle.ListCertificatesAsync(cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        if (IsSslId(text, out var sslId))
        {
            var bySslId = all.Where(c => c.SslId == sslId).OrderBy(c => c.Status == CertificateStatus.Active ? 0 : 1).ThenByDescending(c => c.NotAfter).FirstOrDefault();
            if (bySslId is not null)
            {
                return bySslId;
            }
        }

        if (text.Contains('.', StringComparison.Ordinal))
        {
            var named = all.Where(c => string.Equals(c.CommonName, text, StringComparison.OrdinalIgnoreCase)).ToList();
            var active = named.Where(c => c.Status == CertificateStatus.Active).ToList();
            return active.Count > 1
                ? throw CliException.Usage($"{active.Count} active certificates are named '{text}'; use the id or SCM id that `scm list` shows.")
                : active.SingleOrDefault() ?? named.OrderByDescending(c => c.NotAfter).FirstOrDefault();
        }

        return Single(all.Where(c => Matches(c.Id, text)).ToList(), text, "certificates");
    }

    public static async Task<CertificateOrder> OrderAsync(EngineSession session, string text, CancellationToken cancellationToken)
    {
        return await FindOrderAsync(session, text, cancellationToken)
            ?? throw new CliException($"No order matches '{text}'{session.InAccount} (use the order id, certificate id or SCM id that `scm {ListCommand(session)}` shows).");
    }

    /// <summary>An order by its id, or the open (else latest) order of a certificate or sslId.</summary>
    public static async Task<CertificateOrder?> FindOrderAsync(EngineSession session, string text, CancellationToken cancellationToken)
    {
        var lifecycle = session.Lifecycle;
        text = text.Trim();
        var orders = await lifecycle.ListOrdersAsync(cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        if (Guid.TryParse(text, out var id))
        {
            return orders.FirstOrDefault(o => o.Id == id) ?? Latest(orders.Where(o => o.CertificateId == id));
        }

        if (IsSslId(text, out var sslId) && Latest(orders.Where(o => o.SslId == sslId)) is { } bySslId)
        {
            return bySslId;
        }

        if (text.Contains('.', StringComparison.Ordinal))
        {
            var named = orders.Where(o => string.Equals(o.Request.CommonName, text, StringComparison.OrdinalIgnoreCase)).ToList();
            var open = named.Where(o => o.IsOpen).ToList();
            return open.Count > 1
                ? throw CliException.Usage($"{open.Count} open orders are for '{text}'; use the order id that `scm list` shows.")
                : open.SingleOrDefault() ?? Latest(named);
        }

        var byOrderId = orders.Where(o => Matches(o.Id, text)).ToList();
        if (byOrderId.Count > 0)
        {
            return Single(byOrderId, text, "orders");
        }

        var byCertificate = orders.Where(o => Matches(o.CertificateId, text)).Select(o => o.CertificateId).Distinct().ToList();
        return byCertificate.Count switch
        {
            0 => null,
            1 => Latest(orders.Where(o => o.CertificateId == byCertificate[0])),
            _ => throw CliException.Usage($"'{text}' matches several certificates; give the id's last 8 digits, as the tables show them, or the whole id."),
        };
    }

    /// <summary>The list command for the session's account, as a user would type it.</summary>
    private static string ListCommand(EngineSession session) => session.IsNamedAccount ? $"--account {session.Account} list" : "list";

    private static CertificateOrder? Latest(IEnumerable<CertificateOrder> orders) =>
        orders.OrderBy(o => o.IsOpen ? 0 : 1).ThenByDescending(o => o.CreatedAt).FirstOrDefault();

    private static bool IsSslId(string text, out long sslId)
    {
        sslId = 0;
        return text.Length > 0 && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out sslId);
    }

    private static bool Matches(Guid id, string text)
    {
        if (text.Length < 4)
        {
            return false;
        }

        var n = id.ToString("N");
        return n.StartsWith(text, StringComparison.OrdinalIgnoreCase)
            || n.EndsWith(text, StringComparison.OrdinalIgnoreCase)
            || id.ToString("D").StartsWith(text, StringComparison.OrdinalIgnoreCase);
    }

    private static T? Single<T>(List<T> matches, string text, string what)
        where T : class => matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw CliException.Usage($"'{text}' matches {matches.Count} {what}; give the id's last 8 digits, as the tables show them, or the whole id."),
        };
}
