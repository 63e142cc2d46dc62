using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Storage;
using Scm.Testing;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>
/// `scm demo`: the whole lifecycle against an in-process SCM simulator, a SQLite store and a file-system deployment in a
/// fresh temporary folder. Every step checks that it reached the state it announces; the first one that does not
/// stops the demo with exit code 1.
/// </summary>
internal sealed class Demo
{
    private const int Org = 2001;
    private const int MultiDomainProfile = 102;
    private const int ApprovalProfile = 103;
    private const int Term = 365;
    private const string CostCenterField = "Cost Center";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly CommandContext _context;
    private readonly IAnsiConsole _out;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly bool _keep;
    private int _step;

    public Demo(CommandContext context, TimeSpan lifetime, bool keep)
    {
        _context = context;
        _out = context.Out;
        _time = context.Environment.Time;
        _lifetime = lifetime;
        _keep = keep;
    }

    private static IReadOnlyList<Storage.CustomFieldValue> CostCenter => [new(CostCenterField, "CC-1001")];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var root = Path.Combine(Path.GetTempPath(), "scm-demo-" + started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6]);
        _out.Write(new Rule("[bold]Scm.Sdk demo: the certificate lifecycle against the SCM simulator[/]").LeftJustified());
        _out.MarkupLine("No SCM account needed: an in-process SCM simulator (a test CA with short, visible stage delays) plays Sectigo Certificate Manager.");
        _out.MarkupLine($"Everything the engine stores and deploys goes to [blue]{Render.E(root)}[/].");

        var simulatorOptions = new ScmSimulatorOptions
        {
            // Visible stages: Approved -> Applied (1 s) -> Issued (1 s). Profile 103 still waits for an administrator.
            AutoApprovalDelay = TimeSpan.Zero,
            ApplyDelay = TimeSpan.FromSeconds(1),
            IssueDelay = TimeSpan.FromSeconds(1),
            CertificateLifetime = _lifetime,
        };
        var sessionOptions = _context.SessionOptions() with
        {
            Simulator = true,
            SimulatorUrl = null,
            StorePath = Path.Combine(root, "scm.db"),
            DeployDirectory = Path.Combine(root, "certificates"),
            TempRoot = root,
            KeepTempRoot = _keep,
            SimulatorOptions = simulatorOptions,
            Configure = o => o.AutoRenewal.MaxJitter = TimeSpan.Zero,
        };
        var session = await _out.Status().StartAsync("Starting the SCM simulator and the engine (SQLite store, file-system deployment)…",
            _ => EngineSession.StartAsync(sessionOptions, _context.Environment, _context.Err, cancellationToken));
        try
        {
            _out.MarkupLine($"[grey]Simulator: {Render.E(session.Simulator!.BaseAddress)} · store: {Render.E(session.StorePath)} · deployments: {Render.E(session.DeployDirectory)}[/]");
            await RunStepsAsync(session, cancellationToken);
            var elapsed = _time.GetUtcNow() - started;
            _out.Write(new Rule("[green]Demo complete[/]").LeftJustified());
            _out.MarkupLine($"[green]✓ All {_step} steps reached their states in {elapsed.TotalSeconds:0} s.[/]");
            _out.MarkupLine(_keep
                ? $"The store, keys and keystores are in [blue]{Render.E(root)}[/] (delete the folder when done, or run with --clean)."
                : "The temporary folder was deleted (--clean).");
            _out.MarkupLine("Next: `scm --help`, `scm simulator` + `scm --simulator-url ...`, or configure a real SCM account (see README.md).");
            return ExitCodes.Ok;
        }
        catch (DemoStepFailedException failure)
        {
            _context.Err.MarkupLine($"[red]error:[/] demo step {_step} failed: {Render.E(failure.Message)}");
            return ExitCodes.Failure;
        }
        finally
        {
            await session.DisposeAsync();
            if (!_keep)
            {
                EngineSession.TryDelete(root);
            }
        }
    }

    private async Task RunStepsAsync(EngineSession session, CancellationToken cancellationToken)
    {
        var lifecycle = session.Lifecycle;
        var simulator = session.Simulator!;

        // 1. Account check.
        Step("Account check", "Are the credentials accepted, and does SCM show organizations, validated domains and profiles?");
        var account = await lifecycle.CheckAccountAsync(cancellationToken);
        CommandFactory.AccountCheck(_out, account);
        Expect(account.IsReady, "the account check did not report the account as ready");

        // 2. Catalog sync.
        Step("Catalog sync", "Organizations, domains (with their DCV validation state) and profiles (terms, key types) go into the store.");
        var sync = await lifecycle.SyncCatalogAsync(cancellationToken);
        Render.WriteCatalog(_out, sync.Catalog);
        Expect(sync.Catalog.Organizations.Any(o => o.Id == Org), "organization 2001 is missing from the catalog");
        Expect(sync.Catalog.Domains.Any(d => d.Name == "acme.example" && d.ValidationStatus == "VALIDATED"), "acme.example is not validated in the catalog");
        Expect(sync.Catalog.Profiles.Any(p => p.Id == MultiDomainProfile) && sync.Catalog.Profiles.Any(p => p.Id == ApprovalProfile), "profiles 102 and 103 are missing");
        _out.MarkupLine($"[green]✓ Synced[/] {sync.Catalog.Organizations.Count} organizations/departments, {sync.Catalog.Domains.Count} domains, {sync.Catalog.Profiles.Count} profiles, {sync.Catalog.CustomFields.Count} custom fields.");

        // 3. Import.
        Step("Import existing orders", "Another tool ordered certificates directly in SCM; the engine imports them.");
        var seeded = await SeedOtherToolOrdersAsync(simulator, cancellationToken);
        var import = await CommandFactory.Imports(_out, session, new ImportRequest(), cancellationToken);
        var imported = await lifecycle.ListCertificatesAsync(cancellationToken: cancellationToken).Where(c => c.Origin == CertificateOrigin.Imported).ToListAsync(cancellationToken);
        var importedPending = await lifecycle.ListOrdersAsync(cancellationToken: cancellationToken).Where(o => o.Kind == OrderKind.Import && o.IsOpen).ToListAsync(cancellationToken);
        _out.Write(Render.Inventory(imported, Now, "Imported certificates (observe-only: SCM has them, the private keys stayed with the other tool)"));
        _out.Write(Render.Orders(importedPending, "Imported pending order (followed until SCM issues it)"));
        Expect(import.Progress.Imported == seeded.Count, $"expected {seeded.Count} imported orders, got {import.Progress.Imported}");
        Expect(imported.Count == 3 && imported.All(c => c.IsObserveOnly && seeded.Contains(c.SslId ?? 0)), "the three issued orders were not imported as observe-only certificates");
        Expect(importedPending.Count == 1 && importedPending[0].State == OrderState.AwaitingApproval, "the pending order was not imported as awaiting approval");

        // 4. Order.
        Step("Order certificates", "Keys and CSRs are made locally; RSA and EC keys; PKCS#12, JKS and PEM keystores.");
        var rejected = await TryInvalidOrderAsync(lifecycle, cancellationToken);
        _out.MarkupLine($"[green]✓ Rejected before anything was sent[/] (as it should be): {Render.E(rejected)}");
        var requests = new[]
        {
            Request("www.acme.example", ["www.acme.example", "shop.acme.example"], KeyAlgorithm.Rsa, KeystoreType.Pkcs12),
            Request("api.acme.example", [], KeyAlgorithm.EC, KeystoreType.Jks),
            Request("mail.acme.test", [], KeyAlgorithm.EC, KeystoreType.Pem, curve: "P-384"),
            Request("secure.acme.example", [], KeyAlgorithm.Rsa, KeystoreType.Pkcs12) with { ProfileId = ApprovalProfile },
        };
        var ordered = new List<OrderCertificateResult>();
        foreach (var request in requests)
        {
            var result = await lifecycle.OrderAsync(request, cancellationToken);
            CommandFactory.Ordered(_out, result, passwordGiven: false, _context.ShowSecrets);
            Expect(result.State == OrderState.Submitted && result.SslId is not null, $"{request.CommonName} was not submitted to SCM ({result.State})");
            Expect(result.GeneratedKeystorePassword is { Length: >= 16 }, $"no keystore password was generated for {request.CommonName}");
            ordered.Add(result);
        }

        _out.MarkupLine("[grey]secure.acme.example uses profile 103, which needs an administrator's approval in SCM.[/]");

        // 5. Status until issued.
        Step("Order status until issued", "The engine asks SCM, collects each issued certificate, verifies it against its key, installs and deploys it.");
        var waited = await OrderWaiter.WaitAsync(session, _out, ordered.Select(o => o.OrderId).ToList(), TimeSpan.FromSeconds(60), PollInterval, _time, cancellationToken);
        OrderWaiter.Report(_out, session, waited);
        var www = Installed(waited, ordered[0], "www.acme.example");
        var api = Installed(waited, ordered[1], "api.acme.example");
        var mail = Installed(waited, ordered[2], "mail.acme.test");
        var secureOrder = waited.Orders.Single(o => o.Id == ordered[3].OrderId);
        Expect(secureOrder.State == OrderState.AwaitingApproval, $"secure.acme.example should await approval, it is {secureOrder.State}");
        for (var i = 0; i < 3; i++)
        {
            await VerifyKeystoreAsync(session, waited.Installed[ordered[i].OrderId], cancellationToken);
        }

        // 6. Manual renew.
        Step("Manual renewal", "www.acme.example is renewed now with a new key; the current certificate stays in service until the new one is installed.");
        var renewal = await lifecycle.RenewAsync(www.Id, cancellationToken: cancellationToken);
        Expect(renewal.Outcome == LifecycleOutcome.Submitted, $"renewal not submitted: {renewal.Outcome}: {renewal.Message}");
        _out.MarkupLine($"[green]✓ Renewal submitted[/]: order {Render.ShortId(renewal.Order!.Id)}, new SCM id {Render.E(renewal.Order.SslId)} (was {Render.E(www.SslId)}).");
        var renewed = await WaitForOneAsync(session, renewal.Order.Id, cancellationToken);
        var oldWww = (await lifecycle.GetCertificateAsync(www.Id, cancellationToken))!;
        Expect(renewed.RenewedFromId == www.Id && oldWww.Status == CertificateStatus.Superseded && oldWww.RenewedById == renewed.Id, "the renewal did not supersede the old certificate");
        _out.MarkupLine($"  old certificate {Render.ShortId(www.Id)} is now {Render.CertificateState(oldWww, Now)}; new {Render.ShortId(renewed.Id)} is {Render.CertificateState(renewed, Now)}.");
        await VerifyKeystoreAsync(session, renewed, cancellationToken);

        // 7. Auto-renewal.
        Step("Auto-renewal", "A policy renews certificates before expiry; each decision is audited.");
        var optedOut = await lifecycle.SetCertificateAutoRenewAsync(renewed.Id, AutoRenewMode.Disabled, cancellationToken);
        _out.MarkupLine($"www.acme.example ({Render.ShortId(optedOut.Id)}) is opted out: auto-renew [bold]{optedOut.AutoRenew}[/] (we reissue it in the next step).");
        var policy = new AutoRenewalPolicy { Enabled = true, RenewBefore = TimeSpan.FromDays(30), Selection = AutoRenewSelection.All };
        await lifecycle.SetAutoRenewalPolicyAsync(policy, cancellationToken);
        CommandFactory.Policy(_out, policy);
        _out.MarkupLine($"[grey]The simulator's certificates live {_lifetime.TotalSeconds:0} s, shorter than 30 days, so each is due in the last third of its lifetime.[/]");
        var dueAt = new[] { api, mail }.Max(c => c.NotAfter - ((c.NotAfter - c.NotBefore) / 3)) + TimeSpan.FromSeconds(1);
        await CountdownAsync(dueAt, "api.acme.example and mail.acme.test enter their renewal window", cancellationToken);
        var scanStarted = Now;
        var run = await lifecycle.RunAutoRenewalAsync(cancellationToken);
        CommandFactory.AutoRenewalRun(_out, run);
        var apiDecision = run.Decisions.SingleOrDefault(d => d.CertificateId == api.Id);
        var mailDecision = run.Decisions.SingleOrDefault(d => d.CertificateId == mail.Id);
        Expect(apiDecision is { Decision: AutoRenewDecision.Renewed, OrderId: not null } && mailDecision is { Decision: AutoRenewDecision.Renewed, OrderId: not null },
            "api.acme.example and mail.acme.test were not both renewed by the scan");
        Expect(run.Decisions.Where(d => imported.Any(c => c.Id == d.CertificateId)).All(d => d.Decision == AutoRenewDecision.Skipped),
            "an observe-only imported certificate was not skipped");
        var autoWaited = await OrderWaiter.WaitAsync(session, _out, [apiDecision!.OrderId!.Value, mailDecision!.OrderId!.Value], TimeSpan.FromSeconds(60), PollInterval, _time, cancellationToken);
        OrderWaiter.Report(_out, session, autoWaited);
        Expect(autoWaited.AllIssued, "the auto-renewals were not issued");
        var apiRenewed = autoWaited.Installed[apiDecision.OrderId.Value];
        var mailRenewed = autoWaited.Installed[mailDecision.OrderId.Value];
        Expect(apiRenewed.RenewedFromId == api.Id && mailRenewed.RenewedFromId == mail.Id, "the auto-renewed certificates are not linked to the ones they renew");
        var again = await lifecycle.RunAutoRenewalAsync(cancellationToken);
        Expect(again.Decisions.All(d => d.Decision != AutoRenewDecision.Renewed), "a second scan renewed again");
        _out.MarkupLine($"[green]✓ A second scan renews nothing again[/] ({again.Decisions.Count} decisions, {again.NotYetDue} not yet due).");
        var autoAudit = await lifecycle.GetAutoRenewalAuditAsync(from: scanStarted, cancellationToken: cancellationToken);
        _out.Write(Render.Audit(autoAudit, "Auto-renewal audit"));
        Expect(autoAudit.Count(a => a.Decision == "Renewed") == 2, "the auto-renewal audit does not show the two renewals");

        // 8. Reissue.
        Step("Reissue", "www.acme.example gets a new EC key and one more name under the same SCM id (SCM replace).");
        var reissue = await lifecycle.ReissueAsync(renewed.Id, new ReissueCertificateRequest
        {
            Reason = "Key rotation after moving the site to new servers",
            SubjectAlternativeNames = ["www.acme.example", "shop.acme.example", "store.acme.example"],
            KeyAlgorithm = KeyAlgorithm.EC,
            Curve = "P-256",
        }, cancellationToken);
        Expect(reissue.Outcome == LifecycleOutcome.Submitted, $"reissue not submitted: {reissue.Outcome}: {reissue.Message}");
        _out.MarkupLine($"[green]✓ Reissue submitted[/]: order {Render.ShortId(reissue.Order!.Id)}, same SCM id {Render.E(reissue.Order.SslId)}.");
        var reissued = await WaitForOneAsync(session, reissue.Order.Id, cancellationToken);
        var replaced = (await lifecycle.GetCertificateAsync(renewed.Id, cancellationToken))!;
        Expect(reissued.ReplacesId == renewed.Id && reissued.SslId == renewed.SslId && replaced.Status == CertificateStatus.Superseded, "the reissue did not replace the certificate under the same SCM id");
        Expect(reissued.SubjectAlternativeNames.Contains("store.acme.example") && reissued.KeyAlgorithm == KeyAlgorithm.EC, "the reissued certificate lacks the new name or key");
        _out.MarkupLine($"  {Render.ShortId(renewed.Id)} is now {Render.CertificateState(replaced, Now)}; {Render.ShortId(reissued.Id)} has {Render.E(Render.Key(reissued))} and names {Render.E(string.Join(", ", reissued.SubjectAlternativeNames))}.");
        await VerifyKeystoreAsync(session, reissued, cancellationToken);

        // 9. Revoke.
        Step("Revoke", "mail.acme.test is decommissioned: revoked at SCM (reason 5, cessation of operation).");
        var revoke = await lifecycle.RevokeAsync(mailRenewed.Id, new RevokeCertificateRequest { ReasonCode = RevocationReason.CessationOfOperation, Reason = "Mail service decommissioned" }, cancellationToken);
        var scmRevoked = simulator.GetOrder(mailRenewed.SslId!.Value);
        Expect(revoke.Outcome == LifecycleOutcome.Done && revoke.Certificate?.Status == CertificateStatus.Revoked && scmRevoked?.Status == "Revoked",
            $"the certificate was not revoked ({revoke.Outcome}: {revoke.Message})");
        _out.MarkupLine($"[green]✓ Revoked[/] mail.acme.test ({Render.ShortId(mailRenewed.Id)}, SCM id {mailRenewed.SslId}): local state {Render.CertificateState(revoke.Certificate!, Now)}, SCM status {Render.E(scmRevoked!.Status)}.");

        // 10. Cancel.
        Step("Cancel a pending order", "secure.acme.example still awaits approval; cancelling declines it in SCM.");
        var cancel = await lifecycle.CancelOrderAsync(secureOrder.Id, "No longer needed", cancellationToken);
        var scmDeclined = simulator.GetOrder(secureOrder.SslId!.Value);
        Expect(cancel.Outcome == LifecycleOutcome.Done && cancel.Order.State == OrderState.Cancelled && !cancel.ScmMayStillIssue, $"the order was not cancelled ({cancel.Outcome}: {cancel.Message})");
        _out.MarkupLine($"[green]✓ Cancelled[/] order {Render.ShortId(cancel.Order.Id)} for secure.acme.example (SCM id {secureOrder.SslId}): local state {Render.OrderState(cancel.Order.State)}, SCM status {Render.E(scmDeclined?.Status)}. {Render.E(cancel.Message)}");

        // 11. Delete.
        Step("Delete", "The revoked mail.acme.test leaves the local inventory; SCM keeps its record and the audit keeps the history.");
        var delete = await lifecycle.DeleteCertificateAsync(mailRenewed.Id, cancellationToken);
        Expect(delete.Deleted && await lifecycle.GetCertificateAsync(mailRenewed.Id, cancellationToken) is null, $"the certificate was not deleted: {delete.Message}");
        _out.MarkupLine($"[green]✓ Deleted[/] {Render.ShortId(mailRenewed.Id)} locally ({delete.CertificatesRemoved} certificate, {delete.OrdersRemoved} orders); SCM still shows SCM id {mailRenewed.SslId} as {Render.E(simulator.GetOrder(mailRenewed.SslId.Value)?.Status)}.");

        // 12. Final inventory and audit trail.
        Step("Final inventory and audit trail", "What the store holds now, and every decision that led here.");
        var inventory = await lifecycle.ListCertificatesAsync(cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var openOrders = await lifecycle.ListOrdersAsync(cancellationToken: cancellationToken).Where(o => o.IsOpen).ToListAsync(cancellationToken);
        _out.Write(Render.Inventory(inventory, Now));
        if (openOrders.Count > 0)
        {
            _out.Write(Render.Orders(openOrders, "Open orders"));
        }

        var audit = await lifecycle.QueryAuditAsync(new AuditQuery { Limit = 10_000 }, cancellationToken);
        _out.Write(Render.Audit(audit));
        Expect(inventory.Any(c => c.Id == reissued.Id && c.Status == CertificateStatus.Active), "the reissued certificate is not active in the inventory");
        Expect(inventory.Any(c => c.Id == apiRenewed.Id && c.Status == CertificateStatus.Active), "the auto-renewed api.acme.example is not active in the inventory");
        Expect(inventory.All(c => c.Id != mailRenewed.Id), "the deleted certificate is still in the inventory");
        foreach (var decision in new[] { "Issued", "Renewed", "Reissued", "Revoked", "Cancelled", "Deleted" })
        {
            Expect(audit.Any(a => a.Decision == decision), $"the audit trail has no '{decision}' entry");
        }

        _out.MarkupLine($"[green]✓ {inventory.Count} certificates ({inventory.Count(c => c.Status == CertificateStatus.Active)} active), {openOrders.Count} open order, {audit.Count} audit entries.[/]");
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private void Step(string title, string what)
    {
        _step++;
        _out.WriteLine();
        _out.Write(new Rule($"[bold]{_step}. {Render.E(title)}[/]").LeftJustified());
        _out.MarkupLine($"[grey]{Render.E(what)}[/]");
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new DemoStepFailedException(failure);
        }
    }

    private static OrderCertificateRequest Request(string commonName, IReadOnlyList<string> sans, KeyAlgorithm algorithm, KeystoreType keystore, string? curve = null) => new()
    {
        CommonName = commonName,
        SubjectAlternativeNames = sans,
        OrganizationId = Org,
        ProfileId = MultiDomainProfile,
        TermDays = Term,
        KeyAlgorithm = algorithm,
        KeySize = algorithm == KeyAlgorithm.Rsa ? 2048 : null,
        Curve = algorithm == KeyAlgorithm.EC ? curve ?? "P-256" : null,
        KeystoreType = keystore,
        CustomFields = CostCenter,
        Comments = "scm demo",
        Tags = ["demo"],
    };

    private static ManagedCertificate Installed(WaitResult waited, OrderCertificateResult ordered, string name)
    {
        var order = waited.Orders.Single(o => o.Id == ordered.OrderId);
        Expect(order.State == OrderState.Completed && waited.Installed.ContainsKey(order.Id), $"{name} was not issued and installed (order {order.State}{(order.LastError is null ? string.Empty : ": " + order.LastError)})");
        var certificate = waited.Installed[order.Id];
        Expect(certificate.Status == CertificateStatus.Active && !certificate.IsObserveOnly, $"{name} is not an active certificate with its key");
        return certificate;
    }

    private async Task<ManagedCertificate> WaitForOneAsync(EngineSession session, Guid orderId, CancellationToken cancellationToken)
    {
        var waited = await OrderWaiter.WaitAsync(session, _out, [orderId], TimeSpan.FromSeconds(60), PollInterval, _time, cancellationToken);
        OrderWaiter.Report(_out, session, waited);
        var order = waited.Orders[0];
        Expect(order.State == OrderState.Completed && waited.Installed.ContainsKey(orderId), $"{order.Request.CommonName}: the {order.Kind.ToString().ToLowerInvariant()} order ended {order.State} {order.LastError}");
        return waited.Installed[orderId];
    }

    /// <summary>Opens the deployed keystore with its password and checks it holds the certificate (and its key).</summary>
    private async Task VerifyKeystoreAsync(EngineSession session, ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        var path = OrderWaiter.KeystorePath(session, certificate);
        Expect(path is not null && File.Exists(path), $"the keystore of {certificate.CommonName} was not deployed");
        var keystore = await session.Lifecycle.GetKeystoreAsync(certificate.Id, cancellationToken);
        var bytes = await File.ReadAllBytesAsync(path!, cancellationToken);
        Expect(bytes.AsSpan().SequenceEqual(keystore.Content.Span), $"the deployed keystore of {certificate.CommonName} differs from the stored one");
        using var expected = X509Certificate2.CreateFromPem(certificate.CertificatePem);
        switch (certificate.KeystoreType)
        {
            case KeystoreType.Pkcs12:
                using (var pfx = X509CertificateLoader.LoadPkcs12(bytes, keystore.Password))
                {
                    Expect(pfx.HasPrivateKey && pfx.Thumbprint == expected.Thumbprint, $"the PKCS#12 keystore of {certificate.CommonName} does not hold its certificate and key");
                }

                break;
            case KeystoreType.Pem:
                var pem = Encoding.ASCII.GetString(bytes);
                using (var withKey = X509Certificate2.CreateFromEncryptedPem(pem, pem, keystore.Password))
                {
                    Expect(withKey.HasPrivateKey && withKey.Thumbprint == expected.Thumbprint, $"the PEM keystore of {certificate.CommonName} does not hold its certificate and key");
                }

                break;
            default:
                Expect(bytes.Length > 4 && bytes[0] == 0xFE && bytes[1] == 0xED && bytes[2] == 0xFE && bytes[3] == 0xED, $"the JKS keystore of {certificate.CommonName} is not a Java keystore");
                break;
        }

        _out.MarkupLine($"      [green]✓[/] {Render.Keystore(certificate.KeystoreType)} keystore verified: it opens with its password and holds the certificate{(certificate.KeystoreType == KeystoreType.Jks ? string.Empty : " and its private key")}.");
    }

    /// <summary>Another tool's orders, made with Scm.Client directly: three issued, one waiting for approval.</summary>
    private async Task<IReadOnlyList<long>> SeedOtherToolOrdersAsync(ScmSimulator simulator, CancellationToken cancellationToken)
    {
        using var client = new ScmClient(new ScmClientOptions
        {
            BaseAddress = simulator.BaseAddress,
            Login = simulator.Credentials.Login,
            Password = simulator.Credentials.Password,
            CustomerUri = simulator.Credentials.CustomerUri,
        }, timeProvider: _time);
        var ids = new List<long>();
        var names = new[] { ("legacy-portal.acme.example", MultiDomainProfile, true), ("legacy-vpn.acme.example", MultiDomainProfile, true), ("legacy-wiki.acme.test", MultiDomainProfile, true), ("legacy-ev.acme.example", ApprovalProfile, false) };
        foreach (var (name, profile, issue) in names)
        {
            // Profile 103 takes RSA keys only.
            using AsymmetricAlgorithm key = profile == ApprovalProfile ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = (key is RSA rsa
                ? new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : new CertificateRequest($"CN={name}", (ECDsa)key, HashAlgorithmName.SHA256)).CreateSigningRequestPem();
            var result = await client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = Org,
                ProfileId = profile,
                Term = Term,
                Csr = csr,
                Comments = "ordered by another tool",
                CustomFields = [new Scm.Client.CustomFieldValue(CostCenterField, "CC-0042")],
            }, cancellationToken);
            if (issue)
            {
                simulator.IssueNow(result.SslId);
            }

            ids.Add(result.SslId);
            _out.MarkupLine($"  another tool ordered {Render.E(name)} in SCM: SCM id {result.SslId}, {(issue ? "[green]Issued[/]" : "[yellow]awaiting approval[/] (profile 103)")}");
        }

        return ids;
    }

    private static async Task<string> TryInvalidOrderAsync(ICertificateLifecycle lifecycle, CancellationToken cancellationToken)
    {
        try
        {
            await lifecycle.OrderAsync(Request("shop.globex.example", [], KeyAlgorithm.EC, KeystoreType.Pem) with { CustomFields = [] }, cancellationToken);
        }
        catch (CertificateRequestValidationException ex)
        {
            return Errors.Describe(ex).Message;
        }

        throw new DemoStepFailedException("an order for a domain Acme does not own was accepted");
    }

    private async Task CountdownAsync(DateTimeOffset until, string what, CancellationToken cancellationToken)
    {
        var total = until - Now;
        if (total <= TimeSpan.Zero)
        {
            return;
        }

        await _out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"Waiting until {Render.E(what)}: {total.TotalSeconds:0} s", maxValue: total.TotalSeconds);
                while (Now < until)
                {
                    var left = until - Now;
                    task.Value = Math.Min(total.TotalSeconds, (total - left).TotalSeconds);
                    task.Description = $"Waiting until {Render.E(what)}: {Math.Ceiling(left.TotalSeconds):0} s left";
                    await Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), _time, cancellationToken);
                }

                task.Value = task.MaxValue;
                task.Description = $"Waited {total.TotalSeconds:0} s: {Render.E(what)}";
                task.StopTask();
            });
    }

    private sealed class DemoStepFailedException(string message) : Exception(message);
}
