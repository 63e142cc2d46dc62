using System.Security.Cryptography;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Walks the store and the simulator's ground truth, independent of the engine's own bookkeeping:
/// exactly one billable order per new-order token, every accepted order's key stored and matching its CSR, and
/// every certificate the simulator issued for our orders collected into the inventory.
/// </summary>
internal static class StoreVerifier
{
    public static async Task VerifyAsync(IScmStore store, ScmSimulator simulator, IPrivateKeyProtector protector, bool requireCollected = true)
    {
        var orders = new List<CertificateOrder>();
        string? token = null;
        do
        {
            var page = await store.ListOrdersAsync(new OrderQuery { PageSize = 500, ContinuationToken = token });
            orders.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        var newOrders = orders.Where(o => o.Kind == OrderKind.New).ToDictionary(o => o.CorrelationToken, StringComparer.OrdinalIgnoreCase);

        // One billable original order per token (SCM copies comments into renewals, so those are counted per sslId below).
        foreach (var group in simulator.GetOrders().Where(o => o.RenewedFromSslId is null).SelectMany(o => o.CorrelationTokens.Select(t => (Token: t, Order: o))).GroupBy(x => x.Token, StringComparer.OrdinalIgnoreCase))
        {
            if (newOrders.ContainsKey(group.Key))
            {
                Assert.True(group.Count() == 1, $"Token {group.Key} has {group.Count()} billable orders in SCM ({string.Join(", ", group.Select(x => x.Order.SslId))}); exactly 1 is allowed.");
            }
        }

        // Never two renewals of one certificate.
        foreach (var (sslId, renewals) in simulator.Counters.RenewalOrdersBySslId())
        {
            Assert.True(renewals <= 1, $"sslId {sslId} was renewed {renewals} times; at most once is allowed.");
        }

        foreach (var scmOrder in simulator.GetOrders().Where(o => o.RenewedFromSslId is null))
        {
            foreach (var t in scmOrder.CorrelationTokens)
            {
                if (newOrders.TryGetValue(t, out var local))
                {
                    Assert.True(local.SslId == scmOrder.SslId, $"SCM order {scmOrder.SslId} carries token {t} but the local order knows sslId {local.SslId?.ToString() ?? "(none)"}.");
                }
            }
        }

        foreach (var order in orders.Where(o => o.SslId is not null && o.Kind != OrderKind.Import))
        {
            Assert.True(order.ProtectedPrivateKey is not null, $"Order {order.Id} (sslId {order.SslId}) lost its key.");
            Assert.False(string.IsNullOrEmpty(order.CsrPem), $"Order {order.Id} lost its CSR.");
            var csr = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequestPem(order.CsrPem!, HashAlgorithmName.SHA256);
            var pkcs8 = await protector.UnprotectAsync(order.ProtectedPrivateKey!, PrivateKeyBinding(csr.PublicKey.ExportSubjectPublicKeyInfo()));
            using var key = ImportKey(pkcs8);
            CryptographicOperations.ZeroMemory(pkcs8);
            Assert.True(csr.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()), $"Order {order.Id}: the stored key does not match the CSR sent to SCM.");
        }

        if (requireCollected)
        {
            foreach (var scmOrder in simulator.GetOrders().Where(o => o.Status == "Issued"))
            {
                var local = orders.Where(o => o.SslId == scmOrder.SslId).ToArray();
                if (local.Length == 0)
                {
                    continue;
                }

                var certificates = await store.FindCertificatesBySslIdAsync(scmOrder.SslId);
                Assert.True(certificates.Count > 0 || local.Any(o => o.State is OrderState.Parked or OrderState.InvalidCertificate),
                    $"SCM issued sslId {scmOrder.SslId} but it was not collected.");
            }
        }
    }

    private static AsymmetricAlgorithm ImportKey(byte[] pkcs8)
    {
        try
        {
            var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            return ec;
        }
        catch (CryptographicException)
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return rsa;
        }
    }

    /// <summary>The documented binding of a private key (docs/operations.md, "Key protection"), computed here independently of the engine.</summary>
    public static byte[] PrivateKeyBinding(byte[] subjectPublicKeyInfo) =>
        System.Text.Encoding.UTF8.GetBytes("scm-sdk/2\nprivate-key\nspki-sha256:" + Convert.ToHexString(SHA256.HashData(subjectPublicKeyInfo)));
}
