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
    private static long s_outstanding;
    private static long s_peak;

    /// <summary>Buffers rented and not yet returned, process-wide.</summary>
    public static long Outstanding => Interlocked.Read(ref s_outstanding);

    /// <summary>The most buffers ever out at once: with the pool's retention, what blocks cost in resident memory.</summary>
    public static long Peak => Interlocked.Read(ref s_peak);

    public static byte[] Rent(int length)
    {
        long now = Interlocked.Increment(ref s_outstanding);
        long peak = Volatile.Read(ref s_peak);
        while (now > peak && Interlocked.CompareExchange(ref s_peak, now, peak) != peak)
        {
            peak = Volatile.Read(ref s_peak);
        }
        return Pool.Rent(length);
    }

    public static void Return(byte[] buffer)
    {
        Interlocked.Decrement(ref s_outstanding);
        Pool.Return(buffer);
    }
}

/// <summary>Process-wide memory figures of the engine, for diagnostics (the CLI prints them with SHOAL_STATS=1).</summary>
public static class EngineMemoryStats
{
    /// <summary>The most 16 KiB block buffers in use at once since the process started.</summary>
    public static long PeakBlockBuffers => BlockBuffers.Peak;
}
