using System.Net;

namespace Shoal.Daemon;

/// <summary>How <c>shoal daemon</c> was started: fixed for the life of the process (the CLI fills it in).</summary>
public sealed record DaemonOptions
{
    /// <summary>The state folder: torrents, per-torrent state, settings.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Where new torrents download unless the add names another folder.</summary>
    public required string DownloadDirectory { get; init; }

    /// <summary>Address and port of the RPC server (default 127.0.0.1:9091).</summary>
    public IPEndPoint RpcEndPoint { get; init; } = new(IPAddress.Loopback, 9091);

    /// <summary>Peer (BitTorrent) TCP port; 0 picks a free one.</summary>
    public int PeerPort { get; init; }

    /// <summary>Global download limit in bytes per second; null leaves the saved setting alone.</summary>
    public long? MaxDownloadRate { get; init; }

    /// <summary>Global upload limit in bytes per second; null leaves the saved setting alone.</summary>
    public long? MaxUploadRate { get; init; }

    /// <summary>A folder polled for new .torrent files (renamed *.added once taken).</summary>
    public string? WatchDirectory { get; init; }

    /// <summary>Basic-auth user; RPC requires it (and <see cref="RpcPassword"/>) when set.</summary>
    public string? RpcUser { get; init; }

    public string? RpcPassword { get; init; }

    /// <summary>Non-loopback clients allowed without credentials (addresses or CIDR networks).</summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = [];

    /// <summary>The engine's DHT node (finds peers for magnets and public torrents); null: no DHT.</summary>
    public Shoal.Engine.EngineDhtOptions? Dht { get; init; }

    /// <summary>How often the queue, ratio limits and the watch folder are looked at.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);

    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
