namespace Scm.Scheduling.Quartz.Worker;

/// <summary>The worker's own settings (section <c>Worker</c>).</summary>
public sealed class WorkerSettings
{
    public string? ConnectionString { get; set; }

    public string? StoreSchema { get; set; }

    public string? RecordTable { get; set; }

    public string? HoldLease { get; set; }

    public string? HoldTable { get; set; }
}
