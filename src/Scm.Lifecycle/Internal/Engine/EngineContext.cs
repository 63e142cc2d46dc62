using Microsoft.Extensions.Logging;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>Everything the engine's parts share.</summary>
internal sealed class EngineContext
{
    public EngineContext(
        SectigoCertificateManagementOptions options,
        IScmGateway gateway,
        IScmStore store,
        IPrivateKeyProtector protector,
        TimeProvider time,
        ILogger logger,
        LifecycleTelemetry telemetry,
        EventDispatcher events,
        IInventoryQuota quota,
        IReadOnlyList<ICertificateDeploymentTarget> deploymentTargets,
        TimeSpan postTimeout)
    {
        Options = options;
        AuthCircuit = new AuthCircuit();
        RawGateway = gateway;
        Gateway = new CircuitGateway(new PausingGateway(gateway), AuthCircuit, time);
        Store = store;
        Protector = protector;
        Time = time;
        Logger = logger;
        Telemetry = telemetry;
        Events = events;
        Quota = quota;
        DeploymentTargets = deploymentTargets;
        PostTimeout = postTimeout;
        InstanceName = string.IsNullOrWhiteSpace(options.InstanceName)
            ? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}"
            : options.InstanceName;
        Keys = new KeyRingGuard(store, protector, time, Locks, InstanceName, logger);
        Dcv = new DcvKeeper(this);
    }

    /// <summary>Keeps domain control validation alive before orders and renewals.</summary>
    public DcvKeeper Dcv { get; }

    public SectigoCertificateManagementOptions Options { get; }

    /// <summary>SCM behind the credential circuit (and, in bulk work, pausing reads while SCM's circuit breaker is open): what every operation uses.</summary>
    public IScmGateway Gateway { get; }

    /// <summary>SCM without the circuit: only for probes and the account check.</summary>
    public IScmGateway RawGateway { get; }

    /// <summary>The account-wide credential circuit.</summary>
    public AuthCircuit AuthCircuit { get; }

    /// <summary>Re-reads the credentials from configuration (engines set up from IConfiguration), or null.</summary>
    public CredentialReloader? CredentialReloader { get; init; }

    /// <summary>The configuration key of this account's SCM password (a password change tells the host where it belongs).</summary>
    public string PasswordConfigurationKey { get; init; } = ScmPasswordChange.DefaultConfigurationKey;

    public IScmStore Store { get; }

    public IPrivateKeyProtector Protector { get; }

    /// <summary>Protect and unprotect through here: the key-ring guard checks the ring against the store and records key ids.</summary>
    public KeyRingGuard Keys { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public LifecycleTelemetry Telemetry { get; }

    public EventDispatcher Events { get; }

    public IInventoryQuota Quota { get; }

    public IReadOnlyList<ICertificateDeploymentTarget> DeploymentTargets { get; }

    /// <summary>Publishes DCV challenges when a domain must be revalidated, or null (then lapsing domains are only warned about).</summary>
    public DomainValidation.IDcvResponder? DcvResponder { get; init; }

    /// <summary>Who acts in operations a host calls (the audit's actor), or null for <c>api</c>.</summary>
    public ILifecycleActorAccessor? ActorAccessor { get; init; }

    /// <summary>The client's timeout for one POST attempt.</summary>
    public TimeSpan PostTimeout { get; }

    public string InstanceName { get; }

    public LocalLocks Locks { get; } = new();

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The store key under which any instance flags the credential circuit of this account as open.</summary>
    public string AuthCircuitKey => "auth-circuit:" + Options.AccountId;

    public TimeSpan MinimumLeaseBeforePost => Options.Leases.MinimumRemainingBeforePost ?? PostTimeout + TimeSpan.FromSeconds(15);

    public static string CertificateLeaseName(Guid certificateId) => "cert:" + certificateId.ToString("N");

    public Task<CertificateLease?> TryLeaseCertificateAsync(Guid certificateId, bool wait, CancellationToken cancellationToken) =>
        CertificateLease.TryAcquireAsync(Store, Locks, CertificateLeaseName(certificateId), InstanceName, Options.Leases.CertificateLeaseDuration, Time, wait, cancellationToken);

    public AuditEntry Audit(string actor, string action, string decision, string outcome, string? reason, CertificateOrder? order = null, ManagedCertificate? certificate = null) => new()
    {
        Timestamp = Now,
        Actor = actor,
        Action = action,
        Decision = decision,
        Outcome = outcome,
        Reason = reason,
        OrderId = order?.Id,
        CertificateId = certificate?.Id ?? order?.CertificateId,
        SslId = order?.SslId ?? certificate?.SslId,
        CommonName = order?.Request.CommonName ?? certificate?.CommonName,
        AccountId = Options.AccountId,
    };
}
