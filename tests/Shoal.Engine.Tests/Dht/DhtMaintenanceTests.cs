using Shoal.Engine.Dht;

namespace Shoal.Engine.Tests.Dht;

/// <summary>A clock the test moves by hand; timers (query timeouts) still run in real time.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

public class DhtMaintenanceTests
{
    [Fact]
    public async Task Questionable_nodes_are_pinged_back_to_good_and_dead_ones_turn_bad()
    {
        var ct = DhtTestNodes.Deadline();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = DhtTestNodes.Options() with { TimeProvider = clock, QueryTimeout = TimeSpan.FromSeconds(1) };
        await using var node = await DhtTestNodes.StartAsync(options);
        await using var alive = await DhtTestNodes.StartAsync();
        var dead = await DhtTestNodes.StartAsync();
        await node.BootstrapAsync([alive.LocalEndPoint, dead.LocalEndPoint], ct);
        Assert.Equal(2, node.Snapshot().Good);

        clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(2, node.Snapshot().Questionable);
        await dead.DisposeAsync();

        await node.MaintainOnceAsync(ct);
        var s = node.Snapshot();
        Assert.Equal(1, s.Good); // the live one answered the ping
        // The dead one missed the ping (and maybe a bucket-refresh query too): two misses in all make it bad.
        await node.MaintainOnceAsync(ct);
        s = node.Snapshot();
        Assert.Equal(1, s.Good);
        Assert.Equal(1, s.Bad);
        Assert.DoesNotContain(node.KnownNodes(), n => n.EndPoint.Equals(dead.LocalEndPoint));
    }
}
