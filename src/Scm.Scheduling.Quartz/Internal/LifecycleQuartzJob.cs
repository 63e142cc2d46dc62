using Microsoft.Extensions.Logging;
using Quartz;
using Scm.Lifecycle.Scheduling;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>
/// One of the engine's scheduled jobs (which one: the job key's name), run through <see cref="ILifecycleJobRunner"/>
/// (which also takes the job's store lease). Never two runs of one job at once, in the whole cluster. A run that a
/// dead node left behind is run again by another node (the job requests recovery); if that run finds the job's lease
/// still held by the dead node it fails, so the retry policy runs it again once the lease has expired.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class LifecycleQuartzJob : IJob
{
    private readonly ILifecycleJobRunner _runner;
    private readonly ILogger _logger;

    public LifecycleQuartzJob(ILifecycleJobRunner runner, ILogger<LifecycleQuartzJob> logger)
    {
        _runner = runner;
        _logger = logger;
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var key = context.JobDetail.Key;
        if (!Enum.TryParse<LifecycleJob>(key.Name, ignoreCase: false, out var job) || !Enum.IsDefined(job))
        {
            throw new JobExecutionException($"The job '{key}' is not one of the engine's jobs.") { UnscheduleAllTriggers = true };
        }

        var again = context.Recovering || context.RetryAttempt > 0;
        Log.JobFiring(_logger, job.ToString(), context.ScheduledFireTimeUtc, context.Recovering, context.RetryAttempt);
        var result = await _runner.RunAsync(job, cancellationToken).ConfigureAwait(false);
        context.Result = result;
        if (!result.Ran && again)
        {
            // A recovered (or retried) run exists because a run did not complete; "another instance holds the lease" here
            // usually means the dead node's lease has not expired yet. Failing lets the retry policy come back later.
            Log.RecoveredJobNotRun(_logger, job.ToString(), result.Summary);
            throw new JobExecutionException($"{job} did not run: {result.Summary} It is retried under the retry policy.");
        }

        Log.JobCompleted(_logger, job.ToString(), result.Ran, result.Summary);
    }
}
