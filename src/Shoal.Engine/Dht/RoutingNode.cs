using System.Net;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>BEP 5 node states.</summary>
public enum DhtNodeState
{
    Good,
    Questionable,
    Bad,
}

/// <summary>One contact in the routing table, with what we know of its liveness.</summary>
internal sealed class RoutingNode(NodeId id, IPEndPoint endPoint, DateTimeOffset added)
{
    public NodeId Id { get; } = id;

    public IPEndPoint EndPoint { get; set; } = endPoint;

    public DateTimeOffset Added { get; } = added;

    /// <summary>When it last answered one of our queries; null if it never did (loaded from disk).</summary>
    public DateTimeOffset? LastResponse { get; set; }

    /// <summary>When it last sent us a query.</summary>
    public DateTimeOffset? LastQuery { get; set; }

    /// <summary>Our queries it failed to answer since its last answer.</summary>
    public int Failures { get; set; }

    /// <summary>A ping to settle its state is in flight (so we do not send another).</summary>
    public bool PingPending { get; set; }

    public DateTimeOffset LastSeen => Max(LastResponse, LastQuery) ?? Added;

    /// <summary>
    /// Good: answered within <paramref name="freshness"/>, or answered once and queried us within it. Bad: failed
    /// <paramref name="maxFailures"/> queries in a row. Otherwise questionable.
    /// </summary>
    public DhtNodeState State(DateTimeOffset now, TimeSpan freshness, int maxFailures)
    {
        if (Failures >= maxFailures)
        {
            return DhtNodeState.Bad;
        }
        if (LastResponse is { } r && (now - r < freshness || (LastQuery is { } q && now - q < freshness)))
        {
            return DhtNodeState.Good;
        }
        return DhtNodeState.Questionable;
    }

    public NodeInfo Info => new(Id, EndPoint);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a > b ? a : b);
}
