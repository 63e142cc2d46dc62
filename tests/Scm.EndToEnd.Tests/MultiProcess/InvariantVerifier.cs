using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Scm.Storage;
using Scm.Testing;

namespace Scm.EndToEnd.Tests.MultiProcess;

/// <summary>
/// Walks the SQLite store directly and the simulator's ground truth, independent of the engine's bookkeeping (the
/// invariants of tests/Scm.Lifecycle.Tests/EndToEnd/StoreVerifier.cs, extended to renewal lineages and timing). Every
/// violation is collected, so a failing run reports all of them with counts instead of the first one.
/// </summary>
internal static class InvariantVerifier
{
    public static async Task<InvariantReport> VerifyAsync(IScmStore store, ScmSimulator simulator, IPrivateKeyProtector protector, int expectedCertificates, CancellationToken cancellationToken)
    {
        var report = new InvariantReport();
        var orders = await ReadOrdersAsync(store, cancellationToken);
        var certificates = await ReadCertificatesAsync(store, cancellationToken);
        var scm = simulator.GetOrders();
        var bySslId = scm.ToDictionary(o => o.SslId);
        var generation = new Dictionary<long, int>();
        int Generation(ScmSimulatorOrder o)
        {
            if (!generation.TryGetValue(o.SslId, out var g))
            {
                g = o.RenewedFromSslId is { } parent && bySslId.TryGetValue(parent, out var p) ? Generation(p) + 1 : 0;
                generation[o.SslId] = g;
            }

            return g;
        }

        // Every certificate was ordered exactly once, locally and at SCM.
        var newOrders = orders.Where(o => o.Kind == OrderKind.New).ToList();
        report.Certificates = newOrders.Select(o => o.Request.CommonName).Distinct(StringComparer.OrdinalIgnoreCase).Count();
        if (report.Certificates != expectedCertificates)
        {
            report.Other.Add($"{report.Certificates} distinct certificates were ordered; {expectedCertificates} were expected.");
        }

        foreach (var group in newOrders.GroupBy(o => o.Request.CommonName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            report.DuplicateOrders.Add($"{group.Key}: {group.Count()} local new orders ({string.Join(", ", group.Select(o => o.Id))}).");
        }

        var originals = scm.Where(o => o.RenewedFromSslId is null).ToList();
        var localTokens = new HashSet<string>(newOrders.Select(o => o.CorrelationToken), StringComparer.OrdinalIgnoreCase);
        foreach (var order in newOrders)
        {
            var billable = originals.Where(o => o.CorrelationTokens.Contains(order.CorrelationToken, StringComparer.OrdinalIgnoreCase)).ToList();
            if (billable.Count > 1)
            {
                report.DuplicateOrders.Add($"{order.Request.CommonName}: token {order.CorrelationToken} has {billable.Count} billable orders in SCM ({string.Join(", ", billable.Select(b => b.SslId))}).");
            }
            else if (billable.Count == 0)
            {
                report.Other.Add($"{order.Request.CommonName}: order {order.Id} ({order.State}) never reached SCM.");
            }
            else if (order.SslId != billable[0].SslId)
            {
                report.Other.Add($"{order.Request.CommonName}: SCM order {billable[0].SslId} carries token {order.CorrelationToken} but the local order knows sslId {order.SslId?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}.");
            }
        }

        foreach (var stray in originals.Where(o => !o.CorrelationTokens.Any(localTokens.Contains)))
        {
            report.DuplicateOrders.Add($"SCM order {stray.SslId} ({stray.CommonName}) carries no token of a local order.");
        }

        report.MaxEnrollPostsPerToken = simulator.Counters.EnrollPostsByToken().Values.DefaultIfEmpty(0).Max();
        report.EnrollPosts = simulator.Counters.EnrollPosts;
        report.RenewPosts = simulator.Counters.RenewPosts;
        report.BillableOrders = simulator.Counters.BillableOrders;

        // At most one renewal of every certificate (sslId), by the simulator's counter and by its records.
        var doubles = new SortedSet<long>();
        foreach (var (sslId, renewals) in simulator.Counters.RenewalOrdersBySslId().Where(r => r.Value > 1))
        {
            doubles.Add(sslId);
            report.DoubleRenewals.Add($"sslId {sslId} ({bySslId.GetValueOrDefault(sslId)?.CommonName}) was renewed {renewals} times.");
        }

        foreach (var group in scm.Where(o => o.RenewedFromSslId is not null).GroupBy(o => o.RenewedFromSslId!.Value).Where(g => g.Count() > 1 && !doubles.Contains(g.Key)))
        {
            report.DoubleRenewals.Add($"sslId {group.Key} has {group.Count()} renewal records in SCM ({string.Join(", ", group.Select(o => o.SslId))}).");
        }

        // Every order SCM accepted has its key in the store, matching the CSR that was sent and the certificate SCM issued.
        var localBySslId = orders.Where(o => o.SslId is not null && o.Kind != OrderKind.Import).ToLookup(o => o.SslId!.Value);
        foreach (var scmOrder in scm)
        {
            report.ScmOrders++;
            var local = localBySslId[scmOrder.SslId].ToList();
            if (local.Count == 0)
            {
                report.LostKeys.Add($"SCM accepted sslId {scmOrder.SslId} ({scmOrder.CommonName}, generation {Generation(scmOrder)}, {scmOrder.Status}) but no local order holds it: its key is lost.");
                continue;
            }

            if (local.Count > 1)
            {
                report.Other.Add($"sslId {scmOrder.SslId} is claimed by {local.Count} local orders ({string.Join(", ", local.Select(o => o.Id))}).");
            }

            foreach (var order in local)
            {
                var problem = await CheckOrderKeyAsync(order, scmOrder, protector, cancellationToken);
                if (problem is null)
                {
                    report.KeysVerified++;
                }
                else
                {
                    report.LostKeys.Add(problem);
                }
            }
        }

        // Every active certificate's key matches it; exactly one active certificate per name.
        foreach (var certificate in certificates.Where(c => c.Status == CertificateStatus.Active))
        {
            report.ActiveCertificates++;
            var problem = await CheckCertificateKeyAsync(certificate, protector, cancellationToken);
            if (problem is not null)
            {
                report.LostKeys.Add(problem);
            }
        }

        foreach (var group in certificates.Where(c => c.Status == CertificateStatus.Active).GroupBy(c => c.CommonName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            report.Other.Add($"{group.Key} has {group.Count()} active certificates.");
        }

        if (report.ActiveCertificates != expectedCertificates)
        {
            report.Other.Add($"{report.ActiveCertificates} active certificates; {expectedCertificates} expected (one per name).");
        }

        // Every certificate SCM issued for our orders was collected; nothing is left open.
        var installedBySslId = certificates.Where(c => c.SslId is not null).ToLookup(c => c.SslId!.Value);
        foreach (var scmOrder in scm.Where(o => o.HasCertificate && localBySslId[o.SslId].Any()))
        {
            if (!installedBySslId[scmOrder.SslId].Any())
            {
                report.Uncollected.Add($"SCM issued sslId {scmOrder.SslId} ({scmOrder.CommonName}) but it was never installed.");
            }
        }

        foreach (var open in orders.Where(o => o.IsOpen))
        {
            report.Other.Add($"Order {open.Id} ({open.Request.CommonName}, {open.Kind}) is still open: {open.State}, sslId {open.SslId}, {open.LastError}");
        }

        // SCM fails nothing in this run, so no order may end failed, cancelled or with an invalid certificate.
        foreach (var ended in orders.Where(o => o.State is OrderState.Failed or OrderState.Cancelled or OrderState.InvalidCertificate))
        {
            report.Other.Add($"Order {ended.Id} ({ended.Request.CommonName}, {ended.Kind}) ended {ended.State}: {ended.LastError}");
        }

        // How the kills showed up in the audit: interrupted submissions found and reconciled, re-submissions, stuck orders.
        await foreach (var entry in ReadAuditAsync(store, cancellationToken))
        {
            if (entry.Decision is "Ambiguous" or "Reconciled" or "Resubmit" or "Stuck" or "Failed" || entry.Action == "AutoRenew")
            {
                var key = entry.Action + "/" + entry.Decision;
                report.AuditDecisions[key] = report.AuditDecisions.GetValueOrDefault(key) + 1;
            }
        }

        // Renewals per cycle, and when each happened relative to the renewed certificate's last twentieth of lifetime.
        foreach (var renewal in scm.Where(o => o.RenewedFromSslId is not null))
        {
            var gen = Generation(renewal);
            report.RenewalsPerCycle[gen] = report.RenewalsPerCycle.GetValueOrDefault(gen) + 1;
            if (!bySslId.TryGetValue(renewal.RenewedFromSslId!.Value, out var parent) || parent.Issued is not { } issued || parent.Expires is not { } expires)
            {
                report.Other.Add($"Renewal {renewal.SslId} renews sslId {renewal.RenewedFromSslId}, which SCM never issued.");
                continue;
            }

            var emergencyFrom = expires - ((expires - issued) / 20);
            var installed = installedBySslId[renewal.SslId].Select(c => (DateTimeOffset?)c.CreatedAt).Min();
            report.Renewals++;
            var margin = emergencyFrom - renewal.Requested;
            report.SmallestMargin = report.SmallestMargin is { } smallest && smallest < margin ? smallest : margin;
            if (renewal.Requested < emergencyFrom)
            {
                report.OrderedBeforeLastTwentieth++;
            }
            else
            {
                report.LateRenewals.Add($"{renewal.CommonName}: renewal {renewal.SslId} of sslId {parent.SslId} ordered at {renewal.Requested:HH:mm:ss.fff}, inside the last twentieth (from {emergencyFrom:HH:mm:ss.fff}, expiry {expires:HH:mm:ss}).");
            }

            if (installed < emergencyFrom)
            {
                report.InstalledBeforeLastTwentieth++;
            }

            if (installed < expires)
            {
                report.InstalledBeforeExpiry++;
            }
            else
            {
                report.Lapsed.Add($"{renewal.CommonName}: sslId {parent.SslId} expired at {expires:HH:mm:ss.fff} before its renewal {renewal.SslId} was installed ({installed?.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "never"}).");
            }
        }

        // The last generation every name reached (the run stops after the required cycles; some names start one more).
        var activeGenerations = certificates.Where(c => c.Status == CertificateStatus.Active && c.SslId is not null && bySslId.ContainsKey(c.SslId.Value))
            .Select(c => Generation(bySslId[c.SslId!.Value])).ToList();
        report.MinActiveGeneration = activeGenerations.DefaultIfEmpty(0).Min();
        return report;
    }

    private static async Task<string?> CheckOrderKeyAsync(CertificateOrder order, ScmSimulatorOrder scmOrder, IPrivateKeyProtector protector, CancellationToken cancellationToken)
    {
        var what = $"{order.Request.CommonName}: {order.Kind} order {order.Id} (sslId {order.SslId})";
        if (order.ProtectedPrivateKey is null)
        {
            return $"{what} lost its key.";
        }

        if (string.IsNullOrEmpty(order.CsrPem))
        {
            return $"{what} lost its CSR.";
        }

        var csr = CertificateRequest.LoadSigningRequestPem(order.CsrPem, HashAlgorithmName.SHA256).PublicKey.ExportSubjectPublicKeyInfo();
        byte[] key;
        try
        {
            key = await PublicKeyOfAsync(order.ProtectedPrivateKey, csr, protector, cancellationToken);
        }
        catch (Exception ex) when (ex is KeyProtectionException or CryptographicException)
        {
            return $"{what}: the stored key cannot be read ({ex.Message}).";
        }

        if (!csr.AsSpan().SequenceEqual(key))
        {
            return $"{what}: the stored key does not match the CSR sent to SCM.";
        }

        using var issued = scmOrder.GetCertificate();
        if (issued is not null && !issued.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key))
        {
            return $"{what}: the certificate SCM issued is not for the stored key.";
        }

        return null;
    }

    private static async Task<string?> CheckCertificateKeyAsync(ManagedCertificate certificate, IPrivateKeyProtector protector, CancellationToken cancellationToken)
    {
        var what = $"{certificate.CommonName}: active certificate {certificate.Id} (sslId {certificate.SslId})";
        if (certificate.ProtectedPrivateKey is null)
        {
            return $"{what} has no key.";
        }

        try
        {
            using var leaf = X509Certificate2.CreateFromPem(certificate.CertificatePem);
            var key = await PublicKeyOfAsync(certificate.ProtectedPrivateKey, leaf.PublicKey.ExportSubjectPublicKeyInfo(), protector, cancellationToken);
            return leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key) ? null : $"{what}: its key does not match the certificate.";
        }
        catch (Exception ex) when (ex is KeyProtectionException or CryptographicException)
        {
            return $"{what}: the key or certificate cannot be read ({ex.Message}).";
        }
    }

    /// <summary>Decrypts a private key with the documented binding to its public key (docs/operations.md), computed here independently of the engine.</summary>
    private static async Task<byte[]> PublicKeyOfAsync(byte[] protectedKey, byte[] expectedSubjectPublicKeyInfo, IPrivateKeyProtector protector, CancellationToken cancellationToken)
    {
        var binding = System.Text.Encoding.UTF8.GetBytes("scm-sdk/2\nprivate-key\nspki-sha256:" + Convert.ToHexString(SHA256.HashData(expectedSubjectPublicKeyInfo)));
        var pkcs8 = await protector.UnprotectAsync(protectedKey, binding, cancellationToken);
        try
        {
            try
            {
                using var ec = ECDsa.Create();
                ec.ImportPkcs8PrivateKey(pkcs8, out _);
                return ec.ExportSubjectPublicKeyInfo();
            }
            catch (CryptographicException)
            {
                using var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                return rsa.ExportSubjectPublicKeyInfo();
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static async IAsyncEnumerable<AuditEntry> ReadAuditAsync(IScmStore store, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? after = null;
        while (true)
        {
            var page = await store.QueryAuditAsync(new AuditQuery { AfterSequence = after, Limit = 10_000 }, cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var entry in page)
            {
                yield return entry;
            }

            after = page[^1].Sequence;
        }
    }

    internal static async Task<List<CertificateOrder>> ReadOrdersAsync(IScmStore store, CancellationToken cancellationToken)
    {
        var orders = new List<CertificateOrder>();
        string? token = null;
        do
        {
            var page = await store.ListOrdersAsync(new OrderQuery { PageSize = 1000, ContinuationToken = token }, cancellationToken);
            orders.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return orders;
    }

    internal static async Task<List<ManagedCertificate>> ReadCertificatesAsync(IScmStore store, CancellationToken cancellationToken)
    {
        var certificates = new List<ManagedCertificate>();
        string? token = null;
        do
        {
            var page = await store.ListCertificatesAsync(new CertificateQuery { PageSize = 1000, ContinuationToken = token }, cancellationToken);
            certificates.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return certificates;
    }
}

/// <summary>What <see cref="InvariantVerifier"/> found.</summary>
internal sealed class InvariantReport
{
    public int Certificates { get; set; }

    public int ScmOrders { get; set; }

    public int KeysVerified { get; set; }

    public int ActiveCertificates { get; set; }

    public int MinActiveGeneration { get; set; }

    public long EnrollPosts { get; set; }

    public long RenewPosts { get; set; }

    public long BillableOrders { get; set; }

    public long MaxEnrollPostsPerToken { get; set; }

    public SortedDictionary<int, int> RenewalsPerCycle { get; } = [];

    public int Renewals { get; set; }

    public int OrderedBeforeLastTwentieth { get; set; }

    public int InstalledBeforeLastTwentieth { get; set; }

    public int InstalledBeforeExpiry { get; set; }

    /// <summary>The least time any renewal was ordered before the renewed certificate's last twentieth of lifetime began.</summary>
    public TimeSpan? SmallestMargin { get; set; }

    public SortedDictionary<string, int> AuditDecisions { get; } = new(StringComparer.Ordinal);

    public List<string> DuplicateOrders { get; } = [];

    public List<string> DoubleRenewals { get; } = [];

    public List<string> LostKeys { get; } = [];

    public List<string> Uncollected { get; } = [];

    public List<string> LateRenewals { get; } = [];

    public List<string> Lapsed { get; } = [];

    public List<string> Other { get; } = [];

    public bool Passed => DuplicateOrders.Count == 0 && DoubleRenewals.Count == 0 && LostKeys.Count == 0 && Uncollected.Count == 0
        && LateRenewals.Count == 0 && Lapsed.Count == 0 && Other.Count == 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"certificates ordered: {Certificates}; SCM orders: {ScmOrders} (billable {BillableOrders}); enroll POSTs: {EnrollPosts} (at most {MaxEnrollPostsPerToken} per token); renew POSTs: {RenewPosts}");
        text.AppendLine(CultureInfo.InvariantCulture, $"renewals per cycle: {string.Join(", ", RenewalsPerCycle.Select(c => $"cycle {c.Key}: {c.Value}"))}; every name reached at least cycle {MinActiveGeneration}");
        text.AppendLine(CultureInfo.InvariantCulture, $"renewals ordered before the last twentieth of lifetime: {OrderedBeforeLastTwentieth} of {Renewals} (closest {SmallestMargin?.TotalSeconds:0.0} s before it); installed before it: {InstalledBeforeLastTwentieth}; installed before expiry: {InstalledBeforeExpiry}");
        text.AppendLine(CultureInfo.InvariantCulture, $"audit: {string.Join(", ", AuditDecisions.Select(d => $"{d.Key} {d.Value}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"double renewals: {DoubleRenewals.Count}; duplicate orders: {DuplicateOrders.Count}; lost keys: {LostKeys.Count} (keys verified against CSR and issued certificate: {KeysVerified}; active certificates checked: {ActiveCertificates}); uncollected: {Uncollected.Count}; late renewals: {LateRenewals.Count}; lapsed: {Lapsed.Count}; other: {Other.Count}");
        foreach (var (title, list) in new[] { ("DOUBLE RENEWALS", DoubleRenewals), ("DUPLICATE ORDERS", DuplicateOrders), ("LOST KEYS", LostKeys), ("UNCOLLECTED", Uncollected), ("LATE RENEWALS", LateRenewals), ("LAPSED", Lapsed), ("OTHER", Other) })
        {
            foreach (var line in list.Take(25))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {title}: {line}");
            }

            if (list.Count > 25)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {title}: ... and {list.Count - 25} more");
            }
        }

        return text.ToString();
    }
}
