namespace Shoal.Protocol.PeerWire;

/// <summary>Peer-wire message ids (BEP 3, BEP 6 fast extension, BEP 10 extension protocol).</summary>
/// <remarks>
/// <see cref="KeepAlive"/> is not a wire id (a keep-alive has no id byte); it is out of the byte range so it can
/// never collide with a real id. Ids the reader does not know keep their numeric value.
/// </remarks>
public enum MessageId : short
{
    KeepAlive = -1,
    Choke = 0,
    Unchoke = 1,
    Interested = 2,
    NotInterested = 3,
    Have = 4,
    Bitfield = 5,
    Request = 6,
    Piece = 7,
    Cancel = 8,
    Port = 9,
    Suggest = 13,
    HaveAll = 14,
    HaveNone = 15,
    Reject = 16,
    AllowedFast = 17,
    Extended = 20,
}
