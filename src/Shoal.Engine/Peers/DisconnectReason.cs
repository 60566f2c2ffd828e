namespace Shoal.Engine.Peers;

/// <summary>Why a peer connection ended. Every disconnect carries one; the torrent logs and counts them.</summary>
public enum DisconnectReason
{
    /// <summary>We closed it: torrent stopped, engine shut down.</summary>
    Shutdown,
    /// <summary>TCP connect failed or timed out.</summary>
    ConnectFailed,
    /// <summary>The handshake was malformed, slow, or for a torrent we do not have.</summary>
    HandshakeFailed,
    /// <summary>The peer is ourselves (same peer id), or already connected.</summary>
    SelfOrDuplicate,
    /// <summary>The remote end closed the socket.</summary>
    RemoteClosed,
    /// <summary>A socket error while reading or writing.</summary>
    SocketError,
    /// <summary>The peer sent bytes that break the protocol (bad length, bad index, bad bitfield).</summary>
    ProtocolViolation,
    /// <summary>The peer sent nothing for too long.</summary>
    IdleTimeout,
    /// <summary>The peer asked for something we refuse to serve (too large, outside the piece, too many).</summary>
    BadRequest,
    /// <summary>The peer sent data for pieces that failed their hash check too often.</summary>
    Banned,
    /// <summary>Both sides are seeds, or neither wants anything from the other.</summary>
    NotUseful,
    /// <summary>Too many connections.</summary>
    TooManyPeers,
}

/// <summary>A disconnect reason with human detail ("sent piece 7 which it does not have").</summary>
public readonly record struct PeerDisconnect(DisconnectReason Reason, string Detail)
{
    public override string ToString() => Detail.Length == 0 ? Reason.ToString() : $"{Reason}: {Detail}";
}
