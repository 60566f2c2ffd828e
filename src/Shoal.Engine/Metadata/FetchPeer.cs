using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Shoal.Protocol;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Metadata;

/// <summary>What a fetch connection reports to the fetcher's loop.</summary>
internal abstract record FetchEvent(FetchPeer Peer);

internal sealed record PeerReady(FetchPeer Peer, ExtensionHandshake Handshake) : FetchEvent(Peer);

internal sealed record PeerMetadataMessage(FetchPeer Peer, UtMetadataMessage Message) : FetchEvent(Peer);

internal sealed record PeerClosed(FetchPeer Peer, string Reason) : FetchEvent(Peer);

/// <summary>
/// A short-lived connection used only to fetch metadata: BEP 3 handshake with the extension bit, our BEP 10
/// handshake, then ut_metadata messages both ways; everything else the peer sends is read and dropped. The
/// fetcher's loop owns the request bookkeeping; this type only moves bytes.
/// </summary>
internal sealed class FetchPeer
{
    /// <summary>A metadata piece plus its dictionary; anything larger is not for us while fetching.</summary>
    private static readonly PeerWireLimits Limits = new() { MaxExtendedLength = 64 * 1024, MaxUnknownLength = 64 * 1024 };

    private readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _cts;
    private Socket? _socket;

    public FetchPeer(IPEndPoint endPoint, CancellationToken ct)
    {
        EndPoint = endPoint;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    /// <summary>
    /// A connection the peer opened to us, already past the BEP 3 handshake (the engine's accept path answered it):
    /// only our extension handshake and the ut_metadata exchange remain.
    /// </summary>
    public FetchPeer(Socket accepted, IPEndPoint remote, CancellationToken ct)
        : this(remote, ct)
    {
        _socket = accepted;
        IsIncoming = true;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The peer dialled us; <see cref="EndPoint"/> is then its outgoing port, not where it listens.</summary>
    public bool IsIncoming { get; }

    /// <summary>Where the peer can be dialled later: <see cref="EndPoint"/>, or for an incoming peer its announced port.</summary>
    public IPEndPoint? DialEndPoint => IsIncoming ? (ListenPort is int port ? new IPEndPoint(EndPoint.Address, port) : null) : EndPoint;

    /// <summary>The <c>p</c> of the peer's extension handshake.</summary>
    public int? ListenPort { get; set; }

    /// <summary>The id the peer wants ut_metadata sent under (from its extension handshake).</summary>
    public byte UtMetadataId { get; set; }

    /// <summary>The peer's claimed metadata size.</summary>
    public long? MetadataSize { get; set; }

    /// <summary>Outstanding requests: piece to the time it was sent (loop-owned).</summary>
    public Dictionary<int, long> Requests { get; } = [];

    public bool IsClosed => _cts.IsCancellationRequested;

    public override string ToString() => EndPoint.ToString();

    /// <summary>Queues an extended message for the peer (any thread).</summary>
    public void SendExtended(byte extendedId, byte[] payload)
    {
        var writer = new ArrayBufferWriter<byte>(payload.Length + 6);
        PeerMessageWriter.Write(writer, PeerMessage.Extended(extendedId, payload));
        _outbox.Writer.TryWrite(writer.WrittenSpan.ToArray());
    }

    public void Close()
    {
        _outbox.Writer.TryComplete();
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _socket?.Dispose();
    }

    /// <summary>Connects, handshakes and reads until closed; every outcome ends in one <see cref="PeerClosed"/>.</summary>
    public async Task RunAsync(InfoHash infoHash, PeerId ourId, MetadataFetchOptions options, ChannelWriter<FetchEvent> events)
    {
        string reason;
        try
        {
            reason = await RunCoreAsync(infoHash, ourId, options, events).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            reason = "closed";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = (ex.InnerException ?? ex).Message;
        }
        Close();
        await events.WriteAsync(new PeerClosed(this, reason)).ConfigureAwait(false);
    }

    private async Task<string> RunCoreAsync(InfoHash infoHash, PeerId ourId, MetadataFetchOptions options, ChannelWriter<FetchEvent> events)
    {
        var ct = _cts.Token;
        if (IsIncoming)
        {
            return await RunAcceptedAsync(options, events, ct).ConfigureAwait(false);
        }
        _socket = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await _socket.ConnectAsync(EndPoint, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return "connect timed out";
            }
        }
        await using var stream = new NetworkStream(_socket, ownsSocket: false);
        byte[] ours = new byte[Handshake.Length];
        new Handshake(ReservedBits.Shoal, infoHash, ourId).Write(ours);
        await stream.WriteAsync(ours, ct).ConfigureAwait(false);

        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            using var hsTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            hsTimeout.CancelAfter(options.HandshakeTimeout);
            Handshake? theirs = null;
            while (theirs is null)
            {
                ReadResult read;
                try
                {
                    read = await reader.ReadAsync(hsTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return "no handshake in time";
                }
                var buffer = read.Buffer;
                var status = Handshake.TryRead(buffer, out theirs, out int consumed, out var error);
                if (status == FrameStatus.Invalid)
                {
                    return $"bad handshake: {error.Reason}";
                }
                if (status == FrameStatus.Done)
                {
                    reader.AdvanceTo(buffer.GetPosition(consumed));
                    break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    return "closed during the handshake";
                }
            }
            if (theirs!.InfoHash != infoHash)
            {
                return "peer answered for another torrent";
            }
            if (theirs.PeerId == ourId)
            {
                return "connected to ourselves";
            }
            if (!theirs.Reserved.SupportsExtensionProtocol)
            {
                return "peer does not support the extension protocol";
            }
            SendExtended(ExtensionHandshake.MessageId, LocalExtensions.CreateHandshake(false, null, options.ListenPort).Encode());
            _ = Task.Run(() => SendLoopAsync(stream, ct), ct);
            return await ReceiveLoopAsync(reader, events, ct).ConfigureAwait(false);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task<string> RunAcceptedAsync(MetadataFetchOptions options, ChannelWriter<FetchEvent> events, CancellationToken ct)
    {
        await using var stream = new NetworkStream(_socket!, ownsSocket: false);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            SendExtended(ExtensionHandshake.MessageId, LocalExtensions.CreateHandshake(false, null, options.ListenPort).Encode());
            _ = Task.Run(() => SendLoopAsync(stream, ct), ct);
            return await ReceiveLoopAsync(reader, events, ct).ConfigureAwait(false);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task<string> ReceiveLoopAsync(PipeReader reader, ChannelWriter<FetchEvent> events, CancellationToken ct)
    {
        while (true)
        {
            var read = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = read.Buffer;
            while (true)
            {
                var status = PeerMessageReader.TryRead(ref buffer, out var message, out var error, Limits);
                if (status == FrameStatus.NeedMore)
                {
                    break;
                }
                if (status == FrameStatus.Invalid)
                {
                    return $"protocol violation: {error.Reason}";
                }
                if (message.Id != MessageId.Extended)
                {
                    continue; // bitfield, have, have-all...: the pieces are for the download that follows
                }
                if (message.ExtendedId == ExtensionHandshake.MessageId)
                {
                    if (!ExtensionHandshake.TryParse(message.Payload, out var hs, out string? hsError))
                    {
                        return hsError!;
                    }
                    await events.WriteAsync(new PeerReady(this, hs!), ct).ConfigureAwait(false);
                }
                else if (message.ExtendedId == LocalExtensions.UtMetadataId)
                {
                    if (!UtMetadata.TryDecode(message.Payload, out var m, out string? mError))
                    {
                        return mError!;
                    }
                    await events.WriteAsync(new PeerMetadataMessage(this, m), ct).ConfigureAwait(false);
                }
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                return "peer closed the connection";
            }
        }
    }

    private async Task SendLoopAsync(Stream stream, CancellationToken ct)
    {
        try
        {
            await foreach (byte[] bytes in _outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            Close();
        }
    }
}
