namespace Scm.Lifecycle.Scheduling;

/// <summary>The engine's scheduled jobs.</summary>
public enum LifecycleJob
{
    /// <summary>Pull organizations, domains, profiles and custom fields (weekly by default).</summary>
    CatalogSync = 0,

    /// <summary>Check every open order with SCM (daily by default).</summary>
    StatusCheck = 1,

    /// <summary>Poll orders due for a follow-up (every 10 s by default: 10 s doubling to 5 min for fresh orders).</summary>
    FollowUp = 2,

    /// <summary>The auto-renewal scan (daily by default).</summary>
    AutoRenewal = 3,
}

/// <summary>The outcome of one job run.</summary>
/// <param name="Job">The job.</param>
/// <param name="Ran">Whether it ran (false when another instance holds its lease).</param>
/// <param name="Summary">What it did.</param>
public sealed record JobRunResult(LifecycleJob Job, bool Ran, string Summary);

/// <summary>
/// Runs the engine's jobs. The hosted scheduler calls it on its intervals; hosts may call it on demand. Each job
/// runs under a store lease, so among several hosts sharing a store only one runs it at a time.
/// </summary>
public interface ILifecycleJobRunner
{
    /// <summary>Runs a job now (if no other instance is running it).</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What happened.</returns>
    Task<JobRunResult> RunAsync(LifecycleJob job, CancellationToken cancellationToken = default);

    /// <summary>When a job last completed (from the store), or <see langword="null"/>.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The time.</returns>
    Task<DateTimeOffset?> GetLastRunAsync(LifecycleJob job, CancellationToken cancellationToken = default);
}
