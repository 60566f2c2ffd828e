namespace Shoal.Engine.Peers;

/// <summary>
/// A framed message from a peer, already bounds-checked for its own shape (lengths), not yet against torrent state.
/// For <see cref="MessageId.Piece"/>, <see cref="Payload"/> is a pooled buffer (<see cref="BlockBuffers"/>) holding
/// <see cref="Length"/> bytes; whoever ends up with it returns it. For <see cref="MessageId.Bitfield"/> it is a plain array.
/// </summary>
internal readonly record struct ReceivedMessage(MessageId Id, int Piece = 0, int Begin = 0, int Length = 0, byte[]? Payload = null)
{
    public override string ToString() => WireTrace.Describe(Id, Piece, Begin, Length);
}

/// <summary>Where a connection delivers what it reads. Implemented by the torrent session (it posts to its loop).</summary>
internal interface IPeerEventSink
{
    /// <summary>Awaiting this is the backpressure: a busy torrent loop slows the receive loop, not a growing buffer.</summary>
    ValueTask OnMessageAsync(PeerConnection peer, ReceivedMessage message);

    /// <summary>Called exactly once when the connection ends.</summary>
    void OnClosed(PeerConnection peer, PeerDisconnect reason);
}
