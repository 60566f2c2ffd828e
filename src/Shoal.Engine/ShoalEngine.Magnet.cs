using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Metadata;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine;

public sealed partial class ShoalEngine
{
    /// <summary>
    /// Fetches and verifies the info dictionary of a magnet link (BEP 9) from <paramref name="peers"/> (the magnet's
    /// <c>x.pe</c> and any given by the user, already resolved) and peers from the magnet's trackers. Uses this
    /// engine's peer id and announces its listening port. Throws <see cref="MetadataFetchException"/> when every
    /// peer failed and there is no tracker to ask for more.
    /// </summary>
    public async Task<FetchedMetadata> FetchMetadataAsync(MagnetLink magnet, IEnumerable<IPEndPoint> peers, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(magnet);
        await StartAsync(ct).ConfigureAwait(false);
        var fetcher = new MetadataFetcher(magnet.InfoHash, PeerId, new MetadataFetchOptions
        {
            ListenPort = ListenPort,
            ConnectTimeout = _options.ConnectTimeout,
            HandshakeTimeout = _options.HandshakeTimeout,
        }, _options.LoggerFactory.CreateLogger("Shoal.Metadata"), _options.TimeProvider);
        return await fetcher.FetchAsync(peers, magnet.Trackers, ct).ConfigureAwait(false);
    }
}
