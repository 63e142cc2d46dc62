using System.Globalization;
using Scm.Lifecycle.Internal.Engine;
using Scm.Lifecycle.Scheduling;

namespace Scm.Lifecycle.Internal;

/// <summary>Runs jobs under a store lease and records their last completion.</summary>
internal sealed class LifecycleJobRunner : ILifecycleJobRunner
{
    private readonly CertificateLifecycle _lifecycle;
    private bool _reportedOpen;

    public LifecycleJobRunner(CertificateLifecycle lifecycle) => _lifecycle = lifecycle;

    private EngineContext Ctx => _lifecycle.Context;

    public async Task<JobRunResult> RunAsync(LifecycleJob job, CancellationToken cancellationToken = default)
    {
        await _lifecycle.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (await CredentialsPausedAsync(cancellationToken).ConfigureAwait(false) is { } paused)
        {
            return new JobRunResult(job, false, paused);
        }

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
                    var issuedAnyway = await _lifecycle.Operations.WatchCancelledAsync(CertificateLifecycle.SchedulerActor, cancellationToken).ConfigureAwait(false);
                    await _lifecycle.RefreshGaugesAsync(cancellationToken).ConfigureAwait(false);
                    summary = Summarize(scan) + (issuedAnyway > 0 ? $" {issuedAnyway} cancelled orders were issued anyway (reported)." : string.Empty);
                    break;
                case LifecycleJob.AutoRenewal:
                    var renewal = await _lifecycle.AutoRenewal.RunAsync(CertificateLifecycle.SchedulerActor, cancellationToken).ConfigureAwait(false);
                    summary = renewal.Policy.Enabled
                        ? $"{renewal.Decisions.Count} decisions ({string.Join(", ", renewal.Decisions.GroupBy(d => d.Decision).Select(g => $"{g.Count()} {g.Key}"))}), {renewal.NotYetDue} not yet due."
                        : "Auto-renewal is disabled.";
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

    /// <summary>
    /// While SCM refuses the credentials (seen by this or another instance), scheduled work pauses; one probe runs per
    /// probe interval and closes the circuit when the credentials work again. Returns why work is paused, or null.
    /// </summary>
    private async Task<string?> CredentialsPausedAsync(CancellationToken cancellationToken)
    {
        var circuit = Ctx.AuthCircuit;
        var key = Ctx.AuthCircuitKey;
        var shared = await Ctx.Store.GetValueAsync(key, cancellationToken).ConfigureAwait(false);
        if (shared is not null && !circuit.IsOpen)
        {
            circuit.Open(Ctx.Now, shared);
        }

        if (!circuit.IsOpen)
        {
            _reportedOpen = false;
            return null;
        }

        if (!_reportedOpen)
        {
            _reportedOpen = true;
            Log.CredentialsRefused(Ctx.Logger, Ctx.Options.Credentials.ProbeInterval);
            if (shared is null)
            {
                await Ctx.Store.SetValueAsync(key, circuit.Reason ?? "SCM refused the credentials.", cancellationToken).ConfigureAwait(false);
                await Ctx.Store.AppendAuditAsync(Ctx.Audit(CertificateLifecycle.SchedulerActor, "Credentials", "Refused", "Failed",
                    $"SCM refused the credentials ({circuit.Reason}); scheduled SCM work is paused and probed every {Ctx.Options.Credentials.ProbeInterval}."), cancellationToken).ConfigureAwait(false);
            }

            await Ctx.Events.RaiseAsync(this, new CredentialsRefusedEvent { Timestamp = Ctx.Now, Reason = circuit.Reason ?? "401" }, cancellationToken).ConfigureAwait(false);
        }

        if (!circuit.TryBeginProbe(Ctx.Now, Ctx.Options.Credentials.ProbeInterval))
        {
            return $"Paused: SCM refused the credentials; the next probe is due within {Ctx.Options.Credentials.ProbeInterval}.";
        }

        // Credentials changed in configuration since SCM refused them are what the probe should try.
        Ctx.CredentialReloader?.Reload("before the credential probe");
        try
        {
            var password = await Ctx.RawGateway.GetPasswordStateAsync(cancellationToken).ConfigureAwait(false);
            if (string.Equals(password.State, "EXPIRED", StringComparison.OrdinalIgnoreCase))
            {
                // SCM answers the password-state call even for an expired password (so it can be checked); every other
                // call still gets 401. Closing the circuit here would resume work only to fail again at each probe.
                return "Paused: the credential probe reports the SCM password as EXPIRED; change it in SCM and update the credentials.";
            }
        }
        catch (Engine.ScmCallException ex)
        {
            return $"Paused: the credential probe failed ({ex.Message}).";
        }

        circuit.Close();
        _reportedOpen = false;
        await Ctx.Store.SetValueAsync(key, null, cancellationToken).ConfigureAwait(false);
        await Ctx.Store.AppendAuditAsync(Ctx.Audit(CertificateLifecycle.SchedulerActor, "Credentials", "Restored", "Succeeded", "SCM accepts the credentials again; scheduled work resumed."), cancellationToken).ConfigureAwait(false);
        Log.CredentialsRestored(Ctx.Logger);
        await Ctx.Events.RaiseAsync(this, new CredentialsRestoredEvent { Timestamp = Ctx.Now }, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private string LeaseName(LifecycleJob job) => "job:" + job + ":" + Ctx.Options.AccountId;

    private string LastRunKey(LifecycleJob job) => "schedule:" + Ctx.Options.AccountId + ":" + job + ":last";

    private static string Summarize(StatusScanResult scan) =>
        $"{scan.Checked} orders checked, {scan.Installed} installed, {scan.Failed} failed, {scan.StillPending} still pending.";
}
