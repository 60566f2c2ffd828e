using Shoal.Protocol;

namespace Shoal.Engine.Pieces;

/// <summary>
/// Piece priorities (from file priorities): among wanted pieces, high ones are started before any other, low ones
/// only when the peer has nothing else we want. Within a level the usual order applies (rarest first, or piece
/// order in sequential mode). Finishing started pieces still comes first, whatever their priority.
/// </summary>
public sealed partial class PiecePicker
{
    private sbyte[]? _priority;
    private int[] _highPieces = [];
    private bool _highDirty;
    private int _lowCount;

    /// <summary>
    /// Sets a piece's priority: below 0 low, 0 normal, above 0 high. Whether it is wanted at all is
    /// <see cref="SetWanted"/>.
    /// </summary>
    public void SetPriority(int piece, int priority)
    {
        CheckPiece(piece);
        _priority ??= new sbyte[PieceCount];
        sbyte p = (sbyte)Math.Sign(priority);
        sbyte old = _priority[piece];
        if (old == p)
        {
            return;
        }
        _lowCount += (p < 0 ? 1 : 0) - (old < 0 ? 1 : 0);
        _highDirty |= p > 0 || old > 0;
        _priority[piece] = p;
    }

    /// <summary>The piece's priority: -1 low, 0 normal, 1 high.</summary>
    public int GetPriority(int piece) => _priority?[piece] ?? 0;

    /// <summary>The next piece to start for a peer that has <paramref name="peerHas"/>, or -1.</summary>
    private int NextPiece(BitField peerHas)
    {
        if (_highDirty)
        {
            RebuildHighPieces();
        }
        if (_highPieces.Length > 0)
        {
            int high = NextHigh(peerHas);
            if (high >= 0)
            {
                return high;
            }
        }
        bool skipLow = _lowCount > 0;
        int piece = Sequential ? NextSequential(peerHas, skipLow) : NextRarest(peerHas, skipLow);
        if (piece < 0 && skipLow)
        {
            piece = Sequential ? NextSequential(peerHas, skipLow: false) : NextRarest(peerHas, skipLow: false);
        }
        return piece;
    }

    /// <summary>A high-priority candidate the peer has: the lowest index in sequential mode, else the rarest (lowest index among equals).</summary>
    private int NextHigh(BitField peerHas)
    {
        int best = -1;
        int bestAvailability = int.MaxValue;
        foreach (int piece in _highPieces)
        {
            if (!_candidates.Contains(piece) || !peerHas[piece])
            {
                continue;
            }
            if (Sequential)
            {
                return piece;
            }
            int a = _candidates.Availability(piece);
            if (a < bestAvailability)
            {
                (best, bestAvailability) = (piece, a);
            }
        }
        return best;
    }

    private bool IsLow(int piece) => _priority is not null && _priority[piece] < 0;

    private void RebuildHighPieces()
    {
        _highDirty = false;
        var list = new List<int>();
        for (int i = 0; i < PieceCount; i++)
        {
            if (_priority![i] > 0)
            {
                list.Add(i);
            }
        }
        _highPieces = [.. list];
    }
}
