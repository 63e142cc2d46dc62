using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Scm.Client;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Issue 14, section 5: a host built with <c>Host.CreateApplicationBuilder</c> (default level Information) is quiet about
/// SCM requests that succeed, and still shows retries, failed attempts and breaker transitions. Pins the levels.
/// </summary>
public sealed class HostLoggingTests
{
    private sealed record Entry(string Category, LogLevel Level, int EventId, string Message);

    /// <summary>Records what reaches it; the host's filters decide what that is.</summary>
    private sealed class Recorder : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(Recorder owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception)));
        }
    }

    /// <summary>A second provider type, so that a filter can open the Polly category to Debug for it alone.</summary>
    private sealed class DebugRecorder : ILoggerProvider
    {
        private readonly Recorder _inner = new();

        public ConcurrentQueue<Entry> Entries => _inner.Entries;

        public ILogger CreateLogger(string categoryName) => _inner.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task DefaultHost_SuccessfulRequestsQuietAtInformation_RetriesFailuresAndBreakerVisible()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
        await using var simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions { TimeProvider = time, Seed = 14, Log = null });
        var root = Path.Combine(Path.GetTempPath(), "scm-host-logging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var defaults = new Recorder();
        var everything = new DebugRecorder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(defaults);
        builder.Logging.AddProvider(everything);
        builder.Logging.AddFilter<DebugRecorder>("Polly", LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSectigoCertificateManagement(o =>
        {
            o.Client.BaseAddress = simulator.BaseAddress;
            o.Client.Login = simulator.Credentials.Login;
            o.Client.Password = simulator.Credentials.Password;
            o.Client.CustomerUri = simulator.Credentials.CustomerUri;
            o.Scheduling.Enabled = false;
            o.KeyProtection.Key = Convert.ToBase64String(new byte[32]);
        }).UseInMemoryStorage();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var lifecycle = host.Services.GetRequiredService<ICertificateLifecycle>();
            var client = host.Services.GetRequiredService<ScmClient>();

            // Successful requests: nothing from Polly at the host's default level; the attempts are there at Debug.
            await lifecycle.SyncCatalogAsync();
            var requests = simulator.Counters.Requests;
            Assert.True(requests >= 3, $"{requests} requests");
            Assert.DoesNotContain(defaults.Entries, e => e.Category.StartsWith("Polly", StringComparison.Ordinal));
            var attempts = everything.Entries.Where(e => e.Category == "Polly" && e.EventId == 3).ToArray();
            Assert.Equal(requests, attempts.Length);
            Assert.All(attempts, e => Assert.Equal(LogLevel.Debug, e.Level));
            Assert.All(attempts, e => Assert.Contains("Execution attempt", e.Message, StringComparison.Ordinal));

            // A failed attempt and its retry stay visible at the default level.
            var first = simulator.Faults.Add(ScmFault.On("GET", "/ssl/v1/types").HtmlErrorPage(502).Once());
            await PumpAsync(time, client.Ssl.ListProfilesAsync());
            Assert.Equal(1, first.Hits);
            var visible = defaults.Entries.Where(e => e.Category == "Polly").ToArray();
            Assert.Contains(visible, e => e.EventId == 3 && e.Level == LogLevel.Warning && e.Message.Contains("Handled: 'True'", StringComparison.Ordinal));
            Assert.Contains(visible, e => e.Level == LogLevel.Warning && e.Message.Contains("OnRetry", StringComparison.Ordinal));
            Assert.DoesNotContain(visible, e => e.Level == LogLevel.Information);

            // SCM down: twelve calls at once fail for good (each after its retries) and open the breaker, logged as an error.
            time.Advance(TimeSpan.FromMinutes(2)); // the successes so far leave the breaker's sampling window
            simulator.Faults.Add(ScmFault.On("GET", "/ssl/v1/*").ServerError(503));
            var calls = Enumerable.Range(0, 12).Select(_ => client.Ssl.GetAsync(1)).ToArray();
            await Assert.ThrowsAnyAsync<ScmRequestException>(() => PumpAsync(time, Task.WhenAll(calls)));
            Assert.All(calls, c => Assert.IsAssignableFrom<ScmRequestException>(c.Exception!.InnerException));

            Assert.Contains(defaults.Entries, e => e.Category == "Polly" && e.Level == LogLevel.Error && e.Message.Contains("OnCircuitOpened", StringComparison.Ordinal));
            var open = await Assert.ThrowsAsync<ScmTransportException>(() => client.Ssl.GetAsync(1));
            Assert.Equal(ScmTransportFailure.CircuitOpen, open.Failure);
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Moves the fake clock on (retry delays) until <paramref name="task"/> ends; bounded.</summary>
    private static async Task PumpAsync(FakeTimeProvider time, Task task)
    {
        for (var i = 0; i < 3000 && !task.IsCompleted; i++)
        {
            await Task.WhenAny(task, Task.Delay(10));
            if (!task.IsCompleted)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        await task;
    }

    /// <summary>Moves the fake clock on (retry delays) until <paramref name="task"/> ends; bounded.</summary>
    private static async Task<T> PumpAsync<T>(FakeTimeProvider time, Task<T> task)
    {
        for (var i = 0; i < 3000 && !task.IsCompleted; i++)
        {
            await Task.WhenAny(task, Task.Delay(10));
            if (!task.IsCompleted)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return await task;
    }
}
