using System.Text.Json;
using Scm.Client.Internal;

namespace Scm.Client.Tests;

public sealed class FixtureTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    [Fact]
    public void SslDetails_DocumentedShapes_DeserializeTolerantly()
    {
        var d = JsonSerializer.Deserialize(Fixture("ssl-details.json"), ScmJsonContext.Default.SslCertificateDetails)!;

        Assert.Equal(2147483700L, d.SslId);
        Assert.Equal(SslCertificateStatus.SAApproved, d.Status);
        Assert.True(d.Status.IsAwaitingApproval);
        Assert.Equal("SA Approved", d.Status.Value);
        Assert.Equal(7344326L, d.OrderNumber);
        Assert.Equal("7344326", d.BackendCertId);
        Assert.Equal(new DateOnly(2025, 5, 21), d.RequestedOn);
        Assert.Equal(new DateOnly(2025, 5, 21), d.ApprovedOn);
        Assert.Equal(new DateOnly(2025, 5, 22), d.IssuedOn);
        Assert.Equal(new DateOnly(2026, 2, 16), d.ExpiresOn);
        Assert.Null(d.RevokedOn);
        Assert.Equal(4, d.RevocationReasonCode);
        Assert.False(d.Renewed);
        Assert.Equal("Carrier Pigeon", d.RequestedVia!.Value.Value);
        Assert.NotEqual(RequestedVia.WebApi, d.RequestedVia);
        Assert.Equal("Quantum Scheduled", d.AutoRenewDetails!.State!.Value.Value);
        Assert.Equal(443, d.AutoInstallDetails!.Nodes![0].Port);
        Assert.Equal(SslInstallStatus.NotConfigured, d.AutoInstallDetails.State);
        Assert.Equal([365, 730], d.Profile!.Terms);
        Assert.Equal(["P-256", "P-384"], d.Profile.KeyTypes["EC"]);
        Assert.Equal("dNSName=ccmqa.com, dNSName=www.ccmqa.com", d.CertificateDetails!.SubjectAltNames);
        Assert.Null(d.CertificateDetails.Sha256Hash);
        Assert.Equal("2026-01-01", d.CustomFields![0].Value);
    }

    [Fact]
    public void SslDetails_MinimalPendingRecord_AbsentFieldsAreNull()
    {
        var d = JsonSerializer.Deserialize(Fixture("ssl-details-minimal.json"), ScmJsonContext.Default.SslCertificateDetails)!;

        Assert.Equal(55, d.SslId);
        Assert.True(d.Status.IsPendingIssuance);
        Assert.Null(d.ExpiresOn);
        Assert.Null(d.SerialNumber);
        Assert.Null(d.SubjectAlternativeNames);
        Assert.Null(d.Profile);
        Assert.Equal(0, d.KeySize);
    }

    [Fact]
    public void SslList_Rows_DeserializeWithLargeIdsAndMissingFields()
    {
        var rows = JsonSerializer.Deserialize(Fixture("ssl-list.json"), ScmJsonContext.Default.IReadOnlyListSslCertificateSummary)!;

        Assert.Equal(3, rows.Count);
        Assert.Equal(3000000059L, rows[1].SslId);
        Assert.Null(rows[0].SubjectAlternativeNames);
        Assert.Equal("", rows[2].SerialNumber);
    }

    [Fact]
    public void SslTypes_OldAndNewShapes_Deserialize()
    {
        var types = JsonSerializer.Deserialize(Fixture("ssl-types.json"), ScmJsonContext.Default.IReadOnlyListSslCertificateProfile)!;

        Assert.Equal([365], types[0].Terms);
        Assert.Empty(types[0].KeyTypes);
        Assert.Null(types[0].Description);
        Assert.Equal(["2048", "4096"], types[1].KeyTypes["RSA"]);
        Assert.True(types[2].UseSecondaryOrgName);
    }

    [Fact]
    public void DomainDetails_DisplayFormValidationStatus_EqualsWireForm()
    {
        var d = JsonSerializer.Deserialize(Fixture("domain-details.json"), ScmJsonContext.Default.DomainDetails)!;

        Assert.Equal(DomainValidationStatus.NotValidated, d.ValidationStatus);
        Assert.Equal(DomainDelegationStatus.Active, d.DelegationStatus);
        Assert.Equal(DomainState.Active, d.State);
        Assert.Equal(DomainValidationMethod.Email, d.ValidationMethod);
        Assert.Equal(new DateOnly(2026, 5, 21), d.DcvExpiresOn);
        Assert.Equal(2645, d.Delegations![0].OrganizationId);
        Assert.True(d.CtLogMonitoring!.Enabled);
    }

    [Fact]
    public void Organizations_WithDepartments_Deserialize()
    {
        var orgs = JsonSerializer.Deserialize(Fixture("organizations.json"), ScmJsonContext.Default.IReadOnlyListOrganization)!;

        Assert.Equal(2646, orgs[0].Departments![0].Id);
        Assert.Equal(["SMIME", "SSL"], orgs[0].CertificateTypes);
        Assert.Empty(orgs[1].Departments!);
    }

    [Fact]
    public void AdminPassword_NeverExpire_Deserializes()
    {
        var p = JsonSerializer.Deserialize(Fixture("admin-password.json"), ScmJsonContext.Default.AdminPasswordStatus)!;

        Assert.Equal(AdminPasswordState.NeverExpire, p.State);
    }

    [Theory]
    [InlineData("\"05/21/2025\"", 2025, 5, 21)]
    [InlineData("\"5/1/2025\"", 2025, 5, 1)]
    [InlineData("\"2025-05-21\"", 2025, 5, 21)]
    [InlineData("\"2025-05-21T23:59:59.000Z\"", 2025, 5, 21)]
    [InlineData("\"21.05.2025\"", 2025, 5, 21)]
    public void DateConverter_DocumentedFormats_Parse(string json, int y, int m, int d)
    {
        var details = JsonSerializer.Deserialize("{\"sslId\":1,\"expires\":" + json + "}", ScmJsonContext.Default.SslCertificateDetails)!;

        Assert.Equal(new DateOnly(y, m, d), details.ExpiresOn);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"not a date\"")]
    [InlineData("null")]
    [InlineData("12345")]
    public void DateConverter_EmptyOrGarbage_IsNullNotAnError(string json)
    {
        var details = JsonSerializer.Deserialize("{\"sslId\":1,\"expires\":" + json + "}", ScmJsonContext.Default.SslCertificateDetails)!;

        Assert.Null(details.ExpiresOn);
    }
}
