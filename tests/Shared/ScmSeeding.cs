using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scm.Client;
using Scm.Testing;

namespace Scm.Tests.Shared;

/// <summary>Orders placed in SCM before the SDK knew the account: enrolled through the REST client and issued at once.</summary>
internal static class ScmSeeding
{
    /// <summary>
    /// Enrolls <paramref name="count"/> EC P-256 orders (<c>shared{i}.acme.example</c>, the seeded organization 2001 and
    /// multi-domain profile 102, 365 days, the "Cost Center" field) and issues them; simulators seeded alike hand out the
    /// same sslIds. Returns the sslIds in order.
    /// </summary>
    public static async Task<long[]> IssuedOrdersAsync(ScmSimulator sim, int count)
    {
        using var client = new ScmClient(new ScmClientOptions
        {
            BaseAddress = sim.BaseAddress,
            Login = sim.Credentials.Login,
            Password = sim.Credentials.Password,
            CustomerUri = sim.Credentials.CustomerUri,
        });
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest($"CN=shared{i}.acme.example", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            var result = await client.Ssl.EnrollAsync(new SslEnrollRequest
            {
                OrganizationId = 2001,
                ProfileId = 102,
                Term = 365,
                Csr = csr,
                Comments = "placed in SCM before the SDK",
                CustomFields = [new Scm.Client.CustomFieldValue("Cost Center", "CC-1")],
            });
            ids[i] = result.SslId;
            sim.IssueNow(result.SslId);
        }

        return ids;
    }
}
