using System.Text.Json;
using Scm.Client.Internal;

namespace Scm.Client.Tests;

public sealed class ValueTypeTests
{
    [Theory]
    [InlineData("issued")]
    [InlineData("ISSUED")]
    [InlineData("Issued")]
    public void SslCertificateStatus_CaseVariants_EqualKnownValue(string wire) =>
        Assert.Equal(SslCertificateStatus.Issued, new SslCertificateStatus(wire));

    [Fact]
    public void SslCertificateStatus_SpacedAndCompactSpellings_AreEqualWithSameHash()
    {
        var spaced = new SslCertificateStatus("SA Approved");

        Assert.True(spaced == SslCertificateStatus.SAApproved);
        Assert.Equal(SslCertificateStatus.SAApproved.GetHashCode(), spaced.GetHashCode());
    }

    [Fact]
    public void SslCertificateStatus_Helpers_ClassifyStatuses()
    {
        Assert.True(SslCertificateStatus.Applied.IsPendingIssuance);
        Assert.False(SslCertificateStatus.Issued.IsPendingIssuance);
        Assert.True(SslCertificateStatus.Rejected.IsTerminalFailure);
        Assert.True(SslCertificateStatus.Declined.IsTerminalFailure);
        Assert.False(SslCertificateStatus.Revoked.IsTerminalFailure);
        Assert.True(SslCertificateStatus.Requested.IsAwaitingApproval);
    }

    [Fact]
    public void UnknownValue_RoundTripsThroughJson()
    {
        var value = JsonSerializer.Deserialize("\"Brand New\"", ScmJsonContext.Default.Options.GetTypeInfo(typeof(SslCertificateStatus)));

        var status = Assert.IsType<SslCertificateStatus>(value);
        Assert.Equal("Brand New", status.ToString());
        Assert.False(status.IsPendingIssuance);
    }

    [Fact]
    public void DomainValidationStatus_DisplayForm_EqualsUpperSnake() =>
        Assert.Equal(DomainValidationStatus.NotValidated, new DomainValidationStatus("Not validated"));

    [Fact]
    public void Default_ValueIsEmptyAndNotEqualToKnown()
    {
        SslCertificateStatus d = default;

        Assert.Equal(string.Empty, d.Value);
        Assert.NotEqual(SslCertificateStatus.Issued, d);
    }

    [Fact]
    public void SslCollectFormat_KnownAndUnknown_AreClassified()
    {
        Assert.True(new SslCollectFormat("X509co").IsKnown);
        Assert.Equal(SslCollectFormat.X509CertificateOnly, new SslCollectFormat("X509co"));
        Assert.False(new SslCollectFormat("zip").IsKnown);
        Assert.True(SslCollectFormat.Binary.IsPkcs7);
        Assert.False(default(SslCollectFormat).IsKnown);
    }

    [Fact]
    public void ScmErrorCodes_NotReadyFamily_IsExactlyTheDocumentedCodes()
    {
        int[] notReady = [0, -183, -1400, -109, -103];

        Assert.All(notReady, c => Assert.True(ScmErrorCodes.IsNotReady(c)));
        Assert.False(ScmErrorCodes.IsNotReady(-110));
        Assert.False(ScmErrorCodes.IsNotReady(-16));
        Assert.Equal(-16, ScmErrorCodes.UnknownUser);
        Assert.Equal(-183, ScmErrorCodes.NotCollectable);
        Assert.Equal(-1400, ScmErrorCodes.BeingProcessed);
    }
}
