using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Scm.Storage.Sqlite;
using Scm.Storage.Sqlite.Internal;

namespace Scm.Storage.Tests;

/// <summary>
/// What only a file-backed store can get wrong: durability, migrations, several instances and processes on one file,
/// locking, and refusing — without changing a byte — databases it must not touch.
/// </summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public SqliteStoreTests() => Directory.CreateDirectory(_folder);

    private string DbPath => Path.Combine(_folder, "scm.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            UndoReadOnly(_folder, DbPath);
            Directory.Delete(_folder, recursive: true);
        }
    }

    private SqliteScmStore Open(string? path = null, Action<SqliteStoreOptions>? configure = null)
    {
        var options = new SqliteStoreOptions { DatabasePath = path ?? DbPath, FullSync = false };
        configure?.Invoke(options);
        return new SqliteScmStore(options, _time);
    }

    private SqliteConnection Raw(string? path = null)
    {
        var connection = new SqliteConnection($"Data Source={path ?? DbPath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Writes everything from the WAL into the main file and closes every connection, so the file bytes are final.</summary>
    private void Checkpoint()
    {
        SqliteConnection.ClearAllPools();
        using (var connection = Raw())
        {
            Scalar(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        SqliteConnection.ClearAllPools();
    }

    private async Task CreatePopulatedAsync(int certificates)
    {
        await using var store = Open();
        await store.InitializeAsync();
        var batch = new StoreBatch();
        for (var i = 0; i < certificates; i++)
        {
            batch.InsertCertificate(StoreConformanceTests.NewCertificate());
        }

        await store.CommitAsync(batch);
    }

    [Fact]
    public async Task Reopen_AfterDispose_FindsEverythingWritten()
    {
        var order = StoreConformanceTests.NewOrder(sslId: 11);
        var certificate = StoreConformanceTests.NewCertificate(sslId: 11);
        LeaseToken lease;
        await using (var store = Open(configure: o => o.FullSync = true))
        {
            await store.InitializeAsync();
            await store.CommitAsync(new StoreBatch().InsertOrder(order).InsertCertificate(certificate).Audit(StoreConformanceTests.Audit(_time.GetUtcNow())));
            await store.SetValueAsync("k", "v");
            await store.SaveCatalogAsync(new ScmAccountCatalog { AccountId = "default", SyncedAt = _time.GetUtcNow() });
            lease = (await store.TryAcquireLeaseAsync("lease", "me", TimeSpan.FromMinutes(1)))!;
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = Open();
        await reopened.InitializeAsync();
        Assert.Equal(order.CorrelationToken, (await reopened.GetOrderAsync(order.Id))!.CorrelationToken);
        Assert.Equal(order.Id, (await reopened.GetOpenOrderForCertificateAsync(order.CertificateId))!.Id);
        Assert.Equal(1, (await reopened.GetCertificateAsync(certificate.Id))!.Version);
        Assert.Equal("v", await reopened.GetValueAsync("k"));
        Assert.NotNull(await reopened.GetCatalogAsync("default"));
        Assert.Single(await reopened.QueryAuditAsync(new AuditQuery()));
        Assert.NotNull(await reopened.CheckLeaseAsync(lease));
        Assert.Null(await reopened.TryAcquireLeaseAsync("lease", "someone-else", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task InitializeAsync_NewFileInMissingFolder_CreatesCurrentSchemaInWalMode()
    {
        var path = Path.Combine(_folder, "nested", "dir", "scm.db");
        await using var store = Open(path);
        await store.InitializeAsync();
        using var connection = Raw(path);
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(8192L, Scalar(connection, "PRAGMA page_size;"));
        Assert.Equal((long)Schema.CurrentVersion, Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal((long)Schema.ApplicationId, Scalar(connection, "PRAGMA application_id;"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'ux_orders_one_open_per_certificate';"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM job_state;"));
    }

    [Fact]
    public async Task InitializeAsync_ExistingEmptyFile_AppliesEveryMigration()
    {
        await File.WriteAllBytesAsync(DbPath, []);
        await using var store = Open();
        await store.InitializeAsync();
        await store.SetValueAsync("k", "v");
        using var connection = Raw();
        Assert.Equal((long)Schema.CurrentVersion, Scalar(connection, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task InitializeAsync_DatabaseAtSchemaVersion1_MigratesAndKeepsTheData()
    {
        var certificate = StoreConformanceTests.NewCertificate() with { Version = 1 };
        using (var connection = Raw())
        {
            using var command = connection.CreateCommand();
            command.CommandText = Schema.Migrations[0] + $"PRAGMA application_id = {Schema.ApplicationId}; PRAGMA user_version = 1;"
                + "INSERT INTO certificates(id, version, status, ssl_id, serial, common_name, not_after, created_at, payload) VALUES($id, 1, 0, NULL, $serial, $cn, $notAfter, $created, $payload);";
            command.Parameters.AddWithValue("$id", certificate.Id.ToString("N"));
            command.Parameters.AddWithValue("$serial", certificate.SerialNumber);
            command.Parameters.AddWithValue("$cn", certificate.CommonName);
            command.Parameters.AddWithValue("$notAfter", certificate.NotAfter.UtcTicks);
            command.Parameters.AddWithValue("$created", certificate.CreatedAt.UtcTicks);
            command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(certificate, Scm.Storage.Relational.RelationalJsonContext.Default.ManagedCertificate));
            command.ExecuteNonQuery();
        }

        await using var store = Open();
        await store.InitializeAsync();
        Assert.Equal(certificate.CertificatePem, (await store.GetCertificateAsync(certificate.Id))!.CertificatePem);
        Assert.Single(await store.ListCertificatesDueAsync(certificate.NotAfter.AddDays(1), 10));
        Assert.Single((await store.ListCertificatesAsync(new CertificateQuery { Status = CertificateStatus.Active })).Items);
        using var check = Raw();
        Assert.Equal((long)Schema.CurrentVersion, Scalar(check, "PRAGMA user_version;"));
        Assert.Equal(1L, Scalar(check, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_certificates_status_created';"));
        Assert.Equal(0L, Scalar(check, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_certificates_status';"));
    }

    [Fact]
    public async Task InitializeAsync_SixInstancesOnANewFileAtOnce_AllSucceedAndMigrateOnce()
    {
        for (var round = 0; round < 3; round++)
        {
            var path = Path.Combine(_folder, $"race-{round}.db");
            var stores = Enumerable.Range(0, 6).Select(_ => Open(path)).ToArray();
            try
            {
                await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync())));
                await stores[0].SetValueAsync("k", "v");
                Assert.Equal("v", await stores[5].GetValueAsync("k"));
            }
            finally
            {
                foreach (var store in stores)
                {
                    await store.DisposeAsync();
                }
            }
        }
    }

    [Fact]
    public async Task InitializeAsync_NewerSchema_FailsWithNewerSchemaAndLeavesFileUnchanged()
    {
        await CreatePopulatedAsync(3);
        SqliteConnection.ClearAllPools();
        using (var connection = Raw())
        {
            Scalar(connection, "PRAGMA user_version = 99;");
        }

        Checkpoint();
        var before = await File.ReadAllBytesAsync(DbPath);
        await using var newer = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => newer.InitializeAsync());
        Assert.Equal(StoreErrorKind.NewerSchema, ex.Kind);
        Assert.False(ex.IsTransient);
        Assert.Contains("schema 99", ex.Message, StringComparison.Ordinal);

        // Every later call reports the same, and nothing was written meanwhile.
        var again = await Assert.ThrowsAsync<ScmStoreException>(() => newer.GetValueAsync("k"));
        Assert.Equal(StoreErrorKind.NewerSchema, again.Kind);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task InitializeAsync_RandomBytes_FailsWithCorruptAndLeavesFileUnchanged()
    {
        var garbage = new byte[8192];
        new Random(42).NextBytes(garbage);
        await File.WriteAllBytesAsync(DbPath, garbage);
        await using var store = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.InitializeAsync());
        Assert.Equal(StoreErrorKind.Corrupt, ex.Kind);
        SqliteConnection.ClearAllPools();
        Assert.Equal(garbage, await File.ReadAllBytesAsync(DbPath));
        Assert.False(File.Exists(DbPath + "-wal"));
    }

    [Fact]
    public async Task InitializeAsync_TextFile_FailsWithCorruptAndLeavesFileUnchanged()
    {
        await File.WriteAllTextAsync(DbPath, "this is not a database\n");
        var before = await File.ReadAllBytesAsync(DbPath);
        await using var store = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.InitializeAsync());
        Assert.Equal(StoreErrorKind.Corrupt, ex.Kind);
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.01)]
    public async Task InitializeAsync_TruncatedDatabase_FailsWithCorruptAndLeavesFileUnchanged(double keep)
    {
        await CreatePopulatedAsync(200);
        Checkpoint();
        var bytes = await File.ReadAllBytesAsync(DbPath);
        var truncated = bytes[..(int)(bytes.Length * keep)];
        await File.WriteAllBytesAsync(DbPath, truncated);

        await using var reopened = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => reopened.InitializeAsync());
        Assert.Equal(StoreErrorKind.Corrupt, ex.Kind);
        SqliteConnection.ClearAllPools();
        Assert.Equal(truncated, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task InitializeAsync_DamagedPage_FailsWithCorruptAndLeavesFileUnchanged()
    {
        await CreatePopulatedAsync(200);
        Checkpoint();
        var bytes = await File.ReadAllBytesAsync(DbPath);
        var pageSize = (bytes[16] << 8) | bytes[17];

        // Overwrite one b-tree page in the middle of the file (the header stays valid).
        new Random(7).NextBytes(bytes.AsSpan(pageSize * 5, pageSize));
        await File.WriteAllBytesAsync(DbPath, bytes);

        await using var reopened = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => reopened.InitializeAsync());
        Assert.Equal(StoreErrorKind.Corrupt, ex.Kind);
        SqliteConnection.ClearAllPools();
        Assert.Equal(bytes, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task InitializeAsync_ForeignDatabase_FailsWithConfigurationAndLeavesFileUnchanged()
    {
        using (var connection = Raw())
        {
            Scalar(connection, "CREATE TABLE customers(id INTEGER PRIMARY KEY); INSERT INTO customers VALUES (1);");
        }

        SqliteConnection.ClearAllPools();
        var before = await File.ReadAllBytesAsync(DbPath);
        await using var store = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.InitializeAsync());
        Assert.Equal(StoreErrorKind.Configuration, ex.Kind);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task InitializeAsync_PathIsAFolder_FailsWithConfiguration()
    {
        Directory.CreateDirectory(DbPath);
        await using var store = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.InitializeAsync());
        Assert.Equal(StoreErrorKind.Configuration, ex.Kind);
    }

    [SkippableFact]
    public async Task InitializeAsync_ReadOnlyFile_FailsWithReadOnlyAndLeavesFileUnchanged()
    {
        await CreatePopulatedAsync(3);
        Checkpoint();
        var before = await File.ReadAllBytesAsync(DbPath);
        Skip.IfNot(MakeReadOnly(DbPath), "Cannot make a file read-only here (root without chattr, or Windows).");
        try
        {
            await using var readOnly = Open();
            var ex = await Assert.ThrowsAsync<ScmStoreException>(() => readOnly.InitializeAsync());
            Assert.Equal(StoreErrorKind.ReadOnly, ex.Kind);
            Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            UndoReadOnly(DbPath);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    [SkippableFact]
    public async Task InitializeAsync_ReadOnlyFolder_FailsWithReadOnlyAndLeavesFileUnchanged()
    {
        await CreatePopulatedAsync(3);
        Checkpoint();
        var before = await File.ReadAllBytesAsync(DbPath);
        Skip.IfNot(MakeReadOnly(_folder), "Cannot make a folder read-only here (root without chattr, or Windows).");
        try
        {
            await using var readOnly = Open();
            var ex = await Assert.ThrowsAsync<ScmStoreException>(() => readOnly.InitializeAsync());
            Assert.Equal(StoreErrorKind.ReadOnly, ex.Kind);
            Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            UndoReadOnly(_folder);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task CommitAsync_WriteLockHeldBeyondBusyTimeout_FailsTransientlyWithUnavailable()
    {
        await using var store = Open(configure: o => o.BusyTimeout = TimeSpan.FromMilliseconds(200));
        await store.InitializeAsync();
        var order = StoreConformanceTests.NewOrder();

        using (var holder = Raw())
        {
            Scalar(holder, "BEGIN IMMEDIATE;");
            var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.CommitAsync(new StoreBatch().InsertOrder(order)));
            Assert.Equal(StoreErrorKind.Unavailable, ex.Kind);
            Assert.True(ex.IsTransient);
            Assert.IsNotType<StoreConflictException>(ex);

            // Readers are not blocked by a writer in WAL mode.
            Assert.Null(await store.GetOrderAsync(order.Id));
            Scalar(holder, "ROLLBACK;");
        }

        await store.CommitAsync(new StoreBatch().InsertOrder(order));
        Assert.NotNull(await store.GetOrderAsync(order.Id));
    }

    [Fact]
    public async Task TwoStoreInstances_OnOneFile_ShareStateInvariantAndLeases()
    {
        await using var a = Open();
        await using var b = Open();
        await a.InitializeAsync();
        await b.InitializeAsync();
        var certificateId = Guid.NewGuid();
        var first = StoreConformanceTests.NewOrder(certificateId);
        await a.CommitAsync(new StoreBatch().InsertOrder(first));
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => b.CommitAsync(new StoreBatch().InsertOrder(StoreConformanceTests.NewOrder(certificateId))));
        Assert.Equal(StoreConflictReason.OpenOrderExists, ex.Reason);
        Assert.Equal(first.Id, (await b.GetOpenOrderForCertificateAsync(certificateId))!.Id);

        // A stale write through the other instance is refused by version.
        var viaB = (await b.GetOrderAsync(first.Id))!;
        await a.CommitAsync(new StoreBatch().UpdateOrder(viaB with { State = OrderState.KeyPersisted }));
        var stale = await Assert.ThrowsAsync<StoreConflictException>(() => b.CommitAsync(new StoreBatch().UpdateOrder(viaB with { State = OrderState.Failed })));
        Assert.Equal(StoreConflictReason.VersionMismatch, stale.Reason);

        var lease = await a.TryAcquireLeaseAsync("job", "a", TimeSpan.FromMinutes(1));
        Assert.NotNull(lease);
        Assert.Null(await b.TryAcquireLeaseAsync("job", "b", TimeSpan.FromMinutes(1)));
        Assert.NotNull(await b.CheckLeaseAsync(lease));
        await a.ReleaseLeaseAsync(lease);
        var taken = await b.TryAcquireLeaseAsync("job", "b", TimeSpan.FromMinutes(1));
        Assert.True(taken!.FencingToken > lease.FencingToken);
    }

    [Fact]
    public async Task GetOrderAsync_DamagedPayload_FailsWithCorruptWithoutEchoingTheContent()
    {
        await using var store = Open();
        await store.InitializeAsync();
        var order = StoreConformanceTests.NewOrder();
        await store.CommitAsync(new StoreBatch().InsertOrder(order));
        using (var connection = Raw())
        {
            Scalar(connection, $"UPDATE orders SET payload = '{{\"secretMaterial\": \"c2VjcmV0\", ' WHERE id = '{order.Id:N}';");
        }

        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.GetOrderAsync(order.Id));
        Assert.Equal(StoreErrorKind.Corrupt, ex.Kind);
        Assert.DoesNotContain("c2VjcmV0", ex.Message, StringComparison.Ordinal);

        // Other records are still readable.
        var other = StoreConformanceTests.NewOrder();
        await store.CommitAsync(new StoreBatch().InsertOrder(other));
        Assert.NotNull(await store.GetOrderAsync(other.Id));
    }

    [Fact]
    public async Task Queries_DueAndPending_UseTheirIndexesWithoutSorting()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        using var connection = Raw();
        foreach (var (sql, index) in new[]
        {
            (SqliteScmStore.DueCertificatesSql(keyset: false), "ix_certificates_due"),
            (SqliteScmStore.DueCertificatesSql(keyset: true), "ix_certificates_due"),
            (SqliteScmStore.PendingOrdersSql(bounded: true), "ix_orders_pending"),
            (SqliteScmStore.PendingOrdersSql(bounded: false), "ix_orders_pending"),
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + sql;
            foreach (var name in new[] { "$bound", "$limit", "$afterAt", "$afterId", "$due" })
            {
                if (sql.Contains(name, StringComparison.Ordinal))
                {
                    command.Parameters.AddWithValue(name, 1);
                }
            }

            var plan = new List<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    plan.Add(reader.GetString(3));
                }
            }

            Assert.Contains(plan, step => step.Contains(index, StringComparison.Ordinal));
            Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task DisposeAsync_ThenUse_ThrowsObjectDisposed()
    {
        var store = Open();
        await store.InitializeAsync();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetValueAsync("k"));
    }

    [Fact]
    public void Constructor_BadOptions_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>("options", () => new SqliteScmStore(new SqliteStoreOptions()));
        Assert.Throws<ArgumentException>("options", () => new SqliteScmStore(new SqliteStoreOptions { DatabasePath = "  " }));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => new SqliteScmStore(new SqliteStoreOptions { DatabasePath = DbPath, BusyTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => new SqliteScmStore(new SqliteStoreOptions { DatabasePath = DbPath, BusyTimeout = TimeSpan.FromHours(1) }));
        Assert.Throws<ArgumentNullException>("options", () => new SqliteScmStore(null!));
        Assert.Equal(TimeSpan.FromSeconds(5), new SqliteStoreOptions().BusyTimeout);
    }

    private static bool MakeReadOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(path, Directory.Exists(path) ? UnixFileMode.UserRead | UnixFileMode.UserExecute : UnixFileMode.UserRead);
            return true;
        }

        // Permission bits do not bind root; the immutable attribute does (where the file system supports it).
        return Chattr("+i", path);
    }

    private static void UndoReadOnly(params string[] paths)
    {
        foreach (var path in paths)
        {
            if (OperatingSystem.IsWindows() || !Path.Exists(path))
            {
                continue;
            }

            if (Environment.UserName == "root")
            {
                Chattr("-i", path);
            }
            else
            {
                File.SetUnixFileMode(path, Directory.Exists(path)
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    private static bool Chattr(string flag, string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit(10_000);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
