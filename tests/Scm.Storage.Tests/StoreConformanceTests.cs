using Microsoft.Extensions.Time.Testing;

namespace Scm.Storage.Tests;

/// <summary>
/// The conformance kit every store must pass unchanged (in-memory, SQLite, and any third-party store): derive, return
/// a fresh empty store from <see cref="CreateStoreAsync"/>, and every semantic the engine relies on is checked.
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

    private static AuditEntry Audit(DateTimeOffset at, Guid? certificate = null, string action = "Order") => new()
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

    [Fact]
    public async Task Insert_ThenGet_ReadsEveryFieldBack()
    {
        var order = NewOrder(state: OrderState.Submitted, next: T0.AddMinutes(5), sslId: 3_000_000_001);
        var stored = await InsertAsync(order);
        Assert.Equal(1, stored.Version);

        var read = await Store.GetOrderAsync(order.Id);
        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(order.CorrelationToken, read.CorrelationToken);
        Assert.Equal(OrderState.Submitted, read.State);
        Assert.Equal(3_000_000_001, read.SslId);
        Assert.Equal(T0.AddMinutes(5), read.NextAttemptAt);
        Assert.Equal(order.Request.SubjectAlternativeNames, read.Request.SubjectAlternativeNames);
        Assert.Equal("42", Assert.Single(read.Request.CustomFields).Value);
        Assert.Equal(["web"], read.Request.Tags);
        Assert.Equal(AutoRenewMode.Enabled, read.Request.AutoRenew);
        Assert.Equal(order.ProtectedPrivateKey, read.ProtectedPrivateKey);

        var certificate = await InsertAsync(NewCertificate(sslId: 77));
        var readCertificate = await Store.GetCertificateAsync(certificate.Id);
        Assert.NotNull(readCertificate);
        Assert.Equal(certificate.NotAfter, readCertificate.NotAfter);
        Assert.Equal(certificate.CertificatePem, readCertificate.CertificatePem);
        Assert.Equal(certificate.ProtectedPrivateKey, readCertificate.ProtectedPrivateKey);
        Assert.Equal(1, readCertificate.Version);
    }

    [Fact]
    public async Task Get_MissingRecords_ReturnNull()
    {
        Assert.Null(await Store.GetOrderAsync(Guid.NewGuid()));
        Assert.Null(await Store.GetCertificateAsync(Guid.NewGuid()));
        Assert.Null(await Store.FindOrderByCorrelationTokenAsync("0123456789abcdef0123456789abcdef"));
        Assert.Null(await Store.FindCertificateBySerialAsync("FF"));
        Assert.Empty(await Store.FindOrdersBySslIdAsync(5));
        Assert.Null(await Store.GetCatalogAsync("default"));
        Assert.Null(await Store.GetValueAsync("nothing"));
    }

    [Fact]
    public async Task Update_WithCurrentVersion_IncrementsVersion()
    {
        var stored = await InsertAsync(NewOrder());
        var updated = (await Store.CommitAsync(new StoreBatch().UpdateOrder(stored with { State = OrderState.KeyPersisted }))).Order(stored.Id);
        Assert.Equal(2, updated.Version);
        Assert.Equal(OrderState.KeyPersisted, (await Store.GetOrderAsync(stored.Id))!.State);
    }

    [Fact]
    public async Task Update_WithStaleVersion_FailsWithVersionMismatchAndKeepsStoredRecord()
    {
        var stored = await InsertAsync(NewOrder());
        await Store.CommitAsync(new StoreBatch().UpdateOrder(stored with { State = OrderState.KeyPersisted }));

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().UpdateOrder(stored with { State = OrderState.Failed })));
        Assert.Equal(StoreConflictReason.VersionMismatch, ex.Reason);
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.Equal(OrderState.KeyPersisted, (await Store.GetOrderAsync(stored.Id))!.State);
    }

    [Fact]
    public async Task Update_MissingRecord_FailsWithNotFound()
    {
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().UpdateCertificate(NewCertificate() with { Version = 1 })));
        Assert.Equal(StoreConflictReason.NotFound, ex.Reason);
    }

    [Fact]
    public async Task Insert_DuplicateId_FailsWithAlreadyExists()
    {
        var certificate = NewCertificate();
        await InsertAsync(certificate);
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().InsertCertificate(certificate)));
        Assert.Equal(StoreConflictReason.AlreadyExists, ex.Reason);
    }

    [Fact]
    public async Task Delete_WithStaleVersion_Fails_WithCurrentVersion_Removes()
    {
        var stored = await InsertAsync(NewCertificate());
        var updated = (await Store.CommitAsync(new StoreBatch().UpdateCertificate(stored with { Tags = ["x"] }))).Certificate(stored.Id);
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().DeleteCertificate(stored.Id, stored.Version)));
        Assert.Equal(StoreConflictReason.VersionMismatch, ex.Reason);

        await Store.CommitAsync(new StoreBatch().DeleteCertificate(stored.Id, updated.Version));
        Assert.Null(await Store.GetCertificateAsync(stored.Id));
    }

    [Fact]
    public async Task Commit_FailingOperation_WritesNothingIncludingAudit()
    {
        var existing = await InsertAsync(NewCertificate());
        var newOrder = NewOrder();
        var batch = new StoreBatch()
            .InsertOrder(newOrder)
            .Audit(Audit(T0))
            .UpdateCertificate(existing with { Version = 99 });

        await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(batch));
        Assert.Null(await Store.GetOrderAsync(newOrder.Id));
        Assert.Empty(await Store.QueryAuditAsync(new AuditQuery()));
    }

    [Fact]
    public async Task Commit_SeveralRecords_ReturnsStoredVersionsAndAuditSequences()
    {
        var order = NewOrder();
        var certificate = NewCertificate();
        var result = await Store.CommitAsync(new StoreBatch().InsertOrder(order).InsertCertificate(certificate).Audit(Audit(T0)).Audit(Audit(T0)));
        Assert.Equal(1, result.Order(order.Id).Version);
        Assert.Equal(1, result.Certificate(certificate.Id).Version);
        Assert.Equal(2, result.AuditEntries.Count);
        Assert.True(result.AuditEntries[1].Sequence > result.AuditEntries[0].Sequence);
    }

    [Fact]
    public async Task OpenOrder_SecondForSameCertificate_FailsWithOpenOrderExists()
    {
        var certificateId = Guid.NewGuid();
        var first = await InsertAsync(NewOrder(certificateId));
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => InsertAsync(NewOrder(certificateId)));
        Assert.Equal(StoreConflictReason.OpenOrderExists, ex.Reason);

        // Closing the first allows the next, and a closed order never blocks.
        await Store.CommitAsync(new StoreBatch().UpdateOrder(first with { State = OrderState.Completed }));
        var second = await InsertAsync(NewOrder(certificateId));
        Assert.Equal(second.Id, (await Store.GetOpenOrderForCertificateAsync(certificateId))!.Id);
    }

    [Fact]
    public async Task OpenOrder_ReopeningAClosedOrderWhileAnotherIsOpen_Fails()
    {
        var certificateId = Guid.NewGuid();
        var closed = await InsertAsync(NewOrder(certificateId, OrderState.Failed));
        await InsertAsync(NewOrder(certificateId));
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().UpdateOrder(closed with { State = OrderState.Submitted })));
        Assert.Equal(StoreConflictReason.OpenOrderExists, ex.Reason);
    }

    [Fact]
    public async Task OpenOrder_ConcurrentWriters_ExactlyOneWins()
    {
        var certificateId = Guid.NewGuid();
        var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                await InsertAsync(NewOrder(certificateId));
                return true;
            }
            catch (StoreConflictException ex) when (ex.Reason == StoreConflictReason.OpenOrderExists)
            {
                return false;
            }
        })).ToArray();
        var results = await Task.WhenAll(attempts);
        Assert.Equal(1, results.Count(r => r));
        Assert.NotNull(await Store.GetOpenOrderForCertificateAsync(certificateId));
    }

    [Fact]
    public async Task ConcurrentUpdates_OfOneRecord_OnlyOneWinsPerVersion()
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
        Assert.Equal(2, (await Store.GetCertificateAsync(stored.Id))!.Version);
    }

    [Fact]
    public async Task ListOpenOrders_ReturnsDueOnesNullsFirstThenEarliest()
    {
        var noTime = await InsertAsync(NewOrder(next: null, created: T0.AddSeconds(3)));
        var early = await InsertAsync(NewOrder(next: T0.AddMinutes(1)));
        var later = await InsertAsync(NewOrder(next: T0.AddMinutes(2)));
        await InsertAsync(NewOrder(next: T0.AddHours(1)));
        await InsertAsync(NewOrder(state: OrderState.Completed, next: null));

        var due = await Store.ListOpenOrdersAsync(T0.AddMinutes(2), 10);
        Assert.Equal([noTime.Id, early.Id, later.Id], due.Select(o => o.Id));
        Assert.Equal(4, (await Store.ListOpenOrdersAsync(null, 10)).Count);
        Assert.Single(await Store.ListOpenOrdersAsync(T0.AddMinutes(2), 1));
    }

    [Fact]
    public async Task ListCertificatesDue_OrdersByNotAfterAndPagesByKeyset()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await InsertAsync(NewCertificate(T0.AddDays(10 + (i / 2))))).Id);
        }

        await InsertAsync(NewCertificate(T0.AddDays(1), CertificateStatus.Superseded));
        await InsertAsync(NewCertificate(T0.AddDays(400)));

        var expected = (await Task.WhenAll(ids.Select(id => Store.GetCertificateAsync(id))))
            .Select(c => c!).OrderBy(c => c.NotAfter).ThenBy(c => c.Id).Select(c => c.Id).ToList();

        var seen = new List<Guid>();
        CertificateDuePosition? position = null;
        while (true)
        {
            var page = await Store.ListCertificatesDueAsync(T0.AddDays(100), 3, position);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(c => c.Id));
            position = new CertificateDuePosition(page[^1].NotAfter, page[^1].Id);
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task ListCertificatesAndOrders_PageWithContinuationTokens()
    {
        for (var i = 0; i < 5; i++)
        {
            await InsertAsync(NewCertificate(created: T0.AddSeconds(i), cn: i % 2 == 0 ? "even.example.com" : "odd.example.com"));
            await InsertAsync(NewOrder(created: T0.AddSeconds(i), state: i == 0 ? OrderState.Completed : OrderState.Submitted));
        }

        var all = new List<ManagedCertificate>();
        string? token = null;
        do
        {
            var page = await Store.ListCertificatesAsync(new CertificateQuery { PageSize = 2, ContinuationToken = token });
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(5, all.Count);
        Assert.Equal(all.OrderBy(c => c.CreatedAt).Select(c => c.Id), all.Select(c => c.Id));

        var even = await Store.ListCertificatesAsync(new CertificateQuery { CommonName = "EVEN.example.com" });
        Assert.Equal(3, even.Items.Count);

        var submitted = await Store.ListOrdersAsync(new OrderQuery { States = [OrderState.Submitted], PageSize = 10 });
        Assert.Equal(4, submitted.Items.Count);
        Assert.Null(submitted.ContinuationToken);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListOrdersAsync(new OrderQuery { ContinuationToken = "garbage" }));
    }

    [Fact]
    public async Task FindBySslIdTokenAndSerial_FindTheRecords()
    {
        var order = await InsertAsync(NewOrder(sslId: 4242));
        var certificate = await InsertAsync(NewCertificate(sslId: 4242, serial: "AB01CD"));
        Assert.Equal(order.Id, Assert.Single(await Store.FindOrdersBySslIdAsync(4242)).Id);
        Assert.Equal(order.Id, (await Store.FindOrderByCorrelationTokenAsync(order.CorrelationToken.ToUpperInvariant()))!.Id);
        Assert.Equal(certificate.Id, Assert.Single(await Store.FindCertificatesBySslIdAsync(4242)).Id);
        Assert.Equal(certificate.Id, (await Store.FindCertificateBySerialAsync("ab:01:cd"))!.Id);
    }

    [Fact]
    public async Task CountCertificates_ByStatus()
    {
        await InsertAsync(NewCertificate());
        await InsertAsync(NewCertificate());
        await InsertAsync(NewCertificate(status: CertificateStatus.Revoked));
        Assert.Equal(2, await Store.CountCertificatesAsync(CertificateStatus.Active));
        Assert.Equal(3, await Store.CountCertificatesAsync());
    }

    [Fact]
    public async Task Audit_SequencesIncreaseAndFiltersApply()
    {
        var certificate = Guid.NewGuid();
        var a = await Store.AppendAuditAsync(Audit(T0, certificate));
        var b = await Store.AppendAuditAsync(Audit(T0.AddHours(1), action: "Renew"));
        var c = await Store.AppendAuditAsync(Audit(T0.AddHours(2), certificate, "Renew"));
        Assert.True(a.Sequence < b.Sequence && b.Sequence < c.Sequence);

        Assert.Equal([a.Sequence, b.Sequence, c.Sequence], (await Store.QueryAuditAsync(new AuditQuery())).Select(e => e.Sequence));
        Assert.Equal([b.Sequence], (await Store.QueryAuditAsync(new AuditQuery { From = T0.AddMinutes(30), To = T0.AddHours(2) })).Select(e => e.Sequence));
        Assert.Equal([a.Sequence, c.Sequence], (await Store.QueryAuditAsync(new AuditQuery { CertificateId = certificate })).Select(e => e.Sequence));
        Assert.Equal([c.Sequence], (await Store.QueryAuditAsync(new AuditQuery { Action = "Renew", AfterSequence = b.Sequence })).Select(e => e.Sequence));
        Assert.Single(await Store.QueryAuditAsync(new AuditQuery { Limit = 1 }));
    }

    [Fact]
    public async Task Catalog_SaveReplacesSnapshot()
    {
        var first = new ScmAccountCatalog
        {
            AccountId = "default",
            SyncedAt = T0,
            Organizations = [new CatalogOrganization { Id = 1, Name = "Acme" }],
            Profiles = [new CatalogProfile { Id = 5, Name = "OV", Terms = [365], KeyTypes = new Dictionary<string, IReadOnlyList<string>> { ["RSA"] = ["2048"] } }],
            Domains = [new CatalogDomain { Id = 3, Name = "example.com", DcvExpiration = new DateOnly(2027, 1, 2), Delegations = [new CatalogDomainDelegation { OrganizationId = 1 }] }],
        };
        await Store.SaveCatalogAsync(first);
        await Store.SaveCatalogAsync(first with { SyncedAt = T0.AddDays(7), Organizations = [] });
        var read = await Store.GetCatalogAsync("default");
        Assert.NotNull(read);
        Assert.Equal(T0.AddDays(7), read.SyncedAt);
        Assert.Empty(read.Organizations);
        Assert.Equal(["2048"], read.Profiles[0].KeyTypes["RSA"]);
        Assert.Equal(new DateOnly(2027, 1, 2), read.Domains[0].DcvExpiration);
        Assert.Null(await Store.GetCatalogAsync("other"));
    }

    [Fact]
    public async Task JobState_SetGetRemove()
    {
        await Store.SetValueAsync("schedule:last", "x");
        await Store.SetValueAsync("schedule:last", "y");
        Assert.Equal("y", await Store.GetValueAsync("schedule:last"));
        await Store.SetValueAsync("schedule:last", null);
        Assert.Null(await Store.GetValueAsync("schedule:last"));
        await Store.SetValueAsync("../../etc/passwd", "just a key");
        Assert.Equal("just a key", await Store.GetValueAsync("../../etc/passwd"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SetValueAsync(new string('k', 201), "v"));
    }

    [Fact]
    public async Task Lease_HeldByOther_IsRefusedUntilExpiry_ThenTakenOverWithHigherFence()
    {
        var a = await Store.TryAcquireLeaseAsync("cert:1", "host-a", TimeSpan.FromSeconds(30));
        Assert.NotNull(a);
        Assert.Null(await Store.TryAcquireLeaseAsync("cert:1", "host-b", TimeSpan.FromSeconds(30)));

        Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await Store.CheckLeaseAsync(a));
        Assert.Null(await Store.RenewLeaseAsync(a, TimeSpan.FromSeconds(30)));
        var b = await Store.TryAcquireLeaseAsync("cert:1", "host-b", TimeSpan.FromSeconds(30));
        Assert.NotNull(b);
        Assert.True(b.FencingToken > a.FencingToken);
    }

    [Fact]
    public async Task Lease_ReacquireBySameOwner_ExtendsAndKeepsFence_RenewExtends()
    {
        var a = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(30)))!;
        Time.Advance(TimeSpan.FromSeconds(20));
        var again = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(30)))!;
        Assert.Equal(a.FencingToken, again.FencingToken);
        Assert.Equal(T0.AddSeconds(50), again.ExpiresAt);

        var renewed = (await Store.RenewLeaseAsync(again, TimeSpan.FromMinutes(1)))!;
        Assert.Equal(T0.AddSeconds(80), renewed.ExpiresAt);
        Assert.Equal(renewed.ExpiresAt, (await Store.CheckLeaseAsync(renewed))!.ExpiresAt);
    }

    [Fact]
    public async Task Lease_ReleaseFreesIt_AndFencesKeepIncreasing()
    {
        var a = (await Store.TryAcquireLeaseAsync("job", "host-a", TimeSpan.FromSeconds(30)))!;
        await Store.ReleaseLeaseAsync(a);
        Assert.Null(await Store.CheckLeaseAsync(a));
        var b = (await Store.TryAcquireLeaseAsync("job", "host-b", TimeSpan.FromSeconds(30)))!;
        Assert.True(b.FencingToken > a.FencingToken);

        // Releasing a stale token does not free the current holder.
        await Store.ReleaseLeaseAsync(a);
        Assert.NotNull(await Store.CheckLeaseAsync(b));
    }

    [Fact]
    public async Task Batch_FencedByLostLease_FailsWithLeaseLostAndWritesNothing()
    {
        var lease = (await Store.TryAcquireLeaseAsync("cert:x", "host-a", TimeSpan.FromSeconds(10)))!;
        var order = NewOrder();
        await Store.CommitAsync(new StoreBatch().RequireLease(lease).InsertOrder(order));

        Time.Advance(TimeSpan.FromSeconds(11));
        await Store.TryAcquireLeaseAsync("cert:x", "host-b", TimeSpan.FromSeconds(10));
        var stored = (await Store.GetOrderAsync(order.Id))!;
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync(new StoreBatch().RequireLease(lease).UpdateOrder(stored with { State = OrderState.Failed }).Audit(Audit(T0))));
        Assert.Equal(StoreConflictReason.LeaseLost, ex.Reason);
        Assert.Equal(OrderState.Planned, (await Store.GetOrderAsync(order.Id))!.State);
        Assert.Empty(await Store.QueryAuditAsync(new AuditQuery()));
    }

    [Fact]
    public async Task Arguments_OutOfRange_AreRejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListOpenOrdersAsync(null, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListCertificatesDueAsync(T0, 10_001));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.TryAcquireLeaseAsync("x", "o", TimeSpan.Zero));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryAcquireLeaseAsync("", "o", TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(new StoreBatch().InsertOrder(NewOrder() with { Version = 3 })));
    }
}
