using System.Net;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>A moment's view of a <see cref="DhtNode"/>, for <c>shoal dht</c> and status pages.</summary>
public sealed record DhtSnapshot(
    NodeId Id,
    IPEndPoint LocalEndPoint,
    int Nodes,
    int Good,
    int Questionable,
    int Bad,
    IReadOnlyList<DhtBucketSnapshot> Buckets,
    int StoredInfoHashes,
    int StoredPeers,
    int PendingQueries,
    DhtCounters Counters);

/// <summary>One routing-table bucket: <see cref="Index"/> is the number of leading bits its nodes share with our id.</summary>
public sealed record DhtBucketSnapshot(int Index, int Nodes, int Good, int Questionable, int Bad, int Replacements, DateTimeOffset LastChanged);

/// <summary>Traffic counters since start.</summary>
public sealed record DhtCounters(
    long PacketsReceived,
    long PacketsSent,
    long Malformed,
    long RateLimited,
    long Oversized,
    long QueriesAnswered,
    long QueriesTimedOut,
    long HandlerErrors);

/// <summary>
/// What an iterative lookup found. <see cref="Rounds"/> is the deepest hop that answered (hop 1 = nodes from our
/// own table or the bootstrap list, hop n+1 = nodes learned from a hop-n reply); <see cref="FirstPeerRound"/> the
/// hop whose reply first carried peers (0 = our own peer store, null = none found).
/// </summary>
public sealed record DhtLookupResult(
    NodeId Target,
    IReadOnlyList<IPEndPoint> Peers,
    IReadOnlyList<NodeInfo> ClosestNodes,
    int Rounds,
    int? FirstPeerRound,
    int QueriesSent,
    int Responses,
    int Timeouts);

/// <summary>An announce: the lookup that found the closest nodes, and how many of them accepted announce_peer.</summary>
public sealed record DhtAnnounceResult(DhtLookupResult Lookup, int AnnouncedTo, int Rejected);
