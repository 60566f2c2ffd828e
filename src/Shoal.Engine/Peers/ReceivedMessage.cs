using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

/// <summary>
/// A framed message from a peer, already checked against the torrent's geometry (piece indices, block ranges,
/// bitfield size) by the receive loop. For <see cref="MessageId.Piece"/>, <see cref="Payload"/> is a pooled buffer
/// (<see cref="BlockBuffers"/>) holding <see cref="Length"/> bytes; whoever ends up with it returns it. A bitfield
/// arrives parsed, in <see cref="Bitfield"/>.
/// </summary>
internal readonly record struct ReceivedMessage(MessageId Id, int Piece = 0, int Begin = 0, int Length = 0, byte[]? Payload = null,
    BitField? Bitfield = null);

/// <summary>Where a connection delivers what it reads. Implemented by the torrent session (it posts to its loop).</summary>
internal interface IPeerEventSink
{
    /// <summary>
    /// Takes the messages of one read, in order; the sink owns the batch from then on. Awaiting this is the
    /// backpressure: a busy torrent loop slows the receive loop, not a growing buffer.
    /// </summary>
    ValueTask OnMessagesAsync(PeerConnection peer, MessageBatch batch);

    /// <summary>Called exactly once when the connection ends.</summary>
    void OnClosed(PeerConnection peer, PeerDisconnect reason);
}
