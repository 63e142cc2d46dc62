using System.Net;
using System.Net.Sockets;
using WireMock;
using WireMock.Server;
using WireMock.Settings;

namespace Scm.Client.Tests.Infrastructure;

/// <summary>A WireMock server on 127.0.0.1 standing in for SCM.</summary>
internal sealed class ScmServer : IDisposable
{
    private ScmServer(WireMockServer server, int port)
    {
        Server = server;
        Port = port;
    }

    public WireMockServer Server { get; }

    public int Port { get; }

    public Uri Root => new($"http://127.0.0.1:{Port}");

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/api");

    public IReadOnlyList<IRequestMessage> Requests => Server.LogEntries.Select(e => e.RequestMessage).ToList();

    public static ScmServer Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"], StartAdminInterface = false });
        return new ScmServer(server, port);
    }

    public IRequestMessage Single()
    {
        var all = Requests;
        Assert.Single(all);
        return all[0];
    }

    public static string Header(IRequestMessage request, string name) =>
        request.Headers!.First(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value.Single();

    public static bool HasHeader(IRequestMessage request, string name) =>
        request.Headers!.Any(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));

    public void Dispose() => Server.Stop();
}
