using System.Buffers;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Protocol;

namespace Shoal.Engine.Session;

internal sealed partial class TorrentSession
{
    private long _wasted;
    private int _hashFailures;

    /// <summary>Tops up the peer's pipeline of requests to its queue depth.</summary>
    private void RequestMore(PeerState p)
    {
        if (p.PeerChoking || !p.AmInterested || _state != TorrentState.Downloading)
        {
            return;
        }
        int want = p.QueueDepth - p.Outstanding.Count;
        // Batch small top-ups: one request per arriving block would mean one tiny send per block.
        if (want <= 0 || (want < 8 && p.Outstanding.Count > 8))
        {
            return;
        }
        _pickBuffer.Clear();
        _picker.Pick(p, want, _pickBuffer, _random);
        foreach (var (piece, block) in _pickBuffer)
        {
            int begin = block * TorrentLengths.BlockSize;
            p.Outstanding.Add(PeerState.Key(piece, begin));
            p.Connection.Send(new OutgoingMessage(MessageId.Request, piece, begin, _lengths.BlockLength(piece, block)));
        }
    }

    /// <summary>Gives back every request to the picker (the peer choked us or stopped answering).</summary>
    private void ReleaseAll(PeerState p)
    {
        foreach (long key in p.Outstanding)
        {
            _picker.Released((int)(key >> 32), (int)(uint)key / TorrentLengths.BlockSize);
        }
        p.Outstanding.Clear();
    }

    private void OnBlock(PeerState p, in ReceivedMessage m)
    {
        byte[] buffer = m.Payload!;
        if (!_lengths.IsExactBlock(m.Piece, m.Begin, m.Length))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Drop(p, DisconnectReason.ProtocolViolation, $"sent a block we never ask for: {WireTrace.Describe(MessageId.Piece, m.Piece, m.Begin, m.Length)}");
            return;
        }
        long key = PeerState.Key(m.Piece, m.Begin);
        p.Outstanding.Remove(key);
        p.LastBlockTimestamp = _time.GetTimestamp();
        int block = m.Begin / TorrentLengths.BlockSize;
        var ap = _picker.Received(m.Piece, block);
        if (ap is null)
        {
            // Already have it (endgame duplicate, or a late answer after a choke).
            _wasted += m.Length;
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            if (ap.Requests[block] > 1)
            {
                CancelDuplicates(p, key, m.Piece, m.Begin, m.Length);
            }
            ap.Contributors.Add(p);
            ap.PendingWrites++;
            _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Write, null, m.Piece, m.Begin, m.Length, buffer, ap));
        }
        RequestMore(p);
    }

    private void CancelDuplicates(PeerState from, long key, int piece, int begin, int length)
    {
        foreach (var q in _peers.Values)
        {
            if (q != from && q.Outstanding.Remove(key))
            {
                q.Connection.Send(new OutgoingMessage(MessageId.Cancel, piece, begin, length));
            }
        }
    }

    private void OnBlockWritten(BlockPicker.ActivePiece ap)
    {
        ap.PendingWrites--;
        if (ap.AllReceived && ap.PendingWrites == 0 && _picker.Active(ap.Index) == ap)
        {
            _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Verify, null, ap.Index, 0, 0, null, ap));
        }
    }

    private void OnPieceChecked(BlockPicker.ActivePiece ap, bool ok)
    {
        int piece = ap.Index;
        if (_picker.Active(piece) != ap || _have[piece])
        {
            return;
        }
        if (!ok)
        {
            _hashFailures++;
            _picker.Failed(piece);
            _log.LogWarning("piece {Piece} failed its hash check; fetching it again", piece);
            foreach (var c in ap.Contributors)
            {
                c.HashFailures++;
                if (c.HashFailures >= BanAfterHashFailures && _peers.ContainsKey(c.Connection))
                {
                    _banned.Add(c.Connection.RemoteEndPoint.Address);
                    Drop(c, DisconnectReason.Banned, $"sent data for {c.HashFailures} pieces that failed their hash check");
                }
            }
            foreach (var q in _peers.Values)
            {
                RequestMore(q);
            }
            return;
        }
        _picker.Verified(piece);
        _bytesDone += _lengths.PieceSize(piece);
        foreach (var q in _peers.Values)
        {
            if (q.Has[piece])
            {
                q.Interesting--;
                UpdateInterest(q);
            }
            else
            {
                q.Connection.Send(new OutgoingMessage(MessageId.Have, piece));
            }
        }
        if (_have.AllSet)
        {
            OnAllPiecesVerified();
        }
    }

    private void OnAllPiecesVerified()
    {
        _log.LogInformation("{Name}: all {Count} pieces verified", _meta.Name, _lengths.PieceCount);
        _state = _options.SeedWhenComplete ? TorrentState.Seeding : TorrentState.Completed;
        foreach (var q in _peers.Values.ToArray())
        {
            UpdateInterest(q);
            if (q.IsSeed)
            {
                Drop(q, DisconnectReason.NotUseful, "both sides are seeds");
            }
        }
        _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Flush, null, 0, 0, 0, null, null));
        Publish();
    }

    private enum DiskJobKind { Write, Read, Verify, Flush }

    private readonly record struct DiskJob(DiskJobKind Kind, PeerConnection? Peer, int Piece, int Begin, int Length, byte[]? Buffer,
        BlockPicker.ActivePiece? Active);

    /// <summary>Runs disk writes, reads and hash checks off the loop, posting each completion back.</summary>
    private async Task DiskWorkerAsync()
    {
        await foreach (var job in _disk.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                switch (job.Kind)
                {
                    case DiskJobKind.Write:
                        try
                        {
                            await _store.WriteBlockAsync(job.Piece, job.Begin, job.Buffer.AsMemory(0, job.Length), CancellationToken.None).ConfigureAwait(false);
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(job.Buffer!);
                        }
                        Post(new SessionEvent(SessionEventKind.BlockWritten, Payload: job.Active));
                        break;
                    case DiskJobKind.Read:
                        await _store.ReadBlockAsync(job.Piece, job.Begin, job.Buffer.AsMemory(0, job.Length), CancellationToken.None).ConfigureAwait(false);
                        Post(new SessionEvent(SessionEventKind.BlockRead, job.Peer, Piece: job.Piece, Begin: job.Begin, Length: job.Length, Buffer: job.Buffer));
                        break;
                    case DiskJobKind.Verify:
                        bool ok = await _store.VerifyPieceAsync(job.Piece, CancellationToken.None).ConfigureAwait(false);
                        Post(new SessionEvent(SessionEventKind.PieceChecked, Piece: job.Piece, Ok: ok, Payload: job.Active));
                        break;
                    case DiskJobKind.Flush:
                        await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        _completed.TrySetResult();
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (job.Kind == DiskJobKind.Read && job.Buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(job.Buffer);
                }
                Post(new SessionEvent(SessionEventKind.DiskFailed, Payload: ex));
            }
        }
    }
}
