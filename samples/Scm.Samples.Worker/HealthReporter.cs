using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scm.Samples.Worker;

/// <summary>
/// Exposes the health checks the simple way: runs them every <see cref="WorkerSettings.HealthReportInterval"/> and
/// logs the result (Information when healthy, Warning when degraded, Error when unhealthy). A web host would map
/// them to <c>/healthz</c> instead.
/// </summary>
public sealed class HealthReporter : BackgroundService
{
    private readonly HealthCheckService _health;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<HealthReporter> _logger;

    /// <summary>Creates the reporter.</summary>
    /// <param name="health">The registered health checks.</param>
    /// <param name="time">The clock.</param>
    /// <param name="settings">The worker's settings.</param>
    /// <param name="logger">Where reports go.</param>
    public HealthReporter(HealthCheckService health, TimeProvider time, WorkerSettings settings, ILogger<HealthReporter> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _health = health;
        _time = time;
        _interval = settings.HealthReportInterval;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_interval, _time, stoppingToken);
                await ReportAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var report = await _health.CheckHealthAsync(cancellationToken);
        foreach (var (name, entry) in report.Entries)
        {
            var data = string.Join(", ", entry.Data.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Key}={d.Value}")));
            var status = $"{name} {entry.Status}";
            switch (entry.Status)
            {
                case HealthStatus.Healthy:
                    WorkerLog.HealthHealthy(_logger, status, entry.Description, data);
                    break;
                case HealthStatus.Degraded:
                    WorkerLog.HealthDegraded(_logger, status, entry.Description, data);
                    break;
                default:
                    WorkerLog.HealthUnhealthy(_logger, status, entry.Description ?? entry.Exception?.Message, data);
                    break;
            }
        }
    }
}
