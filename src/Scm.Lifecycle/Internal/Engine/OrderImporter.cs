using System.Collections.Concurrent;
using System.Globalization;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Imports existing SCM orders: streams SCM's list page by page (never the whole list), fetches details with
/// bounded concurrency, and upserts by sslId so a re-run imports nothing twice (one duplicate lookup and one transaction
/// for everything new per page). Issued orders are collected into the
/// inventory as observe-only certificates (no local key); pending ones become orders the status checks follow.
/// A checkpoint after every page makes an interrupted import resumable.
/// </summary>
internal sealed class OrderImporter
{
    private static readonly string[] s_pendingStatuses = ["Requested", "SAApproved", "SA Approved", "Approved", "Applied", "Init"];

    private readonly EngineContext _ctx;
    private readonly OrderWorkflow _workflow;
    private readonly CertificateInstaller _installer;

    public OrderImporter(EngineContext context, OrderWorkflow workflow, CertificateInstaller installer)
    {
        _ctx = context;
        _workflow = workflow;
        _installer = installer;
    }

    public async Task<ImportResult> ImportAsync(ImportRequest request, string actor, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var statuses = request.Statuses.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();
        var counts = new Counts();
        var failures = new List<ImportFailure>();
        var pageSize = Math.Clamp(_ctx.Options.Client.PageSize, 1, 200);
        var resumed = false;
        int? total = null;
        var processedBefore = 0;
        foreach (var status in statuses.Length == 0 ? [null] : statuses.Cast<string?>())
        {
            var checkpointKey = "import:" + _ctx.Options.AccountId + ":" + (status ?? "*");
            var position = 0;
            if (request.Resume && await _ctx.Store.GetValueAsync(checkpointKey, cancellationToken).ConfigureAwait(false) is { } saved
                && int.TryParse(saved, NumberStyles.Integer, CultureInfo.InvariantCulture, out var savedPosition) && savedPosition > 0)
            {
                position = savedPosition;
                resumed = true;
            }

            // Page N's transaction runs while page N+1 is listed and fetched (its checkpoint and progress follow its
            // commit); only one transaction is ever in flight, and a next page that repeats its sslIds waits for it.
            int? statusTotal = null;
            PageCommit? inFlight = null;
            try
            {
                while (true)
                {
                    var (ids, pageTotal) = await _ctx.Gateway.ListPageAsync(status, position, pageSize, cancellationToken).ConfigureAwait(false);
                    statusTotal = pageTotal ?? statusTotal;
                    var staged = await PreparePageAsync(ids, request, actor, counts, failures, inFlight, cancellationToken).ConfigureAwait(false);

                    // Processed counts the pages read (this one included: some of its outcomes are counted already); the
                    // rest are added when its transaction commits, so the outcomes reported never add up to more.
                    position += ids.Count;
                    Volatile.Write(ref counts.Processed, processedBefore + position);
                    if (inFlight is not null)
                    {
                        total = await CompleteAsync(inFlight, checkpointKey, processedBefore, statusTotal, counts, progress, cancellationToken).ConfigureAwait(false);
                    }

                    // On the thread pool: a store's commit is mostly synchronous work (SQLite), which would otherwise run
                    // before the next page is even listed.
                    inFlight = new PageCommit(
                        Task.Run(() => CommitStagedAsync(staged, counts, failures, cancellationToken), CancellationToken.None),
                        position,
                        staged.Select(s => s.SslId).ToHashSet());
                    if (ids.Count < pageSize || (statusTotal is { } t && position >= t))
                    {
                        break;
                    }
                }

                total = await CompleteAsync(inFlight, checkpointKey, processedBefore, statusTotal, counts, progress, cancellationToken).ConfigureAwait(false);
                inFlight = null;
            }
            finally
            {
                if (inFlight is not null)
                {
                    // Stopped early (cancelled, SCM or the store failed): let the page's transaction finish or fail before
                    // returning, so nothing writes after the import has ended. Its outcome is not checkpointed: a resumed
                    // import reads that page again, and the records it wrote are already known then.
                    await inFlight.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            processedBefore += position;
            await _ctx.Store.SetValueAsync(checkpointKey, null, cancellationToken).ConfigureAwait(false);
        }

        var final = counts.Snapshot(total);
        await _ctx.Store.AppendAuditAsync(new AuditEntry
        {
            AccountId = _ctx.Options.AccountId,
            Timestamp = _ctx.Now,
            Actor = actor,
            Action = "Import",
            Decision = "Imported",
            Outcome = failures.Count == 0 ? "Succeeded" : "PartiallySucceeded",
            Reason = $"{final.Processed} seen, {final.Imported} imported, {final.AlreadyKnown} already known, {final.Skipped} skipped, {final.Failed} failed" +
                     (resumed ? " (resumed)." : "."),
        }, cancellationToken).ConfigureAwait(false);
        Log.ImportFinished(_ctx.Logger, final.Processed, final.Imported, final.Skipped, final.Failed);
        return new ImportResult { Progress = final, Failures = failures, Reconciled = counts.Reconciled, Resumed = resumed };
    }

    /// <summary>
    /// One page of SCM's list: one store lookup for the sslIds already known, details (and, for issued orders, the
    /// certificate) fetched with bounded concurrency; returns every new record of the page for its one transaction (one
    /// durable commit per page, not per order). An issued order that is not plain (not collectable yet, a certificate
    /// that fails verification) takes the general path, in its own transactions, which records what went wrong.
    /// <paramref name="inFlight"/>: the previous page, whose transaction may still be running.
    /// </summary>
    private async Task<StagedImport[]> PreparePageAsync(
        IReadOnlyList<long> ids, ImportRequest request, string actor, Counts counts, List<ImportFailure> failures, PageCommit? inFlight, CancellationToken cancellationToken)
    {
        var unique = ids.Distinct().ToArray();
        for (var i = unique.Length; i < ids.Count; i++)
        {
            counts.Add(Outcome.AlreadyKnown); // SCM listed the same sslId twice on one page (its list is not a snapshot)
        }

        if (inFlight is not null && unique.Any(inFlight.SslIds.Contains))
        {
            // SCM's list shifted, and this page repeats sslIds of the page whose transaction is still running: wait for
            // it, so the lookup below sees what it stored (and what it failed to store is tried again here).
            await inFlight.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        IReadOnlySet<long> known;
        try
        {
            known = await _ctx.Store.FindKnownSslIdsAsync(unique, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmStoreException ex)
        {
            foreach (var sslId in unique)
            {
                Fail(sslId, ex, counts, failures);
            }

            return [];
        }

        var staged = new ConcurrentQueue<StagedImport>();
        await Parallel.ForEachAsync(unique, new ParallelOptions { MaxDegreeOfParallelism = _ctx.Options.Import.MaxConcurrency, CancellationToken = cancellationToken }, async (sslId, ct) =>
        {
            if (known.Contains(sslId))
            {
                counts.Add(Outcome.AlreadyKnown);
                return;
            }

            try
            {
                var outcome = await ImportOneAsync(sslId, request, actor, staged, ct).ConfigureAwait(false);
                if (outcome != Outcome.Staged)
                {
                    counts.Add(outcome);
                }
            }
            catch (Exception ex) when (IsItemFailure(ex))
            {
                Fail(sslId, ex, counts, failures);
            }
        }).ConfigureAwait(false);

        return staged.ToArray();
    }

    /// <summary>After a page's transaction: the checkpoint (a resumed import starts after this page) and the progress report.</summary>
    private async Task<int?> CompleteAsync(PageCommit commit, string checkpointKey, int processedBefore, int? statusTotal, Counts counts, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        await commit.Task.ConfigureAwait(false);
        await _ctx.Store.SetValueAsync(checkpointKey, commit.Position.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        int? total = statusTotal is { } st ? processedBefore + st : null;
        progress?.Report(counts.Snapshot(total));
        return total;
    }

    /// <summary>
    /// Writes the page's new records (pending orders, issued orders with their certificates, and their audit entries) in
    /// one transaction. If that fails (a record that conflicts, or the store failing), each order is written on its own,
    /// so one bad record fails alone and the others land.
    /// </summary>
    private async Task CommitStagedAsync(StagedImport[] staged, Counts counts, List<ImportFailure> failures, CancellationToken cancellationToken)
    {
        if (staged.Length == 0)
        {
            return;
        }

        // Asked again right before the write: while the page was fetched, another part of the engine (a reconcile that
        // adopted an order by its token) may have stored one of these sslIds.
        IReadOnlySet<long> knownNow;
        try
        {
            knownNow = await _ctx.Store.FindKnownSslIdsAsync(staged.Select(s => s.SslId).ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (ScmStoreException)
        {
            knownNow = new HashSet<long>(); // the commit below meets the same failure and handles it
        }

        if (knownNow.Count > 0)
        {
            foreach (var _ in staged.Where(s => knownNow.Contains(s.SslId)))
            {
                counts.Add(Outcome.AlreadyKnown);
            }

            staged = staged.Where(s => !knownNow.Contains(s.SslId)).ToArray();
            if (staged.Length == 0)
            {
                return;
            }
        }

        var batch = new StoreBatch();
        foreach (var item in staged)
        {
            item.AddTo(batch);
        }

        try
        {
            var committed = await _ctx.Store.CommitAsync(batch, cancellationToken).ConfigureAwait(false);
            foreach (var _ in staged)
            {
                counts.Add(Outcome.Imported);
            }

            // Stored: every one gets its event even if the import is cancelled now (a resumed import finds them known
            // and would never announce them).
            foreach (var item in staged)
            {
                await AnnounceAsync(item, committed, CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }
        catch (Exception ex) when (ex is StoreConflictException or ScmStoreException && staged.Length > 1)
        {
            Log.ImportPageCommitFailed(_ctx.Logger, staged.Length, ex.Message);
        }
        catch (Exception ex) when (ex is StoreConflictException or ScmStoreException)
        {
            Fail(staged[0].SslId, ex, counts, failures);
            return;
        }

        foreach (var item in staged)
        {
            try
            {
                var committed = await _ctx.Store.CommitAsync(item.AddTo(new StoreBatch()), cancellationToken).ConfigureAwait(false);
                counts.Add(Outcome.Imported);
                await AnnounceAsync(item, committed, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreConflictException or ScmStoreException)
            {
                Fail(item.SslId, ex, counts, failures);
            }
        }
    }

    /// <summary>An issued order installed by the page commit gets what every install gets after its commit (event, log, telemetry).</summary>
    private Task AnnounceAsync(StagedImport item, StoreBatchResult committed, CancellationToken cancellationToken) =>
        item.Install is { } install ? _installer.AnnounceAsync(install, committed, cancellationToken) : Task.CompletedTask;

    private static bool IsItemFailure(Exception ex) =>
        ex is ScmCallException or ScmStoreException or LeaseLostException or System.Security.Cryptography.CryptographicException;

    private void Fail(long sslId, Exception ex, Counts counts, List<ImportFailure> failures)
    {
        Log.ImportItemFailed(_ctx.Logger, sslId, ex.Message);
        counts.Add(Outcome.Failed);
        lock (failures)
        {
            failures.Add(new ImportFailure(sslId, ex.Message));
        }
    }

    private async Task<Outcome> ImportOneAsync(long sslId, ImportRequest request, string actor, ConcurrentQueue<StagedImport> staged, CancellationToken cancellationToken)
    {
        var view = await _ctx.Gateway.GetOrderAsync(sslId, cancellationToken).ConfigureAwait(false);
        foreach (var token in CorrelationMarker.Extract(view.Comments))
        {
            var local = await _ctx.Store.FindOrderByCorrelationTokenAsync(token, cancellationToken).ConfigureAwait(false);
            if (local?.SslId == sslId)
            {
                return Outcome.AlreadyKnown; // linked since the page's lookup (the reconciler adopted it meanwhile)
            }

            if (local is { SslId: null } && local.State is OrderState.Ambiguous or OrderState.Submitting or OrderState.Stuck)
            {
                return await AdoptAsync(local, view, actor, cancellationToken).ConfigureAwait(false);
            }
        }

        var issued = OrderWorkflow.IsStatus(view.Status, "Issued");
        var pending = s_pendingStatuses.Any(s => OrderWorkflow.IsStatus(view.Status, s));
        if (!issued && !pending)
        {
            return Outcome.Skipped;
        }

        if (issued && !request.IncludeExpired && view.Expires is { } expires && expires < DateOnly.FromDateTime(_ctx.Now.UtcDateTime))
        {
            return Outcome.Skipped;
        }

        var now = _ctx.Now;
        var order = new CertificateOrder
        {
            Id = RecordId.New(),
            CertificateId = RecordId.New(),
            AccountId = _ctx.Options.AccountId,
            Kind = OrderKind.Import,
            State = pending && (OrderWorkflow.IsStatus(view.Status, "Requested") || OrderWorkflow.IsStatus(view.Status, "SAApproved"))
                ? OrderState.AwaitingApproval
                : OrderState.Submitted,
            CorrelationToken = CorrelationMarker.NewToken(),
            Request = new CertificateOrderRequest
            {
                CommonName = view.CommonName ?? string.Empty,
                SubjectAlternativeNames = view.SubjectAlternativeNames,
                OrganizationId = view.OrganizationId ?? 0,
                ProfileId = view.ProfileId ?? 0,
                TermDays = view.TermDays ?? 0,
                Comments = CorrelationMarker.Strip(view.Comments),
            },
            SslId = sslId,
            OrderNumber = view.OrderNumber,
            ScmStatus = view.Status,
            SubmittedAt = view.Requested is { } r ? new DateTimeOffset(r.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : now,
            NextAttemptAt = now,
            CreatedAt = now,
            UpdatedAt = now,
            StateChangedAt = now,
        };
        var importAudit = _ctx.Audit(actor, "Import", "Imported", issued ? "Pending" : "Succeeded",
            $"Imported SCM order sslId {sslId} (status {view.Status}) without a local key: observe-only; renewal will need a fresh key.", order);
        if (!issued)
        {
            staged.Enqueue(new StagedImport(sslId, order, importAudit, null));
            return Outcome.Staged;
        }

        if (await _installer.PrepareImportedAsync(order, view, importAudit, actor, cancellationToken).ConfigureAwait(false) is { } prepared)
        {
            staged.Enqueue(new StagedImport(sslId, order, importAudit, prepared));
            return Outcome.Staged;
        }

        var inserted = (await _ctx.Store.CommitAsync(new StoreBatch().InsertOrder(order).Audit(importAudit), cancellationToken).ConfigureAwait(false)).Order(order.Id);

        var lease = await _ctx.TryLeaseCertificateAsync(inserted.CertificateId, wait: true, cancellationToken).ConfigureAwait(false)
            ?? throw new LeaseLostException(EngineContext.CertificateLeaseName(inserted.CertificateId));
        await using var leaseScope = lease.ConfigureAwait(false);
        await _installer.CollectAndInstallAsync(inserted, view, lease, actor, cancellationToken).ConfigureAwait(false);
        return Outcome.Imported;
    }

    /// <summary>The import found the SCM order behind a local order whose submission outcome was unknown: link them (F35).</summary>
    private async Task<Outcome> AdoptAsync(CertificateOrder local, ScmOrderView view, string actor, CancellationToken cancellationToken)
    {
        var lease = await _ctx.TryLeaseCertificateAsync(local.CertificateId, wait: false, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return Outcome.AlreadyKnown;
        }

        await using var leaseScope = lease.ConfigureAwait(false);

        var current = await _ctx.Store.GetOrderAsync(local.Id, cancellationToken).ConfigureAwait(false);
        if (current is null || current.SslId is not null)
        {
            return Outcome.AlreadyKnown;
        }

        var adopted = current with
        {
            State = OrderState.Submitted,
            SslId = view.SslId,
            ScmStatus = view.Status,
            Attempts = 0,
            SubmitRefusals = 0,
            RefusedSince = null,
            RefusalReportedAt = null,
            NextAttemptAt = null,
            LastError = null,
        };
        await _workflow.SaveAsync(current, adopted, lease, _ctx.Audit(actor, OrderWorkflow.ActionFor(current), "Reconciled", "Succeeded",
            $"The import found this order in SCM as sslId {view.SslId} (its token is in the comments) and linked them; nothing was re-sent.", adopted),
            cancellationToken).ConfigureAwait(false);
        return Outcome.Reconciled;
    }

    /// <summary>A page's transaction in flight: its task, the list position after the page, and the page's new sslIds.</summary>
    private sealed record PageCommit(Task Task, int Position, IReadOnlySet<long> SslIds);

    /// <summary>
    /// What the page commit writes for one new SCM order: a pending order with its audit entry, or an issued one's whole
    /// install (observe-only certificate, order inserted completed, both audit entries).
    /// </summary>
    private sealed record StagedImport(long SslId, CertificateOrder Order, AuditEntry Audit, PreparedInstall? Install)
    {
        public StoreBatch AddTo(StoreBatch batch) => Install is { } install ? CertificateInstaller.AddTo(batch, install) : batch.InsertOrder(Order).Audit(Audit);
    }

    private enum Outcome
    {
        Staged,
        Imported,
        AlreadyKnown,
        Skipped,
        Failed,
        Reconciled,
    }

    private sealed class Counts
    {
        public int Processed;
        public int Imported;
        public int AlreadyKnown;
        public int Skipped;
        public int Failed;
        public int Reconciled;

        public void Add(Outcome outcome)
        {
            switch (outcome)
            {
                case Outcome.Imported:
                    Interlocked.Increment(ref Imported);
                    break;
                case Outcome.AlreadyKnown:
                    Interlocked.Increment(ref AlreadyKnown);
                    break;
                case Outcome.Skipped:
                    Interlocked.Increment(ref Skipped);
                    break;
                case Outcome.Reconciled:
                    Interlocked.Increment(ref Reconciled);
                    break;
                default:
                    Interlocked.Increment(ref Failed);
                    break;
            }
        }

        public ImportProgress Snapshot(int? total) => new()
        {
            Total = total,
            Processed = Volatile.Read(ref Processed),
            Imported = Volatile.Read(ref Imported),
            AlreadyKnown = Volatile.Read(ref AlreadyKnown) + Volatile.Read(ref Reconciled),
            Skipped = Volatile.Read(ref Skipped),
            Failed = Volatile.Read(ref Failed),
        };
    }
}
