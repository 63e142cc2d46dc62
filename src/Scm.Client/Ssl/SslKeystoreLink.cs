namespace Scm.Client;

/// <summary>
/// A one-time link to download a key or keystore that SCM's Private Key Agent generated (after
/// <see cref="SslCertificatesClient.EnrollWithKeyGenerationAsync"/>), from <see cref="SslCertificatesClient.GetKeystoreLinkAsync"/>.
/// </summary>
/// <remarks>
/// The link carries a download token: whoever holds it can fetch the private key once. Fetch it with a plain HTTP client,
/// never with SCM credentials (it may point at another host), and do not log it: <see cref="ToString"/> never shows it.
/// </remarks>
public sealed class SslKeystoreLink
{
    /// <summary>Creates a link.</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="format">The requested format.</param>
    /// <param name="link">The link as SCM returned it.</param>
    public SslKeystoreLink(long sslId, SslKeystoreFormat format, string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        SslId = sslId;
        Format = format;
        Link = link;
    }

    /// <summary>The certificate id.</summary>
    public long SslId { get; }

    /// <summary>The requested format.</summary>
    public SslKeystoreFormat Format { get; }

    /// <summary>The download link as SCM returned it (a secret: it carries a one-time token; SCM's own example is not a well-formed URI).</summary>
    public string Link { get; }

    /// <summary>The link as an absolute URI, or <see langword="null"/> when SCM's text is not one.</summary>
    public Uri? Uri => System.Uri.TryCreate(Link, UriKind.Absolute, out var uri) && (uri.Scheme == System.Uri.UriSchemeHttps || uri.Scheme == System.Uri.UriSchemeHttp) ? uri : null;

    /// <summary>Describes the link without the link itself.</summary>
    /// <returns>For example <c>SslKeystoreLink { SslId = 42, Format = p12, Link = *** }</c>.</returns>
    public override string ToString() => "SslKeystoreLink { SslId = " + SslId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", Format = " + Format + ", Link = *** }";
}
