using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;
using Scm.Storage;

namespace Scm.Samples.Web.Rendering;

/// <summary>
/// The inventory's expiry timeline, drawn on the server as SVG (no script, no inline style: the Content Security Policy
/// allows neither): one lane per certificate from NotBefore to NotAfter, coloured by how soon it expires, with today's
/// line and month ticks. Each bar has a title (hover) and links to the certificate.
/// </summary>
public static class ExpiryTimeline
{
    private const int Width = 960;
    private const int LabelWidth = 220;
    private const int LaneHeight = 18;
    private const int Top = 24;
    private const int MaxLanes = 60;

    public static IHtmlContent Render(IReadOnlyList<ManagedCertificate> certificates, DateTimeOffset now)
    {
        var shown = certificates.OrderBy(c => c.NotAfter).Take(MaxLanes).ToList();
        var height = Top + (Math.Max(shown.Count, 1) * LaneHeight) + 12;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg data-testid=\"expiry-timeline\" class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Expiry timeline of {shown.Count} certificates\">");
        if (shown.Count == 0)
        {
            svg.Append("<text x=\"10\" y=\"40\" class=\"tl-label\">No certificates yet.</text></svg>");
            return new HtmlString(svg.ToString());
        }

        // From a little before the earliest start (at most 60 days ago) to the latest expiry, today always inside.
        var start = Min(shown.Min(c => c.NotBefore), now.AddDays(-7));
        if (now - start > TimeSpan.FromDays(60))
        {
            start = now.AddDays(-60);
        }

        var end = Max(shown.Max(c => c.NotAfter), now.AddDays(30));
        var span = (end - start).TotalSeconds;
        double X(DateTimeOffset t) => LabelWidth + (Math.Clamp((t - start).TotalSeconds / span, 0, 1) * (Width - LabelWidth - 10));

        // Month ticks.
        var tick = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var step = (end - start).TotalDays > 800 ? 6 : (end - start).TotalDays > 400 ? 3 : 1;
        while (tick < end)
        {
            var position = X(tick);
            var x = Fmt(position);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" y1=\"{Top - 6}\" x2=\"{x}\" y2=\"{height - 8}\" class=\"tl-tick\"/>");
            if (position < Width - 30)
            {
                // No label that the right edge would cut.
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Top - 10}\" class=\"tl-axis\">{tick:yyyy-MM}</text>");
            }

            tick = tick.AddMonths(step);
        }

        for (var i = 0; i < shown.Count; i++)
        {
            var certificate = shown[i];
            var y = Top + (i * LaneHeight);
            var x1 = X(certificate.NotBefore);
            var x2 = Math.Max(X(certificate.NotAfter), x1 + 2);
            var days = Display.DaysLeft(certificate.NotAfter, now);
            var css = certificate.Status == CertificateStatus.Active ? "tl-" + Display.ExpiryClass(certificate.NotAfter, now) : "tl-inactive";
            var title = WebUtility.HtmlEncode($"{certificate.CommonName}: {certificate.Status}, expires {Display.Day(certificate.NotAfter)} ({(days >= 0 ? days + " days left" : "expired")})");
            var label = WebUtility.HtmlEncode(certificate.CommonName.Length > 30 ? certificate.CommonName[..29] + "…" : certificate.CommonName);
            svg.Append(CultureInfo.InvariantCulture, $"<a href=\"/certificates/{certificate.Id}\" data-certificate-id=\"{certificate.Id}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{y + 13}\" class=\"tl-label\">{label}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Fmt(x1)}\" y=\"{y + 3}\" width=\"{Fmt(x2 - x1)}\" height=\"{LaneHeight - 6}\" rx=\"3\" class=\"tl-bar {css}\"><title>{title}</title></rect>");
            svg.Append("</a>");
        }

        var nowX = Fmt(X(now));
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{nowX}\" y1=\"{Top - 6}\" x2=\"{nowX}\" y2=\"{height - 4}\" class=\"tl-now\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{nowX}\" y=\"{height - 1}\" class=\"tl-axis tl-now-label\">today</text>");
        if (certificates.Count > shown.Count)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{height - 1}\" class=\"tl-axis\">{shown.Count} of {certificates.Count} shown (soonest to expire)</text>");
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static string Fmt(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
