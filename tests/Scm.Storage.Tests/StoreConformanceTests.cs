using Microsoft.Extensions.Time.Testing;

namespace Scm.Storage.Tests;

/// <summary>
/// The conformance kit every store must pass unchanged (in-memory, SQLite, PostgreSQL, and any third-party store):
/// derive, return a fresh empty store from <see cref="CreateStoreAsync"/>, and every semantic the engine relies on is
/// checked: read-your-writes, missing records, optimistic concurrency, atomic batches, one open order per certificate
/// (also under concurrent writers), the engine's queries, paging, the audit log, job state, the catalog and leases with
/// fencing. Time comes from a <see cref="FakeTimeProvider"/>, so lease expiry needs no real waiting.
/// </summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private IScmStore? _store;

    protected FakeTimeProvider Time { get; } = new(T0);

    protected IScmStore Store => _store!;

    /// <summary>Creates a fresh, empty store using <paramref name="time"/> for lease expiry.</summary>
    protected abstract Task<IScmStore> CreateStoreAsync(FakeTimeProvider time);

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync(Time);
        await _store.InitializeAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    internal static CertificateOrder NewOrder(Guid? certificateId = null, OrderState state = OrderState.Planned, DateTimeOffset? next = null, DateTimeOffset? created = null, long? sslId = null) => new()
    {
        Id = Guid.NewGuid(),
        CertificateId = certificateId ?? Guid.NewGuid(),
        Kind = OrderKind.New,
        State = state,
        CorrelationToken = Guid.NewGuid().ToString("N"),
        Request = new CertificateOrderRequest
        {
            CommonName = "www.example.com",
            SubjectAlternativeNames = ["www.example.com", "api.example.com"],
            OrganizationId = 1,
            ProfileId = 2,
            TermDays = 90,
            KeyAlgorithm = KeyAlgorithm.EC,
            Curve = "P-256",
            CustomFields = [new CustomFieldValue("Cost Center", "42")],
            Tags = ["web"],
            AutoRenew = AutoRenewMode.Enabled,
        },
        SslId = sslId,
        ProtectedPrivateKey = [1, 2, 3, 4],
        NextAttemptAt = next,
        CreatedAt = created ?? T0,
        UpdatedAt = created ?? T0,
    };

    internal static ManagedCertificate NewCertificate(DateTimeOffset? notAfter = null, CertificateStatus status = CertificateStatus.Active, long? sslId = null, string serial = "0A1B2C", DateTimeOffset? created = null, string cn = "www.example.com") => new()
    {
        Id = Guid.NewGuid(),
        CommonName = cn,
        SubjectAlternativeNames = [cn],
        SslId = sslId,
        SerialNumber = serial,
        Thumbprint = "AB",
        NotBefore = T0.AddDays(-1),
        NotAfter = notAfter ?? T0.AddDays(90),
        CertificatePem = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
        ProtectedPrivateKey = [9, 9],
        KeystoreType = KeystoreType.Pkcs12,
        Status = status,
        Tags = ["web"],
        CreatedAt = created ?? T0,
        UpdatedAt = created ?? T0,
    };

    internal static AuditEntry Audit(DateTimeOffset at, Guid? certificate = null, string action = "Order") => new()
    {
        Timestamp = at,
        Actor = "test",
        Action = action,
        Decision = "Decided",
        Outcome = "Succeeded",
        CertificateId = certificate,
    };

    private async Task<CertificateOrder> InsertAsync(CertificateOrder order) => (await Store.CommitAsync(new StoreBatch().InsertOrder(order))).Order(order.Id);

    private async Task<ManagedCertificate> InsertAsync(ManagedCertificate certificate) => (await Store.CommitAsync(new StoreBatch().InsertCertificate(certificate))).Certificate(certificate.Id);

    private async Task<CertificateOrder> UpdateAsync(CertificateOrder order) => (await Store.CommitAsync(new StoreBatch().UpdateOrder(order))).Order(order.Id);

    // ---- read-your-writes and missing records ----

    [SkippableFact]
    public async Task GetOrder_AfterInsert_ReadsEveryFieldBackWithVersion1()
    {
        var order = NewOrder(state: OrderState.Submitted, next: T0.AddMinutes(5), sslId: 3_000_000_001) with
        {
            RenewId = "r-1",
            OrderNumber = "o-7",
            ScmStatus = "Applied",
            CsrPem = "-----BEGIN CERTIFICATE REQUEST-----\nAA==\n-----END CERTIFICATE REQUEST-----\n",
            ProtectedKeystorePassword = [5, 6],
            Attempts = 3,
            SubmitRefusals = 4,
            RefusedSince = T0.AddHours(-30),
            RefusalReportedAt = T0.AddHours(-5),
            LastError = "SCM said no",
            LastScmErrorCode = -1400,
            FencingToken = 17,
            SubmittedAt = T0.AddMinutes(1),
            StateChangedAt = T0.AddMinutes(2),
            UpdatedAt = T0.AddMinutes(3),
        };
        var stored = await InsertAsync(order);
        Assert.Equal(order with { Version = 1 }, stored with { Request = order.Request, ProtectedPrivateKey = order.ProtectedPrivateKey, ProtectedKeystorePassword = order.ProtectedKeystorePassword });

        var read = await Store.GetOrderAsync(order.Id);
        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(order.CorrelationToken, read.CorrelationToken);
        Assert.Equal(OrderState.Submitted, read.State);
        Assert.Equal(3_000_000_001, read.SslId);
        Assert.Equal("r-1", read.RenewId);
        Assert.Equal("o-7", read.OrderNumber);
        Assert.Equal(-1400, read.LastScmErrorCode);
        Assert.Equal(4, read.SubmitRefusals);
        Assert.Equal(T0.AddHours(-30), read.RefusedSince);
        Assert.Equal(T0.AddHours(-5), read.RefusalReportedAt);
        Assert.Equal(17, read.FencingToken);
        Assert.Equal(T0.AddMinutes(5), read.NextAttemptAt);
        Assert.Equal(T0.AddMinutes(1), read.SubmittedAt);
        Assert.Equal(T0.AddMinutes(3), read.UpdatedAt);
        Assert.Equal(order.CsrPem, read.CsrPem);
        Assert.Equal(order.Request.SubjectAlternativeNames, read.Request.SubjectAlternativeNames);
        Assert.Equal("42", Assert.Single(read.Request.CustomFields).Value);
        Assert.Equal(["web"], read.Request.Tags);
        Assert.Equal(AutoRenewMode.Enabled, read.Request.AutoRenew);
        Assert.Equal("P-256", read.Request.Curve);
        Assert.Equal(order.ProtectedPrivateKey, read.ProtectedPrivateKey);
        Assert.Equal(order.ProtectedKeystorePassword, read.ProtectedKeystorePassword);
    }

    [SkippableFact]
    public async Task GetCertificate_AfterInsert_ReadsEveryFieldBack()
    {
        var certificate = NewCertificate(sslId: 77) with
        {
            OrganizationId = 4,
            ProfileId = 5,
            TermDays = 90,
            KeyAlgorithm = KeyAlgorithm.Rsa,
            KeySize = 3072,
            ProtectedKeystore = [1, 2, 3],
            ProtectedKeystorePassword = [4],
            Origin = CertificateOrigin.Imported,
            AutoRenew = AutoRenewMode.Disabled,
            RenewedFromId = Guid.NewGuid(),
            ReplacesId = Guid.NewGuid(),
            RenewalFailures = 2,
            RenewalNotBefore = T0.AddHours(4),
            LastRenewalError = "quota",
        };
        await InsertAsync(certificate);

        var read = await Store.GetCertificateAsync(certificate.Id);
        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(certificate.NotAfter, read.NotAfter);
        Assert.Equal(certificate.NotBefore, read.NotBefore);
        Assert.Equal(certificate.CertificatePem, read.CertificatePem);
        Assert.Equal(certificate.ProtectedPrivateKey, read.ProtectedPrivateKey);
        Assert.Equal(certificate.ProtectedKeystore, read.ProtectedKeystore);
        Assert.Equal(3072, read.KeySize);
        Assert.Equal(CertificateOrigin.Imported, read.Origin);
        Assert.Equal(AutoRenewMode.Disabled, read.AutoRenew);
        Assert.Equal(certificate.RenewedFromId, read.RenewedFromId);
        Assert.Equal(certificate.ReplacesId, read.ReplacesId);
        Assert.Equal(T0.AddHours(4), read.RenewalNotBefore);
        Assert.Equal(["www.example.com"], read.SubjectAlternativeNames);
        Assert.False(read.IsObserveOnly);
    }

    [SkippableFact]
    public async Task Get_MissingRecords_ReturnNullOrEmpty()
    {
        Assert.Null(await Store.GetOrderAsync(Guid.NewGuid()));
        Assert.Null(await Store.GetCertificateAsync(Guid.NewGuid()));
        Assert.Null(await Store.GetOpenOrderForCertificateAsync(Guid.NewGuid()));
        Assert.Null(await Store.FindOrderByCorrelationTokenAsync("0123456789abcdef0123456789abcdef"));
        Assert.Null(await Store.FindCertificateBySerialAsync("FF"));
        Assert.Empty(await Store.FindOrdersBySslIdAsync(5));
        Assert.Empty(await Store.FindCertificatesBySslIdAsync(5));
        Assert.Null(await Store.GetCatalogAsync("default"));
        Assert.Null(await Store.GetValueAsync("nothing"));
        Assert.Empty(await Store.ListOpenOrdersAsync(null, 10));
        Assert.Empty(await Store.ListCertificatesDueAsync(T0.AddYears(10), 10));
        Assert.Empty((await Store.ListCertificatesAsync(new CertificateQuery())).Items);
        Assert.Empty((await Store.ListOrdersAsync(new OrderQuery())).Items);
        Assert.Empty(await Store.QueryAuditAsync(new AuditQuery()));
        Assert.Equal(0, await Store.CountCertificatesAsync());
    }

    [SkippableFact]
    public async Task Commit_CallerChangesItsArraysAfterwards_StoredRecordIsUnchanged()
    {
        var order = NewOrder();
        var key = order.ProtectedPrivateKey!;
        await InsertAsync(order);
        key[0] = 0xEE;

        var read = (await Store.GetOrderAsync(order.Id))!;
        Assert.Equal(1, read.ProtectedPrivateKey![0]);
        read.ProtectedPrivateKey[1] = 0xEE;
        Assert.Equal(2, (await Store.GetOrderAsync(order.Id))!.ProtectedPrivateKey![1]);
    }

    // ---- optimistic concurrency ----

    [SkippableFact]
    public async Task UpdateOrder_WithCurrentVersion_IncrementsVersionAndReturnsStoredRecord()
    {
        var stored = await InsertAsync(NewOrder());
        var updated = await UpdateAsync(stored with { State = OrderState.KeyPersisted, Attempts = 1 });
        Assert.Equal(2, updated.Version);
        Assert.Equal(OrderState.KeyPersisted, updated.State);
        var read = (await Store.GetOrderAsync(stored.Id))!;
        Assert.Equal(2, read.Version);
        Assert.Equal(1, read.Attempts);

        var third = await UpdateAsync(read with { State = OrderState.Submitting });
        Assert.Equal(3, third.Version);
    }

    [SkippableFact]
    public async Task UpdateOrder_WithStaleVersion_FailsWithVersionMismatchAndKeepsStoredRecord()
    {
        var stored = await InsertAsync(NewOrder());
        await UpdateAsync(stored with { State = OrderState.KeyPersisted });

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => UpdateAsync(stored with { State = OrderState.Failed }));
        Assert.Equal(StoreConflictReason.VersionMismatch, ex.Reason);
        Assert.Equal(stored.Id, ex.RecordId);
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.False(ex.IsTransient);
        Assert.Equal(OrderState.KeyPersisted, (await Store.GetOrderAsync(stored.Id))!.State);
    }

    [SkippableFact]
    public async Task UpdateCertificate_MissingRecord_FailsWithNotFound()
    {
        var missing = NewCertificate() with { Version = 1 };
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().UpdateCertificate(missing)));
        Assert.Equal(StoreConflictReason.NotFound, ex.Reason);
        Assert.Equal(missing.Id, ex.RecordId);
        Assert.Null(await Store.GetCertificateAsync(missing.Id));
    }

    [SkippableFact]
    public async Task InsertCertificate_DuplicateId_FailsWithAlreadyExists()
    {
        var certificate = NewCertificate();
        await InsertAsync(certificate);
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().InsertCertificate(certificate with { CommonName = "other" })));
        Assert.Equal(StoreConflictReason.AlreadyExists, ex.Reason);
        Assert.Equal("www.example.com", (await Store.GetCertificateAsync(certificate.Id))!.CommonName);
    }

    [SkippableFact]
    public async Task InsertOrder_DuplicateId_FailsWithAlreadyExists()
    {
        var order = NewOrder(state: OrderState.Completed);
        await InsertAsync(order);
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => InsertAsync(order with { CertificateId = Guid.NewGuid() }));
        Assert.Equal(StoreConflictReason.AlreadyExists, ex.Reason);
        Assert.Equal(order.CertificateId, (await Store.GetOrderAsync(order.Id))!.CertificateId);

        // An open order inserted twice breaks both rules (same id, and a second open order for its certificate): the id is
        // the conflict, in every store.
        var open = await InsertAsync(NewOrder(state: OrderState.Submitted));
        var twice = await Assert.ThrowsAsync<StoreConflictException>(() => InsertAsync(open with { Version = 0 }));
        Assert.Equal(StoreConflictReason.AlreadyExists, twice.Reason);
        Assert.Equal(1, (await Store.GetOrderAsync(open.Id))!.Version);
    }

    [SkippableFact]
    public async Task DeleteCertificate_StaleVersionFails_CurrentVersionRemoves()
    {
        var stored = await InsertAsync(NewCertificate());
        var updated = (await Store.CommitAsync(new StoreBatch().UpdateCertificate(stored with { Tags = ["x"] }))).Certificate(stored.Id);
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().DeleteCertificate(stored.Id, stored.Version)));
        Assert.Equal(StoreConflictReason.VersionMismatch, ex.Reason);
        Assert.NotNull(await Store.GetCertificateAsync(stored.Id));

        await Store.CommitAsync(new StoreBatch().DeleteCertificate(stored.Id, updated.Version));
        Assert.Null(await Store.GetCertificateAsync(stored.Id));
        var missing = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().DeleteCertificate(stored.Id, updated.Version)));
        Assert.Equal(StoreConflictReason.NotFound, missing.Reason);
    }

    [SkippableFact]
    public async Task DeleteOrder_OpenOrder_FreesTheCertificateForANewOrder()
    {
        var certificateId = Guid.NewGuid();
        var open = await InsertAsync(NewOrder(certificateId));
        var stale = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().DeleteOrder(open.Id, 7)));
        Assert.Equal(StoreConflictReason.VersionMismatch, stale.Reason);

        await Store.CommitAsync(new StoreBatch().DeleteOrder(open.Id, open.Version));
        Assert.Null(await Store.GetOrderAsync(open.Id));
        Assert.Null(await Store.GetOpenOrderForCertificateAsync(certificateId));
        var next = await InsertAsync(NewOrder(certificateId));
        Assert.Equal(next.Id, (await Store.GetOpenOrderForCertificateAsync(certificateId))!.Id);
    }

    [SkippableFact]
    public async Task UpdateCertificate_ConcurrentWritersWithOneVersion_ExactlyOneWins()
    {
        var stored = await InsertAsync(NewCertificate());
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            try
            {
                await Store.CommitAsync(new StoreBatch().UpdateCertificate(stored with { Tags = [$"writer-{i}"] }));
                return true;
            }
            catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.VersionMismatch)
            {
                return false;
            }
        })));
        Assert.Equal(1, results.Count(r => r));
        var read = (await Store.GetCertificateAsync(stored.Id))!;
        Assert.Equal(2, read.Version);
        Assert.StartsWith("writer-", Assert.Single(read.Tags), StringComparison.Ordinal);
    }

    // ---- atomic batches ----

    [SkippableFact]
    public async Task Commit_FailingLastOperation_WritesNothingIncludingAudit()
    {
        var existing = await InsertAsync(NewCertificate());
        var newOrder = NewOrder();
        var newCertificate = NewCertificate();
        var batch = new StoreBatch()
            .InsertOrder(newOrder)
            .Audit(Audit(T0))
            .InsertCertificate(newCertificate)
            .UpdateCertificate(existing with { Version = 99, Tags = ["changed"] });

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(batch));
        Assert.Equal(StoreConflictReason.VersionMismatch, ex.Reason);
        Assert.Null(await Store.GetOrderAsync(newOrder.Id));
        Assert.Null(await Store.GetOpenOrderForCertificateAsync(newOrder.CertificateId));
        Assert.Null(await Store.GetCertificateAsync(newCertificate.Id));
        Assert.Equal(["web"], (await Store.GetCertificateAsync(existing.Id))!.Tags);
        Assert.Empty(await Store.QueryAuditAsync(new AuditQuery()));
    }

    [SkippableFact]
    public async Task Commit_SeveralRecords_ReturnsStoredVersionsAndAuditSequencesInBatchOrder()
    {
        var order = NewOrder();
        var certificate = NewCertificate();
        var existing = await InsertAsync(NewCertificate());
        var result = await Store.CommitAsync(new StoreBatch()
            .InsertOrder(order)
            .Audit(Audit(T0, action: "first"))
            .InsertCertificate(certificate)
            .UpdateCertificate(existing with { Status = CertificateStatus.Superseded })
            .Audit(Audit(T0, action: "second")));
        Assert.Equal(1, result.Order(order.Id).Version);
        Assert.Equal(1, result.Certificate(certificate.Id).Version);
        Assert.Equal(2, result.Certificate(existing.Id).Version);
        Assert.Equal([certificate.Id, existing.Id], result.Certificates.Select(c => c.Id));
        Assert.Equal(["first", "second"], result.AuditEntries.Select(a => a.Action));
        Assert.True(result.AuditEntries[1].Sequence > result.AuditEntries[0].Sequence);
        Assert.Equal(result.AuditEntries.Select(a => a.Sequence), (await Store.QueryAuditAsync(new AuditQuery())).Select(a => a.Sequence));
    }

    [SkippableFact]
    public async Task Commit_EmptyBatch_SucceedsWithNothingWritten()
    {
        var result = await Store.CommitAsync(new StoreBatch());
        Assert.Empty(result.Orders);
        Assert.Empty(result.Certificates);
        Assert.Empty(result.AuditEntries);
    }

    [SkippableFact]
    public async Task Commit_CancelledToken_ThrowsAndWritesNothing()
    {
        var order = NewOrder();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.CommitAsync(new StoreBatch().InsertOrder(order), cancelled.Token));
        Assert.Null(await Store.GetOrderAsync(order.Id));
    }

    // ---- one open order per certificate ----

    [SkippableFact]
    public async Task InsertOrder_SecondOpenForSameCertificate_FailsWithOpenOrderExistsUntilFirstCloses()
    {
        var certificateId = Guid.NewGuid();
        var first = await InsertAsync(NewOrder(certificateId));
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => InsertAsync(NewOrder(certificateId, OrderState.AwaitingApproval)));
        Assert.Equal(StoreConflictReason.OpenOrderExists, ex.Reason);
        Assert.Equal(certificateId, ex.RecordId);

        // A closed order never blocks: any number of terminal orders may sit beside one open one.
        await InsertAsync(NewOrder(certificateId, OrderState.Failed));
        await InsertAsync(NewOrder(certificateId, OrderState.Cancelled));

        await UpdateAsync(first with { State = OrderState.Completed });
        var second = await InsertAsync(NewOrder(certificateId));
        Assert.Equal(second.Id, (await Store.GetOpenOrderForCertificateAsync(certificateId))!.Id);
        Assert.Equal(4, (await Store.ListOrdersAsync(new OrderQuery { CertificateId = certificateId })).Items.Count);
    }

    [SkippableFact]
    public async Task UpdateOrder_ReopeningAClosedOrderWhileAnotherIsOpen_FailsWithOpenOrderExists()
    {
        var certificateId = Guid.NewGuid();
        var closed = await InsertAsync(NewOrder(certificateId, OrderState.Failed));
        var open = await InsertAsync(NewOrder(certificateId));
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => UpdateAsync(closed with { State = OrderState.Submitted }));
        Assert.Equal(StoreConflictReason.OpenOrderExists, ex.Reason);
        Assert.Equal(OrderState.Failed, (await Store.GetOrderAsync(closed.Id))!.State);
        Assert.Equal(open.Id, (await Store.GetOpenOrderForCertificateAsync(certificateId))!.Id);

        // Moving an open order between open states is an ordinary update.
        var moved = await UpdateAsync(open with { State = OrderState.Submitting });
        Assert.Equal(OrderState.Submitting, moved.State);
    }

    [SkippableFact]
    public async Task Commit_CloseOldThenOpenNewInOneBatch_Succeeds_ReverseOrderFailsAndWritesNothing()
    {
        var certificateId = Guid.NewGuid();
        var old = await InsertAsync(NewOrder(certificateId, OrderState.Stuck));

        // Opening first would briefly hold two open orders: refused (the rule holds after every operation).
        var early = NewOrder(certificateId);
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().InsertOrder(early).UpdateOrder(old with { State = OrderState.Cancelled })));
        Assert.Equal(StoreConflictReason.OpenOrderExists, ex.Reason);
        Assert.Null(await Store.GetOrderAsync(early.Id));
        Assert.Equal(OrderState.Stuck, (await Store.GetOrderAsync(old.Id))!.State);

        var replacement = NewOrder(certificateId);
        await Store.CommitAsync(new StoreBatch().UpdateOrder(old with { State = OrderState.Cancelled }).InsertOrder(replacement));
        Assert.Equal(replacement.Id, (await Store.GetOpenOrderForCertificateAsync(certificateId))!.Id);
    }

    [SkippableFact]
    public async Task InsertOrder_EightConcurrentWritersForOneCertificate_ExactlyOneSucceeds()
    {
        var certificateId = Guid.NewGuid();
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                return await InsertAsync(NewOrder(certificateId));
            }
            catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.OpenOrderExists)
            {
                return null;
            }
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.Id, (await Store.GetOpenOrderForCertificateAsync(certificateId))!.Id);
        Assert.Single((await Store.ListOrdersAsync(new OrderQuery { CertificateId = certificateId })).Items);
    }

    [SkippableFact]
    public async Task UpdateOrder_ConcurrentReopenOfClosedOrders_ExactlyOneSucceeds()
    {
        var certificateId = Guid.NewGuid();
        var closed = new List<CertificateOrder>();
        for (var i = 0; i < 6; i++)
        {
            closed.Add(await InsertAsync(NewOrder(certificateId, OrderState.Failed)));
        }

        var results = await Task.WhenAll(closed.Select(order => Task.Run(async () =>
        {
            try
            {
                await UpdateAsync(order with { State = OrderState.Planned });
                return true;
            }
            catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.OpenOrderExists)
            {
                return false;
            }
        })));
        Assert.Equal(1, results.Count(r => r));
        Assert.Single((await Store.ListOrdersAsync(new OrderQuery { CertificateId = certificateId, States = [OrderState.Planned] })).Items);
    }

    // ---- the engine's queries ----

    [SkippableFact]
    public async Task ListOpenOrders_WithDueTime_ReturnsDueOnesNullsFirstThenEarliest()
    {
        var noTimeLate = await InsertAsync(NewOrder(next: null, created: T0.AddSeconds(3)));
        var noTimeEarly = await InsertAsync(NewOrder(next: null, created: T0.AddSeconds(1)));
        var early = await InsertAsync(NewOrder(next: T0.AddMinutes(1)));
        var atBound = await InsertAsync(NewOrder(next: T0.AddMinutes(2)));
        await InsertAsync(NewOrder(next: T0.AddMinutes(2).AddTicks(1)));
        await InsertAsync(NewOrder(next: T0.AddHours(1)));
        await InsertAsync(NewOrder(state: OrderState.Completed, next: null));
        await InsertAsync(NewOrder(state: OrderState.Failed, next: T0));

        var due = await Store.ListOpenOrdersAsync(T0.AddMinutes(2), 10);
        Assert.Equal([noTimeEarly.Id, noTimeLate.Id, early.Id, atBound.Id], due.Select(o => o.Id));
        Assert.Equal([noTimeEarly.Id, noTimeLate.Id], (await Store.ListOpenOrdersAsync(T0.AddMinutes(2), 2)).Select(o => o.Id));
    }

    [SkippableFact]
    public async Task ListOpenOrders_WithoutDueTime_ReturnsEveryOpenOrderInOrder()
    {
        var later = await InsertAsync(NewOrder(next: T0.AddDays(30)));
        var soon = await InsertAsync(NewOrder(next: T0.AddDays(1)));
        var now = await InsertAsync(NewOrder(next: null));
        await InsertAsync(NewOrder(state: OrderState.InvalidCertificate));

        Assert.Equal([now.Id, soon.Id, later.Id], (await Store.ListOpenOrdersAsync(null, 10)).Select(o => o.Id));

        // A state change moves an order out of (and back into) the pending list.
        await UpdateAsync(soon with { State = OrderState.Completed });
        Assert.Equal([now.Id, later.Id], (await Store.ListOpenOrdersAsync(null, 10)).Select(o => o.Id));
    }

    [SkippableFact]
    public async Task ListCertificatesDue_KeysetPaging_ReturnsActiveOnesBeforeBoundByNotAfterThenId()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 9; i++)
        {
            // Pairs share a NotAfter, so the id decides the order within a pair.
            ids.Add((await InsertAsync(NewCertificate(T0.AddDays(10 + (i / 2))))).Id);
        }

        await InsertAsync(NewCertificate(T0.AddDays(1), CertificateStatus.Superseded));
        await InsertAsync(NewCertificate(T0.AddDays(2), CertificateStatus.Revoked));
        await InsertAsync(NewCertificate(T0.AddDays(100)));
        await InsertAsync(NewCertificate(T0.AddDays(400)));

        var expected = (await Task.WhenAll(ids.Select(id => Store.GetCertificateAsync(id))))
            .Select(c => c!).OrderBy(c => c.NotAfter).ThenBy(c => c.Id).Select(c => c.Id).ToList();

        var seen = new List<Guid>();
        CertificateDuePosition? position = null;
        var pages = 0;
        while (true)
        {
            var page = await Store.ListCertificatesDueAsync(T0.AddDays(100), 4, position);
            if (page.Count == 0)
            {
                break;
            }

            pages++;
            Assert.True(page.Count <= 4);
            seen.AddRange(page.Select(c => c.Id));
            position = new CertificateDuePosition(page[^1].NotAfter, page[^1].Id);
        }

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
    }

    [SkippableFact]
    public async Task ListCertificatesDue_AfterStatusOrExpiryChanges_FollowsTheStoredState()
    {
        var a = await InsertAsync(NewCertificate(T0.AddDays(5)));
        var b = await InsertAsync(NewCertificate(T0.AddDays(6)));
        Assert.Equal([a.Id, b.Id], (await Store.ListCertificatesDueAsync(T0.AddDays(30), 10)).Select(c => c.Id));

        await Store.CommitAsync(new StoreBatch()
            .UpdateCertificate(a with { Status = CertificateStatus.Superseded })
            .UpdateCertificate(b with { NotAfter = T0.AddDays(60) }));
        Assert.Empty(await Store.ListCertificatesDueAsync(T0.AddDays(30), 10));
        Assert.Equal([b.Id], (await Store.ListCertificatesDueAsync(T0.AddDays(61), 10)).Select(c => c.Id));
    }

    [SkippableFact]
    public async Task ListCertificates_ContinuationTokens_PageThroughEveryMatchInCreationOrder()
    {
        for (var i = 0; i < 7; i++)
        {
            await InsertAsync(NewCertificate(created: T0.AddSeconds(i % 4), cn: i % 2 == 0 ? "even.example.com" : "odd.example.com", status: i == 6 ? CertificateStatus.Revoked : CertificateStatus.Active));
        }

        var all = await ReadAllCertificatesAsync(new CertificateQuery { PageSize = 2 });
        Assert.Equal(7, all.Count);
        Assert.Equal(7, all.Select(c => c.Id).Distinct().Count());
        Assert.Equal(all.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Select(c => c.Id), all.Select(c => c.Id));

        var even = await ReadAllCertificatesAsync(new CertificateQuery { CommonName = "EVEN.example.com", PageSize = 1 });
        Assert.Equal(4, even.Count);
        Assert.All(even, c => Assert.Equal("even.example.com", c.CommonName));

        var activeEven = await ReadAllCertificatesAsync(new CertificateQuery { CommonName = "even.example.com", Status = CertificateStatus.Active, PageSize = 2 });
        Assert.Equal(3, activeEven.Count);

        var single = await Store.ListCertificatesAsync(new CertificateQuery { PageSize = 7 });
        Assert.Equal(7, single.Items.Count);
        Assert.Null(single.ContinuationToken);
    }

    [SkippableFact]
    public async Task ListOrders_StatesAndCertificateFilters_PageWithContinuationTokens()
    {
        var certificateId = Guid.NewGuid();
        for (var i = 0; i < 5; i++)
        {
            await InsertAsync(NewOrder(created: T0.AddSeconds(i), state: i == 0 ? OrderState.Completed : OrderState.Submitted));
        }

        await InsertAsync(NewOrder(certificateId, OrderState.Failed, created: T0.AddSeconds(9)));
        await InsertAsync(NewOrder(certificateId, OrderState.Planned, created: T0.AddSeconds(8)));

        var submitted = new List<CertificateOrder>();
        string? token = null;
        do
        {
            var page = await Store.ListOrdersAsync(new OrderQuery { States = [OrderState.Submitted], PageSize = 3, ContinuationToken = token });
            submitted.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(4, submitted.Count);
        Assert.All(submitted, o => Assert.Equal(OrderState.Submitted, o.State));

        var two = (await Store.ListOrdersAsync(new OrderQuery { States = [OrderState.Completed, OrderState.Planned] })).Items;
        Assert.Equal(2, two.Count);

        var ofCertificate = (await Store.ListOrdersAsync(new OrderQuery { CertificateId = certificateId })).Items;
        Assert.Equal([OrderState.Planned, OrderState.Failed], ofCertificate.Select(o => o.State));
        Assert.Equal(7, (await Store.ListOrdersAsync(new OrderQuery())).Items.Count);
    }

    [SkippableFact]
    public async Task ListOrders_ForeignContinuationToken_IsRejected()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ListOrdersAsync(new OrderQuery { ContinuationToken = "garbage" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ListCertificatesAsync(new CertificateQuery { ContinuationToken = "p1.!!!" }));
    }

    [SkippableFact]
    public async Task FindKnownSslIds_AnswersForOrdersAndCertificatesFollowsUpdatesDeletesAndIgnoresFailedBatches()
    {
        Assert.Empty(await Store.FindKnownSslIdsAsync([]));
        var onOrder = await InsertAsync(NewOrder(sslId: 7001));
        await InsertAsync(NewCertificate(sslId: 7002));
        var later = await InsertAsync(NewOrder()); // no sslId yet
        Assert.Equal([7001L, 7002L], (await Store.FindKnownSslIdsAsync([7001, 7002, 7003, 7001, -1, 0])).Order());

        // An order that gets its sslId later is found under it; one whose sslId is deleted is no longer found.
        var withId = (await Store.CommitAsync(new StoreBatch().UpdateOrder(later with { SslId = 7003 }))).Order(later.Id);
        Assert.Equal([7001L, 7002L, 7003L], (await Store.FindKnownSslIdsAsync([7001, 7002, 7003])).Order());
        await Store.CommitAsync(new StoreBatch().DeleteOrder(onOrder.Id, onOrder.Version));
        Assert.Equal([7002L, 7003L], (await Store.FindKnownSslIdsAsync([7001, 7002, 7003])).Order());

        // A batch that fails (stale version after a valid insert) leaves nothing findable behind.
        var failing = new StoreBatch().InsertOrder(NewOrder(sslId: 7004)).UpdateOrder(withId with { SslId = 7005, Version = withId.Version + 5 });
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(failing));
        Assert.Equal([7003L], await Store.FindKnownSslIdsAsync([7003, 7004, 7005]));

        // The same for a whole page at once, and the documented limit.
        var page = Enumerable.Range(0, 200).Select(i => NewOrder(sslId: 8000 + i)).ToArray();
        var batch = new StoreBatch();
        foreach (var order in page.Where((_, i) => i % 2 == 0))
        {
            batch.InsertOrder(order);
        }

        await Store.CommitAsync(batch);
        var known = await Store.FindKnownSslIdsAsync(page.Select(o => o.SslId!.Value).ToArray());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 8000L + (2 * i)), known.Order());
        Assert.Empty(await Store.FindKnownSslIdsAsync(Enumerable.Range(0, 1_000).Select(i => (long)i).ToArray())); // exactly the limit is accepted
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.FindKnownSslIdsAsync(Enumerable.Range(0, 1_001).Select(i => (long)i).ToArray()));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.FindKnownSslIdsAsync(null!));
    }

    [SkippableFact]
    public async Task FindBySslIdTokenAndSerial_FindsTheRecordsNewestFirst()
    {
        var older = await InsertAsync(NewOrder(sslId: 4242, state: OrderState.Completed, created: T0));
        var newer = await InsertAsync(NewOrder(sslId: 4242, created: T0.AddDays(1)));
        await InsertAsync(NewOrder(sslId: 4243));
        var certificate = await InsertAsync(NewCertificate(sslId: 4242, serial: "AB01CD"));
        var reissued = await InsertAsync(NewCertificate(sslId: 4242, serial: "AB01CE", created: T0.AddDays(2)));

        Assert.Equal([newer.Id, older.Id], (await Store.FindOrdersBySslIdAsync(4242)).Select(o => o.Id));
        Assert.Equal(older.Id, (await Store.FindOrderByCorrelationTokenAsync(older.CorrelationToken.ToUpperInvariant()))!.Id);
        Assert.Equal([reissued.Id, certificate.Id], (await Store.FindCertificatesBySslIdAsync(4242)).Select(c => c.Id));
        Assert.Equal(certificate.Id, (await Store.FindCertificateBySerialAsync("ab:01:cd"))!.Id);
        Assert.Equal(reissued.Id, (await Store.FindCertificateBySerialAsync("AB01CE"))!.Id);
        Assert.Null(await Store.FindCertificateBySerialAsync("AB01"));
    }

    [SkippableFact]
    public async Task FindCertificateBySerial_StoredWithColonsAndLowercase_IsFound()
    {
        var certificate = await InsertAsync(NewCertificate(serial: "0a:ff:10"));
        Assert.Equal(certificate.Id, (await Store.FindCertificateBySerialAsync("0AFF10"))!.Id);
        Assert.Equal(certificate.Id, (await Store.FindCertificateBySerialAsync("0A:FF:10"))!.Id);
    }

    [SkippableFact]
    public async Task CountCertificates_ByStatusAndInTotal_FollowsWritesAndDeletes()
    {
        await InsertAsync(NewCertificate());
        var second = await InsertAsync(NewCertificate());
        await InsertAsync(NewCertificate(status: CertificateStatus.Revoked));
        Assert.Equal(2, await Store.CountCertificatesAsync(CertificateStatus.Active));
        Assert.Equal(1, await Store.CountCertificatesAsync(CertificateStatus.Revoked));
        Assert.Equal(0, await Store.CountCertificatesAsync(CertificateStatus.Superseded));
        Assert.Equal(3, await Store.CountCertificatesAsync());

        await Store.CommitAsync(new StoreBatch().DeleteCertificate(second.Id, second.Version));
        Assert.Equal(1, await Store.CountCertificatesAsync(CertificateStatus.Active));
        Assert.Equal(2, await Store.CountCertificatesAsync());
    }

    // ---- audit ----

    [SkippableFact]
    public async Task QueryAudit_Filters_ReturnMatchesInSequenceOrder()
    {
        var certificate = Guid.NewGuid();
        var a = await Store.AppendAuditAsync(Audit(T0, certificate));
        var b = await Store.AppendAuditAsync(Audit(T0.AddHours(1), action: "Renew"));
        var c = await Store.AppendAuditAsync(Audit(T0.AddHours(2), certificate, "Renew"));
        var d = (await Store.CommitAsync(new StoreBatch().Audit(Audit(T0.AddHours(3), certificate, "Revoke")))).AuditEntries[0];
        Assert.True(a.Sequence < b.Sequence && b.Sequence < c.Sequence && c.Sequence < d.Sequence);

        Assert.Equal([a.Sequence, b.Sequence, c.Sequence, d.Sequence], (await Store.QueryAuditAsync(new AuditQuery())).Select(e => e.Sequence));
        Assert.Equal([b.Sequence], (await Store.QueryAuditAsync(new AuditQuery { From = T0.AddMinutes(30), To = T0.AddHours(2) })).Select(e => e.Sequence));
        Assert.Equal([b.Sequence, c.Sequence], (await Store.QueryAuditAsync(new AuditQuery { From = T0.AddHours(1), To = T0.AddHours(2).AddTicks(1) })).Select(e => e.Sequence));
        Assert.Equal([a.Sequence, c.Sequence, d.Sequence], (await Store.QueryAuditAsync(new AuditQuery { CertificateId = certificate })).Select(e => e.Sequence));
        Assert.Equal([c.Sequence], (await Store.QueryAuditAsync(new AuditQuery { Action = "Renew", AfterSequence = b.Sequence })).Select(e => e.Sequence));
        Assert.Equal([c.Sequence], (await Store.QueryAuditAsync(new AuditQuery { CertificateId = certificate, From = T0.AddHours(1), To = T0.AddHours(3) })).Select(e => e.Sequence));
        Assert.Equal([a.Sequence], (await Store.QueryAuditAsync(new AuditQuery { Limit = 1 })).Select(e => e.Sequence));

        var read = (await Store.QueryAuditAsync(new AuditQuery { AfterSequence = c.Sequence })).Single();
        Assert.Equal(d, read);
    }

    [SkippableFact]
    public async Task AppendAudit_ConcurrentWriters_GetUniqueIncreasingSequencesAndPageByAfterSequence()
    {
        var appended = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = new List<AuditEntry>();
            for (var i = 0; i < 15; i++)
            {
                mine.Add(i % 3 == 0
                    ? (await Store.CommitAsync(new StoreBatch().Audit(Audit(T0, action: $"w{w}")))).AuditEntries[0]
                    : await Store.AppendAuditAsync(Audit(T0, action: $"w{w}")));
            }

            return mine;
        })));

        // Within one writer, later appends get higher sequences; across writers every sequence is unique.
        Assert.All(appended, mine => Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence)));
        var sequences = appended.SelectMany(m => m).Select(e => e.Sequence).ToList();
        Assert.Equal(120, sequences.Distinct().Count());

        var paged = new List<AuditEntry>();
        long? after = null;
        while (true)
        {
            var page = await Store.QueryAuditAsync(new AuditQuery { AfterSequence = after, Limit = 50 });
            if (page.Count == 0)
            {
                break;
            }

            paged.AddRange(page);
            after = page[^1].Sequence;
        }

        Assert.Equal(sequences.Order(), paged.Select(e => e.Sequence));
    }

    // ---- job state and catalog ----

    [SkippableFact]
    public async Task SetValue_SetReplaceRemove_ReadsBackLatest()
    {
        await Store.SetValueAsync("schedule:last", "x");
        await Store.SetValueAsync("schedule:last", "y");
        await Store.SetValueAsync("other", "z");
        Assert.Equal("y", await Store.GetValueAsync("schedule:last"));
        Assert.Equal("z", await Store.GetValueAsync("other"));
        await Store.SetValueAsync("schedule:last", null);
        Assert.Null(await Store.GetValueAsync("schedule:last"));
        await Store.SetValueAsync("schedule:last", null);
        Assert.Equal("z", await Store.GetValueAsync("other"));
    }

    [SkippableFact]
    public async Task SetValue_KeysThatLookLikePathsOrSql_AreJustData()
    {
        string[] keys = ["../../etc/passwd", "/tmp/x", "a'; DROP TABLE job_state; --", "C:\\Windows\\system.ini", "ключ", new string('k', 200)];
        foreach (var key in keys)
        {
            await Store.SetValueAsync(key, "value of " + key);
        }

        foreach (var key in keys)
        {
            Assert.Equal("value of " + key, await Store.GetValueAsync(key));
        }

        Assert.Null(await Store.GetValueAsync("../../ETC/passwd"));
    }

    [SkippableFact]
    public async Task SaveCatalog_SecondSnapshot_ReplacesTheFirstPerAccount()
    {
        var first = new ScmAccountCatalog
        {
            AccountId = "default",
            SyncedAt = T0,
            Organizations = [new CatalogOrganization { Id = 1, Name = "Acme", CertificateTypes = ["SSL"] }, new CatalogOrganization { Id = 2, Name = "Ops", ParentId = 1 }],
            Profiles = [new CatalogProfile { Id = 5, Name = "OV", Terms = [365], KeyTypes = new Dictionary<string, IReadOnlyList<string>> { ["RSA"] = ["2048"], ["EC"] = ["P-256"] }, OrganizationIds = [1] }],
            Domains = [new CatalogDomain { Id = 3, Name = "example.com", ValidationStatus = "VALIDATED", DcvExpiration = new DateOnly(2027, 1, 2), Delegations = [new CatalogDomainDelegation { OrganizationId = 1, CertificateTypes = ["SSL"], Status = "ACTIVE" }] }],
            CustomFields = [new CatalogCustomField { Id = 8, Name = "Cost Center", Mandatory = true }],
        };
        await Store.SaveCatalogAsync(first);
        await Store.SaveCatalogAsync(first with { AccountId = "second", Organizations = [] });
        var firstRead = await Store.GetCatalogAsync("default");
        Assert.NotNull(firstRead);
        Assert.Equal(2, firstRead.Organizations.Count);
        Assert.Equal(1, firstRead.Organizations[1].ParentId);
        Assert.Equal(["2048"], firstRead.Profiles[0].KeyTypes["RSA"]);
        Assert.Equal(["P-256"], firstRead.Profiles[0].KeyTypes["EC"]);
        Assert.Equal(new DateOnly(2027, 1, 2), firstRead.Domains[0].DcvExpiration);
        Assert.Equal("ACTIVE", firstRead.Domains[0].Delegations[0].Status);
        Assert.True(firstRead.CustomFields[0].Mandatory);

        await Store.SaveCatalogAsync(first with { SyncedAt = T0.AddDays(7), Organizations = [], Profiles = [] });
        var replaced = await Store.GetCatalogAsync("default");
        Assert.NotNull(replaced);
        Assert.Equal(T0.AddDays(7), replaced.SyncedAt);
        Assert.Empty(replaced.Organizations);
        Assert.Empty(replaced.Profiles);
        Assert.Single(replaced.Domains);
        Assert.Single((await Store.GetCatalogAsync("second"))!.Profiles);
        Assert.Null(await Store.GetCatalogAsync("other"));
    }

    // ---- leases ----

    [SkippableFact]
    public async Task TryAcquireLease_HeldByOther_RefusedUntilExpiry_ThenTakenOverWithHigherFence()
    {
        var a = await Store.TryAcquireLeaseAsync("cert:1", "host-a", TimeSpan.FromSeconds(30));
        Assert.NotNull(a);
        Assert.Equal("host-a", a.Owner);
        Assert.Equal(T0.AddSeconds(30), a.ExpiresAt);
        Assert.Null(await Store.TryAcquireLeaseAsync("cert:1", "host-b", TimeSpan.FromSeconds(30)));

        // Expiry is exact: still held one tick before, lost at the expiry instant.
        Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.NotNull(await Store.CheckLeaseAsync(a));
        Assert.Null(await Store.TryAcquireLeaseAsync("cert:1", "host-b", TimeSpan.FromSeconds(30)));
        Time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(await Store.CheckLeaseAsync(a));
        Assert.Null(await Store.RenewLeaseAsync(a, TimeSpan.FromSeconds(30)));

        var b = await Store.TryAcquireLeaseAsync("cert:1", "host-b", TimeSpan.FromSeconds(30));
        Assert.NotNull(b);
        Assert.True(b.FencingToken > a.FencingToken);
        Assert.Null(await Store.CheckLeaseAsync(a));
        Assert.Null(await Store.TryAcquireLeaseAsync("cert:1", "host-a", TimeSpan.FromSeconds(30)));
    }

    [SkippableFact]
    public async Task TryAcquireLease_SameOwnerWhileHeld_ExtendsAndKeepsFence_RenewExtendsFromNow()
    {
        var a = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(30)))!;
        Time.Advance(TimeSpan.FromSeconds(20));
        var again = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(30)))!;
        Assert.Equal(a.FencingToken, again.FencingToken);
        Assert.Equal(T0.AddSeconds(50), again.ExpiresAt);

        var renewed = (await Store.RenewLeaseAsync(again, TimeSpan.FromMinutes(1)))!;
        Assert.Equal(a.FencingToken, renewed.FencingToken);
        Assert.Equal(T0.AddSeconds(80), renewed.ExpiresAt);
        Assert.Equal(renewed.ExpiresAt, (await Store.CheckLeaseAsync(a))!.ExpiresAt);

        // The original token still names the lease (same owner and fence), so renewing through it works too.
        Time.Advance(TimeSpan.FromSeconds(50));
        Assert.NotNull(await Store.CheckLeaseAsync(a));
        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await Store.CheckLeaseAsync(a));
    }

    [SkippableFact]
    public async Task TryAcquireLease_SameOwnerAfterExpiry_GetsNewHigherFence()
    {
        var a = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(10)))!;
        Time.Advance(TimeSpan.FromSeconds(11));
        var again = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(10)))!;
        Assert.True(again.FencingToken > a.FencingToken);
        Assert.Null(await Store.CheckLeaseAsync(a));
        Assert.NotNull(await Store.CheckLeaseAsync(again));
    }

    [SkippableFact]
    public async Task ReleaseLease_FreesIt_FencesKeepIncreasing_StaleReleaseIsANoOp()
    {
        var a = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(30)))!;
        await Store.ReleaseLeaseAsync(a);
        Assert.Null(await Store.CheckLeaseAsync(a));
        Assert.Null(await Store.RenewLeaseAsync(a, TimeSpan.FromSeconds(30)));
        await Store.ReleaseLeaseAsync(a); // not held: nothing happens

        var b = (await Store.TryAcquireLeaseAsync("job", "host-b", TimeSpan.FromSeconds(30)))!;
        Assert.True(b.FencingToken > a.FencingToken);

        // Releasing a stale token, or someone else's, does not free the current holder.
        await Store.ReleaseLeaseAsync(a);
        await Store.ReleaseLeaseAsync(b with { Owner = "host-c" });
        await Store.ReleaseLeaseAsync(b with { FencingToken = b.FencingToken + 1 });
        Assert.NotNull(await Store.CheckLeaseAsync(b));
        Assert.Null(await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(30)));

        await Store.ReleaseLeaseAsync(b);
        var c = (await Store.TryAcquireLeaseAsync("job", "host-b", TimeSpan.FromSeconds(30)))!;
        Assert.True(c.FencingToken > b.FencingToken);
    }

    [SkippableFact]
    public async Task TryAcquireLease_DifferentNames_AreIndependent()
    {
        var a = (await Store.TryAcquireLeaseAsync("cert:a", "host-a", TimeSpan.FromSeconds(30)))!;
        var b = (await Store.TryAcquireLeaseAsync("cert:b", "host-b", TimeSpan.FromSeconds(30)))!;
        Assert.NotNull(await Store.CheckLeaseAsync(a));
        Assert.NotNull(await Store.CheckLeaseAsync(b));
        Assert.Null(await Store.CheckLeaseAsync(b with { Name = "cert:a" }));
    }

    [SkippableFact]
    public async Task TryAcquireLease_ConcurrentContenders_ExactlyOneWins()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Store.TryAcquireLeaseAsync("scan", $"host-{i}", TimeSpan.FromMinutes(1)))));
        var winner = Assert.Single(results, r => r is not null);
        Assert.NotNull(await Store.CheckLeaseAsync(winner!));
    }

    [SkippableFact]
    public async Task Commit_FencedByHeldLease_Succeeds_FencedByLostLease_FailsWithLeaseLostAndWritesNothing()
    {
        var lease = (await Store.TryAcquireLeaseAsync("cert:x", "host-a", TimeSpan.FromSeconds(10)))!;
        var order = NewOrder();
        await Store.CommitAsync(new StoreBatch().RequireLease(lease).InsertOrder(order).Audit(Audit(T0)));

        // Paused past expiry; another host took over. The woken host's fenced write must fail.
        Time.Advance(TimeSpan.FromSeconds(11));
        var takeover = (await Store.TryAcquireLeaseAsync("cert:x", "host-b", TimeSpan.FromSeconds(10)))!;
        var stored = (await Store.GetOrderAsync(order.Id))!;
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().RequireLease(lease).UpdateOrder(stored with { State = OrderState.Failed }).Audit(Audit(T0))));
        Assert.Equal(StoreConflictReason.LeaseLost, ex.Reason);
        Assert.Equal(OrderState.Planned, (await Store.GetOrderAsync(order.Id))!.State);
        Assert.Single(await Store.QueryAuditAsync(new AuditQuery()));

        // The new holder's fenced write goes through.
        var updated = (await Store.CommitAsync(new StoreBatch().RequireLease(takeover).UpdateOrder(stored with { State = OrderState.KeyPersisted }))).Order(order.Id);
        Assert.Equal(2, updated.Version);
    }

    [SkippableFact]
    public async Task Commit_FencedByExpiredButNotTakenLease_FailsWithLeaseLost()
    {
        var lease = (await Store.TryAcquireLeaseAsync("cert:y", "host-a", TimeSpan.FromSeconds(10)))!;
        Time.Advance(TimeSpan.FromSeconds(10));
        var order = NewOrder();
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().RequireLease(lease).InsertOrder(order)));
        Assert.Equal(StoreConflictReason.LeaseLost, ex.Reason);
        Assert.Null(await Store.GetOrderAsync(order.Id));
    }

    [SkippableFact]
    public async Task Commit_FencedByReleasedLeaseOrWrongFence_FailsWithLeaseLost()
    {
        var lease = (await Store.TryAcquireLeaseAsync("cert:z", "host-a", TimeSpan.FromMinutes(1)))!;
        var wrongFence = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().RequireLease(lease with { FencingToken = lease.FencingToken - 1 }).InsertOrder(NewOrder())));
        Assert.Equal(StoreConflictReason.LeaseLost, wrongFence.Reason);

        await Store.ReleaseLeaseAsync(lease);
        var released = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().RequireLease(lease).InsertOrder(NewOrder())));
        Assert.Equal(StoreConflictReason.LeaseLost, released.Reason);
        Assert.Empty((await Store.ListOrdersAsync(new OrderQuery())).Items);
    }

    // ---- argument validation ----

    [SkippableFact]
    public async Task Queries_LimitsOutOfRange_ThrowArgumentOutOfRange()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("limit", () => Store.ListOpenOrdersAsync(null, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("limit", () => Store.ListOpenOrdersAsync(null, 10_001));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("limit", () => Store.ListCertificatesDueAsync(T0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("limit", () => Store.ListCertificatesDueAsync(T0, 10_001));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("query", () => Store.ListCertificatesAsync(new CertificateQuery { PageSize = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("query", () => Store.ListOrdersAsync(new OrderQuery { PageSize = 1_001 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("query", () => Store.QueryAuditAsync(new AuditQuery { Limit = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("query", () => Store.QueryAuditAsync(new AuditQuery { Limit = 10_001 }));
        Assert.Empty(await Store.ListOpenOrdersAsync(null, 10_000));
        Assert.Empty((await Store.ListOrdersAsync(new OrderQuery { PageSize = 1_000 })).Items);
    }

    [SkippableFact]
    public async Task NamesAndLeases_EmptyTooLongOrBadDuration_ThrowArgumentException()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryAcquireLeaseAsync("", "o", TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryAcquireLeaseAsync("n", "", TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryAcquireLeaseAsync(new string('n', 201), "o", TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("duration", () => Store.TryAcquireLeaseAsync("n", "o", TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("duration", () => Store.TryAcquireLeaseAsync("n", "o", TimeSpan.FromSeconds(-1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("duration", () => Store.TryAcquireLeaseAsync("n", "o", TimeSpan.MaxValue));
        var lease = (await Store.TryAcquireLeaseAsync("n", "o", TimeSpan.FromSeconds(1)))!;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("duration", () => Store.RenewLeaseAsync(lease, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentNullException>("lease", () => Store.CheckLeaseAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>("key", () => Store.SetValueAsync("", "v"));
        await Assert.ThrowsAsync<ArgumentException>("key", () => Store.SetValueAsync(new string('k', 201), "v"));
        await Assert.ThrowsAsync<ArgumentException>("key", () => Store.GetValueAsync(new string('k', 201)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetCatalogAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.FindCertificateBySerialAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.FindOrderByCorrelationTokenAsync(""));
    }

    [SkippableFact]
    public async Task Commit_InvalidRecords_ThrowArgumentExceptionAndWriteNothing()
    {
        var good = NewOrder();
        await Assert.ThrowsAsync<ArgumentException>("batch", () => Store.CommitAsync(new StoreBatch().InsertOrder(good).InsertOrder(NewOrder() with { Version = 3 })));
        await Assert.ThrowsAsync<ArgumentException>("batch", () => Store.CommitAsync(new StoreBatch().InsertCertificate(NewCertificate() with { Version = 1 })));
        await Assert.ThrowsAsync<ArgumentException>("batch", () => Store.CommitAsync(new StoreBatch().InsertOrder(good).InsertOrder(null!)));
        await Assert.ThrowsAsync<ArgumentException>("batch", () => Store.CommitAsync(new StoreBatch().InsertCertificate(NewCertificate() with { SerialNumber = null! })));
        await Assert.ThrowsAsync<ArgumentException>("batch", () => Store.CommitAsync(new StoreBatch().Audit(Audit(T0) with { Actor = null! })));
        await Assert.ThrowsAsync<ArgumentNullException>("batch", () => Store.CommitAsync(null!));
        Assert.Null(await Store.GetOrderAsync(good.Id));
    }

    private async Task<List<ManagedCertificate>> ReadAllCertificatesAsync(CertificateQuery query)
    {
        var all = new List<ManagedCertificate>();
        string? token = null;
        do
        {
            var page = await Store.ListCertificatesAsync(query with { ContinuationToken = token });
            Assert.True(page.Items.Count <= query.PageSize);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return all;
    }
}
