using System.Globalization;
using System.Runtime.InteropServices;
using Scm.Testing;

// A standalone Scm.Testing simulator: `dotnet run --project samples/Scm.Simulator.Host -- --port 5080 --seed 42`.
// Prints the base URL, credentials and token URL, then runs until Ctrl+C or SIGTERM.
var port = 0;
int? seed = null;
var hostile = false;
var https = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seed" when i + 1 < args.Length:
            seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--hostile":
            hostile = true;
            break;
        case "--https":
            https = true;
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: Scm.Simulator.Host [--port N] [--seed N] [--hostile] [--https]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

var options = hostile ? ScmSimulatorOptions.Hostile(seed) : new ScmSimulatorOptions { Seed = seed };
options.Port = port;
options.UseHttps = https;
await using var sim = await ScmSimulator.StartAsync(options);
var credentials = sim.Credentials;
Console.WriteLine($"base-url: {sim.BaseAddress}");
Console.WriteLine($"private-base-url: {sim.PrivateBaseAddress}");
Console.WriteLine($"token-url: {sim.TokenEndpoint}");
Console.WriteLine($"management-url: {sim.ManagementAddress}");
Console.WriteLine($"seed: {sim.Seed}");
Console.WriteLine($"login: {credentials.Login}");
Console.WriteLine($"password: {credentials.Password}");
Console.WriteLine($"customer-uri: {credentials.CustomerUri}");
Console.WriteLine($"client-id: {credentials.ClientId}");
Console.WriteLine($"client-secret: {credentials.ClientSecret}");
Console.WriteLine("ready (Ctrl+C or SIGTERM to stop)");

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
await stop.Task;
Console.WriteLine("stopping");
return 0;
