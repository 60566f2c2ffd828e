using System.Net;
using Shoal.Engine.Dht;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Tests.Dht;

public class RoutingTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(15);
    private static readonly NodeId Own = NodeId.FromHex("8000000000000000000000000000000000000000");
    private int _port = 1000;

    private RoutingTable NewTable() => new(Own, 8, Fresh, 2, T0);

    private IPEndPoint NextEndPoint() => new(IPAddress.Loopback, _port++);

    /// <summary>An id sharing exactly <paramref name="prefix"/> leading bits with <see cref="Own"/>.</summary>
    private static NodeId InBucket(int prefix, int salt)
    {
        var b = Own.ToArray();
        b[prefix / 8] ^= (byte)(0x80 >> (prefix % 8));
        b[19] ^= (byte)salt;
        b[18] ^= (byte)(salt >> 8);
        return new NodeId(b);
    }

    private bool Add(RoutingTable t, NodeId id, out RoutingNode? ping, DateTimeOffset? at = null) =>
        t.Observe(id, NextEndPoint(), responded: true, at ?? T0, out ping);

    [Fact]
    public void Own_id_is_never_inserted() => Assert.False(NewTable().Observe(Own, NextEndPoint(), true, T0, out _));

    [Fact]
    public void Querier_alone_is_not_inserted()
    {
        var t = NewTable();
        Assert.False(t.Observe(InBucket(0, 1), NextEndPoint(), responded: false, T0, out _));
        Assert.Equal(0, t.Count);
    }

    [Fact]
    public void Full_bucket_holding_our_id_splits()
    {
        var t = NewTable();
        for (int i = 0; i < 8; i++)
        {
            Assert.True(Add(t, InBucket(0, i), out _)); // far half
        }
        Assert.Equal(1, t.BucketCount);
        Assert.True(Add(t, InBucket(5, 1), out _)); // near our id: forces splits
        Assert.True(t.BucketCount > 1);
        Assert.Equal(9, t.Count);
        Assert.Equal(0, t.BucketIndexOf(InBucket(0, 99)));
    }

    [Fact]
    public void Far_full_bucket_does_not_split_and_asks_to_ping_a_questionable_node()
    {
        var t = NewTable();
        Add(t, InBucket(3, 1), out _); // makes bucket 0 a far bucket after splits
        for (int i = 0; i < 8; i++)
        {
            Assert.True(Add(t, InBucket(0, i + 10), out _));
        }
        int buckets = t.BucketCount;
        // All good: a newcomer waits in the replacement cache and nobody needs a ping.
        Assert.False(Add(t, InBucket(0, 50), out var ping));
        Assert.Null(ping);
        Assert.Equal(buckets, t.BucketCount);
        // 20 minutes later everyone is questionable: the least recently seen one is to be pinged.
        Assert.False(Add(t, InBucket(0, 51), out ping, T0.AddMinutes(20)));
        Assert.NotNull(ping);
        Assert.Equal(DhtNodeState.Questionable, t.StateOf(ping!, T0.AddMinutes(20)));
    }

    [Fact]
    public void Bad_node_is_replaced_by_a_cached_replacement()
    {
        var t = NewTable();
        Add(t, InBucket(3, 1), out _);
        var eps = new List<IPEndPoint>();
        for (int i = 0; i < 8; i++)
        {
            var ep = NextEndPoint();
            eps.Add(ep);
            t.Observe(InBucket(0, i + 10), ep, true, T0, out _);
        }
        var newcomer = InBucket(0, 77);
        Assert.False(t.Observe(newcomer, NextEndPoint(), true, T0, out _));
        Assert.False(t.RecordFailure(eps[0], T0)); // one failure: questionable, still there
        Assert.True(t.RecordFailure(eps[0], T0));  // two: bad, swapped for the replacement
        Assert.Null(t.Find(eps[0]));
        Assert.Contains(t.AllNodes, n => n.Id == newcomer);
    }

    [Fact]
    public void Node_states_follow_the_fifteen_minute_rule()
    {
        var t = NewTable();
        var ep = NextEndPoint();
        t.Observe(InBucket(0, 1), ep, true, T0, out _);
        var node = t.Find(ep)!;
        Assert.Equal(DhtNodeState.Good, t.StateOf(node, T0.AddMinutes(14)));
        Assert.Equal(DhtNodeState.Questionable, t.StateOf(node, T0.AddMinutes(16)));
        // A query from a node that answered before makes it good again.
        t.Observe(InBucket(0, 1), ep, false, T0.AddMinutes(16), out _);
        Assert.Equal(DhtNodeState.Good, t.StateOf(node, T0.AddMinutes(17)));
        t.RecordFailure(ep, T0.AddMinutes(17));
        t.RecordFailure(ep, T0.AddMinutes(17));
        Assert.Equal(DhtNodeState.Bad, t.StateOf(node, T0.AddMinutes(17)));
        t.Observe(InBucket(0, 1), ep, true, T0.AddMinutes(18), out _);
        Assert.Equal(DhtNodeState.Good, t.StateOf(node, T0.AddMinutes(18)));
    }

    [Fact]
    public void Live_id_cannot_be_taken_over_from_another_address()
    {
        var t = NewTable();
        var id = InBucket(0, 1);
        var first = NextEndPoint();
        t.Observe(id, first, true, T0, out _);
        Assert.False(t.Observe(id, NextEndPoint(), true, T0.AddMinutes(1), out _));
        Assert.NotNull(t.Find(first));
        Assert.Equal(1, t.Count);
    }

    [Fact]
    public void Closest_orders_by_xor_distance()
    {
        var t = NewTable();
        var ids = Enumerable.Range(0, 30).Select(_ => NodeId.CreateRandom()).ToList();
        foreach (var id in ids)
        {
            Add(t, id, out _);
        }
        var target = NodeId.CreateRandom();
        var closest = t.Closest(target, 8, T0);
        var inTable = t.AllNodes.Select(n => n.Id).OrderBy(i => i ^ target).Take(8).ToList();
        Assert.Equal(inTable, closest.Select(n => n.Id));
    }

    [Fact]
    public void Stale_buckets_get_refresh_targets_inside_their_range()
    {
        var t = NewTable();
        for (int i = 0; i < 8; i++)
        {
            Add(t, InBucket(0, i), out _);
        }
        Add(t, InBucket(4, 1), out _);
        Assert.Empty(t.RefreshTargets(T0.AddMinutes(10)));
        var targets = t.RefreshTargets(T0.AddMinutes(16), new Random(1));
        Assert.Equal(t.BucketCount, targets.Count);
        for (int i = 0; i < targets.Count; i++)
        {
            Assert.Equal(i, t.BucketIndexOf(targets[i]));
        }
    }
}
