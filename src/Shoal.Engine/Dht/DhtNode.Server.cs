using System.Net;
using System.Net.Sockets;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

public sealed partial class DhtNode
{
    /// <summary>
    /// Answers one incoming query. Replies are bounded (8 nodes, a capped number of peers) so that no reply is much
    /// larger than the query that asked for it; queriers over their per-IP allowance get no reply at all.
    /// </summary>
    private async Task HandleQueryAsync(KrpcQuery query, IPEndPoint from, CancellationToken ct)
    {
        KrpcMessage reply;
        bool pingNewcomer;
        lock (_gate)
        {
            var now = Now;
            if (!_limiter.TryTake(from.Address, 1, now))
            {
                Interlocked.Increment(ref _rateLimited);
                return;
            }
            reply = BuildReply(query, from, now);
            // Queriers are not trusted into the table until they answer a query of ours (BEP 42-style caution
            // against spoofed sources): known nodes are refreshed, unknown ones get a ping if they would fit.
            bool known = !query.ReadOnly && _table.Observe(query.Id, from, responded: false, now, out _);
            pingNewcomer = !known && !query.ReadOnly && _table.Find(from) is null
                && _table.HasRoomFor(query.Id, now) && _verifying.TryAdd(from, 0);
        }
        Interlocked.Increment(ref _answered);
        await SendAsync(KrpcCodec.Encode(reply with { Version = _options.Version }), from, ct).ConfigureAwait(false);
        if (pingNewcomer)
        {
            Track(VerifyAsync(from));
        }
    }

    private async Task VerifyAsync(IPEndPoint endPoint)
    {
        try
        {
            await PingCoreAsync(endPoint, _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _verifying.TryRemove(endPoint, out _);
        }
    }

    private KrpcMessage BuildReply(KrpcQuery q, IPEndPoint from, DateTimeOffset now)
    {
        var tid = q.TransactionId;
        switch (q.Method)
        {
            case KrpcMethod.Ping:
                return new KrpcResponse(tid, Id) { ExternalAddress = from };
            case KrpcMethod.FindNode:
                return WithNodes(new KrpcResponse(tid, Id) { ExternalAddress = from }, q.Target, now);
            case KrpcMethod.GetPeers:
            {
                int max = from.AddressFamily == AddressFamily.InterNetwork
                    ? _options.MaxValuesPerReply
                    : Math.Max(1, _options.MaxValuesPerReply * 2 / 5);
                var values = _peers.Get(q.InfoHash, max, from.AddressFamily, now);
                var r = new KrpcResponse(tid, Id) { Token = _tokens.Issue(from.Address, now), Values = values, ExternalAddress = from };
                return WithNodes(r, q.InfoHash, now);
            }
            case KrpcMethod.AnnouncePeer:
                if (!_tokens.Validate(q.Token, from.Address, now))
                {
                    return new KrpcError(tid, KrpcErrorCode.Protocol, "bad token");
                }
                int port = q.ImpliedPort ? from.Port : q.Port;
                if (port is <= 0 or > 65535)
                {
                    return new KrpcError(tid, KrpcErrorCode.Protocol, "bad port");
                }
                _peers.Add(q.InfoHash, new IPEndPoint(from.Address, port), now);
                return new KrpcResponse(tid, Id) { ExternalAddress = from };
            default:
                return new KrpcError(tid, KrpcErrorCode.MethodUnknown, "Method Unknown");
        }
    }

    /// <summary>The 8 closest contacts we know, in the querier's family (<c>nodes</c> or <c>nodes6</c>).</summary>
    private KrpcResponse WithNodes(KrpcResponse r, NodeId target, DateTimeOffset now)
    {
        var closest = _table.Closest(target, _options.BucketSize, now);
        return LocalEndPoint.AddressFamily == AddressFamily.InterNetwork ? r with { Nodes = closest } : r with { Nodes6 = closest };
    }

    private void OnResponse(KrpcResponse response, IPEndPoint from)
    {
        RoutingNode? toPing;
        lock (_gate)
        {
            _table.Observe(response.Id, from, responded: true, Now, out toPing);
            if (toPing is not null)
            {
                toPing.PingPending = true;
            }
        }
        if (toPing is not null)
        {
            var ep = toPing.EndPoint;
            Track(PingCoreAsync(ep, _stopping.Token));
        }
    }
}
