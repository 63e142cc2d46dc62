using System.Net.Http.Json;
using System.Text.Json;

namespace Scm.Samples.Worker;

/// <summary>
/// Simulator mode: reads a running SCM simulator's API address and credentials from its management API
/// (<c>GET /__scmsim/info</c>) and turns them into <c>Sectigo:Client</c> settings. Loopback addresses only.
/// </summary>
public static class SimulatorConnection
{
    /// <summary>Reads the simulator's connection settings.</summary>
    /// <param name="simulatorUrl">The simulator's root address, for example <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="time">The clock for the request timeout.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Configuration keys and values for the <c>Sectigo:Client</c> section.</returns>
    /// <exception cref="WorkerConfigurationException">The address is not a loopback http(s) address, or no simulator answers there.</exception>
    public static Task<IReadOnlyDictionary<string, string?>> ReadClientSettingsAsync(string simulatorUrl, TimeProvider time, CancellationToken cancellationToken = default) =>
        ReadClientSettingsAsync(simulatorUrl, "Sectigo:Client", time, cancellationToken);

    /// <summary>Reads the simulator's connection settings for one of several accounts.</summary>
    /// <param name="simulatorUrl">The simulator's root address, for example <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="clientSection">The section the settings go to, for example <c>Sectigo:Accounts:acme:Client</c>.</param>
    /// <param name="time">The clock for the request timeout.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Configuration keys and values for that section.</returns>
    /// <exception cref="WorkerConfigurationException">The address is not a loopback http(s) address, or no simulator answers there.</exception>
    public static async Task<IReadOnlyDictionary<string, string?>> ReadClientSettingsAsync(string simulatorUrl, string clientSection, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientSection);
        ArgumentNullException.ThrowIfNull(time);
        if (!Uri.TryCreate(simulatorUrl, UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https") || !root.IsLoopback)
        {
            throw new WorkerConfigurationException($"Worker:Simulator must be the simulator's loopback address, such as http://127.0.0.1:5080; got '{simulatorUrl}'.");
        }

        var info = new Uri(root, "/__scmsim/info");
        using var http = new HttpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        JsonElement body;
        try
        {
            body = await http.GetFromJsonAsync<JsonElement>(info, linked.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new WorkerConfigurationException(
                $"No SCM simulator answers at {root.GetLeftPart(UriPartial.Authority)}; start one with `dotnet run --project samples/Scm.Simulator.Host -- --port {root.Port}`.", ex);
        }

        var credentials = body.GetProperty("credentials");
        return new Dictionary<string, string?>
        {
            [clientSection + ":AuthenticationMode"] = "Password",
            [clientSection + ":BaseAddress"] = body.GetProperty("baseAddress").GetString(),
            [clientSection + ":Login"] = credentials.GetProperty("login").GetString(),
            [clientSection + ":Password"] = credentials.GetProperty("password").GetString(),
            [clientSection + ":CustomerUri"] = credentials.GetProperty("customerUri").GetString(),
        };
    }
}

/// <summary>The worker's own configuration cannot be used (for example no simulator answers at <c>Worker:Simulator</c>).</summary>
public sealed class WorkerConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The cause, if any.</param>
    public WorkerConfigurationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
