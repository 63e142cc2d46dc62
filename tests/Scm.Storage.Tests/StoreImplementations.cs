using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle.Storage;
using Scm.Storage.Sqlite;

namespace Scm.Storage.Tests;

/// <summary>The conformance suite against the in-memory store.</summary>
public sealed class InMemoryStoreConformanceTests : StoreConformanceTests
{
    protected override Task<IScmStore> CreateStoreAsync(FakeTimeProvider time) => Task.FromResult<IScmStore>(new InMemoryScmStore(time));
}

/// <summary>The conformance suite against the SQLite store (a fresh file per test).</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task<IScmStore> CreateStoreAsync(FakeTimeProvider time) =>
        Task.FromResult<IScmStore>(new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_folder, "scm.db"), FullSync = false }, time));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
