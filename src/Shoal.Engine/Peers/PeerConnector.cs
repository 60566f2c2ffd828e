using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

/// <summary>Opens outgoing connections and completes incoming ones: TCP, then the handshake, each under a timeout.</summary>
internal sealed class PeerConnector(PeerId ourId, TimeProvider time, ILoggerFactory loggers, IPeerTraceSink? trace,
    TimeSpan connectTimeout, TimeSpan handshakeTimeout, bool dht = false)
{
    private readonly ReservedBits _reserved = PeerHandshake.Reserved(dht);

    private readonly ILogger _log = loggers.CreateLogger<PeerConnection>();

    public PeerId OurId => ourId;

    /// <summary>Whether our handshakes carry the DHT bit (we run a DHT node and send the <c>port</c> message).</summary>
    public bool Dht => dht;

    /// <summary>Connects and handshakes. Returns the connection, or null with the reason.</summary>
    public async Task<(PeerConnection? Connection, PeerDisconnect Failure)> ConnectAsync(IPEndPoint remote, InfoHash infoHash, CancellationToken ct)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            PeerConnection.Tune(socket);
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(connectTimeout);
                try
                {
                    await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    socket.Dispose();
                    return (null, new PeerDisconnect(DisconnectReason.ConnectFailed, $"no answer within {connectTimeout.TotalSeconds:0}s"));
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    return (null, new PeerDisconnect(DisconnectReason.ConnectFailed, ex.Message));
                }
            }
            var stream = new NetworkStream(socket, ownsSocket: false);
            using var hsTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            hsTimeout.CancelAfter(handshakeTimeout);
            try
            {
                await stream.WriteAsync(PeerHandshake.Build(infoHash, ourId, _reserved), hsTimeout.Token).ConfigureAwait(false);
                var (theirHash, reserved, error) = await PeerHandshake.ReadPrefixAsync(stream, hsTimeout.Token).ConfigureAwait(false);
                if (error is not null || theirHash != infoHash)
                {
                    socket.Dispose();
                    return (null, new PeerDisconnect(DisconnectReason.HandshakeFailed, error ?? "peer answered for a different torrent"));
                }
                var theirId = await PeerHandshake.ReadPeerIdAsync(stream, hsTimeout.Token).ConfigureAwait(false);
                if (theirId is null)
                {
                    socket.Dispose();
                    return (null, new PeerDisconnect(DisconnectReason.HandshakeFailed, "connection closed before the peer id"));
                }
                if (theirId.Value == ourId)
                {
                    socket.Dispose();
                    return (null, new PeerDisconnect(DisconnectReason.SelfOrDuplicate, "connected to ourselves"));
                }
                TraceHandshakes(remote, infoHash, reserved, theirId.Value, weSentFirst: true);
                return (new PeerConnection(socket, remote, outgoing: true, theirId.Value, reserved, time, _log, trace), default);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                return (null, new PeerDisconnect(DisconnectReason.HandshakeFailed, $"no handshake within {handshakeTimeout.TotalSeconds:0}s"));
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                socket.Dispose();
                return (null, new PeerDisconnect(DisconnectReason.HandshakeFailed, (ex.InnerException ?? ex).Message));
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Completes an accepted socket: reads the 48-byte prefix, asks <paramref name="accepts"/> whether we serve that
    /// info hash, answers, then reads the peer id.
    /// </summary>
    public async Task<(PeerConnection? Connection, InfoHash? InfoHash, PeerDisconnect Failure)> AcceptAsync(Socket socket,
        Func<InfoHash, bool> accepts, CancellationToken ct)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        PeerConnection.Tune(socket);
        var stream = new NetworkStream(socket, ownsSocket: false);
        using var hsTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hsTimeout.CancelAfter(handshakeTimeout);
        try
        {
            var (infoHash, reserved, error) = await PeerHandshake.ReadPrefixAsync(stream, hsTimeout.Token).ConfigureAwait(false);
            if (error is not null)
            {
                return (null, null, new PeerDisconnect(DisconnectReason.HandshakeFailed, error));
            }
            if (!accepts(infoHash!.Value))
            {
                return (null, infoHash, new PeerDisconnect(DisconnectReason.HandshakeFailed, $"unknown info hash {infoHash.Value.ToHex()}"));
            }
            await stream.WriteAsync(PeerHandshake.Build(infoHash.Value, ourId, _reserved), hsTimeout.Token).ConfigureAwait(false);
            var theirId = await PeerHandshake.ReadPeerIdAsync(stream, hsTimeout.Token).ConfigureAwait(false);
            if (theirId is null)
            {
                return (null, infoHash, new PeerDisconnect(DisconnectReason.HandshakeFailed, "connection closed before the peer id"));
            }
            if (theirId.Value == ourId)
            {
                return (null, infoHash, new PeerDisconnect(DisconnectReason.SelfOrDuplicate, "connected to ourselves"));
            }
            TraceHandshakes(Normalize(remote), infoHash.Value, reserved, theirId.Value, weSentFirst: false);
            return (new PeerConnection(socket, Normalize(remote), outgoing: false, theirId.Value, reserved, time, _log, trace), infoHash, default);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, null, new PeerDisconnect(DisconnectReason.HandshakeFailed, $"no handshake within {handshakeTimeout.TotalSeconds:0}s"));
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return (null, null, new PeerDisconnect(DisconnectReason.HandshakeFailed, (ex.InnerException ?? ex).Message));
        }
    }

    private void TraceHandshakes(IPEndPoint remote, InfoHash infoHash, ReservedBits theirReserved, PeerId theirId, bool weSentFirst)
    {
        if (trace is null)
        {
            return;
        }
        var now = time.GetUtcNow();
        string ours = new Handshake(_reserved, infoHash, ourId).Describe();
        string theirs = new Handshake(theirReserved, infoHash, theirId).Describe();
        if (weSentFirst)
        {
            trace.OnMessage(now, remote, true, ours);
            trace.OnMessage(now, remote, false, theirs);
        }
        else
        {
            trace.OnMessage(now, remote, false, theirs);
            trace.OnMessage(now, remote, true, ours);
        }
    }

    /// <summary>Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; show them as IPv4.</summary>
    internal static IPEndPoint Normalize(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
}
