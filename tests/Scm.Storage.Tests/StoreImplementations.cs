using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle.Storage;
using Scm.Storage.PostgreSql;
using Scm.Storage.Sqlite;
using Scm.Tests.Shared;

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

/// <summary>The conformance suite against the PostgreSQL store (a fresh schema per test; skipped without a server, except in CI).</summary>
public sealed class PostgreSqlStoreConformanceTests : StoreConformanceTests
{
    private readonly string _schema = PostgreSqlTestServer.NewSchema();

    protected override Task<IScmStore> CreateStoreAsync(FakeTimeProvider time) =>
        Task.FromResult<IScmStore>(new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = PostgreSqlTestServer.Require(), Schema = _schema }, time));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await PostgreSqlTestServer.DropSchemaAsync(_schema);
    }
}

/// <summary>
/// The conformance suite against a store that implements only the members that existed before
/// <see cref="ICertificateStore.FindKnownSslIdsAsync"/> (it forwards everything else to the in-memory store), so the
/// interface's default implementation of the newer member is held to the same contract.
/// </summary>
public sealed class DefaultMembersStoreConformanceTests : StoreConformanceTests
{
    protected override Task<IScmStore> CreateStoreAsync(FakeTimeProvider time) => Task.FromResult<IScmStore>(new ForwardingStore(new InMemoryScmStore(time)));

    private sealed class ForwardingStore(IScmStore inner) : Scm.Tests.Shared.ForwardingScmStore(inner);
}
