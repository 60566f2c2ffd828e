using System.Buffers;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

/// <summary>Builds multi-segment sequences and feeds them in chunks the way a PipeReader would.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] data, IReadOnlyList<int> chunkSizes)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        int offset = 0;
        for (int i = 0; offset < data.Length; i++)
        {
            int size = Math.Min(Math.Max(1, chunkSizes[i % chunkSizes.Count]), data.Length - offset);
            chunks.Add(data.AsMemory(offset, size));
            offset += size;
        }
        return Join(chunks);
    }

    public static ReadOnlySequence<byte> Join(IReadOnlyList<ReadOnlyMemory<byte>> chunks)
    {
        if (chunks.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        var first = new Segment(chunks[0], 0);
        var last = first;
        for (int i = 1; i < chunks.Count; i++)
        {
            last = last.Append(chunks[i]);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>
    /// Makes the bytes arrive chunk by chunk (each chunk its own segment), framing as much as possible after each
    /// arrival. Returns the decoded messages as comparable snapshots, or the first error.
    /// </summary>
    public static (List<Snapshot> Messages, FrameError? Error) Feed(byte[] wire, IReadOnlyList<int> chunkSizes, PeerWireLimits? limits = null)
    {
        var all = Split(wire, chunkSizes);
        var result = new List<Snapshot>();
        long start = 0;
        long received = 0;
        foreach (var segment in all)
        {
            received += segment.Length;
            var buffer = all.Slice(start, received - start);
            while (true)
            {
                var status = PeerMessageReader.TryRead(ref buffer, out var message, out var error, limits);
                if (status == FrameStatus.Invalid)
                {
                    return (result, error);
                }
                if (status == FrameStatus.NeedMore)
                {
                    break;
                }
                result.Add(Snapshot.Of(message));
            }
            start = received - buffer.Length;
        }
        Assert.Equal(wire.Length, start);
        return (result, null);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

/// <summary>A message with its payload copied out, so it can be compared after the buffer is gone.</summary>
internal sealed record Snapshot(MessageId Id, int Index, int Begin, int Length, string PayloadHex)
{
    public static Snapshot Of(in PeerMessage m) =>
        new(m.Id, m.Index, m.Begin, m.Length, Convert.ToHexString(m.Payload.ToArray()));
}
