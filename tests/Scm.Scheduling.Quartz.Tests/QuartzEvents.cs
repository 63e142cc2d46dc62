using System.Collections.Concurrent;
using Quartz;

namespace Scm.Scheduling.Quartz.Tests;

/// <summary>What a scheduler in the test's own process did: misfires handled and jobs completed, each awaitable (bounded).</summary>
internal sealed class QuartzEvents : IJobListener, ITriggerListener
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<IJobExecutionContext>> _completed = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _misfired = new();

    public string Name => nameof(QuartzEvents);

    /// <summary>The exception of each job's first completed run (by job name), if it failed.</summary>
    public ConcurrentDictionary<string, JobExecutionException?> Exceptions { get; } = new();

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        Exceptions.TryAdd(context.JobDetail.Key.Name, jobException);
        Completed(context.JobDetail.Key.Name).TrySetResult(context);
        return ValueTask.CompletedTask;
    }

    public ValueTask TriggerMisfired(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        Misfired(trigger.Key.Name).TrySetResult();
        return ValueTask.CompletedTask;
    }

    /// <summary>The first completed run of the job named <paramref name="job"/>.</summary>
    public async Task<IJobExecutionContext> WaitForCompletionAsync(string job, TimeSpan timeout)
    {
        try
        {
            return await Completed(job).Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"Job {job} did not complete within {timeout}.");
        }
    }

    /// <summary>Completes once the trigger named <paramref name="trigger"/> was handled as misfired.</summary>
    public async Task WaitForMisfireAsync(string trigger, TimeSpan timeout)
    {
        try
        {
            await Misfired(trigger).Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"Trigger {trigger} was not handled as misfired within {timeout}.");
        }
    }

    private TaskCompletionSource<IJobExecutionContext> Completed(string job) =>
        _completed.GetOrAdd(job, _ => new TaskCompletionSource<IJobExecutionContext>(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource Misfired(string trigger) =>
        _misfired.GetOrAdd(trigger, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
