using System.Buffers;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Engine.Pieces;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Session;

internal sealed partial class TorrentSession
{
    /// <summary>Block writes not yet finished, per piece.</summary>
    private readonly Dictionary<int, int> _pendingWrites = [];
    /// <summary>Pieces whose every block has arrived; they are verified once their writes finish.</summary>
    private readonly HashSet<int> _awaitingVerify = [];
    /// <summary>Who sent blocks of each unverified piece (for banning after hash failures).</summary>
    private readonly Dictionary<int, HashSet<PeerState>> _contributors = [];
    /// <summary>Direct-path block writes queued for a disk worker (the blocks of <see cref="_pendingWrites"/>).</summary>
    private int _pendingWriteBlocks;
    /// <summary>Requests stopped because the disk is behind; they restart once it catches up.</summary>
    private bool _heldForDisk;
    private long _wasted;
    private long _downloaded;
    private long _uploaded;
    private int _hashFailures;

    /// <summary>Tops up the peer's pipeline of requests to its queue depth.</summary>
    private void RequestMore(PeerState p)
    {
        if (!p.AmInterested || _state != TorrentState.Downloading)
        {
            return;
        }
        if (DiskBehind())
        {
            return;
        }
        if (p.PeerChoking)
        {
            RequestAllowedFast(p); // BEP 6: allowed-fast pieces may be requested while choked
            return;
        }
        int cap = Math.Min(MaxQueueDepth, p.Extensions.RequestQueue ?? DefaultPeerRequestQueue);
        int want = Math.Min(p.QueueDepth, cap) - p.Outstanding.Count;
        // Batch small top-ups: one request per arriving block would mean one tiny send per block.
        if (want <= 0 || (want < 8 && p.Outstanding.Count > 8))
        {
            return;
        }
        int n = _picker.PickBlocks(p.Has, p.Id, _pickBuffer.AsSpan(0, want));
        for (int i = 0; i < n; i++)
        {
            var r = _pickBuffer[i];
            p.Outstanding.Add(PeerState.Key(r.Piece, r.Begin));
            p.Connection.Send(new OutgoingMessage(MessageId.Request, r.Piece, r.Begin, r.Length));
        }
    }

    /// <summary>
    /// True while more than <see cref="DiskBacklogLimit"/> bytes of received blocks wait for a disk worker (complete
    /// pieces held in memory plus queued block writes). Not requesting more is the backpressure from a slow disk to the network: without
    /// it, blocks would pile up in memory for as long as the disk stays behind.
    /// </summary>
    private bool DiskBehind()
    {
        if (DiskBacklog <= DiskBacklogLimit)
        {
            return false;
        }
        _heldForDisk = true;
        return true;
    }

    private long DiskBacklog => (long)_pendingWriteBlocks * TorrentLengths.BlockSize + _assembledInFlightBytes;

    /// <summary>A write finished: if requests were held for the disk and it has caught up by half, ask again.</summary>
    private void ResumeIfDiskCaughtUp()
    {
        if (_heldForDisk && DiskBacklog <= DiskBacklogLimit / 2)
        {
            _heldForDisk = false;
            foreach (var q in _peers.Values)
            {
                RequestMore(q);
            }
        }
    }

    /// <summary>Gives back every request to the picker (the peer choked us or stopped answering).</summary>
    private void ReleaseAll(PeerState p)
    {
        _picker.CancelAll(p.Id);
        Abandon(p, p.Outstanding);
        p.Outstanding.Clear();
    }

    /// <summary>Remembers requests whose answers may still be on the wire, so they are not taken for unsolicited data.</summary>
    private static void Abandon(PeerState p, IEnumerable<long> keys)
    {
        if (p.Abandoned.Count > 4 * MaxQueueDepth)
        {
            p.Abandoned.Clear(); // bounded: very old abandoned requests are forgotten
        }
        p.Abandoned.UnionWith(keys);
    }

    private void OnBlock(PeerState p, in ReceivedMessage m)
    {
        byte[] buffer = m.Payload!;
        if (!_lengths.IsExactBlock(m.Piece, m.Begin, m.Length))
        {
            BlockBuffers.Return(buffer);
            Drop(p, DisconnectReason.ProtocolViolation, $"sent a block we never ask for: piece={m.Piece} begin={m.Begin} length={m.Length}");
            return;
        }
        long key = PeerState.Key(m.Piece, m.Begin);
        if (!p.Outstanding.Remove(key) && !p.Abandoned.Remove(key))
        {
            BlockBuffers.Return(buffer);
            Drop(p, DisconnectReason.ProtocolViolation, $"sent an unrequested block: piece={m.Piece} begin={m.Begin} length={m.Length}");
            return;
        }
        _downloaded += m.Length;
        p.LastBlockTimestamp = _time.GetTimestamp();
        var receipt = _picker.OnBlockReceived(p.Id, m.Piece, m.Begin, m.Length);
        if (!receipt.ShouldStore)
        {
            // Already have it (endgame duplicate, or a late answer after a choke).
            _wasted += m.Length;
            BlockBuffers.Return(buffer);
        }
        else
        {
            foreach (int other in receipt.CancelPeers)
            {
                if (_peersById.TryGetValue(other, out var q) && q.Outstanding.Remove(key))
                {
                    Abandon(q, [key]);
                    q.Connection.Send(new OutgoingMessage(MessageId.Cancel, m.Piece, m.Begin, m.Length));
                }
            }
            if (!_contributors.TryGetValue(m.Piece, out var set))
            {
                _contributors[m.Piece] = set = [];
            }
            set.Add(p);
            bool complete = receipt.Result == BlockResult.PieceComplete;
            if (!TryAssemble(m.Piece, m.Begin, buffer, complete))
            {
                _pendingWrites[m.Piece] = _pendingWrites.GetValueOrDefault(m.Piece) + 1;
                _pendingWriteBlocks++;
                if (complete)
                {
                    _awaitingVerify.Add(m.Piece);
                }
                _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Write, null, m.Piece, m.Begin, m.Length, buffer));
            }
        }
        RequestMore(p);
    }

    private void OnBlockWritten(int piece)
    {
        _pendingWriteBlocks--;
        ResumeIfDiskCaughtUp();
        int left = _pendingWrites[piece] - 1;
        if (left > 0)
        {
            _pendingWrites[piece] = left;
            return;
        }
        _pendingWrites.Remove(piece);
        if (_awaitingVerify.Remove(piece))
        {
            _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Verify, null, piece, 0, 0, null));
        }
        MaybeRunVerify(); // a re-check waits for queued writes to land
    }

    private void OnPieceChecked(int piece, bool ok)
    {
        ReleaseAssembly(piece);
        ResumeIfDiskCaughtUp();
        MaybeRunVerify(); // a re-check waits for assembled pieces in flight too
        if (_have[piece])
        {
            return;
        }
        _contributors.Remove(piece, out var contributors);
        if (!ok)
        {
            _hashFailures++;
            _picker.OnPieceFailed(piece);
            _log.LogWarning("piece {Piece} failed its hash check; fetching it again", piece);
            foreach (var c in contributors ?? [])
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
        _picker.OnPieceVerified(piece);
        _bytesDone += _lengths.PieceSize(piece);
        GrantAllowedFast(piece);
        bool wantedDone = OnPieceHave(piece);
        foreach (var q in _peers.Values)
        {
            if (q.Has[piece])
            {
                q.Interesting -= IsWantedPiece(piece) ? 1 : 0; // only wanted pieces count (TorrentSession.Files.cs)
                UpdateInterest(q);
            }
            else
            {
                q.Connection.Send(new OutgoingMessage(MessageId.Have, piece));
            }
        }
        if (wantedDone)
        {
            OnAllPiecesVerified();
        }
    }

    private void OnAllPiecesVerified()
    {
        _log.LogInformation("{Name}: all {Count} pieces verified", _meta.Name, _lengths.PieceCount);
        if (!Parked)
        {
            _state = _options.SeedWhenComplete ? TorrentState.Seeding : TorrentState.Completed;
        }
        foreach (var q in _peers.Values.ToArray())
        {
            UpdateInterest(q);
            if (q.IsSeed)
            {
                Drop(q, DisconnectReason.NotUseful, "both sides are seeds");
            }
        }
        _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Flush, null, 0, 0, 0, null));
        TrackersCompleted();
        Publish();
    }

    private enum DiskJobKind { Write, Read, Verify, Flush, HashWrite }

    private readonly record struct DiskJob(DiskJobKind Kind, PeerConnection? Peer, int Piece, int Begin, int Length, byte[]? Buffer,
        PieceAssembly? Assembly = null, ServingSet? Serving = null);

    /// <summary>
    /// Runs disk writes, reads and hash checks off the loop, posting each completion back. Synchronous positional
    /// I/O on a few dedicated workers is cheaper per 16 KiB block than the async path.
    /// </summary>
    private async Task DiskWorkerAsync()
    {
        var reader = _disk.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var job))
            {
                RunDiskJob(job);
            }
        }
    }

    private void RunDiskJob(in DiskJob job)
    {
        try
        {
            switch (job.Kind)
            {
                case DiskJobKind.Write:
                    try
                    {
                        _store.Write(_lengths.PieceOffset(job.Piece) + job.Begin, job.Buffer.AsSpan(0, job.Length));
                    }
                    finally
                    {
                        BlockBuffers.Return(job.Buffer!);
                    }
                    Post(new SessionEvent(SessionEventKind.BlockWritten, Piece: job.Piece));
                    break;
                case DiskJobKind.Read:
                    int got = _store.Read(_lengths.PieceOffset(job.Piece) + job.Begin, job.Buffer.AsSpan(0, job.Length));
                    if (got < job.Length)
                    {
                        throw new StorageException(StorageErrorKind.ShortRead, $"piece {job.Piece} offset {job.Begin}: only {got} of {job.Length} bytes are on disk");
                    }
                    SendBlock(job);
                    break;
                case DiskJobKind.Verify:
                    bool ok = PieceVerifier.VerifyPiece(_meta, _store, job.Piece);
                    Post(new SessionEvent(SessionEventKind.PieceChecked, Piece: job.Piece, Ok: ok));
                    break;
                case DiskJobKind.HashWrite:
                    Post(new SessionEvent(SessionEventKind.PieceChecked, Piece: job.Piece, Ok: HashAndWrite(job.Assembly!)));
                    break;
                case DiskJobKind.Flush:
                    _store.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    _completed.TrySetResult();
                    break;
            }
        }
        catch (Exception ex) when (ex is StorageException or IOException or UnauthorizedAccessException)
        {
            if (job.Kind == DiskJobKind.Read && job.Buffer is not null)
            {
                BlockBuffers.Return(job.Buffer);
            }
            // Ok marks a failed write, so the loop stops waiting for it (TorrentSession.Verify.cs).
            Post(new SessionEvent(SessionEventKind.DiskFailed, Piece: job.Piece, Ok: job.Kind is DiskJobKind.Write or DiskJobKind.HashWrite, Payload: ex));
        }
    }
}
