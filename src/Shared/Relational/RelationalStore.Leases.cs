using System.Globalization;

using static Scm.Storage.StoreArguments;

namespace Scm.Storage.Relational;

/// <summary>The relational store's leases: acquired, renewed, checked and released with fencing tokens, each in one statement or transaction.</summary>
internal sealed partial class RelationalStore
{
    public async Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ValidateName(name, nameof(name));
        ValidateName(owner, nameof(owner));
        ValidateDuration(duration, nameof(duration));

        // One statement, atomic in every dialect: a free, released or expired lease goes to the caller with a fencing
        // token above every earlier one (the row is never deleted); the holder re-acquiring extends it and keeps its token;
        // a lease another owner holds is left alone (no row comes back).
        var lease = await ExecuteAsync("lease", cancellationToken, async session =>
        {
            var now = _time.GetUtcNow();
            var command = session.Command("""
                INSERT INTO leases(account_id, name, owner, fencing_token, expires_at) VALUES(@account, @n, @o, 1, @e)
                ON CONFLICT(account_id, name) DO UPDATE SET
                    fencing_token = CASE WHEN leases.owner = excluded.owner AND leases.expires_at > @now THEN leases.fencing_token ELSE leases.fencing_token + 1 END,
                    owner = excluded.owner,
                    expires_at = excluded.expires_at
                WHERE leases.owner IS NULL OR leases.expires_at <= @now OR leases.owner = excluded.owner
                RETURNING fencing_token;
                """);
            Add(command, "@account", Account);
            Add(command, "@n", name);
            Add(command, "@o", owner);
            Add(command, "@e", (now + duration).UtcTicks);
            Add(command, "@now", now.UtcTicks);
            var fence = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return fence is null or DBNull ? null : new LeaseToken(name, owner, Convert.ToInt64(fence, CultureInfo.InvariantCulture), now + duration);
        }).ConfigureAwait(false);
        if (lease is not null)
        {
            RelationalLog.LeaseAcquired(_logger, name, owner, lease.FencingToken);
        }

        return lease;
    }

    public Task<LeaseToken?> RenewLeaseAsync(LeaseToken lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        ValidateDuration(duration, nameof(duration));
        return ExecuteAsync("lease", cancellationToken, async session =>
        {
            var now = _time.GetUtcNow();
            var command = session.Command("""
                UPDATE leases SET expires_at = @e
                WHERE account_id = @account AND name = @n AND owner = @o AND fencing_token = @f AND expires_at > @now;
                """);
            Add(command, "@account", Account);
            Add(command, "@n", lease.Name);
            Add(command, "@o", lease.Owner);
            Add(command, "@f", lease.FencingToken);
            Add(command, "@e", (now + duration).UtcTicks);
            Add(command, "@now", now.UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? lease with { ExpiresAt = now + duration } : null;
        });
    }

    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        return ExecuteAsync("lease", cancellationToken, async session =>
        {
            // Only the holder with this token releases; the fencing token stays, so the next holder still gets a higher one.
            var command = session.Command("UPDATE leases SET owner = NULL, expires_at = 0 WHERE account_id = @account AND name = @n AND owner = @o AND fencing_token = @f;");
            Add(command, "@account", Account);
            Add(command, "@n", lease.Name);
            Add(command, "@o", lease.Owner);
            Add(command, "@f", lease.FencingToken);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    public Task<LeaseToken?> CheckLeaseAsync(LeaseToken lease, CancellationToken cancellationToken = default)
    {
        ValidateLease(lease, nameof(lease));
        return ReadAsync("read", cancellationToken, async session =>
        {
            var current = await ReadLeaseAsync(session, lease.Name, "SELECT owner, fencing_token, expires_at FROM leases WHERE account_id = @account AND name = @n;", cancellationToken).ConfigureAwait(false);
            return IsHeld(current, lease) ? lease with { ExpiresAt = new DateTimeOffset(current!.Value.ExpiresAt, TimeSpan.Zero) } : null;
        });
    }

    private async Task<bool> LeaseHeldAsync(Session session, LeaseToken lease, string sql, CancellationToken cancellationToken) =>
        IsHeld(await ReadLeaseAsync(session, lease.Name, sql, cancellationToken).ConfigureAwait(false), lease);

    private bool IsHeld((string? Owner, long Fence, long ExpiresAt)? current, LeaseToken lease) =>
        current is { Owner: not null } held
        && string.Equals(held.Owner, lease.Owner, StringComparison.Ordinal)
        && held.Fence == lease.FencingToken
        && held.ExpiresAt > _time.GetUtcNow().UtcTicks;

    private async Task<(string? Owner, long Fence, long ExpiresAt)?> ReadLeaseAsync(Session session, string name, string sql, CancellationToken cancellationToken)
    {
        var command = session.Command(sql);
        Add(command, "@account", Account);
        Add(command, "@n", name);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2))
            : null;
    }
}
