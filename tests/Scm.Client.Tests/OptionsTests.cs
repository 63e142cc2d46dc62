using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scm.Client.Tests;

public sealed class OptionsTests
{
    private static ScmClientOptions Valid() => new() { Login = "a", Password = "p", CustomerUri = "c" };

    private static OptionsValidationException Invalid(Action<ScmClientOptions> change)
    {
        var o = Valid();
        change(o);
        return Assert.Throws<OptionsValidationException>(() => new ScmClient(o));
    }

    [Fact]
    public void Constructor_HttpBaseAddressOnRemoteHost_FailsNamingBaseAddress()
    {
        var ex = Invalid(o => o.BaseAddress = new Uri("http://cert-manager.com/api"));

        Assert.Contains("ScmClientOptions.BaseAddress must use https", ex.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/api")]
    [InlineData("http://localhost:5000/api")]
    [InlineData("http://[::1]:5000/api")]
    public void Constructor_HttpLoopback_Accepted(string uri)
    {
        var o = Valid();
        o.BaseAddress = new Uri(uri);

        using var client = new ScmClient(o);

        Assert.NotNull(client.Ssl);
    }

    [Fact]
    public void Constructor_PasswordModeWithoutCredentials_NamesEveryMissingOption()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new ScmClient(new ScmClientOptions()));

        Assert.Contains("ScmClientOptions.Login is required", ex.Message);
        Assert.Contains("ScmClientOptions.Password is required", ex.Message);
        Assert.Contains("ScmClientOptions.CustomerUri is required", ex.Message);
    }

    [Fact]
    public void Constructor_OAuthWithoutSecret_NamesClientSecret()
    {
        var ex = Invalid(o =>
        {
            o.AuthenticationMode = ScmAuthenticationMode.OAuth2ClientCredentials;
            o.ClientId = "id";
        });

        Assert.Contains("ScmClientOptions.ClientSecret is required", ex.Message);
        Assert.DoesNotContain("ScmClientOptions.Password", ex.Message);
    }

    [Fact]
    public void Constructor_ClientCertificateModeWithoutCertificate_NamesOption()
    {
        var ex = Invalid(o => o.AuthenticationMode = ScmAuthenticationMode.ClientCertificate);

        Assert.Contains("ScmClientOptions.ClientCertificate or ClientCertificatePath is required", ex.Message);
    }

    [Fact]
    public void Constructor_ClientCertificateModeWithPublicBase_NamesBaseAddress()
    {
        var ex = Invalid(o =>
        {
            o.AuthenticationMode = ScmAuthenticationMode.ClientCertificate;
            o.ClientCertificatePath = "/nonexistent.pfx";
            o.BaseAddress = new Uri("https://hard.cert-manager.com/api");
        });

        Assert.Contains("ScmClientOptions.BaseAddress must contain '/private/'", ex.Message);
        Assert.Contains("ScmClientOptions.ClientCertificatePath does not name an existing file", ex.Message);
    }

    [Theory]
    [InlineData("AttemptTimeout")]
    [InlineData("TotalRequestTimeout")]
    [InlineData("PostTimeout")]
    public void Constructor_NonPositiveTimeout_NamesOption(string name)
    {
        var ex = Invalid(o => typeof(ScmClientOptions).GetProperty(name)!.SetValue(o, TimeSpan.Zero));

        Assert.Contains("ScmClientOptions." + name + " must be greater than zero", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(201)]
    public void Constructor_PageSizeOutOfRange_NamesPageSize(int size)
    {
        var ex = Invalid(o => o.PageSize = size);

        Assert.Contains("ScmClientOptions.PageSize must be 1..200", ex.Message);
    }

    [Fact]
    public void Constructor_UnknownSslApiVersion_NamesOption() =>
        Assert.Contains("SslApiVersion", Invalid(o => o.SslApiVersion = "v3").Message);

    [Fact]
    public void Constructor_ValidationMessage_NeverContainsPassword()
    {
        var ex = Invalid(o =>
        {
            o.Password = "canary-opt-secret";
            o.BaseAddress = new Uri("http://example.com/api");
        });

        Assert.DoesNotContain("canary-opt-secret", ex.Message);
    }

    [Fact]
    public void AddScmClient_InvalidOptions_ResolvingClientThrowsNamingOption()
    {
        var services = new ServiceCollection();
        services.AddScmClient(o => o.Login = "a");
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<ScmClient>());

        Assert.Contains("ScmClientOptions.Password is required", ex.Message);
    }

    [Fact]
    public void AddScmClient_Configuration_BindsOptions()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scm:BaseAddress"] = "https://hard.cert-manager.com/api",
            ["Scm:Login"] = "admin",
            ["Scm:Password"] = "pw",
            ["Scm:CustomerUri"] = "acme",
            ["Scm:PageSize"] = "50",
            ["Scm:AttemptTimeout"] = "00:00:10",
            ["Scm:SslApiVersion"] = "v2",
        }).Build();
        var services = new ServiceCollection();
        services.AddScmClient(config.GetSection("Scm"));
        using var sp = services.BuildServiceProvider();

        var o = sp.GetRequiredService<IOptions<ScmClientOptions>>().Value;

        Assert.Equal(new Uri("https://hard.cert-manager.com/api"), o.BaseAddress);
        Assert.Equal("admin", o.Login);
        Assert.Equal(50, o.PageSize);
        Assert.Equal(TimeSpan.FromSeconds(10), o.AttemptTimeout);
        Assert.Equal("v2", o.SslApiVersion);
        Assert.NotNull(sp.GetRequiredService<ScmClient>());
    }

    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var o = new ScmClientOptions();

        Assert.Equal(new Uri("https://cert-manager.com/api"), o.BaseAddress);
        Assert.Equal(new Uri("https://auth.sso.sectigo.com/auth/realms/apiclients/protocol/openid-connect/token"), o.TokenEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(30), o.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), o.TotalRequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), o.PostTimeout);
        Assert.Equal(3, o.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromHours(1), o.MaxRetryAfter);
        Assert.Equal(1024 * 1024, o.MaxJsonResponseBytes);
        Assert.Equal(256 * 1024, o.MaxCollectResponseBytes);
        Assert.Equal(200, o.PageSize);
        Assert.Equal("v1", o.SslApiVersion);
    }

    [Theory]
    [InlineData(ScmAuthenticationMode.Password, "https://cert-manager.com/api")]
    [InlineData(ScmAuthenticationMode.OAuth2ClientCredentials, "https://admin.enterprise.sectigo.com/api")]
    [InlineData(ScmAuthenticationMode.ClientCertificate, "https://cert-manager.com/private/api")]
    public void EffectiveBaseAddress_DefaultBase_DependsOnMode(ScmAuthenticationMode mode, string expected)
    {
        var o = new ScmClientOptions { AuthenticationMode = mode };

        Assert.Equal(new Uri(expected), o.EffectiveBaseAddress);
    }

    [Fact]
    public async Task Constructor_NonDi_WorksAndOptionsAreCopied()
    {
        using var server = Infrastructure.ScmServer.Start();
        server.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/api/admin/v1/password").UsingGet())
            .RespondWith(Infrastructure.Responses.Json("""{"state":"ALIVE"}"""));
        var o = Valid();
        o.BaseAddress = server.BaseAddress;
        using var client = new ScmClient(o);
        o.Password = "changed-later";

        var status = await client.Admin.GetPasswordStatusAsync();

        Assert.Equal(AdminPasswordState.Alive, status.State);
        Assert.Equal("p", Infrastructure.ScmServer.Header(server.Single(), "password"));
    }
}
