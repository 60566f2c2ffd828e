using Shoal.Protocol;

namespace Shoal.Engine.Session;

/// <summary>
/// What the torrent loop needs from storage. Called from disk workers, never from the loop itself; implementations
/// must allow concurrent calls for different blocks.
/// </summary>
internal interface IPieceStore : IAsyncDisposable
{
    ValueTask WriteBlockAsync(int piece, int begin, ReadOnlyMemory<byte> data, CancellationToken ct);

    ValueTask ReadBlockAsync(int piece, int begin, Memory<byte> destination, CancellationToken ct);

    /// <summary>Reads the piece back and compares its SHA-1 with the metainfo.</summary>
    ValueTask<bool> VerifyPieceAsync(int piece, CancellationToken ct);

    /// <summary>Hashes whatever is already on disk; returns the pieces that verify.</summary>
    Task<BitField> CheckExistingAsync(CancellationToken ct);

    ValueTask FlushAsync(CancellationToken ct);
}
