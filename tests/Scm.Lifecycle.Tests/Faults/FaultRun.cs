using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle.Storage;
using Scm.Lifecycle.Tests.EndToEnd;
using Scm.Storage;
using Scm.Storage.Sqlite;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>Background faults on top of a scenario's own fault.</summary>
internal enum Noise
{
    /// <summary>Only the scenario's fault.</summary>
    None,

    /// <summary>
    /// The hostile preset's shape (page size 3, sslIds above 2^31 and non-sequential, 0-5 not-ready polls after issuance in
    /// random styles) and its noise on GETs only (5xx, 429 with random Retry-After, truncated JSON, HTML pages, empty 200s,
    /// short latency): recovery paths are exercised while a scenario's assertions about its POSTs stay exact.
    /// </summary>
    Reads,

    /// <summary><see cref="ScmSimulatorOptions.Hostile(int?)"/> with every rule (POSTs included), latency shortened to keep the suite fast.</summary>
    Full,
}

/// <summary>
/// One fault scenario run: a seeded simulator, the engine host(s) on a shared store behind a <see cref="CrashingStore"/>,
/// a shared fake clock, helpers to pump the clock while a request waits on it, to restart after a crash, to let every
/// order settle once the faults stop, and the final proof (counters, store walk, secret canaries).
/// </summary>
internal sealed class FaultRun : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    /// <summary>One AES key for every host of a run, so a peer or a restarted host can read the keys another one stored.</summary>
    private static readonly string s_protectionKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());

    private readonly List<EngineHarness> _peers = [];
    private readonly ConcurrentQueue<object> _observed = new();
    private readonly ConcurrentQueue<(string Kind, string Value)> _secrets = new();
    private readonly Action<SectigoCertificateManagementOptions>? _engine;
    private readonly string _folder;
    private readonly IAsyncDisposable? _ownedStore;
    private readonly List<IAsyncDisposable> _peerStores = [];
    private readonly Noise _noise;
    private ActivityListener? _activities;
    private System.Diagnostics.Metrics.MeterListener? _meters;
    private readonly ConcurrentQueue<string> _telemetry = new();
    private int _generation;

    private FaultRun(int seed, Noise noise, FakeTimeProvider time, FakeTimeProvider? simulatorClock, IScmStore store, string folder, IAsyncDisposable? ownedStore, Action<SectigoCertificateManagementOptions>? engine)
    {
        Seed = seed;
        _noise = noise;
        Random = new Random(seed);
        Time = time;
        SimulatorClock = simulatorClock;
        Store = store;
        _folder = folder;
        _ownedStore = ownedStore;
        _engine = engine;
        Crash = new CrashingStore(store);
    }

    public int Seed { get; }

    /// <summary>Seeded randomness for the scenario's own choices.</summary>
    public Random Random { get; }

    /// <summary>The engine's clock (and the simulator's, unless it has its own).</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The simulator's own clock in skew scenarios, else null (it shares <see cref="Time"/>).</summary>
    public FakeTimeProvider? SimulatorClock { get; }

    /// <summary>The shared store (what every host's store wrapper writes to; what the verifier walks).</summary>
    public IScmStore Store { get; }

    /// <summary>The primary host's store wrapper (replaced on every restart: a new process).</summary>
    public CrashingStore Crash { get; private set; }

    public EngineHarness H { get; private set; } = null!;

    public ScmSimulator Sim => H.Simulator;

    public ICertificateLifecycle Lifecycle => H.Lifecycle;

    public IReadOnlyList<EngineHarness> Peers => _peers;

    public static async Task<FaultRun> StartAsync(
        int seed,
        Noise noise = Noise.None,
        Action<ScmSimulatorOptions>? simulator = null,
        Action<SectigoCertificateManagementOptions>? engine = null,
        bool sqlite = false,
        TimeSpan? simulatorSkew = null,
        bool captureTelemetry = false,
        Action<ISectigoCertificateManagementBuilder>? builder = null)
    {
        var time = new FakeTimeProvider(Epoch);
        var simulatorClock = simulatorSkew is { } skew ? new FakeTimeProvider(Epoch + skew) : null;
        var folder = Path.Combine(Path.GetTempPath(), "scm-faults-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        IScmStore store;
        IAsyncDisposable? owned = null;
        if (sqlite)
        {
            var sqliteStore = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Path.Combine(folder, "scm.db"), FullSync = false }, time);
            store = sqliteStore;
            owned = sqliteStore;
        }
        else
        {
            store = new InMemoryScmStore(time);
        }

        var run = new FaultRun(seed, noise, time, simulatorClock, store, folder, owned, engine);
        if (captureTelemetry)
        {
            run.StartTelemetryCapture();
        }

        var crash = run.Crash;
        run.H = await EngineHarness.StartAsync(
            simulator: o =>
            {
                o.Seed = seed;
                if (simulatorClock is not null)
                {
                    o.TimeProvider = simulatorClock;
                }

                ApplyShape(o, noise, seed);
                simulator?.Invoke(o);
            },
            engine: o => run.Configure(o, "engine-a"),
            builder: b =>
            {
                b.Services.AddSingleton<IScmStore>(crash);
                builder?.Invoke(b);
            },
            sharedTime: time);
        run.AddSecret("SCM password", run.Sim.Credentials.Password);
        run.AddSecret("SCM client secret", run.Sim.Credentials.ClientSecret);
        run.AddSecret("keystore password", SecretCanary.KeystorePassword);

        // The catalog is synced before the noise starts (a scenario is about what comes after).
        await run.PumpAsync(() => run.Lifecycle.SyncCatalogAsync());
        run.StartNoise();
        return run;
    }

    /// <summary>A valid order (EC P-256 unless asked) with the keystore password canary.</summary>
    public static OrderCertificateRequest Request(string host = "www", KeystoreType keystore = KeystoreType.Pkcs12, KeyAlgorithm algorithm = KeyAlgorithm.EC) =>
        EngineHarness.Request(host, keystore, algorithm) with { KeystorePassword = SecretCanary.KeystorePassword };

    /// <summary>An order for a profile that waits for an administrator's approval.</summary>
    public static OrderCertificateRequest ApprovalRequest(string host = "needs-ok") =>
        Request(host, algorithm: KeyAlgorithm.Rsa) with { ProfileId = EngineHarness.ApprovalProfile, SubjectAlternativeNames = [] };

    public void AddSecret(string kind, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _secrets.Enqueue((kind, value));
        }
    }

    /// <summary>Remembers a result, record or exception for the canary check; returns it.</summary>
    public T Observe<T>(T value)
    {
        if (value is not null)
        {
            _observed.Enqueue(value);
            if (value is OrderCertificateResult { GeneratedKeystorePassword: { } generated })
            {
                AddSecret("generated keystore password", generated);
            }
            else if (value is LifecycleOrderResult { GeneratedKeystorePassword: { } renewed })
            {
                AddSecret("generated keystore password", renewed);
            }
        }

        return value;
    }

    /// <summary>Runs an action expected to fail with <typeparamref name="TException"/> (pumping the clock) and remembers the exception.</summary>
    public async Task<TException> ThrowsAsync<TException>(Func<Task> action, TimeSpan? step = null)
        where TException : Exception
    {
        var ex = await Assert.ThrowsAnyAsync<TException>(() => PumpAsync(async () =>
        {
            await action();
            return 0;
        }, step));
        return Observe(ex);
    }

    /// <summary>Moves the engine's clock (and the simulator's own clock in skew scenarios) forward.</summary>
    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        SimulatorClock?.Advance(by);
    }

    /// <summary>
    /// Runs an action and moves the fake clock on while it waits on it (retry delays, attempt timeouts, the store retry),
    /// but not while a request is being served normally: the clock moves only when no request is in flight at the
    /// simulator, or one has been in flight for a while (a stall).
    /// </summary>
    public async Task<T> PumpAsync<T>(Func<Task<T>> action, TimeSpan? step = null)
    {
        var task = action();
        var by = step ?? TimeSpan.FromSeconds(1);
        long? busySince = null;
        var idleRounds = 0;
        for (var rounds = 0; !task.IsCompleted; rounds++)
        {
            await Task.WhenAny(task, Task.Delay(5));
            if (task.IsCompleted)
            {
                break;
            }

            if (rounds > 20_000)
            {
                throw new TimeoutException("The operation did not complete while the fake clock was pumped.");
            }

            var inFlight = Sim.Counters.Requests > Sim.GetRequestLog().Count;
            if (inFlight)
            {
                // A request being served normally does not see the clock move; a stalled one does.
                idleRounds = 0;
                busySince ??= Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(busySince.Value) < TimeSpan.FromMilliseconds(150))
                {
                    continue;
                }
            }
            else
            {
                // Between requests: short local work does not see the clock move; a wait on the clock does.
                busySince = null;
                if (++idleRounds < 3)
                {
                    continue;
                }
            }

            Advance(by);
        }

        return await task;
    }

    public Task PumpAsync(Func<Task> action, TimeSpan? step = null) => PumpAsync(async () =>
    {
        await action();
        return 0;
    }, step);

    /// <summary>Waits (real time, briefly) until every request the simulator received is in its log: a dropped connection is
    /// seen by the client a moment before the simulator has logged it.</summary>
    public async Task<IReadOnlyList<ScmSimulatorRequest>> RequestLogAsync()
    {
        for (var i = 0; i < 400 && Sim.Counters.Requests > Sim.GetRequestLog().Count; i++)
        {
            await Task.Delay(5);
        }

        return Sim.GetRequestLog();
    }

    /// <summary>
    /// Restarts the primary host on the same store: a new process (new instance name, new store wrapper). After a crash
    /// the dead instance's certificate leases are left to expire first (they were never released).
    /// </summary>
    public async Task RestartAsync(Action<SectigoCertificateManagementOptions>? change = null, Action<ISectigoCertificateManagementBuilder>? builder = null)
    {
        var crashed = Crash.IsDead;
        await H.StopHostAsync();
        if (crashed)
        {
            Advance(new LeaseOptions().CertificateLeaseDuration + TimeSpan.FromSeconds(1));
        }

        Crash = new CrashingStore(Store);
        var name = "engine-a" + (++_generation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await H.StartHostAsync(engine: o =>
        {
            Configure(o, name);
            change?.Invoke(o);
        }, builder: builder, store: Crash);
    }

    /// <summary>Starts another engine host on the same store, simulator and clock.</summary>
    /// <remarks>On SQLite every peer opens the database file with its own store instance (its own connections), as another process would.</remarks>
    public async Task<EngineHarness> AddPeerAsync(string instanceName, CrashingStore? store = null, Action<SectigoCertificateManagementOptions>? change = null)
    {
        if (store is null && Store is SqliteScmStore)
        {
            var own = new SqliteScmStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_folder, "scm.db"), FullSync = false }, Time);
            _peerStores.Add(own);
            store = new CrashingStore(own);
        }

        var peerStore = store ?? new CrashingStore(Store);
        var peer = await EngineHarness.StartAsync(
            engine: o =>
            {
                Configure(o, instanceName);
                change?.Invoke(o);
            },
            builder: b => b.Services.AddSingleton<IScmStore>(peerStore),
            sharedSimulator: Sim,
            sharedTime: Time);
        _peers.Add(peer);
        return peer;
    }

    /// <summary>Every order in the shared store.</summary>
    public async Task<IReadOnlyList<CertificateOrder>> OrdersAsync()
    {
        var orders = new List<CertificateOrder>();
        string? token = null;
        do
        {
            var page = await Store.ListOrdersAsync(new OrderQuery { PageSize = 500, ContinuationToken = token });
            orders.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return orders;
    }

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync() => await Store.QueryAuditAsync(new AuditQuery { Limit = 10_000 });

    /// <summary>
    /// The faults stop: every open order is checked again (advancing the clock to its next due time, at least a scan
    /// interval of 10 s) until none is open, except those <paramref name="mayStayOpen"/> allows.
    /// </summary>
    public async Task SettleAsync(Func<CertificateOrder, bool>? mayStayOpen = null, int rounds = 60, EngineHarness? via = null)
    {
        var lifecycle = (via ?? H).Lifecycle;
        Sim.Faults.Clear();
        for (var i = 0; ; i++)
        {
            var open = (await OrdersAsync()).Where(o => o.IsOpen && !(mayStayOpen?.Invoke(o) ?? false)).ToArray();
            if (open.Length == 0)
            {
                return;
            }

            Assert.True(i < rounds, $"Orders still open after the faults stopped: {string.Join("; ", open.Select(o => $"{o.Id} {o.State} {o.LastError}"))}");
            var now = Time.GetUtcNow();
            var next = open.Select(o => o.NextAttemptAt ?? now).Min();
            var step = next - now;
            step = step < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : step > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : step;
            Advance(step);
            Observe(await PumpAsync(() => lifecycle.CheckPendingOrdersAsync()));
        }
    }

    /// <summary>
    /// The proof every scenario ends with: the store walk (one billable original order per token, at most one renewal
    /// per sslId, every accepted order's key stored and matching its CSR, every issued certificate collected), no token
    /// POSTed twice without a reconcile search that found nothing in between, and no secret canary anywhere.
    /// </summary>
    public async Task VerifyAsync(bool requireCollected = true)
    {
        var protector = H.Services.GetRequiredService<IPrivateKeyProtector>();
        await StoreVerifier.VerifyAsync(Store, Sim, protector, requireCollected);

        var orders = await OrdersAsync();
        var audit = await AuditAsync();
        foreach (var order in orders.Where(o => o.Kind == OrderKind.New))
        {
            var posts = Sim.Counters.EnrollPostsFor(order.CorrelationToken);
            var resubmits = audit.Count(a => a.OrderId == order.Id && a.Decision == "Resubmit");
            Assert.True(posts <= 1 + resubmits, $"Order {order.Id} was POSTed {posts} times with only {resubmits} reconcile searches that found nothing.");
            if (order.SslId is not null)
            {
                // Renewals copy the original's comments (and token); they are counted per sslId by the verifier. An
                // administrator may have edited the token out of the comments: then no SCM order carries it.
                var carrying = Sim.GetOrders().Where(o => o.RenewedFromSslId is null && o.CorrelationTokens.Contains(order.CorrelationToken, StringComparer.OrdinalIgnoreCase)).ToArray();
                Assert.True(carrying.Length <= 1, $"Token of order {order.Id} is carried by {carrying.Length} SCM orders.");
                Assert.True(carrying.Length == 0 || carrying[0].SslId == order.SslId, $"Order {order.Id} holds sslId {order.SslId}, but its token is on sslId {carrying.FirstOrDefault()?.SslId}.");
            }
        }

        await AssertNoSecretsAsync(orders, audit);
    }

    /// <summary>The canary check over everything this run captured.</summary>
    public async Task AssertNoSecretsAsync(IReadOnlyList<CertificateOrder>? orders = null, IReadOnlyList<AuditEntry>? audit = null)
    {
        orders ??= await OrdersAsync();
        audit ??= await AuditAsync();
        var certificates = new List<ManagedCertificate>();
        string? token = null;
        do
        {
            var page = await Store.ListCertificatesAsync(new CertificateQuery { PageSize = 500, ContinuationToken = token });
            certificates.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        var harnesses = _peers.Prepend(H).ToArray();
        var texts = new List<(string, string?)>();
        texts.AddRange(harnesses.SelectMany(h => h.Logs).Select(l => ("a log line", (string?)l)));
        texts.AddRange(harnesses.SelectMany(h => h.Events).Select(e => ("an event", (string?)e.ToString())));
        texts.AddRange(_observed.Select(o => (o is Exception ? "an exception" : "ToString() of " + o.GetType().Name, (string?)o.ToString())));
        texts.AddRange(_observed.OfType<Exception>().Select(e => ("an exception message", (string?)e.Message)));
        texts.AddRange(orders.Select(o => ("an order", (string?)(o + " " + o.LastError))));
        texts.AddRange(certificates.Select(c => ("a certificate", (string?)c.ToString())));
        texts.AddRange(audit.Select(a => ("an audit entry", (string?)(a + " " + a.Reason))));
        texts.AddRange(_telemetry.Select(t => ("telemetry", (string?)t)));
        SecretCanary.AssertAbsent(texts, _secrets.Select(s => (s.Kind, (string?)s.Value)));
    }

    public async ValueTask DisposeAsync()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }

        if (H is not null)
        {
            await H.DisposeAsync();
        }

        foreach (var peerStore in _peerStores)
        {
            await peerStore.DisposeAsync();
        }

        if (_ownedStore is not null)
        {
            await _ownedStore.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Configure(SectigoCertificateManagementOptions o, string instanceName)
    {
        o.InstanceName = instanceName;
        o.KeyProtection.Key = s_protectionKey;
        o.KeyProtection.KeyFilePath = null;
        _engine?.Invoke(o);
    }

    private static void ApplyShape(ScmSimulatorOptions o, Noise noise, int seed)
    {
        if (noise == Noise.None)
        {
            return;
        }

        var hostile = ScmSimulatorOptions.Hostile(seed);
        o.MaxNotReadyPollsAfterIssue = hostile.MaxNotReadyPollsAfterIssue;
        o.RandomizeNotReadyStyle = hostile.RandomizeNotReadyStyle;
        o.MaxPageSize = hostile.MaxPageSize;
        o.IdBase = hostile.IdBase;
        o.NonSequentialIds = hostile.NonSequentialIds;
    }

    /// <summary>Adds the background noise of this run's <see cref="Noise"/> level (again, after <see cref="SettleAsync"/> cleared it).</summary>
    public void StartNoise()
    {
        if (_noise == Noise.None)
        {
            return;
        }

        var shortLatency = TimeSpan.FromMilliseconds(20);
        if (_noise == Noise.Full)
        {
            foreach (var rule in ScmSimulatorOptions.Hostile(Seed).Faults)
            {
                Sim.Faults.Add(rule.Kind == ScmFaultKind.Latency ? ScmFault.Any().Latency(TimeSpan.Zero, shortLatency).Percent(2) : rule);
            }

            return;
        }

        Sim.Faults.Add(ScmFault.On("GET", "/**").ServerError(503).Percent(2));
        Sim.Faults.Add(ScmFault.On("GET", "/**").ServerError(500).Percent(2));
        Sim.Faults.Add(ScmFault.On("GET", "/**").ServerError(502).Percent(1));
        Sim.Faults.Add(ScmFault.On("GET", "/**").TooManyRequests(ScmRetryAfterStyle.Random, TimeSpan.FromSeconds(1)).Percent(2));
        Sim.Faults.Add(ScmFault.On("GET", "/**").Latency(TimeSpan.Zero, shortLatency).Percent(2));
        Sim.Faults.Add(ScmFault.On("GET", "/**").TruncatedJson().Percent(0.4));
        Sim.Faults.Add(ScmFault.On("GET", "/**").HtmlErrorPage(502).Percent(0.3));
        Sim.Faults.Add(ScmFault.On("GET", "/**").EmptyOk().Percent(0.3));
    }

    private void StartTelemetryCapture()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("Scm.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _telemetry.Enqueue($"{a.OperationName} {a.DisplayName} {a.StatusDescription} " +
                string.Join(";", a.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " " + string.Join(";", a.Events.Select(e => e.Name))),
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith("Scm.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => RecordMeasurement(i, v, tags));
        _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => RecordMeasurement(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => RecordMeasurement(i, v, tags));
        _meters.Start();
    }

    private void RecordMeasurement<T>(System.Diagnostics.Metrics.Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = instrument.Name + "=" + value + " ";
        foreach (var tag in tags)
        {
            text += tag.Key + "=" + tag.Value + ";";
        }

        _telemetry.Enqueue(text);
    }

    /// <summary>How many entries of the telemetry capture there are (zero unless started with captureTelemetry).</summary>
    public int TelemetryCount => _telemetry.Count;
}
