using Microsoft.Extensions.DependencyInjection;
using Scm.Client;
using Scm.Lifecycle.DomainValidation;
using Scm.Lifecycle.Validation;
using Scm.Storage;
using Scm.Testing;
using Scm.Tests.Shared;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>
/// Domain control validation kept alive over HTTP: a responder serves the validation file from a server on 127.0.0.1 that
/// the test runs, and the simulator (enforcing 10-day validations on the fake clock) really fetches it there
/// (<see cref="ScmSimulatorOptions.DcvHttpBaseAddresses"/>). The HTTPS method runs the same flow with an https:// challenge
/// URL; the simulator fetches it from the mapped address, here plain HTTP, so TLS itself is not exercised.
/// </summary>
public sealed class DcvHttpResponderTests
{
    private const string Domain = "acme.example";

    /// <summary>What the responder serves, and what the test wants to know about when it ran.</summary>
    private sealed class FileSettings
    {
        public DcvChallengeMethod Method { get; init; } = DcvChallengeMethod.Http;

        /// <summary>Serve a file whose lines are not the challenge's (a stale token): SCM's check fails.</summary>
        public bool WrongContent { get; init; }

        /// <summary>Renewal POSTs the simulator has received (read at publish and remove time).</summary>
        public Func<long> RenewPosts { get; set; } = () => 0;
    }

    /// <summary>Puts the validation file on the test's web server under the challenge's path, and takes it away again.</summary>
    private sealed class HttpFileResponder(DcvFileServer files, FileSettings settings) : IDcvResponder
    {
        public List<DcvChallenge> Published { get; } = [];

        public List<DcvChallenge> Removed { get; } = [];

        /// <summary>The server's request count when the file was published, and when it was removed (the fetch lies between).</summary>
        public List<(string Step, int Fetches, long RenewPosts)> Steps { get; } = [];

        public IReadOnlyList<DcvChallengeMethod> SupportedMethods => [settings.Method];

        public Task PublishAsync(DcvChallenge challenge, CancellationToken cancellationToken)
        {
            Published.Add(challenge);
            Steps.Add(("publish", Volatile.Read(ref files.Requests), settings.RenewPosts()));
            files.Files[challenge.FileUrl!.PathAndQuery] = settings.WrongContent ? "0123456789ABCDEF0123456789ABCDEF\nsectigo.com" : challenge.FileContent!;
            return Task.CompletedTask;
        }

        public Task RemoveAsync(DcvChallenge challenge, CancellationToken cancellationToken)
        {
            Removed.Add(challenge);
            Steps.Add(("remove", Volatile.Read(ref files.Requests), settings.RenewPosts()));
            files.Files.TryRemove(challenge.FileUrl!.PathAndQuery, out _);
            return Task.CompletedTask;
        }
    }

    private sealed record Session(EngineHarness H, DcvFileServer Files, HttpFileResponder Responder, ManagedCertificate Certificate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await H.DisposeAsync();
            await Files.DisposeAsync();
        }
    }

    /// <summary>An issued certificate for www.acme.example, whose domain then gets a fresh 10-day validation (the catalog knows it).</summary>
    private static async Task<Session> StartAsync(FileSettings settings)
    {
        var files = new DcvFileServer();
        var h = await EngineHarness.StartAsync(
            simulator: o =>
            {
                o.EnforceDcvExpiry = true;
                o.DcvValidityPeriod = TimeSpan.FromDays(10);
                o.DcvHttpBaseAddresses[Domain] = files.BaseAddress;
            },
            builder: b =>
            {
                b.Services.AddSingleton(files);
                b.Services.AddSingleton(settings);
                b.AddDcvResponder<HttpFileResponder>();
            });
        settings.RenewPosts = () => h.Simulator.Counters.RenewPosts;
        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request());
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
        h.Simulator.SetDomainValidation(Domain, ScmSimulatorDomainValidation.Validated);
        await h.Lifecycle.SyncCatalogAsync();
        var responder = (HttpFileResponder)h.Services.GetRequiredService<IDcvResponder>();
        return new Session(h, files, responder, done.InstalledCertificate!);
    }

    /// <summary>The simulator's DCV calls in order, as "start/http", "submit/http", "status".</summary>
    private static List<string> DcvCalls(EngineHarness h) => h.Simulator.GetRequestLog()
        .Where(r => r.Path.Contains("/dcv/", StringComparison.Ordinal) || r.Path.Contains("/renew", StringComparison.Ordinal))
        .Select(r => r.Path.Contains("/renew", StringComparison.Ordinal) ? "renew" : r.Path.EndsWith("/status", StringComparison.Ordinal) ? "status" : string.Join('/', r.Path.Split('/')[^3], r.Path.Split('/')[^1]))
        .ToList();

    [Theory]
    [InlineData(DcvChallengeMethod.Http)]
    [InlineData(DcvChallengeMethod.Https)]
    public async Task Renew_DcvLapsesWithinTheMargin_ResponderServesTheFile_RevalidatedThenRenewed(DcvChallengeMethod method)
    {
        await using var s = await StartAsync(new FileSettings { Method = method });
        var h = s.H;
        var word = method.ToString().ToLowerInvariant();

        // Eight days on, the 10-day validation still holds but lapses within the 3-day margin: SCM may check after it lapsed.
        h.Time.Advance(TimeSpan.FromDays(8));
        h.Simulator.ClearRequestLog();
        var result = await h.Lifecycle.RenewAsync(s.Certificate.Id);

        Assert.Equal(LifecycleOutcome.Submitted, result.Outcome);
        Assert.Equal(1, h.Simulator.Counters.RenewalOrdersFor(s.Certificate.SslId!.Value));

        // Start, publish, submit (SCM fetches the file), poll, remove; then the renewal.
        Assert.Equal(["status", "start/" + word, "submit/" + word, "status", "renew"], DcvCalls(h));
        var published = Assert.Single(s.Responder.Published);
        Assert.Equal(Domain, published.Domain);
        Assert.Equal(method, published.Method);
        Assert.Equal(method == DcvChallengeMethod.Http ? "http" : "https", published.FileUrl!.Scheme);
        Assert.Equal(Domain, published.FileUrl.Host);
        Assert.StartsWith("/.well-known/pki-validation/", published.FileUrl.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(2, published.FileContent!.Split('\n').Length);
        Assert.Equal(s.Responder.Published, s.Responder.Removed);
        Assert.Equal([("publish", 0, 0L), ("remove", 1, 0L)], s.Responder.Steps);
        Assert.Empty(s.Files.Files);

        // Audited; SCM and the catalog agree on the new validation: 10 more days from now, by this method.
        var audit = Assert.Single(await h.Lifecycle.QueryAuditAsync(new AuditQuery { Action = "Dcv" }));
        Assert.Equal("Revalidated", audit.Decision);
        Assert.Equal("Succeeded", audit.Outcome);
        Assert.Contains($"'{Domain}' renewed by {method.ToString().ToUpperInvariant()}", audit.Reason, StringComparison.Ordinal);
        var today = DateOnly.FromDateTime(h.Time.GetUtcNow().UtcDateTime);
        using var client = h.NewOtherToolClient();
        var atScm = await client.Dcv.GetStatusAsync(Domain);
        Assert.Equal(DomainValidationStatus.Validated, atScm.Status);
        Assert.Equal(today.AddDays(10), atScm.ExpiresOn);
        Assert.Equal(method == DcvChallengeMethod.Http ? DcvMode.Http : DcvMode.Https, atScm.OrderMode);
        var domain = (await h.Store.GetCatalogAsync("default"))!.Domains.Single(d => d.Name == Domain);
        Assert.Equal("VALIDATED", domain.ValidationStatus);
        Assert.Equal(today.AddDays(10), domain.DcvExpiration);
        Assert.Equal(method.ToString().ToUpperInvariant(), domain.ValidationMethod);

        // SCM checks the domain again at issuance: the renewal is issued.
        var check = await h.AdvanceAndCheckAsync(result.Order!.Id);
        Assert.Equal(OrderState.Completed, check.Order.State);
    }

    [Fact]
    public async Task Order_DcvExpired_ResponderServesTheFile_RevalidatedThenOrderSentAndIssued()
    {
        await using var s = await StartAsync(new FileSettings());
        var h = s.H;
        h.Time.Advance(TimeSpan.FromDays(11)); // the validation expired a day ago: SCM would refuse the order (-1137)
        var enrolls = h.Simulator.Counters.EnrollPosts;

        var ordered = await h.Lifecycle.OrderAsync(EngineHarness.Request("api"));

        Assert.Equal(OrderState.Submitted, ordered.State);
        Assert.Equal(enrolls + 1, h.Simulator.Counters.EnrollPosts);
        Assert.Single(s.Responder.Published);
        Assert.Equal([("publish", 0, 0L), ("remove", 1, 0L)], s.Responder.Steps);
        var audit = Assert.Single(await h.Lifecycle.QueryAuditAsync(new AuditQuery { Action = "Dcv" }));
        Assert.Equal("Revalidated", audit.Decision);
        var done = await h.AdvanceAndCheckAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, done.Order.State);
    }

    [Fact]
    public async Task Renew_FileServedWithWrongContent_RevalidationFails_NoOrderSent_AuditAndEventSayWhy()
    {
        await using var s = await StartAsync(new FileSettings { WrongContent = true });
        var h = s.H;
        h.Time.Advance(TimeSpan.FromDays(11)); // expired: an order sent now would be refused
        var enrolls = h.Simulator.Counters.EnrollPosts;

        var renewal = await h.Lifecycle.RenewAsync(s.Certificate.Id);

        Assert.Equal(LifecycleOutcome.Deferred, renewal.Outcome);
        Assert.Null(renewal.Order);
        Assert.Contains("does not match the validation details", renewal.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Simulator.Counters.RenewPosts);
        Assert.Null(await h.Store.GetOpenOrderForCertificateAsync(s.Certificate.Id));

        // SCM fetched the file once, refused it (-1603); the file was removed all the same.
        Assert.Equal([("publish", 0, 0L), ("remove", 1, 0L)], s.Responder.Steps);
        Assert.Empty(s.Files.Files);
        var dcv = Assert.Single(await h.Lifecycle.QueryAuditAsync(new AuditQuery { Action = "Dcv" }));
        Assert.Equal("RevalidationFailed", dcv.Decision);
        Assert.Equal("Failed", dcv.Outcome);
        Assert.Contains($"'{Domain}'", dcv.Reason, StringComparison.Ordinal);
        Assert.Contains("by HTTP failed", dcv.Reason, StringComparison.Ordinal);
        Assert.Contains("-1603", dcv.Reason, StringComparison.Ordinal);
        Assert.Contains("does not match the validation details", dcv.Reason, StringComparison.Ordinal);
        var deferred = Assert.Single(await h.Lifecycle.QueryAuditAsync(new AuditQuery { CertificateId = s.Certificate.Id, Action = "Renew" }), a => a.Decision == "Deferred");
        Assert.Contains("does not match the validation details", deferred.Reason, StringComparison.Ordinal);
        var expiring = Assert.Single(h.Events.OfType<DcvExpiringEvent>());
        Assert.Equal(Domain, expiring.Domain);
        Assert.Equal(s.Certificate.Id, expiring.CertificateId);
        Assert.Contains("does not match the validation details", expiring.Reason, StringComparison.Ordinal);
        using var client = h.NewOtherToolClient();
        Assert.Equal(DomainValidationStatus.Expired, (await client.Dcv.GetStatusAsync(Domain)).Status);

        // A new order for a name under the domain is refused before anything is sent, naming the rule.
        var refused = await Assert.ThrowsAsync<CertificateRequestValidationException>(() => h.Lifecycle.OrderAsync(EngineHarness.Request("api")));
        var error = Assert.Single(refused.Errors);
        Assert.Equal("domain-dcv-lapsing", error.Rule);
        Assert.Contains("does not match the validation details", error.Message, StringComparison.Ordinal);
        Assert.Equal(enrolls, h.Simulator.Counters.EnrollPosts);
        Assert.Equal(2, s.Responder.Published.Count);
        Assert.Empty(s.Files.Files);
    }
}
