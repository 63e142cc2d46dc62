using Microsoft.Extensions.Logging;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>The Quartz integration's log messages (event ids 5000+). Never a connection string or another secret.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "Quartz scheduling of the engine's jobs: scheduler {SchedulerName}, node {InstanceId}, tables {TablePrefix}* (clustered).")]
    public static partial void Ready(ILogger logger, string schedulerName, string instanceId, string tablePrefix);

    [LoggerMessage(5001, LogLevel.Information, "Job {Job} scheduled with cron '{Cron}' ({TimeZone}); next run {NextFireTime:O}.")]
    public static partial void TriggerCreated(ILogger logger, string job, string cron, string timeZone, DateTimeOffset? nextFireTime);

    [LoggerMessage(5002, LogLevel.Information, "Job {Job} rescheduled: cron '{Cron}' ({TimeZone}) replaces '{PreviousCron}'; next run {NextFireTime:O}.")]
    public static partial void TriggerReplaced(ILogger logger, string job, string cron, string timeZone, string? previousCron, DateTimeOffset? nextFireTime);

    [LoggerMessage(5003, LogLevel.Information, "Job {Job} is no longer scheduled (its cron expression is empty).")]
    public static partial void TriggerRemoved(ILogger logger, string job);

    [LoggerMessage(5004, LogLevel.Information, "Job {Job} has never run: it runs once now.")]
    public static partial void FirstRun(ILogger logger, string job);

    [LoggerMessage(5005, LogLevel.Debug, "Job {Job} starting (scheduled {ScheduledFireTime:O}, recovering {Recovering}, retry {RetryAttempt}).")]
    public static partial void JobFiring(ILogger logger, string job, DateTimeOffset? scheduledFireTime, bool recovering, int retryAttempt);

    [LoggerMessage(5006, LogLevel.Debug, "Job {Job} finished (ran {Ran}): {Summary}")]
    public static partial void JobCompleted(ILogger logger, string job, bool ran, string summary);

    [LoggerMessage(5007, LogLevel.Warning, "Recovered job {Job} did not run: {Summary} It is retried.")]
    public static partial void RecoveredJobNotRun(ILogger logger, string job, string summary);

    [LoggerMessage(5008, LogLevel.Information, "Job {Job} triggered on demand.")]
    public static partial void Triggered(ILogger logger, string job);
}
