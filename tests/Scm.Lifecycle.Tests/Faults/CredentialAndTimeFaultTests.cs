using System.Security.Cryptography.X509Certificates;
using Scm.Client;
using Scm.Lifecycle.Scheduling;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>docs/reliability.md, credentials, clocks and secrets (F45, F47-F50).</summary>
public sealed class CredentialAndTimeFaultTests
{
    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Credentials_ExpiredOrRotated_ScheduledWorkPausesOneProbePerIntervalNoOrderLostResumesAfterUpdate(int seed)
    {
        // F45: SCM refuses the credentials (expired: 401 -970; rotated: 401 -16). The account-wide circuit opens:
        // scheduled work pauses (job runs report "Paused"), at most one probe per probe interval reaches SCM, an order
        // placed meanwhile is kept unsent, nothing is lost or sent twice, the refusal is reported once. Here "the credentials
        // are updated" is a restart with the new ones, so the paused state must come through the store; the first
        // successful probe resumes the work. (The reload from configuration without a restart is
        // HostingTests.AddFromConfiguration_CredentialsRotatedInScm_NewValuesInConfigurationResumeWorkWithoutRestart.)
        var interval = TimeSpan.FromMinutes(FaultSeeds.Pick(seed, 5, 2, 10, 3, 5));
        var expire = seed % 2 == 1;
        await using var run = await FaultRun.StartAsync(seed, Noise.None, engine: o => o.Credentials.ProbeInterval = interval);
        var before = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("before"))));
        Assert.Equal(OrderState.Submitted, before.State);
        if (expire)
        {
            run.Sim.ExpireCredentials();
        }
        else
        {
            run.AddSecret("rotated SCM password", run.Sim.RotateCredentials().Password);
        }

        // The first call that meets the refusal opens the circuit; its order is only deferred.
        run.Advance(TimeSpan.FromSeconds(10));
        Assert.True(run.Observe(await run.H.Jobs.RunAsync(LifecycleJob.FollowUp)).Ran);
        Assert.Equal(OrderState.Submitted, (await run.Store.GetOrderAsync(before.OrderId))!.State);

        var requests = run.Sim.Counters.Requests;
        var during = run.Observe(await run.Lifecycle.OrderAsync(FaultRun.Request("during")));
        Assert.Equal(OrderState.KeyPersisted, during.State);
        Assert.Equal(requests, run.Sim.Counters.Requests);

        var window = interval * 3;
        var started = run.Time.GetUtcNow();
        var results = new List<JobRunResult>();
        while (run.Time.GetUtcNow() - started < window)
        {
            run.Advance(TimeSpan.FromSeconds(10));
            results.Add(run.Observe(await run.H.Jobs.RunAsync(FaultSeeds.Pick(seed, LifecycleJob.FollowUp, LifecycleJob.StatusCheck, LifecycleJob.FollowUp))));
        }

        Assert.All(results, r =>
        {
            Assert.False(r.Ran);
            Assert.StartsWith("Paused", r.Summary, StringComparison.Ordinal);
        });
        var probes = run.Sim.Counters.Requests - requests;
        Assert.InRange(probes, 1, (int)(window / interval) + 1);
        Assert.Single(run.H.Events.OfType<CredentialsRefusedEvent>());
        Assert.DoesNotContain(run.H.Events, e => e is CredentialsRestoredEvent);
        Assert.Contains(await run.AuditAsync(), a => a.Action == "Credentials" && a.Decision == "Refused");
        Assert.Equal(1, run.Sim.Counters.EnrollPosts);

        // The operator updates the credentials (no live reload: a restart with them).
        if (expire)
        {
            run.AddSecret("renewed SCM password", run.Sim.RotateCredentials().Password);
        }

        await run.RestartAsync();
        run.Advance(TimeSpan.FromSeconds(10));
        var stillPaused = run.Observe(await run.H.Jobs.RunAsync(LifecycleJob.FollowUp));
        Assert.False(stillPaused.Ran);
        run.Advance(interval);
        var resumed = run.Observe(await run.PumpAsync(() => run.H.Jobs.RunAsync(LifecycleJob.FollowUp)));
        Assert.True(resumed.Ran, resumed.Summary);
        Assert.Single(run.H.Events.OfType<CredentialsRestoredEvent>());
        Assert.Contains(await run.AuditAsync(), a => a.Action == "Credentials" && a.Decision == "Restored");

        await run.SettleAsync();
        Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(before.OrderId))!.State);
        Assert.Equal(OrderState.Completed, (await run.Store.GetOrderAsync(during.OrderId))!.State);
        Assert.Equal(2, run.Sim.Counters.EnrollPosts);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Clock_EngineSkewedFromScm_ExpiryFromCertificateNotAfterNotBeforeAheadAccepted(int seed)
    {
        // F47: the engine's clock runs 10 min, 1 h or 1 day fast or slow against SCM's. Expiry comes from the
        // certificate's own NotAfter (to the second, never SCM's day-precision date strings); a NotBefore ahead of the
        // engine's clock (engine slow) is accepted; the renewal threshold is the certificate's NotAfter minus the window
        // on the engine's clock. Not covered: estimating the skew from SCM's Date header (the engine does not do it yet).
        var skew = FaultSeeds.Pick(seed, TimeSpan.FromMinutes(10), -TimeSpan.FromHours(1), TimeSpan.FromDays(1), -TimeSpan.FromDays(1), -TimeSpan.FromMinutes(10), TimeSpan.FromHours(1));
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, simulatorSkew: -skew, engine: o =>
        {
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.MaxJitter = TimeSpan.Zero;
        });
        Assert.Equal(skew, run.Time.GetUtcNow() - run.SimulatorClock!.GetUtcNow());
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        await run.SettleAsync();
        run.StartNoise();
        var certificate = (await run.Store.GetCertificateAsync(ordered.CertificateId))!;
        var scm = run.Sim.GetOrder(certificate.SslId!.Value)!;
        using var leaf = X509Certificate2.CreateFromPem(certificate.CertificatePem);
        Assert.Equal(new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero), certificate.NotAfter);
        Assert.Equal(scm.Expires, certificate.NotAfter);
        Assert.NotEqual(TimeSpan.Zero, certificate.NotAfter.TimeOfDay);
        if (skew < TimeSpan.Zero)
        {
            Assert.True(certificate.NotBefore > run.Time.GetUtcNow() - TimeSpan.FromMinutes(1), "Installed although its NotBefore is ahead of the engine's clock.");
        }

        var renewAt = certificate.NotAfter - TimeSpan.FromDays(30);
        run.Advance(renewAt - run.Time.GetUtcNow() - TimeSpan.FromMinutes(1));
        Assert.Empty(run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync())).Decisions);
        run.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 5 && run.Sim.Counters.RenewalOrdersFor(certificate.SslId.Value) == 0; i++)
        {
            var decisions = run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync())).Decisions;
            Assert.Single(decisions);
            run.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(certificate.SslId.Value));
        await run.SettleAsync();
        var renewed = (await run.Store.GetCertificateAsync((await run.Store.GetCertificateAsync(certificate.Id))!.RenewedById!.Value))!;
        Assert.Equal(run.Sim.GetOrder(renewed.SslId!.Value)!.Expires, renewed.NotAfter);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task AutoRenewal_WindowNotShorterThanLifetime_FallsBackToLastThirdWithWarningNeverLoops(int seed)
    {
        // F48 (plain version: RenewalEndToEndTests.AutoRenew_WindowNotShorterThanLifetime_FallsBackToLastThird): N days
        // >= the lifetime is detected; renewal happens at the last third of the lifetime with a warning, once; scans
        // through the rest of the lifetime order nothing more.
        var lifetime = TimeSpan.FromDays(FaultSeeds.Pick(seed, 14, 30, 10, 20, 7));
        var renewBefore = FaultSeeds.Pick(seed, 30, 30, 45, 20, 90);
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, simulator: o => o.CertificateLifetime = lifetime, engine: o =>
        {
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.RenewBeforeDays = renewBefore;
            o.AutoRenewal.MaxJitter = TimeSpan.Zero;
        });
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        await run.SettleAsync();
        run.StartNoise();
        var certificate = (await run.Store.GetCertificateAsync(ordered.CertificateId))!;
        var third = (certificate.NotAfter - certificate.NotBefore) / 3;
        var renewAt = certificate.NotAfter - third;

        var renewed = new List<AutoRenewalDecision>();
        var step = TimeSpan.FromHours(12);
        while (run.Time.GetUtcNow() + step < renewAt)
        {
            run.Advance(step);
            Assert.Empty(run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync())).Decisions);
        }

        run.Advance(renewAt - run.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        while (run.Time.GetUtcNow() < certificate.NotAfter)
        {
            var scan = run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync()));
            renewed.AddRange(scan.Decisions.Where(d => d.Decision == AutoRenewDecision.Renewed));
            run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckPendingOrdersAsync()));
            run.Advance(TimeSpan.FromHours(6));
        }

        var decision = Assert.Single(renewed);
        Assert.Contains("last third", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(run.H.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("not shorter than its lifetime", StringComparison.Ordinal));
        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(certificate.SslId!.Value));
        await run.SettleAsync();
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task AutoRenewal_FailingInsideEmergencyWindow_OverridesBackoffButNeverASecondOpenOrder(int seed)
    {
        // F49 (plain version: RenewalEndToEndTests.AutoRenew_Failure_BacksOff_EmergencyWindowOverridesBackoff): renewals
        // refused by SCM back off (1 h doubling, at most a tenth of the remaining time); in the last twentieth of the
        // lifetime every scan tries again despite the backoff; but while a renewal is open (its outcome unknown) no scan
        // starts another, and in the end SCM holds exactly one renewal.
        var lifetime = TimeSpan.FromDays(FaultSeeds.Pick(seed, 20, 40, 30, 24, 60));
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, simulator: o => o.CertificateLifetime = lifetime, engine: o =>
        {
            o.AutoRenewal.Enabled = true;
            o.AutoRenewal.RenewBeforeDays = 10;
            o.AutoRenewal.MaxJitter = TimeSpan.Zero;
        });
        var ordered = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request())));
        await run.SettleAsync();
        run.StartNoise();
        var certificate = (await run.Store.GetCertificateAsync(ordered.CertificateId))!;
        var emergencyFrom = certificate.NotAfter - ((certificate.NotAfter - certificate.NotBefore) / 20);
        var refused = run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/renewById/*").NotReady(ScmNotReadyStyle.NotCollectable).Always());

        run.Advance(certificate.NotAfter - TimeSpan.FromDays(10) - run.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var decisions = new List<(DateTimeOffset At, AutoRenewalDecision Decision)>();
        var step = TimeSpan.FromHours(FaultSeeds.Pick(seed, 3, 5, 4, 6, 7));
        while (run.Time.GetUtcNow() < emergencyFrom + (step * 3))
        {
            foreach (var d in run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync())).Decisions)
            {
                decisions.Add((run.Time.GetUtcNow(), d));
            }

            run.Advance(step);
        }

        var before = decisions.Where(d => d.At < emergencyFrom).ToArray();
        var inside = decisions.Where(d => d.At >= emergencyFrom).ToArray();
        Assert.Contains(before, d => d.Decision.Decision == AutoRenewDecision.BackingOff);
        Assert.Contains(before, d => d.Decision.Decision == AutoRenewDecision.Failed);
        Assert.NotEmpty(inside);
        Assert.All(inside, d => Assert.NotEqual(AutoRenewDecision.BackingOff, d.Decision.Decision));
        Assert.Contains(inside, d => d.Decision.Decision == AutoRenewDecision.Failed && d.Decision.Reason.Contains("emergency window", StringComparison.Ordinal));
        Assert.True(refused.Hits >= before.Count(d => d.Decision.Decision == AutoRenewDecision.Failed) + inside.Length);
        Assert.Equal(0, run.Sim.Counters.RenewalOrdersFor(certificate.SslId!.Value));

        // Inside the emergency window a renewal whose outcome is unknown is open: no scan starts a second one.
        run.Sim.Faults.Remove(refused);
        run.Sim.Faults.Add(ScmFault.On("POST", "/ssl/*/renewById/*").ServerError(503).Once());
        var open = run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync()));
        Assert.Equal(AutoRenewDecision.Renewed, Assert.Single(open.Decisions).Decision);
        var renewPosts = run.Sim.Counters.RenewPosts;
        for (var i = 0; i < 3; i++)
        {
            run.Advance(TimeSpan.FromSeconds(20));
            var skipped = run.Observe(await run.PumpAsync(() => run.Lifecycle.RunAutoRenewalAsync()));
            Assert.DoesNotContain(skipped.Decisions, d => d.Decision is AutoRenewDecision.Renewed or AutoRenewDecision.Failed);
        }

        Assert.Equal(renewPosts, run.Sim.Counters.RenewPosts);
        await run.SettleAsync();
        Assert.Equal(1, run.Sim.Counters.RenewalOrdersFor(certificate.SslId.Value));
        Assert.Equal(CertificateStatus.Superseded, (await run.Store.GetCertificateAsync(certificate.Id))!.Status);
        await run.VerifyAsync();
    }

    [Theory]
    [MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]
    public async Task Secrets_AcrossRefusedCredentialsAndFullLifecycle_NoCanaryInLogsExceptionsToStringOrTelemetry(int seed)
    {
        // F50: Trace-level logs (HttpClientFactory logging included), exception texts, ToString() of options, requests,
        // results, records and events, and telemetry (activities and metrics) hold no secret: a wrong password canary
        // refused with 401 (or a wrong OAuth client secret), the real password or client secret, bearer tokens, the
        // keystore password canary, generated keystore passwords, and no PEM private key. Every other scenario of the
        // suite runs the same canary check on what it captured.
        var oauth = seed % 2 == 0;
        const string WrongSecret = "wrong-secret-canary-7d3e91f2";
        await using var run = await FaultRun.StartAsync(seed, Noise.Reads, captureTelemetry: true);
        run.AddSecret("wrong credential canary", WrongSecret);
        void UseOAuth(SectigoCertificateManagementOptions o, string secret)
        {
            o.Client.AuthenticationMode = ScmAuthenticationMode.OAuth2ClientCredentials;
            o.Client.ClientId = run.Sim.Credentials.ClientId;
            o.Client.ClientSecret = secret;
            o.Client.TokenEndpoint = run.Sim.TokenEndpoint;
            o.Client.Password = null;
        }

        // Refused credentials: 401 on the account check, on an enroll, then the paused scheduler.
        await run.RestartAsync(o =>
        {
            if (oauth)
            {
                UseOAuth(o, WrongSecret);
            }
            else
            {
                o.Client.Password = WrongSecret;
            }
        });
        var options = run.H.Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<SectigoCertificateManagementOptions>)) as Microsoft.Extensions.Options.IOptions<SectigoCertificateManagementOptions>;
        run.Observe(options!.Value);
        run.Observe(options.Value.Client);
        var account = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckAccountAsync()));
        Assert.False(account.IsReady);
        run.Observe(string.Join("\n", account.Findings.Select(f => f.Message)));
        var request = run.Observe(FaultRun.Request("refused"));
        var refusedOrder = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(request)));
        Assert.Equal(OrderState.KeyPersisted, refusedOrder.State);
        Assert.Contains("refused the credentials", refusedOrder.Order.LastError, StringComparison.Ordinal);
        Assert.Equal(0, run.Sim.Counters.EnrollPosts);
        run.Advance(TimeSpan.FromMinutes(1));
        run.Observe(await run.PumpAsync(() => run.H.Jobs.RunAsync(LifecycleJob.FollowUp)));

        // The right credentials: the whole lifecycle at Trace level.
        await run.RestartAsync(o =>
        {
            if (oauth)
            {
                UseOAuth(o, run.Sim.Credentials.ClientSecret);
            }
        });
        // The account check re-opens SCM work (retried while the read noise garbles its answer).
        for (var i = 0; i < 5; i++)
        {
            var check = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckAccountAsync()));
            if (check.Findings.Any(f => f.Check == "credentials" && f.Severity != FindingSeverity.Error))
            {
                break;
            }

            run.Advance(TimeSpan.FromSeconds(30));
        }

        run.Advance(new CredentialOptions().ProbeInterval);
        run.Observe(await run.PumpAsync(() => run.H.Jobs.RunAsync(LifecycleJob.FollowUp)));
        var generated = run.Observe(await run.PumpAsync(() => run.Lifecycle.OrderAsync(FaultRun.Request("generated") with { KeystorePassword = null, KeystoreType = KeystoreType.Pem })));
        Assert.NotNull(generated.GeneratedKeystorePassword);
        await run.SettleAsync();
        run.StartNoise();
        if (oauth)
        {
            // A bearer token revoked mid-run: on the next GET it is refreshed once and the GET retried once.
            var tokens = run.Sim.GetRequestLog().Count(r => r.Path.EndsWith("/token", StringComparison.Ordinal));
            run.Sim.RevokeTokens();
            var recheck = run.Observe(await run.PumpAsync(() => run.Lifecycle.CheckAccountAsync()));
            Assert.DoesNotContain(recheck.Findings, f => f.Check == "credentials" && f.Severity == FindingSeverity.Error);
            Assert.True(run.Sim.GetRequestLog().Count(r => r.Path.EndsWith("/token", StringComparison.Ordinal)) > tokens, "A new token was fetched.");
        }

        var keystore = run.Observe(await run.PumpAsync(() => run.Lifecycle.GetKeystoreAsync(generated.CertificateId)));
        run.Observe(keystore.ToString());
        var renewal = run.Observe(await run.PumpAsync(() => run.Lifecycle.RenewAsync(refusedOrder.CertificateId, new RenewCertificateRequest { KeystorePassword = SecretCanary.KeystorePassword })));
        run.Observe(renewal.Order);
        await run.SettleAsync();
        run.StartNoise();
        var revokeRequest = run.Observe(new RevokeCertificateRequest { Reason = "retired", ReasonCode = RevocationReason.CessationOfOperation });
        run.Observe(await run.PumpAsync(() => run.Lifecycle.RevokeAsync(generated.CertificateId, revokeRequest)));
        foreach (var certificate in await run.Lifecycle.ListCertificatesAsync().ToListAsync())
        {
            run.Observe(certificate);
        }

        Assert.NotEmpty(run.H.Logs);
        Assert.True(run.TelemetryCount > 0, "Telemetry was captured.");
        Assert.Contains(run.H.Logs, l => l.StartsWith("Trace", StringComparison.Ordinal) || l.StartsWith("Debug", StringComparison.Ordinal));
        var logs = string.Join("\n", run.H.Logs);
        Assert.DoesNotContain("Bearer ", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", logs, StringComparison.Ordinal);
        await run.VerifyAsync();
    }
}
