using Microsoft.Extensions.Logging;
using Scm.Storage;

namespace Scm.Samples.Worker;

/// <summary>The sample worker's log messages (event ids 4000+). Never a password, key or keystore.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(4000, LogLevel.Information, "Sample worker: store {StorePath}, certificates deployed to {DeployDirectory}, SCM at {ScmAddress}, {Scheduling} scheduling.")]
    public static partial void Started(ILogger logger, string storePath, string deployDirectory, string scmAddress, string scheduling);

    [LoggerMessage(4001, LogLevel.Information, "Certificate issued and installed: {CommonName} (sslId {SslId}, serial {Serial}, valid until {NotAfter:O}, {Kind}).")]
    public static partial void CertificateIssued(ILogger logger, string commonName, long? sslId, string serial, DateTimeOffset notAfter, OrderKind kind);

    [LoggerMessage(4002, LogLevel.Warning, "Order for {CommonName} ended {State} (sslId {SslId}, SCM code {ScmErrorCode}): {Reason}")]
    public static partial void OrderFailed(ILogger logger, string? commonName, OrderState state, long? sslId, int? scmErrorCode, string reason);

    [LoggerMessage(4003, LogLevel.Warning, "Certificate for {CommonName} was issued but parked (licence cap): {Reason}")]
    public static partial void CertificateParked(ILogger logger, string? commonName, string reason);

    [LoggerMessage(4004, LogLevel.Warning, "Order for {CommonName} (sslId {SslId}) needs an operator: {Reason}")]
    public static partial void OrderStuck(ILogger logger, string? commonName, long? sslId, string reason);

    [LoggerMessage(4005, LogLevel.Information, "Deployed {CommonName} to {Target}: {Detail}")]
    public static partial void Deployed(ILogger logger, string? commonName, string target, string detail);

    [LoggerMessage(4006, LogLevel.Error, "Deploying {CommonName} to {Target} failed: {Detail}")]
    public static partial void DeploymentFailed(ILogger logger, string? commonName, string target, string detail);

    [LoggerMessage(4007, LogLevel.Error, "SCM refused the credentials; scheduled work is paused until they work again: {Reason}")]
    public static partial void CredentialsRefused(ILogger logger, string reason);

    [LoggerMessage(4008, LogLevel.Information, "SCM accepts the credentials again; scheduled work resumed.")]
    public static partial void CredentialsRestored(ILogger logger);

    [LoggerMessage(4009, LogLevel.Error, "Duplicate SCM orders for {CommonName}: adopted sslId {SslId}; cancel or revoke {Duplicates} in SCM.")]
    public static partial void DuplicateOrders(ILogger logger, string? commonName, long? sslId, string duplicates);

    [LoggerMessage(4010, LogLevel.Warning, "SCM issued sslId {SslId} for {CommonName} after its order was cancelled; it was not installed. Revoke it in SCM if it is not wanted.")]
    public static partial void CancelledOrderIssued(ILogger logger, long? sslId, string? commonName);

    [LoggerMessage(4020, LogLevel.Information, "Configured certificate {CommonName} (account {Account}) is already in the store; nothing ordered.")]
    public static partial void AlreadyPresent(ILogger logger, string commonName, string account);

    [LoggerMessage(4021, LogLevel.Information, "Ordered configured certificate {CommonName} in account {Account}: order {OrderId}, {State}, sslId {SslId}.")]
    public static partial void Ordered(ILogger logger, string commonName, string account, Guid orderId, OrderState state, long? sslId);

    [LoggerMessage(4022, LogLevel.Error, "Configured certificate {CommonName} was not ordered: {Reason}")]
    public static partial void NotOrdered(ILogger logger, string commonName, string reason);

    [LoggerMessage(4023, LogLevel.Information, "Configured certificates checked: {Ordered} ordered, {Present} already present, {Failed} not ordered.")]
    public static partial void DesiredChecked(ILogger logger, int ordered, int present, int failed);

    [LoggerMessage(4030, LogLevel.Information, "Health {Status}: {Description} {Data}")]
    public static partial void HealthHealthy(ILogger logger, string status, string? description, string data);

    [LoggerMessage(4031, LogLevel.Warning, "Health {Status}: {Description} {Data}")]
    public static partial void HealthDegraded(ILogger logger, string status, string? description, string data);

    [LoggerMessage(4032, LogLevel.Error, "Health {Status}: {Description} {Data}")]
    public static partial void HealthUnhealthy(ILogger logger, string status, string? description, string data);
}
