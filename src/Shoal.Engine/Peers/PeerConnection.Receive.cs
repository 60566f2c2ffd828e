using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

public sealed partial class PeerConnection
{
    private async Task ReceiveLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024, leaveOpen: true));
        PeerDisconnect? end = null;
        MessageBatch? batch = null;
        try
        {
            while (end is null)
            {
                ReadResult result = await reader.ReadAsync(_cts.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                long payloadBefore = Download.Total;
                if (!buffer.IsEmpty)
                {
                    Interlocked.Exchange(ref _lastReceivedTicks, _time.GetTimestamp());
                }
                while (end is null)
                {
                    var status = PeerMessageReader.TryRead(ref buffer, out var message, out var error, _limits);
                    if (status == FrameStatus.NeedMore)
                    {
                        break;
                    }
                    if (status == FrameStatus.Invalid)
                    {
                        end = new PeerDisconnect(DisconnectReason.ProtocolViolation, error.Reason);
                        break;
                    }
                    if (_trace is not null)
                    {
                        Trace(false, message.Id == MessageId.Bitfield ? message.Describe(_validator!.PieceCount) : message.Describe());
                    }
                    if (!_validator!.IsValid(message, out string? reason))
                    {
                        // A request outside the torrent's geometry is a bad request; anything else breaks the protocol.
                        end = new PeerDisconnect(message.Id == MessageId.Request ? DisconnectReason.BadRequest : DisconnectReason.ProtocolViolation, reason!);
                        break;
                    }
                    if (Convert(message) is { } r)
                    {
                        batch ??= MessageBatch.Rent();
                        batch.Add(r);
                        if (batch.IsFull)
                        {
                            MessageBatch full = batch;
                            batch = null;
                            await _sink!.OnMessagesAsync(this, full).ConfigureAwait(false);
                        }
                    }
                }
                if (batch is not null)
                {
                    // Messages are copied out of the pipe (Convert), so the batch outlives this read's buffer.
                    MessageBatch ready = batch;
                    batch = null;
                    await _sink!.OnMessagesAsync(this, ready).ConfigureAwait(false);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (Bandwidth is { } limits && Download.Total - payloadBefore is > 0 and var payloadBytes)
                {
                    // Throttle by not reading: the socket buffer fills and TCP slows the sender.
                    await limits.ThrottleAsync(download: true, payloadBytes, _cts.Token).ConfigureAwait(false);
                }
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
            batch?.Discard();
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        Close(end.Value);
    }

    /// <summary>
    /// Turns a framed, validated message into what the torrent loop handles. Piece payloads are copied once, from
    /// the pipe into a pooled block buffer. Fast and extended messages: see PeerConnection.Extensions.cs; unknown ids are skipped.
    /// </summary>
    private ReceivedMessage? Convert(in PeerMessage m)
    {
        switch (m.Id)
        {
            case MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested:
                return new ReceivedMessage(m.Id);
            case MessageId.Have:
                return new ReceivedMessage(m.Id, m.Index);
            case MessageId.Request or MessageId.Cancel:
                return new ReceivedMessage(m.Id, m.Index, m.Begin, m.Length);
            case MessageId.Bitfield:
                _validator!.TryReadBitfield(m, out var bits, out _);
                return new ReceivedMessage(m.Id, Bitfield: bits);
            case MessageId.Piece:
            {
                byte[] block = BlockBuffers.Rent(m.Length);
                m.Payload.CopyTo(block);
                Download.Add(m.Length);
                return new ReceivedMessage(m.Id, m.Index, m.Begin, m.Length, block);
            }
            default:
                return ConvertExtension(m);
        }
    }
}
