using System.CommandLine;

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
        var demo = new Command("demo", "The whole certificate lifecycle in about a minute, against the built-in SCM simulator (no account needed)") { clean, lifetime };
        Bind(demo, (context, cancellationToken) =>
            new Demo(context, TimeSpan.FromSeconds(context.Get(lifetime)), keep: !context.Get(clean)).RunAsync(cancellationToken));
        return demo;
    }
}
