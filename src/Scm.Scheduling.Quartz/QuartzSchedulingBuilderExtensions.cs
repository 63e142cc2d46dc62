using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Quartz;
using Scm.Lifecycle;
using Scm.Scheduling.Quartz;
using Scm.Scheduling.Quartz.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs the engine's jobs on Quartz.NET instead of the in-process scheduler.</summary>
public static class QuartzSchedulingBuilderExtensions
{
    /// <summary>
    /// Runs the engine's jobs (catalog sync, status check, follow-up polling, auto-renewal, and the import on demand) as
    /// Quartz.NET jobs with cron triggers, on a clustered ADO.NET job store in PostgreSQL: by default the PostgreSQL
    /// store's database (<c>UsePostgreSqlStorage</c>), in a schema of Quartz's own whose tables are created at start
    /// when missing. Every host calling this with the same database and scheduler name is one cluster: each trigger
    /// fires on one node, a job never runs twice at once, and a job whose node died is run again by another.
    /// Turns the in-process scheduler off (<see cref="Scm.Lifecycle.SchedulingOptions.Enabled"/> of <see cref="SectigoCertificateManagementOptions.Scheduling"/> is forced to false), registers
    /// <see cref="IQuartzLifecycleJobs"/>, and adds Quartz's hosted service, which starts the scheduler with the host.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options (cron expressions, connection string, tables, cluster).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid (the message names it).</exception>
    /// <exception cref="InvalidOperationException">Called twice on one service collection.</exception>
    public static ISectigoCertificateManagementBuilder UseQuartzScheduling(this ISectigoCertificateManagementBuilder builder, Action<QuartzSchedulingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new QuartzSchedulingOptions();
        configure?.Invoke(options);
        return Register(builder, options);
    }

    /// <summary>
    /// As <see cref="UseQuartzScheduling(ISectigoCertificateManagementBuilder, Action{QuartzSchedulingOptions}?)"/>, with
    /// the options bound from a configuration section (for example <c>Sectigo:Quartz</c>: <c>StatusCheckCron</c>,
    /// <c>ConnectionString</c>, <c>Schema</c>, <c>TablePrefix</c>, <c>InstanceId</c>, <c>ClusterCheckinInterval</c>, ...).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="configure">Optional changes applied after binding.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid (the message names it).</exception>
    /// <exception cref="InvalidOperationException">Called twice on one service collection.</exception>
    public static ISectigoCertificateManagementBuilder UseQuartzScheduling(this ISectigoCertificateManagementBuilder builder, IConfiguration configuration, Action<QuartzSchedulingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new QuartzSchedulingOptions();
        configuration.Bind(options);
        configure?.Invoke(options);
        return Register(builder, options);
    }

    private static ISectigoCertificateManagementBuilder Register(ISectigoCertificateManagementBuilder builder, QuartzSchedulingOptions options)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(QuartzSchedulingOptions)))
        {
            throw new InvalidOperationException("UseQuartzScheduling was already called on this service collection; configure everything in one call.");
        }

        QuartzOptionsValidator.ThrowIfInvalid(options);
        services.AddSingleton(options);

        // One scheduler runs the jobs: the in-process one stays off whatever the Sectigo:Scheduling section says.
        services.PostConfigure<SectigoCertificateManagementOptions>(o => o.Scheduling.Enabled = false);

        var dataSourceKey = QuartzDatabase.DataSourceKey(options);
        services.AddKeyedSingleton<DbDataSource>(dataSourceKey, (sp, _) => QuartzDatabase.Create(sp, options));
        services.AddQuartz(options.SchedulerName, q =>
        {
            q.ConfigureScheduler(s =>
            {
                if (string.Equals(options.InstanceId, "AUTO", StringComparison.OrdinalIgnoreCase))
                {
                    s.GenerateInstanceId = true;
                }
                else
                {
                    s.InstanceId = options.InstanceId;
                }

                s.DefaultTimeZone = QuartzOptionsValidator.ResolveTimeZone(options.TimeZone);
            });
            q.UseDefaultThreadPool(options.MaxConcurrency);
            q.UseDefaultRetryPolicy(options.MaxRetries == 0
                ? RetryPolicy.None
                : RetryPolicy.Exponential(options.MaxRetries, options.RetryInitialDelay, 2, options.RetryMaxDelay));
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(d => d.DataSourceServiceKey = dataSourceKey);
                store.UseClustering(c =>
                {
                    c.CheckinInterval = options.ClusterCheckinInterval;
                    c.CheckinMisfireThreshold = options.ClusterCheckinMisfireThreshold;
                });

                // Quartz creates whatever of its tables is missing (its own embedded PostgreSQL script), never alters or drops.
                store.ProvisionSchema();
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = QuartzDatabase.QualifiedPrefix(options);
                    s.StoreJobDataAsStrings = true;
                    s.MisfireThreshold = options.MisfireThreshold;
                });
            });
        });
        services.AddQuartzHostedService(options.SchedulerName, o => o.WaitForJobsToComplete = true);
        services.AddQuartzHostedService();

        services.TryAddSingleton<QuartzLifecycleJobs>();
        services.TryAddSingleton<IQuartzLifecycleJobs>(sp => sp.GetRequiredService<QuartzLifecycleJobs>());

        // First of the hosted services: the jobs are in place (and a missing database is reported as the options
        // error it is) before anything else starts, Quartz's hosted service included whenever it was added.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, QuartzJobSetup>());
        return builder;
    }
}
