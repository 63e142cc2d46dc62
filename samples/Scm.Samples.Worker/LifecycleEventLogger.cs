using Microsoft.Extensions.Logging;
using Scm.Lifecycle;

namespace Scm.Samples.Worker;

/// <summary>
/// Writes the engine's lifecycle events to the log. A real host would page someone on <see cref="OrderStuckEvent"/>,
/// reload a web server on <see cref="CertificateDeploymentEvent"/>, and so on. Exceptions thrown here are logged by the
/// engine and never affect it.
/// </summary>
public sealed class LifecycleEventLogger : ILifecycleEventHandler
{
    private readonly ILogger<LifecycleEventLogger> _logger;

    /// <summary>Creates the handler.</summary>
    /// <param name="logger">Where the events go.</param>
    public LifecycleEventLogger(ILogger<LifecycleEventLogger> logger) => _logger = logger;

    /// <inheritdoc />
    public ValueTask HandleAsync(LifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
    {
        switch (lifecycleEvent)
        {
            case CertificateIssuedEvent e:
                WorkerLog.CertificateIssued(_logger, e.Certificate.CommonName, e.SslId, e.Certificate.SerialNumber, e.Certificate.NotAfter, e.Kind);
                break;
            case OrderFailedEvent e:
                WorkerLog.OrderFailed(_logger, e.CommonName, e.State, e.SslId, e.ScmErrorCode, e.Reason);
                break;
            case CertificateParkedEvent e:
                WorkerLog.CertificateParked(_logger, e.CommonName, e.Reason);
                break;
            case OrderStuckEvent e:
                WorkerLog.OrderStuck(_logger, e.CommonName, e.SslId, e.Reason);
                break;
            case CertificateDeploymentEvent { Succeeded: true } e:
                WorkerLog.Deployed(_logger, e.CommonName, e.Target, e.Detail);
                break;
            case CertificateDeploymentEvent e:
                WorkerLog.DeploymentFailed(_logger, e.CommonName, e.Target, e.Detail);
                break;
            case CredentialsRefusedEvent e:
                WorkerLog.CredentialsRefused(_logger, e.Reason);
                break;
            case CredentialsRestoredEvent:
                WorkerLog.CredentialsRestored(_logger);
                break;
            case DuplicateOrderDetectedEvent e:
                WorkerLog.DuplicateOrders(_logger, e.CommonName, e.SslId, string.Join(", ", e.DuplicateSslIds));
                break;
            case CancelledOrderIssuedEvent e:
                WorkerLog.CancelledOrderIssued(_logger, e.SslId, e.CommonName);
                break;
        }

        return ValueTask.CompletedTask;
    }
}
