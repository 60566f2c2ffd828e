using Shoal.Engine.Session;

namespace Shoal.Engine.Tests.Session;

public sealed class ChokerTests
{
    private sealed class P(string name)
    {
        public override string ToString() => name;
    }

    [Fact]
    public void Unchokes_the_fastest_interested_peers_plus_one_optimistic()
    {
        var peers = Enumerable.Range(0, 8).Select(i => new P($"p{i}")).ToArray();
        var candidates = peers.Select((p, i) => new Choker.Candidate<P>(p, Interested: i != 7, Rate: i * 100)).ToList();

        var d = Choker.Decide(candidates, slots: 4, currentOptimistic: null, rotate: false, new Random(1));

        Assert.Contains(peers[6], d.Unchoked);
        Assert.Contains(peers[5], d.Unchoked);
        Assert.Contains(peers[4], d.Unchoked);
        Assert.Contains(peers[3], d.Unchoked);
        Assert.DoesNotContain(peers[7], d.Unchoked); // fastest, but not interested
        Assert.NotNull(d.Optimistic);
        Assert.Contains(d.Optimistic, peers[..3]);
        Assert.Equal(5, d.Unchoked.Count);
    }

    [Fact]
    public void Keeps_the_optimistic_peer_until_rotation()
    {
        var peers = Enumerable.Range(0, 6).Select(i => new P($"p{i}")).ToArray();
        var candidates = peers.Select((p, i) => new Choker.Candidate<P>(p, true, i)).ToList();

        var d = Choker.Decide(candidates, 4, currentOptimistic: peers[0], rotate: false, new Random(2));

        Assert.Same(peers[0], d.Optimistic);
    }

    [Fact]
    public void Nobody_interested_means_nobody_unchoked()
    {
        var candidates = new[] { new Choker.Candidate<P>(new P("a"), false, 10) };

        var d = Choker.Decide(candidates, 4, null, true, new Random(3));

        Assert.Empty(d.Unchoked);
        Assert.Null(d.Optimistic);
    }
}
