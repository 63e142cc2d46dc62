using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 for the redirect scenario (F26): it records every request's head (request
/// line and headers) and answers each with a fixed response, closing the connection. Stopped on dispose.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, string> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="respond">The raw response for a request line (status line, headers, blank line, body).</param>
    public LoopbackHttpServer(Func<string, string> respond)
    {
        _respond = respond;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptAsync();
    }

    public int Port { get; }

    public Uri Root => new($"http://127.0.0.1:{Port}");

    /// <summary>The heads of the requests received (request line and headers).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>A free loopback port with nothing listening on it (connection refused).</summary>
    public static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var head = new StringBuilder();
                var total = 0;
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && total < buffer.Length)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(0, buffer.Length - total), _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    total += read;
                }

                var text = head.ToString();
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                Requests.Enqueue(end >= 0 ? text[..end] : text);
                var length = text.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                var bodyRead = end >= 0 ? total - (end + 4) : 0;
                while (bodyRead < length)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    bodyRead += read;
                }

                var requestLine = text.Split("\r\n")[0];
                var response = Encoding.ASCII.GetBytes(_respond(requestLine));
                await stream.WriteAsync(response, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
