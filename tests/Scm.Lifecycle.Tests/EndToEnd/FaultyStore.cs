using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Wraps a store and fails chosen commits (a storage fault, or the process dying at that point: the write never
/// happens). In the style of Boulder's triggers: one specific write fails, everything else passes through.
/// </summary>
internal sealed class FaultyStore(IScmStore inner) : Scm.Tests.Shared.ForwardingScmStore(inner)
{
    /// <summary>Commits for which this returns true fail with a transient storage error, before anything is written.</summary>
    public Func<StoreBatch, bool>? FailWhen { get; set; }

    public int FailedCommits { get; private set; }

    public override Task<StoreBatchResult> CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        if (FailWhen?.Invoke(batch) == true)
        {
            FailedCommits++;
            throw new ScmStoreException(StoreErrorKind.Unavailable, "Injected storage fault (the write did not happen).");
        }

        return Inner.CommitAsync(batch, cancellationToken);
    }

    public static bool Moves(StoreBatch batch, OrderState to) =>
        batch.Operations.Any(o => o is UpdateOrderOperation u && u.Order.State == to);

    public static bool Inserts(StoreBatch batch) => batch.Operations.Any(o => o is InsertOrderOperation);
}
