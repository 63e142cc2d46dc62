using Scm.Lifecycle;
using Scm.Lifecycle.Scheduling;

namespace Scm.Scheduling.Quartz;

/// <summary>
/// The engine's jobs on the Quartz.NET cluster, for running one on demand. A job triggered here is stored in the
/// database and runs once, on whichever node of the cluster picks it up first (this one or another), never at the same
/// time as another run of the same job; if that node dies while running it, another node runs it again.
/// Registered by <c>UseQuartzScheduling</c>.
/// </summary>
public interface IQuartzLifecycleJobs
{
    /// <summary>
    /// Runs a job once, now, somewhere in the cluster (after a run of it that is under way has finished), for every SCM
    /// account the host serves.
    /// </summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task completed once the run is stored.</returns>
    Task TriggerAsync(LifecycleJob job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports existing SCM orders once, now, somewhere in the cluster (<see cref="ICertificateLifecycle.ImportExistingOrdersAsync"/>).
    /// A node that dies during the import leaves its checkpoint behind; the node that runs it again resumes from there
    /// when <see cref="ImportRequest.Resume"/> is set.
    /// </summary>
    /// <param name="request">What to import (default: every status that can be managed, resuming an interrupted import).</param>
    /// <param name="account">The SCM account to import (default: the host's only or <c>default</c> account).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task completed once the run is stored.</returns>
    /// <exception cref="KeyNotFoundException">The host serves no account of that name.</exception>
    Task TriggerImportAsync(ImportRequest? request = null, string? account = null, CancellationToken cancellationToken = default);

    /// <summary>When a job's cron trigger fires next, or <see langword="null"/> when it is not scheduled.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The time.</returns>
    Task<DateTimeOffset?> GetNextFireTimeAsync(LifecycleJob job, CancellationToken cancellationToken = default);
}
