using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scm.Lifecycle.Scheduling;

namespace Scm.Lifecycle.Internal;

/// <summary>
/// The default in-process scheduler: a hosted service driven by <see cref="TimeProvider"/>. It runs the catalog sync
/// and the full status check when their interval has passed since the last completion recorded in the store (so a
/// restart does not re-run them), and follow-up polling every <see cref="SchedulingOptions.FollowUpInterval"/>.
/// </summary>
internal sealed class LifecycleScheduler : BackgroundService
{
    private readonly ILifecycleJobRunner _runner;
    private readonly SectigoCertificateManagementOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<LifecycleJob, (int Failures, DateTimeOffset NotBefore)> _failures = [];

    public LifecycleScheduler(ILifecycleJobRunner runner, IOptions<SectigoCertificateManagementOptions> options, TimeProvider time, ILogger<LifecycleScheduler> logger)
    {
        _runner = runner;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Scheduling.Enabled)
        {
            return;
        }

        var scheduling = _options.Scheduling;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunIfDueAsync(LifecycleJob.CatalogSync, scheduling.CatalogSyncInterval, stoppingToken).ConfigureAwait(false);
                await RunIfDueAsync(LifecycleJob.StatusCheck, scheduling.StatusCheckInterval, stoppingToken).ConfigureAwait(false);
                await RunIfDueAsync(LifecycleJob.AutoRenewal, scheduling.AutoRenewalInterval, stoppingToken).ConfigureAwait(false);
                await _runner.RunAsync(LifecycleJob.FollowUp, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Scm.Storage.KeyEncryptionKeyMissingException ex)
            {
                // F52: the store needs a key the ring lacks. Nothing runs (and no key is made) until it is back: stop
                // the scheduler, and with it the host, rather than retry every tick.
                Log.KeyRingRefused(_logger, ex.Message);
                throw;
            }
            catch (Exception ex)
            {
                Log.SchedulerLoopFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(scheduling.FollowUpInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RunIfDueAsync(LifecycleJob job, TimeSpan interval, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_failures.TryGetValue(job, out var failed) && failed.NotBefore > now)
        {
            return;
        }

        var last = await _runner.GetLastRunAsync(job, cancellationToken).ConfigureAwait(false);
        if (last is null || now - last >= interval)
        {
            try
            {
                await _runner.RunAsync(job, cancellationToken).ConfigureAwait(false);
                _failures.Remove(job);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or Scm.Storage.KeyEncryptionKeyMissingException))
            {
                // Logged by the runner. Back off (1 min doubling, at most the job's interval) instead of retrying every tick.
                var failures = failed.Failures + 1;
                var delay = TimeSpan.FromMinutes(Math.Min(Math.Pow(2, failures - 1), interval.TotalMinutes));
                _failures[job] = (failures, now + delay);
            }
        }
    }
}
