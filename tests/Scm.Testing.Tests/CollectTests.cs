using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Scm.Testing.Tests;

public sealed class CollectTests : IAsyncLifetime
{
    private SimFixture _f = null!;
    private ECDsa _key = null!;
    private long _id;

    public async Task InitializeAsync()
    {
        _f = await SimFixture.StartAsync();
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _id = await _f.EnrollIssuedAsync("www.acme.example", b => b["subjAltNames"] = "www.acme.example,api.acme.example", _key);
    }

    public async Task DisposeAsync()
    {
        _key.Dispose();
        await _f.DisposeAsync();
    }

    private async Task<(HttpResponseMessage Response, byte[] Body)> CollectAsync(string format, bool pathForm)
    {
        var url = pathForm ? $"ssl/v1/collect/{_id}/{format}" : $"ssl/v1/collect/{_id}?format={format}";
        var response = await _f.Http.GetAsync(url);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private string Subject(X509Certificate2 c) => c.Subject == _f.Sim.RootCertificate.Subject ? "root"
        : c.Subject == _f.Sim.IntermediateCertificate.Subject ? "intermediate" : "leaf";

    [Theory]
    [InlineData("x509", "root,intermediate,leaf")]
    [InlineData("pem", "root,intermediate,leaf")]
    [InlineData("x509R", "root,intermediate,leaf")]
    [InlineData("x509CO", "leaf")]
    [InlineData("pemco", "leaf")]
    [InlineData("x509IO", "root,intermediate")]
    [InlineData("x509IOR", "intermediate,root")]
    [InlineData("pemia", "leaf,intermediate,root")]
    public async Task Collect_PemFormats_ChainInScmOrder(string format, string expectedOrder)
    {
        foreach (var pathForm in new[] { false, true })
        {
            var (response, body) = await CollectAsync(format, pathForm);
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
                Assert.Equal("www_acme_example.crt", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
                var certs = Pem.Certificates(Encoding.ASCII.GetString(body));
                Assert.Equal(expectedOrder, string.Join(',', certs.Select(Subject)));
            }
        }
    }

    [Theory]
    [InlineData("base64")]
    [InlineData("bin")]
    public async Task Collect_Pkcs7Formats_ContainLeafAndChain(string format)
    {
        var (response, body) = await CollectAsync(format, false);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            byte[] der = format == "base64"
                ? PemEncoding.Find(Encoding.ASCII.GetString(body)) is var fields ? Convert.FromBase64String(Encoding.ASCII.GetString(body)[fields.Base64Data]) : []
                : body;
            if (format == "base64")
            {
                Assert.StartsWith("-----BEGIN PKCS7-----", Encoding.ASCII.GetString(body), StringComparison.Ordinal);
            }

            var collection = new X509Certificate2Collection();
#pragma warning disable SYSLIB0057 // PKCS#7 has no X509CertificateLoader equivalent
            collection.Import(der);
#pragma warning restore SYSLIB0057
            Assert.Equal(3, collection.Count);
            Assert.Equal(["intermediate", "leaf", "root"], collection.Select(Subject).Order());
        }
    }

    [Fact]
    public async Task Collect_NoFormat_DefaultsToBase64Pkcs7()
    {
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{_id}");
        Assert.StartsWith("-----BEGIN PKCS7-----", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("www_acme_example.p7b", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
    }

    [Fact]
    public async Task Collect_UnknownFormatByPath_ReturnsMinus126()
    {
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{_id}/zip");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -126);
    }

    [Fact]
    public async Task Collect_UnknownFormatByQuery_ReturnsMinus1450()
    {
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{_id}?format=pkcs12");
        await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest, -1450);
    }

    [Fact]
    public async Task Collect_UnknownId_Returns404()
    {
        using var response = await _f.Http.GetAsync("ssl/v1/collect/5/x509");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Certificate_VerifiesAgainstTestRoot_WithKeySansValidityAndExtensions()
    {
        var (response, body) = await CollectAsync("pemia", true);
        response.Dispose();
        var certs = Pem.Certificates(Encoding.ASCII.GetString(body));
        var leaf = certs[0];

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_f.Sim.RootCertificate);
        chain.ChainPolicy.ExtraStore.Add(certs[1]);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = SimFixture.Start.AddDays(1).UtcDateTime;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(3, chain.ChainElements.Count);

        Assert.Equal(_key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal("www.acme.example", leaf.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal("CN=www.acme.example, O=Acme Corporation, L=Salford, S=Greater Manchester, C=GB", leaf.Subject);
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["www.acme.example", "api.acme.example"], san.EnumerateDnsNames());
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.True(leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature));
        Assert.NotNull(leaf.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault());
        Assert.NotNull(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().SingleOrDefault());
        Assert.Equal(SimFixture.Start.AddSeconds(3).UtcDateTime, leaf.NotBefore.ToUniversalTime());
        Assert.Equal(SimFixture.Start.AddSeconds(3).AddDays(365).UtcDateTime, leaf.NotAfter.ToUniversalTime());

        var details = await _f.DetailsAsync(_id);
        Assert.Equal(details["serialNumber"]!.GetValue<string>().Replace(":", "", StringComparison.Ordinal), leaf.SerialNumber);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(leaf.RawData)), details["certificateDetails"]!["sha256Hash"]!.GetValue<string>());
    }

    [Fact]
    public async Task Certificate_FromAnotherSimulator_DoesNotVerifyAgainstThisRoot()
    {
        await using var other = await SimFixture.StartAsync(o => o.Seed = 7);
        var id = await other.EnrollIssuedAsync();
        using var response = await other.Http.GetAsync($"ssl/v1/collect/{id}/pemia");
        var certs = Pem.Certificates(await response.Content.ReadAsStringAsync());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_f.Sim.RootCertificate);
        chain.ChainPolicy.ExtraStore.Add(certs[1]);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = SimFixture.Start.AddDays(1).UtcDateTime;
        Assert.False(chain.Build(certs[0]));
    }

    [Fact]
    public async Task Collect_RsaCsr_KeyEnciphermentUsageAndRsaKeyType()
    {
        using var rsa = RSA.Create(2048);
        var id = await _f.EnrollIssuedAsync("rsa.acme.example", b => b["csr"] = Csr.Rsa("rsa.acme.example", rsa));
        using var response = await _f.Http.GetAsync($"ssl/v1/collect/{id}/x509CO");
        using var leaf = Pem.Certificates(await response.Content.ReadAsStringAsync())[0];
        Assert.True(leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment));
        Assert.Equal("RSA - 2048", (await _f.DetailsAsync(id))["keyType"]!.GetValue<string>());
    }
}
