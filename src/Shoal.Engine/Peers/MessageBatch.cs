using System.Collections.Concurrent;

namespace Shoal.Engine.Peers;

/// <summary>
/// The messages framed from one socket read of one connection, handed to the torrent loop as one event. A fast
/// seeder's read holds 4 to 16 blocks; posting them one by one cost a budget wait, a channel write and often a
/// thread wake-up per 16 KiB block. Batches are pooled: the loop returns each one once it has handled it.
/// </summary>
internal sealed class MessageBatch
{
    /// <summary>At most this many messages per batch; a longer read is delivered in several batches.</summary>
    public const int Capacity = 32;

    private const int PoolLimit = 256;
    private static readonly ConcurrentQueue<MessageBatch> Pool = new();

    private readonly ReceivedMessage[] _items = new ReceivedMessage[Capacity];

    private MessageBatch()
    {
    }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    public ReadOnlySpan<ReceivedMessage> Messages => _items.AsSpan(0, Count);

    public static MessageBatch Rent() => Pool.TryDequeue(out var batch) ? batch : new MessageBatch();

    public void Add(in ReceivedMessage message) => _items[Count++] = message;

    /// <summary>For a batch nobody will handle (the connection or torrent ended): its block buffers and itself go back.</summary>
    public void Discard()
    {
        ReturnPayloads();
        Recycle();
    }

    private void ReturnPayloads()
    {
        foreach (ref readonly ReceivedMessage m in Messages)
        {
            if (m.Id == Protocol.PeerWire.MessageId.Piece && m.Payload is not null)
            {
                BlockBuffers.Return(m.Payload);
            }
        }
    }

    /// <summary>Back to the pool; the messages must have been handled or their payloads returned.</summary>
    public void Recycle()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
        if (Pool.Count < PoolLimit)
        {
            Pool.Enqueue(this);
        }
    }
}
