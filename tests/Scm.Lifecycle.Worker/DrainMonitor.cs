using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scm.Storage;

namespace Scm.Lifecycle.Worker;

/// <summary>
/// Drain mode: lets the scheduler finish every open order (reconcile what was interrupted, collect and install what
/// was issued) and exits 0 once the store has no open order in two checks in a row; exit 3 with the leftovers listed
/// when that takes longer than <see cref="WorkerSettings.DrainTimeout"/>.
/// </summary>
internal sealed class DrainMonitor : BackgroundService
{
    private readonly IScmStore _store;
    private readonly WorkerSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;

    public DrainMonitor(IScmStore store, WorkerSettings settings, TimeProvider time, ILogger<DrainMonitor> logger, IHostApplicationLifetime lifetime)
    {
        _store = store;
        _settings = settings;
        _time = time;
        _logger = logger;
        _lifetime = lifetime;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var deadline = _time.GetUtcNow() + _settings.DrainTimeout;
        var emptyChecks = 0;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
                var open = await _store.ListOpenOrdersAsync(null, 10_000, stoppingToken);
                emptyChecks = open.Count == 0 ? emptyChecks + 1 : 0;
                if (emptyChecks >= 2)
                {
                    WorkerLog.Drained(_logger);
                    Environment.ExitCode = 0;
                    break;
                }

                if (_time.GetUtcNow() > deadline)
                {
                    foreach (var order in open)
                    {
                        WorkerLog.StillOpen(_logger, order.Id, order.Request.CommonName, order.Kind.ToString(), order.State.ToString(), order.SslId, order.LastError);
                    }

                    WorkerLog.DrainTimedOut(_logger, open.Count, _settings.DrainTimeout);
                    Environment.ExitCode = 3;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        _lifetime.StopApplication();
    }
}
