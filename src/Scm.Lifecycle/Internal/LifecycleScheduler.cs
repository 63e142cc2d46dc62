using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scm.Lifecycle.Internal.Accounts;
using Scm.Lifecycle.Scheduling;

namespace Scm.Lifecycle.Internal;

/// <summary>
/// The default in-process scheduler: a hosted service driven by <see cref="TimeProvider"/>. Each account has a loop of
/// its own (so a large account's long scan never holds back a small one's, and one account's outage never delays
/// another's work): it runs the catalog sync, the full status check and the auto-renewal scan when their interval has
/// passed since the last completion recorded in the account's store partition (so a restart does not re-run them), and
/// follow-up polling every <see cref="SchedulingOptions.FollowUpInterval"/>. Accounts added, changed or removed while
/// the host runs get their loop started, restarted or stopped. At most <see cref="SchedulingOptions.MaxConcurrentAccounts"/>
/// accounts run their syncs, checks and scans at once (host-wide); follow-up polling is not capped.
/// </summary>
internal sealed class LifecycleScheduler : BackgroundService
{
    private readonly AccountEngines _engines;
    private readonly IServiceProvider _services;
    private readonly SectigoCertificateManagementOptions _host;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<string, (CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _fatal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _accountSlots;
    private CancellationToken _stopping;

    public LifecycleScheduler(AccountEngines engines, IServiceProvider services, IOptions<SectigoCertificateManagementOptions> options, TimeProvider time, ILogger<LifecycleScheduler> logger)
    {
        _engines = engines;
        _services = services;
        _host = options.Value;
        _time = time;
        _accountSlots = new SemaphoreSlim(Math.Max(1, _host.Scheduling.MaxConcurrentAccounts));
        _ = logger; // each account's loop logs through its engine's logger (which carries the account)
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (!_host.Scheduling.Enabled)
        {
            // Off for the whole host (jobs run by the host itself, or by another scheduler such as Quartz.NET).
            return;
        }

        _engines.Changed += OnAccountsChanged;
        try
        {
            foreach (var engine in _engines.Engines)
            {
                Start(engine);
            }

            // Runs until the host stops, or a loop fails in a way that must stop the host (a missing key-encryption key).
            await _fatal.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _engines.Changed -= OnAccountsChanged;
            Task[] loops;
            lock (_gate)
            {
                foreach (var (stop, _) in _loops.Values)
                {
                    stop.Cancel();
                }

                loops = _loops.Values.Select(l => l.Loop).ToArray();
                _loops.Clear();
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
        }
    }

    private void OnAccountsChanged(object? sender, ScmAccountsChangedEventArgs e)
    {
        StopLoop(e.Account);
        if (e.Change != ScmAccountChange.Removed && !_stopping.IsCancellationRequested)
        {
            try
            {
                Start(_engines.Require(e.Account));
            }
            catch (KeyNotFoundException)
            {
                // Removed again meanwhile.
            }
        }
    }

    private void Start(AccountEngine engine)
    {
        if (!engine.Options.Scheduling.Enabled)
        {
            return;
        }

        lock (_gate)
        {
            if (_stopping.IsCancellationRequested || _loops.ContainsKey(engine.Name))
            {
                return;
            }

            var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            _loops[engine.Name] = (stop, Task.Run(() => LoopAsync(engine, stop.Token), CancellationToken.None));
        }
    }

    private void StopLoop(string account)
    {
        lock (_gate)
        {
            if (_loops.Remove(account, out var loop))
            {
                loop.Stop.Cancel();
            }
        }
    }

    /// <summary>One account's loop: the jobs that are due, then follow-up, every follow-up interval.</summary>
    private async Task LoopAsync(AccountEngine engine, CancellationToken stoppingToken)
    {
        var scheduling = engine.Options.Scheduling;
        var failures = new Dictionary<LifecycleJob, (int Failures, DateTimeOffset NotBefore)>();
        // A single-account host runs through the registered ILifecycleJobRunner (a host may register its own).
        var runner = engine.IsLegacy ? _services.GetRequiredService<ILifecycleJobRunner>() : engine.Runner;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = new List<(LifecycleJob Job, TimeSpan Interval)>(3);
                foreach (var (job, interval) in new[]
                {
                    (LifecycleJob.CatalogSync, scheduling.CatalogSyncInterval),
                    (LifecycleJob.StatusCheck, scheduling.StatusCheckInterval),
                    (LifecycleJob.AutoRenewal, scheduling.AutoRenewalInterval),
                })
                {
                    if (await IsDueAsync(runner, failures, job, interval, stoppingToken).ConfigureAwait(false))
                    {
                        due.Add((job, interval));
                    }
                }

                if (due.Count > 0)
                {
                    // The bulk jobs take one of the host's account slots; an account that waits here still polls its
                    // follow-ups below once a slot frees (those are not capped).
                    using var slot = await AccountSlot.AcquireAsync(_accountSlots, stoppingToken).ConfigureAwait(false);
                    AccountSlot.Current = slot;
                    try
                    {
                        foreach (var (job, interval) in due)
                        {
                            await RunJobAsync(runner, failures, job, interval, stoppingToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        AccountSlot.Current = null;
                    }
                }

                await runner.RunAsync(LifecycleJob.FollowUp, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Scm.Storage.KeyEncryptionKeyMissingException ex)
            {
                // F52: the store needs a key the ring lacks. Nothing runs (and no key is made) until it is back: stop
                // the scheduler, and with it the host, rather than retry every tick.
                Log.KeyRingRefused(engine.Lifecycle.Context.Logger, ex.Message);
                _fatal.TrySetException(ex);
                return;
            }
            catch (Exception ex)
            {
                Log.SchedulerLoopFailed(engine.Lifecycle.Context.Logger, ex);
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

    private async Task<bool> IsDueAsync(ILifecycleJobRunner runner, Dictionary<LifecycleJob, (int Failures, DateTimeOffset NotBefore)> failures, LifecycleJob job, TimeSpan interval, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (failures.TryGetValue(job, out var failed) && failed.NotBefore > now)
        {
            return false;
        }

        var last = await runner.GetLastRunAsync(job, cancellationToken).ConfigureAwait(false);
        return last is null || now - last >= interval;
    }

    private async Task RunJobAsync(ILifecycleJobRunner runner, Dictionary<LifecycleJob, (int Failures, DateTimeOffset NotBefore)> failures, LifecycleJob job, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            await runner.RunAsync(job, cancellationToken).ConfigureAwait(false);
            failures.Remove(job);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or Scm.Storage.KeyEncryptionKeyMissingException))
        {
            // Logged by the runner. Back off (1 min doubling, at most the job's interval) instead of retrying every tick.
            var count = (failures.TryGetValue(job, out var failed) ? failed.Failures : 0) + 1;
            var delay = TimeSpan.FromMinutes(Math.Min(Math.Pow(2, count - 1), interval.TotalMinutes));
            failures[job] = (count, _time.GetUtcNow() + delay);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _accountSlots.Dispose();
    }
}
