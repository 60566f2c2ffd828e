using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Dht;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Tests.Dht;

public class PeerStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IPEndPoint Peer(int port) => new(IPAddress.Parse("192.0.2.1"), port);

    [Fact]
    public void Peers_expire_after_their_lifetime()
    {
        var s = new PeerStore(100, 1000, TimeSpan.FromMinutes(30));
        var h = NodeId.CreateRandom();
        s.Add(h, Peer(1), T0);
        Assert.Single(s.Get(h, 10, AddressFamily.InterNetwork, T0.AddMinutes(29)));
        Assert.Empty(s.Get(h, 10, AddressFamily.InterNetwork, T0.AddMinutes(31)));
        s.Expire(T0.AddMinutes(31));
        Assert.Equal(0, s.Count);
        Assert.Equal(0, s.InfoHashCount);
    }

    [Fact]
    public void Reannounce_refreshes_without_duplicating()
    {
        var s = new PeerStore(100, 1000, TimeSpan.FromMinutes(30));
        var h = NodeId.CreateRandom();
        s.Add(h, Peer(1), T0);
        s.Add(h, Peer(1), T0.AddMinutes(20));
        Assert.Equal(1, s.Count);
        Assert.Single(s.Get(h, 10, AddressFamily.InterNetwork, T0.AddMinutes(45)));
    }

    [Fact]
    public void Per_hash_bound_drops_the_oldest()
    {
        var s = new PeerStore(3, 1000, TimeSpan.FromMinutes(30));
        var h = NodeId.CreateRandom();
        for (int i = 1; i <= 4; i++)
        {
            s.Add(h, Peer(i), T0.AddSeconds(i));
        }
        Assert.Equal(3, s.Count);
        Assert.DoesNotContain(Peer(1), s.Get(h, 10, AddressFamily.InterNetwork, T0));
    }

    [Fact]
    public void Total_bound_refuses_new_peers()
    {
        var s = new PeerStore(100, 5, TimeSpan.FromMinutes(30));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(s.Add(NodeId.CreateRandom(), Peer(i + 1), T0));
        }
        Assert.False(s.Add(NodeId.CreateRandom(), Peer(99), T0));
        Assert.True(s.Add(NodeId.CreateRandom(), Peer(99), T0.AddHours(1))); // after expiry there is room
    }

    [Fact]
    public void Get_caps_the_count_and_filters_the_family()
    {
        var s = new PeerStore(100, 1000, TimeSpan.FromMinutes(30));
        var h = NodeId.CreateRandom();
        for (int i = 1; i <= 50; i++)
        {
            s.Add(h, Peer(i), T0);
        }
        s.Add(h, new IPEndPoint(IPAddress.IPv6Loopback, 5), T0);
        Assert.Equal(10, s.Get(h, 10, AddressFamily.InterNetwork, T0).Count);
        Assert.Single(s.Get(h, 10, AddressFamily.InterNetworkV6, T0));
    }
}
