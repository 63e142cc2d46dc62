using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Samples.Web.Tests;

/// <summary>
/// One dashboard and one browser for the whole browser-test collection: the app built by
/// <see cref="DashboardApp.Build"/> with <c>--simulator</c>, listening on a free port of 127.0.0.1, with a known
/// administrator (the hash computed here with ASP.NET Core Identity's hasher), and Debian's chromium launched headless
/// through Playwright. Each test gets a browser context of its own (fresh cookies) from <see cref="RunAsync"/>.
/// Without chromium nothing starts and every test skips (fails in CI) with the reason.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string AdminUserName = "web-admin";

    /// <summary>What any Playwright action or assertion may wait for; a whole test is bounded by its [Fact] timeout.</summary>
    public static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(15);

    private static readonly string[] BrowserArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private string? _unavailable;
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The administrator's password: random per run, known only to the tests (the app holds its hash).</summary>
    public string AdminPassword { get; } = "Pw-" + Guid.NewGuid().ToString("N");

    /// <summary>The dashboard's address, e.g. <c>http://127.0.0.1:40123</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The simulator the app started and registered in its services (its clock, approvals and ground truth).</summary>
    public ScmSimulator Simulator { get; private set; } = null!;

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The dashboard is not running.");

    /// <summary>The repository's root (the folder with Scm.Sdk.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Where the tests leave screenshots: TestResults/screenshots under the repository root.</summary>
    public static string ScreenshotFolder => Path.Combine(RepositoryRoot, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = ChromiumTestBrowser.Find(out var reason);
        if (chromium is null)
        {
            _unavailable = reason;
            return;
        }

        Assertions.SetDefaultExpectTimeout((float)ActionTimeout.TotalMilliseconds);
        try
        {
            await StartAsync(chromium);
        }
        catch (Exception)
        {
            // Leave nothing running behind a fixture that failed to start.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(string chromium)
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var hash = new PasswordHasher<string>().HashPassword(AdminUserName, AdminPassword);
        _app = DashboardApp.Build(
            ["--simulator"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Dashboard:Administrator:UserName"] = AdminUserName,
                    ["Dashboard:Administrator:PasswordHash"] = hash,

                    // SCM accepts an order at once and issues it only when a test says so (ScmSimulator.IssueNow), so
                    // a test sees the order waiting, then issued, whatever the machine's pace.
                    ["Dashboard:SimulatorApplyDelay"] = "00:00:00",
                    ["Dashboard:SimulatorIssueDelay"] = "30.00:00:00",
                    ["Logging:LogLevel:Default"] = "Warning",
                });
                builder.WebHost.UseUrls("http://127.0.0.1:0");
            });
        await _app.StartAsync(startup.Token);
        BaseUrl = _app.Urls.Single(u => u.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)).TrimEnd('/');
        Simulator = _app.Services.GetRequiredService<ScmSimulator>();
        AddSecret(AdminPassword);
        AddSecret(Simulator.Credentials.Password);
        AddSecret(Simulator.Credentials.ClientSecret);

        // Playwright's driver (Node.js and its scripts) comes with the NuGet package, copied beside the tests.
        _playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            // Playwright gives every launch a fresh temporary profile (user-data dir) and removes it on close.
            ExecutablePath = chromium,
            Headless = true,
            Args = BrowserArgs,
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(stopping.Token);
            await _app.DisposeAsync();
        }
    }

    /// <summary>A value that must never appear in any page the tests load (passwords, keystore passwords).</summary>
    public void AddSecret(string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            _secrets[secret] = secret;
        }
    }

    /// <summary>
    /// Runs one test's browser work in a fresh context (own cookies) with bounded timeouts. Every HTML document the
    /// browser loads is kept and, at the end, searched for the secrets of <see cref="AddSecret"/>. On failure a
    /// screenshot and the page's HTML are saved under TestResults/screenshots.
    /// </summary>
    public async Task RunAsync(string testName, Func<IPage, Task> test, bool signIn = true)
    {
        if (_browser is null)
        {
            throw ChromiumTestBrowser.Unavailable(_unavailable ?? "the browser did not start");
        }

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout((float)ActionTimeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)ActionTimeout.TotalMilliseconds * 2);
        var page = await context.NewPageAsync();
        var documents = new ConcurrentQueue<(string Url, Task<string> Body)>();
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType == "document" && response.Status is >= 200 and < 300)
            {
                documents.Enqueue((response.Url, BodyOrEmptyAsync(response)));
            }
        };

        ExceptionDispatchInfo? failure = null;
        try
        {
            if (signIn)
            {
                await SignInAsync(page, AdminUserName, AdminPassword);
            }

            await test(page);
            Assert.False(documents.IsEmpty, "No HTML page was loaded, so none could be searched for secrets.");
            var searched = 0;
            foreach (var (url, body) in documents)
            {
                var html = await body.WaitAsync(ActionTimeout);
                searched += html.Length > 0 ? 1 : 0;
                foreach (var secret in _secrets.Keys)
                {
                    Assert.False(html.Contains(secret, StringComparison.Ordinal), $"A secret appears in the HTML of {url}.");
                }

                Assert.DoesNotMatch(new Regex("-----BEGIN [A-Z ]*PRIVATE KEY-----"), html);
            }

            Assert.True(searched > 0, "No page's HTML could be read, so none was searched for secrets.");
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }

        if (failure is not null)
        {
            await SaveFailureEvidenceAsync(page, testName);
            failure.Throw();
        }
    }

    /// <summary>Signs in through the login form and waits until the app has left /login.</summary>
    public static async Task SignInAsync(IPage page, string userName, string password)
    {
        await page.GotoAsync("/login");
        await page.Locator("#UserName").FillAsync(userName);
        await page.Locator("#Password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/login"));
        await Assertions.Expect(page.Locator("#sign-out")).ToBeVisibleAsync();
    }

    private static async Task<string> BodyOrEmptyAsync(IResponse response)
    {
        try
        {
            return await response.TextAsync();
        }
        catch (PlaywrightException)
        {
            // A document replaced before its body was read (a redirect, or a navigation away) has none to show.
            return string.Empty;
        }
    }

    private static async Task SaveFailureEvidenceAsync(IPage page, string testName)
    {
        try
        {
            Directory.CreateDirectory(ScreenshotFolder);
            var stem = Path.Combine(ScreenshotFolder, "failed-" + testName);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = stem + ".png", FullPage = true, Timeout = 10_000 });
            await File.WriteAllTextAsync(stem + ".html", await page.ContentAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or IOException)
        {
            // Evidence is best effort: the test's own failure is what is reported.
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scm.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Scm.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The browser tests share one dashboard and one browser, one test at a time (so [Fact] timeouts apply).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
