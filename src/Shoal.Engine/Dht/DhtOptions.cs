using System.Net;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>Settings of a <see cref="DhtNode"/>. Defaults follow BEP 5; tests shorten timeouts and lift rate limits.</summary>
public sealed record DhtOptions
{
    /// <summary>The well-known public routers, contacted only when <see cref="UseDefaultRouters"/> is true.</summary>
    public static readonly IReadOnlyList<DnsEndPoint> DefaultRouters =
    [
        new("router.bittorrent.com", 6881),
        new("dht.transmissionbt.com", 6881),
        new("router.utorrent.com", 6881),
    ];

    /// <summary>UDP endpoint to bind; port 0 picks a free port. Its family decides IPv4 (<c>nodes</c>) or IPv6 (<c>nodes6</c>).</summary>
    public IPEndPoint LocalEndPoint { get; init; } = new(IPAddress.Any, 6881);

    /// <summary>Our id; null means: the one saved with the routing table, else a new random id.</summary>
    public NodeId? NodeId { get; init; }

    /// <summary>Extra bootstrap contacts (<c>--dht-node HOST:PORT</c>).</summary>
    public IReadOnlyList<EndPoint> BootstrapNodes { get; init; } = [];

    /// <summary>Whether bootstrap also asks <see cref="DefaultRouters"/>. Tests must set false.</summary>
    public bool UseDefaultRouters { get; init; } = true;

    /// <summary>File the routing table is saved to (on stop and periodically) and loaded from on start.</summary>
    public string? RoutingTablePath { get; init; }

    public int BucketSize { get; init; } = 8;

    public int Alpha { get; init; } = 3;

    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound on queries one lookup may send, whatever the replies say.</summary>
    public int MaxQueriesPerLookup { get; init; } = 200;

    /// <summary>A node that answered within this span is good (BEP 5: 15 minutes); buckets idle this long are refreshed.</summary>
    public TimeSpan NodeFreshness { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Consecutive unanswered queries after which a node is bad.</summary>
    public int MaxNodeFailures { get; init; } = 2;

    public TimeSpan TokenRotation { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan PeerLifetime { get; init; } = TimeSpan.FromMinutes(30);

    public int MaxPeersPerInfoHash { get; init; } = 100;

    public int MaxStoredPeers { get; init; } = 10_000;

    /// <summary>IPv4 peers per get_peers reply (8 bytes each on the wire); IPv6 replies get 40% of it.</summary>
    public int MaxValuesPerReply { get; init; } = 100;

    /// <summary>Datagrams larger than this are dropped unread (KRPC messages are far smaller).</summary>
    public int MaxPacketSize { get; init; } = 2048;

    /// <summary>Sustained incoming queries accepted from one IP address per second.</summary>
    public double QueriesPerSecondPerIp { get; init; } = 25;

    /// <summary>Burst of incoming queries accepted from one IP address.</summary>
    public double QueryBurstPerIp { get; init; } = 50;

    /// <summary>Cost, in queries, of a malformed datagram against its sender's allowance.</summary>
    public double MalformedPenalty { get; init; } = 10;

    /// <summary>How often the maintenance loop runs (token rotation, expiry, pings, bucket refresh, save).</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The <c>v</c> key we send: "SH" and a two-byte version.</summary>
    public byte[] Version { get; init; } = [(byte)'S', (byte)'H', 0, 1];
}
