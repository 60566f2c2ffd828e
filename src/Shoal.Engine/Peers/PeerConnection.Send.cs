using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

public sealed partial class PeerConnection
{
    private const int SendBatchSize = 256 * 1024;

    /// <summary>
    /// Drains the outbox into one batch buffer and writes it with a single send, so a burst of requests or blocks
    /// costs one syscall. The torrent loop bounds what it queues (request depth, served requests), so the outbox
    /// stays small.
    /// </summary>
    private async Task SendLoopAsync()
    {
        byte[] batch = ArrayPool<byte>.Shared.Rent(SendBatchSize);
        PeerDisconnect? end = null;
        try
        {
            var reader = _outbox.Reader;
            while (await reader.WaitToReadAsync(_cts.Token).ConfigureAwait(false))
            {
                int fill = 0;
                long payload = 0;
                while (reader.TryPeek(out var next))
                {
                    int size = next.WireLength;
                    if (size > batch.Length - fill)
                    {
                        if (fill > 0)
                        {
                            break;
                        }
                        // A message bigger than the batch (a huge bitfield): send it alone.
                        reader.TryRead(out var big);
                        var alone = new byte[size];
                        big.WriteTo(alone);
                        TraceSent(big);
                        await _socket.SendAsync(alone, SocketFlags.None, _cts.Token).ConfigureAwait(false);
                        continue;
                    }
                    reader.TryRead(out var m);
                    m.WriteTo(batch.AsSpan(fill, size));
                    fill += size;
                    if (m.Id == MessageId.Piece)
                    {
                        Upload.Add(m.Length);
                        payload += m.Length;
                    }
                    TraceSent(m);
                    ReturnPayload(m);
                }
                if (payload > 0 && Bandwidth is { } limits)
                {
                    await limits.ThrottleAsync(download: false, payload, _cts.Token).ConfigureAwait(false);
                }
                if (fill > 0)
                {
                    await SendAllAsync(batch.AsMemory(0, fill)).ConfigureAwait(false);
                    Interlocked.Exchange(ref _lastSentTicks, _time.GetTimestamp());
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
