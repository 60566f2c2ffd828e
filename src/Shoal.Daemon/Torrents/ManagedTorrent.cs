using Shoal.Daemon.State;
using Shoal.Engine.Session;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Torrents;

/// <summary>Where a daemon torrent is, in Transmission's terms (the numbers are its RPC status codes).</summary>
public enum DaemonTorrentStatus
{
    Stopped = 0,
    CheckWait = 1,
    Checking = 2,
    DownloadWait = 3,
    Downloading = 4,
    SeedWait = 5,
    Seeding = 6,
}

/// <summary>
/// One torrent as the daemon sees it: its saved <see cref="Record"/>, its metainfo (null while a magnet's metadata
/// is being fetched) and, while it runs, the engine's <see cref="Handle"/>. The registry changes it under its
/// operation lock; readers (RPC, web) see values that may be a tick old, never torn collections (lists are replaced,
/// not edited).
/// </summary>
public sealed class ManagedTorrent
{
    internal ManagedTorrent(TorrentRecord record, TorrentMetainfo? metainfo)
    {
        Record = record;
        Metainfo = metainfo;
    }

    public TorrentRecord Record { get; }

    public int Id => Record.Id;

    public string InfoHash => Record.InfoHash;

    public TorrentMetainfo? Metainfo { get; internal set; }

    /// <summary>The running engine torrent, or null when stopped, queued or waiting for metadata.</summary>
    public TorrentHandle? Handle { get; internal set; }

    /// <summary>The last snapshot of the engine torrent (kept after it stops, for rates, peers and trackers).</summary>
    public TorrentStatus? LastStatus { get; internal set; }

    /// <summary>Waiting for a download or seed slot.</summary>
    public bool Queued { get; internal set; }

    /// <summary>Fetching a magnet link's metadata.</summary>
    public bool FetchingMetadata { get; internal set; }

    /// <summary>A local fault (storage, metadata): the torrent is stopped until started again.</summary>
    public string? Error { get; internal set; }

    /// <summary>Unix seconds of the last change an RPC client would want to see (recently-active).</summary>
    public long ChangedAt { get; internal set; }

    internal CancellationTokenSource? MetadataFetch { get; set; }

    /// <summary>Bytes the current engine session had counted at the last tick (its counters start at 0).</summary>
    internal long SeenUploaded { get; set; }

    internal long SeenDownloaded { get; set; }

    public long TotalSize => Metainfo?.TotalLength ?? 0;

    /// <summary>Verified bytes, from the live status or, when stopped, as last saved.</summary>
    public long BytesDone => Handle?.Status is { State: not TorrentState.Checking } s ? s.BytesDone : Record.BytesDone;

    public double PercentDone => TotalSize == 0 ? 0 : (double)BytesDone / TotalSize;

    /// <summary>The live status, else the last one seen in this run (null after a restart until it runs).</summary>
    public TorrentStatus? KnownStatus => Handle?.Status ?? LastStatus;

    public DaemonTorrentStatus Status
    {
        get
        {
            if (Handle is { } h)
            {
                return h.Status.State switch
                {
                    TorrentState.Checking => DaemonTorrentStatus.Checking,
                    TorrentState.Downloading => DaemonTorrentStatus.Downloading,
                    TorrentState.Seeding or TorrentState.Completed => DaemonTorrentStatus.Seeding,
                    _ => DaemonTorrentStatus.Stopped,
                };
            }
            if (FetchingMetadata)
            {
                return DaemonTorrentStatus.Downloading;
            }
            if (Queued)
            {
                return Record.Complete ? DaemonTorrentStatus.SeedWait : DaemonTorrentStatus.DownloadWait;
            }
            return DaemonTorrentStatus.Stopped;
        }
    }

    /// <summary>Transmission's uploadRatio: uploaded over downloaded (or over what we have, for a torrent we seeded from the start).</summary>
    public double Ratio
    {
        get
        {
            long basis = Record.DownloadedEver > 0 ? Record.DownloadedEver : BytesDone;
            return basis <= 0 ? (Record.UploadedEver > 0 ? double.PositiveInfinity : 0) : (double)Record.UploadedEver / basis;
        }
    }
}
