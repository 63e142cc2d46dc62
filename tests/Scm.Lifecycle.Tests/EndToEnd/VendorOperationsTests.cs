using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// The engine's use of the vendor operations of issue 14: OV/EV validation findings in the account check (the reason
/// behind -843), custom fields v2 in the catalog sync, and the API password change with the host's password store.
/// </summary>
public sealed class VendorOperationsTests
{
    /// <summary>A host password store that records each call (and the value it was given) and can be made to fail.</summary>
    private sealed class RecordingPasswordStore : IScmPasswordStore
    {
        public List<(string Step, string Password)> Calls { get; } = [];

        public bool FailPending { get; init; }

        public bool FailCommit { get; init; }

        public Action<ScmPasswordChange>? OnCommit { get; init; }

        public Task SavePendingAsync(ScmPasswordChange change, CancellationToken cancellationToken)
        {
            Calls.Add(("pending", change.NewPassword));
            return FailPending ? throw new IOException("disk full while saving " + change.NewPassword) : Task.CompletedTask;
        }

        public Task CommitAsync(ScmPasswordChange change, CancellationToken cancellationToken)
        {
            Calls.Add(("commit", change.NewPassword));
            if (FailCommit)
            {
                throw new IOException("vault refused " + change.NewPassword);
            }

            OnCommit?.Invoke(change);
            return Task.CompletedTask;
        }

        public Task DiscardAsync(ScmPasswordChange change, CancellationToken cancellationToken)
        {
            Calls.Add(("discard", change.NewPassword));
            return Task.CompletedTask;
        }

        public IEnumerable<string> Steps => Calls.Select(c => c.Step);
    }

    private static void AssertNoSecret(EngineHarness h, ScmPasswordChangeResult result, string secret, IEnumerable<AuditEntry> audit)
    {
        Assert.DoesNotContain(secret, result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(h.Logs, l => l.Contains(secret, StringComparison.Ordinal));
        Assert.All(audit, a => Assert.DoesNotContain(secret, a.ToString(), StringComparison.Ordinal));
    }

    private static Task<IReadOnlyList<AuditEntry>> PasswordAuditAsync(EngineHarness h) =>
        h.Store.QueryAuditAsync(new AuditQuery { Action = "PasswordChange", Limit = 100 });

    // ---------------------------------------------------------------- account check: OV/EV

    [Fact]
    public async Task CheckAccount_ValidatedOrganizations_ReportsTheirValidationsAsOk()
    {
        await using var h = await EngineHarness.StartAsync();

        var result = await h.Lifecycle.CheckAccountAsync();

        Assert.True(result.IsReady);
        var validations = result.Findings.Where(f => f.Check == "validation").ToList();
        Assert.Equal(2, validations.Count);
        Assert.All(validations, f => Assert.Equal(FindingSeverity.Ok, f.Severity));
        Assert.Contains(validations, f => f.Message.Contains("'Acme Corporation': OV validated until 2027-11-28, EV validated until 2027-11-28", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAccount_EvPendingAndOvExpiringSoon_WarnsWithTheReasonBehindMinus843()
    {
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.SetOrganizationValidation(EngineHarness.Org, ScmSimulatorValidationLevel.EvSsl, ScmSimulatorValidationStatus.Pending);
        h.Simulator.SetOrganizationValidation(2002, ScmSimulatorValidationLevel.OvSsl, ScmSimulatorValidationStatus.Validated, h.Time.GetUtcNow().AddDays(10));

        var result = await h.Lifecycle.CheckAccountAsync();

        Assert.True(result.IsReady);
        var acme = Assert.Single(result.Findings, f => f.Check == "validation" && f.Message.StartsWith("'Acme Corporation'", StringComparison.Ordinal));
        Assert.Equal(FindingSeverity.Warning, acme.Severity);
        Assert.Contains("EV validation PENDING", acme.Message, StringComparison.Ordinal);
        Assert.Contains("-843", acme.Message, StringComparison.Ordinal);
        var globex = Assert.Single(result.Findings, f => f.Check == "validation" && f.Message.StartsWith("'Globex Inc'", StringComparison.Ordinal));
        Assert.Contains("OV validation expires on 2026-12-08", globex.Message, StringComparison.Ordinal);

        // What the finding predicts is what SCM does.
        var refused = await h.Lifecycle.OrderAsync(EngineHarness.Request("ev", algorithm: KeyAlgorithm.Rsa) with { ProfileId = EngineHarness.ApprovalProfile, SubjectAlternativeNames = [] });
        Assert.Equal(OrderState.Failed, refused.State);
        Assert.Equal(-843, refused.Order.LastScmErrorCode);
    }

    [Fact]
    public async Task CheckAccount_OrganizationWithoutValidations_Warns()
    {
        await using var h = await EngineHarness.StartAsync(simulator: o => o.Account.Organizations[1].Validations.Clear());

        var result = await h.Lifecycle.CheckAccountAsync();

        var globex = Assert.Single(result.Findings, f => f.Check == "validation" && f.Message.StartsWith("'Globex Inc'", StringComparison.Ordinal));
        Assert.Equal(FindingSeverity.Warning, globex.Severity);
        Assert.Contains("no OV validation", globex.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- catalog: custom fields v2

    [Fact]
    public async Task SyncCatalog_CustomFieldsFromV2_MandatoryMeansRequiredByTheRestApi()
    {
        await using var h = await EngineHarness.StartAsync(simulator: o =>
        {
            o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 61, Name = "Ticket", OtherMandatoryChannels = ScmSimulatorCustomFieldChannels.WebForm | ScmSimulatorCustomFieldChannels.AdminUi });
            o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 62, Name = "Legacy Code", Mandatory = true, Active = false });
        });

        var catalog = (await h.Lifecycle.SyncCatalogAsync()).Catalog;

        Assert.Equal(["Application", "Cost Center", "Ticket"], catalog.CustomFields.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["Cost Center"], catalog.CustomFields.Where(f => f.Mandatory).Select(f => f.Name));
        Assert.Contains(h.Simulator.GetRequestLog(), r => r.Path == "/api/customField/v2");
        Assert.DoesNotContain(h.Simulator.GetRequestLog(), r => r.Path == "/api/ssl/v1/customFields");
    }

    [Fact]
    public async Task SyncCatalog_CustomFieldsV2Refused_FallsBackToTheSslList()
    {
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.Faults.Add(ScmFault.On("GET", "/customField/v2").ScmError(-3, "You are not authorized to perform this operation", 403));

        var catalog = (await h.Lifecycle.SyncCatalogAsync()).Catalog;

        Assert.Contains(catalog.CustomFields, f => f.Name == EngineHarness.CostCenter && f.Mandatory);
        Assert.Contains(h.Simulator.GetRequestLog(), r => r.Path == "/api/ssl/v1/customFields");
    }

    // ---------------------------------------------------------------- reconciliation across capped pages

    [Fact]
    public async Task Reconcile_ScmCapsPagesBelowTheAskedSize_OrderOnALaterPageIsFoundAndNotSentTwice()
    {
        // SCM answers at most 2 rows per page while the engine asks for 200; X-Total-Count says more follow.
        await using var h = await EngineHarness.StartAsync(simulator: o => o.MaxPageSize = 2);
        using (var other = h.NewOtherToolClient())
        {
            for (var i = 0; i < 3; i++)
            {
                using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
                var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=www.acme.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSigningRequestPem();
                await other.Ssl.EnrollAsync(new Scm.Client.SslEnrollRequest
                {
                    OrganizationId = EngineHarness.Org,
                    ProfileId = EngineHarness.MultiDomainProfile,
                    Term = 365,
                    Csr = csr,
                    CustomFields = [new Scm.Client.CustomFieldValue(EngineHarness.CostCenter, "CC-1")],
                });
            }
        }

        h.Simulator.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.ServerError).Once());
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        Assert.Equal(OrderState.Ambiguous, ordered.State);

        var check = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(2));

        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.Equal(1, h.Simulator.Counters.EnrollPostsFor(ordered.Order.CorrelationToken));
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
        Assert.Contains(h.Simulator.GetRequestLog(), r => r.Method == "GET" && r.Path == "/api/ssl/v1" && r.StatusCode == 200);
    }

    // ---------------------------------------------------------------- password change

    [Fact]
    public async Task ChangeScmPassword_Accepted_PendingThenCommitted_EngineGoesOnWithTheNewPassword()
    {
        await using var h = await EngineHarness.StartAsync(simulator: o => o.Account.PasswordExpiration = new DateOnly(2026, 12, 5));
        var store = new RecordingPasswordStore();
        const string NewPassword = "Rotated-Canary-2026";

        var before = await h.Lifecycle.CheckAccountAsync();
        var result = await h.Lifecycle.ChangeScmPasswordAsync(store, NewPassword);
        var after = await h.Lifecycle.CheckAccountAsync();

        Assert.Contains(before.Findings, f => f.Check == "credentials" && f.Severity == FindingSeverity.Warning);
        Assert.Equal(ScmPasswordChangeOutcome.Changed, result.Outcome);
        Assert.True(result.Saved);
        Assert.Equal(["pending", "commit"], store.Steps);
        Assert.All(store.Calls, c => Assert.Equal(NewPassword, c.Password));
        Assert.Equal(NewPassword, h.Simulator.Credentials.Password);
        Assert.Equal("ALIVE", result.PasswordState);
        Assert.Equal(new DateOnly(2027, 2, 26), result.PasswordExpires);
        Assert.True(after.IsReady);
        Assert.Contains(after.Findings, f => f.Check == "credentials" && f.Severity == FindingSeverity.Ok);
        var audit = await PasswordAuditAsync(h);
        Assert.Equal("Changed", Assert.Single(audit).Decision);
        AssertNoSecret(h, result, NewPassword, audit);
    }

    [Fact]
    public async Task ChangeScmPassword_PolicyViolated_PendingDiscarded_CurrentPasswordStillWorks()
    {
        await using var h = await EngineHarness.StartAsync();
        var store = new RecordingPasswordStore();
        var old = h.Simulator.Credentials.Password;

        var result = await h.Lifecycle.ChangeScmPasswordAsync(store, "no-upper-case-9");

        Assert.Equal(ScmPasswordChangeOutcome.Refused, result.Outcome);
        Assert.Equal(-7306, result.ScmErrorCode);
        Assert.Contains("uppercase", result.Message, StringComparison.Ordinal);
        Assert.Equal(["pending", "discard"], store.Steps);
        Assert.Equal(old, h.Simulator.Credentials.Password);
        Assert.True((await h.Lifecycle.CheckAccountAsync()).IsReady);
        AssertNoSecret(h, result, "no-upper-case-9", await PasswordAuditAsync(h));
    }

    [Fact]
    public async Task ChangeScmPassword_AnswerLostAfterScmChangedIt_SettledByAskingScm_Committed()
    {
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.Faults.Add(ScmFault.On("POST", "/admin/v1/changepassword").CommitThenFail(ScmCommitFailure.ServerError).Once());
        var store = new RecordingPasswordStore();

        var result = await h.Lifecycle.ChangeScmPasswordAsync(store, "Lost-Answer-Pw-77");

        Assert.Equal(ScmPasswordChangeOutcome.Changed, result.Outcome);
        Assert.Equal(["pending", "commit"], store.Steps);
        Assert.Equal("Lost-Answer-Pw-77", h.Simulator.Credentials.Password);
        Assert.True((await h.Lifecycle.CheckAccountAsync()).IsReady);
    }

    [Fact]
    public async Task ChangeScmPassword_AnswerLostBeforeScmActed_SettledByAskingScm_Discarded()
    {
        await using var h = await EngineHarness.StartAsync();
        h.Simulator.Faults.Add(ScmFault.On("POST", "/admin/v1/changepassword").ServerError(503).Once());
        var store = new RecordingPasswordStore();
        var old = h.Simulator.Credentials.Password;

        var result = await h.Lifecycle.ChangeScmPasswordAsync(store, "Never-Applied-Pw-1");

        Assert.Equal(ScmPasswordChangeOutcome.NotChanged, result.Outcome);
        Assert.Equal(["pending", "discard"], store.Steps);
        Assert.Equal(old, h.Simulator.Credentials.Password);
        Assert.True((await h.Lifecycle.CheckAccountAsync()).IsReady);
    }

    [Fact]
    public async Task ChangeScmPassword_AnswerLostAndScmUnreachable_UnknownAndThePendingPasswordIsKept()
    {
        // No GET retries: the probe's 503 is final at once (retries would wait on the fake clock).
        await using var h = await EngineHarness.StartAsync(engine: o => o.Client.MaxRetryAttempts = 0);
        h.Simulator.Faults.Add(ScmFault.On("POST", "/admin/v1/changepassword").CommitThenFail(ScmCommitFailure.ServerError).Once());
        h.Simulator.Faults.Add(ScmFault.On("GET", "/admin/v1/password").ServerError(503));
        var store = new RecordingPasswordStore();

        var result = await h.Lifecycle.ChangeScmPasswordAsync(store, "Unknown-Outcome-Pw-3");

        Assert.Equal(ScmPasswordChangeOutcome.Unknown, result.Outcome);
        Assert.Equal(["pending"], store.Steps);
        Assert.Contains("kept as pending", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeScmPassword_SavingThePendingPasswordFails_NothingIsSent()
    {
        await using var h = await EngineHarness.StartAsync();
        var store = new RecordingPasswordStore { FailPending = true };

        var ex = await Assert.ThrowsAsync<IOException>(() => h.Lifecycle.ChangeScmPasswordAsync(store, "Not-Sent-Pw-0001"));

        Assert.Equal(["pending"], store.Steps);
        Assert.DoesNotContain(h.Simulator.GetRequestLog(), r => r.Path == "/api/admin/v1/changepassword");
        Assert.NotNull(ex);
    }

    [Fact]
    public async Task ChangeScmPassword_CommitFails_ChangedButNotSaved_MessageHasNoSecret()
    {
        await using var h = await EngineHarness.StartAsync();
        var store = new RecordingPasswordStore { FailCommit = true };

        var result = await h.Lifecycle.ChangeScmPasswordAsync(store, "Commit-Fails-Pw-5");

        Assert.Equal(ScmPasswordChangeOutcome.Changed, result.Outcome);
        Assert.False(result.Saved);
        Assert.Contains("IOException", result.Message, StringComparison.Ordinal);
        Assert.Contains("Sectigo:Client:Password", result.Message, StringComparison.Ordinal);
        AssertNoSecret(h, result, "Commit-Fails-Pw-5", await PasswordAuditAsync(h));
    }

    [Fact]
    public async Task ChangeScmPassword_Generated_OnlyTheStoreReceivesIt_AndScmAcceptsIt()
    {
        await using var h = await EngineHarness.StartAsync();
        var store = new RecordingPasswordStore();

        var result = await h.Lifecycle.ChangeScmPasswordAsync(store);

        Assert.Equal(ScmPasswordChangeOutcome.Changed, result.Outcome);
        Assert.True(result.Generated);
        var generated = store.Calls[0].Password;
        Assert.Equal(24, generated.Length);
        Assert.Equal(generated, h.Simulator.Credentials.Password);
        AssertNoSecret(h, result, generated, await PasswordAuditAsync(h));
    }

    [Fact]
    public async Task ChangeScmPassword_ExpiredPassword_ChangeClosesTheCredentialCircuit()
    {
        await using var h = await EngineHarness.StartAsync(simulator: o => o.Account.PasswordExpiration = new DateOnly(2026, 11, 1));
        var check = await h.Lifecycle.CheckAccountAsync();
        Assert.Contains(check.Findings, f => f.Check == "credentials" && f.Severity == FindingSeverity.Error);
        await Assert.ThrowsAnyAsync<Exception>(() => h.Lifecycle.SyncCatalogAsync());

        var result = await h.Lifecycle.ChangeScmPasswordAsync(new RecordingPasswordStore(), "After-Expiry-Pw-1");

        Assert.Equal(ScmPasswordChangeOutcome.Changed, result.Outcome);
        Assert.Equal("ALIVE", result.PasswordState);
        Assert.NotEmpty((await h.Lifecycle.SyncCatalogAsync()).Catalog.Organizations);
    }

    [Theory]
    [InlineData("x-SIM-ADMIN-x", "login")]
    [InlineData("", "1..32")]
    [InlineData("0123456789012345678901234567890123", "1..32")]
    public async Task ChangeScmPassword_BadInput_RefusedBeforeTheStoreOrScmSeeIt(string newPassword, string rule)
    {
        await using var h = await EngineHarness.StartAsync();
        var store = new RecordingPasswordStore();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => h.Lifecycle.ChangeScmPasswordAsync(store, newPassword));

        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        Assert.Empty(store.Calls);
        Assert.DoesNotContain(h.Simulator.GetRequestLog(), r => r.Path == "/api/admin/v1/changepassword");
    }

    [Fact]
    public async Task ChangeScmPassword_OAuth2Engine_NotSupported()
    {
        await using var h = await EngineHarness.StartAsync(engine: o =>
        {
            o.Client.AuthenticationMode = Scm.Client.ScmAuthenticationMode.OAuth2ClientCredentials;
            o.Client.ClientId = "id";
            o.Client.ClientSecret = "secret";
            o.Client.TokenEndpoint = new Uri(o.Client.BaseAddress, "/auth/realms/apiclients/protocol/openid-connect/token");
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Lifecycle.ChangeScmPasswordAsync(new RecordingPasswordStore(), "Oauth-Pw-00001"));
    }

    [Fact]
    public async Task ChangeScmPassword_HostConfiguredFromConfiguration_CommitWritesTheKeyAndReloadsKeepWorking()
    {
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null });
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sectigo:Client:BaseAddress"] = sim.BaseAddress.ToString(),
            ["Sectigo:Client:Login"] = sim.Credentials.Login,
            ["Sectigo:Client:Password"] = sim.Credentials.Password,
            ["Sectigo:Client:CustomerUri"] = sim.Credentials.CustomerUri,
            ["Sectigo:Scheduling:Enabled"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddSectigoCertificateManagement(root).UseInMemoryStorage();
        await using var provider = services.BuildServiceProvider();
        var lifecycle = provider.GetRequiredService<ICertificateLifecycle>();

        // The store writes the committed password where configuration reads it, then the configuration reloads.
        var store = new RecordingPasswordStore
        {
            OnCommit = change =>
            {
                root[change.ConfigurationKey] = change.NewPassword;
                root.Reload();
            },
        };
        var result = await lifecycle.ChangeScmPasswordAsync(store, "From-Config-Pw-42");

        Assert.Equal(ScmPasswordChangeOutcome.Changed, result.Outcome);
        Assert.Equal("From-Config-Pw-42", root["Sectigo:Client:Password"]);
        root["Sectigo:Polling:InitialDelay"] = "00:00:20";
        root.Reload();
        Assert.True((await lifecycle.CheckAccountAsync()).IsReady);
    }
}
