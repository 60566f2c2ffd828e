using System.Net;

namespace Shoal.Protocol.Trackers;

/// <summary>
/// A tracker's answer to an announce, from HTTP (bencoded) or UDP (BEP 15). A non-null
/// <see cref="FailureReason"/> means the tracker refused the announce; it is kept verbatim.
/// </summary>
public sealed record AnnounceResponse
{
    /// <summary>Peers per response we keep at most; the rest of a huge list is skipped, not allocated.</summary>
    public const int DefaultMaxPeers = 2000;

    /// <summary>The tracker's <c>failure reason</c>, verbatim; the other fields are then meaningless.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The tracker's <c>warning message</c>: the announce worked but the tracker wants to say something.</summary>
    public string? WarningMessage { get; init; }

    /// <summary>Seconds the tracker wants between announces.</summary>
    public int? Interval { get; init; }

    /// <summary>Seconds the tracker wants at least between announces.</summary>
    public int? MinInterval { get; init; }

    /// <summary>The <c>tracker id</c> to echo on the next announce.</summary>
    public string? TrackerId { get; init; }

    /// <summary>Seeders (<c>complete</c>).</summary>
    public int? Seeders { get; init; }

    /// <summary>Leechers (<c>incomplete</c>).</summary>
    public int? Leechers { get; init; }

    /// <summary>Peers, IPv4 and IPv6 together, capped at the parser's maximum; duplicates are not removed.</summary>
    public IReadOnlyList<IPEndPoint> Peers { get; init; } = [];

    /// <summary>Peer entries that were skipped: over the cap, port 0, host names, or malformed.</summary>
    public int PeersSkipped { get; init; }
}

/// <summary>One torrent's scrape counts.</summary>
/// <param name="InfoHash">The torrent.</param>
/// <param name="Seeders">Peers with the whole torrent (<c>complete</c>).</param>
/// <param name="Completed">Times the torrent was downloaded completely (<c>downloaded</c>).</param>
/// <param name="Leechers">Peers still downloading (<c>incomplete</c>).</param>
public sealed record ScrapeStats(InfoHash InfoHash, int Seeders, int Completed, int Leechers);

/// <summary>A tracker's answer to a scrape.</summary>
public sealed record ScrapeResponse
{
    /// <summary>The tracker's <c>failure reason</c>, verbatim.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Counts for each torrent the tracker knows, keyed by raw info hash in the HTTP form.</summary>
    public IReadOnlyList<ScrapeStats> Files { get; init; } = [];
}
