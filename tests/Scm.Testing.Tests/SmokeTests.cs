using System.Net;

namespace Scm.Testing.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Enroll_ThenAdvanceClock_CertificateIssuedAndCollectable()
    {
        await using var f = await SimFixture.StartAsync();
        var id = await f.EnrollAsync();
        Assert.Equal("Approved", await f.StatusAsync(id));
        f.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Applied", await f.StatusAsync(id));
        f.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Issued", await f.StatusAsync(id));
        using var collect = await f.Http.GetAsync($"ssl/v1/collect/{id}?format=x509CO");
        Assert.Equal(HttpStatusCode.OK, collect.StatusCode);
        var certs = Pem.Certificates(await collect.Content.ReadAsStringAsync());
        Assert.Single(certs);
    }
}
