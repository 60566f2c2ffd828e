using System.Buffers;
using Shoal.Engine.Peers;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Session;

internal sealed partial class TorrentSession
{
    private int _ticks;
    private PeerState? _optimistic;

    private void OnRequest(PeerState p, int piece, int begin, int length)
    {
        if (!_lengths.IsServableRequest(piece, begin, length))
        {
            Drop(p, DisconnectReason.BadRequest, $"request piece={piece} begin={begin} length={length} is larger than 16 KiB or outside the piece");
            return;
        }
        if (!_have[piece])
        {
            Drop(p, DisconnectReason.BadRequest, $"asked for piece {piece}, which we do not have");
            return;
        }
        if (p.AmChoking && !AllowedWhileChoked(p, piece))
        {
            RejectRequest(p, piece, begin, length); // without BEP 6 the request is simply dropped
            return;
        }
        if (p.Serving.Count >= MaxServedRequests)
        {
            Drop(p, DisconnectReason.BadRequest, $"more than {MaxServedRequests} requests outstanding");
            return;
        }
        if (!p.Serving.Add(PeerState.Key(piece, begin)))
        {
            return;
        }
        RememberRequestLength(p, piece, begin, length);
        byte[] buffer = BlockBuffers.Rent(length);
        _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Read, p.Connection, piece, begin, length, buffer, Serving: p.Serving));
    }

    /// <summary>
    /// Disk worker: the block is read; send it straight to the peer, without a trip through the loop, if the
    /// request is still pending (not cancelled, rejected or dropped by a choke: see <see cref="ServingSet"/>).
    /// </summary>
    private void SendBlock(in DiskJob job)
    {
        var message = new OutgoingMessage(MessageId.Piece, job.Piece, job.Begin, job.Length, job.Buffer);
        if (job.Peer!.Disconnect is null && job.Serving!.TrySend(PeerState.Key(job.Piece, job.Begin), job.Peer, message))
        {
            Interlocked.Add(ref _uploaded, job.Length);
        }
        else
        {
            BlockBuffers.Return(job.Buffer!);
        }
    }

    private int UnchokedCount => _peers.Values.Count(p => !p.AmChoking);

    /// <summary>A newly interested peer gets a slot at once if one is free, instead of waiting for the next round.</summary>
    private void UnchokeIfSlotFree(PeerState p)
    {
        if (p.AmChoking && UnchokedCount < _options.UploadSlots + 1)
        {
            SetChoke(p, choke: false);
        }
    }

    private void SetChoke(PeerState p, bool choke)
    {
        if (p.AmChoking == choke)
        {
            return;
        }
        p.AmChoking = choke;
        var message = new OutgoingMessage(choke ? MessageId.Choke : MessageId.Unchoke);
        if (choke && !p.Connection.FastEnabled)
        {
            // Pending reads are dropped when they complete; no block may follow the choke.
            p.Serving.ClearAndSend(p.Connection, message);
            return;
        }
        if (choke)
        {
            RejectPendingOnChoke(p); // BEP 6: each pending request gets a reject (allowed-fast ones are still served)
        }
        p.Connection.Send(message);
    }

    /// <summary>The periodic choke round: see <see cref="Choker"/>.</summary>
    private void RunChoker(bool rotateOptimistic)
    {
        bool seeding = _have.AllSet || _options.SeedOnly;
        var candidates = _peers.Values
            .Select(p => new Choker.Candidate<PeerState>(p, p.PeerInterested,
                seeding ? p.Connection.Upload.BytesPerSecond : p.Connection.Download.BytesPerSecond))
            .ToList();
        var current = _optimistic is not null && _peers.ContainsKey(_optimistic.Connection) ? _optimistic : null;
        var decision = Choker.Decide(candidates, _options.UploadSlots, current, rotateOptimistic, _random);
        _optimistic = decision.Optimistic;
        foreach (var p in _peers.Values)
        {
            SetChoke(p, !decision.Unchoked.Contains(p));
        }
    }
}
