using System.Buffers;

namespace Shoal.Fuzz;

/// <summary>Splits bytes into a multi-segment sequence, the way a socket pipe hands them over.</summary>
internal static class Chunks
{
    public static ReadOnlySequence<byte> Split(byte[] data, ReadOnlySpan<byte> sizes)
    {
        if (data.Length == 0 || sizes.IsEmpty)
        {
            return new ReadOnlySequence<byte>(data);
        }
        Node? first = null;
        Node? last = null;
        int offset = 0;
        for (int i = 0; offset < data.Length; i++)
        {
            int size = Math.Min(Math.Max(1, (int)sizes[i % sizes.Length]), data.Length - offset);
            var node = new Node(data.AsMemory(offset, size), offset);
            if (last is null)
            {
                first = node;
            }
            else
            {
                last.SetNext(node);
            }
            last = node;
            offset += size;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Node : ReadOnlySequenceSegment<byte>
    {
        public Node(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Node next) => Next = next;
    }
}
