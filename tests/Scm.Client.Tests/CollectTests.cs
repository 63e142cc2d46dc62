using System.Text;
using Scm.Client.Tests.Infrastructure;
using WireMock.ResponseBuilders;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class CollectTests : IDisposable
{
    private readonly ScmServer _server = ScmServer.Start();
    private readonly TestClient _client;
    private readonly TestPki _pki = TestPki.Create();

    public CollectTests() => _client = TestClient.Create(_server);

    public void Dispose()
    {
        _pki.Dispose();
        _client.Dispose();
        _server.Dispose();
    }

    private static IResponseBuilder Download(byte[] body) => Response.Create().WithStatusCode(200)
        .WithHeader("Content-Type", "application/octet-stream;charset=UTF-8")
        .WithHeader("Content-Disposition", "attachment; filename=\"test.cert\"")
        .WithBody(body);

    [Fact]
    public async Task CollectAsync_RootFirstPem_FindsLeafByStructureAndChainLeafToRoot()
    {
        _server.Stub(Get("/api/ssl/v1/collect/3000000001"), Download(Encoding.ASCII.GetBytes(_pki.RootFirstPem())));

        using var result = await _client.Ssl.CollectAsync(3000000001, SslCollectFormat.X509);

        var req = _server.Single();
        Assert.Equal("x509", req.Query!["format"].Single());
        Assert.True(result.IsIssued);
        Assert.Equal(3, result.Certificates.Count);
        Assert.Equal(_pki.Leaf.Thumbprint, result.Leaf!.Thumbprint);
        Assert.Equal([_pki.Intermediate.Thumbprint, _pki.Root.Thumbprint], result.Chain.Select(c => c.Thumbprint));
        Assert.Equal(SslCollectFormat.X509, result.Format);
        Assert.Equal(_pki.RootFirstPem(), Encoding.ASCII.GetString(result.Content.Span));
    }

    [Fact]
    public async Task CollectAsync_SameIssuersTwice_EachResultOwnsItsCertificates_LeafNeverCached()
    {
        _server.Stub(Get("/api/ssl/v1/collect/41"), Download(Encoding.ASCII.GetBytes(_pki.RootFirstPem())));
        var first = await _client.Ssl.CollectAsync(41, SslCollectFormat.X509);
        using var second = await _client.Ssl.CollectAsync(41, SslCollectFormat.X509);

        // The issuers are decoded once and handed out as separate handles: disposing one result leaves the other intact.
        Assert.NotSame(first.Chain[0], second.Chain[0]);
        first.Dispose();
        Assert.Equal(_pki.Intermediate.Thumbprint, second.Chain[0].Thumbprint);
        Assert.Equal(_pki.Root.RawData, second.Chain[1].RawData);
        Assert.Equal(_pki.Leaf.Thumbprint, second.Leaf!.Thumbprint);
        Assert.InRange(Scm.Client.Internal.CertificateBundle.CachedAuthorityCount, 2, Scm.Client.Internal.CertificateBundle.MaxCachedAuthorities);

        // A leaf is never kept: parsing it alone adds nothing to the cache.
        var before = Scm.Client.Internal.CertificateBundle.CachedAuthorityCount;
        using (var parsed = new DisposableCertificates(Scm.Client.Internal.CertificateBundle.Parse(Encoding.ASCII.GetBytes(_pki.Leaf.ExportCertificatePem()))))
        {
            Assert.Single(parsed.Items);
        }

        Assert.Equal(before, Scm.Client.Internal.CertificateBundle.CachedAuthorityCount);
    }

    private sealed class DisposableCertificates(System.Security.Cryptography.X509Certificates.X509Certificate2Collection items) : IDisposable
    {
        public System.Security.Cryptography.X509Certificates.X509Certificate2Collection Items { get; } = items;

        public void Dispose()
        {
            foreach (var c in Items)
            {
                c.Dispose();
            }
        }
    }

    [Fact]
    public async Task CollectAsync_LeafFirstPemia_FindsSameLeaf()
    {
        var pem = _pki.Leaf.ExportCertificatePem() + "\n" + _pki.Intermediate.ExportCertificatePem() + "\n" + _pki.Root.ExportCertificatePem();
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download(Encoding.ASCII.GetBytes(pem)));

        using var result = await _client.Ssl.CollectAsync(7, "PEMIA");

        Assert.Equal("pemia", _server.Single().Query!["format"].Single());
        Assert.Equal(_pki.Leaf.Thumbprint, result.Leaf!.Thumbprint);
        Assert.Equal(2, result.Chain.Count);
    }

    [Fact]
    public async Task CollectAsync_Pkcs7Pem_ParsesCertificates()
    {
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download(Encoding.ASCII.GetBytes(_pki.Pkcs7Pem())));

        using var result = await _client.Ssl.CollectAsync(7, SslCollectFormat.Base64);

        Assert.Equal(3, result.Certificates.Count);
        Assert.Equal(_pki.Leaf.Thumbprint, result.Leaf!.Thumbprint);
    }

    [Fact]
    public async Task CollectAsync_Pkcs7Der_ParsesCertificates()
    {
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download(_pki.Pkcs7Der()));

        using var result = await _client.Ssl.CollectAsync(7, SslCollectFormat.Binary);

        Assert.Equal(_pki.Leaf.Thumbprint, result.Leaf!.Thumbprint);
        Assert.Equal(_pki.Root.Thumbprint, result.Chain[^1].Thumbprint);
    }

    [Fact]
    public async Task CollectAsync_IssuersOnly_HasNoLeaf()
    {
        var pem = _pki.Root.ExportCertificatePem() + "\n" + _pki.Intermediate.ExportCertificatePem();
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download(Encoding.ASCII.GetBytes(pem)));

        using var result = await _client.Ssl.CollectAsync(7, SslCollectFormat.X509IssuersOnly);

        Assert.True(result.IsIssued);
        Assert.Null(result.Leaf);
        Assert.Empty(result.Chain);
        Assert.Equal(2, result.Certificates.Count);
    }

    [Fact]
    public async Task FindByPublicKey_HeldKey_ReturnsMatchingCertificateOnly()
    {
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download(Encoding.ASCII.GetBytes(_pki.RootFirstPem())));
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

        using var result = await _client.Ssl.CollectAsync(7, SslCollectFormat.Pem);

        Assert.Equal(_pki.Leaf.Thumbprint, result.FindByPublicKey(_pki.LeafKey)!.Thumbprint);
        Assert.Equal(_pki.Leaf.Thumbprint, result.FindByPublicKey(_pki.LeafKey.ExportSubjectPublicKeyInfo())!.Thumbprint);
        Assert.Null(result.FindByPublicKey(other));
    }

    [Fact]
    public async Task CollectAsync_LegacyPathOption_UsesFormatPathSegment()
    {
        using var legacy = TestClient.Create(_server, o => o.UseLegacyCollectPath = true);
        _server.Stub(Get("/api/ssl/v1/collect/7/x509CO"), Download(Encoding.ASCII.GetBytes(_pki.Leaf.ExportCertificatePem())));

        using var result = await legacy.Ssl.CollectAsync(7, "x509co");

        var req = _server.Single();
        Assert.Equal("/api/ssl/v1/collect/7/x509CO", req.Path);
        Assert.Equal(_pki.Leaf.Thumbprint, result.Leaf!.Thumbprint);
    }

    [Theory]
    [InlineData(0, "Being processed by Sectigo")]
    [InlineData(-183, "Certificate is not collectable.")]
    [InlineData(-1400, "The request is being processed by Sectigo.")]
    [InlineData(-109, "Certificate is not available now, please try again later")]
    [InlineData(-103, "Certificate has not been collected yet")]
    public async Task CollectAsync_NotReadyCode_ReturnsNotReadyWithoutException(int code, string description)
    {
        _server.Stub(Get("/api/ssl/v1/collect/7"), Error(400, code, description));

        using var result = await _client.Ssl.CollectAsync(7, SslCollectFormat.X509);

        Assert.False(result.IsIssued);
        Assert.Equal(code, result.ScmErrorCode);
        Assert.Equal(description, result.Description);
        Assert.Null(result.Leaf);
        Assert.Empty(result.Certificates);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task CollectAsync_EmptyOkBody_ReturnsNotReady()
    {
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download([]));

        using var result = await _client.Ssl.CollectAsync(7, SslCollectFormat.X509);

        Assert.False(result.IsIssued);
        Assert.Null(result.ScmErrorCode);
    }

    [Fact]
    public async Task CollectAsync_Revoked_ThrowsWithCode()
    {
        _server.Stub(Get("/api/ssl/v1/collect/7"), Error(400, -110, "Certificate has been revoked and cannot be downloaded."));

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => _client.Ssl.CollectAsync(7, SslCollectFormat.X509));

        Assert.Equal(ScmErrorCodes.RevokedCannotDownload, ex.ScmErrorCode);
        Assert.Equal(400, ex.Status);
        Assert.Equal("/api/ssl/v1/collect/7", ex.Path);
    }

    [Fact]
    public async Task CollectAsync_GarbageBody_ThrowsProtocolException()
    {
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download(Encoding.ASCII.GetBytes("<html>maintenance</html>")));

        await Assert.ThrowsAsync<ScmProtocolException>(() => _client.Ssl.CollectAsync(7, SslCollectFormat.X509));
    }

    [Fact]
    public async Task CollectAsync_BodyOverCap_ThrowsProtocolException()
    {
        using var small = TestClient.Create(_server, o => o.MaxCollectResponseBytes = 2048);
        _server.Stub(Get("/api/ssl/v1/collect/7"), Download(new byte[10_000]));

        var ex = await Assert.ThrowsAsync<ScmProtocolException>(() => small.Ssl.CollectAsync(7, SslCollectFormat.X509));

        Assert.Contains("2048", ex.Message);
    }
}
