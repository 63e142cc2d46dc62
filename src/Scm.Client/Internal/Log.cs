using Microsoft.Extensions.Logging;

namespace Scm.Client.Internal;

/// <summary>Every log line of Scm.Client (event ids 1000+). Never a secret, a body, a CSR or a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "ScmRequestStarting", Level = LogLevel.Debug, Message = "SCM {Operation} {Method} {PathTemplate} starting")]
    public static partial void RequestStarting(ILogger logger, string operation, string method, string pathTemplate);

    [LoggerMessage(EventId = 1001, EventName = "ScmRequestCompleted", Level = LogLevel.Debug, Message = "SCM {Operation} {Method} answered HTTP {StatusCode} in {ElapsedMilliseconds} ms")]
    public static partial void RequestCompleted(ILogger logger, string operation, string method, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(EventId = 1002, EventName = "ScmRequestFailed", Level = LogLevel.Warning, Message = "SCM {Operation} {Method} failed with HTTP {StatusCode}, SCM code {ScmErrorCode}")]
    public static partial void RequestFailed(ILogger logger, string operation, string method, int statusCode, int? scmErrorCode);

    [LoggerMessage(EventId = 1003, EventName = "ScmTransportFailed", Level = LogLevel.Warning, Message = "SCM {Operation} {Method} got no response: {Failure}")]
    public static partial void TransportFailed(ILogger logger, string operation, string method, ScmTransportFailure failure);

    [LoggerMessage(EventId = 1004, EventName = "ScmProtocolError", Level = LogLevel.Warning, Message = "SCM {Operation} {Method} returned an unusable response (HTTP {StatusCode}): {Problem}")]
    public static partial void ProtocolError(ILogger logger, string operation, string method, int statusCode, string problem);

    [LoggerMessage(EventId = 1005, EventName = "ScmCollectNotReady", Level = LogLevel.Information, Message = "SCM certificate {SslId} is not ready for collection (SCM code {ScmErrorCode})")]
    public static partial void CollectNotReady(ILogger logger, long sslId, int? scmErrorCode);

    [LoggerMessage(EventId = 1006, EventName = "ScmTokenAcquired", Level = LogLevel.Debug, Message = "OAuth2 token acquired; expires in {ExpiresInSeconds} s, refreshed after {RefreshAfterSeconds} s")]
    public static partial void TokenAcquired(ILogger logger, long expiresInSeconds, long refreshAfterSeconds);

    [LoggerMessage(EventId = 1007, EventName = "ScmTokenRequestFailed", Level = LogLevel.Warning, Message = "OAuth2 token request failed with HTTP {StatusCode} ({OAuthError})")]
    public static partial void TokenRequestFailed(ILogger logger, int statusCode, string? oAuthError);

    [LoggerMessage(EventId = 1008, EventName = "ScmTokenRejected", Level = LogLevel.Information, Message = "SCM rejected the bearer token (HTTP 401) for {Method}; the cached token is dropped")]
    public static partial void TokenRejected(ILogger logger, string method);

    [LoggerMessage(EventId = 1009, EventName = "ScmRateLimited", Level = LogLevel.Warning, Message = "SCM rate limited {Operation}; Retry-After {RetryAfter}")]
    public static partial void RateLimited(ILogger logger, string operation, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 1010, EventName = "ScmServerCertificateRejected", Level = LogLevel.Warning, Message = "The SCM server certificate was rejected: {Errors}")]
    public static partial void ServerCertificateRejected(ILogger logger, string errors);
}
