using System.Net;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Session;

/// <summary>
/// The public face of a running torrent. Every call posts to the torrent's loop; <see cref="Status"/> is the last
/// immutable snapshot the loop published, so reading it never blocks.
/// </summary>
public sealed partial class TorrentHandle
{
    private readonly TorrentSession _session;
    private readonly Action _onStopped;

    internal TorrentHandle(TorrentSession session, Action onStopped)
    {
        _session = session;
        _onStopped = onStopped;
    }

    public TorrentMetainfo Metainfo => _session.Metainfo;

    public InfoHash InfoHash => _session.InfoHash;

    public TorrentStatus Status => _session.Status;

    /// <summary>Raised on the torrent loop after each new snapshot (about once a second); keep handlers quick.</summary>
    public event Action<TorrentStatus>? StatusChanged
    {
        add => _session.StatusChanged += value;
        remove => _session.StatusChanged -= value;
    }

    /// <summary>Completes when every piece is verified, written and flushed; faults if the torrent stops first.</summary>
    public Task Completion => _session.Completed;

    /// <summary>Completes once the torrent has stopped (after <see cref="StopAsync"/> or a fault).</summary>
    public Task Stopped => _session.Ended;

    /// <summary>Dials these peers (retrying with backoff) in addition to any from trackers.</summary>
    public void AddPeers(IEnumerable<IPEndPoint> peers) => _session.AddPeers(peers, explicitPeers: true);

    /// <summary>Disconnects peers, flushes and closes files.</summary>
    public async Task StopAsync()
    {
        await _session.StopAsync().ConfigureAwait(false);
        _onStopped();
    }
}
