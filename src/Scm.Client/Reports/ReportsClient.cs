using System.Globalization;
using Scm.Client.Internal;
using Scm.Client.Internal.Wire;

namespace Scm.Client;

/// <summary>Reports (<c>/report/v1</c>). Reached through <see cref="ScmClient.Reports"/>.</summary>
public sealed class ReportsClient
{
    private readonly ScmTransport _transport;

    internal ReportsClient(ScmTransport transport) => _transport = transport;

    /// <summary>Runs the SSL certificates report (<c>POST /report/v1/ssl-certificates?output_type=buffered</c>). A read, but a POST: not retried.</summary>
    /// <param name="request">The query; codes are sent as numbers (REST API 25.5) or strings (Admin API 25.9) per <see cref="ScmClientOptions.ApiVersion"/>, dates as <c>yyyy-MM-dd</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows; empty only when SCM found none.</returns>
    /// <exception cref="ScmRequestException">SCM refused the query, or answered with a non-zero <c>statusCode</c> (carried as <see cref="ScmRequestException.ScmErrorCode"/>, with SCM's message).</exception>
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

        if (request.OrganizationIds is { } orgs)
        {
            foreach (var org in orgs)
            {
                Guard.Positive(org, "request.OrganizationIds[]");
            }
        }

        var api = _transport.Options.ApiVersion;
        var wire = new SslReportRequestWire
        {
            From = request.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            To = request.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            OrganizationIds = request.OrganizationIds,
            CommonName = request.CommonName,
            ExternalRequester = request.ExternalRequester,
            CertificateStatus = Code(api, ScmVocabulary.ReportCertificateStatus, (int?)request.CertificateStatus, "request.CertificateStatus"),
            CertificateDateAttribute = Code(api, ScmVocabulary.ReportDateAttribute, (int?)request.DateAttribute, "request.DateAttribute"),
            CertificateRequestSource = Code(api, ScmVocabulary.ReportRequestSource, (int?)request.RequestSource, "request.RequestSource"),
            SerialNumberFormat = request.SerialNumberFormat,
            IncludeIpAddresses = request.IncludeIpAddresses,
        };
        return _transport.SendAsync(ScmOperations.ReportSsl, ScmOperations.ReportSsl.Format(null) + "?output_type=buffered", ScmTransport.JsonBody(wire, ScmJsonContext.Default.SslReportRequestWire), 0, static async (r, _, ct) =>
        {
            var body = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.SslReportResponseWire, ct).ConfigureAwait(false);
            if (body.StatusCode is { } status and not 0)
            {
                // SCM answered 200 but the report did not run: an empty list here would read as "no certificates".
                var why = r.Transport.Sanitize(body.Message);
                throw new ScmRequestException(r.Status, status, "The report failed with statusCode " + status.ToString(CultureInfo.InvariantCulture)
                    + (why is null ? " (no message)" : ": " + why), r.Operation.Method, r.Uri.AbsolutePath);
            }

            return body.Reports ?? (IReadOnlyList<SslReportEntry>)[];
        }, cancellationToken);
    }

    private static ScmWireCode? Code(ScmApiVersion version, ScmTerm[] terms, int? value, string field) =>
        value is { } v ? new ScmWireCode(int.Parse(ScmVocabulary.Wire(version, terms, v, field), CultureInfo.InvariantCulture), version == ScmApiVersion.Admin25_9) : null;
}
