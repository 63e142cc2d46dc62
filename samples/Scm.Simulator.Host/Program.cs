using System.Globalization;
using System.Runtime.InteropServices;
using Scm.Testing;

// A standalone Scm.Testing simulator: `dotnet run --project samples/Scm.Simulator.Host -- --port 5080 --seed 42`.
// Prints the base URL, credentials and token URL, then runs until Ctrl+C or SIGTERM.
var port = 0;
int? seed = null;
var hostile = false;
var https = false;
var apiVersion = ScmSimulatorApiVersion.Rest25_5;
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
        case "--api-version" when i + 1 < args.Length:
            apiVersion = args[++i] switch
            {
                "rest25.5" or "Rest25_5" => ScmSimulatorApiVersion.Rest25_5,
                "admin25.9" or "Admin25_9" => ScmSimulatorApiVersion.Admin25_9,
                var other => throw new ArgumentException($"--api-version must be rest25.5 or admin25.9; got '{other}'."),
            };
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: Scm.Simulator.Host [--port N] [--seed N] [--hostile] [--https] [--api-version rest25.5|admin25.9]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

var options = hostile ? ScmSimulatorOptions.Hostile(seed) : new ScmSimulatorOptions { Seed = seed };
options.Port = port;
options.UseHttps = https;
options.ApiVersion = apiVersion;
await using var sim = await ScmSimulator.StartAsync(options);
var credentials = sim.Credentials;
Console.WriteLine($"base-url: {sim.BaseAddress}");
Console.WriteLine($"private-base-url: {sim.PrivateBaseAddress}");
Console.WriteLine($"token-url: {sim.TokenEndpoint}");
Console.WriteLine($"management-url: {sim.ManagementAddress}");
Console.WriteLine($"seed: {sim.Seed}");
Console.WriteLine($"api-version: {options.ApiVersion}");
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
