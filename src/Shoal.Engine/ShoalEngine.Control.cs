using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Engine.Session;

namespace Shoal.Engine;

public sealed partial class ShoalEngine
{
    private BandwidthGroup? _bandwidth;

    /// <summary>The global buckets every torrent's group charges as its parent.</summary>
    internal BandwidthGroup Bandwidth => LazyInitializer.EnsureInitialized(ref _bandwidth, () =>
    {
        var g = new BandwidthGroup(_options.TimeProvider);
        g.Download.Rate = _options.MaxDownloadRate;
        g.Upload.Rate = _options.MaxUploadRate;
        return g;
    });

    /// <summary>Global download limit for piece payload across all torrents, in bytes/s (0 = none). Settable at any time.</summary>
    public long MaxDownloadRate
    {
        get => Bandwidth.Download.Rate;
        set => Bandwidth.Download.Rate = value;
    }

    /// <summary>Global upload limit in bytes/s (0 = none). Settable at any time.</summary>
    public long MaxUploadRate
    {
        get => Bandwidth.Upload.Rate;
        set => Bandwidth.Upload.Rate = value;
    }

    /// <summary>
    /// Stops the torrent and forgets it. With <paramref name="deleteData"/>, deletes its files: only paths inside its
    /// download folder (never outside it, never the folder itself), then the folders under it that are left empty
    /// (for a multi-file torrent, its NAME folder and sub-folders). Works on a torrent that was already stopped.
    /// </summary>
    public async Task RemoveTorrentAsync(TorrentHandle torrent, bool deleteData = false)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        await torrent.StopAsync().ConfigureAwait(false);
        if (deleteData)
        {
            int n = torrent.Session.DeleteData();
            _log.LogInformation("{Name}: removed with its data ({Count} files deleted)", torrent.Metainfo.Name, n);
        }
    }
}
