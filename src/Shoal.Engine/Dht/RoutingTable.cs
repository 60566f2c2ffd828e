using System.Net;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>
/// The Kademlia routing table of BEP 5. Bucket i (i &lt; last) holds nodes whose id shares exactly i leading bits
/// with ours; the last bucket holds every node sharing at least that many bits, i.e. the range containing our own
/// id. Only that last bucket splits when full, so the table is fine-grained near us and coarse far away.
/// Not thread-safe: <see cref="DhtNode"/> guards it with its lock. Times are passed in, never read here.
/// </summary>
internal sealed class RoutingTable
{
    private readonly List<Bucket> _buckets;
    private readonly Dictionary<IPEndPoint, RoutingNode> _byEndPoint = [];

    public RoutingTable(NodeId ownId, int bucketSize, TimeSpan freshness, int maxFailures, DateTimeOffset now)
    {
        OwnId = ownId;
        BucketSize = bucketSize;
        Freshness = freshness;
        MaxFailures = maxFailures;
        _buckets = [new Bucket(now)];
    }

    public NodeId OwnId { get; }

    public int BucketSize { get; }

    public TimeSpan Freshness { get; }

    public int MaxFailures { get; }

    public int BucketCount => _buckets.Count;

    public int Count => _byEndPoint.Count;

    internal IReadOnlyList<Bucket> Buckets => _buckets;

    public IEnumerable<RoutingNode> AllNodes => _buckets.SelectMany(b => b.Nodes);

    public int BucketIndexOf(NodeId id) => Math.Min(OwnId.CommonPrefixLength(id), _buckets.Count - 1);

    public RoutingNode? Find(IPEndPoint endPoint) => _byEndPoint.GetValueOrDefault(endPoint);

    public DhtNodeState StateOf(RoutingNode node, DateTimeOffset now) => node.State(now, Freshness, MaxFailures);

    /// <summary>
    /// Whether a new node with this id would get a slot (free room, a split, or a bad node to replace). Used to
    /// decide if an unknown querier is worth a verifying ping.
    /// </summary>
    public bool HasRoomFor(NodeId id, DateTimeOffset now)
    {
        if (id == OwnId)
        {
            return false;
        }
        int i = BucketIndexOf(id);
        var b = _buckets[i];
        return b.Nodes.Count < BucketSize
            || (i == _buckets.Count - 1 && _buckets.Count < NodeId.Bits)
            || b.Nodes.Exists(n => StateOf(n, now) == DhtNodeState.Bad);
    }

    /// <summary>
    /// Records that <paramref name="id"/> at <paramref name="endPoint"/> answered us (<paramref name="responded"/>)
    /// or queried us. Known nodes are refreshed. A new node that answered takes a free slot, splits the bucket
    /// holding our id, or replaces a bad node; otherwise it waits in the bucket's replacement cache and the least
    /// recently seen questionable node is returned in <paramref name="pingCandidate"/> for the caller to ping
    /// (BEP 5: ping questionable nodes before evicting them). Nodes that only queried us are not inserted here.
    /// </summary>
    public bool Observe(NodeId id, IPEndPoint endPoint, bool responded, DateTimeOffset now, out RoutingNode? pingCandidate)
    {
        pingCandidate = null;
        if (id == OwnId)
        {
            return false;
        }
        if (_byEndPoint.TryGetValue(endPoint, out var known))
        {
            if (known.Id != id)
            {
                // The address now speaks for another id (a restart with a new id): forget the old entry.
                if (!responded)
                {
                    return false;
                }
                Remove(known);
            }
            else
            {
                Touch(known, responded, now);
                return true;
            }
        }
        var bucket = _buckets[BucketIndexOf(id)];
        var sameId = bucket.Nodes.Find(n => n.Id == id);
        if (sameId is not null)
        {
            // Same id from a new address: keep a live entry (id spoofing), take the new address for a dead one.
            if (!responded || StateOf(sameId, now) == DhtNodeState.Good)
            {
                return false;
            }
            _byEndPoint.Remove(sameId.EndPoint);
            sameId.EndPoint = endPoint;
            _byEndPoint[endPoint] = sameId;
            Touch(sameId, responded, now);
            return true;
        }
        if (!responded)
        {
            return false;
        }
        return Insert(new RoutingNode(id, endPoint, now) { LastResponse = now }, now, out pingCandidate);
    }

    private bool Insert(RoutingNode node, DateTimeOffset now, out RoutingNode? pingCandidate)
    {
        pingCandidate = null;
        while (true)
        {
            int i = BucketIndexOf(node.Id);
            var bucket = _buckets[i];
            if (bucket.Nodes.Count < BucketSize)
            {
                bucket.Nodes.Add(node);
                bucket.Replacements.RemoveAll(r => r.Id == node.Id || r.EndPoint.Equals(node.EndPoint));
                _byEndPoint[node.EndPoint] = node;
                bucket.LastChanged = now;
                return true;
            }
            if (i == _buckets.Count - 1 && _buckets.Count < NodeId.Bits)
            {
                Split(now);
                continue;
            }
            int bad = bucket.Nodes.FindIndex(n => StateOf(n, now) == DhtNodeState.Bad);
            if (bad >= 0)
            {
                _byEndPoint.Remove(bucket.Nodes[bad].EndPoint);
                bucket.Nodes[bad] = node;
                _byEndPoint[node.EndPoint] = node;
                bucket.LastChanged = now;
                return true;
            }
            bucket.AddReplacement(node, BucketSize);
            pingCandidate = bucket.Nodes
                .Where(n => !n.PingPending && StateOf(n, now) == DhtNodeState.Questionable)
                .OrderBy(n => n.LastSeen)
                .FirstOrDefault();
            return false;
        }
    }

    private void Split(DateTimeOffset now)
    {
        var last = _buckets[^1];
        int depth = _buckets.Count - 1;
        var near = new Bucket(now);
        var far = new Bucket(now) { LastChanged = last.LastChanged };
        foreach (var n in last.Nodes)
        {
            (OwnId.CommonPrefixLength(n.Id) > depth ? near : far).Nodes.Add(n);
        }
        foreach (var r in last.Replacements)
        {
            (OwnId.CommonPrefixLength(r.Id) > depth ? near : far).Replacements.Add(r);
        }
        _buckets[^1] = far;
        _buckets.Add(near);
    }

    private static void Touch(RoutingNode node, bool responded, DateTimeOffset now)
    {
        if (responded)
        {
            node.LastResponse = now;
            node.Failures = 0;
            node.PingPending = false;
        }
        else
        {
            node.LastQuery = now;
        }
    }

    /// <summary>
    /// Counts an unanswered query. A node that turns bad is replaced by the freshest cached replacement, if any;
    /// returns true when the node left the table.
    /// </summary>
    public bool RecordFailure(IPEndPoint endPoint, DateTimeOffset now)
    {
        if (!_byEndPoint.TryGetValue(endPoint, out var node))
        {
            return false;
        }
        node.Failures++;
        node.PingPending = false;
        if (StateOf(node, now) != DhtNodeState.Bad)
        {
            return false;
        }
        var bucket = _buckets[BucketIndexOf(node.Id)];
        if (bucket.Replacements.Count == 0)
        {
            return false; // a bad node stays until something better turns up: an empty slot helps no one
        }
        var replacement = bucket.Replacements[^1];
        bucket.Replacements.RemoveAt(bucket.Replacements.Count - 1);
        int index = bucket.Nodes.IndexOf(node);
        _byEndPoint.Remove(node.EndPoint);
        bucket.Nodes[index] = replacement;
        _byEndPoint[replacement.EndPoint] = replacement;
        bucket.LastChanged = now;
        return true;
    }

    public void Remove(RoutingNode node)
    {
        _buckets[BucketIndexOf(node.Id)].Nodes.Remove(node);
        _byEndPoint.Remove(node.EndPoint);
    }

    /// <summary>Up to <paramref name="count"/> non-bad nodes closest to <paramref name="target"/>, good ones first among equals.</summary>
    public List<NodeInfo> Closest(NodeId target, int count, DateTimeOffset now) =>
        AllNodes
            .Where(n => StateOf(n, now) != DhtNodeState.Bad)
            .OrderBy(n => n.Id ^ target)
            .Take(count)
            .Select(n => n.Info)
            .ToList();

    /// <summary>Random targets inside each bucket not changed for <see cref="Freshness"/> (BEP 5 bucket refresh).</summary>
    public List<NodeId> RefreshTargets(DateTimeOffset now, Random? random = null)
    {
        var targets = new List<NodeId>();
        for (int i = 0; i < _buckets.Count; i++)
        {
            if (now - _buckets[i].LastChanged >= Freshness)
            {
                targets.Add(RandomIdInBucket(i, random));
            }
        }
        return targets;
    }

    /// <summary>A random id that falls in bucket <paramref name="index"/>.</summary>
    public NodeId RandomIdInBucket(int index, Random? random = null)
    {
        if (index == _buckets.Count - 1)
        {
            return NodeId.RandomWithPrefix(OwnId, index, random);
        }
        Span<byte> flipped = stackalloc byte[NodeId.Length];
        OwnId.CopyTo(flipped);
        flipped[index / 8] ^= (byte)(0x80 >> (index % 8));
        return NodeId.RandomWithPrefix(new NodeId(flipped), index + 1, random);
    }

    /// <summary>Marks the bucket of <paramref name="id"/> as just refreshed (a lookup ran in its range).</summary>
    public void MarkRefreshed(NodeId id, DateTimeOffset now) => _buckets[BucketIndexOf(id)].LastChanged = now;

    internal sealed class Bucket(DateTimeOffset now)
    {
        public List<RoutingNode> Nodes { get; } = [];

        /// <summary>Answering nodes that found the bucket full, newest last; they fill slots of nodes that go bad.</summary>
        public List<RoutingNode> Replacements { get; } = [];

        public DateTimeOffset LastChanged { get; set; } = now;

        public void AddReplacement(RoutingNode node, int capacity)
        {
            Replacements.RemoveAll(r => r.Id == node.Id || r.EndPoint.Equals(node.EndPoint));
            if (Replacements.Count >= capacity)
            {
                Replacements.RemoveAt(0);
            }
            Replacements.Add(node);
        }
    }
}
