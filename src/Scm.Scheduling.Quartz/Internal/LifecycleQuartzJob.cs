using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;
using Scm.Lifecycle;
using Scm.Lifecycle.Scheduling;
using JobRunResult = Scm.Lifecycle.Scheduling.JobRunResult;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>
/// One of the engine's scheduled jobs (which one: the job key's name), run for every SCM account the host serves through
/// its <see cref="ILifecycleJobRunner"/> (which also takes the account's job lease), at most four accounts at a time so a
/// large account does not hold the others back. Never two runs of one job at once, in the whole cluster. A run that a
/// dead node left behind is run again by another node (the job requests recovery); if that run finds an account's job
/// lease still held by the dead node it fails, so the retry policy runs it again once the lease has expired.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class LifecycleQuartzJob : IJob
{
    private readonly ICertificateLifecycleProvider _accounts;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;

    /// <param name="accounts">The accounts the host serves.</param>
    /// <param name="services">The host's services: a host with one account runs through its registered <see cref="ILifecycleJobRunner"/> (a host may register its own).</param>
    /// <param name="logger">The logger.</param>
    public LifecycleQuartzJob(ICertificateLifecycleProvider accounts, IServiceProvider services, ILogger<LifecycleQuartzJob> logger)
    {
        _accounts = accounts;
        _services = services;
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
        var accounts = _accounts.Accounts;
        var results = new List<JobRunResult>();
        var failures = new List<(string Account, Exception Error)>();
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (account, ct) =>
        {
            try
            {
                var runner = accounts.Count == 1 ? _services.GetRequiredService<ILifecycleJobRunner>() : _accounts.GetJobRunner(account);
                var run = await runner.RunAsync(job, ct).ConfigureAwait(false);
                lock (results)
                {
                    results.Add(accounts.Count == 1 ? run : run with { Summary = $"[{account}] {run.Summary}" });
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && accounts.Count > 1)
            {
                // One account's failure (SCM down, credentials refused) must not stop the others' runs.
                lock (results)
                {
                    failures.Add((account, ex));
                }
            }
        }).ConfigureAwait(false);

        if (failures.Count > 0)
        {
            // The other accounts have completed; failing the run lets the retry policy come back for the failed ones
            // (runs of the engine's jobs are idempotent, so the accounts that completed only repeat a cheap check).
            throw new JobExecutionException(
                $"{job} failed for the account(s) {string.Join(", ", failures.Select(f => f.Account))}: {failures[0].Error.Message}",
                failures.Count == 1 ? failures[0].Error : new AggregateException(failures.Select(f => f.Error)));
        }

        var result = accounts.Count == 0 ? new JobRunResult(job, false, "No SCM account is served.")
            : results.Count == 1 ? results[0]
            : new JobRunResult(job, results.All(r => r.Ran), string.Join(" ", results.Select(r => r.Summary)));
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
