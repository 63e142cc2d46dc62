using Microsoft.Extensions.Logging;

namespace Scm.Lifecycle.Internal;

/// <summary>The engine's log messages (event ids 2000+). Never keys, passwords, tokens, CSRs or keystores.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Order {OrderId} for {CommonName} stored (certificate {CertificateId}, token {Token}).")]
    public static partial void OrderCreated(ILogger logger, Guid orderId, string commonName, Guid certificateId, string token);

    [LoggerMessage(2001, LogLevel.Warning, "Order {OrderId} failed: {Reason}")]
    public static partial void OrderFailed(ILogger logger, Guid orderId, string reason);

    [LoggerMessage(2002, LogLevel.Warning, "Order {OrderId} needs attention: {Reason}")]
    public static partial void OrderStuck(ILogger logger, Guid orderId, string reason);

    [LoggerMessage(2003, LogLevel.Information, "Order {OrderId} reconciled with SCM sslId {SslId} ({Duplicates} duplicates).")]
    public static partial void OrderReconciled(ILogger logger, Guid orderId, long sslId, int duplicates);

    [LoggerMessage(2004, LogLevel.Warning, "Storing the outcome of order {OrderId} failed (attempt {Attempt}); retrying: {Error}")]
    public static partial void StoreRetry(ILogger logger, Guid orderId, int attempt, string error);

    [LoggerMessage(2005, LogLevel.Information, "Certificate {CertificateId} (sslId {SslId}) installed; valid until {NotAfter:O}.")]
    public static partial void CertificateInstalled(ILogger logger, Guid certificateId, long? sslId, DateTimeOffset notAfter);

    [LoggerMessage(2006, LogLevel.Error, "Deploying certificate {CertificateId} to {Target} failed.")]
    public static partial void DeploymentFailed(ILogger logger, Guid certificateId, string target, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Could not give renewal order {OrderId} its own correlation marker in SCM: {Error}")]
    public static partial void RetagFailed(ILogger logger, Guid orderId, string error);

    [LoggerMessage(2008, LogLevel.Error, "A lifecycle event handler failed for {EventType}.")]
    public static partial void EventHandlerFailed(ILogger logger, string eventType, Exception exception);

    [LoggerMessage(2009, LogLevel.Debug, "Order {OrderId} skipped: the lease is held by another instance or task.")]
    public static partial void LeaseBusy(ILogger logger, Guid orderId);

    [LoggerMessage(2010, LogLevel.Warning, "Lost the lease while working on order {OrderId}; stopped without changes.")]
    public static partial void LeaseLost(ILogger logger, Guid orderId);

    [LoggerMessage(2026, LogLevel.Warning, "Lost the lease of certificate {CertificateId} before its renewal was stored; nothing was sent, another instance decides.")]
    public static partial void RenewalLeaseLost(ILogger logger, Guid certificateId);

    [LoggerMessage(2011, LogLevel.Error, "Processing order {OrderId} failed; it is retried later.")]
    public static partial void OrderStepFailed(ILogger logger, Guid orderId, Exception exception);

    [LoggerMessage(2012, LogLevel.Information, "Catalog synced: {Organizations} organizations, {Domains} domains, {Profiles} profiles, {CustomFields} custom fields.")]
    public static partial void CatalogSynced(ILogger logger, int organizations, int domains, int profiles, int customFields);

    [LoggerMessage(2013, LogLevel.Information, "Import finished: {Seen} seen, {Imported} imported, {Skipped} skipped, {Failed} failed.")]
    public static partial void ImportFinished(ILogger logger, int seen, int imported, int skipped, int failed);

    [LoggerMessage(2014, LogLevel.Warning, "Importing sslId {SslId} failed: {Error}")]
    public static partial void ImportItemFailed(ILogger logger, long sslId, string error);

    [LoggerMessage(2025, LogLevel.Warning, "Writing {Count} imported orders in one transaction failed ({Error}); writing them one by one.")]
    public static partial void ImportPageCommitFailed(ILogger logger, int count, string error);

    [LoggerMessage(2015, LogLevel.Information, "Job {Job} started.")]
    public static partial void JobStarted(ILogger logger, string job);

    [LoggerMessage(2016, LogLevel.Information, "Job {Job} finished: {Summary}")]
    public static partial void JobFinished(ILogger logger, string job, string summary);

    [LoggerMessage(2017, LogLevel.Error, "Job {Job} failed; it runs again at its next slot.")]
    public static partial void JobFailed(ILogger logger, string job, Exception exception);

    [LoggerMessage(2018, LogLevel.Debug, "Job {Job} skipped: another instance holds its lease.")]
    public static partial void JobBusy(ILogger logger, string job);

    [LoggerMessage(2019, LogLevel.Warning, "The scheduler loop failed; it continues.")]
    public static partial void SchedulerLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(2020, LogLevel.Warning, "Certificate {CertificateId}: the renewal window {Window} is not shorter than its lifetime {Lifetime}; renewing in the last third of its lifetime instead.")]
    public static partial void RenewalWindowTooLong(ILogger logger, Guid certificateId, TimeSpan window, TimeSpan lifetime);

    [LoggerMessage(2021, LogLevel.Error, "SCM refused the credentials; scheduled SCM work is paused and probed every {ProbeInterval}.")]
    public static partial void CredentialsRefused(ILogger logger, TimeSpan probeInterval);

    [LoggerMessage(2022, LogLevel.Information, "SCM accepts the credentials again; scheduled work resumes.")]
    public static partial void CredentialsRestored(ILogger logger);

    [LoggerMessage(2023, LogLevel.Information, "SCM credentials reloaded from configuration ({Why}); the next request uses them.")]
    public static partial void CredentialsReloaded(ILogger logger, string why);

    [LoggerMessage(2024, LogLevel.Warning, "SCM credentials in configuration were not applied ({Why}): {Problem} The credentials in use are unchanged.")]
    public static partial void CredentialsReloadRefused(ILogger logger, string why, string problem);

    [LoggerMessage(2040, LogLevel.Error, "Order {OrderId}: SCM accepted the POST as sslId {SslId} after this instance lost the order's lease to another; {Outcome}")]
    public static partial void PostAfterLeaseLost(ILogger logger, Guid orderId, long sslId, string outcome);

    [LoggerMessage(2041, LogLevel.Warning, "Order {OrderId}: the search for a duplicate in SCM failed ({Error}); it is tried again at the next check.")]
    public static partial void DuplicateCheckFailed(ILogger logger, Guid orderId, string error);

    [LoggerMessage(2060, LogLevel.Warning, "Key protection: created the first key {KeyId} at {Location} (the store needed none).")]
    public static partial void KeyCreated(ILogger logger, string keyId, string location);

    [LoggerMessage(2061, LogLevel.Information, "Key protection: the store's key ids were derived from its stored values: {KeyIds}.")]
    public static partial void KeyIdsDerived(ILogger logger, string keyIds);

    [LoggerMessage(2062, LogLevel.Warning, "Key protection: key {KeyId} is now current (previous: {PreviousKeyId}).")]
    public static partial void KeyAdded(ILogger logger, string keyId, string previousKeyId);

    [LoggerMessage(2063, LogLevel.Information, "Key protection: rotation to key {KeyId} completed; {Records} records re-wrapped, {Failed} could not be decrypted.")]
    public static partial void RotationCompleted(ILogger logger, string keyId, int records, int failed);

    [LoggerMessage(2064, LogLevel.Error, "Key protection: the {Field} of {Record} could not be re-wrapped: {Reason}")]
    public static partial void RewrapFailed(ILogger logger, string record, string field, string reason);

    [LoggerMessage(2065, LogLevel.Error, "Key protection: the {Field} of {Record} cannot be decrypted; it is not retried automatically: {Reason}")]
    public static partial void KeyUnreadable(ILogger logger, string record, string field, string reason);

    [LoggerMessage(2066, LogLevel.Critical, "Key protection: refusing to run: {Reason}")]
    public static partial void KeyRingRefused(ILogger logger, string reason);

    [LoggerMessage(2070, LogLevel.Information, "SCM admin password change started (generated: {Generated}); the new password is pending in the host's password store.")]
    public static partial void PasswordChangeStarted(ILogger logger, bool generated);

    [LoggerMessage(2071, LogLevel.Information, "SCM admin password change ended: {Outcome} (SCM code {ScmErrorCode}).")]
    public static partial void PasswordChangeFinished(ILogger logger, ScmPasswordChangeOutcome outcome, int? scmErrorCode);
    [LoggerMessage(2080, LogLevel.Warning, "SCM is failing (its circuit breaker is open): the {Operation} pauses for {Pause} and then resumes by itself.")]
    public static partial void BulkWorkPaused(ILogger logger, string operation, TimeSpan pause);

    [LoggerMessage(2081, LogLevel.Warning, "SCM is still failing after the {Operation} paused {Paused} in all (Sectigo:BulkWork:MaxPause); it stops.")]
    public static partial void BulkWorkGaveUp(ILogger logger, string operation, TimeSpan paused);

    [LoggerMessage(2082, LogLevel.Warning, "Imported SCM order sslId {SslId} in status '{ScmStatus}', which the SDK does not know: it is followed as an open order and listed for review.")]
    public static partial void ImportUnknownStatus(ILogger logger, long sslId, string scmStatus);

    [LoggerMessage(2090, LogLevel.Information, "SCM account {Account}: {Change}.")]
    public static partial void AccountChanged(ILogger logger, string account, string change);

    [LoggerMessage(2091, LogLevel.Warning, "SCM account {Account}: the reloaded settings were not applied ({Problems}); the account keeps its settings.")]
    public static partial void AccountReloadRefused(ILogger logger, string account, string problems);

    [LoggerMessage(2100, LogLevel.Information, "Domain control validation of {Domain} renewed by {Method}.")]
    public static partial void DcvRevalidated(ILogger logger, string domain, string method);

    [LoggerMessage(2101, LogLevel.Warning, "Revalidating the domain control validation of {Domain} by {Method} failed: {Reason}")]
    public static partial void DcvRevalidationFailed(ILogger logger, string domain, string method, string reason);

    [LoggerMessage(2102, LogLevel.Warning, "The domain control validation status of {Domain} could not be read from SCM: {Reason}")]
    public static partial void DcvStatusUnreadable(ILogger logger, string domain, string reason);
}
