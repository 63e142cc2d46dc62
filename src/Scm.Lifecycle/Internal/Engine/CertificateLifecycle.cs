using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Internal.Crypto;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Lifecycle.Validation;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>The engine behind <see cref="ICertificateLifecycle"/>.</summary>
internal sealed class CertificateLifecycle : ICertificateLifecycle, IAsyncDisposable
{
    internal const string ApiActor = "api";
    internal const string SchedulerActor = "scheduler";

    private static readonly OrderState[] s_openStates =
        Enum.GetValues<OrderState>().Where(OrderStates.IsOpen).ToArray();

    private readonly EngineContext _ctx;
    private readonly OrderWorkflow _workflow;
    private readonly CertificateInstaller _installer;
    private readonly CatalogOperations _catalog;
    private readonly OrderImporter _importer;
    private readonly OrderRequestValidator _validator;
    private readonly LifecycleOperations _operations;
    private readonly AutoRenewalScanner _autoRenewal;
    private readonly PasswordRotation _passwordRotation;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private readonly Dictionary<Guid, (int Failures, DateTimeOffset NotBefore)> _stepFailures = [];
    private volatile bool _initialized;
    private long _pendingGauge;
    private double? _nearestExpiryGauge;

    private readonly IDisposable? _ownedClient;

    public CertificateLifecycle(EngineContext context, IDisposable? ownedClient = null)
    {
        _ctx = context;
        _ownedClient = ownedClient;
        _installer = new CertificateInstaller(context);
        var reconciler = new OrderReconciler(context);
        _workflow = new OrderWorkflow(context, _installer, reconciler);
        _installer.Workflow = _workflow;
        reconciler.Workflow = _workflow;
        _catalog = new CatalogOperations(context);
        _importer = new OrderImporter(context, _workflow, _installer);
        _validator = new OrderRequestValidator(context.Options.Ordering);
        _operations = new LifecycleOperations(context, _workflow, _validator);
        _autoRenewal = new AutoRenewalScanner(context, _operations, _workflow);
        _passwordRotation = new PasswordRotation(context);
        context.Telemetry.ObserveGauges(() => Interlocked.Read(ref _pendingGauge), () => _nearestExpiryGauge);
    }

    public event EventHandler<LifecycleEvent>? EventRaised
    {
        add => _ctx.Events.Raised += value;
        remove => _ctx.Events.Raised -= value;
    }

    internal EngineContext Context => _ctx;

    internal OrderWorkflow Workflow => _workflow;

    internal CertificateInstaller Installer => _installer;

    internal LifecycleOperations Operations => _operations;

    internal AutoRenewalScanner AutoRenewal => _autoRenewal;

    public async Task<LifecycleOrderResult> RenewAsync(Guid certificateId, RenewCertificateRequest? request = null, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("Renew");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _operations.RenewAsync(certificateId, request ?? new RenewCertificateRequest(), actor, "Renew", cancellationToken).ConfigureAwait(false);
    }

    public async Task<LifecycleOrderResult> ReissueAsync(Guid certificateId, ReissueCertificateRequest request, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("Reissue");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _operations.ReissueAsync(certificateId, request, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RevokeCertificateResult> RevokeAsync(Guid certificateId, RevokeCertificateRequest request, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("Revoke");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _operations.RevokeAsync(certificateId, request, actor, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            throw Public(ex);
        }
    }

    public async Task<CancelOrderResult> CancelOrderAsync(Guid orderId, string? reason = null, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("Cancel");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _operations.CancelAsync(orderId, reason, actor, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            throw Public(ex);
        }
    }

    public async Task<DeleteResult> DeleteCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _operations.DeleteCertificateAsync(certificateId, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeleteResult> DeleteOrderAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _operations.DeleteOrderAsync(orderId, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AutoRenewalPolicy> GetAutoRenewalPolicyAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _autoRenewal.GetPolicyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SetAutoRenewalPolicyAsync(AutoRenewalPolicy policy, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await _autoRenewal.SetPolicyAsync(policy, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ManagedCertificate> SetCertificateAutoRenewAsync(Guid certificateId, AutoRenewMode mode, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _autoRenewal.SetCertificateModeAsync(certificateId, mode, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AutoRenewalRunResult> RunAutoRenewalAsync(CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("AutoRenewal");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _autoRenewal.RunAsync(actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> GetAutoRenewalAuditAsync(DateTimeOffset? from = null, DateTimeOffset? to = null, Guid? certificateId = null, CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _ctx.Store.QueryAuditAsync(new AuditQuery { From = from, To = to, CertificateId = certificateId, Action = AutoRenewalScanner.Action, Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountCheckResult> CheckAccountAsync(CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("CheckAccount");
        return await _catalog.CheckAccountAsync(actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ScmPasswordChangeResult> ChangeScmPasswordAsync(IScmPasswordStore passwordStore, string? newPassword = null, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("ChangeScmPassword");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _passwordRotation.ChangeAsync(passwordStore, newPassword, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CatalogSyncResult> SyncCatalogAsync(CancellationToken cancellationToken = default)
    {
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("SyncCatalog");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _catalog.SyncAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            throw Public(ex);
        }
    }

    public async Task<ScmAccountCatalog?> GetCatalogAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ImportResult> ImportExistingOrdersAsync(ImportRequest? request = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("ImportExistingOrders");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var lease = await CertificateLease.TryAcquireAsync(_ctx.Store, _ctx.Locks, "job:import:" + _ctx.Options.AccountId, _ctx.InstanceName,
            _ctx.Options.Scheduling.JobLeaseDuration, _ctx.Time, wait: false, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Another import of this account is running (in this or another instance); try again when it has finished.");
        await using var leaseScope = lease.ConfigureAwait(false);
        try
        {
            return await _importer.ImportAsync(request ?? new ImportRequest(), actor, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            throw Public(ex);
        }
    }

    public async Task<OrderCertificateResult> OrderAsync(OrderCertificateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("Order");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        var catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        if (catalog is null)
        {
            if (!_ctx.Options.Ordering.SyncCatalogWhenMissing)
            {
                throw new InvalidOperationException("The SCM catalog was never synced; call SyncCatalogAsync first.");
            }

            catalog = (await SyncCatalogAsync(cancellationToken).ConfigureAwait(false)).Catalog;
        }

        // Domains whose control validation lapses are revalidated first; when that is not possible, nothing is sent.
        var dcv = await _ctx.Dcv.EnsureAsync((request.SubjectAlternativeNames ?? []).Prepend(request.CommonName ?? string.Empty), _ctx.Now, actor, null, cancellationToken).ConfigureAwait(false);
        if (dcv is not null)
        {
            throw new CertificateRequestValidationException([new ValidationError("SubjectAlternativeNames", "domain-dcv-lapsing", dcv + " The order was not sent.")]);
        }

        catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false) ?? catalog;
        var validated = _validator.Validate(request, catalog, _ctx.Now);
        var generated = request.KeystorePassword is null ? KeyMaterial.GeneratePassword() : null;
        var passwordBytes = Encoding.UTF8.GetBytes(generated ?? request.KeystorePassword!);
        var certificateId = RecordId.New();
        byte[] protectedPassword;
        try
        {
            protectedPassword = await _ctx.Keys.ProtectAsync(passwordBytes, KeyBindings.KeystorePassword(certificateId), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }

        var now = _ctx.Now;
        var order = new CertificateOrder
        {
            Id = RecordId.New(),
            CertificateId = certificateId,
            AccountId = _ctx.Options.AccountId,
            Kind = OrderKind.New,
            State = OrderState.Planned,
            CorrelationToken = CorrelationMarker.NewToken(),
            Request = new CertificateOrderRequest
            {
                CommonName = validated.CommonName,
                SubjectAlternativeNames = validated.SubjectAlternativeNames,
                OrganizationId = request.OrganizationId,
                ProfileId = request.ProfileId,
                TermDays = request.TermDays,
                KeyAlgorithm = validated.KeyAlgorithm,
                KeySize = validated.KeySize,
                Curve = validated.Curve,
                KeystoreType = request.KeystoreType,
                Comments = request.Comments,
                ExternalRequesters = request.ExternalRequesters,
                CustomFields = request.CustomFields,
                Tags = request.Tags,
                AutoRenew = request.AutoRenew,
            },
            ProtectedKeystorePassword = protectedPassword,
            CreatedAt = now,
            UpdatedAt = now,
            StateChangedAt = now,
        };
        var stored = (await _ctx.Store.CommitAsync(new StoreBatch().InsertOrder(order).Audit(_ctx.Audit(actor, "Order", "Requested", "Pending",
            $"Order for {validated.CommonName} ({validated.SubjectAlternativeNames.Count} names, profile {request.ProfileId}, {request.TermDays} days) accepted locally." +
            (validated.Notices.Count > 0 ? " " + string.Join(" ", validated.Notices) : string.Empty), order)), cancellationToken).ConfigureAwait(false)).Order(order.Id);
        Log.OrderCreated(_ctx.Logger, stored.Id, stored.Request.CommonName, stored.CertificateId, stored.CorrelationToken);

        var lease = await _ctx.TryLeaseCertificateAsync(stored.CertificateId, wait: true, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Could not lease the new certificate id.");
        await using var leaseScope = lease.ConfigureAwait(false);
        var report = await _workflow.AdvanceOrHandOverAsync(stored, lease, actor, cancellationToken).ConfigureAwait(false);
        return new OrderCertificateResult { Order = report.Order, GeneratedKeystorePassword = generated, Notices = validated.Notices };
    }

    public async Task<StatusCheckResult> CheckStatusAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity("CheckStatus");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var order = await _ctx.Store.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Order {orderId} does not exist.");
        return await CheckOneAsync(order, actor, force: true, wait: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StatusScanResult> CheckPendingOrdersAsync(bool dueOnly = false, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        using var activity = LifecycleTelemetry.ActivitySource.StartActivity(dueOnly ? "FollowUp" : "StatusCheck");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await ScanAsync(dueOnly, actor, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<StatusScanResult> ScanAsync(bool dueOnly, string actor, CancellationToken cancellationToken)
    {
        // Bulk work: while SCM's circuit breaker is open, the orders' reads pause and resume (Sectigo:BulkWork:MaxPause).
        using var bulk = BulkWorkScope.Begin(_ctx, dueOnly ? "follow-up scan" : "status scan");
        var results = new List<StatusCheckResult>();
        var orders = new List<CertificateOrder>();
        if (dueOnly)
        {
            orders.AddRange(await _ctx.Store.ListOpenOrdersAsync(_ctx.Now, 1000, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            string? token = null;
            do
            {
                var page = await _ctx.Store.ListOrdersAsync(new OrderQuery { States = s_openStates, PageSize = 500, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
                orders.AddRange(page.Items);
                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        Interlocked.Exchange(ref _pendingGauge, orders.Count);
        await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (order, ct) =>
        {
            var result = await CheckOneAsync(order, actor, force: !dueOnly, wait: false, ct).ConfigureAwait(false);
            lock (results)
            {
                results.Add(result);
            }
        }).ConfigureAwait(false);
        return new StatusScanResult { Results = results };
    }

    internal async Task<StatusCheckResult> CheckOneAsync(CertificateOrder order, string actor, bool force, bool wait, CancellationToken cancellationToken)
    {
        if (!force && IsBackingOff(order.Id))
        {
            return new StatusCheckResult { Order = order, PreviousState = order.State, Skipped = true, Message = "Backing off after a local failure." };
        }

        var lease = await _ctx.TryLeaseCertificateAsync(order.CertificateId, wait, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            Log.LeaseBusy(_ctx.Logger, order.Id);
            return new StatusCheckResult { Order = order, PreviousState = order.State, Skipped = true, Message = "Another instance or task is working on this certificate." };
        }

        await using var leaseScope = lease.ConfigureAwait(false);

        var current = await _ctx.Store.GetOrderAsync(order.Id, cancellationToken).ConfigureAwait(false) ?? order;
        try
        {
            var report = await _workflow.AdvanceAsync(current, lease, actor, force, cancellationToken).ConfigureAwait(false);
            ClearBackoff(order.Id);
            return new StatusCheckResult { Order = report.Order, PreviousState = current.State, InstalledCertificate = report.Installed, Message = report.Message };
        }
        catch (LeaseLostException)
        {
            Log.LeaseLost(_ctx.Logger, order.Id);
            return new StatusCheckResult { Order = current, PreviousState = current.State, Skipped = true, Message = "The lease was lost; another instance continues." };
        }
        catch (Exception ex) when (ex is ScmStoreException or ScmCallException or KeyProtectionException or CryptographicException)
        {
            Log.OrderStepFailed(_ctx.Logger, order.Id, ex);
            RecordBackoff(order.Id);
            return new StatusCheckResult { Order = current, PreviousState = current.State, Message = "Failed, retried later: " + ex.Message };
        }
    }

    public async Task<IReadOnlyList<DeploymentOutcome>> DeployAsync(Guid certificateId, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var certificate = await _ctx.Store.GetCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Certificate {certificateId} does not exist.");
        if (certificate.ProtectedKeystore is null)
        {
            throw new InvalidOperationException($"Certificate {certificateId} is observe-only (no local key); there is nothing to deploy.");
        }

        return await _installer.DeployAsync(certificate, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CertificateKeystore> GetKeystoreAsync(Guid certificateId, CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var certificate = await _ctx.Store.GetCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Certificate {certificateId} does not exist.");
        if (certificate.ProtectedKeystore is null || certificate.ProtectedKeystorePassword is null)
        {
            throw new InvalidOperationException($"Certificate {certificateId} is observe-only (no local key); it has no keystore.");
        }

        byte[] keystore, password;
        try
        {
            keystore = await _ctx.Keys.UnprotectAsync(certificate.ProtectedKeystore, KeyBindings.Keystore(certificate.Thumbprint), cancellationToken).ConfigureAwait(false);
            password = await _ctx.Keys.UnprotectAsync(certificate.ProtectedKeystorePassword, KeyBindings.KeystorePassword(certificate.Id), cancellationToken).ConfigureAwait(false);
        }
        catch (KeyProtectionException ex)
        {
            await _workflow.ReportKeyUnreadableAsync(null, certificate, ex, cancellationToken).ConfigureAwait(false);
            throw;
        }

        try
        {
            return new CertificateKeystore(certificate, keystore, Encoding.UTF8.GetString(password));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    public async Task<CertificateOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _ctx.Store.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ManagedCertificate?> GetCertificateAsync(Guid certificateId, CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _ctx.Store.GetCertificateAsync(certificateId, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ManagedCertificate> ListCertificatesAsync(CertificateStatus? status = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        string? token = null;
        do
        {
            var page = await _ctx.Store.ListCertificatesAsync(new CertificateQuery { Status = status, PageSize = 200, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public async IAsyncEnumerable<CertificateOrder> ListOrdersAsync(IReadOnlyList<OrderState>? states = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        string? token = null;
        do
        {
            var page = await _ctx.Store.ListOrdersAsync(new OrderQuery { States = states ?? [], PageSize = 200, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _ctx.Store.QueryAuditAsync(query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the store's migrations once, then checks the key ring against the store (before any key could be created),
    /// before the first operation (hosted or not). A missing key-encryption key refuses every operation, checked again
    /// on each call until it is back.
    /// </summary>
    internal async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        await EnsureStoreInitializedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _ctx.Keys.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KeyEncryptionKeyMissingException ex)
        {
            Log.KeyRingRefused(_ctx.Logger, ex.Message);
            throw;
        }
    }

    /// <summary>Runs the store's migrations once (without the key-ring check: the key status must work while keys are missing).</summary>
    internal async Task EnsureStoreInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await _ctx.Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initLock.Release();
        }
    }

    internal async Task RefreshGaugesAsync(CancellationToken cancellationToken)
    {
        var due = await _ctx.Store.ListCertificatesDueAsync(DateTimeOffset.MaxValue, 1, null, cancellationToken).ConfigureAwait(false);
        _nearestExpiryGauge = due.Count > 0 ? (due[0].NotAfter - _ctx.Now).TotalDays : null;
        var open = await _ctx.Store.ListOpenOrdersAsync(null, 10_000, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _pendingGauge, open.Count);
    }

    /// <summary>
    /// The actor of an operation a host calls: the host's <see cref="ILifecycleActorAccessor"/> (the signed-in user of a
    /// dashboard), else <c>api</c>. Read once, before anything is stored or sent; an unusable value refuses the operation.
    /// </summary>
    private string Actor()
    {
        var actor = _ctx.ActorAccessor?.Actor;
        if (string.IsNullOrEmpty(actor))
        {
            return ApiActor;
        }

        if (actor.Length > CertificateRequestLimits.MaxActorLength)
        {
            throw ActorRefused("actor-length", $"The actor supplied by ILifecycleActorAccessor must be at most {CertificateRequestLimits.MaxActorLength} characters; got {actor.Length}.");
        }

        if (string.IsNullOrWhiteSpace(actor))
        {
            throw ActorRefused("actor-blank", "The actor supplied by ILifecycleActorAccessor must not be only white space (return null for the default 'api').");
        }

        if (actor.Any(char.IsControl))
        {
            throw ActorRefused("actor-control-characters", "The actor supplied by ILifecycleActorAccessor may not contain control characters (such as a line break or NUL).");
        }

        return actor;
    }

    private static CertificateRequestValidationException ActorRefused(string rule, string message) =>
        new([new ValidationError("Actor", rule, message + " Nothing was stored or sent to SCM.")]);

    /// <summary>Maps a classified SCM failure to the client's public exception family when it surfaces to a caller.</summary>
    private static Exception Public(ScmCallException ex) => ex.InnerException is Scm.Client.ScmRequestException inner ? inner : ex.InnerException ?? ex;

    private bool IsBackingOff(Guid orderId)
    {
        lock (_stepFailures)
        {
            return _stepFailures.TryGetValue(orderId, out var f) && f.NotBefore > _ctx.Now;
        }
    }

    private void RecordBackoff(Guid orderId)
    {
        lock (_stepFailures)
        {
            var failures = _stepFailures.TryGetValue(orderId, out var f) ? f.Failures + 1 : 1;
            _stepFailures[orderId] = (failures, _ctx.Now + OrderWorkflow.Backoff(_ctx.Options.Polling.RetryDelay, failures - 1, _ctx.Options.Polling.MaxDelay));
        }
    }

    private void ClearBackoff(Guid orderId)
    {
        lock (_stepFailures)
        {
            _stepFailures.Remove(orderId);
        }
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the client this engine owns and its meter (idempotent; nothing to wait for).</summary>
    internal void Release()
    {
        _ownedClient?.Dispose();
        _ctx.Telemetry.Dispose();
    }
}
