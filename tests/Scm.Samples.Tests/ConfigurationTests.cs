using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary>A real account is configured by appsettings.json, environment variables or user secrets, in any auth mode.</summary>
public sealed class ConfigurationTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-cli-config-" + Guid.NewGuid().ToString("N"));
    private ScmSimulator _simulator = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions { Log = null });
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task NoConfiguration_ExitsTwo_OneLineNamingTheSettings()
    {
        var result = await CliRun.RunAsync(["--store", Store(), "account", "check"], CliRun.Isolated());
        Assert.Equal(2, result.ExitCode);
        var line = result.ErrorLine;
        Assert.Contains("Sectigo:Client:Login", line, StringComparison.Ordinal);
        Assert.Contains("Sectigo__Client__Login", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordMode_FromAppSettingsInWorkingFolder_AccountReady()
    {
        var c = _simulator.Credentials;
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), $$"""
            {
              // comments are allowed
              "Sectigo": { "Client": { "BaseAddress": "{{_simulator.BaseAddress}}", "Login": "{{c.Login}}", "Password": "{{c.Password}}", "CustomerUri": "{{c.CustomerUri}}" } },
              "Cli": { "Store": "{{Store().Replace("\\", "/", StringComparison.Ordinal)}}" }
            }
            """);
        var environment = CliRun.Isolated() with { WorkingDirectory = _folder };
        var result = await CliRun.RunAsync(["account", "check"], environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Account ready", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(c.Password, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OAuth2Mode_FromEnvironmentVariables_SyncWorks()
    {
        var c = _simulator.Credentials;
        var variables = new Dictionary<string, string>
        {
            ["Sectigo__Client__AuthenticationMode"] = "OAuth2ClientCredentials",
            ["Sectigo__Client__BaseAddress"] = _simulator.BaseAddress.ToString(),
            ["Sectigo__Client__TokenEndpoint"] = _simulator.TokenEndpoint.ToString(),
            ["Sectigo__Client__ClientId"] = c.ClientId,
            ["Sectigo__Client__ClientSecret"] = c.ClientSecret,
        };
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            // The only test that reads environment variables, so setting them here is safe.
            var environment = CliRun.Isolated() with { ReadEnvironmentVariables = true };
            var result = await CliRun.RunAsync(["--store", Store(), "sync"], environment);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Catalog synced", result.Output, StringComparison.Ordinal);
            Assert.Contains("OAuth2ClientCredentials", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(c.ClientSecret, result.All, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public async Task WrongPassword_AccountCheckExitsOne_SyncShowsScmCode_PasswordNeverPrinted()
    {
        const string Wrong = "wrong-password-canary-51d2";
        var c = _simulator.Credentials;
        var configuration = new Dictionary<string, string?>
        {
            ["Sectigo:Client:BaseAddress"] = _simulator.BaseAddress.ToString(),
            ["Sectigo:Client:Login"] = c.Login,
            ["Sectigo:Client:Password"] = Wrong,
            ["Sectigo:Client:CustomerUri"] = c.CustomerUri,
        };
        var store = Store();
        var check = await CliRun.RunAsync(["--store", store, "account", "check"], CliRun.Isolated(configuration));
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("not ready", check.ErrorLine, StringComparison.Ordinal);

        var sync = await CliRun.RunAsync(["--store", store, "--verbose", "sync"], CliRun.Isolated(configuration));
        Assert.Equal(1, sync.ExitCode);
        Assert.Contains("SCM error -16", sync.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", sync.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, check.All + sync.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCertificateMode_AgainstHttpsSimulator_WithTrustedCaFile_AccountReady()
    {
        await using var https = await ScmSimulator.StartAsync(new ScmSimulatorOptions { UseHttps = true, Log = null });
        const string PfxPassword = "client-cert-canary-93ab";
        using var clientCertificate = https.CreateClientCertificate();
        var pfx = Path.Combine(_folder, "admin.p12");
        await File.WriteAllBytesAsync(pfx, clientCertificate.ExportPkcs12(System.Security.Cryptography.X509Certificates.Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, PfxPassword));
        var ca = Path.Combine(_folder, "test-root.pem");
        // A CA bundle: the simulator's HTTPS endpoint sends only its leaf, so the bundle carries the issuing intermediate too.
        await File.WriteAllTextAsync(ca, https.RootCertificate.ExportCertificatePem() + "\n" + https.IntermediateCertificate.ExportCertificatePem());
        var configuration = new Dictionary<string, string?>
        {
            ["Sectigo:Client:AuthenticationMode"] = "ClientCertificate",
            ["Sectigo:Client:BaseAddress"] = https.PrivateBaseAddress.ToString(),
            ["Sectigo:Client:Login"] = https.Credentials.Login,
            ["Sectigo:Client:CustomerUri"] = https.Credentials.CustomerUri,
            ["Sectigo:Client:ClientCertificatePath"] = pfx,
            ["Sectigo:Client:ClientCertificatePassword"] = PfxPassword,
            ["Cli:TrustedCaFile"] = ca,
        };
        var result = await CliRun.RunAsync(["--store", Store(), "--verbose", "account", "check"], CliRun.Isolated(configuration));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Account ready", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(PfxPassword, result.All, StringComparison.Ordinal);

        // Without the extra trust anchor the simulator's test CA is not trusted: one line, exit 1.
        // (The client retries the failed handshake with backoff; no retries keeps the test fast.)
        configuration.Remove("Cli:TrustedCaFile");
        configuration["Sectigo:Client:MaxRetryAttempts"] = "0";
        var untrusted = await CliRun.RunAsync(["--store", Store(), "sync"], CliRun.Isolated(configuration));
        Assert.Equal(1, untrusted.ExitCode);
        Assert.Contains("TLS", untrusted.ErrorLine, StringComparison.Ordinal);
    }

    private string Store() => Path.Combine(_folder, Guid.NewGuid().ToString("N"), "scm.db");
}
