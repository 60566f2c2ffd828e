using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

public sealed partial class PeerConnection
{
    private const int SendBatchSize = 256 * 1024;

    /// <summary>
    /// Drains the outbox into one batch and writes it with a single gathering send, so a burst of requests or blocks
    /// costs one syscall. Small messages and block headers are written into one buffer; block payloads are sent from
    /// their own pooled buffers (no copy) and returned once the send is done. The torrent loop bounds what it queues
    /// (request depth, served requests), so the outbox stays small.
    /// </summary>
    private async Task SendLoopAsync()
    {
        byte[] batch = ArrayPool<byte>.Shared.Rent(SendBatchSize);
        var segments = new List<ArraySegment<byte>>();
        var payloads = new List<byte[]>();
        PeerDisconnect? end = null;
        try
        {
            var reader = _outbox.Reader;
            while (await reader.WaitToReadAsync(_cts.Token).ConfigureAwait(false))
            {
                int fill = 0;       // bytes written into batch
                int segmentStart = 0;
                long total = 0;     // bytes in this send, payloads included
                long payload = 0;
                while (reader.TryPeek(out var next))
                {
                    int size = next.WireLength;
                    bool isBlock = next.Id == MessageId.Piece && next.Payload is not null;
                    int inBatch = isBlock ? PeerMessageWriter.PieceHeaderSize : size;
                    if (total + size > SendBatchSize || inBatch > batch.Length - fill)
                    {
                        if (total > 0)
                        {
                            break;
                        }
                        // A message bigger than the batch (a huge bitfield): send it alone.
                        reader.TryRead(out var big);
                        var alone = new byte[size];
                        big.WriteTo(alone);
                        TraceSent(big);
                        ReturnPayload(big);
                        await SendAllAsync(alone).ConfigureAwait(false);
                        continue;
                    }
                    reader.TryRead(out var m);
                    TraceSent(m);
                    if (isBlock)
                    {
                        fill += PeerMessageWriter.WritePieceHeader(batch.AsSpan(fill), m.Piece, m.Begin, m.Length);
                        segments.Add(new ArraySegment<byte>(batch, segmentStart, fill - segmentStart));
                        segments.Add(new ArraySegment<byte>(m.Payload!, 0, m.Length));
                        payloads.Add(m.Payload!);
                        segmentStart = fill;
                        Upload.Add(m.Length);
                        payload += m.Length;
                    }
                    else
                    {
                        m.WriteTo(batch.AsSpan(fill, size));
                        fill += size;
                    }
                    total += size;
                }
                if (fill > segmentStart)
                {
                    segments.Add(new ArraySegment<byte>(batch, segmentStart, fill - segmentStart));
                }
                try
                {
                    if (payload > 0 && Bandwidth is { } limits)
                    {
                        await limits.ThrottleAsync(download: false, payload, _cts.Token).ConfigureAwait(false);
                    }
                    if (total > 0)
                    {
                        await SendSegmentsAsync(segments, total).ConfigureAwait(false);
                        Interlocked.Exchange(ref _lastSentTicks, _time.GetTimestamp());
                    }
                }
                finally
                {
                    foreach (byte[] b in payloads)
                    {
                        BlockBuffers.Return(b);
                    }
                    payloads.Clear();
                    segments.Clear();
                }
            }
        }
        catch (OperationCanceledException)
        {
            end = new PeerDisconnect(DisconnectReason.Shutdown, "");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            end = new PeerDisconnect(DisconnectReason.SocketError, ex.Message);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "send loop for {Peer} failed", RemoteEndPoint);
            end = new PeerDisconnect(DisconnectReason.SocketError, ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
        if (end is not null)
        {
            Close(end.Value);
        }
    }

    /// <summary>One gathering send (sendmsg); whatever it leaves unsent goes out segment by segment.</summary>
    private async ValueTask SendSegmentsAsync(List<ArraySegment<byte>> segments, long total)
    {
        if (segments.Count == 1)
        {
            await SendAllAsync(segments[0]).ConfigureAwait(false);
            return;
        }
        // No token: closing the connection disposes the socket, which ends a pending send; the payloads stay ours until then.
        long sent = await _socket.SendAsync(segments, SocketFlags.None).ConfigureAwait(false);
        if (sent == total)
        {
            return;
        }
        foreach (var segment in segments)
        {
            if (sent >= segment.Count)
            {
                sent -= segment.Count;
                continue;
            }
            await SendAllAsync(segment.AsMemory((int)sent)).ConfigureAwait(false);
            sent = 0;
        }
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = await _socket.SendAsync(data, SocketFlags.None, _cts.Token).ConfigureAwait(false);
            data = data[n..];
        }
    }

    private void TraceSent(in OutgoingMessage m)
    {
        if (_trace is not null)
        {
            Trace(true, m.Describe(_validator?.PieceCount ?? 0));
        }
    }
}
