using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Scm.Tests.Shared;

/// <summary>
/// Collects every log line of a host into a queue (all levels, Trace included), so that tests can look for what was
/// said and, above all, for what must never be said (secrets): "{level} {category}[{event id}] {message} {exception}".
/// </summary>
internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(sink, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
