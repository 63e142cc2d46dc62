using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Quartz;

namespace Scm.Scheduling.Quartz.Internal;

/// <summary>Validates <see cref="QuartzSchedulingOptions"/>; every message names the option and the rule.</summary>
internal static partial class QuartzOptionsValidator
{
    private const string P = nameof(QuartzSchedulingOptions) + ".";

    public static void ThrowIfInvalid(QuartzSchedulingOptions options)
    {
        var errors = Collect(options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(QuartzSchedulingOptions), typeof(QuartzSchedulingOptions), errors);
        }
    }

    public static List<string> Collect(QuartzSchedulingOptions o)
    {
        var e = new List<string>();
        if (o.Schema is null || !Identifier().IsMatch(o.Schema) || o.Schema.Length > 63)
        {
            e.Add($"{P}Schema must be 1-63 letters, digits or '_', starting with a letter; got '{o.Schema}'.");
        }

        if (o.TablePrefix is null || !Identifier().IsMatch(o.TablePrefix) || o.TablePrefix.Length > 30)
        {
            e.Add($"{P}TablePrefix must be 1-30 letters, digits or '_', starting with a letter; got '{o.TablePrefix}'.");
        }

        if (string.IsNullOrWhiteSpace(o.SchedulerName) || o.SchedulerName.Length > 100)
        {
            e.Add($"{P}SchedulerName must be 1-100 characters.");
        }

        if (string.IsNullOrWhiteSpace(o.InstanceId) || o.InstanceId.Length > 100)
        {
            e.Add($"{P}InstanceId must be 'AUTO' or 1-100 characters unique in the cluster.");
        }

        Between(e, "ClusterCheckinInterval", o.ClusterCheckinInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Between(e, "ClusterCheckinMisfireThreshold", o.ClusterCheckinMisfireThreshold, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Between(e, "MisfireThreshold", o.MisfireThreshold, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Between(e, "RetryInitialDelay", o.RetryInitialDelay, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Between(e, "RetryMaxDelay", o.RetryMaxDelay, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        if (o.RetryMaxDelay < o.RetryInitialDelay)
        {
            e.Add($"{P}RetryMaxDelay ({o.RetryMaxDelay}) must not be less than RetryInitialDelay ({o.RetryInitialDelay}).");
        }

        if (o.MaxConcurrency is < 1 or > 64)
        {
            e.Add($"{P}MaxConcurrency must be 1-64; got {o.MaxConcurrency}.");
        }

        if (o.MaxRetries is < 0 or > 100)
        {
            e.Add($"{P}MaxRetries must be 0-100; got {o.MaxRetries}.");
        }

        var zone = ResolveTimeZone(o.TimeZone);
        if (zone is null)
        {
            e.Add($"{P}TimeZone '{o.TimeZone}' is not a time zone id known to this machine (for example UTC or Europe/Berlin).");
        }

        foreach (var job in JobDefinitions.ScheduledJobs)
        {
            var cron = JobDefinitions.CronOf(o, job);
            if (!string.IsNullOrWhiteSpace(cron) && CronError(cron) is { } error)
            {
                e.Add($"{JobDefinitions.CronOptionName(job)} '{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year], e.g. '0 0 2 * * ?'): {error}");
            }
        }

        return e;
    }

    public static TimeZoneInfo? ResolveTimeZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
    }

    /// <summary>Quartz's own parser decides; its message says what is wrong.</summary>
    private static string? CronError(string cron)
    {
        try
        {
            _ = new CronExpression(cron);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private static void Between(List<string> e, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            e.Add($"{P}{name} must be {min:c} to {max:c}; got {value:c}.");
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
