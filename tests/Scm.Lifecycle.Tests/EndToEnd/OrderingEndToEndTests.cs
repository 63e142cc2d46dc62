using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Security;
using Scm.Storage;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>From "I want one" to "it is in my inventory and deployed", through the DI-built host against the simulator.</summary>
public sealed class OrderingEndToEndTests
{
    [Fact]
    public async Task CheckAccount_SimulatorAccount_IsReadyWithFindings()
    {
        await using var h = await EngineHarness.StartAsync();
        var result = await h.Lifecycle.CheckAccountAsync();
        Assert.True(result.IsReady, string.Join(" | ", result.Findings.Select(f => f.Message)));
        Assert.True(result.Organizations >= 2);
        Assert.True(result.Profiles >= 4);
        Assert.True(result.ValidatedDomains >= 2);
        Assert.Contains(result.Findings, f => f.Check == "credentials" && f.Severity == FindingSeverity.Ok);
    }

    [Fact]
    public async Task CheckAccount_WrongPassword_ReportsCredentialsWithoutThrowing()
    {
        await using var h = await EngineHarness.StartAsync(engine: o => o.Client.Password = "definitely-wrong-password");
        var result = await h.Lifecycle.CheckAccountAsync();
        Assert.False(result.IsReady);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("refused the credentials", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("definitely-wrong-password", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncCatalog_StoresOrganizationsDomainsProfilesAndCustomFields()
    {
        await using var h = await EngineHarness.StartAsync();
        var result = await h.Lifecycle.SyncCatalogAsync();
        var catalog = await h.Lifecycle.GetCatalogAsync();
        Assert.NotNull(catalog);
        Assert.Equal(h.Time.GetUtcNow(), catalog.SyncedAt);
        Assert.Contains(catalog.Organizations, o => o.Id == EngineHarness.Department && o.ParentId == EngineHarness.Org);
        Assert.Contains(catalog.Domains, d => d.Name == "acme.example" && d.ValidationStatus == "VALIDATED" && d.Delegations.Any(x => x.OrganizationId == EngineHarness.Org));
        Assert.Contains(catalog.Domains, d => d.Name == "pending-dcv.example" && d.ValidationStatus == "NOT_VALIDATED");
        var multi = Assert.Single(catalog.Profiles, p => p.Id == EngineHarness.MultiDomainProfile);
        Assert.Equal([365], multi.Terms);
        Assert.Contains("P-256", multi.KeyTypes["EC"]);
        Assert.Contains(catalog.CustomFields, f => f.Name == EngineHarness.CostCenter && f.Mandatory);
        Assert.Equal(result.Catalog.Profiles.Count, catalog.Profiles.Count);
        var globexOnly = Assert.Single(catalog.Profiles, p => p.Id == 105);
        Assert.DoesNotContain(EngineHarness.Org, globexOnly.OrganizationIds);
    }

    [Theory]
    [InlineData(KeystoreType.Pkcs12, KeyAlgorithm.EC, false)]
    [InlineData(KeystoreType.Jks, KeyAlgorithm.EC, false)]
    [InlineData(KeystoreType.Pem, KeyAlgorithm.EC, true)]
    [InlineData(KeystoreType.Pkcs12, KeyAlgorithm.Rsa, true)]
    public async Task Order_ThenCheckStatus_InstallsVerifiedCertificateAndDeploysIt(KeystoreType keystore, KeyAlgorithm algorithm, bool sqlite)
    {
        await using var h = await EngineHarness.StartAsync(sqlite: sqlite);
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request(keystore: keystore, algorithm: algorithm));

        Assert.Equal(OrderState.Submitted, ordered.State);
        Assert.NotNull(ordered.SslId);
        Assert.NotNull(ordered.GeneratedKeystorePassword);
        Assert.Equal(7, ordered.OrderId.Version);
        Assert.Equal(7, ordered.CertificateId.Version);
        Assert.Equal(1, h.Simulator.Counters.BillableOrdersFor(ordered.Order.CorrelationToken));
        var scmOrder = h.Simulator.GetOrder(ordered.SslId!.Value)!;
        Assert.Contains("[scm-sdk:" + ordered.Order.CorrelationToken + "]", scmOrder.Comments, StringComparison.Ordinal);

        var check = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, check.Order.State);
        var certificate = Assert.IsType<ManagedCertificate>(check.InstalledCertificate);
        Assert.Equal(ordered.CertificateId, certificate.Id);
        Assert.Equal(CertificateStatus.Active, certificate.Status);
        Assert.False(certificate.IsObserveOnly);
        Assert.Equal(["www.acme.example", "www-alt.acme.example"], certificate.SubjectAlternativeNames.Order().Reverse());

        // The keystore opens with the password and its key matches the certificate.
        var keystoreResult = await h.Lifecycle.GetKeystoreAsync(certificate.Id);
        Assert.Equal(ordered.GeneratedKeystorePassword, keystoreResult.Password);
        AssertKeystoreMatches(keystore, keystoreResult.Content.ToArray(), keystoreResult.Password, certificate);

        // Facts come from the certificate itself, and the chain verifies against the simulator's test root.
        using var leaf = X509Certificate2.CreateFromPem(certificate.CertificatePem);
        Assert.Equal(new DateTimeOffset(leaf.NotAfter.ToUniversalTime()), certificate.NotAfter);
        Assert.Equal(leaf.SerialNumber, certificate.SerialNumber);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(certificate.CertificatePem);
        using var x509Chain = new X509Chain();
        x509Chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        x509Chain.ChainPolicy.CustomTrustStore.Add(h.Simulator.RootCertificate);
        x509Chain.ChainPolicy.ExtraStore.AddRange(chain);
        x509Chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        x509Chain.ChainPolicy.VerificationTime = h.Time.GetUtcNow().UtcDateTime;
        Assert.True(x509Chain.Build(leaf), string.Join(", ", x509Chain.ChainStatus.Select(s => s.StatusInformation)));

        // Deployed to the certificate's folder (common name + short lineage id, here its own id), the keystore file private.
        var folder = Path.Combine(h.DeployDirectory, "www.acme.example-" + certificate.Id.ToString("N")[^8..], "live");
        var keystorePath = Path.Combine(folder, "keystore" + keystore switch { KeystoreType.Pkcs12 => ".pfx", KeystoreType.Jks => ".jks", _ => ".pem" });
        Assert.True(File.Exists(keystorePath));
        Assert.Equal(keystoreResult.Content.ToArray(), await File.ReadAllBytesAsync(keystorePath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keystorePath));
        }

        Assert.Contains(h.Events, e => e is CertificateIssuedEvent issued && issued.CertificateId == certificate.Id);
        Assert.Contains(h.Events, e => e is CertificateDeploymentEvent { Succeeded: true });

        var audit = await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id });
        Assert.Equal(["Requested", "KeyGenerated", "Submitted", "Issued", "Deployed"], audit.Select(a => a.Decision));
    }

    [Fact]
    public async Task FullOrder_AtTraceLevel_NoSecretInLogsEventsOrResults()
    {
        const string KeystoreCanary = "keystore-canary-3f9a1c77";
        await using var h = await EngineHarness.StartAsync();
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request(keystore: KeystoreType.Pem) with { KeystorePassword = KeystoreCanary });
        var check = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, check.Order.State);
        var keystore = await h.Lifecycle.GetKeystoreAsync(ordered.CertificateId);

        var everything = string.Join("\n", h.Logs) + string.Join("\n", h.Events.Select(e => e.ToString()))
            + ordered + check + keystore + check.Order + check.InstalledCertificate
            + string.Join("\n", (await h.Lifecycle.QueryAuditAsync(new AuditQuery())).Select(a => a.ToString()));
        Assert.NotEmpty(h.Logs);
        Assert.DoesNotContain(h.Simulator.Credentials.Password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(KeystoreCanary, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(ordered.Order.CsrPem!.Split('\n')[1], everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Order_NotIssuedYet_StaysSubmittedAndBacksOff()
    {
        await using var h = await EngineHarness.StartAsync(simulator: o => o.IssueDelay = TimeSpan.FromMinutes(30));
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        var first = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromSeconds(10));
        Assert.Equal(OrderState.Submitted, first.Order.State);
        Assert.Equal("Applied", first.Order.ScmStatus);
        var delay1 = first.Order.NextAttemptAt!.Value - h.Time.GetUtcNow();
        var second = await h.AdvanceAndCheckAsync(ordered.OrderId, delay1);
        var delay2 = second.Order.NextAttemptAt!.Value - h.Time.GetUtcNow();
        Assert.True(delay2 > delay1, $"{delay2} should exceed {delay1}");
        Assert.True(delay2 <= TimeSpan.FromMinutes(5));

        var done = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(31));
        Assert.Equal(OrderState.Completed, done.Order.State);
        Assert.Equal(1, h.Simulator.Counters.BillableOrders);
    }

    [Fact]
    public async Task Order_ProfileNeedsApproval_AwaitsApprovalThenIssuesAfterAdminApproves()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request(algorithm: KeyAlgorithm.Rsa) with { ProfileId = EngineHarness.ApprovalProfile, SubjectAlternativeNames = [] };
        var ordered = await h.Lifecycle.OrderAsync(request);
        var waiting = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.AwaitingApproval, waiting.Order.State);

        h.Simulator.Approve(ordered.SslId!.Value);
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromMinutes(1));
        Assert.Equal(OrderState.Completed, done.Order.State);
    }

    [Fact]
    public async Task Order_WaitingForApprovalTooLong_FlaggedStuckNeverReordered()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request(algorithm: KeyAlgorithm.Rsa) with { ProfileId = EngineHarness.ApprovalProfile, SubjectAlternativeNames = [] };
        var ordered = await h.Lifecycle.OrderAsync(request);
        var stuck = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromHours(25));
        Assert.Equal(OrderState.Stuck, stuck.Order.State);
        Assert.Contains("approval", stuck.Order.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(h.Events, e => e is OrderStuckEvent);
        await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.Equal(1, h.Simulator.Counters.EnrollPosts);

        // An operator approves in SCM: the stuck order is still followed and completes.
        h.Simulator.Approve(ordered.SslId!.Value);
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId, TimeSpan.FromDays(1));
        Assert.Equal(OrderState.Completed, done.Order.State);
    }

    [Fact]
    public async Task Order_DeclinedInScm_FailsWithReasonAndEvent()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request(algorithm: KeyAlgorithm.Rsa) with { ProfileId = EngineHarness.ApprovalProfile, SubjectAlternativeNames = [] };
        var ordered = await h.Lifecycle.OrderAsync(request);
        h.Simulator.Decline(ordered.SslId!.Value, "not today");
        var failed = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Failed, failed.Order.State);
        Assert.Contains("Declined", failed.Order.LastError, StringComparison.Ordinal);
        Assert.Contains(h.Events, e => e is OrderFailedEvent { State: OrderState.Failed });
        Assert.NotNull(failed.Order.ProtectedPrivateKey);
    }

    [Fact]
    public async Task CheckPendingOrders_SeveralOrders_AllInstalled()
    {
        await using var h = await EngineHarness.StartAsync();
        var orders = new List<OrderCertificateResult>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            orders.Add(await h.Lifecycle.OrderAsync(EngineHarness.Request(name)));
        }

        h.Time.Advance(TimeSpan.FromSeconds(10));
        var scan = await h.Lifecycle.CheckPendingOrdersAsync();
        Assert.Equal(3, scan.Installed);
        Assert.Equal(0, scan.StillPending);
        var inventory = await h.Lifecycle.ListCertificatesAsync().ToListAsync();
        Assert.Equal(3, inventory.Count);
        Assert.Equal(3, h.Simulator.Counters.BillableOrders);
    }

    private static void AssertKeystoreMatches(KeystoreType type, byte[] content, string password, ManagedCertificate certificate)
    {
        using var expected = X509Certificate2.CreateFromPem(certificate.CertificatePem);
        switch (type)
        {
            case KeystoreType.Pkcs12:
                using (var pfx = X509CertificateLoader.LoadPkcs12(content, password))
                {
                    Assert.True(pfx.HasPrivateKey);
                    Assert.Equal(expected.Thumbprint, pfx.Thumbprint);
                    AssertKeyPair(pfx);
                }

                break;
            case KeystoreType.Jks:
                var store = new JksStore();
                store.Load(new MemoryStream(content), password.ToCharArray());
                var alias = Assert.Single(store.Aliases);
                Assert.Equal(expected.RawData, store.GetCertificate(alias).GetEncoded());
                var privateKey = store.GetKey(alias, password.ToCharArray());
                var signer = SignerUtilities.GetSigner("SHA256withECDSA");
                signer.Init(true, privateKey);
                byte[] data = [1, 2, 3];
                signer.BlockUpdate(data, 0, data.Length);
                var signature = signer.GenerateSignature();
                using (var ec = expected.GetECDsaPublicKey()!)
                {
                    Assert.True(ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
                }

                break;
            default:
                var pem = System.Text.Encoding.ASCII.GetString(content);
                using (var withKey = X509Certificate2.CreateFromEncryptedPem(pem, pem, password))
                {
                    Assert.Equal(expected.Thumbprint, withKey.Thumbprint);
                    AssertKeyPair(withKey);
                }

                break;
        }
    }

    private static void AssertKeyPair(X509Certificate2 withKey)
    {
        byte[] data = [4, 5, 6];
        if (withKey.GetECDsaPrivateKey() is { } ec)
        {
            using (ec)
            using (var pub = withKey.GetECDsaPublicKey()!)
            {
                Assert.True(pub.VerifyData(data, ec.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
            }
        }
        else
        {
            using var rsa = withKey.GetRSAPrivateKey()!;
            using var pub = withKey.GetRSAPublicKey()!;
            Assert.True(pub.VerifyData(data, rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
    }
}
