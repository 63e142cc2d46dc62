using System.Runtime.InteropServices;
using Scm.Samples.Console;
using Spectre.Console;

// scm: a command-line tool for Sectigo Certificate Manager built on Scm.Lifecycle.
// `dotnet run --project samples/Scm.Samples.Console -- demo` shows the whole lifecycle against the built-in simulator.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

var output = AnsiConsole.Console;
var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

// Redirected (a log, a pipe, CI): no terminal width to honour; keep tables readable and every error on one line.
if (Console.IsOutputRedirected)
{
    output.Profile.Width = 160;
}

if (Console.IsErrorRedirected)
{
    error.Profile.Width = 4096;
}

return await Cli.RunAsync(args, output, error, environment: null, cancellation.Token);
