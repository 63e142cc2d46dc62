using Microsoft.Extensions.Logging;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Scheduling;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Accounts;

/// <summary>
/// An account's <see cref="ICertificateLifecycle"/> as hosts hold it (keyed services, the provider): every call goes to
/// the account's current engine, so a reloaded or re-registered account is picked up, and event subscriptions stay.
/// </summary>
internal sealed class AccountLifecycleProxy(AccountEngines engines, string account) : ICertificateLifecycle
{
    public string Account => account;

    /// <summary>The engine behind the proxy now.</summary>
    internal Engine.CertificateLifecycle Current => engines.Require(account).Lifecycle;

    public event EventHandler<LifecycleEvent>? EventRaised
    {
        add => engines.Subscribe(account, value!, add: true);
        remove => engines.Subscribe(account, value!, add: false);
    }

    public Task<AccountCheckResult> CheckAccountAsync(CancellationToken cancellationToken = default) => Current.CheckAccountAsync(cancellationToken);

    public Task<ScmPasswordChangeResult> ChangeScmPasswordAsync(IScmPasswordStore passwordStore, string? newPassword = null, CancellationToken cancellationToken = default) =>
        Current.ChangeScmPasswordAsync(passwordStore, newPassword, cancellationToken);

    public Task<CatalogSyncResult> SyncCatalogAsync(CancellationToken cancellationToken = default) => Current.SyncCatalogAsync(cancellationToken);

    public Task<ScmAccountCatalog?> GetCatalogAsync(CancellationToken cancellationToken = default) => Current.GetCatalogAsync(cancellationToken);

    public Task<ImportResult> ImportExistingOrdersAsync(ImportRequest? request = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Current.ImportExistingOrdersAsync(request, progress, cancellationToken);

    public Task<OrderCertificateResult> OrderAsync(OrderCertificateRequest request, CancellationToken cancellationToken = default) => Current.OrderAsync(request, cancellationToken);

    public Task<StatusCheckResult> CheckStatusAsync(Guid orderId, CancellationToken cancellationToken = default) => Current.CheckStatusAsync(orderId, cancellationToken);

    public Task<StatusScanResult> CheckPendingOrdersAsync(bool dueOnly = false, CancellationToken cancellationToken = default) => Current.CheckPendingOrdersAsync(dueOnly, cancellationToken);

    public Task<LifecycleOrderResult> RenewAsync(Guid certificateId, RenewCertificateRequest? request = null, CancellationToken cancellationToken = default) =>
        Current.RenewAsync(certificateId, request, cancellationToken);

    public Task<LifecycleOrderResult> ReissueAsync(Guid certificateId, ReissueCertificateRequest request, CancellationToken cancellationToken = default) =>
        Current.ReissueAsync(certificateId, request, cancellationToken);

    public Task<RevokeCertificateResult> RevokeAsync(Guid certificateId, RevokeCertificateRequest request, CancellationToken cancellationToken = default) =>
        Current.RevokeAsync(certificateId, request, cancellationToken);

    public Task<CancelOrderResult> CancelOrderAsync(Guid orderId, string? reason = null, CancellationToken cancellationToken = default) => Current.CancelOrderAsync(orderId, reason, cancellationToken);

    public Task<DeleteResult> DeleteCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) => Current.DeleteCertificateAsync(certificateId, cancellationToken);

    public Task<DeleteResult> DeleteOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => Current.DeleteOrderAsync(orderId, cancellationToken);

    public Task<AutoRenewalPolicy> GetAutoRenewalPolicyAsync(CancellationToken cancellationToken = default) => Current.GetAutoRenewalPolicyAsync(cancellationToken);

    public Task SetAutoRenewalPolicyAsync(AutoRenewalPolicy policy, CancellationToken cancellationToken = default) => Current.SetAutoRenewalPolicyAsync(policy, cancellationToken);

    public Task<ManagedCertificate> SetCertificateAutoRenewAsync(Guid certificateId, AutoRenewMode mode, CancellationToken cancellationToken = default) =>
        Current.SetCertificateAutoRenewAsync(certificateId, mode, cancellationToken);

    public Task<AutoRenewalRunResult> RunAutoRenewalAsync(CancellationToken cancellationToken = default) => Current.RunAutoRenewalAsync(cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> GetAutoRenewalAuditAsync(DateTimeOffset? from = null, DateTimeOffset? to = null, Guid? certificateId = null, CancellationToken cancellationToken = default) =>
        Current.GetAutoRenewalAuditAsync(from, to, certificateId, cancellationToken);

    public Task<IReadOnlyList<DeploymentOutcome>> DeployAsync(Guid certificateId, CancellationToken cancellationToken = default) => Current.DeployAsync(certificateId, cancellationToken);

    public Task<CertificateKeystore> GetKeystoreAsync(Guid certificateId, CancellationToken cancellationToken = default) => Current.GetKeystoreAsync(certificateId, cancellationToken);

    public Task<CertificateOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => Current.GetOrderAsync(orderId, cancellationToken);

    public Task<ManagedCertificate?> GetCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default) => Current.GetCertificateAsync(certificateId, cancellationToken);

    public IAsyncEnumerable<ManagedCertificate> ListCertificatesAsync(CertificateStatus? status = null, CancellationToken cancellationToken = default) => Current.ListCertificatesAsync(status, cancellationToken);

    public IAsyncEnumerable<CertificateOrder> ListOrdersAsync(IReadOnlyList<OrderState>? states = null, CancellationToken cancellationToken = default) => Current.ListOrdersAsync(states, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => Current.QueryAuditAsync(query, cancellationToken);

    /// <summary>Nothing: the account's engine belongs to the host (released when the host stops).</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override string ToString() => $"ICertificateLifecycle {{ Account = {account} }}";
}

/// <summary>An account's job runner as hosts hold it: every run goes to the account's current engine.</summary>
internal sealed class AccountJobRunnerProxy(AccountEngines engines, string account) : ILifecycleJobRunner
{
    public Task<JobRunResult> RunAsync(LifecycleJob job, CancellationToken cancellationToken = default) => engines.Require(account).Runner.RunAsync(job, cancellationToken);

    public Task<DateTimeOffset?> GetLastRunAsync(LifecycleJob job, CancellationToken cancellationToken = default) => engines.Require(account).Runner.GetLastRunAsync(job, cancellationToken);
}

/// <summary>A logger whose every entry carries the account (a scope <c>ScmAccount=name</c>), so one host's log tells its accounts apart.</summary>
internal sealed class AccountLogger(ILogger inner, string account) : ILogger
{
    private readonly KeyValuePair<string, object?>[] _scope = [new("ScmAccount", account)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        using (inner.BeginScope(_scope))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
