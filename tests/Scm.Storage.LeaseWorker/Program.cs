using Scm.Storage;
using Scm.Storage.Sqlite;

// A child process for the cross-process lease test: acquires the named lease N times on a shared SQLite file.
// Inside each critical section it appends "enter" / "exit" to a shared file with O_APPEND, and checks the other
// side is not inside (a marker file created with CreateNew: if it already exists, two holders overlap).
// Exit code 0 = all acquisitions done with no overlap seen; 2 = overlap; 1 = error.
var database = args[0];
var owner = args[1];
var iterations = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var marker = args[3];
var ignoreLease = args.Length > 4 && args[4] == "--ignore-lease"; // sanity mode: proves the overlap check can fail

await using var store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = database, BusyTimeout = TimeSpan.FromSeconds(30), FullSync = false });
await store.InitializeAsync();
var acquired = 0;
var overlaps = 0;
var lastFence = 0L;
while (acquired < iterations)
{
    var lease = await store.TryAcquireLeaseAsync("critical", owner, TimeSpan.FromSeconds(30));
    if (ignoreLease)
    {
        lease ??= new LeaseToken("critical", owner, lastFence + 1, DateTimeOffset.MaxValue);
    }

    if (lease is null)
    {
        await Task.Yield();
        continue;
    }

    if (lease.FencingToken <= lastFence)
    {
        Console.Error.WriteLine($"fencing token went backwards: {lease.FencingToken} after {lastFence}");
        return 1;
    }

    lastFence = lease.FencingToken;
    try
    {
        using (new FileStream(marker, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
        {
            // Stay inside a little, so an overlap (if the lease were broken) would be caught by the marker.
            Thread.SpinWait(20_000);
            acquired++;
        }
    }
    catch (IOException) when (File.Exists(marker))
    {
        overlaps++;
    }
    finally
    {
        await store.ReleaseLeaseAsync(lease);
    }
}

Console.WriteLine($"{owner}: {acquired} acquisitions, {overlaps} overlaps, last fence {lastFence}");
return overlaps == 0 ? 0 : 2;
