namespace Shoal.Engine.Pieces;

/// <summary>A block to request from a peer: piece index, byte offset inside the piece, length (at most 16 KiB).</summary>
public readonly record struct BlockRequest(int Piece, int Begin, int Length);

/// <summary>What a received block meant to the picker.</summary>
public enum BlockResult
{
    /// <summary>Not a block we want: unknown piece, piece already had or awaiting verification, or a bad offset. Drop it.</summary>
    Unexpected,

    /// <summary>We already have this block (endgame duplicate, or a late reply after a cancel). Drop it.</summary>
    Duplicate,

    /// <summary>New block; store it. The piece still misses other blocks.</summary>
    Accepted,

    /// <summary>New block, and it was the last one: store it, then hash the piece and call OnPieceVerified/OnPieceFailed.</summary>
    PieceComplete,
}

/// <summary>
/// Result of <see cref="PiecePicker.OnBlockReceived"/>. <see cref="CancelPeers"/> lists the other peers that had
/// this block requested too (endgame); send each of them a cancel.
/// </summary>
public readonly record struct BlockReceipt(BlockResult Result, IReadOnlyList<int> CancelPeers)
{
    /// <summary>True when the block's bytes must be written to storage.</summary>
    public bool ShouldStore => Result is BlockResult.Accepted or BlockResult.PieceComplete;
}
