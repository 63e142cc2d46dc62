using System.Globalization;
using Microsoft.Extensions.Logging;
using Quartz;
using Scm.Lifecycle;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>
/// The on-demand import (<see cref="ICertificateLifecycle.ImportExistingOrdersAsync"/>, which takes the import's store
/// lease and checkpoints every page). Its request travels as strings in the trigger's job data.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ImportQuartzJob : IJob
{
    public const string StatusesKey = "statuses";
    public const string ResumeKey = "resume";
    public const string IncludeExpiredKey = "includeExpired";
    public const string AccountKey = "account";

    private readonly ICertificateLifecycleProvider _accounts;
    private readonly ILogger _logger;

    public ImportQuartzJob(ICertificateLifecycleProvider accounts, ILogger<ImportQuartzJob> logger)
    {
        _accounts = accounts;
        _logger = logger;
    }

    public static JobDataMap ToJobData(ImportRequest request, string? account = null)
    {
        foreach (var status in request.Statuses)
        {
            if (string.IsNullOrWhiteSpace(status) || status.Contains(',', StringComparison.Ordinal))
            {
                throw new ArgumentException($"ImportRequest.Statuses must hold non-empty statuses without ','; got '{status}'.", nameof(request));
            }
        }

        var data = new JobDataMap
        {
            [StatusesKey] = string.Join(',', request.Statuses),
            [ResumeKey] = request.Resume ? "true" : "false",
            [IncludeExpiredKey] = request.IncludeExpired ? "true" : "false",
        };
        if (account is not null)
        {
            data[AccountKey] = account;
        }

        return data;
    }

    public static ImportRequest FromJobData(JobDataMap data)
    {
        var statuses = data.TryGetValue(StatusesKey, out var s) && s is string text && text.Length > 0 ? text.Split(',') : [];
        return new ImportRequest
        {
            Statuses = statuses,
            Resume = !data.TryGetValue(ResumeKey, out var r) || !string.Equals(r as string, "false", StringComparison.OrdinalIgnoreCase),
            IncludeExpired = data.TryGetValue(IncludeExpiredKey, out var e) && string.Equals(e as string, "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var request = FromJobData(context.MergedJobDataMap);
        Log.JobFiring(_logger, "Import", context.ScheduledFireTimeUtc, context.Recovering, context.RetryAttempt);

        // Failures (SCM unreachable, another import still holding the import lease) fail the run, and the retry policy
        // runs it again; with Resume it continues from the last stored page.
        var account = context.MergedJobDataMap.TryGetValue(AccountKey, out var named) && named is string name ? name
            : _accounts.Accounts.Count == 1 ? _accounts.Accounts.First() : "default";
        var result = await _accounts.Get(account).ImportExistingOrdersAsync(request, progress: null, cancellationToken).ConfigureAwait(false);
        context.Result = result;
        var p = result.Progress;
        Log.JobCompleted(_logger, "Import", true, string.Create(CultureInfo.InvariantCulture,
            $"{p.Processed} orders looked at, {p.Imported} imported, {p.AlreadyKnown} already known, {p.Skipped} skipped, {p.Failed} failed{(result.Resumed ? " (resumed)" : string.Empty)}."));
    }
}
