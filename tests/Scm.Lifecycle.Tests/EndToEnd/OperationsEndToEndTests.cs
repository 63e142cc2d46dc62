using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scm.Client;
using Scm.Lifecycle.Storage;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>Reissue, revoke, cancel, delete and the health check, through the host against the simulator.</summary>
public sealed class OperationsEndToEndTests
{
    private static async Task<ManagedCertificate> IssueAsync(EngineHarness h, string name = "www")
    {
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request(name));
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        return done.InstalledCertificate!;
    }

    [Fact]
    public async Task Reissue_NewKeyAndNames_SameSslId_ReplacesOnlyOnceCollected()
    {
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h);
        var result = await h.Lifecycle.ReissueAsync(old.Id, new ReissueCertificateRequest
        {
            Reason = "key rotation after an incident",
            SubjectAlternativeNames = ["www.acme.example", "extra.acme.example"],
            KeyAlgorithm = KeyAlgorithm.EC,
            Curve = "P-384",
        });
        Assert.Equal(LifecycleOutcome.Submitted, result.Outcome);
        Assert.Equal(old.SslId, result.Order!.SslId);
        Assert.Equal(CertificateStatus.Active, (await h.Lifecycle.GetCertificateAsync(old.Id))!.Status);

        var check = await h.AdvanceAndCheckAsync(result.Order.Id);
        var reissued = check.InstalledCertificate!;
        Assert.Equal(old.SslId, reissued.SslId);
        Assert.Equal(old.Id, reissued.ReplacesId);
        Assert.Equal("P-384", reissued.Curve);
        Assert.Contains("extra.acme.example", reissued.SubjectAlternativeNames);
        Assert.NotEqual(old.SerialNumber, reissued.SerialNumber);
        var replaced = (await h.Lifecycle.GetCertificateAsync(old.Id))!;
        Assert.Equal(CertificateStatus.Superseded, replaced.Status);
        Assert.Equal(reissued.Id, replaced.ReplacedById);
        Assert.Equal(1, h.Simulator.Counters.BillableOrders);
    }

    [Fact]
    public async Task Reissue_RefusedModifiedByAnotherUser_NotSearchedSoTheOtherUsersReplaceIsNeverAdoptedOwnRequestSentAgain()
    {
        // -3114: another user changed the SCM order while our replace arrived. Nothing of ours was created, and the
        // certificate's SCM order now carries the other user's change, so a search (which for a reissue looks at that
        // order) would take it for ours. Instead the same request, with our key, is sent again after the refusal backoff.
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h);
        var sslId = old.SslId!.Value;
        var refusal = h.Simulator.Faults.Add(ScmFault.On("POST", $"/ssl/*/replace/{sslId}").ScmError(-3114, "SSL certificate was modified by another user").Once());
        var result = await h.Lifecycle.ReissueAsync(old.Id, new ReissueCertificateRequest { Reason = "key rotation" });
        Assert.Equal(1, refusal.Hits);
        var waiting = (await h.Lifecycle.GetOrderAsync(result.Order!.Id))!;
        Assert.Equal(OrderState.KeyPersisted, waiting.State);
        Assert.Equal(1, waiting.SubmitRefusals);
        Assert.Equal(-3114, waiting.LastScmErrorCode);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(1), waiting.NextAttemptAt);

        // SCM's "not now" is honoured even by a forced check: nothing is sent before the wait is over.
        int ReplacePosts() => h.Simulator.GetRequestLog().Count(r => r.Method == "POST" && r.Path.Contains("/replace/", StringComparison.Ordinal));
        Assert.Equal(1, ReplacePosts());
        var forced = await h.Lifecycle.CheckStatusAsync(waiting.Id);
        Assert.Equal(OrderState.KeyPersisted, forced.Order.State);
        Assert.Equal(1, ReplacePosts());

        // The other user's replace, with another key, is issued in SCM before our order is looked at again.
        using (var otherTool = h.NewOtherToolClient())
        {
            using var otherKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={old.CommonName}", otherKey, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSigningRequestPem();
            await otherTool.Ssl.ReplaceAsync(sslId, new SslReplaceRequest { Csr = csr, Reason = "another user's reissue" });
        }

        h.Simulator.IssueNow(sslId);
        var otherSerial = h.Simulator.GetOrder(sslId)!.SerialNumber;

        StatusCheckResult check;
        var polls = 0;
        do
        {
            check = await h.AdvanceAndCheckAsync(waiting.Id, TimeSpan.FromMinutes(1));
        }
        while (check.Order.State != OrderState.Completed && ++polls < 20);

        Assert.Equal(OrderState.Completed, check.Order.State);
        var reissued = (await h.Lifecycle.GetCertificateAsync((await h.Lifecycle.GetCertificateAsync(old.Id))!.ReplacedById!.Value))!;
        Assert.Equal(waiting.ProtectedPrivateKey, reissued.ProtectedPrivateKey);
        Assert.NotEqual(otherSerial, reissued.SerialNumber);
        Assert.Equal(old.Id, reissued.ReplacesId);
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery());
        Assert.DoesNotContain(audit, a => a.OrderId == waiting.Id && a.Decision is "Reconciled" or "InvalidCertificate");
        Assert.Contains(audit, a => a.OrderId == waiting.Id && a.Decision == "ScmUnavailable" && a.Reason!.Contains("nothing was created", StringComparison.Ordinal));
        Assert.Equal(0, check.Order.SubmitRefusals);
    }

    [Theory]
    [InlineData("", "Reason")]
    [InlineData("x", "SubjectAlternativeNames")]
    public async Task Reissue_BadInput_RejectedWithZeroRequests(string reason, string field)
    {
        await using var h = await EngineHarness.StartAsync();
        var old = await IssueAsync(h);
        var before = h.Simulator.Counters.Requests;
        var request = field == "Reason"
            ? new ReissueCertificateRequest { Reason = reason }
            : new ReissueCertificateRequest { Reason = "ok", SubjectAlternativeNames = ["www.globex.example"] };
        var ex = await Assert.ThrowsAsync<CertificateRequestValidationException>(() => h.Lifecycle.ReissueAsync(old.Id, request));
        Assert.True(ex.HasErrorFor(field), ex.Message);
        Assert.Equal(before, h.Simulator.Counters.Requests);
    }

    [Fact]
    public async Task Revoke_ScmConfirms_LocalRecordRevoked()
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        var result = await h.Lifecycle.RevokeAsync(certificate.Id, new RevokeCertificateRequest { ReasonCode = RevocationReason.Superseded, Reason = "moved to a new host" });
        Assert.Equal(LifecycleOutcome.Done, result.Outcome);
        Assert.False(result.WasAlreadyRevoked);
        Assert.Equal(CertificateStatus.Revoked, result.Certificate!.Status);
        Assert.Equal("Revoked", h.Simulator.GetOrder(certificate.SslId!.Value)!.Status);
        Assert.Equal(4, h.Simulator.GetOrder(certificate.SslId.Value)!.ReasonCode);
    }

    [Fact]
    public async Task Revoke_LocalWriteLostAfterRemoteSuccess_RetryGetsAlreadyRevokedAndCompletes()
    {
        // F32: SCM revoked it, the local write failed; the retry's -159 plus SCM's details count as success.
        var store = new FaultyStore(new InMemoryScmStore());
        await using var h = await EngineHarness.StartAsync(builder: b => b.Services.AddSingleton<IScmStore>(store));
        var certificate = await IssueAsync(h);
        store.FailWhen = b => b.Operations.Any(o => o is UpdateCertificateOperation u && u.Certificate.Status == CertificateStatus.Revoked);
        await Assert.ThrowsAsync<ScmStoreException>(() => h.Lifecycle.RevokeAsync(certificate.Id, new RevokeCertificateRequest { Reason = "compromised", ReasonCode = RevocationReason.KeyCompromise }));
        Assert.Equal("Revoked", h.Simulator.GetOrder(certificate.SslId!.Value)!.Status);
        Assert.Equal(CertificateStatus.Active, (await h.Lifecycle.GetCertificateAsync(certificate.Id))!.Status);

        store.FailWhen = null;
        var retry = await h.Lifecycle.RevokeAsync(certificate.Id, new RevokeCertificateRequest { Reason = "compromised", ReasonCode = RevocationReason.KeyCompromise });
        Assert.True(retry.WasAlreadyRevoked);
        Assert.Equal(CertificateStatus.Revoked, (await h.Lifecycle.GetCertificateAsync(certificate.Id))!.Status);
    }

    [Fact]
    public async Task Revoke_ScmRefuses_NothingChangesLocally()
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        h.Simulator.Faults.Add(ScmFault.On("POST", "/ssl/*/revoke/*").ServerError(503).Always());
        await Assert.ThrowsAnyAsync<Exception>(() => h.Lifecycle.RevokeAsync(certificate.Id, new RevokeCertificateRequest { Reason = "x" }));
        Assert.Equal(CertificateStatus.Active, (await h.Lifecycle.GetCertificateAsync(certificate.Id))!.Status);
        Assert.Equal("Issued", h.Simulator.GetOrder(certificate.SslId!.Value)!.Status);
    }

    [Fact]
    public async Task Revoke_ThenRemove_DeletesLocalRecordAndAuditsBoth()
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        var result = await h.Lifecycle.RevokeAsync(certificate.Id, new RevokeCertificateRequest { Reason = "decommissioned", ReasonCode = RevocationReason.CessationOfOperation, RemoveFromInventory = true });
        Assert.True(result.Removed);
        Assert.Null(await h.Lifecycle.GetCertificateAsync(certificate.Id));
        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id });
        Assert.Contains(audit, a => a.Action == "Revoke" && a.Decision == "Revoked");
        Assert.Contains(audit, a => a.Action == "Delete" && a.Decision == "Deleted");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(9)]
    public async Task Revoke_ReasonCodeNotAllowed_RejectedWithZeroRequests(int code)
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        var before = h.Simulator.Counters.Requests;
        var ex = await Assert.ThrowsAsync<CertificateRequestValidationException>(() => h.Lifecycle.RevokeAsync(certificate.Id, new RevokeCertificateRequest { Reason = "x", ReasonCode = (RevocationReason)code }));
        Assert.Contains("ReasonCode must be 0, 1, 3, 4 or 5", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, h.Simulator.Counters.Requests);
    }

    [Fact]
    public async Task Cancel_AwaitingApproval_DeclinedInScm()
    {
        await using var h = await EngineHarness.StartAsync();
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request(algorithm: KeyAlgorithm.Rsa) with { ProfileId = EngineHarness.ApprovalProfile, SubjectAlternativeNames = [] });
        await h.AdvanceAndCheckAsync(ordered.OrderId);
        var result = await h.Lifecycle.CancelOrderAsync(ordered.OrderId, "no longer needed");
        Assert.Equal(LifecycleOutcome.Done, result.Outcome);
        Assert.False(result.ScmMayStillIssue);
        Assert.Equal(OrderState.Cancelled, result.Order.State);
        Assert.Equal("Declined", h.Simulator.GetOrder(ordered.SslId!.Value)!.Status);
    }

    [Fact]
    public async Task Cancel_AlreadyWithTheCa_CancelledLocally_IssuedAnywayIsReported()
    {
        await using var h = await EngineHarness.StartAsync(simulator: o => o.IssueDelay = TimeSpan.FromHours(2));
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(1));
        var result = await h.Lifecycle.CancelOrderAsync(ordered.OrderId);
        Assert.True(result.ScmMayStillIssue);
        Assert.Contains("SCM has no cancel", result.Message, StringComparison.Ordinal);

        h.Time.Advance(TimeSpan.FromHours(3));
        var job = await h.Jobs.RunAsync(Scheduling.LifecycleJob.StatusCheck);
        Assert.Contains("issued anyway", job.Summary, StringComparison.Ordinal);
        Assert.Contains(h.Events, e => e is CancelledOrderIssuedEvent c && c.OrderId == ordered.OrderId);
        Assert.Contains(await h.Lifecycle.QueryAuditAsync(new AuditQuery()), a => a.Decision == "CancelledButIssued");
        Assert.Null(await h.Lifecycle.GetCertificateAsync(ordered.CertificateId));

        // Reported once.
        await h.Jobs.RunAsync(Scheduling.LifecycleJob.StatusCheck);
        Assert.Single(h.Events, e => e is CancelledOrderIssuedEvent);
    }

    [Fact]
    public async Task Delete_RemovesLocalRecordsOnly_AuditKeepsIt()
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        var result = await h.Lifecycle.DeleteCertificateAsync(certificate.Id);
        Assert.True(result.Deleted);
        Assert.Equal(1, result.OrdersRemoved);
        Assert.Null(await h.Lifecycle.GetCertificateAsync(certificate.Id));
        Assert.Empty(await h.Lifecycle.ListOrdersAsync().ToListAsync());
        Assert.Equal("Issued", h.Simulator.GetOrder(certificate.SslId!.Value)!.Status);
        Assert.Contains(await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id }), a => a.Action == "Delete");
        Assert.False((await h.Lifecycle.DeleteCertificateAsync(certificate.Id)).Deleted);
    }

    [Fact]
    public async Task Delete_WithOpenOrder_RefusedUntilCancelled()
    {
        await using var h = await EngineHarness.StartAsync();
        var certificate = await IssueAsync(h);
        var renewal = await h.Lifecycle.RenewAsync(certificate.Id);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Lifecycle.DeleteCertificateAsync(certificate.Id));
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Lifecycle.DeleteOrderAsync(renewal.Order!.Id));
        Assert.NotNull(await h.Lifecycle.GetCertificateAsync(certificate.Id));
    }

    [Fact]
    public async Task Delete_FreesLicenceCapacity_ParkedCertificateInstalled()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.Inventory.MaxManagedCertificates = 1);
        var first = await IssueAsync(h, "first");
        var second = await h.Lifecycle.OrderAsync(EngineHarness.Request("second"));
        var parked = await h.AdvanceAndCheckAsync(second.OrderId);
        Assert.Equal(OrderState.Parked, parked.Order.State);
        await h.Lifecycle.DeleteCertificateAsync(first.Id);
        await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.Equal(OrderState.Completed, (await h.Lifecycle.GetOrderAsync(second.OrderId))!.State);
    }

    [Fact]
    public async Task HealthCheck_ReportsStuckOrdersAndEmergencyCertificates()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.AutoRenewal.Enabled = true);
        var check = new HealthCheckContext { Registration = new HealthCheckRegistration("sectigo", _ => null!, HealthStatus.Unhealthy, null) };
        var lifecycleType = typeof(ICertificateLifecycle).Assembly.GetType("Scm.Lifecycle.Internal.Engine.LifecycleHealthCheck", true)!;
        var healthCheck = (IHealthCheck)Activator.CreateInstance(lifecycleType, h.Services.GetRequiredService(typeof(ICertificateLifecycle).Assembly.GetType("Scm.Lifecycle.Internal.Engine.CertificateLifecycle", true)!))!;
        Assert.Equal(HealthStatus.Healthy, (await healthCheck.CheckHealthAsync(check)).Status);

        var certificate = await IssueAsync(h);
        var approval = await h.Lifecycle.OrderAsync(EngineHarness.Request("needs-ok", algorithm: KeyAlgorithm.Rsa) with { ProfileId = EngineHarness.ApprovalProfile, SubjectAlternativeNames = [] });
        await h.AdvanceAndCheckAsync(approval.OrderId, TimeSpan.FromHours(25));
        var degraded = await healthCheck.CheckHealthAsync(check);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(1, degraded.Data["ordersStuck"]);

        await h.Lifecycle.SetCertificateAutoRenewAsync(certificate.Id, AutoRenewMode.Disabled);
        h.Time.Advance(certificate.NotAfter - h.Time.GetUtcNow() - TimeSpan.FromDays(5));
        var unhealthy = await healthCheck.CheckHealthAsync(check);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(1, unhealthy.Data["certificatesInEmergencyWindow"]);
    }

    [Fact]
    public async Task HealthCheck_RegisteredThroughHealthChecksBuilder()
    {
        await using var h = await EngineHarness.StartAsync(builder: b => b.Services.AddHealthChecks().AddSectigoCertificateManagement());
        var report = await h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["sectigo-certificates"].Status);
    }
}
