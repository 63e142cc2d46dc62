using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle.Storage;
using Scm.Storage.Sqlite;

namespace Scm.Storage.Tests;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-di-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private sealed class Builder : ISectigoCertificateManagementBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }

    [Fact]
    public async Task UseSqliteStorage_RegistersOneSingletonBehindEveryStoreInterface()
    {
        var builder = new Builder();
        builder.UseSqliteStorage(Path.Combine(_folder, "scm.db"), o => o.BusyTimeout = TimeSpan.FromSeconds(2));
        await using var provider = builder.Services.BuildServiceProvider();

        var store = provider.GetRequiredService<IScmStore>();
        Assert.IsType<SqliteScmStore>(store);
        Assert.Same(store, provider.GetRequiredService<IScmStore>());
        Assert.Same(store, provider.GetRequiredService<ICertificateStore>());
        Assert.Same(store, provider.GetRequiredService<ICatalogStore>());
        Assert.Same(store, provider.GetRequiredService<IAuditLog>());
        Assert.Same(store, provider.GetRequiredService<IJobStateStore>());
        Assert.Same(store, provider.GetRequiredService<ILeaseProvider>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(Path.Combine(_folder, "scm.db"), ((SqliteScmStore)store).DatabasePath);

        await store.InitializeAsync();
        await store.SetValueAsync("k", "v");
        Assert.Equal("v", await provider.GetRequiredService<IJobStateStore>().GetValueAsync("k"));
    }

    [Fact]
    public async Task UseSqliteStorage_RegisteredClock_IsUsedForLeases()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var builder = new Builder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.UseSqliteStorage(Path.Combine(_folder, "clock.db"));
        await using var provider = builder.Services.BuildServiceProvider();

        var lease = await provider.GetRequiredService<ILeaseProvider>().TryAcquireLeaseAsync("job", "me", TimeSpan.FromMinutes(1));
        Assert.Equal(time.GetUtcNow().AddMinutes(1), lease!.ExpiresAt);
    }

    [Fact]
    public async Task UseInMemoryStorage_ReplacesAnEarlierStore_AndForwardsEveryInterface()
    {
        var builder = new Builder();
        builder.UseSqliteStorage(Path.Combine(_folder, "unused.db"));
        builder.UseInMemoryStorage();
        await using var provider = builder.Services.BuildServiceProvider();

        var store = provider.GetRequiredService<IScmStore>();
        Assert.IsType<InMemoryScmStore>(store);
        Assert.Same(store, provider.GetRequiredService<ICertificateStore>());
        Assert.Same(store, provider.GetRequiredService<ILeaseProvider>());
        Assert.Same(store, provider.GetRequiredService<IAuditLog>());
        Assert.False(File.Exists(Path.Combine(_folder, "unused.db")));
    }

    [Fact]
    public void UseSqliteStorage_MissingPath_ThrowsArgumentException()
    {
        var builder = new Builder();
        Assert.ThrowsAny<ArgumentException>(() => builder.UseSqliteStorage(""));
        Assert.Throws<ArgumentNullException>("builder", () => SqliteStorageBuilderExtensions.UseSqliteStorage(null!, "x.db"));
    }
}
