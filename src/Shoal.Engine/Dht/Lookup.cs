using System.Net;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>
/// Bookkeeping of one iterative Kademlia lookup (find_node or get_peers), free of I/O so its rules are testable.
/// Candidates are kept sorted by distance to the target. The "window" is the k closest candidates that have not
/// failed; the lookup queries the closest unqueried ones in the window, at most alpha at a time, and is finished
/// when every node in the window has answered (so no closer node can still turn up) or the query budget is spent.
/// <code>
///   NotQueried --send--> InFlight --reply--> Responded
///                                  \-timeout/error--> Failed (drops out of the window)
/// </code>
/// Each candidate remembers its hop: seeds are hop 1, a node learned from a hop-n reply is hop n+1.
/// Not thread-safe: one lookup loop owns it.
/// </summary>
internal sealed class Lookup(NodeId target, int k, int alpha, int maxQueries)
{
    private readonly List<Candidate> _candidates = [];
    private readonly HashSet<IPEndPoint> _seen = [];
    private readonly HashSet<IPEndPoint> _peers = [];
    private readonly List<IPEndPoint> _peerList = [];

    public NodeId Target { get; } = target;

    public int InFlight { get; private set; }

    public int QueriesSent { get; private set; }

    public int Responses { get; private set; }

    public int Timeouts { get; private set; }

    public int Rounds { get; private set; }

    public int? FirstPeerRound { get; private set; }

    public IReadOnlyList<IPEndPoint> Peers => _peerList;

    internal sealed class Candidate(NodeId? id, IPEndPoint endPoint, int hop)
    {
        /// <summary>Null for a bootstrap endpoint whose id we learn from its reply.</summary>
        public NodeId? Id { get; set; } = id;

        public IPEndPoint EndPoint { get; } = endPoint;

        public int Hop { get; } = hop;

        public CandidateState State { get; set; }

        public byte[]? Token { get; set; }
    }

    internal enum CandidateState
    {
        NotQueried,
        InFlight,
        Responded,
        Failed,
    }

    /// <summary>Adds a contact unless its endpoint is already known. Id-less contacts (bootstrap) sort first.</summary>
    public void Add(NodeId? id, IPEndPoint endPoint, int hop)
    {
        if (!_seen.Add(endPoint))
        {
            return;
        }
        var c = new Candidate(id, endPoint, hop);
        int i = _candidates.FindIndex(x => Compare(c, x) < 0);
        _candidates.Insert(i < 0 ? _candidates.Count : i, c);
    }

    /// <summary>Excludes an endpoint (our own) from ever being queried.</summary>
    public void Exclude(IPEndPoint endPoint) => _seen.Add(endPoint);

    private int Compare(Candidate a, Candidate b)
    {
        if (a.Id is null || b.Id is null)
        {
            return (a.Id is null ? 0 : 1) - (b.Id is null ? 0 : 1);
        }
        return NodeId.CompareDistance(Target, a.Id.Value, b.Id.Value);
    }

    /// <summary>The next candidates to query now (marked in flight), respecting alpha, the window and the budget.</summary>
    public List<Candidate> Next()
    {
        var next = new List<Candidate>();
        int inWindow = 0;
        foreach (var c in _candidates)
        {
            if (inWindow >= k || InFlight + next.Count >= alpha || QueriesSent + next.Count >= maxQueries)
            {
                break;
            }
            if (c.State == CandidateState.Failed)
            {
                continue;
            }
            inWindow++;
            if (c.State == CandidateState.NotQueried)
            {
                next.Add(c);
            }
        }
        foreach (var c in next)
        {
            c.State = CandidateState.InFlight;
        }
        InFlight += next.Count;
        QueriesSent += next.Count;
        return next;
    }

    /// <summary>Records a reply: the responder's id and token, new contacts one hop further, and any peers.</summary>
    public void OnResponse(Candidate c, KrpcResponse response, IEnumerable<NodeInfo> nodes)
    {
        InFlight--;
        Responses++;
        c.State = CandidateState.Responded;
        c.Token = response.Token;
        if (c.Id is null)
        {
            // A bootstrap contact now has an id: re-sort it into place.
            _candidates.Remove(c);
            c.Id = response.Id;
            int i = _candidates.FindIndex(x => Compare(c, x) < 0);
            _candidates.Insert(i < 0 ? _candidates.Count : i, c);
        }
        Rounds = Math.Max(Rounds, c.Hop);
        foreach (var n in nodes)
        {
            Add(n.Id, n.EndPoint, c.Hop + 1);
        }
        AddPeers(response.Values, c.Hop);
    }

    /// <summary>Records peers found at <paramref name="round"/>; returns the ones not seen before.</summary>
    public List<IPEndPoint> AddPeers(IEnumerable<IPEndPoint> peers, int round)
    {
        var fresh = new List<IPEndPoint>();
        foreach (var p in peers)
        {
            if (_peers.Add(p))
            {
                _peerList.Add(p);
                fresh.Add(p);
            }
        }
        if (fresh.Count > 0 && FirstPeerRound is null)
        {
            FirstPeerRound = round;
        }
        return fresh;
    }

    public void OnFailure(Candidate c)
    {
        InFlight--;
        Timeouts++;
        c.State = CandidateState.Failed;
    }

    /// <summary>The k closest nodes that answered, with the tokens they gave (for announce_peer).</summary>
    public List<(NodeInfo Node, byte[]? Token)> ClosestResponded() =>
        _candidates
            .Where(c => c.State == CandidateState.Responded && c.Id is not null)
            .Take(k)
            .Select(c => (new NodeInfo(c.Id!.Value, c.EndPoint), c.Token))
            .ToList();
}
