using System.Buffers;
using BenchmarkDotNet.Attributes;
using Shoal.Protocol.PeerWire;

namespace Shoal.Benchmarks;

/// <summary>Frames 1000 piece messages (16 KiB blocks) from one buffer, as split by a 4 KiB-segment pipe or not.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private const int Messages = 1000;
    private ReadOnlySequence<byte> _contiguous;
    private ReadOnlySequence<byte> _segmented;

    [GlobalSetup]
    public void Setup()
    {
        var block = new byte[16384];
        var wire = new byte[Messages * (PeerMessageWriter.PieceHeaderSize + block.Length)];
        int offset = 0;
        for (int i = 0; i < Messages; i++)
        {
            offset += PeerMessageWriter.WritePiece(wire.AsSpan(offset), i, 0, block);
        }
        _contiguous = new ReadOnlySequence<byte>(wire);
        _segmented = Segment(wire, 4096);
    }

    [Benchmark(Baseline = true)]
    public long Contiguous() => Drain(_contiguous);

    [Benchmark]
    public long Segmented4K() => Drain(_segmented);

    private static long Drain(ReadOnlySequence<byte> buffer)
    {
        long bytes = 0;
        while (PeerMessageReader.TryRead(ref buffer, out var message, out _) == FrameStatus.Done)
        {
            bytes += message.Payload.Length;
        }
        return bytes;
    }

    private static ReadOnlySequence<byte> Segment(byte[] data, int size)
    {
        var first = new Chunk(data.AsMemory(0, Math.Min(size, data.Length)), 0);
        var last = first;
        for (int offset = size; offset < data.Length; offset += size)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(size, data.Length - offset)));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Chunk Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Chunk(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
