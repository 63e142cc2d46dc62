using System.Globalization;
using Npgsql;
using Quartz;
using Scm.Lifecycle;

namespace Scm.Scheduling.Quartz.Worker;

/// <summary>
/// Writes every job firing of this process to the test's record table (a row when it starts, completed when it ends)
/// and announces it on standard output. The rows of all processes together let the test count firings per trigger and
/// scheduled time; a process killed mid-job leaves its row uncompleted.
/// </summary>
internal sealed class FireRecorder : IJobListener, ISchedulerListener
{
    private readonly WorkerSettings _settings;
    private readonly NpgsqlDataSource _db;

    public FireRecorder(WorkerSettings settings)
    {
        _settings = settings;
        _db = NpgsqlDataSource.Create(settings.ConnectionString!);
    }

    public string Name => nameof(FireRecorder);

    public async ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var scheduled = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        await using (var command = _db.CreateCommand(
            $"INSERT INTO {_settings.RecordTable} (fire_id, job, trigger_key, scheduled, recovering, retry, instance) VALUES (@f, @j, @t, @s, @r, @a, @i)"))
        {
            command.Parameters.AddWithValue("f", context.FireInstanceId);
            command.Parameters.AddWithValue("j", context.JobDetail.Key.Name);
            command.Parameters.AddWithValue("t", context.Trigger.Key.ToString());
            command.Parameters.AddWithValue("s", scheduled.UtcTicks);
            command.Parameters.AddWithValue("r", context.Recovering);
            command.Parameters.AddWithValue("a", context.RetryAttempt);
            command.Parameters.AddWithValue("i", context.Scheduler.SchedulerInstanceId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        Output.Line(string.Create(CultureInfo.InvariantCulture,
            $"FIRE job={context.JobDetail.Key.Name} trigger={context.Trigger.Key} scheduled={scheduled.UtcTicks} recovering={context.Recovering} retry={context.RetryAttempt} instance={context.Scheduler.SchedulerInstanceId}"));
    }

    public async ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        bool? ran = context.Result switch
        {
            Scm.Lifecycle.Scheduling.JobRunResult result => result.Ran,
            ImportResult => true,
            _ => null,
        };
        await using (var command = _db.CreateCommand($"UPDATE {_settings.RecordTable} SET done = true, ran = @ran, error = @e WHERE fire_id = @f"))
        {
            command.Parameters.AddWithValue("f", context.FireInstanceId);
            command.Parameters.AddWithValue("ran", (object?)ran ?? DBNull.Value);
            command.Parameters.AddWithValue("e", (object?)jobException?.Message ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }

        var scheduled = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        Output.Line(string.Create(CultureInfo.InvariantCulture,
            $"DONE job={context.JobDetail.Key.Name} trigger={context.Trigger.Key} scheduled={scheduled.UtcTicks} ran={(ran is null ? "?" : ran.Value ? "True" : "False")} error={(jobException is null ? "-" : jobException.Message.ReplaceLineEndings(" "))} instance={context.Scheduler.SchedulerInstanceId}"));
    }

    public ValueTask SchedulerStarted(IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        Output.Line("READY instance=" + scheduler.SchedulerInstanceId);
        return ValueTask.CompletedTask;
    }
}
