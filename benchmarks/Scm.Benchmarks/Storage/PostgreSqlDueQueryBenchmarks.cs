using System.Globalization;
using BenchmarkDotNet.Attributes;
using Npgsql;
using Scm.Storage;
using Scm.Storage.PostgreSql;

namespace Scm.Benchmarks.Storage;

/// <summary>
/// The renewal scan's query (<see cref="ICertificateStore.ListCertificatesDueAsync"/>, what <c>RunAutoRenewalAsync</c>
/// pages through) on a PostgreSQL table of 100,000 or 1,000,000 certificates: the same records and the same bounds as
/// <see cref="SqliteDueQueryBenchmarks"/> (90 % active, NotAfter spread over two years; the first 500 due before a bound
/// that matches about a quarter of the table; a page in the middle of that range; walking every certificate due in the
/// first tenth). Warm and cold-ish variants:
/// <list type="bullet">
/// <item><c>DueBefore_First500</c>, <c>DueBefore_DeepPage500</c>: the same page again and again on a pooled connection
/// (its statement prepared by Npgsql's auto-prepare, its pages in PostgreSQL's shared buffers): warm;</item>
/// <item><c>DueBefore_RandomPage500</c>: 500 due certificates from a random place of the due range each time (keyset), so
/// the index and heap pages it reads are rarely in PostgreSQL's 128 MB of shared buffers (the 1,000,000-row table is
/// several GB); the OS page cache may still hold them: cold-ish for PostgreSQL, not for the disk;</item>
/// <item><c>DueBefore_First500_NewConnection</c>: the first page on a new server connection every time (<c>Pooling=false</c>):
/// connection start-up, a new backend with empty catalog caches, the statement parsed and planned afresh.</item>
/// </list>
/// The schemas are loaded once per server by <see cref="PostgreSqlData"/> (binary COPY) and reused.
/// <c>SCM_TEST_POSTGRES=... dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter '*PostgreSqlDueQuery*'</c>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(StorageBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class PostgreSqlDueQueryBenchmarks
{
    private static readonly DateTimeOffset QuarterBound = StorageData.Epoch + (StorageData.Spread / 4);
    private static readonly DateTimeOffset TenthBound = StorageData.Epoch + (StorageData.Spread / 10);

    private readonly Random _random = new(17);
    private PostgreSqlScmStore _store = null!;
    private PostgreSqlScmStore _unpooled = null!;
    private CertificateDuePosition _deep = null!;
    private string _method = "";

    /// <summary>Table sizes: 100,000 and 1,000,000, or the comma-separated list in <c>SCM_BENCH_DUE_ROWS</c>.</summary>
    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; }

    /// <summary>The values of <see cref="Rows"/>.</summary>
    public static IEnumerable<int> RowCounts => Environment.GetEnvironmentVariable("SCM_BENCH_DUE_ROWS") is { Length: > 0 } list
        ? list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))
        : [100_000, 1_000_000];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var schema = await PostgreSqlData.EnsureDueSchemaAsync(Rows);
        _store = new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = PostgreSqlData.ConnectionString, Schema = schema });
        await _store.InitializeAsync();
        var unpooled = new NpgsqlConnectionStringBuilder(PostgreSqlData.ConnectionString) { Pooling = false };
        _unpooled = new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = unpooled.ConnectionString, Schema = schema });
        await _unpooled.InitializeAsync();
        _deep = new CertificateDuePosition(StorageData.Epoch + (StorageData.Spread / 8), Guid.Empty);
        var first = await _store.ListCertificatesDueAsync(QuarterBound, 500);
        if (first.Count != 500 || first.Any(c => c.Status != CertificateStatus.Active || c.NotAfter >= QuarterBound))
        {
            throw new InvalidOperationException($"Expected 500 active certificates due before {QuarterBound:O}, got {first.Count}.");
        }

        await PrintPlanAsync(schema);
        PeakMemory.Reset();
    }

    /// <summary>Logs the due query's plan with its buffer counts (what the store sends: the dialect's statement, same parameters).</summary>
    private static async Task PrintPlanAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(PostgreSqlData.ConnectionString);
        await connection.OpenAsync();
        await PostgreSqlData.ExecuteAsync(connection, $"SET search_path = \"{schema}\";");
        await using var command = new NpgsqlCommand(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT payload, version FROM certificates WHERE account_id = @account AND status = 0 AND not_after < @bound ORDER BY not_after, id LIMIT @limit;",
            connection);
        command.Parameters.AddWithValue("account", "default");
        command.Parameters.AddWithValue("bound", QuarterBound.UtcTicks);
        command.Parameters.AddWithValue("limit", 500);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Console.WriteLine("// plan: " + reader.GetString(0));
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        PeakMemory.Record(nameof(PostgreSqlDueQueryBenchmarks), _method, "Rows=" + Rows.ToString(CultureInfo.InvariantCulture));
        await _unpooled.DisposeAsync();
        await _store.DisposeAsync();
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

    [Benchmark]
    public async Task<int> DueBefore_RandomPage500()
    {
        _method = nameof(DueBefore_RandomPage500);

        // Anywhere in the first 90 % of the due range, so that a full page of 500 follows.
        var at = StorageData.Epoch + (StorageData.Spread / 4 * 0.9 * _random.NextDouble());
        return (await _store.ListCertificatesDueAsync(QuarterBound, 500, new CertificateDuePosition(at, Guid.Empty))).Count;
    }

    [Benchmark]
    public async Task<int> DueBefore_First500_NewConnection()
    {
        _method = nameof(DueBefore_First500_NewConnection);
        return (await _unpooled.ListCertificatesDueAsync(QuarterBound, 500)).Count;
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
