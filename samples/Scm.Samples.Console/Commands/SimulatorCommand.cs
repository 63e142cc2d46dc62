using System.CommandLine;
using Scm.Testing;
using Spectre.Console;

namespace Scm.Samples.Console;

internal sealed partial class CommandFactory
{
    public Command Simulator()
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 0, HelpName = "N" };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError("--port must be 0..65535.");
            }
        });
        var seed = new Option<int?>("--seed") { Description = "Seed of every random choice (ids, credentials), for repeatable runs", HelpName = "N" };
        var lifetime = new Option<int?>("--lifetime")
        {
            Description = "Issued certificates live this many seconds instead of their term (to watch auto-renewal happen)",
            HelpName = "seconds",
        };
        lifetime.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--lifetime must be at least 1 second.");
            }
        });
        var simulator = new Command("simulator", "Host the SCM simulator (a test SCM with a test CA) until Ctrl+C; point the other commands at it with --simulator-url") { port, seed, lifetime };
        Bind(simulator, async (context, cancellationToken) =>
        {
            var options = new ScmSimulatorOptions
            {
                Port = context.Get(port),
                Seed = context.Get(seed),
                ApplyDelay = TimeSpan.FromMilliseconds(500),
                IssueDelay = TimeSpan.FromSeconds(1),
                CertificateLifetime = context.Get(lifetime) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                Log = null,
            };
            await using var sim = await ScmSimulator.StartAsync(options, cancellationToken);
            context.Environment.SimulatorStarted?.Invoke(sim);
            var c = sim.Credentials;
            var root = sim.BaseAddress.GetLeftPart(UriPartial.Authority);

            // A test simulator: printing its credentials is the point (they are not secrets of any real account).
            var table = new Table().Title("SCM simulator").HideHeaders().AddColumns("Key", "Value")
                .AddRow("API base URL", Render.E(sim.BaseAddress))
                .AddRow("OAuth2 token URL", Render.E(sim.TokenEndpoint))
                .AddRow("Management API", Render.E(sim.ManagementAddress))
                .AddRow("Login", Render.E(c.Login))
                .AddRow("Password", Render.E(c.Password))
                .AddRow("Customer URI", Render.E(c.CustomerUri))
                .AddRow("OAuth2 client id", Render.E(c.ClientId))
                .AddRow("OAuth2 client secret", Render.E(c.ClientSecret))
                .AddRow("Seed", Render.E(sim.Seed));
            context.Out.Write(table);
            context.Out.WriteLine($"url: {root}");
            context.Out.MarkupLine($"Use it from another terminal: [blue]scm --simulator-url {Render.E(root)} account check[/]");
            context.Out.MarkupLine(
                $"or configure it: Sectigo__Client__BaseAddress={Render.E(sim.BaseAddress)} Sectigo__Client__Login={Render.E(c.Login)} " +
                $"Sectigo__Client__Password={Render.E(c.Password)} Sectigo__Client__CustomerUri={Render.E(c.CustomerUri)}");
            context.Out.MarkupLine(
                "or as one of several accounts (a second `scm simulator` for another): the same keys under Sectigo__Accounts__<name>__Client__, " +
                "then [blue]scm --account <name> ...[/] and [blue]scm accounts list[/]");
            context.Out.WriteLine("ready (Ctrl+C to stop)");
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.Environment.Time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }

            context.Out.WriteLine("stopped");
            return ExitCodes.Ok;
        });
        return simulator;
    }
}
