using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Scm.Storage;
using Scm.Storage.Sqlite;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// Upserting 100,000 certificates into one SQLite file (durable commits, <c>synchronous=FULL</c>), in atomic batches of
/// 100 or 1,000: inserting them into a fresh file, and updating all of them (version check + new payload) in a file
/// that holds them. One operation is the whole 100,000, so this uses BenchmarkDotNet's monitoring strategy (no pilot,
/// one invocation per iteration, a fresh file per iteration); throughput = 100,000 / Mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(StorageBenchmarkConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class SqliteBulkLoadBenchmarks
{
    public const int Count = 100_000;

    private ManagedCertificate[] _certificates = null!;
    private ManagedCertificate[] _stored = null!;
    private SqliteScmStore _store = null!;
    private string _folder = "";
    private string _method = "";

    [Params(100, 1_000)]
    public int BatchSize { get; set; }

    /// <summary>
    /// Random ids (UUID version 4, what the engine made before) or time-ordered ones (version 7, what it makes now): with
    /// random ids every insert lands at a random place of the id indexes, so the cost per record grows with the table.
    /// </summary>
    [Params(false, true)]
    public bool TimeOrderedIds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _certificates = StorageData.Certificates(Count, seed: 7, TimeOrderedIds);
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public void Cleanup() => PeakMemory.Record(nameof(SqliteBulkLoadBenchmarks), _method, "BatchSize=" + BatchSize + ", TimeOrderedIds=" + TimeOrderedIds);

    [IterationSetup(Target = nameof(Insert100k))]
    public void FreshFile() => OpenAsync().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(Update100k))]
    public void PopulatedFile()
    {
        OpenAsync().GetAwaiter().GetResult();
        _stored = InsertAllAsync().GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void DeleteFile()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public async Task<int> Insert100k()
    {
        _method = nameof(Insert100k);
        return (await InsertAllAsync()).Length;
    }

    [Benchmark]
    public async Task<int> Update100k()
    {
        _method = nameof(Update100k);
        var updated = 0;
        for (var start = 0; start < Count; start += BatchSize)
        {
            var batch = new StoreBatch();
            for (var i = start; i < Math.Min(Count, start + BatchSize); i++)
            {
                var current = _stored[i];
                batch.UpdateCertificate(current with { ScmStatus = "Applied", RenewalFailures = current.RenewalFailures + 1, UpdatedAt = current.UpdatedAt.AddMinutes(1) });
            }

            updated += (await _store.CommitAsync(batch)).Certificates.Count;
        }

        return updated;
    }

    private async Task OpenAsync()
    {
        _folder = Path.Combine(StorageData.Folder, "bulk-" + Guid.NewGuid().ToString("N"));
        _store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_folder, "scm.db"), FullSync = true });
        await _store.InitializeAsync();
    }

    private async Task<ManagedCertificate[]> InsertAllAsync()
    {
        var stored = new ManagedCertificate[Count];
        for (var start = 0; start < Count; start += BatchSize)
        {
            var batch = new StoreBatch();
            for (var i = start; i < Math.Min(Count, start + BatchSize); i++)
            {
                batch.InsertCertificate(_certificates[i]);
            }

            var result = await _store.CommitAsync(batch);
            for (var i = 0; i < result.Certificates.Count; i++)
            {
                stored[start + i] = result.Certificates[i];
            }
        }

        return stored;
    }
}
