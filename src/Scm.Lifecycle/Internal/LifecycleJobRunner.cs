using System.Globalization;
using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.Scheduling;

namespace Scm.Lifecycle.Internal;

/// <summary>Runs jobs under a store lease and records their last completion.</summary>
internal sealed class LifecycleJobRunner : ILifecycleJobRunner
{
    private readonly CertificateLifecycle _lifecycle;

    public LifecycleJobRunner(CertificateLifecycle lifecycle) => _lifecycle = lifecycle;

    private EngineContext Ctx => _lifecycle.Context;

    public async Task<JobRunResult> RunAsync(LifecycleJob job, CancellationToken cancellationToken = default)
    {
        await _lifecycle.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (job == LifecycleJob.FollowUp)
        {
            // Per-order leases already keep instances apart; no job lease, so every instance helps.
            var scan = await _lifecycle.ScanAsync(dueOnly: true, CertificateLifecycle.SchedulerActor, cancellationToken).ConfigureAwait(false);
            return new JobRunResult(job, true, Summarize(scan));
        }

        var lease = await CertificateLease.TryAcquireAsync(Ctx.Store, Ctx.Locks, LeaseName(job), Ctx.InstanceName,
            Ctx.Options.Scheduling.JobLeaseDuration, Ctx.Time, wait: false, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            Log.JobBusy(Ctx.Logger, job.ToString());
            return new JobRunResult(job, false, "Another instance is running this job.");
        }

        await using var leaseScope = lease.ConfigureAwait(false);

        Log.JobStarted(Ctx.Logger, job.ToString());
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("Job " + job);
        string summary;
        try
        {
            switch (job)
            {
                case LifecycleJob.CatalogSync:
                    var sync = await _lifecycle.SyncCatalogAsync(cancellationToken).ConfigureAwait(false);
                    summary = $"{sync.Catalog.Organizations.Count} organizations, {sync.Catalog.Domains.Count} domains, {sync.Catalog.Profiles.Count} profiles.";
                    break;
                case LifecycleJob.StatusCheck:
                    var scan = await _lifecycle.ScanAsync(dueOnly: false, CertificateLifecycle.SchedulerActor, cancellationToken).ConfigureAwait(false);
                    await _lifecycle.RefreshGaugesAsync(cancellationToken).ConfigureAwait(false);
                    summary = Summarize(scan);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(job), job, "Unknown job.");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Ctx.Telemetry.JobRuns.Add(1, new KeyValuePair<string, object?>("job", job.ToString()), new KeyValuePair<string, object?>("outcome", "failed"));
            Log.JobFailed(Ctx.Logger, job.ToString(), ex);
            throw;
        }

        await Ctx.Store.SetValueAsync(LastRunKey(job), Ctx.Now.ToString("O", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        Ctx.Telemetry.JobRuns.Add(1, new KeyValuePair<string, object?>("job", job.ToString()), new KeyValuePair<string, object?>("outcome", "succeeded"));
        Log.JobFinished(Ctx.Logger, job.ToString(), summary);
        return new JobRunResult(job, true, summary);
    }

    public async Task<DateTimeOffset?> GetLastRunAsync(LifecycleJob job, CancellationToken cancellationToken = default)
    {
        await _lifecycle.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var value = await Ctx.Store.GetValueAsync(LastRunKey(job), cancellationToken).ConfigureAwait(false);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
    }

    private string LeaseName(LifecycleJob job) => "job:" + job + ":" + Ctx.Options.AccountId;

    private string LastRunKey(LifecycleJob job) => "schedule:" + Ctx.Options.AccountId + ":" + job + ":last";

    private static string Summarize(StatusScanResult scan) =>
        $"{scan.Checked} orders checked, {scan.Installed} installed, {scan.Failed} failed, {scan.StillPending} still pending.";
}
