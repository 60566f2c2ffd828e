using Shoal.Engine.Peers;
using Shoal.Protocol;

namespace Shoal.Engine.Session;

/// <summary>What the torrent loop knows about one connected peer. Touched only by the loop.</summary>
internal sealed class PeerState(int id, PeerConnection connection, int pieceCount)
{
    /// <summary>The picker's key for this peer (unique while connected).</summary>
    public int Id { get; } = id;

    public PeerConnection Connection { get; } = connection;

    public BitField Has { get; set; } = new(pieceCount);

    /// <summary>We have not sent unchoke (or sent choke since).</summary>
    public bool AmChoking { get; set; } = true;

    public bool AmInterested { get; set; }

    public bool PeerChoking { get; set; } = true;

    public bool PeerInterested { get; set; }

    /// <summary>True once the peer has said what it has (bitfield or a first have), or skipped it.</summary>
    public bool SeenFirstMessage { get; set; }

    /// <summary>True once the peer sent a have or a bitfield; a bitfield after that is a protocol violation.</summary>
    public bool SeenAvailability { get; set; }

    /// <summary>Pieces the peer has that we lack; interest follows this count.</summary>
    public int Interesting { get; set; }

    /// <summary>Our requests to the peer not yet answered, keyed by <see cref="Key"/>.</summary>
    public HashSet<long> Outstanding { get; } = [];

    /// <summary>
    /// Requests we gave up on (choked, snubbed, endgame cancel) whose blocks may still arrive; a block that is in
    /// neither this nor <see cref="Outstanding"/> was never asked for.
    /// </summary>
    public HashSet<long> Abandoned { get; } = [];

    /// <summary>The peer's requests to us that we are serving (reading from disk); shared with the disk workers.</summary>
    public ServingSet Serving { get; } = new();

    /// <summary>How many requests to keep outstanding; grows with the peer's rate.</summary>
    public int QueueDepth { get; set; } = TorrentSession.InitialQueueDepth;

    /// <summary>Pieces this peer contributed to that failed their hash.</summary>
    public int HashFailures { get; set; }

    public long LastBlockTimestamp { get; set; }

    public bool IsSeed => Has.AllSet;

    public bool OptimisticUnchoke { get; set; }

    /// <summary>BEP 6 / 10 / 11 state: see TorrentSession.Extensions.cs.</summary>
    public PeerExtensionState Extensions { get; } = new();

    public static long Key(int piece, int begin) => ((long)piece << 32) | (uint)begin;

    public bool HasOutstanding(int piece, int begin) => Outstanding.Contains(Key(piece, begin));

    public override string ToString() => Connection.ToString();
}
