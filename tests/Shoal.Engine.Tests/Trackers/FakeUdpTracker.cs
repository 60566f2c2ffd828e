using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Tests.Trackers;

/// <summary>
/// A UDP tracker on a real loopback socket whose replies are scripted per request: the script gets the request
/// number and bytes and returns the datagrams to send back (none = ignore it).
/// </summary>
internal sealed class FakeUdpTracker : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly Func<int, byte[], IEnumerable<byte[]>> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<byte[]> _requests = [];

    public FakeUdpTracker(Func<int, byte[], IEnumerable<byte[]>> script, IPAddress? address = null)
    {
        _script = script;
        address ??= IPAddress.Loopback;
        _udp = new UdpClient(new IPEndPoint(address, 0));
        _loop = LoopAsync();
    }

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public string AnnounceUrl => _udp.Client.AddressFamily == AddressFamily.InterNetworkV6
        ? $"udp://[::1]:{Port}/announce"
        : $"udp://127.0.0.1:{Port}/announce";

    public IReadOnlyList<byte[]> Requests { get { lock (_requests) { return [.. _requests]; } } }

    public int CountActions(UdpTrackerAction action) =>
        Requests.Count(r => r.Length >= 12 && BinaryPrimitives.ReadInt32BigEndian(r.AsSpan(8)) == (int)action);

    /// <summary>A tracker that answers everything correctly with the given peers.</summary>
    public static Func<int, byte[], IEnumerable<byte[]>> Honest(params IPEndPoint[] peers) => (_, req) => [Answer(req, peers)];

    /// <summary>The correct answer to a connect or announce request.</summary>
    public static byte[] Answer(byte[] req, IPEndPoint[] peers, int interval = 1800)
    {
        int tid = TransactionId(req);
        if (IsConnect(req))
        {
            var c = Header(UdpTrackerAction.Connect, tid, 8);
            BinaryPrimitives.WriteInt64BigEndian(c.AsSpan(8), 0x0BADF00D);
            return c;
        }
        var action = (UdpTrackerAction)BinaryPrimitives.ReadInt32BigEndian(req.AsSpan(8));
        if (action == UdpTrackerAction.Scrape)
        {
            int n = (req.Length - 16) / 20;
            var s = Header(UdpTrackerAction.Scrape, tid, 12 * n);
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(s.AsSpan(8 + (12 * i)), 3);
                BinaryPrimitives.WriteInt32BigEndian(s.AsSpan(12 + (12 * i)), 10);
                BinaryPrimitives.WriteInt32BigEndian(s.AsSpan(16 + (12 * i)), 4);
            }
            return s;
        }
        byte[] compact = CompactPeers.Encode(peers);
        var a = Header(UdpTrackerAction.Announce, tid, 12 + compact.Length);
        BinaryPrimitives.WriteInt32BigEndian(a.AsSpan(8), interval);
        BinaryPrimitives.WriteInt32BigEndian(a.AsSpan(12), 2);
        BinaryPrimitives.WriteInt32BigEndian(a.AsSpan(16), 1);
        compact.CopyTo(a, 20);
        return a;
    }

    public static byte[] Error(byte[] req, string message)
    {
        byte[] m = Encoding.UTF8.GetBytes(message);
        var e = Header(UdpTrackerAction.Error, TransactionId(req), m.Length);
        m.CopyTo(e, 8);
        return e;
    }

    public static bool IsConnect(byte[] req) =>
        req.Length >= 16 && BinaryPrimitives.ReadInt64BigEndian(req) == UdpTrackerPackets.ProtocolId;

    public static int TransactionId(byte[] req) => BinaryPrimitives.ReadInt32BigEndian(req.AsSpan(12));

    private static byte[] Header(UdpTrackerAction action, int tid, int extra)
    {
        var p = new byte[8 + extra];
        BinaryPrimitives.WriteInt32BigEndian(p, (int)action);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(4), tid);
        return p;
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _udp.ReceiveAsync(_stop.Token);
                int index;
                lock (_requests)
                {
                    _requests.Add(received.Buffer);
                    index = _requests.Count - 1;
                }
                foreach (byte[] reply in _script(index, received.Buffer))
                {
                    await _udp.SendAsync(reply, received.RemoteEndPoint, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _udp.Dispose();
        _stop.Dispose();
    }
}
