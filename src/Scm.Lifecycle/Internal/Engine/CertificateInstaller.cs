using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Scm.Lifecycle.Deployment;
using Scm.Lifecycle.Internal.Crypto;
using Scm.Lifecycle.Internal.KeyProtection;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Collects issued certificates, verifies them (leaf chosen by our public key, names, validity), builds the keystore,
/// and installs them into the inventory in one fenced transaction — or parks them when the licence cap is reached.
/// </summary>
internal sealed class CertificateInstaller
{
    /// <summary>Tolerated NotBefore in the future (CA backdating, our clock behind).</summary>
    private static readonly TimeSpan s_notBeforeSkew = TimeSpan.FromDays(1);

    private readonly EngineContext _ctx;
    private OrderWorkflow? _workflow;

    public CertificateInstaller(EngineContext context) => _ctx = context;

    /// <summary>Wired after construction (the two call each other).</summary>
    public OrderWorkflow Workflow
    {
        get => _workflow ?? throw new InvalidOperationException("The installer is not wired to a workflow.");
        set => _workflow = value;
    }

    public async Task<StepResult> CollectAndInstallAsync(CertificateOrder order, ScmOrderView view, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        ScmCollectOutcome collected;
        try
        {
            collected = await _ctx.Gateway.CollectAsync(order.SslId!.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex) when (ex.ScmErrorCode is -110 or -169)
        {
            return await Workflow.MarkStuckAsync(order with { ScmStatus = view.Status }, lease, actor,
                $"SCM reports sslId {order.SslId} as {view.Status} but refuses to deliver it ({ex.Message}); an operator must decide. No new order is placed.",
                cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException ex)
        {
            return await Workflow.DeferAsync(order with { ScmStatus = view.Status }, lease, ex.Message, ex.ScmErrorCode, ex.RetryAfter, cancellationToken).ConfigureAwait(false);
        }

        if (!collected.IsReady || collected.Certificates is null)
        {
            return await Workflow.WaitForIssuanceAsync(order, lease, actor, view.Status + " (not collectable yet)", awaitingApproval: false, cancellationToken).ConfigureAwait(false);
        }

        using var bundle = new DisposableCollection(collected.Certificates);
        AsymmetricAlgorithm? key = null;
        try
        {
            X509Certificate2? leaf;
            if (order.ProtectedPrivateKey is not null)
            {
                key = await Workflow.UnprotectKeyAsync(order, cancellationToken).ConfigureAwait(false);
                var spki = KeyMaterial.SubjectPublicKeyInfo(key);
                leaf = bundle.Items.FirstOrDefault(c => KeyMaterial.Matches(c, spki));
                if (leaf is null)
                {
                    if (order.Kind == OrderKind.Reissue && await StillOldCertificateAsync(order, bundle.Items, cancellationToken).ConfigureAwait(false))
                    {
                        return await Workflow.WaitForIssuanceAsync(order, lease, actor, view.Status + " (previous certificate still delivered)", awaitingApproval: false, cancellationToken).ConfigureAwait(false);
                    }

                    // No end-entity certificate at all (empty, or only CA certificates: a download cut off before the
                    // leaf) is an incomplete answer, not a certificate for another key: collect again later instead of
                    // closing the order as InvalidCertificate.
                    if (!bundle.Items.Any(IsEndEntity))
                    {
                        return await Workflow.DeferAsync(order with { ScmStatus = view.Status }, lease,
                            $"SCM delivered an incomplete certificate bundle for sslId {order.SslId} ({bundle.Items.Count} CA certificates, no end-entity certificate); collecting again later.",
                            null, null, cancellationToken).ConfigureAwait(false);
                    }

                    return await RejectAsync(order, lease, actor, "The collected certificate's public key differs from the order's key; it was not installed.", cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                leaf = collected.StructuralLeaf ?? bundle.Items.FirstOrDefault();
                if (leaf is null)
                {
                    return await RejectAsync(order, lease, actor, "SCM delivered no certificate.", cancellationToken).ConfigureAwait(false);
                }
            }

            var problem = Verify(order, leaf);
            if (problem is not null)
            {
                return await RejectAsync(order, lease, actor, problem, cancellationToken).ConfigureAwait(false);
            }

            var issuers = IssuerChain(leaf, bundle.Items);
            return await InstallAsync(order with { ScmStatus = view.Status }, leaf, issuers, key, lease, actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            key?.Dispose();
        }
    }

    /// <summary>
    /// The import's fast path for an issued SCM order not yet stored: collect it, verify it and return the writes of its
    /// install (the observe-only certificate, the order inserted completed, the import's audit entry, then the install's),
    /// which the import commits with the rest of its page, without a lease (no other instance knows the fresh ids until
    /// that commit). Only without a licence cap or custom quota (those need the inventory lock). Returns null, having
    /// stored nothing, when anything is not plain (not collectable yet, refused, no usable leaf, a verification problem):
    /// the caller then takes the general path, which records each of those cases.
    /// </summary>
    public async Task<PreparedInstall?> PrepareImportedAsync(CertificateOrder order, ScmOrderView view, AuditEntry importAudit, string actor, CancellationToken cancellationToken)
    {
        if (order.Kind != OrderKind.Import || order.ProtectedPrivateKey is not null
            || _ctx.Options.Inventory.MaxManagedCertificates is not null || _ctx.Quota is not LicenceCapQuota)
        {
            return null;
        }

        ScmCollectOutcome collected;
        try
        {
            collected = await _ctx.Gateway.CollectAsync(order.SslId!.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException)
        {
            return null;
        }

        if (!collected.IsReady || collected.Certificates is null)
        {
            return null;
        }

        using var bundle = new DisposableCollection(collected.Certificates);
        var leaf = collected.StructuralLeaf ?? bundle.Items.FirstOrDefault();
        if (leaf is null || Verify(order, leaf) is not null)
        {
            return null;
        }

        var prepared = Prepare(order with { ScmStatus = view.Status }, leaf, KeystoreFactory.ChainPem(leaf, IssuerChain(leaf, bundle.Items)), key: null, protectedKeystore: null, replaces: null, actor, _ctx.Now);
        return prepared with { ImportAudit = importAudit };
    }

    /// <summary>After the commit of a prepared install: telemetry, log, the issued event and (with a keystore) deployment.</summary>
    public Task<StepResult> AnnounceAsync(PreparedInstall prepared, StoreBatchResult committed, CancellationToken cancellationToken) =>
        AnnounceAsync(prepared, committed.Certificate(prepared.Certificate.Id), committed.Order(prepared.Completed.Id), cancellationToken);

    /// <summary>Adds the writes of a prepared install to a batch, in the order a single install commits them.</summary>
    public static StoreBatch AddTo(StoreBatch batch, PreparedInstall prepared)
    {
        batch.InsertCertificate(prepared.Certificate);
        if (prepared.ImportAudit is { } importAudit)
        {
            // The order was never stored: it is inserted completed, with the audit entry of its import first.
            batch.InsertOrder(prepared.Completed).Audit(importAudit);
        }
        else
        {
            batch.UpdateOrder(prepared.Completed);
        }

        batch.Audit(prepared.Audit);
        if (prepared.Superseded is { } superseded)
        {
            batch.UpdateCertificate(superseded);
        }

        return batch;
    }

    /// <summary>Parked: try again to install (capacity may have freed).</summary>
    public async Task<StepResult> InstallParkedAsync(CertificateOrder order, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(order.CollectedCertificatePem))
        {
            return await Workflow.MarkStuckAsync(order, lease, actor, "A parked order has no collected certificate.", cancellationToken).ConfigureAwait(false);
        }

        var all = new X509Certificate2Collection();
        all.ImportFromPem(order.CollectedCertificatePem);
        using var bundle = new DisposableCollection(all);
        AsymmetricAlgorithm? key = null;
        try
        {
            var leaf = bundle.Items[0];
            if (order.ProtectedPrivateKey is not null)
            {
                key = await Workflow.UnprotectKeyAsync(order, cancellationToken).ConfigureAwait(false);
            }

            if (leaf.NotAfter.ToUniversalTime() <= _ctx.Now.UtcDateTime)
            {
                return await RejectAsync(order, lease, actor, "The parked certificate expired before capacity freed; it was not installed.", cancellationToken).ConfigureAwait(false);
            }

            return await InstallAsync(order, leaf, bundle.Items.Skip(1).ToArray(), key, lease, actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            key?.Dispose();
        }
    }

    /// <summary>Installs a verified certificate (or parks it), in one fenced transaction, then deploys it.</summary>
    public async Task<StepResult> InstallAsync(
        CertificateOrder order, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> issuers, AsymmetricAlgorithm? key,
        CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        // Without a cap (no MaxManagedCertificates and the default quota) there is nothing to count against: taking the
        // inventory lock would only funnel every install of every instance through one store lease, where the losers
        // defer a whole poll and a holder killed mid-install blocks all installs until its lease expires.
        if (_ctx.Options.Inventory.MaxManagedCertificates is null && _ctx.Quota is LicenceCapQuota)
        {
            return await InstallCoreAsync(order, leaf, issuers, key, lease, actor, cancellationToken).ConfigureAwait(false);
        }

        // Count and insert under one inventory lock (this process and, through the store, every other one), so two
        // installs can never both see room for the last licence.
        var inventory = await CertificateLease.TryAcquireAsync(_ctx.Store, _ctx.Locks, "inventory:" + _ctx.Options.AccountId, _ctx.InstanceName,
            TimeSpan.FromMinutes(1), _ctx.Time, wait: true, cancellationToken).ConfigureAwait(false);
        if (inventory is null)
        {
            return await Workflow.DeferAsync(order, lease, "Another instance is installing a certificate; retrying shortly.", null, _ctx.Options.Polling.InitialDelay, cancellationToken).ConfigureAwait(false);
        }

        await using var inventoryScope = inventory.ConfigureAwait(false);
        return await InstallCoreAsync(order, leaf, issuers, key, lease, actor, cancellationToken).ConfigureAwait(false);
    }

    private async Task<StepResult> InstallCoreAsync(
        CertificateOrder order, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> issuers, AsymmetricAlgorithm? key,
        CertificateLease? lease, string actor, CancellationToken cancellationToken)
    {
        var now = _ctx.Now;
        var replaces = order.Kind is OrderKind.Renewal or OrderKind.Reissue
            ? await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false)
            : null;
        // Without a cap and with the default quota every install is allowed: skip the count (a scan of the inventory per
        // install, the largest cost of a bulk import into a large SQLite store).
        QuotaDecision decision;
        if (_ctx.Options.Inventory.MaxManagedCertificates is null && _ctx.Quota is LicenceCapQuota)
        {
            decision = QuotaDecision.Allow;
        }
        else
        {
            var active = await _ctx.Store.CountCertificatesAsync(CertificateStatus.Active, cancellationToken).ConfigureAwait(false);
            decision = await _ctx.Quota.CanInstallAsync(
                new InventoryQuotaContext(active, _ctx.Options.Inventory.MaxManagedCertificates, order.Kind, order.Request.CommonName, replaces?.Status == CertificateStatus.Active),
                cancellationToken).ConfigureAwait(false);
        }

        var chainPem = KeystoreFactory.ChainPem(leaf, issuers);
        if (!decision.Allowed)
        {
            return await ParkAsync(order, chainPem, decision.Reason ?? "The inventory is full.", lease ?? throw new InvalidOperationException("Parking needs the certificate's lease."), actor, cancellationToken).ConfigureAwait(false);
        }

        byte[]? protectedKeystore = null;
        if (key is not null && order.ProtectedKeystorePassword is not null)
        {
            var passwordBytes = await _ctx.Keys.UnprotectAsync(order.ProtectedKeystorePassword, KeyBindings.KeystorePassword(order.CertificateId), cancellationToken).ConfigureAwait(false);
            byte[]? keystore = null;
            try
            {
                var password = Encoding.UTF8.GetString(passwordBytes);
                keystore = KeystoreFactory.Build(order.Request.KeystoreType, leaf, issuers, key, password, _ctx.Options.Ordering.Pkcs12Iterations);
                protectedKeystore = await _ctx.Keys.ProtectAsync(keystore, KeyBindings.Keystore(Convert.ToHexString(SHA256.HashData(leaf.RawData))), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(passwordBytes);
                if (keystore is not null)
                {
                    CryptographicOperations.ZeroMemory(keystore);
                }
            }
        }

        var prepared = await RebindPasswordAsync(Prepare(order, leaf, chainPem, key, protectedKeystore, replaces, actor, now), cancellationToken).ConfigureAwait(false);
        var batch = new StoreBatch();
        if (lease is not null)
        {
            batch.RequireLease(lease.Token);
        }

        StoreBatchResult result;
        try
        {
            result = await _ctx.Store.CommitAsync(AddTo(batch, prepared), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.LeaseLost && lease is not null)
        {
            throw new LeaseLostException(lease.Name);
        }

        return await AnnounceAsync(prepared, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The keystore password is bound to its certificate record: a renewal or reissue installs a new record, so the
    /// password the order carried (bound to the certificate it renews) is re-wrapped for the new one, in the same commit.
    /// The private key (bound to its public key) and the keystore (bound to the certificate it holds) need no re-wrap.
    /// </summary>
    private async Task<PreparedInstall> RebindPasswordAsync(PreparedInstall prepared, CancellationToken cancellationToken)
    {
        var (order, certificate) = (prepared.Order, prepared.Certificate);
        if (certificate.ProtectedKeystorePassword is not { } protectedPassword || certificate.Id == order.CertificateId)
        {
            return prepared;
        }

        var password = await _ctx.Keys.UnprotectAsync(protectedPassword, KeyBindings.KeystorePassword(order.CertificateId), cancellationToken).ConfigureAwait(false);
        try
        {
            var rebound = await _ctx.Keys.ProtectAsync(password, KeyBindings.KeystorePassword(certificate.Id), cancellationToken).ConfigureAwait(false);
            return prepared with { Certificate = certificate with { ProtectedKeystorePassword = rebound } };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    /// <summary>
    /// Everything an install writes, built before its commit: the new certificate, the order completed, the install's
    /// audit entry and (renewal, reissue) the certificate it supersedes.
    /// </summary>
    private PreparedInstall Prepare(
        CertificateOrder order, X509Certificate2 leaf, string chainPem, AsymmetricAlgorithm? key, byte[]? protectedKeystore,
        ManagedCertificate? replaces, string actor, DateTimeOffset now)
    {
        var (algorithm, keySize, curve) = KeyMaterial.Describe(leaf);
        var certificate = new ManagedCertificate
        {
            Id = order.Kind is OrderKind.New or OrderKind.Import ? order.CertificateId : RecordId.New(),
            AccountId = order.AccountId,
            CommonName = CommonNameOf(leaf) ?? order.Request.CommonName,
            SubjectAlternativeNames = DnsNames(leaf),
            SslId = order.SslId,
            OrganizationId = order.Request.OrganizationId > 0 ? order.Request.OrganizationId : replaces?.OrganizationId,
            ProfileId = order.Request.ProfileId > 0 ? order.Request.ProfileId : replaces?.ProfileId,
            TermDays = order.Request.TermDays > 0 ? order.Request.TermDays : replaces?.TermDays,
            SerialNumber = leaf.SerialNumber.ToUpperInvariant(),
            Thumbprint = Convert.ToHexString(SHA256.HashData(leaf.RawData)),
            NotBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            CertificatePem = chainPem,
            ProtectedPrivateKey = key is null ? null : order.ProtectedPrivateKey,
            KeyAlgorithm = algorithm,
            KeySize = keySize,
            Curve = curve,
            KeystoreType = order.Request.KeystoreType,
            ProtectedKeystore = protectedKeystore,
            ProtectedKeystorePassword = key is null ? null : order.ProtectedKeystorePassword,
            Status = CertificateStatus.Active,
            ScmStatus = order.ScmStatus ?? "Issued",
            Origin = order.Kind == OrderKind.Import ? CertificateOrigin.Imported : CertificateOrigin.Ordered,
            AutoRenew = replaces?.AutoRenew ?? order.Request.AutoRenew,
            Tags = replaces?.Tags ?? order.Request.Tags,
            RenewedFromId = order.Kind == OrderKind.Renewal ? replaces?.Id : null,
            ReplacesId = order.Kind == OrderKind.Reissue ? replaces?.Id : null,
            CreatedAt = now,
            UpdatedAt = now,
        };

        var completed = order with
        {
            State = OrderState.Completed,
            NextAttemptAt = null,
            LastError = null,
            LastScmErrorCode = null,
            CollectedCertificatePem = null,
            UpdatedAt = now,
            StateChangedAt = now,
        };
        var what = order.Kind switch
        {
            OrderKind.Renewal => $"Renewed: the new certificate (serial {certificate.SerialNumber}) replaces {replaces?.SerialNumber}",
            OrderKind.Reissue => $"Reissued: the new certificate (serial {certificate.SerialNumber}) replaces {replaces?.SerialNumber}",
            OrderKind.Import => $"Imported sslId {order.SslId} (observe-only: no local key)",
            _ => $"Issued and installed (serial {certificate.SerialNumber}, valid until {certificate.NotAfter:yyyy-MM-dd})",
        };
        var audit = _ctx.Audit(actor, OrderWorkflow.ActionFor(order), order.Kind switch
            {
                OrderKind.Renewal => "Renewed",
                OrderKind.Reissue => "Reissued",
                OrderKind.Import => "Imported",
                _ => "Issued",
            }, "Succeeded", what + ".", order, certificate);
        ManagedCertificate? superseded = null;
        if (replaces is not null)
        {
            superseded = order.Kind == OrderKind.Renewal
                ? replaces with { Status = CertificateStatus.Superseded, RenewedById = certificate.Id, UpdatedAt = now, RenewalFailures = 0, RenewalNotBefore = null, LastRenewalError = null }
                : replaces with { Status = CertificateStatus.Superseded, ReplacedById = certificate.Id, UpdatedAt = now };
        }

        return new PreparedInstall(order, certificate, completed, audit, superseded, what, now, actor);
    }

    private async Task<StepResult> AnnounceAsync(PreparedInstall prepared, ManagedCertificate stored, CertificateOrder storedOrder, CancellationToken cancellationToken)
    {
        var (order, now, what, actor) = (prepared.Order, prepared.Now, prepared.What, prepared.Actor);
        _ctx.Telemetry.Orders.Add(1, new KeyValuePair<string, object?>("kind", order.Kind.ToString()), new KeyValuePair<string, object?>("outcome", "issued"));
        if (order.SubmittedAt is { } submittedAt)
        {
            _ctx.Telemetry.TimeToIssue.Record((now - submittedAt).TotalSeconds, new KeyValuePair<string, object?>("kind", order.Kind.ToString()));
        }

        Log.CertificateInstalled(_ctx.Logger, stored.Id, order.SslId, stored.NotAfter);
        await _ctx.Events.RaiseAsync(this, new CertificateIssuedEvent
        {
            Timestamp = now,
            OrderId = order.Id,
            CertificateId = stored.Id,
            SslId = stored.SslId,
            CommonName = stored.CommonName,
            Certificate = stored,
            Kind = order.Kind,
        }, cancellationToken).ConfigureAwait(false);

        if (stored.ProtectedKeystore is not null)
        {
            await DeployAsync(stored, actor, cancellationToken).ConfigureAwait(false);
        }

        return StepResult.Done(storedOrder, stored, what + ".");
    }

    /// <summary>Delivers a certificate to every deployment target; failures are audited and reported, never thrown.</summary>
    public async Task<IReadOnlyList<DeploymentOutcome>> DeployAsync(ManagedCertificate certificate, string actor, CancellationToken cancellationToken)
    {
        var outcomes = new List<DeploymentOutcome>();
        if (_ctx.DeploymentTargets.Count == 0 || certificate.ProtectedKeystore is null || certificate.ProtectedKeystorePassword is null)
        {
            return outcomes;
        }

        var lineageId = await LineageIdAsync(certificate, cancellationToken).ConfigureAwait(false);
        var keystore = await _ctx.Keys.UnprotectAsync(certificate.ProtectedKeystore, KeyBindings.Keystore(certificate.Thumbprint), cancellationToken).ConfigureAwait(false);
        var passwordBytes = await _ctx.Keys.UnprotectAsync(certificate.ProtectedKeystorePassword, KeyBindings.KeystorePassword(certificate.Id), cancellationToken).ConfigureAwait(false);
        try
        {
            var deployment = new CertificateDeployment(
                certificate, lineageId, certificate.CertificatePem, keystore, Encoding.UTF8.GetString(passwordBytes), ct => PrivateKeyPemAsync(certificate, ct));
            foreach (var target in _ctx.DeploymentTargets)
            {
                try
                {
                    var outcome = await target.DeployAsync(deployment, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(outcome);
                    var version = outcome.Version is null ? string.Empty : $" (version {outcome.Version}{(outcome.Unchanged ? ", already in place" : string.Empty)})";
                    await _ctx.Store.AppendAuditAsync(_ctx.Audit(actor, "Deploy", "Deployed", "Succeeded",
                        $"Deployed to {target.Name}{version}: {string.Join(", ", outcome.Locations)}.", certificate: certificate), cancellationToken).ConfigureAwait(false);
                    await _ctx.Events.RaiseAsync(this, new CertificateDeploymentEvent
                    {
                        Timestamp = _ctx.Now,
                        CertificateId = certificate.Id,
                        SslId = certificate.SslId,
                        CommonName = certificate.CommonName,
                        Target = target.Name,
                        Succeeded = true,
                        Detail = string.Join(", ", outcome.Locations),
                        Version = outcome.Version,
                        Unchanged = outcome.Unchanged,
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or HttpRequestException)
                {
                    Log.DeploymentFailed(_ctx.Logger, certificate.Id, target.Name, ex);
                    await _ctx.Store.AppendAuditAsync(_ctx.Audit(actor, "Deploy", "DeployFailed", "Failed",
                        $"Deployment to {target.Name} failed: {ex.Message}", certificate: certificate), cancellationToken).ConfigureAwait(false);
                    await _ctx.Events.RaiseAsync(this, new CertificateDeploymentEvent
                    {
                        Timestamp = _ctx.Now,
                        CertificateId = certificate.Id,
                        SslId = certificate.SslId,
                        CommonName = certificate.CommonName,
                        Target = target.Name,
                        Succeeded = false,
                        Detail = ex.Message,
                    }, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keystore);
            CryptographicOperations.ZeroMemory(passwordBytes);
        }

        return outcomes;
    }

    /// <summary>
    /// The id of the first certificate of a lineage: <see cref="ManagedCertificate.RenewedFromId"/> and
    /// <see cref="ManagedCertificate.ReplacesId"/> followed back. A link to a record no longer stored (deleted) still names
    /// that record's id, so deleting the oldest record of a lineage keeps the id; only deleting one in the middle shortens it.
    /// </summary>
    internal async Task<Guid> LineageIdAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        var seen = new HashSet<Guid> { certificate.Id };
        var current = certificate;
        while ((current.RenewedFromId ?? current.ReplacesId) is { } previousId && seen.Add(previousId))
        {
            var previous = await _ctx.Store.GetCertificateAsync(previousId, cancellationToken).ConfigureAwait(false);
            if (previous is null)
            {
                return previousId;
            }

            current = previous;
        }

        return current.Id;
    }

    private async ValueTask<char[]> PrivateKeyPemAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        if (certificate.ProtectedPrivateKey is null)
        {
            throw new InvalidOperationException($"Certificate {certificate.Id} is observe-only (no local key); it has no private key to deploy.");
        }

        var pkcs8 = await _ctx.Keys.UnprotectAsync(certificate.ProtectedPrivateKey, KeyBindings.PrivateKey(certificate), cancellationToken).ConfigureAwait(false);
        try
        {
            return PemEncoding.Write("PRIVATE KEY", pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<StepResult> ParkAsync(CertificateOrder order, string chainPem, string reason, CertificateLease lease, string actor, CancellationToken cancellationToken)
    {
        var parked = order with
        {
            State = OrderState.Parked,
            CollectedCertificatePem = chainPem,
            NextAttemptAt = order.State == OrderState.Parked ? order.NextAttemptAt : _ctx.Now,
            LastError = reason,
        };
        var audit = order.State == OrderState.Parked
            ? null
            : _ctx.Audit(actor, OrderWorkflow.ActionFor(order), "Parked", "Pending", reason + " The certificate is kept and installed when capacity frees.", order);
        var saved = await Workflow.SaveAsync(order, parked, lease, audit, cancellationToken).ConfigureAwait(false);
        if (audit is not null)
        {
            _ctx.Telemetry.Orders.Add(1, new KeyValuePair<string, object?>("kind", order.Kind.ToString()), new KeyValuePair<string, object?>("outcome", "parked"));
            await _ctx.Events.RaiseAsync(this, new CertificateParkedEvent
            {
                Timestamp = _ctx.Now,
                OrderId = order.Id,
                CertificateId = order.CertificateId,
                SslId = order.SslId,
                CommonName = order.Request.CommonName,
                Reason = reason,
            }, cancellationToken).ConfigureAwait(false);
        }

        return StepResult.Wait(saved, reason);
    }

    private async Task<StepResult> RejectAsync(CertificateOrder order, CertificateLease lease, string actor, string reason, CancellationToken cancellationToken)
    {
        var invalid = order with { State = OrderState.InvalidCertificate, NextAttemptAt = null, LastError = reason };
        var backoff = await Workflow.RenewalBackoffAsync(order, reason, cancellationToken).ConfigureAwait(false);
        var saved = await Workflow.SaveAsync(order, invalid, lease, _ctx.Audit(actor, OrderWorkflow.ActionFor(order), "InvalidCertificate", "Failed", reason, order), cancellationToken, backoff).ConfigureAwait(false);
        _ctx.Telemetry.Orders.Add(1, new KeyValuePair<string, object?>("kind", order.Kind.ToString()), new KeyValuePair<string, object?>("outcome", "invalid"));
        Log.OrderFailed(_ctx.Logger, order.Id, reason);
        await _ctx.Events.RaiseAsync(this, new OrderFailedEvent
        {
            Timestamp = _ctx.Now,
            OrderId = order.Id,
            CertificateId = order.CertificateId,
            SslId = order.SslId,
            CommonName = order.Request.CommonName,
            State = OrderState.InvalidCertificate,
            Reason = reason,
        }, cancellationToken).ConfigureAwait(false);
        return StepResult.Stop(saved, reason);
    }

    /// <summary>Names, validity: what must hold before a certificate is installed (never the position in the bundle).</summary>
    private string? Verify(CertificateOrder order, X509Certificate2 leaf)
    {
        var now = _ctx.Now.UtcDateTime;
        if (leaf.NotAfter.ToUniversalTime() <= now)
        {
            return $"The collected certificate expired on {leaf.NotAfter.ToUniversalTime():O}; it was not installed.";
        }

        if (leaf.NotBefore.ToUniversalTime() > now + s_notBeforeSkew)
        {
            return $"The collected certificate is not valid before {leaf.NotBefore.ToUniversalTime():O}; it was not installed.";
        }

        if (order.Kind != OrderKind.Import)
        {
            var names = new HashSet<string>(DnsNames(leaf), StringComparer.OrdinalIgnoreCase);
            if (CommonNameOf(leaf) is { } cn)
            {
                names.Add(cn);
            }

            var missing = order.Request.SubjectAlternativeNames.Append(order.Request.CommonName)
                .Where(n => !names.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (missing.Length > 0)
            {
                return $"The collected certificate does not cover {string.Join(", ", missing)} as requested; it was not installed.";
            }
        }

        return null;
    }

    private async Task<bool> StillOldCertificateAsync(CertificateOrder order, IReadOnlyList<X509Certificate2> bundle, CancellationToken cancellationToken)
    {
        var old = await _ctx.Store.GetCertificateAsync(order.CertificateId, cancellationToken).ConfigureAwait(false);
        return old is not null && bundle.Any(c => string.Equals(c.SerialNumber, old.SerialNumber, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The issuers of a leaf found by name and signature in the bundle, nearest first; never by position.</summary>
    internal static IReadOnlyList<X509Certificate2> IssuerChain(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> bundle)
    {
        var chain = new List<X509Certificate2>();
        var current = leaf;
        for (var depth = 0; depth < 10; depth++)
        {
            if (current.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData))
            {
                break;
            }

            var issuer = bundle.FirstOrDefault(c =>
                !ReferenceEquals(c, current) && !chain.Contains(c) && !ReferenceEquals(c, leaf)
                && c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData));
            if (issuer is null)
            {
                break;
            }

            chain.Add(issuer);
            current = issuer;
        }

        return chain;
    }

    private static bool IsEndEntity(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true };

    internal static IReadOnlyList<string> DnsNames(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                return san.EnumerateDnsNames().Select(n => n.ToLowerInvariant()).ToArray();
            }
        }

        return [];
    }

    internal static string? CommonNameOf(X509Certificate2 certificate)
    {
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(cn) ? null : cn.ToLowerInvariant();
    }

    /// <summary>Disposes every certificate of a collection.</summary>
    private sealed class DisposableCollection : IDisposable
    {
        public DisposableCollection(X509Certificate2Collection collection) => Items = collection.Cast<X509Certificate2>().ToArray();

        public IReadOnlyList<X509Certificate2> Items { get; }

        public void Dispose()
        {
            foreach (var item in Items)
            {
                item.Dispose();
            }
        }
    }
}

/// <summary>The writes of one install, built before its commit; the import commits many of them in one transaction.</summary>
/// <param name="Order">The order as it was before the install.</param>
/// <param name="Certificate">The new certificate.</param>
/// <param name="Completed">The order, completed.</param>
/// <param name="Audit">The install's audit entry.</param>
/// <param name="Superseded">The certificate a renewal or reissue replaces, marked superseded.</param>
/// <param name="What">The one-line description of the install.</param>
/// <param name="Now">The install's time.</param>
/// <param name="Actor">Who installs.</param>
internal sealed record PreparedInstall(
    CertificateOrder Order, ManagedCertificate Certificate, CertificateOrder Completed, AuditEntry Audit, ManagedCertificate? Superseded, string What, DateTimeOffset Now, string Actor)
{
    /// <summary>For an import: the order was never stored and is inserted completed, with this audit entry of its import first.</summary>
    public AuditEntry? ImportAudit { get; init; }
}
