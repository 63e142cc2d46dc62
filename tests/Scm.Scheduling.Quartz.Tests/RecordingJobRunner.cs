using System.Collections.Concurrent;
using Scm.Lifecycle.Scheduling;

namespace Scm.Scheduling.Quartz.Tests;

/// <summary>
/// An <see cref="ILifecycleJobRunner"/> that records every call and completes at once, so a test can see which jobs a
/// scheduler ran (and wait for one, bounded) without an SCM behind it.
/// </summary>
internal sealed class RecordingJobRunner : ILifecycleJobRunner
{
    private readonly ConcurrentQueue<LifecycleJob> _runs = new();
    private readonly ConcurrentDictionary<LifecycleJob, TaskCompletionSource> _firstRun = new();

    public IReadOnlyList<LifecycleJob> Runs => [.. _runs];

    public int LastRunQueries { get; private set; }

    public Task<JobRunResult> RunAsync(LifecycleJob job, CancellationToken cancellationToken = default)
    {
        _runs.Enqueue(job);
        Signal(job).TrySetResult();
        return Task.FromResult(new JobRunResult(job, true, "recorded"));
    }

    public Task<DateTimeOffset?> GetLastRunAsync(LifecycleJob job, CancellationToken cancellationToken = default)
    {
        LastRunQueries++;
        return Task.FromResult<DateTimeOffset?>(null);
    }

    /// <summary>Completes when <paramref name="job"/> has run once; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForRunAsync(LifecycleJob job, TimeSpan timeout)
    {
        try
        {
            await Signal(job).Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{job} did not run within {timeout}; runs so far: {string.Join(", ", Runs)}.");
        }
    }

    private TaskCompletionSource Signal(LifecycleJob job) =>
        _firstRun.GetOrAdd(job, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
