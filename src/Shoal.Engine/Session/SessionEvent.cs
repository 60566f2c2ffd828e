using System.Net;
using Shoal.Engine.Peers;

namespace Shoal.Engine.Session;

internal enum SessionEventKind
{
    PeerConnected,
    /// <summary>A <see cref="MessageBatch"/> (in Payload) from one read of a connection.</summary>
    PeerMessages,
    PeerClosed,
    ConnectFailed,
    BlockWritten,
    PieceChecked,
    DiskFailed,
    Tick,
    AddPeers,
    Stop,
    /// <summary>A user command from the handle (pause, resume, priorities, verify...): see TorrentSession.Control.cs.</summary>
    Control,
}

/// <summary>
/// Everything that reaches the torrent loop, as one struct so the hot path (a block arriving, a write completing)
/// does not allocate. Fields are used according to <see cref="Kind"/>.
/// </summary>
internal readonly record struct SessionEvent(
    SessionEventKind Kind,
    PeerConnection? Peer = null,
    PeerDisconnect Disconnect = default,
    int Piece = 0,
    bool Ok = false,
    IPEndPoint? EndPoint = null,
    object? Payload = null);
