using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace Scm.Testing.Tests;

public sealed class HostProcessTests
{
    private static string HostDll()
    {
        // tests/Scm.Testing.Tests/bin/<Configuration>/net10.0/ -> samples/Scm.Simulator.Host/bin/<Configuration>/net10.0/
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = baseDir.Name;
        var configuration = baseDir.Parent!.Name;
        var root = baseDir;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scm.Sdk.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var dll = Path.Combine(root.FullName, "samples", "Scm.Simulator.Host", "bin", configuration, framework, "Scm.Simulator.Host.dll");
        Assert.True(File.Exists(dll), $"host not built at {dll}");
        return dll;
    }

    [Fact]
    public async Task Host_StartedAsChildProcess_PrintsCredentialsAndServesAuthenticatedCalls()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll());
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--seed");
        start.ArgumentList.Add("77");
        start.ArgumentList.Add("--api-version");
        start.ArgumentList.Add("admin25.9");
        using var process = Process.Start(start)!;
        try
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    Assert.Fail("host exited before it was ready: " + await process.StandardError.ReadToEndAsync(timeout.Token));
                }

                if (line == "ready (Ctrl+C or SIGTERM to stop)")
                {
                    break;
                }

                var colon = line.IndexOf(": ", StringComparison.Ordinal);
                if (colon > 0)
                {
                    values[line[..colon]] = line[(colon + 2)..];
                }
            }

            Assert.Equal("77", values["seed"]);
            Assert.Equal("Admin25_9", values["api-version"]);
            var baseUrl = new Uri(values["base-url"]);
            Assert.Equal("127.0.0.1", baseUrl.Host);
            Assert.EndsWith("/auth/realms/apiclients/protocol/openid-connect/token", values["token-url"], StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Add("login", values["login"]);
            http.DefaultRequestHeaders.Add("password", values["password"]);
            http.DefaultRequestHeaders.Add("customerUri", values["customer-uri"]);
            using var response = await http.GetAsync("ssl/v1/types");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var managedBy = await http.GetAsync("organization/v1/managed-by/MRAO");
            Assert.Equal(HttpStatusCode.OK, managedBy.StatusCode);
            http.DefaultRequestHeaders.Remove("password");
            http.DefaultRequestHeaders.Add("password", "wrong");
            using var refused = await http.GetAsync("ssl/v1/types");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                await kill.WaitForExitAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                Assert.Equal(0, process.ExitCode);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }
}
