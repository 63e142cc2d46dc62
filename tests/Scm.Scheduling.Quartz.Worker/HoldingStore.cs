using Npgsql;
using Scm.Storage;

namespace Scm.Scheduling.Quartz.Worker;

/// <summary>
/// The store, except that the first process of the test to acquire <see cref="WorkerSettings.HoldLease"/> (claimed
/// once, in <see cref="WorkerSettings.HoldTable"/>) keeps the lease and never returns: its job is running, holding the
/// job's lease, when the test kills the process. Every later acquisition (another process's recovery) goes through.
/// </summary>
internal sealed class HoldingStore : DelegatingScmStore
{
    private readonly WorkerSettings _settings;

    public HoldingStore(IScmStore inner, WorkerSettings settings)
        : base(inner) => _settings = settings;

    public override async Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var lease = await base.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);
        if (lease is null || name != _settings.HoldLease || !await ClaimAsync(name, cancellationToken))
        {
            return lease;
        }

        Output.Line($"HOLD lease={name} owner={owner}");
        await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        return lease;
    }

    private async Task<bool> ClaimAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_settings.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"INSERT INTO {_settings.HoldTable} (name, pid) VALUES (@n, @p) ON CONFLICT DO NOTHING", connection);
        command.Parameters.AddWithValue("n", name);
        command.Parameters.AddWithValue("p", Environment.ProcessId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
