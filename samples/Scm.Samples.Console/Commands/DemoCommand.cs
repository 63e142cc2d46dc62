using System.CommandLine;
using Scm.Scenarios;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    public Command Demo()
    {
        var clean = new Option<bool>("--clean") { Description = "Delete the demo's temporary folder (store, keys, keystores) at the end" };
        var lifetime = new Option<int>("--lifetime")
        {
            Description = "Lifetime of the simulator's certificates in seconds; auto-renewal is due after two thirds of it",
            DefaultValueFactory = _ => 75,
            HelpName = "seconds",
        };
        lifetime.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 30 or > 3600)
            {
                r.AddError("--lifetime must be 30..3600 seconds.");
            }
        });
        var year = new Option<bool>("--year")
        {
            Description = "Instead: a year of 47-day certificates on a fake clock (10-day domain validations kept alive, SCM faults, a one-day outage); prints renewals, revalidations, expired certificates and duplicate orders",
        };
        var certificates = new Option<int>("--certificates")
        {
            Description = "With --year: the fleet's size",
            DefaultValueFactory = _ => YearDefaults.Certificates,
            HelpName = "count",
        };
        certificates.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                r.AddError("--certificates must be 1..10000.");
            }
        });
        var days = new Option<int>("--days")
        {
            Description = "With --year: how many days to simulate",
            DefaultValueFactory = _ => YearDefaults.Days,
            HelpName = "days",
        };
        days.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1095)
            {
                r.AddError("--days must be 1..1095.");
            }
        });
        var seed = new Option<int>("--seed")
        {
            Description = "With --year: the simulator's seed (fault choices and identifiers)",
            DefaultValueFactory = _ => YearDefaults.Seed,
            HelpName = "n",
        };
        var demo = new Command("demo", "The whole certificate lifecycle in about a minute, against the built-in SCM simulator (no account needed); --year: a year of short-lived certificates on a fake clock")
        {
            clean, lifetime, year, certificates, days, seed,
        };
        Bind(demo, (context, cancellationToken) =>
        {
            if (!context.Get(year))
            {
                var yearOnly = new Option[] { certificates, days, seed }.FirstOrDefault(context.Has);
                return yearOnly is null
                    ? new Demo(context, TimeSpan.FromSeconds(context.Get(lifetime)), keep: !context.Get(clean)).RunAsync(cancellationToken)
                    : throw CliException.Usage($"{yearOnly.Name} applies to `scm demo --year` only.");
            }

            if (context.Has(lifetime))
            {
                throw CliException.Usage("--lifetime applies to the lifecycle demo, not to --year (its certificates live 47 simulated days).");
            }

            var options = new ShortLivedFleetOptions
            {
                Certificates = context.Get(certificates),
                Days = context.Get(days),
                Seed = context.Get(seed),
            };
            return new YearDemo(context, options, keep: !context.Get(clean)).RunAsync(cancellationToken);
        });
        return demo;
    }

    /// <summary>The defaults of `scm demo --year`.</summary>
    private static class YearDefaults
    {
        public const int Certificates = 1000;
        public const int Days = 365;
        public const int Seed = 17;
    }
}
