using Scm.Client.Internal;
using Scm.Client.Internal.Wire;

namespace Scm.Client;

/// <summary>Reports (<c>/report/v1</c>). Reached through <see cref="ScmClient.Reports"/>.</summary>
public sealed class ReportsClient
{
    private readonly ScmTransport _transport;

    internal ReportsClient(ScmTransport transport) => _transport = transport;

    /// <summary>Runs the SSL certificates report (<c>POST /report/v1/ssl-certificates?output_type=buffered</c>). A read, but a POST: not retried.</summary>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    public Task<IReadOnlyList<SslReportEntry>> GetSslCertificatesAsync(SslReportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Guard.Length(request.CommonName, 0, 256, "request.CommonName", required: false);
        if (request.CommonName is { } cn && cn.IndexOfAny(['<', '>', '\\']) >= 0)
        {
            throw new ArgumentException("request.CommonName may not contain '<', '>' or '\\'.", nameof(request));
        }

        Guard.ExternalRequester(request.ExternalRequester, "request.ExternalRequester");
        if (request.From is { } from && request.To is { } to && from > to)
        {
            throw new ArgumentException("request.From must not be later than request.To.", nameof(request));
        }

        var wire = new SslReportRequestWire
        {
            From = request.From,
            To = request.To,
            OrganizationIds = request.OrganizationIds,
            CommonName = request.CommonName,
            ExternalRequester = request.ExternalRequester,
            CertificateStatus = (int?)request.CertificateStatus,
            CertificateDateAttribute = (int?)request.DateAttribute,
            CertificateRequestSource = request.RequestSource,
            SerialNumberFormat = request.SerialNumberFormat,
            IncludeIpAddresses = request.IncludeIpAddresses,
        };
        return _transport.SendAsync(ScmOperations.ReportSsl, ScmOperations.ReportSsl.Format(null) + "?output_type=buffered", ScmTransport.JsonBody(wire, ScmJsonContext.Default.SslReportRequestWire), 0, static async (r, _, ct) =>
        {
            var body = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.SslReportResponseWire, ct).ConfigureAwait(false);
            return body.Reports ?? (IReadOnlyList<SslReportEntry>)[];
        }, cancellationToken);
    }
}
