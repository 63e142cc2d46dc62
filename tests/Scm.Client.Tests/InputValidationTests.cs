using Scm.Client.Tests.Infrastructure;

namespace Scm.Client.Tests;

public sealed class InputValidationTests : IDisposable
{
    private readonly ScmServer _server = ScmServer.Start();
    private readonly TestClient _client;

    public InputValidationTests() => _client = TestClient.Create(_server);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private async Task<ArgumentException> Rejected(Func<SslCertificatesClient, Task> call)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => call(_client.Ssl));
        Assert.Empty(_server.Requests);
        return ex;
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public async Task GetAsync_NonPositiveSslId_RejectedBeforeSending(long sslId)
    {
        var ex = await Rejected(s => s.GetAsync(sslId));

        Assert.Equal("sslId", ex.ParamName);
        Assert.Contains("must be positive", ex.Message);
    }

    [Fact]
    public async Task CollectAsync_UnknownFormat_RejectedNamingAllowedFormats()
    {
        var ex = await Rejected(s => s.CollectAsync(5, "zip"));

        Assert.Equal("format", ex.ParamName);
        Assert.Contains("x509, x509CO, base64, bin, x509IO, x509IOR, pem, pemco, pemia, x509R", ex.Message);
    }

    [Fact]
    public async Task CollectAsync_DefaultFormat_Rejected() => await Rejected(s => s.CollectAsync(5, default));

    [Fact]
    public async Task EnrollAsync_CommentsOver1024_Rejected()
    {
        var ex = await Rejected(s => s.EnrollAsync(With(r => r with { Comments = new string('c', 1025) })));

        Assert.Contains("request.Comments", ex.Message);
        Assert.Contains("1025", ex.Message);
    }

    [Fact]
    public async Task EnrollAsync_ExternalRequesterOver512_Rejected()
    {
        var ex = await Rejected(s => s.EnrollAsync(With(r => r with { ExternalRequester = new string('e', 513) })));

        Assert.Contains("request.ExternalRequester", ex.Message);
    }

    [Fact]
    public async Task EnrollAsync_SanWithComma_Rejected()
    {
        var ex = await Rejected(s => s.EnrollAsync(With(r => r with { Sans = ["a.example", "b.example,c.example"] })));

        Assert.Contains("request.SubjectAlternativeNames[1]", ex.Message);
        Assert.Contains("','", ex.Message);
    }

    [Fact]
    public async Task EnrollAsync_EmptySan_Rejected() => await Rejected(s => s.EnrollAsync(With(r => r with { Sans = ["a.example", " "] })));

    [Fact]
    public async Task EnrollAsync_CsrTooLong_Rejected()
    {
        var ex = await Rejected(s => s.EnrollAsync(With(r => r with { Csr = new string('A', 32768) })));

        Assert.Contains("request.Csr", ex.Message);
    }

    [Fact]
    public async Task EnrollAsync_EmailDcvWithoutAddress_Rejected() => await Rejected(s => s.EnrollAsync(With(r => r with { Dcv = DcvMode.Email })));

    [Fact]
    public async Task EnrollAsync_UnknownDcvMode_Rejected() => await Rejected(s => s.EnrollAsync(With(r => r with { Dcv = "FTP" })));

    [Fact]
    public async Task EnrollAsync_ZeroOrganization_Rejected() => await Rejected(s => s.EnrollAsync(With(r => r with { Org = 0 })));

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(9)]
    [InlineData(-1)]
    public async Task RevokeAsync_ReasonCodeOutsideAllowed_Rejected(int code)
    {
        var ex = await Rejected(s => s.RevokeAsync(5, (RevocationReason)code, "reason"));

        Assert.Equal("reasonCode", ex.ParamName);
        Assert.Contains("0, 1, 3, 4 or 5", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task RevokeAsync_BlankReason_Rejected(string reason) => await Rejected(s => s.RevokeAsync(5, RevocationReason.Superseded, reason));

    [Fact]
    public async Task RevokeAsync_ReasonOver512_Rejected()
    {
        var ex = await Rejected(s => s.RevokeAsync(5, RevocationReason.Superseded, new string('r', 513)));

        Assert.Contains("1..512", ex.Message);
    }

    [Fact]
    public async Task ApproveAsync_MessageOver512_Rejected() => await Rejected(s => s.ApproveAsync(5, new string('m', 513)));

    [Fact]
    public async Task DeclineAsync_NullMessage_Rejected() => await Rejected(s => s.DeclineAsync(5, null!));

    [Fact]
    public async Task ReplaceAsync_EmptyReason_Rejected() => await Rejected(s => s.ReplaceAsync(5, new SslReplaceRequest { Csr = "MIIC", Reason = "" }));

    [Fact]
    public async Task RevokeBySerialAsync_PathCharacters_Rejected() => await Rejected(s => s.RevokeBySerialAsync("../../admin", RevocationReason.Unspecified, "r"));

    [Fact]
    public async Task RenewAsync_RenewIdWithSlash_Rejected() => await Rejected(s => s.RenewAsync("abc/../x"));

    [Fact]
    public async Task RevokeManuallyAsync_NoIdentity_Rejected() => await Rejected(s => s.RevokeManuallyAsync(new SslManualRevocationRequest { ReasonCode = RevocationReason.Superseded }));

    [Fact]
    public async Task ListPageAsync_SizeOver200_Rejected() => await Rejected(s => s.ListPageAsync(null, 0, 201));

    [Fact]
    public async Task ImportAsync_TooManyItems_Rejected() =>
        await Rejected(s => s.ImportAsync(Enumerable.Range(0, 129).Select(_ => new SslImportItem { OrganizationId = 1, Certificate = new byte[] { 1 } }).ToList()));

    [Fact]
    public async Task UpdateAsync_CommentsOver1024_Rejected() => await Rejected(s => s.UpdateAsync(new SslUpdateRequest { SslId = 5, Comments = new string('c', 1025) }));

    [Fact]
    public async Task EnrollWithKeyGenerationAsync_CommonNameOver64_Rejected() =>
        await Rejected(s => s.EnrollWithKeyGenerationAsync(new SslKeyGenerationEnrollRequest { OrganizationId = 1, ProfileId = 1, Term = 365, CommonName = new string('a', 65) }));

    private sealed record Spec(int Org, string Csr, string? Comments, string? ExternalRequester, IReadOnlyList<string>? Sans, DcvMode? Dcv);

    private static SslEnrollRequest With(Func<Spec, Spec> change)
    {
        var s = change(new Spec(1, "MIIB", null, null, null, null));
        return new SslEnrollRequest
        {
            OrganizationId = s.Org,
            ProfileId = 2,
            Term = 365,
            Csr = s.Csr,
            Comments = s.Comments,
            ExternalRequester = s.ExternalRequester,
            SubjectAlternativeNames = s.Sans,
            DcvMode = s.Dcv,
        };
    }
}
