using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Imports existing SCM orders: streams SCM's list page by page (never the whole list) and upserts by sslId, so a re-run
/// imports nothing twice. Issued orders are collected into the inventory as observe-only certificates (no local key);
/// pending ones, and ones in a status the SDK does not know, become orders the status checks follow.
/// <para>
/// A pipeline without a page barrier: a lister reads the next page while the current one is fetched; a fixed number of
/// workers (<see cref="ImportOptions.MaxConcurrency"/>) take the orders one by one, across page boundaries, so none waits
/// for the slowest order of a page; each page is written in one transaction (one store lookup for its known sslIds, one
/// durable commit for everything new) once its last order is fetched, in list order, followed by its checkpoint (a
/// resumed import starts after it) and a progress report. At most two pages are ahead of the store.
/// </para>
/// </summary>
internal sealed class OrderImporter
{
    /// <summary>Pages listed but not yet committed, at most (the one being written or fetched, and the next).</summary>
    internal const int PagesAhead = 2;

    private static readonly string[] s_pendingStatuses = ["Requested", "SAApproved", "SA Approved", "Approved", "Applied", "Init"];

    private static readonly (string Status, ImportSkipReason Reason)[] s_skippedStatuses =
    [
        ("Expired", ImportSkipReason.Expired),
        ("Revoked", ImportSkipReason.Revoked),
        ("Declined", ImportSkipReason.Declined),
        ("Rejected", ImportSkipReason.Rejected),
        ("Invalid", ImportSkipReason.Invalid),
        ("Replaced", ImportSkipReason.Replaced),
        ("Unmanaged", ImportSkipReason.Unmanaged),
    ];

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
        var run = new ImportRun(request, actor, progress);
        using var bulk = BulkWorkScope.Begin(_ctx, "import", pause => run.ReportPause(pause));
        foreach (var status in statuses.Length == 0 ? [null] : statuses.Cast<string?>())
        {
            var checkpointKey = "import:" + _ctx.Options.AccountId + ":" + (status ?? "*");
            var position = 0;
            if (request.Resume && await _ctx.Store.GetValueAsync(checkpointKey, cancellationToken).ConfigureAwait(false) is { } saved
                && int.TryParse(saved, NumberStyles.Integer, CultureInfo.InvariantCulture, out var savedPosition) && savedPosition > 0)
            {
                position = savedPosition;
                run.Resumed = true;
            }

            await ImportStatusAsync(run, status, checkpointKey, position, cancellationToken).ConfigureAwait(false);
            await _ctx.Store.SetValueAsync(checkpointKey, null, cancellationToken).ConfigureAwait(false);
        }

        var final = run.Counts.Snapshot(run.Total);
        var skippedBy = final.SkippedBy.Count == 0 ? string.Empty
            : " (" + string.Join(", ", final.SkippedBy.OrderBy(p => p.Key).Select(p => $"{p.Value} {p.Key.ToString().ToLowerInvariant()}")) + ")";
        var review = run.Review.OrderBy(r => r.SslId).ToArray();
        await _ctx.Store.AppendAuditAsync(new AuditEntry
        {
            AccountId = _ctx.Options.AccountId,
            Timestamp = _ctx.Now,
            Actor = actor,
            Action = "Import",
            Decision = "Imported",
            Outcome = run.Failures.Count == 0 ? "Succeeded" : "PartiallySucceeded",
            Reason = $"{final.Processed} seen, {final.Imported} imported, {final.AlreadyKnown} already known, {final.Skipped} skipped{skippedBy}, {final.Failed} failed" +
                     (review.Length > 0 ? $", {review.Length} in a status the SDK does not know ({string.Join(", ", review.Select(r => r.ScmStatus).Distinct(StringComparer.Ordinal).Select(s => $"'{s}'"))}) imported for review" : string.Empty) +
                     (bulk.Paused > TimeSpan.Zero ? $", paused {bulk.Paused} while SCM was failing" : string.Empty) +
                     (run.Resumed ? " (resumed)." : "."),
        }, cancellationToken).ConfigureAwait(false);
        Log.ImportFinished(_ctx.Logger, final.Processed, final.Imported, final.Skipped, final.Failed);
        return new ImportResult
        {
            Progress = final,
            Failures = run.Failures.ToArray(),
            NeedsReview = review,
            Reconciled = run.Counts.Reconciled,
            Resumed = run.Resumed,
            Paused = bulk.Paused,
        };
    }

    /// <summary>
    /// One status filter, from <paramref name="position"/>: the lister, the workers and the committer, each on its own
    /// task. Whatever stops one (cancellation, SCM or the store failing) stops the others; nothing is written after this
    /// returns, and only what was committed is checkpointed.
    /// </summary>
    private async Task ImportStatusAsync(ImportRun run, string? status, string checkpointKey, int position, CancellationToken cancellationToken)
    {
        var pageSize = Math.Clamp(_ctx.Options.Client.PageSize, 1, 200);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var items = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(pageSize * PagesAhead) { SingleWriter = true });
        var pages = Channel.CreateUnbounded<Page>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var window = new SemaphoreSlim(PagesAhead, PagesAhead);
        var uncommitted = new ConcurrentDictionary<long, Page>();
        run.Counts.AddProcessed(position);
        var processedBefore = run.Counts.Processed - position;

        var lister = Task.Run(() => ListAsync(run, status, position, pageSize, items.Writer, pages.Writer, window, uncommitted, stop.Token), CancellationToken.None);
        var workers = Enumerable.Range(0, _ctx.Options.Import.MaxConcurrency)
            .Select(_ => Task.Run(() => WorkAsync(run, items.Reader, stop.Token), CancellationToken.None))
            .ToArray();
        var committer = Task.Run(() => CommitPagesAsync(run, pages.Reader, checkpointKey, processedBefore, window, uncommitted, stop.Token, cancellationToken), CancellationToken.None);

        var all = workers.Append(lister).Append(committer).ToList();
        Exception? first = null;
        while (all.Count > 0)
        {
            var done = await Task.WhenAny(all).ConfigureAwait(false);
            all.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                first ??= done.Exception?.InnerException ?? new OperationCanceledException(cancellationToken);
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }

        if (first is not null)
        {
            // The caller's cancellation wins over the OperationCanceledException of a task stopped because of it.
            cancellationToken.ThrowIfCancellationRequested();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    /// <summary>Lists pages in order, at most <see cref="PagesAhead"/> ahead of the store, and hands their orders to the workers.</summary>
    private async Task ListAsync(
        ImportRun run, string? status, int position, int pageSize, ChannelWriter<WorkItem> items, ChannelWriter<Page> pages,
        SemaphoreSlim window, ConcurrentDictionary<long, Page> uncommitted, CancellationToken cancellationToken)
    {
        try
        {
            int? statusTotal = null;
            while (true)
            {
                await window.WaitAsync(cancellationToken).ConfigureAwait(false);
                var (ids, pageTotal) = await _ctx.Gateway.ListPageAsync(status, position, pageSize, cancellationToken).ConfigureAwait(false);
                statusTotal = pageTotal ?? statusTotal;
                position += ids.Count;
                // SCM may cap a page below the size asked for: with a total, only the total (or an empty page) ends the walk.
                var last = ids.Count == 0 || (statusTotal is { } t ? position >= t : ids.Count < pageSize);
                var page = await PreparePageAsync(run, ids, position, statusTotal, uncommitted, cancellationToken).ConfigureAwait(false);
                await pages.WriteAsync(page, cancellationToken).ConfigureAwait(false);
                foreach (var item in page.Work)
                {
                    page.HandingOut();
                    await items.WriteAsync(item, cancellationToken).ConfigureAwait(false);
                }

                page.AllHandedOut();
                if (last)
                {
                    break;
                }
            }
        }
        finally
        {
            items.TryComplete();
            pages.TryComplete();
        }
    }

    /// <summary>
    /// A listed page: duplicates within it and sslIds already stored are counted at once (one store lookup); an sslId
    /// that a page not yet committed also holds (SCM's list shifted) waits for that page's transaction before it is
    /// looked up again. The rest is work for the workers.
    /// </summary>
    private async Task<Page> PreparePageAsync(ImportRun run, IReadOnlyList<long> ids, int position, int? statusTotal, ConcurrentDictionary<long, Page> uncommitted, CancellationToken cancellationToken)
    {
        var unique = ids.Distinct().ToArray();
        var page = new Page(ids.Count, position, statusTotal);
        for (var i = unique.Length; i < ids.Count; i++)
        {
            page.Counts.Add(ItemOutcome.AlreadyKnown); // SCM listed the same sslId twice on one page (its list is not a snapshot)
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
                Fail(run, page, sslId, ex);
            }

            return page;
        }

        foreach (var sslId in unique)
        {
            if (known.Contains(sslId))
            {
                page.Counts.Add(ItemOutcome.AlreadyKnown);
                continue;
            }

            var earlier = uncommitted.TryGetValue(sslId, out var holder) ? holder : null;
            uncommitted[sslId] = page;
            page.SslIds.Add(sslId);
            page.Work.Add(new WorkItem(page, sslId, earlier));
        }

        return page;
    }

    /// <summary>A worker: fetches and prepares one order at a time, from whichever page is next.</summary>
    private async Task WorkAsync(ImportRun run, ChannelReader<WorkItem> items, CancellationToken cancellationToken)
    {
        await foreach (var item in items.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (item.Earlier is { } earlier)
                {
                    // The list shifted and this order is also on an earlier page whose transaction may still run: wait
                    // for it, so the lookup sees what it stored (and what it failed to store is tried again here).
                    await earlier.Committed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    if ((await _ctx.Store.FindKnownSslIdsAsync([item.SslId], cancellationToken).ConfigureAwait(false)).Contains(item.SslId))
                    {
                        item.Page.Counts.Add(ItemOutcome.AlreadyKnown);
                        continue;
                    }
                }

                var outcome = await ImportOneAsync(run, item.SslId, item.Page.Staged, cancellationToken).ConfigureAwait(false);
                if (outcome.Kind != OutcomeKind.Staged)
                {
                    item.Page.Counts.Add(outcome);
                }
            }
            catch (Exception ex) when (IsItemFailure(ex) && !(ex is ScmCallException call && BulkWorkScope.IsCircuitOpen(call, out _)))
            {
                // SCM's circuit still open after the run's pauses (Sectigo:BulkWork:MaxPause) is not this order's failure:
                // it stops the import (which resumes from its last checkpoint), instead of failing every order after it.
                Fail(run, item.Page, item.SslId, ex);
            }
            finally
            {
                item.Page.ItemDone();
            }
        }
    }

    /// <summary>Writes the pages in list order, each once its orders are all fetched; checkpoint and progress follow each commit.</summary>
    private async Task CommitPagesAsync(
        ImportRun run, ChannelReader<Page> pages, string checkpointKey, int processedBefore, SemaphoreSlim window,
        ConcurrentDictionary<long, Page> uncommitted, CancellationToken stop, CancellationToken cancellationToken)
    {
        await foreach (var page in pages.ReadAllAsync(stop).ConfigureAwait(false))
        {
            await page.Fetched.Task.WaitAsync(stop).ConfigureAwait(false);

            // On the thread pool: a store's commit is mostly synchronous work (SQLite). Once started it is awaited with
            // the caller's token only (not the run's): a failure elsewhere never cuts a transaction short.
            try
            {
                await Task.Run(() => CommitStagedAsync(run, page, cancellationToken), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                foreach (var sslId in page.SslIds)
                {
                    uncommitted.TryRemove(new KeyValuePair<long, Page>(sslId, page));
                }

                page.Committed.TrySetResult();
            }

            run.Counts.Merge(page.Counts, page.Size);
            await _ctx.Store.SetValueAsync(checkpointKey, page.Position.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            if (page.StatusTotal is { } st)
            {
                run.Total = processedBefore + st;
            }

            run.Progress?.Report(run.Counts.Snapshot(run.Total));
            window.Release();
        }
    }

    /// <summary>
    /// Writes the page's new records (pending orders, issued orders with their certificates, and their audit entries) in
    /// one transaction. If that fails (a record that conflicts, or the store failing), each order is written on its own,
    /// so one bad record fails alone and the others land.
    /// </summary>
    private async Task CommitStagedAsync(ImportRun run, Page page, CancellationToken cancellationToken)
    {
        var staged = page.Staged.ToArray();
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
                page.Counts.Add(ItemOutcome.AlreadyKnown);
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
            foreach (var item in staged)
            {
                Stored(run, page, item);
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
            Fail(run, page, staged[0].SslId, ex);
            return;
        }

        foreach (var item in staged)
        {
            try
            {
                var committed = await _ctx.Store.CommitAsync(item.AddTo(new StoreBatch()), cancellationToken).ConfigureAwait(false);
                Stored(run, page, item);
                await AnnounceAsync(item, committed, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreConflictException or ScmStoreException)
            {
                Fail(run, page, item.SslId, ex);
            }
        }
    }

    private static void Stored(ImportRun run, Page page, StagedImport item)
    {
        if (item.UnknownStatus is { } status)
        {
            page.Counts.Add(ItemOutcome.ImportedForReview);
            run.Review.Enqueue(new ImportReviewItem(item.SslId, item.Order.Id, status));
        }
        else
        {
            page.Counts.Add(ItemOutcome.Imported);
        }
    }

    /// <summary>An issued order installed by the page commit gets what every install gets after its commit (event, log, telemetry).</summary>
    private Task AnnounceAsync(StagedImport item, StoreBatchResult committed, CancellationToken cancellationToken) =>
        item.Install is { } install ? _installer.AnnounceAsync(install, committed, cancellationToken) : Task.CompletedTask;

    private static bool IsItemFailure(Exception ex) =>
        ex is ScmCallException or ScmStoreException or LeaseLostException or System.Security.Cryptography.CryptographicException;

    private void Fail(ImportRun run, Page page, long sslId, Exception ex)
    {
        Log.ImportItemFailed(_ctx.Logger, sslId, ex.Message);
        page.Counts.Add(ItemOutcome.Failed);
        run.Failures.Enqueue(new ImportFailure(sslId, ex.Message));
    }

    /// <summary>What SCM's status means for an import: skipped (and why), or null when the order is imported.</summary>
    internal static ImportSkipReason? SkipReasonFor(string? status)
    {
        foreach (var (name, reason) in s_skippedStatuses)
        {
            if (OrderWorkflow.IsStatus(status, name))
            {
                return reason;
            }
        }

        return null;
    }

    private async Task<ItemOutcome> ImportOneAsync(ImportRun run, long sslId, ConcurrentQueue<StagedImport> staged, CancellationToken cancellationToken)
    {
        var view = await _ctx.Gateway.GetOrderAsync(sslId, cancellationToken).ConfigureAwait(false);
        foreach (var token in CorrelationMarker.Extract(view.Comments))
        {
            var local = await _ctx.Store.FindOrderByCorrelationTokenAsync(token, cancellationToken).ConfigureAwait(false);
            if (local?.SslId == sslId)
            {
                return ItemOutcome.AlreadyKnown; // linked since the page's lookup (the reconciler adopted it meanwhile)
            }

            if (local is { SslId: null } && local.State is OrderState.Ambiguous or OrderState.Submitting or OrderState.Stuck)
            {
                return await AdoptAsync(local, view, run.Actor, cancellationToken).ConfigureAwait(false);
            }
        }

        var issued = OrderWorkflow.IsStatus(view.Status, "Issued");
        var pending = s_pendingStatuses.Any(s => OrderWorkflow.IsStatus(view.Status, s));
        string? unknownStatus = null;
        if (!issued && !pending)
        {
            if (SkipReasonFor(view.Status) is { } reason)
            {
                return ItemOutcome.Skipped(reason);
            }

            // A status the SDK does not know (F55): never dropped. Followed like a pending order, SCM's status kept verbatim.
            unknownStatus = view.Status ?? string.Empty;
        }

        if (issued && !run.Request.IncludeExpired && view.Expires is { } expires && expires < DateOnly.FromDateTime(_ctx.Now.UtcDateTime))
        {
            return ItemOutcome.Skipped(ImportSkipReason.Expired);
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
        if (unknownStatus is not null)
        {
            Log.ImportUnknownStatus(_ctx.Logger, sslId, unknownStatus);
            var reviewAudit = _ctx.Audit(run.Actor, "Import", "Imported", "NeedsAttention",
                $"Imported SCM order sslId {sslId} in status '{unknownStatus}', which the SDK does not know: it is followed as an open order (checked like a pending one) without a local key. Review it in SCM.", order);
            staged.Enqueue(new StagedImport(sslId, order, reviewAudit, null, unknownStatus));
            return ItemOutcome.Staged;
        }

        var importAudit = _ctx.Audit(run.Actor, "Import", "Imported", issued ? "Pending" : "Succeeded",
            $"Imported SCM order sslId {sslId} (status {view.Status}) without a local key: observe-only; renewal will need a fresh key.", order);
        if (!issued)
        {
            staged.Enqueue(new StagedImport(sslId, order, importAudit, null, null));
            return ItemOutcome.Staged;
        }

        if (await _installer.PrepareImportedAsync(order, view, importAudit, run.Actor, cancellationToken).ConfigureAwait(false) is { } prepared)
        {
            staged.Enqueue(new StagedImport(sslId, order, importAudit, prepared, null));
            return ItemOutcome.Staged;
        }

        var inserted = (await _ctx.Store.CommitAsync(new StoreBatch().InsertOrder(order).Audit(importAudit), cancellationToken).ConfigureAwait(false)).Order(order.Id);

        var lease = await _ctx.TryLeaseCertificateAsync(inserted.CertificateId, wait: true, cancellationToken).ConfigureAwait(false)
            ?? throw new LeaseLostException(EngineContext.CertificateLeaseName(inserted.CertificateId));
        await using var leaseScope = lease.ConfigureAwait(false);
        await _installer.CollectAndInstallAsync(inserted, view, lease, run.Actor, cancellationToken).ConfigureAwait(false);
        return ItemOutcome.Imported;
    }

    /// <summary>The import found the SCM order behind a local order whose submission outcome was unknown: link them (F35).</summary>
    private async Task<ItemOutcome> AdoptAsync(CertificateOrder local, ScmOrderView view, string actor, CancellationToken cancellationToken)
    {
        var lease = await _ctx.TryLeaseCertificateAsync(local.CertificateId, wait: false, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ItemOutcome.AlreadyKnown;
        }

        await using var leaseScope = lease.ConfigureAwait(false);

        var current = await _ctx.Store.GetOrderAsync(local.Id, cancellationToken).ConfigureAwait(false);
        if (current is null || current.SslId is not null)
        {
            return ItemOutcome.AlreadyKnown;
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
        return ItemOutcome.Reconciled;
    }

    /// <summary>Everything one import shares across its status filters and tasks.</summary>
    private sealed class ImportRun(ImportRequest request, string actor, IProgress<ImportProgress>? progress)
    {
        public ImportRequest Request { get; } = request;

        public string Actor { get; } = actor;

        public IProgress<ImportProgress>? Progress { get; } = progress;

        public Counts Counts { get; } = new();

        public ConcurrentQueue<ImportFailure> Failures { get; } = new();

        public ConcurrentQueue<ImportReviewItem> Review { get; } = new();

        public bool Resumed { get; set; }

        public int? Total { get; set; }

        /// <summary>A report made when the import pauses for SCM's open circuit: the counts so far and how long it waits.</summary>
        public void ReportPause(TimeSpan pause) => Progress?.Report(Counts.Snapshot(Total) with { PausedFor = pause });
    }

    /// <summary>
    /// A listed page: its orders' work, what they staged for the page's transaction, its outcomes (merged into the run's
    /// when it commits, so reports never count more than was seen), and the list position after it (its checkpoint).
    /// </summary>
    private sealed class Page(int size, int position, int? statusTotal)
    {
        private int _outstanding = 1; // the lister's own hold, released once every item is handed out

        public int Size { get; } = size;

        public int Position { get; } = position;

        public int? StatusTotal { get; } = statusTotal;

        public List<WorkItem> Work { get; } = [];

        public List<long> SslIds { get; } = [];

        public ConcurrentQueue<StagedImport> Staged { get; } = new();

        public Counts Counts { get; } = new();

        /// <summary>Completes when every order of the page has been fetched and prepared.</summary>
        public TaskCompletionSource Fetched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the page's transaction has ended (stored, or failed and recorded).</summary>
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Counted before an order is handed to the workers, so the page cannot look fetched while orders are still to come.</summary>
        public void HandingOut() => Interlocked.Increment(ref _outstanding);

        /// <summary>The lister has handed out every order of the page.</summary>
        public void AllHandedOut() => ItemDone();

        public void ItemDone()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                Fetched.TrySetResult();
            }
        }
    }

    /// <summary>One order for a worker; <paramref name="Earlier"/> is a page not yet committed that also listed it.</summary>
    private sealed record WorkItem(Page Page, long SslId, Page? Earlier);

    /// <summary>
    /// What the page commit writes for one new SCM order: a pending order with its audit entry, or an issued one's whole
    /// install (observe-only certificate, order inserted completed, both audit entries). <paramref name="UnknownStatus"/>:
    /// SCM's status when the SDK does not know it (the order is listed for review).
    /// </summary>
    private sealed record StagedImport(long SslId, CertificateOrder Order, AuditEntry Audit, PreparedInstall? Install, string? UnknownStatus)
    {
        public StoreBatch AddTo(StoreBatch batch) => Install is { } install ? CertificateInstaller.AddTo(batch, install) : batch.InsertOrder(Order).Audit(Audit);
    }

    private enum OutcomeKind
    {
        Staged,
        Imported,
        ImportedForReview,
        AlreadyKnown,
        Skipped,
        Failed,
        Reconciled,
    }

    private readonly record struct ItemOutcome(OutcomeKind Kind, ImportSkipReason Reason = default)
    {
        public static ItemOutcome Staged => new(OutcomeKind.Staged);

        public static ItemOutcome Imported => new(OutcomeKind.Imported);

        public static ItemOutcome ImportedForReview => new(OutcomeKind.ImportedForReview);

        public static ItemOutcome AlreadyKnown => new(OutcomeKind.AlreadyKnown);

        public static ItemOutcome Failed => new(OutcomeKind.Failed);

        public static ItemOutcome Reconciled => new(OutcomeKind.Reconciled);

        public static ItemOutcome Skipped(ImportSkipReason reason) => new(OutcomeKind.Skipped, reason);
    }

    private sealed class Counts
    {
        private readonly object _lock = new();
        private readonly Dictionary<ImportSkipReason, int> _skipped = [];
        private int _processed;
        private int _imported;
        private int _review;
        private int _alreadyKnown;
        private int _failed;
        private int _reconciled;

        public int Processed
        {
            get
            {
                lock (_lock)
                {
                    return _processed;
                }
            }
        }

        public int Reconciled
        {
            get
            {
                lock (_lock)
                {
                    return _reconciled;
                }
            }
        }

        public void AddProcessed(int count)
        {
            lock (_lock)
            {
                _processed += count;
            }
        }

        public void Add(ItemOutcome outcome)
        {
            lock (_lock)
            {
                switch (outcome.Kind)
                {
                    case OutcomeKind.Imported:
                        _imported++;
                        break;
                    case OutcomeKind.ImportedForReview:
                        _imported++;
                        _review++;
                        break;
                    case OutcomeKind.AlreadyKnown:
                        _alreadyKnown++;
                        break;
                    case OutcomeKind.Skipped:
                        _skipped[outcome.Reason] = _skipped.GetValueOrDefault(outcome.Reason) + 1;
                        break;
                    case OutcomeKind.Reconciled:
                        _reconciled++;
                        break;
                    default:
                        _failed++;
                        break;
                }
            }
        }

        /// <summary>Adds a committed page's outcomes and size.</summary>
        public void Merge(Counts page, int size)
        {
            lock (page._lock)
            {
                lock (_lock)
                {
                    _processed += size;
                    _imported += page._imported;
                    _review += page._review;
                    _alreadyKnown += page._alreadyKnown;
                    _failed += page._failed;
                    _reconciled += page._reconciled;
                    foreach (var (reason, count) in page._skipped)
                    {
                        _skipped[reason] = _skipped.GetValueOrDefault(reason) + count;
                    }
                }
            }
        }

        public ImportProgress Snapshot(int? total)
        {
            lock (_lock)
            {
                return new ImportProgress
                {
                    Total = total,
                    Processed = _processed,
                    Imported = _imported,
                    AlreadyKnown = _alreadyKnown + _reconciled,
                    Skipped = _skipped.Values.Sum(),
                    SkippedBy = new Dictionary<ImportSkipReason, int>(_skipped),
                    NeedsReview = _review,
                    Failed = _failed,
                };
            }
        }
    }
}
