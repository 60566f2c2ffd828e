using Shoal.Engine.Dht;

namespace Shoal.Engine.Tests.Dht;

public class DhtPeerDiscoveryTests
{
    [Fact]
    public void Lookups_repeat_soon_and_back_off_while_short_of_peers()
    {
        var o = new EngineDhtOptions();
        var retry = o.RetryInterval;
        var waits = new List<TimeSpan>();
        for (int i = 0; i < 7; i++)
        {
            (var wait, retry) = DhtPeerDiscovery.Schedule(shortOfPeers: true, retry, o);
            waits.Add(wait);
        }
        Assert.Equal([5, 10, 20, 40, 80, 120, 120], waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public void With_enough_peers_lookups_wait_the_announce_interval_and_the_backoff_starts_over()
    {
        var o = new EngineDhtOptions();
        var (wait, next) = DhtPeerDiscovery.Schedule(shortOfPeers: false, TimeSpan.FromMinutes(2), o);
        Assert.Equal(TimeSpan.FromMinutes(15), wait);
        Assert.Equal(o.RetryInterval, next);
    }
}
