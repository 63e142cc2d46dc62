using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using Scm.Scheduling.Quartz.Worker;
using Scm.Storage;


// One engine host as its own process, for the Quartz cluster tests (tests/Scm.Scheduling.Quartz.Tests): the engine on
// the PostgreSQL store with UseQuartzScheduling, exactly as a host wires it, plus what the tests observe.
//
// Configuration (command line "--Key=value", environment):
//   Sectigo:*                  the engine's options (Client pointing at the test's simulator, Scheduling:JobLeaseDuration, ...).
//   Quartz:*                   QuartzSchedulingOptions (cron expressions, Schema, TablePrefix, cluster check-in, retries).
//   Worker:ConnectionString    the PostgreSQL server (the store and Quartz).
//   Worker:StoreSchema         the store's schema.
//   Worker:RecordTable         a table (schema.name) every job firing is written to: see FireRecorder.
//   Worker:HoldLease           a store lease name (e.g. job:StatusCheck:default): the first process in the whole test to
//                              acquire it (claimed in Worker:HoldTable) keeps it and never returns, so the test can
//                              kill it while its job runs.
//   Worker:HoldTable           the claim table (schema.name) for Worker:HoldLease.
// Standard output, one line each, written before the thing it announces is observable elsewhere:
//   READY instance=<id>                              the scheduler has started
//   FIRE job=.. trigger=.. scheduled=.. recovering=.. retry=.. instance=..   a job is about to run
//   DONE job=.. trigger=.. scheduled=.. ran=.. error=.. instance=..         it has finished
//   HOLD lease=.. owner=..                           this process holds the lease and will not go on
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
var settings = new WorkerSettings();
builder.Configuration.GetSection("Worker").Bind(settings);
if (string.IsNullOrWhiteSpace(settings.ConnectionString) || string.IsNullOrWhiteSpace(settings.StoreSchema) || string.IsNullOrWhiteSpace(settings.RecordTable))
{
    Console.Error.WriteLine("usage: Scm.Scheduling.Quartz.Worker --Worker:ConnectionString=.. --Worker:StoreSchema=.. --Worker:RecordTable=.. [--Quartz:..] [--Sectigo:..]");
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
builder.Logging.AddFilter("Scm.Client", LogLevel.Warning);

builder.Services.AddSingleton(settings);
builder.Services
    .AddSectigoCertificateManagement(builder.Configuration)
    .UsePostgreSqlStorage(settings.ConnectionString, o => o.Schema = settings.StoreSchema)
    .UseQuartzScheduling(builder.Configuration.GetSection("Quartz"), o => o.ConnectionString = settings.ConnectionString);

if (!string.IsNullOrWhiteSpace(settings.HoldLease))
{
    // The store behind the engine, wrapped: the PostgreSQL store exactly as UsePostgreSqlStorage made it.
    var inner = builder.Services.Last(d => d.ServiceType == typeof(IScmStore));
    builder.Services.Replace(ServiceDescriptor.Singleton<IScmStore>(sp =>
        new HoldingStore((IScmStore)inner.ImplementationFactory!(sp), settings)));
}

builder.Services.AddSingleton<FireRecorder>();
builder.Services.ConfigureAllQuartzSchedulers(q =>
{
    q.AddJobListener(sp => sp.GetRequiredService<FireRecorder>(), [GroupMatcher<JobKey>.AnyGroup()]);
    q.AddSchedulerListener(sp => sp.GetRequiredService<FireRecorder>());
});

using var host = builder.Build();
try
{
    await host.RunAsync();
}
catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or SchedulerException)
{
    Console.Error.WriteLine("start failed: " + ex.Message);
    return 2;
}

return 0;
