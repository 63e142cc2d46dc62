using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Scm.Lifecycle;
using Scm.Samples.Web.Security;
using Scm.Storage;

namespace Scm.Samples.Tests.Web;

/// <summary>
/// The web dashboard sample in-process against its simulator (no browser): sign-in, antiforgery, redirects, the
/// engine's validation on the order form, no secret in any page or log, the signed-in user as the audit actor, live
/// progress over server-sent events.
/// </summary>
public sealed partial class DashboardTests : IClassFixture<DashboardHost>
{
    private readonly DashboardHost _host;

    public DashboardTests(DashboardHost host) => _host = host;

    [Fact]
    public async Task Login_WrongPassword_RefusedAndNotSignedIn()
    {
        using var client = _host.NewClient();
        var (response, body) = await client.PostFormAsync("/login", "/login", [new("UserName", DashboardHost.UserName), new("Password", "wrong password 42")]);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("data-testid=\"login-error\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong password 42", body, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("scm-dashboard=", StringComparison.Ordinal)));

        var (after, _) = await client.GetAsync("/certificates");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/login?ReturnUrl=", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain(_host.Logs, l => l.Contains("wrong password 42", StringComparison.Ordinal));

        // The right password still works (one failure is far from the lockout).
        await client.SignInAsync();
        var (signedIn, page) = await client.GetAsync("/certificates");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains($"data-testid=\"signed-in-user\">{DashboardHost.UserName}<", page, StringComparison.Ordinal);
    }

    [Fact]
    public void SignInThrottle_FiveFailuresLockTheUserNameOut_EvenForTheRightPassword()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
        var administrator = new Scm.Samples.Web.Hosting.AdministratorSettings { UserName = "root", PasswordHash = AdministratorSignIn.HashPassword("a good long password") };
        var signIn = new AdministratorSignIn(administrator, new Scm.Samples.Web.Hosting.DashboardSettings(), time);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(SignInOutcome.Refused, signIn.Check("root", "guess " + i, "10.0.0." + i));
        }

        Assert.Equal(SignInOutcome.LockedOut, signIn.Check("root", "a good long password", "10.0.0.9"));
        Assert.Equal(SignInOutcome.Refused, signIn.Check("someone", "a good long password", "10.0.0.9"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SignInOutcome.Accepted, signIn.Check("root", "a good long password", "10.0.0.9"));
    }

    [Fact]
    public async Task Unauthenticated_PagesRedirectToLogin_WorkEndpointsAnswer401()
    {
        using var client = _host.NewClient();
        foreach (var path in new[] { "/", "/certificates", "/orders", "/orders/new", "/catalog?tab=domains", "/account", "/auto-renewal", $"/certificates/{Guid.NewGuid()}" })
        {
            var (response, _) = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var location = response.Headers.Location!.OriginalString;
            Assert.Contains("/login?ReturnUrl=", location, StringComparison.Ordinal);
            Assert.Contains(Uri.EscapeDataString(path.Split('?')[0]), location, StringComparison.Ordinal);
        }

        // The progress endpoints are API endpoints: no redirect, a plain 401.
        foreach (var path in new[] { $"/work/{Guid.NewGuid()}", $"/work/{Guid.NewGuid()}/events" })
        {
            var (response, _) = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var (login, body) = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("id=\"sign-in\"", body, StringComparison.Ordinal);
        var csp = Assert.Single(login.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(login.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_Answered400_AndNothingDone()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        var catalog = await _host.Engine.GetCatalogAsync();
        var enrolls = _host.Simulator.Counters.EnrollPosts;
        var (sync, syncBody) = await client.PostFormAsync("/catalog", "/catalog?handler=Sync", [], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, sync.StatusCode);
        Assert.Contains("data-testid=\"error-page\"", syncBody, StringComparison.Ordinal);
        var (order, _) = await client.PostFormAsync("/orders/new", "/orders/new", OrderFields("no-token"), withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, order.StatusCode);
        var (logout, _) = await client.PostFormAsync("/certificates", "/logout", [], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);

        Assert.Equal(catalog?.SyncedAt, (await _host.Engine.GetCatalogAsync())?.SyncedAt);
        Assert.Equal(enrolls, _host.Simulator.Counters.EnrollPosts);
        Assert.DoesNotContain(await OrdersAsync(), o => o.Request.CommonName == "no-token.acme.example");

        // Still signed in: the refused sign-out did nothing.
        var (page, _) = await client.GetAsync("/certificates");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task OrderForm_InvalidFields_EngineMessagesShownPerField_NothingSentToScm()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        await SyncAsync(client);
        var enrolls = _host.Simulator.Counters.EnrollPosts;
        var fields = OrderFields("bad name!").Where(f => f.Key != "Form.TermDays").Append(new("Form.TermDays", "999")).ToList();
        var (response, body) = await client.PostFormAsync("/orders/new", "/orders/new", fields);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Matches(FieldError("CommonName", "is not a valid DNS name"), body);
        Assert.Matches(FieldError("TermDays", "Term 999 is not offered by profile 102"), body);
        Assert.Equal(enrolls, _host.Simulator.Counters.EnrollPosts);
        Assert.DoesNotContain(await OrdersAsync(), o => o.Request.CommonName.StartsWith("bad", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LinkOrderDownload_NoSecretInAnyPageOrLogOrFile()
    {
        const string KeystorePassword = "Keystore-canary-8f3a91";
        const string DownloadPassword = "Download-canary-27c4e0";
        using var client = _host.NewClient();
        await client.SignInAsync();

        // Link the account again through the form (the simulator's own credentials: its password is the canary here).
        var credentials = _host.Simulator.Credentials;
        var (link, linkBody) = await client.PostFormAsync("/account", "/account?handler=Link",
        [
            new("Form.Mode", "Password"), new("Form.BaseAddress", _host.Simulator.BaseAddress.ToString()), new("Form.CustomerUri", credentials.CustomerUri),
            new("Form.Login", credentials.Login), new("Form.Password", credentials.Password),
        ]);
        Assert.True(link.StatusCode == HttpStatusCode.Redirect, linkBody);
        var (check, _) = await client.PostFormAsync("/account", "/account?handler=Check", []);
        Assert.Equal(HttpStatusCode.Redirect, check.StatusCode);
        var (account, accountBody) = await client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Contains("data-testid=\"password-set\">set<", accountBody, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"account-ready\">Ready to order<", accountBody, StringComparison.Ordinal);

        await SyncAsync(client);
        var certificate = await OrderAndCollectAsync(client, "canary", KeystorePassword);

        // The keystore download is encrypted with the password typed at download time, not the stored one.
        var (download, _) = await client.PostFormAsync($"/certificates/{certificate.Id}", $"/certificates/{certificate.Id}?handler=Download", [new("keystorePassword", DownloadPassword)]);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/x-pkcs12", download.Content.Headers.ContentType!.MediaType);
        var pfx = await download.Content.ReadAsByteArrayAsync();
        using (var withKey = X509CertificateLoader.LoadPkcs12(pfx, DownloadPassword, X509KeyStorageFlags.EphemeralKeySet))
        {
            Assert.True(withKey.HasPrivateKey);
            Assert.Equal(certificate.Thumbprint, withKey.GetCertHashString(HashAlgorithmName.SHA256));
        }

        Assert.ThrowsAny<CryptographicException>(() => X509CertificateLoader.LoadPkcs12(pfx, KeystorePassword, X509KeyStorageFlags.EphemeralKeySet));

        foreach (var path in new[]
        {
            "/account", "/catalog", "/catalog?tab=domains", "/catalog?tab=profiles", "/orders", "/orders/new", "/certificates",
            $"/certificates/{certificate.Id}", "/auto-renewal",
        })
        {
            var (page, _) = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var (_, inventory) = await client.GetAsync("/certificates?q=canary");
        Assert.Matches(new Regex($"<svg data-testid=\"expiry-timeline\"[^>]*>.*data-certificate-id=\"{certificate.Id}\".*</svg>", RegexOptions.Singleline), inventory);
        Assert.Contains($"<tr data-certificate-id=\"{certificate.Id}\">", inventory, StringComparison.Ordinal);

        string[] secrets = [credentials.Password, KeystorePassword, DownloadPassword, DashboardHost.Password];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(client.Pages, p => p.Contains(secret, StringComparison.Ordinal));
            var leaks = _host.Logs.Where(l => l.Contains(secret, StringComparison.Ordinal)).Select(l => l.Replace(secret, "<secret>", StringComparison.Ordinal)).ToList();
            Assert.True(leaks.Count == 0, "Log lines with a secret:\n" + string.Join("\n", leaks));
        }

        // The saved link holds the password protected, never in clear.
        var paths = (Scm.Samples.Web.Hosting.DashboardPaths)_host.Services.GetService(typeof(Scm.Samples.Web.Hosting.DashboardPaths))!;
        var saved = await File.ReadAllTextAsync(Path.Combine(paths.DataDirectory, "account-link.json"));
        Assert.DoesNotContain(credentials.Password, saved, StringComparison.Ordinal);
        Assert.Contains("ProtectedPassword", saved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renew_FromTheDashboard_AuditActorIsTheSignedInUser()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        await SyncAsync(client);
        var certificate = await OrderAndCollectAsync(client, "renewme", keystorePassword: null);

        var (renew, _) = await client.PostFormAsync($"/certificates/{certificate.Id}", $"/certificates/{certificate.Id}?handler=Renew", []);
        Assert.Equal(HttpStatusCode.Redirect, renew.StatusCode);
        var audit = await _host.Engine.QueryAuditAsync(new AuditQuery { CertificateId = certificate.Id });
        var requested = Assert.Single(audit, a => a.Action == "Renew" && a.Decision == "Requested");
        Assert.Equal(DashboardHost.UserName, requested.Actor);
        Assert.Equal(DashboardHost.UserName, Assert.Single(audit, a => a.Action == "Order" && a.Decision == "Requested").Actor);

        var (_, page) = await client.GetAsync($"/certificates/{certificate.Id}");
        Assert.Matches(new Regex($"<tr data-audit-action=\"Renew\"[^>]*>\\s*<td>[^<]*</td>\\s*<td data-testid=\"audit-actor\">{DashboardHost.UserName}</td>"), page);
    }

    [Fact]
    public async Task Import_ProgressOverServerSentEvents_EndsCompleted_AsTheUser()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        var (start, _) = await client.PostFormAsync("/orders", "/orders?handler=Import", []);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        var workId = WorkId().Match(location).Groups[1].Value;
        Assert.True(Guid.TryParse(workId, out _), location);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/work/{workId}/events");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var stream = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var events = stream.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement).ToList();
        Assert.Contains("event: progress", stream, StringComparison.Ordinal);
        var last = events[^1];
        Assert.Equal("Completed", last.GetProperty("state").GetString());
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("import", last.GetProperty("kind").GetString());

        var (page, body) = await client.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-testid=\"import-status\" data-work-state>Completed<", body, StringComparison.Ordinal);
        var (json, jsonBody) = await client.GetAsync($"/work/{workId}");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("Completed", JsonDocument.Parse(jsonBody).RootElement.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("Pem")]
    [InlineData("Jks")]
    public async Task DownloadKeystore_PemAndJks_EncryptedWithTheTypedPassword(string keystoreType)
    {
        const string DownloadPassword = "typed-at-download-5521";
        using var client = _host.NewClient();
        await client.SignInAsync();
        await SyncAsync(client);
        var certificate = await OrderAndCollectAsync(client, "store-" + keystoreType.ToLowerInvariant(), "ordered-with-this-77", keystoreType);
        Assert.Equal(Enum.Parse<KeystoreType>(keystoreType), certificate.KeystoreType);

        var (refused, _) = await client.PostFormAsync($"/certificates/{certificate.Id}", $"/certificates/{certificate.Id}?handler=Download", [new("keystorePassword", "short")]);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var (_, refusal) = await client.GetAsync($"/certificates/{certificate.Id}");
        Assert.Contains("KeystorePassword must be at least 12 characters; got 5.", refusal, StringComparison.Ordinal);

        var (download, _) = await client.PostFormAsync($"/certificates/{certificate.Id}", $"/certificates/{certificate.Id}?handler=Download", [new("keystorePassword", DownloadPassword)]);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var content = await download.Content.ReadAsByteArrayAsync();
        if (keystoreType == "Pem")
        {
            var text = System.Text.Encoding.ASCII.GetString(content);
            using var leaf = X509Certificate2.CreateFromPem(text);
            Assert.Equal(certificate.Thumbprint, leaf.GetCertHashString(HashAlgorithmName.SHA256));
            using var key = ECDsa.Create();
            var keyPem = text[text.IndexOf("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal)..];
            Assert.ThrowsAny<CryptographicException>(() => key.ImportFromEncryptedPem(keyPem, "ordered-with-this-77"));
            key.ImportFromEncryptedPem(keyPem, DownloadPassword);
            using var withKey = leaf.CopyWithPrivateKey(key);
            Assert.True(withKey.HasPrivateKey);
        }
        else
        {
            var store = new Org.BouncyCastle.Security.JksStore();
            Assert.ThrowsAny<Exception>(() => store.Load(new MemoryStream(content), "ordered-with-this-77".ToCharArray()));
            store = new Org.BouncyCastle.Security.JksStore();
            store.Load(new MemoryStream(content), DownloadPassword.ToCharArray());
            var alias = Assert.Single(store.Aliases);
            Assert.True(store.IsKeyEntry(alias));
            Assert.NotNull(store.GetKey(alias, DownloadPassword.ToCharArray()));
            var chain = store.GetCertificateChain(alias);
            using var leaf = X509CertificateLoader.LoadCertificate(chain[0].GetEncoded());
            Assert.Equal(certificate.Thumbprint, leaf.GetCertHashString(HashAlgorithmName.SHA256));
        }
    }

    [Fact]
    public async Task ReissueRevokeDelete_ThroughTheForms_AsTheUser()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        await SyncAsync(client);
        var original = await OrderAndCollectAsync(client, "lifecycle", keystorePassword: null);
        var self = $"/certificates/{original.Id}";

        var (reissue, _) = await client.PostFormAsync(self, self + "?handler=Reissue",
            [new("Reissue.Reason", "key rotation"), new("Reissue.KeyAlgorithm", "EC"), new("Reissue.KeySize", "P-384")]);
        Assert.Equal(HttpStatusCode.Redirect, reissue.StatusCode);
        var (_, page) = await client.GetAsync(self);
        Assert.Contains("data-testid=\"flash\"", page, StringComparison.Ordinal);
        Assert.Contains("Reissue: Submitted.", page, StringComparison.Ordinal);
        var open = OpenOrder().Match(page);
        Assert.True(open.Success, "The page shows no order in flight.");
        var reissueOrder = Guid.Parse(open.Groups[1].Value);
        var (check, _) = await client.PostFormAsync($"/orders/{reissueOrder}", "/orders?handler=CheckStatus", [new("orderId", reissueOrder.ToString()), new("returnTo", "order")]);
        Assert.Equal($"/orders/{reissueOrder}", check.Headers.Location!.OriginalString);
        var replaced = (await _host.Engine.GetCertificateAsync(original.Id))!;
        Assert.Equal(CertificateStatus.Superseded, replaced.Status);
        var reissued = (await _host.Engine.GetCertificateAsync(replaced.ReplacedById!.Value))!;
        Assert.Equal("P-384", reissued.Curve);

        var (revoke, _) = await client.PostFormAsync($"/certificates/{reissued.Id}", $"/certificates/{reissued.Id}?handler=Revoke",
            [new("revokeReason", "4"), new("revokeComments", "the host is retired")]);
        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        var (_, revokedPage) = await client.GetAsync($"/certificates/{reissued.Id}");
        Assert.Contains("data-testid=\"certificate-status\">Revoked<", revokedPage, StringComparison.Ordinal);
        Assert.Equal("Revoked", _host.Simulator.GetOrder(reissued.SslId!.Value)!.Status);

        // A refused revocation (reason code 2 is not allowed) is a message, and SCM is not asked.
        var (refused, _) = await client.PostFormAsync($"/certificates/{original.Id}", $"/certificates/{original.Id}?handler=Revoke", [new("revokeReason", "2"), new("revokeComments", "x")]);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var (_, refusal) = await client.GetAsync($"/certificates/{original.Id}");
        Assert.Contains("data-testid=\"error\"", refusal, StringComparison.Ordinal);

        var (delete, _) = await client.PostFormAsync($"/certificates/{reissued.Id}", $"/certificates/{reissued.Id}?handler=Delete", []);
        Assert.Equal("/certificates", delete.Headers.Location!.OriginalString);
        Assert.Null(await _host.Engine.GetCertificateAsync(reissued.Id));
        var (gone, _) = await client.GetAsync($"/certificates/{reissued.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var audit = await _host.Engine.QueryAuditAsync(new AuditQuery { CertificateId = reissued.Id });
        Assert.Equal(DashboardHost.UserName, Assert.Single(audit, a => a.Action == "Revoke").Actor);
        Assert.Equal(DashboardHost.UserName, Assert.Single(audit, a => a.Action == "Delete").Actor);
    }

    [Fact]
    public async Task CancelAndDeleteOrder_AwaitingApproval_ThroughTheOrdersPage()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        await SyncAsync(client);
        var fields = OrderFields("approval-" + Guid.NewGuid().ToString("N")[..6])
            .Where(f => f.Key is not ("Form.ProfileId" or "Form.KeyAlgorithm" or "Form.KeySize"))
            .Concat([new("Form.ProfileId", "103"), new("Form.KeyAlgorithm", "RSA"), new("Form.KeySize", "2048")]);
        var (placed, body) = await client.PostFormAsync("/orders/new", "/orders/new", fields);
        Assert.True(placed.StatusCode == HttpStatusCode.Redirect, body);
        var orderId = Guid.Parse(placed.Headers.Location!.OriginalString["/orders/".Length..]);
        await client.PostFormAsync("/orders", "/orders?handler=CheckStatus", [new("orderId", orderId.ToString())]);
        var (_, orders) = await client.GetAsync("/orders");
        Assert.Matches(new Regex($"<tr data-order-id=\"{orderId}\" data-order-state=\"AwaitingApproval\">"), orders);

        var (cancel, _) = await client.PostFormAsync("/orders", "/orders?handler=Cancel", [new("orderId", orderId.ToString())]);
        Assert.Equal("/orders", cancel.Headers.Location!.OriginalString);
        var cancelled = (await _host.Engine.GetOrderAsync(orderId))!;
        Assert.Equal(OrderState.Cancelled, cancelled.State);
        Assert.Equal("Declined", _host.Simulator.GetOrder(cancelled.SslId!.Value)!.Status);
        var (_, past) = await client.GetAsync("/orders");
        Assert.Matches(new Regex($"<table data-testid=\"past-orders\">.*<tr data-order-id=\"{orderId}\" data-order-state=\"Cancelled\">", RegexOptions.Singleline), past);

        var (delete, _) = await client.PostFormAsync("/orders", "/orders?handler=Delete", [new("orderId", orderId.ToString())]);
        Assert.Equal(HttpStatusCode.Redirect, delete.StatusCode);
        Assert.Null(await _host.Engine.GetOrderAsync(orderId));
        var audit = await _host.Engine.QueryAuditAsync(new AuditQuery { CertificateId = cancelled.CertificateId });
        Assert.Equal(DashboardHost.UserName, Assert.Single(audit, a => a.Action == "Cancel").Actor);
    }

    [Fact]
    public async Task AutoRenewal_SavePolicyAndRunNow_CoveredListedAndAuditedAsTheUser()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        await SyncAsync(client);
        var certificate = await OrderAndCollectAsync(client, "auto", keystorePassword: null);

        var (save, _) = await client.PostFormAsync("/auto-renewal", "/auto-renewal?handler=Save",
            [new("enabled", "true"), new("renewBeforeDays", "30"), new("selection", "All")]);
        Assert.Equal(HttpStatusCode.Redirect, save.StatusCode);
        var (_, page) = await client.GetAsync("/auto-renewal");
        Assert.Matches(new Regex($"<table data-testid=\"covered\">.*<tr data-certificate-id=\"{certificate.Id}\">", RegexOptions.Singleline), page);
        Assert.Matches(new Regex($"<tr data-audit-action=\"AutoRenew\"[^>]*>\\s*<td>[^<]*</td>\\s*<td data-testid=\"audit-actor\">{DashboardHost.UserName}</td>"), page);

        var (run, _) = await client.PostFormAsync("/auto-renewal", "/auto-renewal?handler=Run", []);
        var workId = WorkId().Match(run.Headers.Location!.OriginalString).Groups[1].Value;
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/work/{workId}/events"));
        var stream = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var last = JsonDocument.Parse(stream.Split('\n').Last(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..]).RootElement;
        Assert.Equal("Completed", last.GetProperty("state").GetString());
        Assert.Contains("not yet due", last.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Opting the certificate out takes it off the covered list.
        var (optOut, _) = await client.PostFormAsync($"/certificates/{certificate.Id}", $"/certificates/{certificate.Id}?handler=AutoRenew", [new("mode", "Disabled")]);
        Assert.Equal(HttpStatusCode.Redirect, optOut.StatusCode);
        var (_, after) = await client.GetAsync("/auto-renewal");
        Assert.DoesNotMatch(new Regex($"<tr data-certificate-id=\"{certificate.Id}\">"), after);
        Assert.Equal(AutoRenewMode.Disabled, (await _host.Engine.GetCertificateAsync(certificate.Id))!.AutoRenew);

        await client.PostFormAsync("/auto-renewal", "/auto-renewal?handler=Save", [new("renewBeforeDays", "30"), new("selection", "All")]);
        Assert.False((await _host.Engine.GetAutoRenewalPolicyAsync()).Enabled);
    }

    [Fact]
    public async Task Account_InvalidLink_EngineOptionMessagesPerField_LinkUnchanged()
    {
        using var client = _host.NewClient();
        await client.SignInAsync();
        var before = File.ReadAllText(LinkFile());
        var (response, body) = await client.PostFormAsync("/account", "/account?handler=Link",
            [new("Form.Mode", "OAuth2"), new("Form.BaseAddress", "http://scm.example.com/api"), new("Form.ClientSecret", "oauth-canary-51d2")]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Matches(FieldError("ClientId", "ClientId"), body);
        Assert.Matches(FieldError("BaseAddress", "https"), body);
        Assert.DoesNotContain("oauth-canary-51d2", body, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(LinkFile()));
        var (_, account) = await client.GetAsync("/account");
        Assert.Contains("data-testid=\"account-mode\">Password<", account, StringComparison.Ordinal);
        Assert.DoesNotContain(_host.Logs, l => l.Contains("oauth-canary-51d2", StringComparison.Ordinal));
    }

    private string LinkFile() => Path.Combine(((Scm.Samples.Web.Hosting.DashboardPaths)_host.Services.GetService(typeof(Scm.Samples.Web.Hosting.DashboardPaths))!).DataDirectory, "account-link.json");

    private static List<KeyValuePair<string, string>> OrderFields(string host, string? keystorePassword = null, string keystoreType = "Pkcs12")
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Form.CommonName", $"{host}.acme.example"),
            new("Form.SubjectAlternativeNames", $"{host}.acme.example\n{host}-alt.acme.example"),
            new("Form.OrganizationId", "2001"),
            new("Form.ProfileId", "102"),
            new("Form.TermDays", "365"),
            new("Form.KeyAlgorithm", "EC"),
            new("Form.KeySize", "P-256"),
            new("Form.KeystoreType", keystoreType),
            new("Form.Comments", "ordered by the dashboard tests"),
            new("custom:Cost Center", "CC-42"),
        };
        if (keystorePassword is not null)
        {
            fields.Add(new("Form.KeystorePassword", keystorePassword));
        }

        return fields;
    }

    private static async Task SyncAsync(DashboardClient client)
    {
        var (sync, _) = await client.PostFormAsync("/catalog", "/catalog?handler=Sync", []);
        Assert.Equal(HttpStatusCode.Redirect, sync.StatusCode);
    }

    /// <summary>Orders through the form, then checks the order's status from its page until the certificate is installed (bounded).</summary>
    private async Task<ManagedCertificate> OrderAndCollectAsync(DashboardClient client, string host, string? keystorePassword, string keystoreType = "Pkcs12")
    {
        var name = $"{host}-{Guid.NewGuid().ToString("N")[..6]}";
        var (placed, body) = await client.PostFormAsync("/orders/new", "/orders/new", OrderFields(name, keystorePassword, keystoreType));
        Assert.True(placed.StatusCode == HttpStatusCode.Redirect, body);
        var orderId = Guid.Parse(placed.Headers.Location!.OriginalString["/orders/".Length..]);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var order = (await _host.Engine.GetOrderAsync(orderId))!;
            if (order.State == OrderState.Completed)
            {
                var (page, pageBody) = await client.GetAsync($"/orders/{orderId}");
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Contains($"href=\"/certificates/{order.CertificateId}\" data-testid=\"certificate-link\"", pageBody, StringComparison.Ordinal);
                return (await _host.Engine.GetCertificateAsync(order.CertificateId))!;
            }

            var (check, _) = await client.PostFormAsync($"/orders/{orderId}", "/orders?handler=CheckStatus", [new("orderId", orderId.ToString()), new("returnTo", "order")]);
            Assert.Equal(HttpStatusCode.Redirect, check.StatusCode);
        }

        throw new InvalidOperationException($"Order {orderId} was not issued after 20 status checks.");
    }

    private async Task<List<CertificateOrder>> OrdersAsync()
    {
        var orders = new List<CertificateOrder>();
        await foreach (var order in _host.Engine.ListOrdersAsync())
        {
            orders.Add(order);
        }

        return orders;
    }

    private static Regex FieldError(string field, string text) => new($"data-valmsg-for=\"{field}\">[^<]*{Regex.Escape(text)}");

    [GeneratedRegex("href=\"/orders/([0-9a-f-]{36})\" data-testid=\"open-order\"")]
    private static partial Regex OpenOrder();

    [GeneratedRegex("work=([0-9a-f-]{36})")]
    private static partial Regex WorkId();
}
