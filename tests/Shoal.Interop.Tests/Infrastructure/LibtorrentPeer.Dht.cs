using System.Globalization;

namespace Shoal.Interop.Tests.Infrastructure;

public sealed partial class LibtorrentPeer
{
    /// <summary>
    /// Starts <c>lt_dht_peer.py</c>: libtorrent with its DHT on, bootstrapped from <paramref name="dhtNodes"/> only
    /// (loopback), in mode <c>seed TORRENT DATA_DIR</c>, <c>leech MAGNET OUT_DIR</c> or <c>node</c>. Returns once its
    /// DHT knows a node (and, seeding, once the data checked); <see cref="Port"/> is its TCP and UDP port.
    /// </summary>
    public static Task<LibtorrentPeer> StartDhtAsync(string mode, IEnumerable<string> args, IEnumerable<string> dhtNodes,
        TimeSpan timeout)
    {
        var all = new List<string> { Path.Combine(ScriptsDir, "lt_dht_peer.py"), mode };
        all.AddRange(args);
        foreach (var n in dhtNodes)
        {
            all.AddRange(["--dht-node", n]);
        }
        all.AddRange(["--timeout", timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)]);
        return StartAsync(all, peers: null);
    }
}
