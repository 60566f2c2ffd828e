namespace Shoal.Engine.Creation;

/// <summary>Piece length rules for new torrents.</summary>
public static class PieceSizing
{
    public const int MinPieceLength = 16 * 1024;
    public const int MaxPieceLength = 16 * 1024 * 1024;

    /// <summary>The most pieces the automatic choice aims for; halving from there gives 1000-2000 pieces.</summary>
    public const int TargetMaxPieces = 2000;

    /// <summary>
    /// The smallest power of two from 16 KiB to 16 MiB that keeps the torrent at or under 2000 pieces, so a
    /// mid-sized torrent lands between 1000 and 2000 pieces: small enough .torrent files, pieces small enough to
    /// share early. Tiny inputs get 16 KiB; beyond 32 GiB the count grows past 2000 at 16 MiB.
    /// </summary>
    public static int Choose(long totalLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalLength);
        int length = MinPieceLength;
        while (length < MaxPieceLength && (totalLength + length - 1) / length > TargetMaxPieces)
        {
            length *= 2;
        }
        return length;
    }

    /// <summary>True for a power of two from 16 KiB to 16 MiB, the range every common client accepts.</summary>
    public static bool IsAcceptable(long pieceLength) =>
        pieceLength is >= MinPieceLength and <= MaxPieceLength && (pieceLength & (pieceLength - 1)) == 0;
}
