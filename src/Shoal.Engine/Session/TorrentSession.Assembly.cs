using System.Security.Cryptography;
using Shoal.Engine.Peers;
using Shoal.Protocol;

namespace Shoal.Engine.Session;

/// <summary>
/// Pieces assembled in memory. The blocks of a piece stay in their pooled receive buffers until the last one
/// arrives; then a disk worker hashes them straight from memory and, only if the hash matches, writes the whole
/// piece with one vectored write per file. Compared with writing each block at once and reading the piece back to
/// verify it, this saves a read (a copy of every byte) and 63 of every 64 write calls and loop events per MiB, and
/// never writes a corrupt piece. Memory is bounded by <see cref="AssemblyBudget"/>: a piece that would not fit
/// (very large pieces, many pieces in flight) takes the direct path (write each block, re-read to verify).
/// Loop-only state except where noted.
/// </summary>
internal sealed partial class TorrentSession
{
    /// <summary>Bytes of pieces that may be held in memory at once (reserved at a piece's first block).</summary>
    /// <remarks>
    /// Small on purpose: held blocks are extra pooled buffers (RSS). A seeder that answers in order completes pieces
    /// one after another, so a few MiB cover it; blocks that arrive scattered over many pieces take the direct path.
    /// When the disk is behind, requests stop (<see cref="DiskBacklogLimit"/>, below this budget) before completed
    /// pieces could crowd assembling ones onto the direct path, which costs a read-back per piece.
    /// </remarks>
    internal const long AssemblyBudget = 12L * 1024 * 1024;

    private readonly Dictionary<int, PieceAssembly> _assemblies = [];
    /// <summary>Pieces that started on the direct path; they stay on it until checked.</summary>
    private readonly HashSet<int> _directPieces = [];
    /// <summary>Assembled pieces handed to a worker, with the bytes they reserve until their check comes back.</summary>
    private readonly Dictionary<int, int> _assembledInFlight = [];
    private long _assemblyBytes;
    /// <summary>Bytes of <see cref="_assembledInFlight"/>: complete pieces waiting for a disk worker.</summary>
    private long _assembledInFlightBytes;

    [ThreadStatic]
    private static IncrementalHash? t_sha1;
    /// <summary>A disk worker's list of a piece's block slices, reused piece after piece.</summary>
    [ThreadStatic]
    private static ReadOnlyMemory<byte>[]? t_parts;

    /// <summary>Blocks of one piece in arrival slots; a null slot has not arrived.</summary>
    private sealed class PieceAssembly(int piece, int size, int blockCount)
    {
        public int Piece { get; } = piece;

        public int Size { get; } = size;

        public byte[]?[] Blocks { get; } = new byte[]?[blockCount];
    }

    /// <summary>
    /// Takes an accepted block (its buffer now belongs to storage). Returns false when the piece is on the direct
    /// path, so the caller writes the block itself.
    /// </summary>
    private bool TryAssemble(int piece, int begin, byte[] buffer, bool pieceComplete)
    {
        if (!_assemblies.TryGetValue(piece, out PieceAssembly? a))
        {
            int size = _lengths.PieceSize(piece);
            // Only a piece whose first block this is can be assembled: blocks received earlier (restored from
            // resume data, or written on the direct path) are on disk, not here.
            if (_directPieces.Contains(piece) || _assemblyBytes + size > AssemblyBudget
                || _picker.GetProgress(piece) is not { ReceivedCount: 1 })
            {
                _directPieces.Add(piece);
                return false;
            }
            a = new PieceAssembly(piece, size, _lengths.BlockCount(piece));
            _assemblies.Add(piece, a);
            _assemblyBytes += size;
        }
        a.Blocks[begin / TorrentLengths.BlockSize] = buffer;
        if (pieceComplete)
        {
            _assemblies.Remove(piece);
            _assembledInFlight[piece] = a.Size;
            _assembledInFlightBytes += a.Size;
            _disk.Writer.TryWrite(new DiskJob(DiskJobKind.HashWrite, null, piece, 0, a.Size, null, a));
        }
        return true;
    }

    /// <summary>The check of a piece came back: its reserved bytes are free, and a direct piece may be assembled next time.</summary>
    private void ReleaseAssembly(int piece)
    {
        _directPieces.Remove(piece);
        if (_assembledInFlight.Remove(piece, out int size))
        {
            _assemblyBytes -= size;
            _assembledInFlightBytes -= size;
            MaybeRunVerify(); // a re-check waits for assembled pieces to land
        }
    }

    /// <summary>True while blocks of the piece are only in memory (assembling, or hashed and written by a worker).</summary>
    private bool IsInMemory(int piece) => _assemblies.ContainsKey(piece) || _assembledInFlight.ContainsKey(piece);

    /// <summary>Forgets pieces still being assembled (their progress is gone too: a re-check rebuilt the picker).</summary>
    private void DropAssemblies()
    {
        foreach (PieceAssembly a in _assemblies.Values)
        {
            _assemblyBytes -= a.Size;
            foreach (byte[]? b in a.Blocks)
            {
                if (b is not null)
                {
                    BlockBuffers.Return(b);
                }
            }
        }
        _assemblies.Clear();
        _directPieces.Clear();
    }

    /// <summary>Disk worker: hash the piece from memory; write it only when it matches. Buffers go back to the pool.</summary>
    private bool HashAndWrite(PieceAssembly a)
    {
        byte[]?[] blocks = a.Blocks;
        ReadOnlyMemory<byte>[] parts = t_parts is { } reused && reused.Length >= blocks.Length
            ? reused : t_parts = new ReadOnlyMemory<byte>[blocks.Length];
        try
        {
            IncrementalHash sha1 = t_sha1 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            for (int i = 0; i < blocks.Length; i++)
            {
                parts[i] = blocks[i].AsMemory(0, _lengths.BlockLength(a.Piece, i));
                sha1.AppendData(parts[i].Span);
            }
            Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
            sha1.GetHashAndReset(hash);
            if (!hash.SequenceEqual(_meta.PieceHash(a.Piece)))
            {
                return false;
            }
            _store.WriteGather(_lengths.PieceOffset(a.Piece), new ArraySegment<ReadOnlyMemory<byte>>(parts, 0, blocks.Length));
            return true;
        }
        finally
        {
            Array.Clear(parts, 0, blocks.Length); // the block buffers go back to the pool below
            for (int i = 0; i < blocks.Length; i++)
            {
                if (blocks[i] is { } b)
                {
                    BlockBuffers.Return(b);
                    blocks[i] = null;
                }
            }
        }
    }
}
