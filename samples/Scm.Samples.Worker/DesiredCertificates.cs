using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Storage;

namespace Scm.Samples.Worker;

/// <summary>
/// At start, orders every certificate of <c>Worker:Certificates</c> that the store does not have yet (no active
/// certificate and no open order with that common name). Everything after the order (polling, collection,
/// installation, deployment, renewal) is the engine's scheduler's work. Runs once per start: an order that failed is
/// not retried in a loop, and a restart never orders a certificate twice.
/// </summary>
/// <remarks>
/// Give the list to one instance only when several workers share a store: two instances starting at the same moment
/// could both find a name missing.
/// </remarks>
public sealed class DesiredCertificates : BackgroundService
{
    private static readonly OrderState[] s_openStates = Enum.GetValues<OrderState>().Where(OrderStates.IsOpen).ToArray();

    private readonly ICertificateLifecycle _lifecycle;
    private readonly WorkerSettings _settings;
    private readonly ILogger<DesiredCertificates> _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="lifecycle">The engine.</param>
    /// <param name="settings">The worker's settings.</param>
    /// <param name="logger">The log.</param>
    public DesiredCertificates(ICertificateLifecycle lifecycle, WorkerSettings settings, ILogger<DesiredCertificates> logger)
    {
        _lifecycle = lifecycle;
        _settings = settings;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_settings.Certificates.Count == 0)
        {
            return;
        }

        await Task.Yield();
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await foreach (var certificate in _lifecycle.ListCertificatesAsync(CertificateStatus.Active, stoppingToken))
        {
            present.Add(certificate.CommonName);
        }

        await foreach (var order in _lifecycle.ListOrdersAsync(s_openStates, stoppingToken))
        {
            present.Add(order.Request.CommonName);
        }

        int ordered = 0, already = 0, failed = 0;
        foreach (var wanted in _settings.Certificates)
        {
            if (present.Contains(wanted.CommonName))
            {
                WorkerLog.AlreadyPresent(_logger, wanted.CommonName);
                already++;
                continue;
            }

            try
            {
                // The engine generates the keystore password and returns it only here; it is never logged. Consumers get it
                // from keystore.password (Worker:Deployment:WriteKeystorePassword) or ICertificateLifecycle.GetKeystoreAsync.
                var result = await _lifecycle.OrderAsync(wanted.ToRequest(), stoppingToken);
                WorkerLog.Ordered(_logger, wanted.CommonName, result.OrderId, result.State, result.SslId);
                present.Add(wanted.CommonName);
                ordered++;
            }
            catch (CertificateRequestValidationException ex)
            {
                WorkerLog.NotOrdered(_logger, wanted.CommonName, ex.Message);
                failed++;
            }
            catch (Exception ex) when (ex is ScmRequestException or ScmStoreException or InvalidOperationException)
            {
                WorkerLog.NotOrdered(_logger, wanted.CommonName, ex.Message);
                failed++;
            }
        }

        WorkerLog.DesiredChecked(_logger, ordered, already, failed);
    }
}
