using System.Net;
using System.Net.Sockets;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

public sealed partial class DhtNode
{
    private async Task<DhtLookupResult> RunLookupAsync(NodeId target, bool getPeers, IReadOnlyList<IPEndPoint> seeds,
        Action<IReadOnlyList<IPEndPoint>>? onPeers, CancellationToken ct) =>
        (await RunLookupCoreAsync(target, getPeers, seeds, onPeers, ct).ConfigureAwait(false)).Result;

    /// <summary>
    /// Drives a <see cref="Lookup"/>: keeps up to alpha queries in flight, feeds each reply back, and stops when the
    /// k closest live candidates have all answered. Seeds are our table's k closest plus any given endpoints.
    /// </summary>
    private async Task<(DhtLookupResult Result, Lookup Lookup)> RunLookupCoreAsync(NodeId target, bool getPeers,
        IReadOnlyList<IPEndPoint> seeds, Action<IReadOnlyList<IPEndPoint>>? onPeers, CancellationToken ct)
    {
        var lookup = new Lookup(target, _options.BucketSize, _options.Alpha, _options.MaxQueriesPerLookup);
        lookup.Exclude(LocalEndPoint);
        lock (_gate)
        {
            var now = Now;
            foreach (var n in _table.Closest(target, _options.BucketSize, now))
            {
                lookup.Add(n.Id, n.EndPoint, 1);
            }
            if (getPeers)
            {
                // Peers announced to us count too (round 0): we may be one of the closest nodes ourselves.
                var local = lookup.AddPeers(_peers.Get(target, _options.MaxValuesPerReply, LocalEndPoint.AddressFamily, now), 0);
                if (local.Count > 0)
                {
                    onPeers?.Invoke(local);
                }
            }
            _table.MarkRefreshed(target, now);
        }
        foreach (var s in seeds)
        {
            var ep = CompactFormat.Normalize(s);
            if (ep.AddressFamily == LocalEndPoint.AddressFamily && !IsSelf(ep))
            {
                lookup.Add(null, ep, 1);
            }
        }

        var inFlight = new Dictionary<Task<KrpcMessage?>, Lookup.Candidate>();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var c in lookup.Next())
            {
                var task = getPeers
                    ? QueryAsync(c.EndPoint, tid => KrpcQuery.GetPeers(tid, Id, target), ct)
                    : QueryAsync(c.EndPoint, tid => KrpcQuery.FindNode(tid, Id, target), ct);
                inFlight[task] = c;
            }
            if (inFlight.Count == 0)
            {
                break;
            }
            var done = await Task.WhenAny(inFlight.Keys).ConfigureAwait(false);
            var candidate = inFlight[done];
            inFlight.Remove(done);
            if (await done.ConfigureAwait(false) is KrpcResponse response && (candidate.Id is null || candidate.Id == response.Id))
            {
                var family = LocalEndPoint.AddressFamily;
                var nodes = (family == AddressFamily.InterNetwork ? response.Nodes : response.Nodes6)
                    .Where(n => n.Id != Id && !IsSelf(n.EndPoint));
                int before = lookup.Peers.Count;
                lookup.OnResponse(candidate, response, nodes);
                if (lookup.Peers.Count > before)
                {
                    onPeers?.Invoke(lookup.Peers.Skip(before).ToList());
                }
            }
            else
            {
                lookup.OnFailure(candidate);
            }
        }
        var closest = lookup.ClosestResponded().Select(c => c.Node).ToList();
        var result = new DhtLookupResult(target, [.. lookup.Peers], closest, lookup.Rounds, lookup.FirstPeerRound,
            lookup.QueriesSent, lookup.Responses, lookup.Timeouts);
        return (result, lookup);
    }

    private bool IsSelf(IPEndPoint ep) =>
        ep.Port == LocalEndPoint.Port && (ep.Address.Equals(LocalEndPoint.Address)
            || (IPAddress.IsLoopback(ep.Address) && (LocalEndPoint.Address.Equals(IPAddress.Any) || LocalEndPoint.Address.Equals(IPAddress.IPv6Any))));
}
