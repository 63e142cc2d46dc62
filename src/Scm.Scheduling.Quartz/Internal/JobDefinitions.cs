using Quartz;
using Scm.Lifecycle.Scheduling;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>
/// The engine's jobs as Quartz jobs: their keys, cron expressions and misfire policies. The keys are stored in the
/// database and shared by every node, so they never change.
/// </summary>
internal static class JobDefinitions
{
    /// <summary>The group of every job and trigger this package stores.</summary>
    public const string Group = "scm";

    /// <summary>The on-demand import job.</summary>
    public static readonly JobKey ImportJobKey = new("Import", Group);

    /// <summary>The jobs with a cron trigger.</summary>
    public static readonly LifecycleJob[] ScheduledJobs = [LifecycleJob.CatalogSync, LifecycleJob.StatusCheck, LifecycleJob.FollowUp, LifecycleJob.AutoRenewal];

    public static JobKey JobKeyFor(LifecycleJob job) => new(job.ToString(), Group);

    public static TriggerKey TriggerKeyFor(LifecycleJob job) => new(job + ".cron", Group);

    /// <summary>The option holding a job's cron expression (named in validation messages).</summary>
    public static string CronOptionName(LifecycleJob job) => $"{nameof(QuartzSchedulingOptions)}.{job}Cron";

    public static string? CronOf(QuartzSchedulingOptions options, LifecycleJob job) => job switch
    {
        LifecycleJob.CatalogSync => options.CatalogSyncCron,
        LifecycleJob.StatusCheck => options.StatusCheckCron,
        LifecycleJob.FollowUp => options.FollowUpCron,
        LifecycleJob.AutoRenewal => options.AutoRenewalCron,
        _ => throw new ArgumentOutOfRangeException(nameof(job), job, "Not a scheduled job."),
    };

    /// <summary>
    /// What a job does after downtime or a busy cluster made it miss its time (docs/scheduling.md gives the reasons).
    /// Follow-up polling runs every few seconds and each run does all that is due, so missed runs are skipped and the
    /// next one does their work. The daily and weekly jobs run once as soon as possible: waiting a day (or a week) after
    /// an outage would leave issued certificates uncollected, renewals late and the catalog stale.
    /// </summary>
    public static CronTriggerMisfireInstruction MisfirePolicy(LifecycleJob job) =>
        job == LifecycleJob.FollowUp ? CronTriggerMisfireInstruction.DoNothing : CronTriggerMisfireInstruction.FireAndProceed;

    public static string Description(LifecycleJob job) => job switch
    {
        LifecycleJob.CatalogSync => "Scm.Sdk: pull organizations, domains, profiles and custom fields from SCM.",
        LifecycleJob.StatusCheck => "Scm.Sdk: check every open order with SCM.",
        LifecycleJob.FollowUp => "Scm.Sdk: poll the orders due for a follow-up.",
        LifecycleJob.AutoRenewal => "Scm.Sdk: the auto-renewal scan.",
        _ => "Scm.Sdk: " + job,
    };

    public const string ImportDescription = "Scm.Sdk: import existing SCM orders (on demand).";
}
