using System.Buffers;

namespace Shoal.Engine.Peers;

/// <summary>
/// The pool for 16 KiB block payloads. Blocks are rented on a receive loop and returned on a disk worker (or the
/// other way round for uploads); the shared pool's per-thread caches miss in that pattern and allocate, so blocks
/// get their own pool, large enough for every block in flight.
/// </summary>
internal static class BlockBuffers
{
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: Protocol.TorrentLengths.BlockSize, maxArraysPerBucket: 8192);

    public static byte[] Rent(int length) => Pool.Rent(length);

    public static void Return(byte[] buffer) => Pool.Return(buffer);
}
