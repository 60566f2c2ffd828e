using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Metadata;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine;

public sealed partial class ShoalEngine
{
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
        // No announce yet: until the metadata is here we cannot serve anyone who would find us.
        var discovery = dht?.CreateDiscovery(magnet.InfoHash, announcePort: null, wantMorePeers: () => true, onPeers: fetcher.AddPeers);
        discovery?.Start();
        try
        {
            return await fetcher.FetchAsync(peers, magnet.Trackers, ct).ConfigureAwait(false);
        }
        finally
        {
            if (discovery is not null)
            {
                await discovery.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
