using Shoal.Engine.Peers;
using Shoal.Protocol;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Session;

/// <summary>
/// BEP 6 on the download side: pieces a peer allows us while it chokes us are requested anyway; its choke releases
/// only the requests it will reject; its rejects hand blocks back to the picker. And on the upload side: the
/// allowed-fast set we grant grows as we verify pieces of it.
/// </summary>
internal sealed partial class TorrentSession
{
    /// <summary>
    /// While <paramref name="p"/> chokes us, request blocks of the pieces it allowed us (BEP 6 allowed fast), as far
    /// as it has them and we still need them. The picker sees a mask of just those pieces, so started pieces are
    /// finished first and endgame rules hold as for any peer.
    /// </summary>
    private void RequestAllowedFast(PeerState p)
    {
        var ext = p.Extensions;
        if (ext.AllowedByPeer.Count == 0 || !p.Connection.FastEnabled)
        {
            return;
        }
        int cap = Math.Min(MaxQueueDepth, ext.RequestQueue ?? DefaultPeerRequestQueue); // the peer's reqq, as in RequestMore
        int want = Math.Min(p.QueueDepth, cap) - p.Outstanding.Count;
        if (want <= 0)
        {
            return;
        }
        var mask = AllowedFastMask(p);
        if (mask.NoneSet)
        {
            return;
        }
        int n = _picker.PickBlocks(mask, p.Id, _pickBuffer.AsSpan(0, want));
        for (int i = 0; i < n; i++)
        {
            var r = _pickBuffer[i];
            p.Outstanding.Add(PeerState.Key(r.Piece, r.Begin));
            p.Connection.Send(new OutgoingMessage(MessageId.Request, r.Piece, r.Begin, r.Length));
        }
    }

    /// <summary>
    /// The peer's pieces that it allowed us and we lack. The bitfield is kept per peer and only the (at most 64)
    /// allowed bits are rewritten, so a block arriving while choked costs no allocation.
    /// </summary>
    private BitField AllowedFastMask(PeerState p)
    {
        var ext = p.Extensions;
        var mask = ext.AllowedFastMask ??= new BitField(_lengths.PieceCount);
        foreach (int piece in ext.AllowedByPeer)
        {
            mask[piece] = p.Has[piece] && !_have[piece];
        }
        return mask;
    }

    /// <summary>An allowed-fast message: remember the piece (bounded) and, if the peer chokes us, use it at once.</summary>
    private void OnAllowedFast(PeerState p, int piece)
    {
        var ext = p.Extensions;
        if (ext.AllowedByPeer.Count >= PeerExtensionState.MaxAllowedFastFromPeer || !ext.AllowedByPeer.Add(piece))
        {
            return;
        }
        if (p.PeerChoking)
        {
            RequestMore(p);
        }
    }

    /// <summary>
    /// The peer choked us. Without BEP 6 every request is void. With it, the peer rejects what it will not serve and
    /// keeps serving allowed-fast pieces; we release everything else now (so other peers can take those blocks)
    /// and keep the allowed-fast requests outstanding.
    /// </summary>
    private void OnChokedByPeer(PeerState p)
    {
        p.PeerChoking = true;
        var allowed = p.Extensions.AllowedByPeer;
        if (!p.Connection.FastEnabled || allowed.Count == 0)
        {
            ReleaseAll(p);
            return;
        }
        List<long>? released = null;
        foreach (long key in p.Outstanding)
        {
            if (!allowed.Contains((int)(key >> 32)))
            {
                (released ??= []).Add(key);
            }
        }
        if (released is null)
        {
            return;
        }
        foreach (long key in released)
        {
            p.Outstanding.Remove(key);
            _picker.Cancel(p.Id, (int)(key >> 32), (int)(uint)key);
        }
        Abandon(p, released);
        RequestMore(p);
    }

    /// <summary>
    /// BEP 6 reject: the request is over; the block goes back to the picker so any peer (this one included) can be
    /// asked again. A reject of an allowed-fast piece while choked withdraws that
    /// piece, so we do not ask again and again for something the peer will not give.
    /// </summary>
    private void OnReject(PeerState p, int piece, int begin)
    {
        long key = PeerState.Key(piece, begin);
        if (p.Outstanding.Remove(key))
        {
            _picker.Cancel(p.Id, piece, begin);
            if (p.PeerChoking)
            {
                p.Extensions.AllowedByPeer.Remove(piece);
            }
        }
        else
        {
            p.Abandoned.Remove(key); // released on choke; the reject closes it
        }
        // No immediate top-up: the picker would hand the same block straight back to this peer, and a peer that
        // rejects it again would make a tight loop. The next block or the next tick tops up.
    }

    /// <summary>
    /// A piece just verified: fast peers whose canonical allowed-fast set holds it may now request it while choked,
    /// so tell them (at greeting time we could only grant pieces we had).
    /// </summary>
    private void GrantAllowedFast(int piece)
    {
        foreach (var p in _peers.Values)
        {
            var ext = p.Extensions;
            if (ext.AllowedSetForPeer is { } set && Array.IndexOf(set, piece) >= 0 && !p.Has[piece] && ext.AllowedForPeer.Add(piece))
            {
                p.Connection.Send(new OutgoingMessage(MessageId.AllowedFast, piece));
            }
        }
    }

    /// <summary>The canonical allowed-fast set for a new fast peer (empty for IPv6, which BEP 6 does not cover).</summary>
    private int[] ComputeAllowedSet(PeerConnection conn) =>
        AllowedFast.Compute(conn.RemoteEndPoint.Address, _meta.InfoHash, _lengths.PieceCount);
}
