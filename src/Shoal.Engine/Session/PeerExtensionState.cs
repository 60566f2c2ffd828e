using Shoal.Protocol.Extensions;

namespace Shoal.Engine.Session;

/// <summary>
/// What the torrent loop knows about one peer's extensions (BEP 10 handshake, ut_pex, BEP 6 allowed-fast sets).
/// Touched only by the loop.
/// </summary>
internal sealed class PeerExtensionState
{
    /// <summary>Most allowed-fast pieces we remember from one peer; more is a peer trying to make us hold state.</summary>
    public const int MaxAllowedFastFromPeer = 64;

    /// <summary>The id the peer wants ut_metadata sent under, or null.</summary>
    public byte? UtMetadataId { get; set; }

    /// <summary>The id the peer wants ut_pex sent under, or null.</summary>
    public byte? UtPexId { get; set; }

    /// <summary>The peer's <c>p</c>: where an incoming peer accepts connections (for PEX).</summary>
    public int? ListenPort { get; set; }

    public string? Client { get; set; }

    /// <summary>The peer's <c>reqq</c>: how many of our requests it queues (null: not announced).</summary>
    public int? RequestQueue { get; set; }

    /// <summary>Our PEX bookkeeping towards this peer (created when it negotiates ut_pex).</summary>
    public PexState? Pex { get; set; }

    /// <summary>The BEP 6 set we granted: requests for these pieces are served even while the peer is choked.</summary>
    public HashSet<int> AllowedForPeer { get; } = [];

    /// <summary>Our canonical allowed-fast set for this peer (BEP 6), granted piece by piece as we have them.</summary>
    public int[]? AllowedSetForPeer { get; set; }

    /// <summary>Allowed-fast pieces the peer granted us: requested even while it chokes us.</summary>
    public HashSet<int> AllowedByPeer { get; } = [];

    /// <summary>Scratch mask of <see cref="AllowedByPeer"/> pieces worth requesting (see RequestAllowedFast).</summary>
    public Shoal.Protocol.BitField? AllowedFastMask { get; set; }

    /// <summary>Lengths of pending requests that are not a whole block (see RememberRequestLength).</summary>
    public Dictionary<long, int> OddRequestLengths { get; } = [];

    /// <summary>When the last ut_pex message from this peer was accepted (BEP 11: at most one a minute).</summary>
    public long LastPexReceived { get; set; }
}
