using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Scm.Samples.Tests;

/// <summary>The tool as a process, where that is the point: `scm simulator` runs until a signal; errors go to stderr.</summary>
public sealed partial class ProcessTests
{
    private static string ToolPath => Path.Combine(AppContext.BaseDirectory, "scm.dll");

    [SkippableFact]
    public async Task Simulator_AsProcess_PrintsUrlAndCredentials_ServesCommands_StopsOnSigterm()
    {
        Skip.If(OperatingSystem.IsWindows(), "SIGTERM is a POSIX signal.");
        using var process = Start("simulator", "--port", "0");
        try
        {
            var lines = new List<string>();
            string? url = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("ended early: " + string.Join("\n", lines) + await process.StandardError.ReadToEndAsync());
                lines.Add(line);
                if (line.StartsWith("url: ", StringComparison.Ordinal))
                {
                    url = line["url: ".Length..].Trim();
                }

                if (line.StartsWith("ready", StringComparison.Ordinal))
                {
                    break;
                }
            }

            var printed = string.Join("\n", lines);
            Assert.Matches(UrlPattern(), url!);
            foreach (var expected in new[] { "API base URL", "OAuth2 token URL", "/auth/realms/apiclients/protocol/openid-connect/token", "Login", "Password", "Customer URI", "sim-admin" })
            {
                Assert.Contains(expected, printed, StringComparison.Ordinal);
            }

            var folder = Path.Combine(Path.GetTempPath(), "scm-cli-process-" + Guid.NewGuid().ToString("N"));
            try
            {
                var check = await CliRun.RunAsync(["--simulator-url", url!, "--store", Path.Combine(folder, "scm.db"), "account", "check"], CliRun.Isolated(keyFile: Path.Combine(folder, "k.key")));
                Assert.True(check.ExitCode == 0, check.ToString());
                Assert.Contains("Account ready", check.Output, StringComparison.Ordinal);
            }
            finally
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("stopped", await process.StandardOutput.ReadToEndAsync(), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task BadUsage_AsProcess_ExitsTwo_OneLineOnStandardError()
    {
        using var process = Start("order", "--cn", "www.acme.example", "--org", "2001", "--profile", "102", "--term", "365", "--keystore", "zip");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, process.ExitCode);
        Assert.Equal(string.Empty, output.Trim());
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: Argument 'zip' not recognized. Must be one of: 'pem' 'pkcs12' 'jks'", line, StringComparison.Ordinal);
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing from this machine's configuration: no SCM account, no colors.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Sectigo__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["NO_COLOR"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }

    [GeneratedRegex(@"^http://127\.0\.0\.1:\d+$")]
    private static partial Regex UrlPattern();
}
