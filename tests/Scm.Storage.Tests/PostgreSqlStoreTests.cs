using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Scm.Storage.PostgreSql;
using Scm.Tests.Shared;

namespace Scm.Storage.Tests;

/// <summary>
/// What is PostgreSQL's own beyond the conformance kit (which runs unchanged against it): schema creation and migrations
/// when several hosts start at once, refusal of a schema that is not ours or is newer, transient failures retried only
/// where nothing can be applied twice (F58), accounts partitioned in one database, and the DI registrations. Each test
/// works in a fresh schema; without a server they skip (and fail in CI).
/// </summary>
public sealed class PostgreSqlStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _schema = PostgreSqlTestServer.NewSchema();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly List<PostgreSqlScmStore> _stores = [];
    private string _connectionString = string.Empty;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await PostgreSqlTestServer.DropSchemaAsync(_schema);
    }

    private PostgreSqlScmStore NewStore(string? schema = null, string account = "default")
    {
        // Its own application name, so a test that kills connections kills only this test's (classes run in parallel).
        _connectionString = new NpgsqlConnectionStringBuilder(PostgreSqlTestServer.Require()) { ApplicationName = "scm-test-" + _schema }.ConnectionString;
        var store = new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = _connectionString, Schema = schema ?? _schema, Account = account }, _time);
        _stores.Add(store);
        return store;
    }

    [SkippableFact]
    public async Task Initialize_EightHostsStartTogetherOnAnEmptySchema_MigrateOnceAndAllWork()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => NewStore()).ToArray();
        await Task.WhenAll(stores.Select(s => s.InitializeAsync()));

        Assert.Equal("1", await ScalarAsync($"SELECT value FROM \"{_schema}\".scm_store WHERE key = 'schema_version';"));
        Assert.Equal("Scm.Sdk", await ScalarAsync($"SELECT value FROM \"{_schema}\".scm_store WHERE key = 'application';"));
        var order = StoreConformanceTests.NewOrder();
        await stores[3].CommitAsync(new StoreBatch().InsertOrder(order));
        Assert.NotNull(await stores[6].GetOrderAsync(order.Id));
    }

    [SkippableFact]
    public async Task Initialize_SchemaHoldingAnotherApplicationsTables_RefusedAndLeftUnchanged()
    {
        NewStore();
        await ExecuteAsync($"CREATE SCHEMA \"{_schema}\"; CREATE TABLE \"{_schema}\".invoices (id int PRIMARY KEY); INSERT INTO \"{_schema}\".invoices VALUES (1);");

        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => NewStore().InitializeAsync());
        Assert.Equal(StoreErrorKind.Configuration, ex.Kind);
        Assert.Contains(_schema, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a Scm.Sdk store", ex.Message, StringComparison.Ordinal);
        Assert.Equal("1", await ScalarAsync($"SELECT count(*)::text FROM pg_tables WHERE schemaname = '{_schema}';"));
        Assert.Equal("1", await ScalarAsync($"SELECT id::text FROM \"{_schema}\".invoices;"));
    }

    [SkippableFact]
    public async Task Initialize_SchemaWrittenByANewerVersion_RefusedAsNewerSchemaWithoutChanges()
    {
        await NewStore().InitializeAsync();
        await ExecuteAsync($"UPDATE \"{_schema}\".scm_store SET value = '99' WHERE key = 'schema_version';");

        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => NewStore().InitializeAsync());
        Assert.Equal(StoreErrorKind.NewerSchema, ex.Kind);
        Assert.Contains("schema 99", ex.Message, StringComparison.Ordinal);
        Assert.Equal("99", await ScalarAsync($"SELECT value FROM \"{_schema}\".scm_store WHERE key = 'schema_version';"));
    }

    [SkippableFact]
    public async Task Commit_ConnectionKilledWhileWaitingOnARowLock_RetriedOnANewConnectionAndAppliedOnce()
    {
        // F58: the server ends the transaction's connection (a restart, a failover, pg_terminate_backend) before the commit
        // was sent: nothing was written, so the whole batch runs again on a new connection and is applied exactly once.
        var store = NewStore();
        var order = await Insert(store, StoreConformanceTests.NewOrder());
        await using var blocker = new NpgsqlConnection(_connectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM \"{_schema}\".orders WHERE id = '{order.Id:N}' FOR UPDATE;", blocker, transaction))
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        var update = store.CommitAsync(new StoreBatch().UpdateOrder(order with { State = OrderState.KeyPersisted }));
        var waiting = await WaitForAsync($"SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE orders SET%' AND application_name = 'scm-test-{_schema}';");
        Assert.Equal(true, await ScalarObjectAsync($"SELECT pg_terminate_backend({waiting});"));
        await Task.Delay(200);
        await transaction.RollbackAsync();

        var result = await update.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.Order(order.Id).Version);
        var stored = (await store.GetOrderAsync(order.Id))!;
        Assert.Equal(2, stored.Version);
        Assert.Equal(OrderState.KeyPersisted, stored.State);
    }

    [SkippableFact]
    public async Task Read_PooledConnectionsKilledByTheServer_NextReadsSucceed()
    {
        // A PostgreSQL restart or failover leaves the pool holding dead connections: reads are retried on new ones.
        var store = NewStore();
        var order = await Insert(store, StoreConformanceTests.NewOrder());
        var killed = await ScalarAsync($"SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity WHERE application_name = 'scm-test-{_schema}';");
        Assert.NotEqual("0", killed);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(order.Id, (await store.GetOrderAsync(order.Id))!.Id);
        }
    }

    [SkippableFact]
    public async Task Accounts_SameSslIdInTwoAccounts_TwoRecordsNeitherSeesTheOther()
    {
        var acme = NewStore(account: "acme");
        var globex = acme.ForAccount("globex");
        var mine = await Insert(acme, StoreConformanceTests.NewOrder(sslId: 4711) with { AccountId = "acme" });
        var theirs = await Insert(globex, StoreConformanceTests.NewOrder(sslId: 4711) with { AccountId = "globex" });

        Assert.Equal([mine.Id], (await acme.FindOrdersBySslIdAsync(4711)).Select(o => o.Id));
        Assert.Equal([theirs.Id], (await globex.FindOrdersBySslIdAsync(4711)).Select(o => o.Id));
        Assert.Null(await acme.GetOrderAsync(theirs.Id));
        await Assert.ThrowsAsync<StoreConflictException>(() => acme.CommitAsync(new StoreBatch().UpdateOrder(theirs with { AccountId = "acme" })));
        await Assert.ThrowsAsync<ArgumentException>(() => acme.CommitAsync(new StoreBatch().UpdateOrder(theirs)));
        Assert.Single((await acme.ListOrdersAsync(new OrderQuery())).Items);
        var lease = await acme.TryAcquireLeaseAsync("cert:x", "host-a", TimeSpan.FromMinutes(1));
        Assert.NotNull(lease);
        Assert.NotNull(await globex.TryAcquireLeaseAsync("cert:x", "host-b", TimeSpan.FromMinutes(1)));
        await acme.SetValueAsync("checkpoint", "a");
        Assert.Null(await globex.GetValueAsync("checkpoint"));
    }

    [SkippableFact]
    public async Task UsePostgreSqlStorage_FromConfiguration_RegistersTheStoreBehindEveryInterface()
    {
        var connectionString = PostgreSqlTestServer.Require();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:Storage:PostgreSql:ConnectionString"] = connectionString,
            ["Sectigo:Storage:PostgreSql:Schema"] = _schema,
            ["Sectigo:Storage:PostgreSql:CommandTimeout"] = "00:00:20",
        }).Build();
        var builder = new Builder();
        builder.UsePostgreSqlStorage(configuration);
        await using var provider = builder.Services.BuildServiceProvider();

        var store = Assert.IsType<PostgreSqlScmStore>(provider.GetRequiredService<IScmStore>());
        Assert.Same(store, provider.GetRequiredService<ILeaseProvider>());
        Assert.Same(store, provider.GetRequiredService<ICertificateStore>());
        Assert.Contains($"schema {_schema}", store.Location, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", store.Location, StringComparison.OrdinalIgnoreCase);
        await store.SetValueAsync("k", "v");
        Assert.Equal("v", await provider.GetRequiredService<IJobStateStore>().GetValueAsync("k"));
    }

    [Fact]
    public void UsePostgreSqlStorage_BadConfiguration_FailsNamingTheKey()
    {
        var missing = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sectigo:Storage:PostgreSql:Schema"] = "x" }).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => new Builder().UsePostgreSqlStorage(missing));
        Assert.Contains("Sectigo:Storage:PostgreSql:ConnectionString", ex.Message, StringComparison.Ordinal);

        var badTimeout = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:Storage:PostgreSql:ConnectionString"] = "Host=127.0.0.1",
            ["Sectigo:Storage:PostgreSql:CommandTimeout"] = "soon",
        }).Build();
        ex = Assert.Throws<InvalidOperationException>(() => new Builder().UsePostgreSqlStorage(badTimeout));
        Assert.Contains("Sectigo:Storage:PostgreSql:CommandTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_RefusedNamingTheOptionWithoutEchoingThePassword()
    {
        var schema = Assert.Throws<ArgumentException>(() => new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = "Host=x", Schema = "drop table;" }));
        Assert.Contains("PostgreSqlStoreOptions.Schema", schema.Message, StringComparison.Ordinal);
        var connection = Assert.Throws<ArgumentException>(() => new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = "Host=x;Password=canary-7f3a;Bogus Key=1" }));
        Assert.Contains("PostgreSqlStoreOptions.ConnectionString", connection.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-7f3a", connection.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("canary-7f3a", new PostgreSqlStoreOptions { ConnectionString = "Host=x;Password=canary-7f3a" }.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = "Host=x", CommandTimeout = TimeSpan.Zero }));
    }

    [SkippableFact]
    public async Task Initialize_WrongPassword_TypedConfigurationErrorWithoutThePassword()
    {
        // The CI server trusts loopback; a database that does not exist is refused the same way (a configuration error).
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlTestServer.Require()) { Database = "no_such_db_" + _schema, Password = "canary-pw-91d2" };
        var store = new PostgreSqlScmStore(new PostgreSqlStoreOptions { ConnectionString = builder.ConnectionString, Schema = _schema }, _time);
        _stores.Add(store);
        var ex = await Assert.ThrowsAsync<ScmStoreException>(() => store.InitializeAsync());
        Assert.Equal(StoreErrorKind.Configuration, ex.Kind);
        Assert.DoesNotContain("canary-pw-91d2", ex.ToString(), StringComparison.Ordinal);
    }

    private static async Task<CertificateOrder> Insert(IScmStore store, CertificateOrder order) =>
        (await store.CommitAsync(new StoreBatch().InsertOrder(order))).Order(order.Id);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgreSqlTestServer.Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarObjectAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgreSqlTestServer.Require());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private async Task<string?> ScalarAsync(string sql) => (await ScalarObjectAsync(sql))?.ToString();

    private async Task<object> WaitForAsync(string sql)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await ScalarObjectAsync(sql) is { } value and not DBNull)
            {
                return value;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("Timed out waiting for: " + sql);
    }

    private sealed class Builder : ISectigoCertificateManagementBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }
}
