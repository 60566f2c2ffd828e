using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

/// <summary>
/// One handshaken TCP connection to a peer, run by two loops: receive (socket -> pipe -> framed messages -> the
/// torrent's sink) and send (a queue filled by the torrent loop, drained in batches to the socket). The connection
/// knows nothing of torrent state; it frames bytes and enforces message shapes. See Peers/README.md.
/// </summary>
public sealed partial class PeerConnection
{
    /// <summary>Socket buffer size: large, so a loopback or long fat pipe keeps many blocks in flight.</summary>
    internal const int SocketBufferSize = 4 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<OutgoingMessage> _outbox =
        Channel.CreateUnbounded<OutgoingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _cts = new();
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IPeerTraceSink? _trace;
    private IPeerEventSink? _sink;
    private PeerMessageValidator? _validator;
    private PeerWireLimits _limits = PeerWireLimits.Default;
    private int _closed;
    private long _lastReceivedTicks;
    private long _lastSentTicks;

    internal PeerConnection(Socket socket, IPEndPoint remote, bool outgoing, PeerId remoteId, ReservedBits remoteReserved,
        TimeProvider time, ILogger log, IPeerTraceSink? trace)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        RemoteEndPoint = remote;
        IsOutgoing = outgoing;
        RemotePeerId = remoteId;
        RemoteReserved = remoteReserved;
        _time = time;
        _log = log;
        _trace = trace;
        _lastReceivedTicks = _lastSentTicks = time.GetTimestamp();
    }

    public IPEndPoint RemoteEndPoint { get; }

    public bool IsOutgoing { get; }

    public PeerId RemotePeerId { get; }

    /// <summary>The peer's reserved handshake bits (extensions it supports).</summary>
    public ReservedBits RemoteReserved { get; }

    /// <summary>Piece payload bytes received.</summary>
    public RateMeter Download { get; } = new();

    /// <summary>Piece payload bytes sent.</summary>
    public RateMeter Upload { get; } = new();

    /// <summary>Rate limits for piece payload (the torrent's group, charging the engine's); null = none. Set before <see cref="Start"/>.</summary>
    internal BandwidthGroup? Bandwidth { get; set; }

    /// <summary>Set once the connection has ended.</summary>
    public PeerDisconnect? Disconnect { get; private set; }

    /// <summary>Time since anything arrived from the peer.</summary>
    public TimeSpan SinceLastReceive => _time.GetElapsedTime(Interlocked.Read(ref _lastReceivedTicks));

    /// <summary>Time since we last wrote to the peer.</summary>
    public TimeSpan SinceLastSend => _time.GetElapsedTime(Interlocked.Read(ref _lastSentTicks));

    /// <summary>Messages queued but not yet written to the socket.</summary>
    public int QueuedMessages => _outbox.Reader.Count;

    public override string ToString() => RemoteEndPoint.ToString();

    /// <summary>Starts both loops. Messages are checked against <paramref name="lengths"/> and go to <paramref name="sink"/>.</summary>
    internal void Start(IPeerEventSink sink, TorrentLengths lengths)
    {
        _sink = sink;
        _validator = new PeerMessageValidator(lengths);
        // A bitfield longer than this torrent's is refused at its length prefix, before its bytes are buffered;
        // messages we do not speak are skipped but bounded at 256 KiB.
        _limits = new PeerWireLimits
        {
            MaxBitfieldLength = BitField.ByteLengthFor(lengths.PieceCount),
            MaxExtendedLength = 256 * 1024,
            MaxUnknownLength = 256 * 1024,
        };
        _ = Task.Run(ReceiveLoopAsync);
        _ = Task.Run(SendLoopAsync);
    }

    /// <summary>Queues a message. Safe from any thread; ignored once closed (pooled payloads are returned).</summary>
    internal void Send(in OutgoingMessage message)
    {
        if (Volatile.Read(ref _closed) != 0 || !_outbox.Writer.TryWrite(message))
        {
            ReturnPayload(message);
        }
    }

    /// <summary>Ends the connection with a reason. Idempotent; the first reason wins and reaches the sink once.</summary>
    internal void Close(PeerDisconnect reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        Disconnect = reason;
        _outbox.Writer.TryComplete();
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        _stream.Dispose();
        // Drain queued pooled payloads.
        while (_outbox.Reader.TryRead(out var m))
        {
            ReturnPayload(m);
        }
        _log.LogDebug("peer {Peer} disconnected: {Reason}", RemoteEndPoint, reason);
        _sink?.OnClosed(this, reason);
    }

    private static void ReturnPayload(in OutgoingMessage m)
    {
        if (m.Id == MessageId.Piece && m.Payload is not null)
        {
            BlockBuffers.Return(m.Payload);
        }
    }

    private void Trace(bool outgoing, string text) => _trace?.OnMessage(_time.GetUtcNow(), RemoteEndPoint, outgoing, text);

    internal static void Tune(Socket socket)
    {
        socket.NoDelay = true;
        socket.ReceiveBufferSize = SocketBufferSize;
        socket.SendBufferSize = SocketBufferSize;
    }
}
