namespace Scm.Scheduling.Quartz;

/// <summary>
/// Options of the Quartz.NET scheduling of the engine's jobs (configuration section <c>Sectigo:Quartz</c> in the
/// samples). A job whose cron expression is empty is not scheduled (it can still be triggered on demand through
/// <see cref="IQuartzLifecycleJobs"/>). Cron expressions use Quartz's format (seconds first, <c>?</c> for "no specific
/// value"), in <see cref="TimeZone"/>. Validated when <c>UseQuartzScheduling</c> is called; every message names the option.
/// </summary>
public sealed class QuartzSchedulingOptions
{
    /// <summary>The default of <see cref="CatalogSyncCron"/>: Sundays at 03:00.</summary>
    public const string DefaultCatalogSyncCron = "0 0 3 ? * SUN";

    /// <summary>The default of <see cref="StatusCheckCron"/>: every day at 02:00.</summary>
    public const string DefaultStatusCheckCron = "0 0 2 * * ?";

    /// <summary>The default of <see cref="FollowUpCron"/>: every 10 seconds.</summary>
    public const string DefaultFollowUpCron = "0/10 * * * * ?";

    /// <summary>The default of <see cref="AutoRenewalCron"/>: every day at 04:00.</summary>
    public const string DefaultAutoRenewalCron = "0 0 4 * * ?";

    /// <summary>
    /// The Npgsql connection string of the database holding Quartz's tables. Default (null or empty): the PostgreSQL
    /// store's own (<c>UsePostgreSqlStorage</c>); required when the store is another one. Its password is never logged
    /// or shown in a message; keep it out of committed files.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The PostgreSQL schema holding Quartz's tables (default <c>scm_quartz</c>), created at start when missing, apart
    /// from the store's own schema. Letters, digits and <c>_</c>, starting with a letter, at most 63 characters.
    /// </summary>
    public string Schema { get; set; } = "scm_quartz";

    /// <summary>
    /// The prefix of Quartz's table names inside <see cref="Schema"/> (default <c>qrtz_</c>). Letters, digits and
    /// <c>_</c>, starting with a letter, at most 30 characters.
    /// </summary>
    public string TablePrefix { get; set; } = "qrtz_";

    /// <summary>
    /// The scheduler's name (default <c>ScmSdk</c>). Every node of one cluster uses the same name; hosts serving
    /// different SCM accounts from one database use one name per account. 1-100 characters.
    /// </summary>
    public string SchedulerName { get; set; } = "ScmSdk";

    /// <summary>
    /// This node's id in the cluster (default <c>AUTO</c>: generated at start from the host name and the time). A fixed
    /// id must be unique among the nodes of the cluster; two live nodes with one id recover each other's jobs. 1-100 characters.
    /// </summary>
    public string InstanceId { get; set; } = "AUTO";

    /// <summary>How often this node records in the database that it is alive (default 15 s; 1 s to 10 min).</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long past a missed check-in the other nodes wait before they treat this node as dead and recover its jobs
    /// (default 20 s; 1 s to 10 min). Raise it above the longest pause a node can have (garbage collection, a virtual
    /// machine migration, a database failover), or a live node's jobs are recovered while it is still running them.
    /// </summary>
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How late a trigger may fire before its misfire policy applies (default 60 s; 1 s to 1 h).</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many jobs this node runs at once (default 4; 1-64). Each job also runs on one node at a time.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Retries after a failed run, or after a recovered run that found the job's store lease still held by the node
    /// that died (default 6; 0-100). A retry never displaces the job's next scheduled run.
    /// </summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>The wait before the first retry, doubling with each retry (default 1 min; 1 s to 1 day).</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between retries (default 10 min; at least <see cref="RetryInitialDelay"/>, at most 1 day).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The time zone the cron expressions are read in (default <c>UTC</c>): an IANA or Windows id known to this machine.
    /// Every node of a cluster uses the same.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The catalog sync (default <see cref="DefaultCatalogSyncCron"/>; empty: not scheduled). Misfire policy: fire once now.</summary>
    public string? CatalogSyncCron { get; set; } = DefaultCatalogSyncCron;

    /// <summary>The full status check of every open order (default <see cref="DefaultStatusCheckCron"/>; empty: not scheduled). Misfire policy: fire once now.</summary>
    public string? StatusCheckCron { get; set; } = DefaultStatusCheckCron;

    /// <summary>Polling of orders due for a follow-up (default <see cref="DefaultFollowUpCron"/>; empty: not scheduled). Misfire policy: skip to the next run.</summary>
    public string? FollowUpCron { get; set; } = DefaultFollowUpCron;

    /// <summary>The auto-renewal scan (default <see cref="DefaultAutoRenewalCron"/>; empty: not scheduled). Misfire policy: fire once now.</summary>
    public string? AutoRenewalCron { get; set; } = DefaultAutoRenewalCron;

    /// <summary>
    /// When a job's trigger is created for the first time and the store has no completed run of that job, run it once
    /// right away instead of waiting for its first scheduled time (default true): a new deployment syncs the catalog
    /// at once, as the in-process scheduler does.
    /// </summary>
    public bool RunNeverRunJobsAtFirstStart { get; set; } = true;

    /// <inheritdoc />
    public override string ToString() =>
        $"QuartzSchedulingOptions {{ ConnectionString = {(string.IsNullOrEmpty(ConnectionString) ? "(the store's)" : "***")}, Schema = {Schema}, TablePrefix = {TablePrefix}, " +
        $"SchedulerName = {SchedulerName}, InstanceId = {InstanceId}, ClusterCheckinInterval = {ClusterCheckinInterval}, TimeZone = {TimeZone}, " +
        $"CatalogSyncCron = {CatalogSyncCron}, StatusCheckCron = {StatusCheckCron}, FollowUpCron = {FollowUpCron}, AutoRenewalCron = {AutoRenewalCron} }}";
}
