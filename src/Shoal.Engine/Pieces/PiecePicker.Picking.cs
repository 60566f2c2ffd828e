using Shoal.Protocol;

namespace Shoal.Engine.Pieces;

/// <summary>Choosing blocks for a peer.</summary>
public sealed partial class PiecePicker
{
    /// <summary>Convenience form of <see cref="PickBlocks(BitField, int, Span{BlockRequest})"/> returning a list.</summary>
    public IReadOnlyList<BlockRequest> PickBlocks(BitField peerHas, int count, int peer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var buffer = new BlockRequest[count];
        int n = PickBlocks(peerHas, peer, buffer);
        return n == count ? buffer : buffer[..n];
    }

    /// <summary>
    /// Picks up to <c>destination.Length</c> blocks to request from <paramref name="peer"/> and records them as
    /// requested by it. Returns how many were written. Only pieces set in <paramref name="peerHas"/> are chosen.
    /// </summary>
    public int PickBlocks(BitField peerHas, int peer, Span<BlockRequest> destination)
    {
        ArgumentNullException.ThrowIfNull(peerHas);
        CheckLength(peerHas);
        int n = 0;

        // 1. Finish what is started: fewer partial pieces means pieces complete (and can be shared) sooner.
        for (int i = 0; i < _active.Count && n < destination.Length; i++)
        {
            PieceProgress p = _active[i];
            if (p.UnrequestedCount > 0 && peerHas[p.Piece])
            {
                n += TakeUnrequested(p, peer, destination[n..]);
            }
        }

        // 2. Start new pieces.
        while (n < destination.Length)
        {
            int piece = NextPiece(peerHas); // PiecePicker.Priorities.cs
            if (piece < 0)
            {
                break;
            }
            n += TakeUnrequested(GetOrStart(piece), peer, destination[n..]);
        }

        // 3. Endgame: duplicate outstanding requests, least-requested blocks first.
        if (n < destination.Length && IsEndgame)
        {
            for (int level = 1; level < MaxEndgameRequesters && n < destination.Length; level++)
            {
                foreach (PieceProgress p in _active)
                {
                    if (n >= destination.Length)
                    {
                        break;
                    }
                    if (peerHas[p.Piece] && !p.IsComplete)
                    {
                        n += TakeDuplicates(p, peer, level, destination[n..]);
                    }
                }
            }
        }
        return n;
    }

    private int TakeUnrequested(PieceProgress p, int peer, Span<BlockRequest> into)
    {
        int n = 0;
        for (int b = 0; b < p.BlockCount && n < into.Length && p.UnrequestedCount > 0; b++)
        {
            if (!p.IsReceived(b) && p.RequestCount(b) == 0)
            {
                into[n++] = Request(p, b, peer);
            }
        }
        return n;
    }

    private int TakeDuplicates(PieceProgress p, int peer, int level, Span<BlockRequest> into)
    {
        int n = 0;
        for (int b = 0; b < p.BlockCount && n < into.Length; b++)
        {
            if (!p.IsReceived(b) && p.RequestCount(b) == level && !p.IsRequestedBy(b, peer))
            {
                into[n++] = Request(p, b, peer);
            }
        }
        return n;
    }

    private BlockRequest Request(PieceProgress p, int block, int peer)
    {
        p.AddRequest(block, peer);
        return new BlockRequest(p.Piece, block * TorrentLengths.BlockSize, _lengths.BlockLength(p.Piece, block));
    }

    /// <summary>
    /// Rarest candidate the peer has: buckets in increasing availability; inside a bucket start at a random
    /// position and wrap, so equally rare pieces are chosen at random.
    /// </summary>
    private int NextRarest(BitField peerHas, bool skipLow)
    {
        for (int k = 0; k < _candidates.BucketCount; k++)
        {
            (int start, int end) = _candidates.Bucket(k);
            int size = end - start;
            if (size == 0)
            {
                continue;
            }
            int offset = _random.Next(size);
            for (int i = 0; i < size; i++)
            {
                int at = offset + i;
                int piece = _candidates.PieceAt(start + (at >= size ? at - size : at));
                if (peerHas[piece] && !(skipLow && IsLow(piece)))
                {
                    return piece;
                }
            }
        }
        return -1;
    }

    /// <summary>Lowest-index candidate the peer has; the cursor skips the prefix that holds no candidates.</summary>
    private int NextSequential(BitField peerHas, bool skipLow)
    {
        while (_sequentialCursor < PieceCount && !_candidates.Contains(_sequentialCursor))
        {
            _sequentialCursor++;
        }
        for (int p = _sequentialCursor; p < PieceCount; p++)
        {
            if (_candidates.Contains(p) && peerHas[p] && !(skipLow && IsLow(p)))
            {
                return p;
            }
        }
        return -1;
    }
}
