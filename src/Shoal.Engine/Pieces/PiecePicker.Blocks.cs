using Shoal.Protocol;

namespace Shoal.Engine.Pieces;

/// <summary>Block-level events: arrivals, verification results, cancels and peers leaving.</summary>
public sealed partial class PiecePicker
{
    /// <summary>
    /// A block arrived from <paramref name="peer"/>. Accepted even if that peer's request was cancelled meanwhile,
    /// as long as the piece still needs it. The receipt lists other peers to send cancels to (endgame).
    /// </summary>
    public BlockReceipt OnBlockReceived(int peer, int piece, int begin, int length)
    {
        if (!_lengths.IsExactBlock(piece, begin, length) || !_progress.TryGetValue(piece, out PieceProgress? progress))
        {
            return new BlockReceipt(BlockResult.Unexpected, []);
        }
        int block = PieceProgress.BlockIndex(begin);
        if (progress.IsReceived(block))
        {
            progress.RemoveRequest(block, peer);
            return new BlockReceipt(BlockResult.Duplicate, []);
        }
        IReadOnlyList<int> others = progress.MarkReceived(block, peer);
        return new BlockReceipt(progress.IsComplete ? BlockResult.PieceComplete : BlockResult.Accepted, others);
    }

    /// <summary>The piece hashed correctly and is written: it is ours now.</summary>
    public void OnPieceVerified(int piece)
    {
        CheckPiece(piece);
        MarkHave(piece);
    }

    /// <summary>The piece failed its hash: every block is forgotten and will be downloaded again (started pieces go first).</summary>
    public void OnPieceFailed(int piece)
    {
        CheckPiece(piece);
        if (_progress.TryGetValue(piece, out PieceProgress? progress))
        {
            progress.Reset();
        }
        else if (!_have[piece] && !_unwanted[piece])
        {
            _candidates.Add(piece);
            _sequentialCursor = Math.Min(_sequentialCursor, piece);
        }
    }

    /// <summary>
    /// Our request is gone without data (we cancelled it, the peer rejected it, or choked us): the block can be
    /// requested again. Returns false if no such request was outstanding.
    /// </summary>
    public bool Cancel(int peer, int piece, int begin)
    {
        if (!_progress.TryGetValue(piece, out PieceProgress? progress) || begin < 0 || begin % TorrentLengths.BlockSize != 0)
        {
            return false;
        }
        int block = PieceProgress.BlockIndex(begin);
        return block < progress.BlockCount && progress.RemoveRequest(block, peer);
    }

    /// <summary>
    /// Frees every block requested from <paramref name="peer"/> (choked without fast extension, or disconnected).
    /// Returns how many requests were dropped.
    /// </summary>
    public int CancelAll(int peer)
    {
        int removed = 0;
        foreach (PieceProgress p in _active)
        {
            removed += p.RemovePeer(peer);
        }
        return removed;
    }

    /// <summary>
    /// The peer disconnected: its requested blocks become free, and its pieces (<paramref name="peerHas"/>, the
    /// session's copy of its bitfield, if any) no longer count towards availability.
    /// </summary>
    public int OnPeerGone(int peer, BitField? peerHas)
    {
        if (peerHas is not null)
        {
            RemovePeerBitfield(peerHas);
        }
        return CancelAll(peer);
    }

    /// <summary>Restores a partly downloaded piece (resume data): the listed blocks are on disk already.</summary>
    public void RestorePartialPiece(int piece, IEnumerable<int> receivedBlocks)
    {
        CheckPiece(piece);
        ArgumentNullException.ThrowIfNull(receivedBlocks);
        if (_have[piece])
        {
            return;
        }
        PieceProgress progress = GetOrStart(piece);
        foreach (int block in receivedBlocks)
        {
            if ((uint)block < (uint)progress.BlockCount)
            {
                progress.RestoreReceived(block);
            }
        }
    }

    /// <summary>Received blocks of every unverified piece, for resume data.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> GetPartialPieces()
    {
        var result = new Dictionary<int, IReadOnlyList<int>>();
        foreach (PieceProgress p in _active)
        {
            if (p.ReceivedCount == 0)
            {
                continue;
            }
            var blocks = new List<int>(p.ReceivedCount);
            for (int b = 0; b < p.BlockCount; b++)
            {
                if (p.IsReceived(b))
                {
                    blocks.Add(b);
                }
            }
            result[p.Piece] = blocks;
        }
        return result;
    }

    private PieceProgress GetOrStart(int piece)
    {
        if (!_progress.TryGetValue(piece, out PieceProgress? progress))
        {
            progress = new PieceProgress(piece, _lengths.BlockCount(piece));
            _progress.Add(piece, progress);
            _active.Add(progress);
            _candidates.Remove(piece);
        }
        return progress;
    }
}
