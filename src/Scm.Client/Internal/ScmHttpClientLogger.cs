using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace Scm.Client.Internal;

/// <summary>
/// Replaces IHttpClientFactory's default request logging for the SCM clients. The default logger redacts header values
/// in its message text but hands the raw values (password, bearer token) to structured-logging providers in its state;
/// this one logs method, path without query, status and duration only, for every attempt.
/// </summary>
internal sealed partial class ScmHttpClientLogger(ILogger logger) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            AttemptStarting(logger, request.Method.Method, PathOf(request));
        }

        return null;
    }

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            AttemptCompleted(logger, request.Method.Method, PathOf(request), (int)response.StatusCode, elapsed.TotalMilliseconds);
        }
    }

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        AttemptFailed(logger, request.Method.Method, PathOf(request), exception.GetType().Name, elapsed.TotalMilliseconds);

    private static string PathOf(HttpRequestMessage request) => request.RequestUri is { IsAbsoluteUri: true } u ? u.AbsolutePath : string.Empty;

    [LoggerMessage(EventId = 1011, EventName = "ScmHttpAttemptStarting", Level = LogLevel.Trace, Message = "HTTP {Method} {Path} attempt starting")]
    private static partial void AttemptStarting(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 1012, EventName = "ScmHttpAttemptCompleted", Level = LogLevel.Trace, Message = "HTTP {Method} {Path} attempt answered {StatusCode} in {ElapsedMilliseconds} ms")]
    private static partial void AttemptCompleted(ILogger logger, string method, string path, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(EventId = 1013, EventName = "ScmHttpAttemptFailed", Level = LogLevel.Debug, Message = "HTTP {Method} {Path} attempt failed with {ExceptionType} after {ElapsedMilliseconds} ms")]
    private static partial void AttemptFailed(ILogger logger, string method, string path, string exceptionType, double elapsedMilliseconds);
}
