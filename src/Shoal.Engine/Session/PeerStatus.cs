using System.Net;

namespace Shoal.Engine.Session;

/// <summary>
/// One connected peer, as the status snapshot shows it (the fields of Transmission's <c>peers</c> entries).
/// </summary>
public sealed record PeerStatus
{
    public required IPEndPoint EndPoint { get; init; }

    /// <summary>The client's name: the BEP 10 handshake's <c>v</c>, else decoded from the peer id, else the id's prefix.</summary>
    public required string Client { get; init; }

    /// <summary>Piece payload bytes per second from this peer.</summary>
    public required long DownloadRate { get; init; }

    /// <summary>Piece payload bytes per second to this peer.</summary>
    public required long UploadRate { get; init; }

    public required long Downloaded { get; init; }

    public required long Uploaded { get; init; }

    /// <summary>Fraction of the torrent the peer has (0..1).</summary>
    public required double Progress { get; init; }

    /// <summary>We choke the peer (it may not download from us).</summary>
    public required bool AmChoking { get; init; }

    public required bool AmInterested { get; init; }

    /// <summary>The peer chokes us.</summary>
    public required bool PeerChoking { get; init; }

    public required bool PeerInterested { get; init; }

    /// <summary>The peer dialled us.</summary>
    public required bool IsIncoming { get; init; }

    /// <summary>Always false: Shoal does not speak message stream encryption.</summary>
    public bool IsEncrypted => false;

    /// <summary>Always false: Shoal peers use TCP only.</summary>
    public bool IsUtp => false;

    /// <summary>Our requests to the peer not yet answered.</summary>
    public required int RequestsOutstanding { get; init; }

    /// <summary>The peer's requests to us being served.</summary>
    public required int RequestsServing { get; init; }

    /// <summary>
    /// Transmission's flag letters: D/d downloading from it (unchoked/choked but interested), U/u uploading to it,
    /// K peer unchoked us but we are not interested, ? we unchoked it but it is not interested, O optimistic unchoke,
    /// I incoming, X learned via PEX (not tracked: never set), E encrypted (never), T uTP (never).
    /// </summary>
    public required string Flags { get; init; }
}
