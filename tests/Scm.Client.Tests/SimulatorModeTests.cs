using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Scm.Testing;

namespace Scm.Client.Tests;

/// <summary>
/// The client against the simulator in each vendor API mode: every enumerated value the client can send is accepted by a
/// simulator of the same version (the two keep independent tables), a client of the other version is refused the way
/// SCM refuses it, and the new operations work end to end.
/// </summary>
public sealed class SimulatorModeTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);

    private sealed class Session : IAsyncDisposable
    {
        public required ScmSimulator Sim { get; init; }

        public required FakeTimeProvider Clock { get; init; }

        public required ScmClient Client { get; init; }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Sim.DisposeAsync();
        }
    }

    private static async Task<Session> StartAsync(ScmApiVersion client, ScmSimulatorApiVersion? simulator = null, Action<ScmSimulatorOptions>? configure = null, Action<ScmClientOptions>? configureClient = null)
    {
        var clock = new FakeTimeProvider(Start);
        var options = new ScmSimulatorOptions
        {
            Seed = 1414,
            Log = null,
            TimeProvider = clock,
            ApiVersion = simulator ?? (client == ScmApiVersion.Admin25_9 ? ScmSimulatorApiVersion.Admin25_9 : ScmSimulatorApiVersion.Rest25_5),
        };
        configure?.Invoke(options);
        var sim = await ScmSimulator.StartAsync(options);
        var clientOptions = new ScmClientOptions
        {
            BaseAddress = sim.BaseAddress,
            Login = sim.Credentials.Login,
            Password = sim.Credentials.Password,
            CustomerUri = sim.Credentials.CustomerUri,
            ApiVersion = client,
            MaxRetryAttempts = 0,
        };
        configureClient?.Invoke(clientOptions);
        return new Session { Sim = sim, Clock = clock, Client = new ScmClient(clientOptions) };
    }

    private static string Csr(string commonName, ECDsa key) => new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

    private static async Task<long> EnrollAsync(Session s, string commonName, int organizationId = 2001, int profileId = 101)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await s.Client.Ssl.EnrollAsync(new SslEnrollRequest
        {
            OrganizationId = organizationId,
            ProfileId = profileId,
            Term = 365,
            Csr = Csr(commonName, key),
            CustomFields = [new CustomFieldValue("Cost Center", "CC-1")],
        });
        return result.SslId;
    }

    private static IEnumerable<T> Known<T>()
        => typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(T))
            .Select(p => (T)p.GetValue(null)!);

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task EveryEnumeratedFilterValue_SameVersionSimulator_Accepts(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);
        var sent = 0;

        foreach (var status in Known<SslCertificateStatus>().Where(v => !(version == ScmApiVersion.Admin25_9 && v == SslCertificateStatus.Unmanaged)))
        {
            await s.Client.Ssl.ListPageAsync(new SslListFilter { Status = status }, 0, 10);
            sent++;
        }

        foreach (var install in Known<SslInstallStatus>())
        {
            await s.Client.Ssl.CountAsync(new SslListFilter { InstallStatus = install });
            sent++;
        }

        foreach (var renewal in Known<AutoRenewState>())
        {
            await s.Client.Ssl.ListPageAsync(new SslListFilter { RenewalStatus = renewal }, 0, 10);
            sent++;
        }

        foreach (var via in Known<RequestedVia>())
        {
            await s.Client.Ssl.ListPageAsync(new SslListFilter { RequestedVia = via }, 0, 10);
            sent++;
        }

        foreach (var discovery in new[] { "NotDeployed", "Deployed" })
        {
            await s.Client.Ssl.ListPageAsync(new SslListFilter { DiscoveryStatus = discovery }, 0, 10);
            sent++;
        }

        foreach (var state in Known<DomainStateFilter>())
        {
            foreach (var delegation in Known<DomainDelegationFilter>())
            {
                await s.Client.Domains.ListPageAsync(new DomainListFilter { State = state, DelegationStatus = delegation }, 0, 10);
                sent++;
            }
        }

        foreach (var role in Known<OrganizationRole>())
        {
            Assert.NotEmpty(await s.Client.Organizations.ListManagedByAsync(role));
            sent++;
        }

        Assert.Equal(version == ScmApiVersion.Admin25_9 ? 12 + 12 + 5 + 13 + 2 + 4 + 9 : 13 + 12 + 5 + 13 + 2 + 4 + 9, sent);
        Assert.All(s.Sim.GetRequestLog(), r => Assert.Equal(200, r.StatusCode));
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5, ScmSimulatorApiVersion.Admin25_9)]
    [InlineData(ScmApiVersion.Admin25_9, ScmSimulatorApiVersion.Rest25_5)]
    public async Task ClientOfTheOtherVersion_IsRefusedAsScmRefusesIt(ScmApiVersion client, ScmSimulatorApiVersion simulator)
    {
        await using var s = await StartAsync(client, simulator);

        var filter = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Ssl.ListPageAsync(new SslListFilter { InstallStatus = SslInstallStatus.KeyReady }, 0, 10));
        var path = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Organizations.ListManagedByAsync(OrganizationRole.RaoSsl));
        var verb = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Ssl.GetKeystoreLinkAsync(1000, SslKeystoreFormat.Pkcs12));

        Assert.Equal((400, -1601), (filter.Status, filter.ScmErrorCode));
        Assert.Equal(404, path.Status);
        Assert.Equal(405, verb.Status);
    }

    [Fact]
    public async Task DomainStateFilter_AgainstTheSimulator_SelectsActiveAndInactive()
    {
        await using var s = await StartAsync(ScmApiVersion.Rest25_5);

        var active = await s.Client.Domains.ListAsync(new DomainListFilter { State = DomainStateFilter.Active }).Select(d => d.Name).ToListAsync();
        var inactive = await s.Client.Domains.ListAsync(new DomainListFilter { State = DomainStateFilter.Inactive }).Select(d => d.Name).ToListAsync();
        var requested = await s.Client.Domains.ListAsync(new DomainListFilter { DelegationStatus = DomainDelegationFilter.Requested }).Select(d => d.Name).ToListAsync();

        Assert.Equal(6, active.Count);
        Assert.Equal(["suspended.example"], inactive);
        Assert.Equal(["requested.example"], requested);
    }

    [Fact]
    public async Task Paging_SimulatorCapsPagesBelowTheClientsSize_EveryRowIsListed()
    {
        await using var s = await StartAsync(ScmApiVersion.Rest25_5, configure: o => o.MaxPageSize = 3);
        var ids = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await EnrollAsync(s, $"page{i}.acme.example"));
        }

        var listed = await s.Client.Ssl.ListAsync(new SslListFilter { CommonName = "acme.example" }).Select(r => r.SslId).ToListAsync();
        var domains = await s.Client.Domains.ListAsync().CountAsync();

        Assert.Equal(ids.Order(), listed.Order());
        Assert.Equal(7, domains);
        Assert.Equal(3 + 3, s.Sim.GetRequestLog().Count(r => r.Method == "GET" && (r.Path == "/api/ssl/v1" || r.Path == "/api/domain/v1")));
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task Revoke_InEachVersion_Revokes(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);
        var id = await EnrollAsync(s, "revoke.acme.example");
        s.Clock.Advance(TimeSpan.FromSeconds(10));

        await s.Client.Ssl.RevokeAsync(id, RevocationReason.Superseded, "replaced by a new key");

        Assert.Equal(SslCertificateStatus.Revoked, (await s.Client.Ssl.GetAsync(id)).Status);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task Report_InEachVersion_ReturnsTheMatchingRows_AndAFailedReportIsAnError(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);
        var issued = await EnrollAsync(s, "report1.acme.example");
        s.Clock.Advance(TimeSpan.FromSeconds(10));
        var pending = await EnrollAsync(s, "report2.acme.example");

        var issuedRows = await s.Client.Reports.GetSslCertificatesAsync(new SslReportRequest
        {
            CertificateStatus = SslReportCertificateStatus.Issued,
            DateAttribute = SslReportDateAttribute.Request,
            From = new DateOnly(2025, 6, 1),
            To = new DateOnly(2025, 6, 2),
            RequestSource = SslReportRequestSource.WebApi,
        });
        var requested = await s.Client.Reports.GetSslCertificatesAsync(new SslReportRequest { CertificateStatus = SslReportCertificateStatus.Requested, OrganizationIds = [2001] });
        s.Sim.Faults.Add(ScmFault.On("POST", "/report/v1/ssl-certificates").ReportFailure(-3, "Report is too large").Once());
        var failed = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Reports.GetSslCertificatesAsync(new SslReportRequest()));

        Assert.Equal([issued], issuedRows.Select(r => r.Id));
        Assert.Equal([pending], requested.Select(r => r.Id));
        Assert.Equal(-3, failed.ScmErrorCode);
        Assert.Contains("Report is too large", failed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task KeystoreLink_InEachVersion_DownloadsTheKeyScmGenerated(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);
        var enrolled = await s.Client.Ssl.EnrollWithKeyGenerationAsync(new SslKeyGenerationEnrollRequest
        {
            OrganizationId = 2001,
            ProfileId = 101,
            Term = 365,
            CommonName = "agent.acme.example",
            Algorithm = "EC",
            KeyParameter = "P-256",
            KeyGenerationMethod = KeyGenerationMethod.PrivateKeyAgent,
            PassPhrase = "enroll-pass-1",
            CustomFields = [new CustomFieldValue("Cost Center", "CC-1")],
        });
        s.Clock.Advance(TimeSpan.FromSeconds(10));

        var passphrase = version == ScmApiVersion.Admin25_9 ? "link-pass-2" : null;
        var link = await s.Client.Ssl.GetKeystoreLinkAsync(enrolled.SslId, SslKeystoreFormat.Key, passphrase);
        using var plain = new HttpClient();
        var pem = await plain.GetStringAsync(link.Uri!);
        using var collected = await s.Client.Ssl.CollectAsync(enrolled.SslId, SslCollectFormat.X509CertificateOnly);

        using var key = ECDsa.Create();
        key.ImportFromEncryptedPem(pem, passphrase ?? "enroll-pass-1");
        Assert.Equal(collected.Leaf!.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
        Assert.DoesNotContain("token", link.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task CustomFieldsV2_InEachVersion_SaysWhichFieldsTheRestApiRequires(ScmApiVersion version)
    {
        await using var s = await StartAsync(version, configure: o =>
        {
            o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 61, Name = "Ticket", OtherMandatoryChannels = ScmSimulatorCustomFieldChannels.WebForm });
            o.Account.CustomFields.Add(new ScmSimulatorCustomField { Id = 62, Name = "Legacy Code", Mandatory = true, Active = false });
        });

        var fields = await s.Client.CustomFields.ListAsync(CustomFieldCertificateType.Ssl);
        var one = await s.Client.CustomFields.GetAsync(61);

        Assert.Equal(["Cost Center"], fields.Where(f => f.IsRequiredByRestApi).Select(f => f.Name));
        Assert.True(fields.Single(f => f.Id == 62).IsMandatoryFor(CustomFieldAccessMethod.RestApi));
        Assert.False(fields.Single(f => f.Id == 62).IsActive);
        Assert.True(one.IsMandatoryFor(CustomFieldAccessMethod.WebForm));
        Assert.False(one.IsRequiredByRestApi);
    }

    [Theory]
    [InlineData(ScmApiVersion.Rest25_5)]
    [InlineData(ScmApiVersion.Admin25_9)]
    public async Task OrganizationValidations_InEachVersion_ReadAndExplainMinus843(ScmApiVersion version)
    {
        await using var s = await StartAsync(version);
        s.Sim.SetOrganizationValidation(2001, ScmSimulatorValidationLevel.EvSsl, ScmSimulatorValidationStatus.Failed);

        var validations = await s.Client.Organizations.ListValidationsAsync(2101);
        var refused = await Assert.ThrowsAsync<ScmRequestException>(() => EnrollAsync(s, "ev.acme.example", profileId: 103));

        Assert.True(validations.Single(v => v.IsSslOrganizationValidation).IsValidated);
        var ev = validations.Single(v => v.IsSslExtendedValidation);
        Assert.Equal(OrganizationValidationStatus.Failed, ev.Status);
        Assert.Equal(version == ScmApiVersion.Rest25_5, ev.Level is not null);
        Assert.Equal(version == ScmApiVersion.Admin25_9, ev.Type is not null);
        Assert.Equal(-843, refused.ScmErrorCode);
        Assert.Contains("FAILED", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_AgainstTheSimulator_TheClientGoesOnWithTheNewPassword()
    {
        await using var s = await StartAsync(ScmApiVersion.Rest25_5);
        var old = s.Sim.Credentials.Password;

        var refused = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Admin.ChangePasswordAsync("nouppercase-1"));
        await s.Client.Admin.ChangePasswordAsync("Rotated-Pw-0042");
        var state = await s.Client.Admin.GetPasswordStatusAsync();

        Assert.Equal(-7306, refused.ScmErrorCode);
        Assert.Equal("Rotated-Pw-0042", s.Sim.Credentials.Password);
        Assert.NotEqual(old, s.Sim.Credentials.Password);
        Assert.Equal(AdminPasswordState.NeverExpire, state.State);
        Assert.DoesNotContain("Rotated-Pw-0042", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorDetailsAndItems_FromTheSimulator_ReachTheException()
    {
        await using var s = await StartAsync(ScmApiVersion.Admin25_9);
        s.Sim.Faults.Add(ScmFault.On("GET", "/ssl/*/types").ScmError(-1601, "Field 'organizationId' has invalid value", "Validation failed", ["organizationId: must be at least 1"]).Once());

        var ex = await Assert.ThrowsAsync<ScmRequestException>(() => s.Client.Ssl.ListProfilesAsync(7));

        Assert.Equal("Validation failed", ex.Details);
        Assert.Equal(["organizationId: must be at least 1"], ex.Items);
    }
}
