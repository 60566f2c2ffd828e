using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Metadata;
using Shoal.Engine.Peers;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine;

public sealed partial class ShoalEngine
{
    /// <summary>Metadata fetches in progress, by info hash (for routing incoming connections).</summary>
    private readonly ConcurrentDictionary<InfoHash, MetadataFetcher> _fetches = new();

    /// <summary>
    /// Fetches and verifies the info dictionary of a magnet link (BEP 9) from <paramref name="peers"/> (the magnet's
    /// <c>x.pe</c> and any given by the user, already resolved), peers from the magnet's trackers and, when the engine
    /// runs a DHT, peers from get_peers lookups. Uses this engine's peer id and announces its listening port. Throws
    /// <see cref="MetadataFetchException"/> when every peer failed and there is neither a tracker nor a DHT to ask
    /// for more; with a DHT it keeps looking until <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<FetchedMetadata> FetchMetadataAsync(MagnetLink magnet, IEnumerable<IPEndPoint> peers, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(magnet);
        await StartAsync(ct).ConfigureAwait(false);
        var dht = DhtService;
        var fetcher = new MetadataFetcher(magnet.InfoHash, PeerId, new MetadataFetchOptions
        {
            ListenPort = ListenPort,
            ConnectTimeout = _options.ConnectTimeout,
            HandshakeTimeout = _options.HandshakeTimeout,
            MorePeersMayCome = dht is not null,
        }, _options.LoggerFactory.CreateLogger("Shoal.Metadata"), _options.TimeProvider);
        // While the fetch runs, peers that connect to us for this info hash (from a tracker or DHT announce, or PEX
        // of another torrent's swarm) are used for the metadata instead of being refused as an unknown torrent.
        if (!_fetches.TryAdd(magnet.InfoHash, fetcher))
        {
            throw new InvalidOperationException($"metadata for {magnet.InfoHash} is already being fetched");
        }
        // No announce yet: until the metadata is here we cannot serve anyone who would find us.
        var discovery = dht?.CreateDiscovery(magnet.InfoHash, announcePort: null, wantMorePeers: () => true, onPeers: fetcher.AddPeers);
        discovery?.Start();
        try
        {
            return await fetcher.FetchAsync(peers, magnet.Trackers, ct).ConfigureAwait(false);
        }
        finally
        {
            _fetches.TryRemove(new KeyValuePair<InfoHash, MetadataFetcher>(magnet.InfoHash, fetcher));
            if (discovery is not null)
            {
                await discovery.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Gives an accepted, handshaken connection to the running metadata fetch for its info hash. The
    /// <see cref="PeerConnection"/> was never started, so its socket is simply taken over by the fetch.
    /// </summary>
    private bool TryHandOverToFetch(PeerConnection conn, Socket socket, InfoHash infoHash)
    {
        if (!_fetches.TryGetValue(infoHash, out var fetcher))
        {
            return false;
        }
        if (!fetcher.AddIncoming(socket, conn.RemoteEndPoint, conn.RemoteReserved))
        {
            _log.LogDebug("incoming connection from {Peer} for a fetch refused (no BEP 10, or the fetch ended)", conn.RemoteEndPoint);
            socket.Dispose();
        }
        return true;
    }
}
