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

    private readonly ICertificateLifecycleProvider _accounts;
    private readonly WorkerSettings _settings;
    private readonly ILogger<DesiredCertificates> _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="accounts">The engine of each SCM account the worker serves.</param>
    /// <param name="settings">The worker's settings.</param>
    /// <param name="logger">The log.</param>
    public DesiredCertificates(ICertificateLifecycleProvider accounts, WorkerSettings settings, ILogger<DesiredCertificates> logger)
    {
        _accounts = accounts;
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
        int ordered = 0, already = 0, failed = 0;
        foreach (var group in _settings.Certificates.GroupBy(c => string.IsNullOrWhiteSpace(c.Account) ? null : c.Account, StringComparer.Ordinal))
        {
            // Each certificate is ordered in its account (Worker:Certificates:N:Account), checked against that account's records only.
            if (!TryResolve(group.Key, out var account, out var lifecycle, out var problem))
            {
                foreach (var wanted in group)
                {
                    WorkerLog.NotOrdered(_logger, wanted.CommonName, problem);
                    failed++;
                }

                continue;
            }

            var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            await foreach (var certificate in lifecycle.ListCertificatesAsync(CertificateStatus.Active, stoppingToken))
            {
                present.Add(certificate.CommonName);
            }

            await foreach (var order in lifecycle.ListOrdersAsync(s_openStates, stoppingToken))
            {
                present.Add(order.Request.CommonName);
            }

            foreach (var wanted in group)
            {
                if (present.Contains(wanted.CommonName))
                {
                    WorkerLog.AlreadyPresent(_logger, wanted.CommonName, account);
                    already++;
                    continue;
                }

                try
                {
                    // The engine generates the keystore password and returns it only here; it is never logged. Consumers get it
                    // from keystore.password (Worker:Deployment:WriteKeystorePassword) or ICertificateLifecycle.GetKeystoreAsync.
                    var result = await lifecycle.OrderAsync(wanted.ToRequest(), stoppingToken);
                    WorkerLog.Ordered(_logger, wanted.CommonName, account, result.OrderId, result.State, result.SslId);
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
        }

        WorkerLog.DesiredChecked(_logger, ordered, already, failed);
    }

    /// <summary>The account a certificate names, or the host's only account, or the account named <c>default</c>.</summary>
    private bool TryResolve(string? name, out string account, out ICertificateLifecycle lifecycle, out string problem)
    {
        var served = _accounts.Accounts;
        account = name ?? (served.Count == 1 ? served.First() : "default");
        problem = string.Empty;
        if (_accounts.TryGet(account, out var found))
        {
            lifecycle = found;
            return true;
        }

        lifecycle = null!;
        problem = name is null
            ? $"Worker:Certificates: the worker serves several SCM accounts ({string.Join(", ", served)}); set the certificate's Account."
            : $"Worker:Certificates: the SCM account '{name}' is not configured; the worker serves: {string.Join(", ", served)}.";
        return false;
    }
}
