using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;
using Scm.Lifecycle;
using Scm.Lifecycle.Scheduling;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>
/// Puts the engine's jobs and their cron triggers into the clustered job store once per process (at host start, or on
/// the first on-demand trigger), and triggers jobs on demand. A trigger whose cron expression, time zone and misfire
/// policy are unchanged is left exactly as stored, so its next fire time and a pending misfire survive a restart of any
/// node; a changed one is replaced; one whose cron expression was emptied is removed.
/// </summary>
internal sealed class QuartzLifecycleJobs : IQuartzLifecycleJobs
{
    private readonly IServiceProvider _services;
    private readonly QuartzSchedulingOptions _options;
    private readonly TimeZoneInfo _timeZone;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IScheduler? _scheduler;

    public QuartzLifecycleJobs(IServiceProvider services, QuartzSchedulingOptions options, ILogger<QuartzLifecycleJobs> logger)
    {
        _services = services;
        _options = options;
        _timeZone = QuartzOptionsValidator.ResolveTimeZone(options.TimeZone) ?? TimeZoneInfo.Utc;
        _logger = logger;
    }

    public async Task TriggerAsync(LifecycleJob job, CancellationToken cancellationToken = default)
    {
        if (!JobDefinitions.ScheduledJobs.Contains(job))
        {
            throw new ArgumentOutOfRangeException(nameof(job), job, $"{job} is not one of the engine's jobs ({string.Join(", ", JobDefinitions.ScheduledJobs)}).");
        }

        var scheduler = await EnsureAsync(cancellationToken).ConfigureAwait(false);
        await scheduler.TriggerJob(JobDefinitions.JobKeyFor(job), cancellationToken).ConfigureAwait(false);
        Log.Triggered(_logger, job.ToString());
    }

    public async Task TriggerImportAsync(ImportRequest? request = null, string? account = null, CancellationToken cancellationToken = default)
    {
        if (account is not null)
        {
            // Refused here, before the run is stored, rather than failing on a node later.
            _ = _services.GetRequiredService<ICertificateLifecycleProvider>().GetJobRunner(account);
        }

        var data = ImportQuartzJob.ToJobData(request ?? new ImportRequest(), account);
        var scheduler = await EnsureAsync(cancellationToken).ConfigureAwait(false);
        await scheduler.TriggerJob(JobDefinitions.ImportJobKey, data, cancellationToken).ConfigureAwait(false);
        Log.Triggered(_logger, JobDefinitions.ImportJobKey.Name);
    }

    public async Task<DateTimeOffset?> GetNextFireTimeAsync(LifecycleJob job, CancellationToken cancellationToken = default)
    {
        var scheduler = await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var trigger = await scheduler.GetTrigger(JobDefinitions.TriggerKeyFor(job), cancellationToken).ConfigureAwait(false);
        return trigger?.NextFireTimeUtc;
    }

    /// <summary>The scheduler, with the jobs and triggers in place (done once per process).</summary>
    public async Task<IScheduler> EnsureAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _scheduler) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_scheduler is not null)
            {
                return _scheduler;
            }

            // Fails with the options error when there is no database to use, before Quartz wraps it in its own.
            QuartzDatabase.ResolveConnectionString(_services, _options);
            var scheduler = _services.GetRequiredKeyedService<IScheduler>(_options.SchedulerName);
            await PutJobsAsync(scheduler, cancellationToken).ConfigureAwait(false);
            Log.Ready(_logger, scheduler.SchedulerName, scheduler.SchedulerInstanceId, QuartzDatabase.QualifiedPrefix(_options));
            Volatile.Write(ref _scheduler, scheduler);
            return scheduler;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task PutJobsAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        await PutJobAsync(scheduler, JobBuilder.Create<ImportQuartzJob>()
            .WithIdentity(JobDefinitions.ImportJobKey)
            .WithDescription(JobDefinitions.ImportDescription)
            .StoreDurably()
            .RequestRecovery()
            .Build(), cancellationToken).ConfigureAwait(false);

        foreach (var job in JobDefinitions.ScheduledJobs)
        {
            var detail = JobBuilder.Create<LifecycleQuartzJob>()
                .WithIdentity(JobDefinitions.JobKeyFor(job))
                .WithDescription(JobDefinitions.Description(job))
                .StoreDurably()
                .RequestRecovery()
                .Build();
            await PutJobAsync(scheduler, detail, cancellationToken).ConfigureAwait(false);
            await PutTriggerAsync(scheduler, job, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stores a job unless the same definition is stored already.</summary>
    private static async Task PutJobAsync(IScheduler scheduler, IJobDetail detail, CancellationToken cancellationToken)
    {
        IJobDetail? stored;
        try
        {
            stored = await scheduler.GetJobDetail(detail.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (JobPersistenceException)
        {
            // Stored by a version whose job type no longer loads: replaced below.
            stored = null;
        }

        if (stored is not null && stored.JobType.Equals(detail.JobType) && stored.Durable == detail.Durable
            && stored.RequestsRecovery == detail.RequestsRecovery && stored.Description == detail.Description
            && stored.ConcurrentExecutionDisallowed == detail.ConcurrentExecutionDisallowed)
        {
            return;
        }

        await scheduler.AddJob(detail, new AddJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
    }

    private async Task PutTriggerAsync(IScheduler scheduler, LifecycleJob job, CancellationToken cancellationToken)
    {
        var key = JobDefinitions.TriggerKeyFor(job);
        var cron = JobDefinitions.CronOf(_options, job)?.Trim();
        var stored = await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(cron))
        {
            if (stored is not null && await scheduler.UnscheduleJob(key, cancellationToken).ConfigureAwait(false))
            {
                Log.TriggerRemoved(_logger, job.ToString());
            }

            return;
        }

        var misfire = JobDefinitions.MisfirePolicy(job);
        var wanted = new CronExpression(cron).CronExpressionString;
        if (stored is ICronTrigger current && current.JobKey.Equals(JobDefinitions.JobKeyFor(job))
            && current.CronExpressionString == wanted && current.TimeZone.Id == _timeZone.Id && current.MisfireInstructionCode == (int)misfire)
        {
            return;
        }

        var trigger = TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(JobDefinitions.JobKeyFor(job))
            .WithDescription(JobDefinitions.Description(job))
            .WithCronSchedule(cron, b => b.InTimeZone(_timeZone).WithMisfireInstruction(misfire))
            .Build();
        if (stored is null)
        {
            // Several nodes starting at once: exactly one stores it; the others keep what it stored.
            var result = await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, cancellationToken).ConfigureAwait(false);
            if (result.Outcome != ScheduleOutcome.Created)
            {
                return;
            }

            Log.TriggerCreated(_logger, job.ToString(), wanted, _timeZone.Id, result.NextFireTimeUtc);
            if (_options.RunNeverRunJobsAtFirstStart && job != LifecycleJob.FollowUp && await NeverRanAsync(job, cancellationToken).ConfigureAwait(false))
            {
                await scheduler.TriggerJob(JobDefinitions.JobKeyFor(job), cancellationToken).ConfigureAwait(false);
                Log.FirstRun(_logger, job.ToString());
            }

            return;
        }

        var next = await scheduler.RescheduleJob(key, trigger, cancellationToken).ConfigureAwait(false);
        Log.TriggerReplaced(_logger, job.ToString(), wanted, _timeZone.Id, (stored as ICronTrigger)?.CronExpressionString, next);
    }

    /// <summary>Whether an account the host serves has never completed the job.</summary>
    private async Task<bool> NeverRanAsync(LifecycleJob job, CancellationToken cancellationToken)
    {
        var accounts = _services.GetRequiredService<ICertificateLifecycleProvider>();
        foreach (var account in accounts.Accounts)
        {
            if (await accounts.GetJobRunner(account).GetLastRunAsync(job, cancellationToken).ConfigureAwait(false) is null)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Puts the jobs in place when the host starts (before Quartz's hosted service starts the scheduler).</summary>
internal sealed class QuartzJobSetup : Microsoft.Extensions.Hosting.IHostedService
{
    private readonly QuartzLifecycleJobs _jobs;

    public QuartzJobSetup(QuartzLifecycleJobs jobs) => _jobs = jobs;

    public Task StartAsync(CancellationToken cancellationToken) => _jobs.EnsureAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
