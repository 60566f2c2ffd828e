using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Protocol;

namespace Shoal.Engine.Peers;

public sealed partial class PeerConnection
{
    private async Task ReceiveLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024, leaveOpen: true));
        PeerDisconnect? end = null;
        try
        {
            while (end is null)
            {
                ReadResult result = await reader.ReadAsync(_cts.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    Interlocked.Exchange(ref _lastReceivedTicks, _time.GetTimestamp());
                }
                while (end is null)
                {
                    var status = TryFrame(ref buffer, out var message, out string? error);
                    if (status == FrameStatus.NeedMore)
                    {
                        break;
                    }
                    if (status == FrameStatus.Invalid)
                    {
                        end = new PeerDisconnect(DisconnectReason.ProtocolViolation, error!);
                        break;
                    }
                    if (message.Id == MessageId.KeepAlive || (int)message.Id > (int)MessageId.Port)
                    {
                        if (_trace is not null)
                        {
                            Trace(false, message.Id, 0, 0, message.Length);
                        }
                        continue;
                    }
                    if (message.Id == MessageId.Piece)
                    {
                        Download.Add(message.Length);
                    }
                    if (_trace is not null)
                    {
                        Trace(false, message.Id, message.Piece, message.Begin, message.Length);
                    }
                    await _sink!.OnMessageAsync(this, message).ConfigureAwait(false);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted && end is null)
                {
                    end = new PeerDisconnect(DisconnectReason.RemoteClosed, "peer closed the connection");
                }
            }
        }
        catch (OperationCanceledException)
        {
            end ??= new PeerDisconnect(DisconnectReason.Shutdown, "");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            end ??= new PeerDisconnect(DisconnectReason.SocketError, (ex.InnerException ?? ex).Message);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "receive loop for {Peer} failed", RemoteEndPoint);
            end ??= new PeerDisconnect(DisconnectReason.SocketError, ex.Message);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        Close(end.Value);
    }

    private enum FrameStatus { Done, NeedMore, Invalid }

    /// <summary>
    /// Cuts one message off the front of <paramref name="buffer"/>. Checks the declared length against the largest
    /// frame before waiting for it, and each message's length against its id. Piece payloads are copied straight
    /// from the pipe into a pooled buffer.
    /// </summary>
    private FrameStatus TryFrame(ref ReadOnlySequence<byte> buffer, out ReceivedMessage message, out string? error)
    {
        message = default;
        error = null;
        var r = new SequenceReader<byte>(buffer);
        if (!r.TryReadBigEndian(out int len))
        {
            return FrameStatus.NeedMore;
        }
        if (len < 0 || len > _maxFrame)
        {
            error = $"message length {(uint)len} exceeds the {_maxFrame}-byte limit";
            return FrameStatus.Invalid;
        }
        if (r.Remaining < len)
        {
            return FrameStatus.NeedMore;
        }
        if (len == 0)
        {
            message = new ReceivedMessage(MessageId.KeepAlive);
            buffer = buffer.Slice(r.Position);
            return FrameStatus.Done;
        }
        r.TryRead(out byte idByte);
        var id = (MessageId)idByte;
        int body = len - 1;
        bool ok = true;
        switch (id)
        {
            case MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested:
                ok = body == 0;
                message = new ReceivedMessage(id);
                break;
            case MessageId.Have:
                ok = body == 4 && r.TryReadBigEndian(out int have) && SetMessage(out message, new ReceivedMessage(id, have));
                break;
            case MessageId.Request or MessageId.Cancel:
                ok = body == 12 && r.TryReadBigEndian(out int p) && r.TryReadBigEndian(out int b) && r.TryReadBigEndian(out int l)
                    && SetMessage(out message, new ReceivedMessage(id, p, b, l));
                break;
            case MessageId.Port:
                ok = body == 2 && r.TryReadBigEndian(out short port) && SetMessage(out message, new ReceivedMessage(id, (ushort)port));
                break;
            case MessageId.Bitfield:
            {
                var bits = new byte[body];
                r.TryCopyTo(bits);
                r.Advance(body);
                message = new ReceivedMessage(id, 0, 0, body, bits);
                break;
            }
            case MessageId.Piece:
            {
                int blockLen = body - 8;
                if (blockLen <= 0 || blockLen > TorrentLengths.BlockSize)
                {
                    error = $"piece message carries {blockLen} bytes; blocks are 1..{TorrentLengths.BlockSize}";
                    return FrameStatus.Invalid;
                }
                r.TryReadBigEndian(out int piece);
                r.TryReadBigEndian(out int begin);
                byte[] block = BlockBuffers.Rent(blockLen);
                r.TryCopyTo(block.AsSpan(0, blockLen));
                r.Advance(blockLen);
                message = new ReceivedMessage(id, piece, begin, blockLen, block);
                break;
            }
            default:
                // Extension and fast-extension messages we do not negotiate: skip them whole.
                r.Advance(body);
                message = new ReceivedMessage(id, 0, 0, body);
                break;
        }
        if (!ok)
        {
            error = $"{id} message has a {body}-byte body";
            return FrameStatus.Invalid;
        }
        buffer = buffer.Slice(r.Position);
        return FrameStatus.Done;
    }

    private static bool SetMessage(out ReceivedMessage target, ReceivedMessage value)
    {
        target = value;
        return true;
    }
}
