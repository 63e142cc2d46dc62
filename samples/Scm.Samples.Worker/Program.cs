using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Scm.Samples.Worker;

// A Generic Host worker that keeps certificates from Sectigo Certificate Manager (SCM) ordered, collected, deployed and
// renewed. Configuration: appsettings.json (and appsettings.{Environment}.json) next to the program, user secrets in
// Development, environment variables (Sectigo__Client__Password=...) and the command line (--Sectigo:Client:Login=...).
//
// Against a standalone simulator, no SCM account needed:
//   dotnet run --project samples/Scm.Simulator.Host -- --port 5080
//   dotnet run --project samples/Scm.Samples.Worker -- --environment Simulator
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

try
{
    using var host = await SampleWorker.BuildAsync(builder);
    await host.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // The SDK validates every option at start and names the bad ones (never their secret values).
    Console.Error.WriteLine("Configuration error: " + ex.Message);
    return 2;
}
catch (WorkerConfigurationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
