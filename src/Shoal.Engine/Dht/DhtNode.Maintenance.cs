using System.Net;

namespace Shoal.Engine.Dht;

public sealed partial class DhtNode
{
    /// <summary>Questionable nodes pinged per maintenance tick, so a large table is revalidated gradually.</summary>
    private const int PingsPerTick = 8;

    /// <summary>Stale buckets refreshed per tick.</summary>
    private const int RefreshesPerTick = 2;

    /// <summary>Table saves happen every this many ticks (and on stop).</summary>
    private const int SaveEveryTicks = 10;

    /// <summary>
    /// Periodic upkeep: expire stored peers, ping questionable nodes (BEP 5: before they may be evicted), refresh
    /// buckets idle for 15 minutes with a find_node for a random id in their range, and save the table now and then.
    /// Token secrets rotate lazily on use, so they need no timer.
    /// </summary>
    private async Task MaintenanceLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceInterval, _options.TimeProvider);
        int tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                tick++;
                await MaintainOnceAsync(ct).ConfigureAwait(false);
                if (tick % SaveEveryTicks == 0)
                {
                    try
                    {
                        await SaveRoutingTableAsync(ct).ConfigureAwait(false);
                    }
                    catch (IOException)
                    {
                        // retried next time; the table in memory is unaffected
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    internal async Task MaintainOnceAsync(CancellationToken ct)
    {
        List<IPEndPoint> toPing;
        List<Protocol.Dht.NodeId> toRefresh;
        lock (_gate)
        {
            var now = Now;
            _peers.Expire(now);
            toPing = _table.AllNodes
                .Where(n => !n.PingPending && _table.StateOf(n, now) == DhtNodeState.Questionable)
                .OrderBy(n => n.LastSeen)
                .Take(PingsPerTick)
                .Select(n =>
                {
                    n.PingPending = true;
                    return n.EndPoint;
                })
                .ToList();
            toRefresh = _table.Count == 0 ? [] : _table.RefreshTargets(now).Take(RefreshesPerTick).ToList();
        }
        var work = toPing.Select(ep => (Task)PingCoreAsync(ep, ct))
            .Concat(toRefresh.Select(t => (Task)RunLookupAsync(t, getPeers: false, [], null, ct)));
        await Task.WhenAll(work).ConfigureAwait(false);
    }
}
