using System.Globalization;
using System.IO.MemoryMappedFiles;
using Scm.Storage;
using Scm.Storage.Sqlite;

// The child process of the cross-process lease test. It acquires the lease "critical" on a shared SQLite file
// <iterations> times (retrying while the other process holds it), and inside every critical section increments a
// counter shared by all workers through a memory-mapped file: the counter must never exceed 1.
//
// Shared file layout (64-bit slots): [0] workers inside now, [1] highest number ever inside at once,
// [2] critical sections entered in total, [3] start barrier (workers ready).
// Prints "<owner>: <n> acquisitions" and "fences: a,b,c,..." (the fencing token of every acquisition, in order).
// Exit code 0 = done; 1 = error. "--ignore-lease" enters without the lease (the test's negative control).
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: Scm.Storage.LeaseWorker <database> <owner> <iterations> <shared-counter-file> <workers> [--ignore-lease]");
    return 1;
}

var database = args[0];
var owner = args[1];
var iterations = int.Parse(args[2], CultureInfo.InvariantCulture);
var counterFile = args[3];
var workers = int.Parse(args[4], CultureInfo.InvariantCulture);
var ignoreLease = args.Length > 5 && args[5] == "--ignore-lease";

await using var store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = database, BusyTimeout = TimeSpan.FromSeconds(30), FullSync = false });
await store.InitializeAsync();

using var map = MemoryMappedFile.CreateFromFile(counterFile, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.ReadWrite);
using var view = map.CreateViewAccessor(0, 32, MemoryMappedFileAccess.ReadWrite);
var counters = new SharedCounters(view);

// Start together, so the two workers really compete for the lease.
counters.Arrive();
var barrier = System.Diagnostics.Stopwatch.StartNew();
while (counters.Ready < workers)
{
    if (barrier.Elapsed > TimeSpan.FromSeconds(60))
    {
        Console.Error.WriteLine("the other workers never started");
        return 1;
    }

    Thread.Yield();
}

var fences = new List<long>(iterations);
var contended = 0;
while (fences.Count < iterations)
{
    var lease = await store.TryAcquireLeaseAsync("critical", owner, TimeSpan.FromSeconds(30));
    if (lease is null && !ignoreLease)
    {
        contended++;
        Thread.Yield();
        continue;
    }

    counters.Enter();
    Thread.SpinWait(20_000); // stay inside a little, so a broken lease would show as an overlap
    counters.Leave();
    fences.Add(lease?.FencingToken ?? 0);
    if (lease is not null)
    {
        await store.ReleaseLeaseAsync(lease);
    }
}

Console.WriteLine($"{owner}: {fences.Count} acquisitions, {contended} refused while the other held the lease");
Console.WriteLine("fences: " + string.Join(",", fences.Select(f => f.ToString(CultureInfo.InvariantCulture))));
return 0;

/// <summary>Counters in a memory-mapped file shared by the worker processes, updated atomically.</summary>
internal sealed unsafe class SharedCounters
{
    private readonly long* _slots;

    public SharedCounters(MemoryMappedViewAccessor view)
    {
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _slots = (long*)(pointer + view.PointerOffset);
    }

    public long Ready => Volatile.Read(ref _slots[3]);

    public void Arrive() => Interlocked.Increment(ref _slots[3]);

    public void Enter()
    {
        var inside = Interlocked.Increment(ref _slots[0]);
        Interlocked.Increment(ref _slots[2]);
        var max = Volatile.Read(ref _slots[1]);
        while (inside > max)
        {
            var seen = Interlocked.CompareExchange(ref _slots[1], inside, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    public void Leave() => Interlocked.Decrement(ref _slots[0]);
}
