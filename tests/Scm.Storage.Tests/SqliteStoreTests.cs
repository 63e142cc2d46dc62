using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Scm.Storage.Sqlite;

namespace Scm.Storage.Tests;

/// <summary>What only a file-backed store can get wrong: durability, migrations, and refusing databases it must not touch.</summary>
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
            foreach (var file in Directory.GetFiles(_folder))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            Directory.Delete(_folder, recursive: true);
        }
    }

    private SqliteScmStore Open(string? path = null) => new(new SqliteStoreOptions { DatabasePath = path ?? DbPath }, _time);

    [Fact]
    public async Task Reopen_FindsEverythingWritten()
    {
        var order = StoreConformanceTests.NewOrder(sslId: 11);
        var certificate = StoreConformanceTests.NewCertificate(sslId: 11);
        await using (var store = Open())
        {
            await store.InitializeAsync();
            await store.CommitAsync(new StoreBatch().InsertOrder(order).InsertCertificate(certificate));
            await store.SetValueAsync("k", "v");
            await store.TryAcquireLeaseAsync("lease", "me", TimeSpan.FromMinutes(1));
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = Open();
        await reopened.InitializeAsync();
        Assert.Equal(order.CorrelationToken, (await reopened.GetOrderAsync(order.Id))!.CorrelationToken);
        Assert.Equal(1, (await reopened.GetCertificateAsync(certificate.Id))!.Version);
        Assert.Equal("v", await reopened.GetValueAsync("k"));
        Assert.Null(await reopened.TryAcquireLeaseAsync("lease", "someone-else", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Initialize_NewFile_CreatesSchemaInWalMode()
    {
        await using var store = Open(Path.Combine(_folder, "nested", "dir", "scm.db"));
        await store.InitializeAsync();
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; ";
        Assert.Equal("wal", command.ExecuteScalar() as string);
        command.CommandText = "PRAGMA user_version;";
        Assert.Equal(1L, command.ExecuteScalar());
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'ux_orders_one_open_per_certificate';";
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public async Task Initialize_NewerSchema_FailsWithNewerSchemaAndLeavesFileUnchanged()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        var before = await File.ReadAllBytesAsync(DbPath);
        await using var newer = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => newer.InitializeAsync());
        Assert.Equal(StoreErrorKind.NewerSchema, ex.Kind);
        Assert.Contains("schema 99", ex.Message, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task Initialize_RandomBytes_FailsWithCorruptAndLeavesFileUnchanged()
    {
        var garbage = new byte[8192];
        new Random(42).NextBytes(garbage);
        await File.WriteAllBytesAsync(DbPath, garbage);
        await using var store = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.InitializeAsync());
        Assert.Equal(StoreErrorKind.Corrupt, ex.Kind);
        SqliteConnection.ClearAllPools();
        Assert.Equal(garbage, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task Initialize_TruncatedDatabase_FailsWithCorrupt()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
            for (var i = 0; i < 50; i++)
            {
                await store.CommitAsync(new StoreBatch().InsertCertificate(StoreConformanceTests.NewCertificate()));
            }
        }

        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var bytes = await File.ReadAllBytesAsync(DbPath);
        var truncated = bytes[..(bytes.Length / 2)];
        await File.WriteAllBytesAsync(DbPath, truncated);
        await using var reopened = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => reopened.InitializeAsync());
        Assert.Equal(StoreErrorKind.Corrupt, ex.Kind);
        SqliteConnection.ClearAllPools();
        Assert.Equal(truncated, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task Initialize_ForeignDatabase_IsNotTouched()
    {
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers(id INTEGER PRIMARY KEY); INSERT INTO customers VALUES (1);";
            command.ExecuteNonQuery();
        }

        await using var store = Open();
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.InitializeAsync());
        Assert.Equal(StoreErrorKind.Configuration, ex.Kind);
    }

    [SkippableFact]
    public async Task Initialize_ReadOnlyFile_FailsWithReadOnly()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes only.");
        await using (var store = Open())
        {
            await store.InitializeAsync();
            await store.SetValueAsync("k", "v");
        }

        SqliteConnection.ClearAllPools();
        var before = await File.ReadAllBytesAsync(DbPath);
        Skip.IfNot(MakeReadOnly(), "Cannot make the database read-only here (root without chattr).");
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
            UndoReadOnly();
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    private bool MakeReadOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(DbPath, UnixFileMode.UserRead);
            File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return true;
        }

        // root ignores permission bits; the immutable attribute still applies.
        return Chattr("+i", DbPath) && Chattr("+i", _folder);
    }

    private void UndoReadOnly()
    {
        if (Environment.UserName == "root")
        {
            Chattr("-i", _folder);
            Chattr("-i", DbPath);
        }
    }

    private static bool Chattr(string flag, string path)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit(10_000);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    [Fact]
    public async Task TwoStoreInstances_OnOneFile_ShareStateAndInvariant()
    {
        await using var a = Open();
        await using var b = Open();
        await a.InitializeAsync();
        await b.InitializeAsync();
        var certificateId = Guid.NewGuid();
        await a.CommitAsync(new StoreBatch().InsertOrder(StoreConformanceTests.NewOrder(certificateId)));
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => b.CommitAsync(new StoreBatch().InsertOrder(StoreConformanceTests.NewOrder(certificateId))));
        Assert.Equal(StoreConflictReason.OpenOrderExists, ex.Reason);

        var lease = await a.TryAcquireLeaseAsync("job", "a", TimeSpan.FromMinutes(1));
        Assert.NotNull(lease);
        Assert.Null(await b.TryAcquireLeaseAsync("job", "b", TimeSpan.FromMinutes(1)));
    }
}
