using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Engine.Tests.Trackers;

/// <summary>What the fake HTTP tracker does with one request.</summary>
internal abstract record HttpReply
{
    public static HttpReply Body(byte[] body, int status = 200) => new BodyReply(status, body);

    public static HttpReply Body(string body, int status = 200) => new BodyReply(status, Encoding.Latin1.GetBytes(body));

    public static HttpReply Redirect(string location) => new RedirectReply(location);

    /// <summary>Reads the request and never answers (until the server is disposed).</summary>
    public static HttpReply Hang { get; } = new HangReply();

    /// <summary>Streams this many bytes of body without a Content-Length.</summary>
    public static HttpReply Endless(long bytes) => new EndlessReply(bytes);
}

internal sealed record BodyReply(int Status, byte[] Content) : HttpReply;

internal sealed record RedirectReply(string Location) : HttpReply;

internal sealed record HangReply : HttpReply;

internal sealed record EndlessReply(long Bytes) : HttpReply;

/// <summary>
/// A tiny HTTP/1.1 responder on a real loopback socket: one request per connection, canned replies chosen by the
/// request target. Records the targets it saw.
/// </summary>
internal sealed class LoopbackHttpTracker : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, HttpReply> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<string> _requests = [];

    public LoopbackHttpTracker(Func<string, HttpReply> handler, IPAddress? address = null)
    {
        _handler = handler;
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Host => ((IPEndPoint)_listener.LocalEndpoint).AddressFamily == AddressFamily.InterNetworkV6 ? "[::1]" : "127.0.0.1";

    public string AnnounceUrl => $"http://{Host}:{Port}/announce";

    public IReadOnlyList<string> Requests { get { lock (_requests) { return [.. _requests]; } } }

    private async Task AcceptLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            string target = await ReadRequestTargetAsync(stream, _stop.Token);
            lock (_requests)
            {
                _requests.Add(target);
            }
            switch (_handler(target))
            {
                case BodyReply b:
                    await WriteAsync(stream, $"HTTP/1.1 {b.Status} Canned\r\nContent-Length: {b.Content.Length}\r\nConnection: close\r\n\r\n", b.Content);
                    break;
                case RedirectReply r:
                    await WriteAsync(stream, $"HTTP/1.1 302 Found\r\nLocation: {r.Location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", []);
                    break;
                case HangReply:
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                case EndlessReply e:
                    await WriteAsync(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", []);
                    byte[] chunk = new byte[64 * 1024];
                    chunk.AsSpan().Fill((byte)'x');
                    for (long sent = 0; sent < e.Bytes; sent += chunk.Length)
                    {
                        await stream.WriteAsync(chunk, _stop.Token);
                    }
                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The client went away (timeout, size cap): that is what some tests want.
        }
    }

    private async Task WriteAsync(NetworkStream stream, string head, byte[] body)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
        await stream.WriteAsync(body, _stop.Token);
    }

    private static async Task<string> ReadRequestTargetAsync(NetworkStream stream, CancellationToken ct)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && head.Length < 64 * 1024)
        {
            int n = await stream.ReadAsync(buffer, ct);
            if (n == 0)
            {
                break;
            }
            head.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        string firstLine = head.ToString().Split("\r\n")[0];
        string[] parts = firstLine.Split(' ');
        return parts.Length >= 2 ? parts[1] : "";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
