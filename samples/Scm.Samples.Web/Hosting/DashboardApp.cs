using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scm.Lifecycle;
using Scm.Samples.Web.Hosting;
using Scm.Samples.Web.Security;
using Scm.Samples.Web.Work;

namespace Scm.Samples.Web;

/// <summary>
/// The dashboard's host: Razor Pages over the SDK's engine (<c>AddSectigoCertificateManagement</c>, SQLite store, the
/// in-process scheduler, keys protected with the app's Data Protection key ring), cookie sign-in with a configured
/// administrator or OpenID Connect, and the security headers. <c>Program.cs</c> runs what <see cref="Build"/> returns.
/// </summary>
public static class DashboardApp
{
    /// <summary>The user name of the generated administrator in simulator mode.</summary>
    public const string SimulatorAdministrator = "admin";

    /// <summary>The authentication scheme of OpenID Connect sign-in (when configured).</summary>
    public const string OpenIdConnectScheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>
    /// Builds the app. <paramref name="configure"/> runs after the app's own registrations and before the settings under
    /// <c>Dashboard</c> are read and the app is built (tests add configuration, <c>UseUrls("http://127.0.0.1:0")</c>, a clock).
    /// </summary>
    /// <param name="args">Command-line arguments; <c>--simulator</c> runs against an in-process SCM simulator.</param>
    /// <param name="configure">Changes to the builder.</param>
    /// <returns>The app, not started.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var simulatorFlag = args.Contains("--simulator", StringComparer.Ordinal);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args.Where(a => a != "--simulator").ToArray(),
            ApplicationName = typeof(DashboardApp).Assembly.GetName().Name,
        });
        if (simulatorFlag)
        {
            builder.Configuration.AddInMemoryCollection([new("Dashboard:Simulator", "true")]);
        }

        var services = builder.Services;
        services.AddRazorPages(o =>
        {
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Error");
        }).AddCookieTempDataProvider(o =>
        {
            // Flash messages only (never a secret), in a cookie protected by Data Protection.
            o.Cookie.Name = "scm-dashboard-flash";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        services.AddHttpContextAccessor();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "scm-dashboard-antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__RequestVerificationToken";
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/login";
                o.Cookie.Name = "scm-dashboard";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WorkTracker>();
        services.AddSingleton<ILifecycleActorAccessor, DashboardActor>();
        services.AddSingleton<AccountLinks>();
        services.AddSingleton<EngineAccountOptions>();
        services.AddSingleton<AccountCheckResults>();
        services.AddSingleton<AccountStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountStartup>());
        services.AddSingleton(sp => sp.GetRequiredService<AccountStartup>().Simulator
            ?? throw new InvalidOperationException("The SCM simulator runs only in simulator mode (--simulator or Dashboard:Simulator=true), once the app has started."));

        // The engine, embedded as a product embeds it: no account at start (the Account page links one at run time
        // through IScmAccountRegistry), the in-process scheduler, private keys protected with the app's Data Protection
        // key ring (the same ring as the sign-in cookies and the account's stored secrets).
        var engine = services.AddSectigoCertificateManagement(o => o.DefaultAccount = false)
            .UseDataProtectionKeyProtection();

        configure?.Invoke(builder);

        // Settings are read after configure: tests and hosts add configuration there.
        var settings = DashboardSettings.Read(builder.Configuration);
        var temporary = settings.Simulator && string.IsNullOrWhiteSpace(settings.DataDirectory);
        var paths = new DashboardPaths(
            temporary ? Path.Combine(Path.GetTempPath(), "scm-dashboard-" + Guid.NewGuid().ToString("N")[..12]) : settings.DataDirectory ?? DashboardSettings.DefaultDataDirectory(),
            temporary);
        Directory.CreateDirectory(paths.DataDirectory);
        services.AddSingleton(settings);
        services.AddSingleton(paths);
        engine.UseSqliteStorage(paths.Database)
            .AddFileSystemDeployment(o => o.Directory = paths.Deployments);
        services.AddDataProtection()
            .SetApplicationName("Scm.Samples.Web")
            .PersistKeysToFileSystem(new DirectoryInfo(paths.KeyRing));

        var administrator = settings.Administrator;
        if (!administrator.IsConfigured && settings.Simulator)
        {
            // Simulator mode without a configured administrator: a one-time password, printed once, only its hash kept.
            var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
            administrator = new AdministratorSettings { UserName = SimulatorAdministrator, PasswordHash = AdministratorSignIn.HashPassword(password) };
            services.AddSingleton(new OneTimeLogin(SimulatorAdministrator, password));
        }

        if (!administrator.IsConfigured && !settings.OpenIdConnect.IsConfigured)
        {
            throw new InvalidOperationException(
                "Nobody could sign in: set Dashboard:Administrator:UserName and Dashboard:Administrator:PasswordHash " +
                "(hash a password with `dotnet run --project samples/Scm.Samples.Web -- hash-password`), or " +
                "Dashboard:OpenIdConnect:Authority and ClientId, or run with --simulator.");
        }

        services.AddSingleton(administrator);
        services.AddSingleton<AdministratorSignIn>();
        if (settings.OpenIdConnect.IsConfigured)
        {
            AddOpenIdConnect(builder, settings.OpenIdConnect);
        }

        var app = builder.Build();
        Configure(app, paths);
        return app;
    }

    /// <summary>Prints the one-time administrator login of simulator mode, once (no-op otherwise).</summary>
    public static void PrintOneTimeLogin(WebApplication app, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(output);
        if (app.Services.GetService<OneTimeLogin>() is { } login && login.TakePassword() is { } password)
        {
            var address = app.Urls.FirstOrDefault() ?? "the address above";
            output.WriteLine();
            output.WriteLine($"  SCM dashboard (simulator mode): {address}");
            output.WriteLine($"  One-time login: user name '{login.UserName}', password '{password}'");
            output.WriteLine("  (shown once; only its hash is kept; it is gone when the app stops)");
            output.WriteLine();
        }
    }

    private static void AddOpenIdConnect(WebApplicationBuilder builder, OpenIdConnectSettings oidc)
    {
        builder.Services.AddAuthentication().AddOpenIdConnect(OpenIdConnectScheme, oidc.DisplayName, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = oidc.ClientSecret;
            o.ResponseType = "code";
            o.UsePkce = true;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = true;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
            o.RequireHttpsMetadata = !oidc.Authority!.StartsWith("http://localhost", StringComparison.OrdinalIgnoreCase)
                && !oidc.Authority.StartsWith("http://127.0.0.1", StringComparison.Ordinal);
        });
    }

    private static void Configure(WebApplication app, DashboardPaths paths)
    {
        app.UseDashboardSecurityHeaders();
        app.UseExceptionHandler("/error");
        app.UseStatusCodePagesWithReExecute("/error", "?status={0}");
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        MapAsset(app, "/css/site.css", "assets/site.css", "text/css; charset=utf-8");
        MapAsset(app, "/js/work.js", "assets/work.js", "text/javascript; charset=utf-8");
        app.MapGet("/work/{id:guid}", Results<Ok<WorkSnapshot>, NotFound> (Guid id, WorkTracker work) =>
            work.Get(id) is { } item ? TypedResults.Ok(item.Read().Snapshot) : TypedResults.NotFound());
        app.MapGet("/work/{id:guid}/events", Results<ServerSentEventsResult<WorkSnapshot>, NotFound> (Guid id, WorkTracker work, CancellationToken cancellationToken) =>
            work.Get(id) is { } item ? TypedResults.ServerSentEvents(item.WatchAsync(cancellationToken), eventType: "progress") : TypedResults.NotFound());
        app.MapRazorPages();

        if (paths.Temporary)
        {
            app.Lifetime.ApplicationStopped.Register(() =>
            {
                try
                {
                    Directory.Delete(paths.DataDirectory, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Best effort: a temporary folder.
                }
            });
        }
    }

    private static void MapAsset(WebApplication app, string route, string resource, string contentType)
    {
        var content = ReadResource(resource);
        app.MapGet(route, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(content, contentType);
        }).AllowAnonymous();
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
