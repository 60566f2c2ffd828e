using System.Diagnostics;

namespace Shoal.Cli.Output;

/// <summary>
/// Allocation and GC figures printed at exit when the environment variable SHOAL_STATS=1 is set (for the swarm
/// benchmark, which reports allocated bytes and collections per GiB). One line on stderr, key=value pairs.
/// </summary>
internal static class RuntimeStats
{
    public static void Print()
    {
        using var self = Process.GetCurrentProcess();
        Console.Error.WriteLine(
            $"shoal-stats allocated_bytes={GC.GetTotalAllocatedBytes(precise: true)} gc0={GC.CollectionCount(0)} " +
            $"gc1={GC.CollectionCount(1)} gc2={GC.CollectionCount(2)} pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F1} " +
            $"cpu_s={self.TotalProcessorTime.TotalSeconds:F3} peak_ws_mb={self.PeakWorkingSet64 / (1024 * 1024)} " +
            $"threads={self.Threads.Count} blocks_peak={Shoal.Engine.Peers.EngineMemoryStats.PeakBlockBuffers} " +
            $"gc_heap_mb={GC.GetGCMemoryInfo().HeapSizeBytes / (1024 * 1024)}");
    }
}
