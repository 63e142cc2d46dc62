using System.Globalization;

namespace Scm.EndToEnd.Tests.MultiProcess;

/// <summary>
/// Sizes of the multi-process run. The CI profile (default) fits the 2-core CI budget (about 3 minutes); the soak profile
/// (<c>SCM_MULTIPROCESS_SOAK=1</c>) runs 500 certificates with longer lifetimes. Single values can be overridden:
/// <c>SCM_MULTIPROCESS_SEED</c>, <c>SCM_MULTIPROCESS_CERTIFICATES</c>, <c>SCM_MULTIPROCESS_CYCLES</c>,
/// <c>SCM_MULTIPROCESS_LIFETIME_SECONDS</c>.
/// </summary>
/// <remarks>
/// How the numbers fit together (lifetime L): renewal is due L/2 before expiry, minus a per-certificate jitter of at most
/// L/20; the emergency window is the last L/20. So a certificate has about 0.45 L between "due" and "emergency" in which
/// the auto-renewal scan (every 2 s) must order it, even while instances are being killed: a killed holder's certificate
/// leases (10 s) and job lease (8 s) expire well inside that margin. A cycle takes about L/2 (plus issuance), so the
/// CI run needs about OrderSpread + Cycles x L/2 + issuance: 20 s + 3 x 30 s + a few seconds.
/// </remarks>
internal sealed record MultiProcessProfile
{
    public required string Name { get; init; }

    public required int Seed { get; init; }

    public int Instances { get; init; } = 4;

    public required int Certificates { get; init; }

    public required int Cycles { get; init; }

    /// <summary>The simulator's certificate lifetime (system clock).</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>Orders are spread over this time (per worker, in parallel).</summary>
    public required TimeSpan OrderSpread { get; init; }

    /// <summary>A random worker is killed (kill -9) every MinKillInterval..MaxKillInterval (at a moment with orders in flight, waiting at most 10 s for one) and restarted.</summary>
    public TimeSpan MinKillInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxKillInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The killed worker is restarted after 0.2 s to this long.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RenewBefore => Lifetime / 2;

    public TimeSpan MaxJitter => Lifetime / 20;

    /// <summary>No new installation for this long fails the run as stalled.</summary>
    public TimeSpan StallTimeout => TimeSpan.FromSeconds(Math.Max(45, Lifetime.TotalSeconds * 0.75));

    /// <summary>The run must reach the last cycle within this time.</summary>
    public TimeSpan Deadline => OrderSpread + (Cycles * (Lifetime / 2)) + TimeSpan.FromSeconds(75) + Extra;

    /// <summary>Extra time the run may take (a frozen worker's orders start late).</summary>
    public TimeSpan Extra { get; init; }

    /// <summary>The sizes from the environment; <paramref name="postgreSql"/>: the PostgreSQL run (issue 15: 500 certificates).</summary>
    public static MultiProcessProfile FromEnvironment(bool postgreSql = false)
    {
        var soak = Environment.GetEnvironmentVariable("SCM_MULTIPROCESS_SOAK") is "1" or "true";
        var profile = postgreSql && !soak
            ? new MultiProcessProfile
            {
                Name = "ci-postgresql",
                Seed = Random.Shared.Next(1, int.MaxValue),
                Certificates = 500,
                Cycles = 3,
                Lifetime = TimeSpan.FromSeconds(90),
                OrderSpread = TimeSpan.FromSeconds(30),
                Extra = TimeSpan.FromSeconds(45),
            }
            : soak
            ? new MultiProcessProfile
            {
                Name = "soak",
                Seed = Random.Shared.Next(1, int.MaxValue),
                Certificates = 500,
                Cycles = 5,
                Lifetime = TimeSpan.FromSeconds(120),
                OrderSpread = TimeSpan.FromSeconds(60),
            }
            : new MultiProcessProfile
            {
                Name = "ci",
                Seed = Random.Shared.Next(1, int.MaxValue),
                Certificates = 200,
                Cycles = 3,
                Lifetime = TimeSpan.FromSeconds(60),
                OrderSpread = TimeSpan.FromSeconds(20),
            };
        return profile with
        {
            Seed = Int("SCM_MULTIPROCESS_SEED") ?? profile.Seed,
            Certificates = Int("SCM_MULTIPROCESS_CERTIFICATES") ?? profile.Certificates,
            Cycles = Int("SCM_MULTIPROCESS_CYCLES") ?? profile.Cycles,
            Lifetime = Int("SCM_MULTIPROCESS_LIFETIME_SECONDS") is { } seconds ? TimeSpan.FromSeconds(seconds) : profile.Lifetime,
        };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"profile {Name}, seed {Seed}: {Instances} processes, {Certificates} certificates, {Cycles} renewal cycles, lifetime {Lifetime.TotalSeconds:0} s (renew {RenewBefore.TotalSeconds:0} s before expiry, jitter <= {MaxJitter.TotalSeconds:0.#} s, emergency window {(Lifetime / 20).TotalSeconds:0.#} s), orders spread over {OrderSpread.TotalSeconds:0} s, a kill every {MinKillInterval.TotalSeconds:0}-{MaxKillInterval.TotalSeconds:0} s");

    private static int? Int(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
