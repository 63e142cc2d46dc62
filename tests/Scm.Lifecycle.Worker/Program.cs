using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scm.Lifecycle.Worker;
using Scm.Storage;

// One engine instance as its own process, for the multi-process end-to-end test (tests/Scm.EndToEnd.Tests): a generic
// host running AddSectigoCertificateManagement + UseSqliteStorage with the hosted scheduler on the system clock.
//
// Everything comes from configuration (command line "--Key=value", environment "Sectigo__Client__Password"):
//   Sectigo:*          the engine's options (Client, InstanceName, Scheduling, Polling, Reconcile, Leases, KeyProtection,
//                      AutoRenewal, ...) exactly as a host would configure them.
//   Worker:Database    the shared SQLite file (required).
//   Worker:FullSync    SQLite synchronous=FULL (default true).
//   Worker:OrderCount / Worker:OrderStart / Worker:OrderSpread
//                      place orders for c<OrderStart>..c<OrderStart+OrderCount-1>.<Domain>, spread over OrderSpread,
//                      skipping names the store already has (so a restarted worker only places what is missing).
//   Worker:Drain / Worker:DrainTimeout
//                      run until the store has no open order left (two checks in a row), then exit 0; exit 3 on timeout.
//   Worker:Trace       print order writes, fenced writes refused, leases found lost and lifecycle events (TracingStore,
//                      EventPrinter).
//   Worker:PauseAt     AfterKeyStored | BeforePost | AfterPost: stop once there, holding the certificate's lease, until a
//                      line "continue" arrives on standard input (the F40 pause tests SIGSTOP the process meanwhile).
//   Worker:PostgreSql  a PostgreSQL connection string: the store is PostgreSQL (schema Worker:Schema) instead of the
//                      SQLite file; Worker:Database is then only a label for the logs.
// Exit codes: 0 done (drain) or stopped, 2 bad configuration or a rejected order, 3 drain timeout.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);

var settings = new WorkerSettings();
builder.Configuration.GetSection(WorkerSettings.SectionName).Bind(settings);
if (string.IsNullOrWhiteSpace(settings.Database) && string.IsNullOrWhiteSpace(settings.PostgreSql))
{
    Console.Error.WriteLine("usage: Scm.Lifecycle.Worker --Worker:Database=<sqlite file> --Sectigo:Client:BaseAddress=<url> ... (see Program.cs)");
    return 2;
}

builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.UseUtcTimestamp = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddFilter("System", LogLevel.Warning);
builder.Logging.AddFilter("Polly", LogLevel.Warning);

builder.Services.AddSingleton(settings);
var management = builder.Services.AddSectigoCertificateManagement(builder.Configuration);
if (!string.IsNullOrWhiteSpace(settings.PostgreSql))
{
    management.UsePostgreSqlStorage(settings.PostgreSql, o => o.Schema = settings.Schema);
}
else
{
    management.UseSqliteStorage(settings.Database, o =>
    {
        o.FullSync = settings.FullSync;
        o.BusyTimeout = settings.BusyTimeout;
    });
}

if (settings.Trace || settings.PauseAt != PausePoint.None)
{
    // The engine gets the store wrapped; the other store interfaces forward to IScmStore, so they see it too.
    var registered = builder.Services.Last(d => d.ServiceType == typeof(IScmStore));
    var create = registered.ImplementationFactory ?? throw new InvalidOperationException("The stores register themselves with a factory.");
    builder.Services.RemoveAll<IScmStore>();
    builder.Services.AddSingleton<IScmStore>(sp => new TracingStore((IScmStore)create(sp), settings.Trace, settings.PauseAt));
}

if (settings.Trace)
{
    management.AddEventHandler<EventPrinter>();
}

if (settings.OrderCount > 0)
{
    builder.Services.AddHostedService<OrderPlacer>();
}

if (settings.Drain)
{
    builder.Services.AddHostedService<DrainMonitor>();
}

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Scm.Lifecycle.Worker");
WorkerLog.Started(logger, Environment.ProcessId, string.IsNullOrWhiteSpace(settings.PostgreSql) ? settings.Database : "PostgreSQL schema " + settings.Schema);
try
{
    await host.RunAsync();
}
catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException)
{
    WorkerLog.StartFailed(logger, ex);
    return 2;
}

return Environment.ExitCode;
