using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>What the scripted peer does once the client under test has connected and sent its handshake.</summary>
public enum HostileScenario
{
    /// <summary>Honest seeder whose writes split messages at random byte boundaries and chain several into one write.</summary>
    SplitAndChained,
    WrongInfoHash,
    /// <summary>A length prefix of 0xFFFFFFFF (4 GiB - 1).</summary>
    HugeLengthPrefix,
    BitfieldWrongSize,
    BitfieldSpareBits,
    HaveOutOfRange,
    /// <summary>Asks for 32 KiB in one request (the limit every client enforces is 16 KiB).</summary>
    RequestTooLarge,
    /// <summary>Sends a (correct) block the client never asked for.</summary>
    UnrequestedPiece,
}

/// <summary>
/// A scripted BitTorrent peer on a raw loopback socket, which the client under test dials. It plays one
/// <see cref="HostileScenario"/> on every connection and records what happened, notably whether the client closed
/// the connection.
/// </summary>
public sealed partial class HostilePeer : IDisposable
{
    private const int Block = 16 * 1024;
    private static readonly byte[] ProtocolName = Encoding.ASCII.GetBytes("BitTorrent protocol");

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly byte[] _infoHash;
    private readonly byte[] _peerId;
    private readonly Task _acceptLoop;
    private int _connections;
    private int _closedByRemote;
    private long _bytesServed;

    private HostilePeer(HostileScenario scenario, TestTorrent torrent, byte[] content)
    {
        Scenario = scenario;
        Torrent = torrent;
        Content = content;
        _infoHash = Convert.FromHexString(torrent.InfoHash);
        _peerId = Encoding.ASCII.GetBytes("-HO0001-" + Guid.NewGuid().ToString("N")[..12]);
        if (scenario == HostileScenario.BitfieldSpareBits && torrent.PieceCount % 8 == 0)
        {
            throw new ArgumentException("spare bits need a piece count that is not a multiple of 8", nameof(torrent));
        }
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public HostileScenario Scenario { get; }

    public TestTorrent Torrent { get; }

    /// <summary>The torrent's bytes in piece order (served by <see cref="HostileScenario.SplitAndChained"/>).</summary>
    public byte[] Content { get; }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections the client closed (or reset) while this peer still had them open.</summary>
    public int ClosedByRemote => Volatile.Read(ref _closedByRemote);

    public long BytesServed => Interlocked.Read(ref _bytesServed);

    public IReadOnlyCollection<string> Events => _events.ToArray();

    /// <summary>Starts listening on 127.0.0.1 (any free port).</summary>
    public static HostilePeer Start(HostileScenario scenario, TestTorrent torrent, byte[] content) =>
        new(scenario, torrent, content);

    /// <summary>Waits until the client has closed at least one connection to this peer.</summary>
    public async Task<bool> WaitForRemoteCloseAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ClosedByRemote == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        return ClosedByRemote > 0;
    }

    public string Describe() =>
        $"hostile peer {Endpoint} scenario {Scenario}: {Connections} connection(s), {ClosedByRemote} closed by the client, "
        + $"{BytesServed} payload bytes served\n  " + string.Join("\n  ", Events);

    private void Log(string text) => _events.Enqueue($"{_clock.Elapsed.TotalSeconds,7:0.000}s {text}");

    private async Task AcceptLoopAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                int id = Interlocked.Increment(ref _connections);
                handlers.Add(Task.Run(() => HandleAsync(client, id)));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
        await Task.WhenAll(handlers);
    }

    private async Task HandleAsync(TcpClient client, int id)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(TimeSpan.FromSeconds(150));
        var ct = cts.Token;
        Log($"#{id} accepted from {client.Client.RemoteEndPoint}");
        try
        {
            var handshake = new byte[68];
            await stream.ReadExactlyAsync(handshake, ct);
            if (handshake[0] != 19 || !handshake.AsSpan(1, 19).SequenceEqual(ProtocolName)
                || !handshake.AsSpan(28, 20).SequenceEqual(_infoHash))
            {
                Log($"#{id} unexpected handshake from the client: {Convert.ToHexString(handshake)}");
                return;
            }
            Log($"#{id} client handshake ok (reserved {Convert.ToHexString(handshake.AsSpan(20, 8))})");
            await PlayAsync(stream, id, ct);
            await DrainUntilClosedAsync(stream, id, ct);
        }
        catch (OperationCanceledException)
        {
            Log($"#{id} still open when the peer stopped");
        }
        catch (InvalidDataException e)
        {
            Log($"#{id} gave up: {e.Message}");
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException)
        {
            Interlocked.Increment(ref _closedByRemote);
            Log($"#{id} closed by the client ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>Reads (and ignores) until the client closes; end of stream counts as a close by the client.</summary>
    private async Task DrainUntilClosedAsync(NetworkStream stream, int id, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        while (true)
        {
            int n = await stream.ReadAsync(buffer, ct);
            if (n == 0)
            {
                Interlocked.Increment(ref _closedByRemote);
                Log($"#{id} closed by the client (end of stream after {total} more bytes)");
                return;
            }
            total += n;
        }
    }

    private byte[] Handshake(bool wrongInfoHash)
    {
        var h = new byte[68];
        h[0] = 19;
        ProtocolName.CopyTo(h, 1);
        _infoHash.CopyTo(h, 28);
        if (wrongInfoHash)
        {
            for (int i = 28; i < 48; i++)
            {
                h[i] ^= 0xA5;
            }
        }
        _peerId.CopyTo(h, 48);
        return h;
    }

    private byte[] FullBitfield(int extraBytes = 0, bool spareBits = false)
    {
        int n = (Torrent.PieceCount + 7) / 8;
        var bits = new byte[n + extraBytes];
        for (int i = 0; i < Torrent.PieceCount; i++)
        {
            bits[i / 8] |= (byte)(0x80 >> (i % 8));
        }
        if (spareBits)
        {
            bits[n - 1] = 0xFF;
        }
        return Message(5, bits);
    }

    private static byte[] Message(byte id, ReadOnlySpan<byte> payload)
    {
        var m = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(m, (uint)(1 + payload.Length));
        m[4] = id;
        payload.CopyTo(m.AsSpan(5));
        return m;
    }

    private static byte[] Ints(byte id, params int[] values)
    {
        var payload = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(i * 4), values[i]);
        }
        return Message(id, payload);
    }

    private static async Task SendAsync(NetworkStream stream, CancellationToken ct, params byte[][] messages)
    {
        foreach (var m in messages)
        {
            await stream.WriteAsync(m, ct);
        }
        await stream.FlushAsync(ct);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // a handler failed after the test had its answer; its events are already recorded
        }
        _stop.Dispose();
    }
}
