using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>How a <see cref="RawHttpTracker"/> misbehaves.</summary>
public enum TrackerMisbehaviour
{
    /// <summary>200 with an HTML body.</summary>
    Junk,
    /// <summary>HTTP 500.</summary>
    ServerError,
    /// <summary>302 to itself, forever.</summary>
    RedirectLoop,
    /// <summary>Reads the request and never answers.</summary>
    Silent,
    /// <summary>A valid response listing a million compact peers (6 MB).</summary>
    MillionPeers,
}

/// <summary>
/// A hostile HTTP tracker on a raw loopback socket (no HTTP library, so it can send anything): one behaviour for
/// every request. Connections are held until disposal for <see cref="TrackerMisbehaviour.Silent"/>.
/// </summary>
public sealed class RawHttpTracker : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TrackerMisbehaviour _mode;
    private int _requests;

    public RawHttpTracker(TrackerMisbehaviour mode)
    {
        _mode = mode;
        _listener.Start();
        _ = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string AnnounceUrl => $"http://127.0.0.1:{Port}/announce";

    public int Requests => Volatile.Read(ref _requests);

    public override string ToString() => $"{_mode} tracker {AnnounceUrl}: {Requests} request(s)";

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var ct = _stop.Token;
        try
        {
            var stream = client.GetStream();
            string target = await ReadRequestTargetAsync(stream, ct);
            Interlocked.Increment(ref _requests);
            switch (_mode)
            {
                case TrackerMisbehaviour.Junk:
                    await WriteAsync(stream, "200 OK", "text/html", Encoding.ASCII.GetBytes("<html><body>not a tracker</body></html>"), ct);
                    break;
                case TrackerMisbehaviour.ServerError:
                    await WriteAsync(stream, "500 Internal Server Error", "text/plain", Encoding.ASCII.GetBytes("boom"), ct);
                    break;
                case TrackerMisbehaviour.RedirectLoop:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{Port}{target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), ct);
                    break;
                case TrackerMisbehaviour.Silent:
                    await Task.Delay(Timeout.Infinite, ct);
                    break;
                case TrackerMisbehaviour.MillionPeers:
                    await WriteMillionPeersAsync(stream, ct);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task<string> ReadRequestTargetAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int have = 0;
        while (have < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(have), ct);
            if (n == 0)
            {
                break;
            }
            have += n;
            string text = Encoding.Latin1.GetString(buffer, 0, have);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                string[] first = text[..text.IndexOf('\r', StringComparison.Ordinal)].Split(' ');
                return first.Length > 1 ? first[1] : "/";
            }
        }
        return "/";
    }

    private static async Task WriteAsync(NetworkStream stream, string status, string type, byte[] body, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), ct);
        await stream.WriteAsync(body, ct);
    }

    /// <summary>Streams the body in chunks, so the tracker itself never holds 6 MB either.</summary>
    private static async Task WriteMillionPeersAsync(NetworkStream stream, CancellationToken ct)
    {
        const int peers = 1_000_000;
        byte[] head = Encoding.ASCII.GetBytes($"d8:intervali1800e5:peers{peers * 6}:");
        long length = head.Length + (peers * 6L) + 1;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"), ct);
        await stream.WriteAsync(head, ct);
        var chunk = new byte[6 * 10_000];
        for (int i = 0; i < chunk.Length; i += 6)
        {
            // 127.200.x.y:9: loopback addresses nobody listens on.
            chunk[i] = 127;
            chunk[i + 1] = 200;
            chunk[i + 2] = (byte)(i >> 8);
            chunk[i + 3] = (byte)i;
            chunk[i + 5] = 9;
        }
        for (int sent = 0; sent < peers; sent += 10_000)
        {
            await stream.WriteAsync(chunk, ct);
        }
        await stream.WriteAsync("e"u8.ToArray(), ct);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
