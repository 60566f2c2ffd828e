namespace Shoal.Protocol;

/// <summary>
/// All piece and block arithmetic in one place. Blocks are 16 KiB; <c>begin</c> is a byte offset inside the piece;
/// the last block of a piece and the last piece of the torrent may be shorter.
/// </summary>
public sealed class TorrentLengths
{
    public const int BlockSize = 16 * 1024;

    public TorrentLengths(long totalLength, int pieceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceLength);
        TotalLength = totalLength;
        PieceLength = pieceLength;
        long count = (totalLength + pieceLength - 1) / pieceLength;
        if (count > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(totalLength), "too many pieces");
        }
        PieceCount = (int)count;
        LastPieceLength = (int)(totalLength - (long)(PieceCount - 1) * pieceLength);
    }

    public long TotalLength { get; }

    public int PieceLength { get; }

    public int PieceCount { get; }

    public int LastPieceLength { get; }

    public bool IsValidPiece(int piece) => (uint)piece < (uint)PieceCount;

    public int PieceSize(int piece)
    {
        if (!IsValidPiece(piece))
        {
            throw new ArgumentOutOfRangeException(nameof(piece), piece, $"piece index must be below {PieceCount}");
        }
        return piece == PieceCount - 1 ? LastPieceLength : PieceLength;
    }

    public long PieceOffset(int piece) => (long)piece * PieceLength;

    public int BlockCount(int piece) => (PieceSize(piece) + BlockSize - 1) / BlockSize;

    /// <summary>Length of block <paramref name="block"/> (index, not offset) of a piece.</summary>
    public int BlockLength(int piece, int block)
    {
        int size = PieceSize(piece);
        int begin = block * BlockSize;
        if ((uint)block >= (uint)BlockCount(piece))
        {
            throw new ArgumentOutOfRangeException(nameof(block));
        }
        return Math.Min(BlockSize, size - begin);
    }

    /// <summary>
    /// True when (piece, begin, length) names a block we would request: aligned to 16 KiB and of the exact block length.
    /// </summary>
    public bool IsExactBlock(int piece, int begin, int length) =>
        IsValidPiece(piece) && begin >= 0 && begin % BlockSize == 0 && begin < PieceSize(piece)
        && length == Math.Min(BlockSize, PieceSize(piece) - begin);

    /// <summary>True when a peer may ask us for this range: inside the piece and at most 16 KiB.</summary>
    public bool IsServableRequest(int piece, int begin, int length) =>
        IsValidPiece(piece) && begin >= 0 && length > 0 && length <= BlockSize
        && (long)begin + length <= PieceSize(piece);
}
