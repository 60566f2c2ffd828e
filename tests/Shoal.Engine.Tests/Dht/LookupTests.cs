using System.Net;
using Shoal.Engine.Dht;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Tests.Dht;

public class LookupTests
{
    private static readonly NodeId Target = NodeId.Zero;

    private static NodeId IdAt(int distance) => NodeId.FromHex(distance.ToString("x2") + new string('0', 38));

    private static IPEndPoint Ep(int port) => new(IPAddress.Loopback, port);

    private static KrpcResponse Reply(NodeId id, params IPEndPoint[] values) => new([1, 2], id) { Values = values, Token = [9] };

    [Fact]
    public void Queries_at_most_alpha_of_the_closest_at_a_time()
    {
        var l = new Lookup(Target, k: 8, alpha: 3, maxQueries: 100);
        for (int d = 20; d > 0; d--)
        {
            l.Add(IdAt(d), Ep(d), 1);
        }
        var first = l.Next();
        Assert.Equal([1, 2, 3], first.Select(c => c.EndPoint.Port));
        Assert.Empty(l.Next());
        l.OnFailure(first[0]);
        Assert.Equal([4], l.Next().Select(c => c.EndPoint.Port));
    }

    [Fact]
    public void Ends_when_the_k_closest_have_answered()
    {
        var l = new Lookup(Target, k: 2, alpha: 3, maxQueries: 100);
        l.Add(IdAt(10), Ep(10), 1);
        l.Add(IdAt(20), Ep(20), 1);
        var batch = l.Next();
        Assert.Equal(2, batch.Count);
        // The first reply tells of a closer node, one hop further.
        l.OnResponse(batch[0], Reply(IdAt(10)), [new NodeInfo(IdAt(5), Ep(5))]);
        var next = l.Next();
        Assert.Equal([5], next.Select(c => c.EndPoint.Port));
        l.OnResponse(next[0], Reply(IdAt(5), Ep(6881)), []);
        l.OnResponse(batch[1], Reply(IdAt(20)), []);
        Assert.Empty(l.Next()); // window {5, 10} fully answered: done
        Assert.Equal(0, l.InFlight);
        Assert.Equal(2, l.Rounds);
        Assert.Equal(2, l.FirstPeerRound);
        Assert.Equal([Ep(6881)], l.Peers);
        Assert.Equal([5, 10], l.ClosestResponded().Select(c => c.Node.EndPoint.Port));
        Assert.All(l.ClosestResponded(), c => Assert.Equal(new byte[] { 9 }, c.Token));
    }

    [Fact]
    public void Failed_nodes_leave_the_window_so_farther_ones_are_asked()
    {
        var l = new Lookup(Target, k: 1, alpha: 1, maxQueries: 100);
        l.Add(IdAt(1), Ep(1), 1);
        l.Add(IdAt(2), Ep(2), 1);
        var a = l.Next().Single();
        Assert.Empty(l.Next());
        l.OnFailure(a);
        var b = l.Next().Single();
        Assert.Equal(2, b.EndPoint.Port);
        Assert.Equal(1, l.Timeouts);
    }

    [Fact]
    public void Query_budget_is_a_hard_stop()
    {
        var l = new Lookup(Target, k: 8, alpha: 3, maxQueries: 4);
        for (int d = 1; d <= 20; d++)
        {
            l.Add(IdAt(d), Ep(d), 1);
        }
        int sent = 0;
        for (int i = 0; i < 10; i++)
        {
            foreach (var c in l.Next())
            {
                sent++;
                l.OnFailure(c);
            }
        }
        Assert.Equal(4, sent);
    }

    [Fact]
    public void Duplicate_and_excluded_endpoints_are_not_added()
    {
        var l = new Lookup(Target, k: 8, alpha: 8, maxQueries: 100);
        l.Exclude(Ep(1));
        l.Add(IdAt(1), Ep(1), 1);
        l.Add(IdAt(2), Ep(2), 1);
        l.Add(IdAt(3), Ep(2), 1);
        Assert.Equal([2], l.Next().Select(c => c.EndPoint.Port));
    }

    [Fact]
    public void Bootstrap_contacts_without_id_go_first_and_are_placed_by_their_reply()
    {
        var l = new Lookup(Target, k: 8, alpha: 1, maxQueries: 100);
        l.Add(IdAt(9), Ep(9), 1);
        l.Add(null, Ep(100), 1);
        var first = l.Next().Single();
        Assert.Equal(100, first.EndPoint.Port);
        l.OnResponse(first, Reply(IdAt(50)), []);
        Assert.Equal(9, l.Next().Single().EndPoint.Port);
    }
}
