using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Scm.Storage;
using Scm.Storage.Sqlite;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// The renewal scan's query on one SQLite file of 100,000 or 1,000,000 certificates (90 % active, NotAfter spread over
/// two years): the first 500 due before a bound that matches about a quarter of the table, a page deep inside that
/// range (keyset), and walking every certificate due in the first 10 % of the spread, 500 at a time. Time and memory
/// of one page must not depend on the table size; the walk's time grows with what it returns, its peak memory must not.
/// The databases are built once by the global set-up and kept in the temp folder.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(StorageBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SqliteDueQueryBenchmarks
{
    private static readonly DateTimeOffset QuarterBound = StorageData.Epoch + (StorageData.Spread / 4);
    private static readonly DateTimeOffset TenthBound = StorageData.Epoch + (StorageData.Spread / 10);

    private readonly Random _random = new(17);
    private SqliteScmStore _store = null!;
    private CertificateDuePosition _deep = null!;
    private string _method = "";

    [Params(100_000, 1_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var path = await StorageData.EnsureDatabaseAsync(Rows);
        _store = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = path, VerifyOnInitialize = false });
        await _store.InitializeAsync();

        // A position half-way into the due range, so the deep page starts in the middle of the index.
        _deep = new CertificateDuePosition(StorageData.Epoch + (StorageData.Spread / 8), Guid.Empty);
        var first = await _store.ListCertificatesDueAsync(QuarterBound, 500);
        if (first.Count != 500)
        {
            throw new InvalidOperationException($"Expected 500 due certificates, got {first.Count}.");
        }

        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        PeakMemory.Record(nameof(SqliteDueQueryBenchmarks), _method, "Rows=" + Rows.ToString(CultureInfo.InvariantCulture));
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }

    [Benchmark]
    public async Task<int> DueBefore_First500()
    {
        _method = nameof(DueBefore_First500);
        return (await _store.ListCertificatesDueAsync(QuarterBound, 500)).Count;
    }

    [Benchmark]
    public async Task<int> DueBefore_DeepPage500()
    {
        _method = nameof(DueBefore_DeepPage500);
        return (await _store.ListCertificatesDueAsync(QuarterBound, 500, _deep)).Count;
    }

    /// <summary>500 due certificates from a random place of the due range each time (the PostgreSQL benchmark's cold-ish page).</summary>
    [Benchmark]
    public async Task<int> DueBefore_RandomPage500()
    {
        _method = nameof(DueBefore_RandomPage500);
        var at = StorageData.Epoch + (StorageData.Spread / 4 * 0.9 * _random.NextDouble());
        return (await _store.ListCertificatesDueAsync(QuarterBound, 500, new CertificateDuePosition(at, Guid.Empty))).Count;
    }

    [Benchmark]
    public async Task<int> DueBefore_WalkAllPages()
    {
        _method = nameof(DueBefore_WalkAllPages);
        var total = 0;
        CertificateDuePosition? after = null;
        while (true)
        {
            var page = await _store.ListCertificatesDueAsync(TenthBound, 500, after);
            total += page.Count;
            if (page.Count < 500)
            {
                return total;
            }

            after = new CertificateDuePosition(page[^1].NotAfter, page[^1].Id);
        }
    }

    [Benchmark]
    public async Task<int> CountActive()
    {
        _method = nameof(CountActive);
        return await _store.CountCertificatesAsync(CertificateStatus.Active);
    }
}
