using System.Net;
using Shoal.Engine.Dht;

namespace Shoal.Engine;

/// <summary>
/// How a <see cref="ShoalEngine"/> runs its DHT node (BEP 5). The node is shared by every torrent: each public
/// torrent looks its peers up at start and periodically, and announces our listen port. Private torrents (BEP 27)
/// never use it.
/// </summary>
public sealed record EngineDhtOptions
{
    /// <summary>UDP port of the node; null means the same number as the TCP listen port, 0 any free port.</summary>
    public int? Port { get; init; }

    /// <summary>Contacts to bootstrap from (<c>--dht-node HOST:PORT</c>); host names are resolved at bootstrap.</summary>
    public IReadOnlyList<EndPoint> BootstrapNodes { get; init; } = [];

    /// <summary>Also bootstrap from the well-known public routers (<see cref="DhtOptions.DefaultRouters"/>).</summary>
    public bool UseDefaultRouters { get; init; } = true;

    /// <summary>Where the routing table is saved and reloaded from (null: not saved).</summary>
    public string? StatePath { get; init; }

    /// <summary>
    /// Base settings for the node (timeouts, limits, clock); its endpoint, bootstrap list and state path are
    /// replaced by the properties above.
    /// </summary>
    public DhtOptions Tuning { get; init; } = new();

    /// <summary>Between lookups for a torrent with enough peers (BEP 5 clients re-announce about every 15 minutes).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>First retry after a lookup that left a torrent short of peers; doubles up to <see cref="MaxRetryInterval"/>.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between lookups while a torrent has few peers.</summary>
    public TimeSpan MaxRetryInterval { get; init; } = TimeSpan.FromMinutes(2);
}
