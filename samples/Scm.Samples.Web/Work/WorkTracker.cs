using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Scm.Samples.Web.Hosting;
using Scm.Samples.Web.Security;

namespace Scm.Samples.Web.Work;

/// <summary>The states of a piece of long work, as the pages and the event stream show them.</summary>
public static class WorkStates
{
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
}

/// <summary>One progress report of a piece of long work (the JSON of <c>GET /work/{id}</c> and of each server-sent event).</summary>
/// <param name="Id">The work's id.</param>
/// <param name="Kind">What it does: <c>import</c>, <c>status-scan</c> or <c>auto-renewal</c>.</param>
/// <param name="State"><see cref="WorkStates"/>.</param>
/// <param name="Processed">Items done so far.</param>
/// <param name="Total">Items in all, when known.</param>
/// <param name="Message">A line for people (counts, outcome; never a secret).</param>
/// <param name="Done">Whether the work has ended (completed or failed).</param>
public sealed record WorkSnapshot(Guid Id, string Kind, string State, int Processed, int? Total, string Message, bool Done);

/// <summary>A piece of long work started from a page: its progress, and a signal for each change.</summary>
public sealed class WorkItem
{
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkSnapshot _snapshot;
    private long _version;

    internal WorkItem(Guid id, string kind, string actor, DateTimeOffset startedAt)
    {
        Id = id;
        Kind = kind;
        Actor = actor;
        StartedAt = startedAt;
        _snapshot = new WorkSnapshot(id, kind, WorkStates.Running, 0, null, "Starting...", false);
    }

    public Guid Id { get; }

    public string Kind { get; }

    /// <summary>Who started it (the engine's audit actor for everything it does).</summary>
    public string Actor { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The latest report and its version (increases with every change).</summary>
    public (WorkSnapshot Snapshot, long Version) Read()
    {
        lock (_gate)
        {
            return (_snapshot, _version);
        }
    }

    /// <summary>Reports progress.</summary>
    public void Report(int processed, int? total, string message) => Update(s => s with { Processed = processed, Total = total, Message = message });

    internal void Complete(string message) => Update(s => s with { State = WorkStates.Completed, Message = message, Done = true, Processed = s.Total ?? s.Processed });

    internal void Fail(string message) => Update(s => s with { State = WorkStates.Failed, Message = message, Done = true });

    /// <summary>Waits until the version moves past <paramref name="seenVersion"/> (returns at once if it already has).</summary>
    public Task WaitForChangeAsync(long seenVersion, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            if (_version != seenVersion || _snapshot.Done)
            {
                return Task.CompletedTask;
            }

            changed = _changed.Task;
        }

        return changed.WaitAsync(cancellationToken);
    }

    /// <summary>The reports as they change, until the work ends (the server-sent event stream).</summary>
    public async IAsyncEnumerable<WorkSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long seen = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            var (snapshot, version) = Read();
            if (version != seen)
            {
                seen = version;
                yield return snapshot;
            }

            if (snapshot.Done)
            {
                yield break;
            }

            try
            {
                await WaitForChangeAsync(seen, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private void Update(Func<WorkSnapshot, WorkSnapshot> change)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_snapshot.Done)
            {
                return;
            }

            _snapshot = change(_snapshot);
            _version++;
            signal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }
}

/// <summary>
/// Runs long work (imports, status scans, auto-renewal runs) in the background so the page that starts it can answer at
/// once and show live progress (<c>GET /work/{id}/events</c>, server-sent events; <c>GET /work/{id}</c> for polling).
/// The work runs as the user who started it: the engine records that user as the actor of everything it does. The
/// last 100 items are kept in memory.
/// </summary>
public sealed class WorkTracker
{
    private const int Keep = 100;
    private readonly ConcurrentDictionary<Guid, WorkItem> _items = new();
    private readonly TimeProvider _time;
    private readonly ILogger<WorkTracker> _logger;
    private readonly CancellationToken _stopping;

    public WorkTracker(TimeProvider time, IHostApplicationLifetime lifetime, ILogger<WorkTracker> logger)
    {
        _time = time;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
    }

    /// <summary>A piece of work by id, if still known.</summary>
    public WorkItem? Get(Guid id) => _items.TryGetValue(id, out var item) ? item : null;

    /// <summary>Starts work in the background.</summary>
    /// <param name="kind">What it does (<c>import</c>, <c>status-scan</c>, <c>auto-renewal</c>).</param>
    /// <param name="actor">The signed-in user who started it.</param>
    /// <param name="run">The work; it reports on the item and returns the final message.</param>
    /// <returns>The item (its id goes into the page's address).</returns>
    public WorkItem Start(string kind, string actor, Func<WorkItem, CancellationToken, Task<string>> run)
    {
        var item = new WorkItem(Guid.NewGuid(), kind, actor, _time.GetUtcNow());
        _items[item.Id] = item;
        Trim();
        _ = Task.Run(async () =>
        {
            using var scope = DashboardActor.Use(actor);
            try
            {
                item.Complete(await run(item, _stopping));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The engine's exceptions name the problem, never a secret.
                Log.WorkFailed(_logger, kind, item.Id, actor, ex.Message);
                item.Fail(ex.Message);
            }
        }, CancellationToken.None);
        return item;
    }

    private void Trim()
    {
        if (_items.Count <= Keep)
        {
            return;
        }

        foreach (var old in _items.Values.Where(i => i.Read().Snapshot.Done).OrderBy(i => i.StartedAt).Take(_items.Count - Keep).ToList())
        {
            _items.TryRemove(old.Id, out _);
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, in order (the engine's import progress).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
