using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Scm.Testing.Internal;

namespace Scm.Testing;

/// <summary>
/// A stateful Sectigo Certificate Manager simulator on 127.0.0.1: SCM's REST API and JSON shapes, a real test CA, a
/// controllable clock, fault injection, and ground-truth counters. Start one per test (or per fixture):
/// <code>
/// await using var sim = await ScmSimulator.StartAsync();
/// // point a client at sim.BaseAddress with sim.Credentials
/// </code>
/// Everything a test can do from .NET is also available over HTTP under <see cref="ManagementAddress"/>.
/// </summary>
public sealed class ScmSimulator : IAsyncDisposable
{
    /// <summary>The path prefix of the management API.</summary>
    public const string ManagementPrefix = "/__scmsim";

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _shutdown;
    private readonly SimulatorEngine _engine;
    private readonly AuthService _auth;
    private readonly RequestLog _log;
    private readonly TestCertificateAuthority _ca;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2? _serverCertificate;
    private int _disposed;

    private ScmSimulator(
        WebApplication app,
        CancellationTokenSource shutdown,
        SimulatorEngine engine,
        AuthService auth,
        RequestLog log,
        TestCertificateAuthority ca,
        X509Certificate2? serverCertificate,
        ScmSimulatorCounters counters,
        ScmFaultRules faults,
        int seed,
        Uri root,
        bool https)
    {
        _app = app;
        _shutdown = shutdown;
        _engine = engine;
        _auth = auth;
        _log = log;
        _ca = ca;
        _serverCertificate = serverCertificate;
        _root = CertificateLoading.FromDer(ca.Root.RawData);
        _intermediate = CertificateLoading.FromDer(ca.Intermediate.RawData);
        Counters = counters;
        Faults = faults;
        Seed = seed;
        IsHttps = https;
        BaseAddress = new Uri(root, "/api");
        PrivateBaseAddress = new Uri(root, "/private/api");
        TokenEndpoint = new Uri(root, RequestPipeline.TokenPath);
        ManagementAddress = new Uri(root, ManagementPrefix);
    }

    /// <summary>Gets the API base a client uses (<c>http://127.0.0.1:PORT/api</c>); requests go to <c>{BaseAddress}/ssl/v1/...</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the <c>/private/api</c> base (client-certificate authentication in HTTPS mode).</summary>
    public Uri PrivateBaseAddress { get; }

    /// <summary>Gets the OAuth2 client-credentials token endpoint (<c>/auth/realms/apiclients/protocol/openid-connect/token</c>).</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>Gets the management API's base (<c>/__scmsim</c>).</summary>
    public Uri ManagementAddress { get; }

    /// <summary>Gets the credentials accepted right now.</summary>
    public ScmSimulatorCredentials Credentials => _auth.Credentials;

    /// <summary>Gets the test root certificate every issued certificate chains to.</summary>
    public X509Certificate2 RootCertificate => _root;

    /// <summary>Gets the issuing intermediate certificate.</summary>
    public X509Certificate2 IntermediateCertificate => _intermediate;

    /// <summary>Gets the HTTPS server certificate, or <see langword="null"/> in HTTP mode.</summary>
    public X509Certificate2? ServerCertificate => _serverCertificate;

    /// <summary>Gets a value indicating whether the simulator serves HTTPS.</summary>
    public bool IsHttps { get; }

    /// <summary>Gets the simulator's clock: the configured <see cref="ScmSimulatorOptions.TimeProvider"/> plus any <see cref="AdvanceTime"/> offset.</summary>
    public TimeProvider TimeProvider => _engine.Clock;

    /// <summary>Gets the seed every random choice derives from (printed at start).</summary>
    public int Seed { get; }

    /// <summary>Gets the ground-truth counters.</summary>
    public ScmSimulatorCounters Counters { get; }

    /// <summary>Gets the active fault rules; add rules with <see cref="ScmFault"/>.</summary>
    public ScmFaultRules Faults { get; }

    /// <summary>Starts a simulator on 127.0.0.1.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running simulator; dispose it to stop it.</returns>
    public static async Task<ScmSimulator> StartAsync(ScmSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ScmSimulatorOptions();
        ArgumentNullException.ThrowIfNull(options.Account);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        ArgumentNullException.ThrowIfNull(options.CorrelationPattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.IdBase, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.RequestLogCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxNotReadyPollsAfterIssue);
        if (options.CertificateLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "CertificateLifetime must be positive.");
        }

        var seed = options.Seed ?? RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var random = new SeededRandom(seed);
        var clock = new SimulatorClock(options.TimeProvider);
        var now = clock.GetUtcNow();
        var wallNow = TimeProvider.System.GetUtcNow();
        var ca = new TestCertificateAuthority(random, now, wallNow, seed);
        var counters = new ScmSimulatorCounters(options.CorrelationPattern);
        var faults = new ScmFaultRules();
        foreach (var rule in options.Faults)
        {
            faults.Add(rule);
        }

        var auth = new AuthService(options.Account, random, clock, options.TokenLifetime);
        var engine = new SimulatorEngine(options, clock, random, ca, counters);
        var log = new RequestLog(options.RequestLogCapacity);
        X509Certificate2? serverCertificate = null;
        if (options.UseHttps)
        {
            var from = (now < wallNow ? now : wallNow).AddDays(-1);
            var to = (now > wallNow ? now : wallNow).AddYears(5);
            serverCertificate = ca.IssueServerCertificate(from, to);
        }

        var shutdown = new CancellationTokenSource();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        if (options.UseHttps)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 32 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                if (serverCertificate is not null)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = serverCertificate,

                        // Like a real server, the handshake carries the intermediate too, so a client needs only the root.
                        ServerCertificateChain = new X509Certificate2Collection(ca.Intermediate),
                        ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
                        ClientCertificateValidation = static (_, _, _) => true,
                        CheckCertificateRevocation = false,
                    });
                }
            });
        });

        var app = builder.Build();
        ScmSimulator? simulator = null;
        var management = new ManagementApi(() => simulator!);
        var pipeline = new RequestPipeline(engine, auth, new FaultEngine(faults, random), counters, log, options, management, ManagementPrefix, shutdown.Token);
        app.Run(pipeline.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            shutdown.Dispose();
            engine.Dispose();
            ca.Dispose();
            serverCertificate?.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var root = new Uri($"{(options.UseHttps ? "https" : "http")}://127.0.0.1:{port}");
        simulator = new ScmSimulator(app, shutdown, engine, auth, log, ca, serverCertificate, counters, faults, seed, root, options.UseHttps);
        options.Log?.WriteLine(
            $"Scm.Testing simulator listening on {simulator.BaseAddress} (seed {seed}); token endpoint {simulator.TokenEndpoint}; management {simulator.ManagementAddress}");
        return simulator;
    }

    /// <summary>Gets a snapshot of the request log (oldest first; method, path, status, time and fault only).</summary>
    /// <returns>The entries.</returns>
    public IReadOnlyList<ScmSimulatorRequest> GetRequestLog() => _log.Snapshot();

    /// <summary>Empties the request log.</summary>
    public void ClearRequestLog() => _log.Clear();

    /// <summary>Reads one order's current state (after bringing it up to the simulator's clock).</summary>
    /// <param name="sslId">The sslId.</param>
    /// <returns>The snapshot, or <see langword="null"/> when unknown.</returns>
    public ScmSimulatorOrder? GetOrder(long sslId) => _engine.Snapshot(sslId);

    /// <summary>Reads every order's current state.</summary>
    /// <returns>The snapshots, by sslId.</returns>
    public IReadOnlyList<ScmSimulatorOrder> GetOrders() => _engine.Snapshots();

    /// <summary>Approves a <c>Requested</c> order as an SCM administrator would.</summary>
    /// <param name="sslId">The sslId.</param>
    /// <exception cref="KeyNotFoundException">The order does not exist.</exception>
    /// <exception cref="InvalidOperationException">The order is not <c>Requested</c>.</exception>
    public void Approve(long sslId) => Control(() => _engine.Approve(sslId, null));

    /// <summary>Declines a <c>Requested</c> order as an SCM administrator would.</summary>
    /// <param name="sslId">The sslId.</param>
    /// <param name="reason">An optional message.</param>
    public void Decline(long sslId, string? reason = null) => Control(() => _engine.Decline(sslId, reason));

    /// <summary>Rejects a pending order as the CA would (status <c>Rejected</c>).</summary>
    /// <param name="sslId">The sslId.</param>
    /// <param name="reason">An optional reason.</param>
    public void Reject(long sslId, string? reason = null) => Control(() => _engine.Fail(sslId, "Rejected", reason));

    /// <summary>Marks a pending order as failed in processing (status <c>Invalid</c>).</summary>
    /// <param name="sslId">The sslId.</param>
    /// <param name="reason">An optional reason.</param>
    public void Invalidate(long sslId, string? reason = null) => Control(() => _engine.Fail(sslId, "Invalid", reason));

    /// <summary>Issues a pending order now, skipping approval and the remaining stage delays.</summary>
    /// <param name="sslId">The sslId.</param>
    public void IssueNow(long sslId) => Control(() => _engine.IssueNow(sslId));

    /// <summary>
    /// Moves the simulator's clock forward (on top of the configured provider). With a <c>FakeTimeProvider</c> a test can
    /// advance that provider instead; both are seen on the next request.
    /// </summary>
    /// <param name="by">A non-negative duration.</param>
    public void AdvanceTime(TimeSpan by) => _engine.Clock.Advance(by);

    /// <summary>Replaces the password and client secret (and revokes bearer tokens): old credentials get 401 -16.</summary>
    /// <returns>The new credentials.</returns>
    public ScmSimulatorCredentials RotateCredentials() => _auth.Rotate();

    /// <summary>Expires the password and API key: header auth gets 401 -970, the token endpoint refuses, bearer tokens are revoked. <see cref="RotateCredentials"/> restores access.</summary>
    public void ExpireCredentials() => _auth.Expire();

    /// <summary>Revokes every bearer token issued so far (calls with them get 401 -16).</summary>
    public void RevokeTokens() => _auth.RevokeTokens();

    /// <summary>
    /// Sets a domain's DCV status; pending orders for it wait in <c>Applied</c> until it is validated again. A validated
    /// domain is valid for <see cref="ScmSimulatorOptions.DcvValidityPeriod"/> from now; its dates show in the domain
    /// details and the <c>/dcv</c> answers.
    /// </summary>
    /// <param name="domain">The domain name as in the account.</param>
    /// <param name="validation">The new status.</param>
    public void SetDomainValidation(string domain, ScmSimulatorDomainValidation validation) => _engine.SetDomainValidation(domain, validation);

    /// <summary>
    /// Follows the link of a submitted e-mail validation (the DCV mail "clicked"): the domain becomes <c>VALIDATED</c> for
    /// <see cref="ScmSimulatorOptions.DcvValidityPeriod"/> from now.
    /// </summary>
    /// <param name="domain">The domain name as in the account.</param>
    /// <exception cref="ArgumentException">No such domain.</exception>
    /// <exception cref="InvalidOperationException">The domain has no submitted e-mail validation.</exception>
    public void ConfirmDcvEmail(string domain) => _engine.ConfirmDcvEmail(domain);

    /// <summary>Sets a domain's delegation status.</summary>
    /// <param name="domain">The domain name as in the account.</param>
    /// <param name="delegation">The new status.</param>
    public void SetDomainDelegation(string domain, ScmSimulatorDomainDelegation delegation) => _engine.SetDomainDelegation(domain, delegation);

    /// <summary>
    /// Sets an organization's OV or EV validation (adding it when the organization has none of that level), as when the CA
    /// validates the organization, the validation expires or is refused. Orders for profiles that need it answer -843
    /// unless it is <see cref="ScmSimulatorValidationStatus.Validated"/> and not expired.
    /// </summary>
    /// <param name="organizationId">The organization (or one of its departments).</param>
    /// <param name="level">The validation level.</param>
    /// <param name="status">The new status.</param>
    /// <param name="expires">When it expires; <see langword="null"/> gives a validated one a year from now and keeps the previous expiry otherwise.</param>
    /// <exception cref="KeyNotFoundException">No such organization.</exception>
    public void SetOrganizationValidation(int organizationId, ScmSimulatorValidationLevel level, ScmSimulatorValidationStatus status, DateTimeOffset? expires = null)
        => _engine.SetOrganizationValidation(organizationId, level, status, expires);

    /// <summary>
    /// Issues a client-authentication certificate for the admin (signed by the test CA) and registers it in the account,
    /// for mutual TLS on <see cref="PrivateBaseAddress"/>.
    /// </summary>
    /// <returns>The certificate with its private key; the caller disposes it.</returns>
    public X509Certificate2 CreateClientCertificate()
    {
        var now = TimeProvider.System.GetUtcNow();
        var simNow = _engine.Now;
        var from = (simNow < now ? simNow : now).AddDays(-1);
        var to = (simNow > now ? simNow : now).AddYears(2);
        var certificate = _ca.IssueClientCertificate(Credentials.Login, from, to);
        _auth.RegisterClientCertificate(certificate, Credentials.Login);
        return certificate;
    }

    /// <summary>Registers an existing certificate as the admin's authentication certificate.</summary>
    /// <param name="certificate">The certificate (public part is enough).</param>
    public void RegisterClientCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _auth.RegisterClientCertificate(certificate, Credentials.Login);
    }

    internal SimulatorEngine Engine => _engine;

    /// <summary>Stops the server and releases the CA keys.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), TimeProvider.System);
            await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _shutdown.Dispose();
            _engine.Dispose();
            _ca.Dispose();
            _root.Dispose();
            _intermediate.Dispose();
            _serverCertificate?.Dispose();
        }
    }

    private static void Control(Action action)
    {
        try
        {
            action();
        }
        catch (ScmApiException e) when (e.HttpStatus == 404)
        {
            throw new KeyNotFoundException(e.Description);
        }
        catch (ScmApiException e)
        {
            throw new InvalidOperationException(e.Description);
        }
    }
}
