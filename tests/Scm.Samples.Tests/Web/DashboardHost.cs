using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scm.Lifecycle;
using Scm.Samples.Web;
using Scm.Samples.Web.Security;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Samples.Tests.Web;

/// <summary>
/// The web dashboard started in-process in simulator mode (the simulator issuing at once, the account's scheduler off)
/// on 127.0.0.1 with a random port, a configured administrator, and every log line captured (for the secret canaries).
/// </summary>
public sealed partial class DashboardHost : IAsyncLifetime
{
    public const string UserName = "alice";
    public const string Password = "correct horse battery staple 7";

    private WebApplication? _app;

    public ConcurrentQueue<string> Logs { get; } = new();

    public Uri Address { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public ScmSimulator Simulator => Services.GetRequiredService<ScmSimulator>();

    public ICertificateLifecycle Engine => Services.GetRequiredService<ICertificateLifecycleProvider>().Get("default");

    public async Task InitializeAsync()
    {
        _app = DashboardApp.Build(["--simulator"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dashboard:Administrator:UserName"] = UserName,
                ["Dashboard:Administrator:PasswordHash"] = AdministratorSignIn.HashPassword(Password),
                ["Dashboard:SimulatorApplyDelay"] = "00:00:00",
                ["Dashboard:SimulatorIssueDelay"] = "00:00:00",

                // The tests move orders on themselves (Check status): no scheduled SCM calls between their steps.
                ["Sectigo:Scheduling:Enabled"] = "false",
            });
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(new CapturingLoggerProvider(Logs));
        });
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Address = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await _app.DisposeAsync();
        }
    }

    /// <summary>A browser of its own: cookies, no automatic redirects.</summary>
    public DashboardClient NewClient() => new(Address);
}

/// <summary>An HTTP client that behaves like a browser session: cookies, forms with their antiforgery token.</summary>
public sealed partial class DashboardClient : IDisposable
{
    private readonly HttpClient _http;

    public DashboardClient(Uri address)
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>Every page body this client received (for the secret canaries).</summary>
    public List<string> Pages { get; } = [];

    public async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path)
    {
        var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Pages.Add(body);
        return (response, body);
    }

    /// <summary>Posts a form the way the page would: with the antiforgery token of <paramref name="formPage"/>.</summary>
    public async Task<(HttpResponseMessage Response, string Body)> PostFormAsync(string formPage, string action, IEnumerable<KeyValuePair<string, string>> fields, bool withToken = true)
    {
        var values = fields.ToList();
        if (withToken)
        {
            var (_, page) = await GetAsync(formPage);
            values.Add(new("__RequestVerificationToken", Token(page)));
        }

        var response = await _http.PostAsync(action, new FormUrlEncodedContent(values));
        var body = await response.Content.ReadAsStringAsync();
        Pages.Add(body);
        return (response, body);
    }

    public async Task SignInAsync(string userName = DashboardHost.UserName, string password = DashboardHost.Password)
    {
        var (response, _) = await PostFormAsync("/login", "/login", [new("UserName", userName), new("Password", password)]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public static string Token(string page)
    {
        var match = TokenPattern().Match(page);
        Assert.True(match.Success, "The page has no antiforgery token.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
