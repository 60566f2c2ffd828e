namespace Shoal.Daemon.State;

/// <summary>
/// What the daemon remembers about one torrent across restarts (one JSON file per torrent, next to its .torrent).
/// Mutable, but only the registry touches it, under its lock; a copy is serialised on every change.
/// </summary>
public sealed class TorrentRecord
{
    /// <summary>Lower-case hex info hash (v1, or the truncated v2 hash): the file name in the state folder.</summary>
    public required string InfoHash { get; set; }

    /// <summary>The RPC id; stable across restarts.</summary>
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Set while the metadata of a magnet link is not yet fetched (no .torrent saved yet).</summary>
    public string? MagnetUri { get; set; }

    public required string DownloadDirectory { get; set; }

    /// <summary>Stopped by the user (or by a seed limit): not started until torrent-start.</summary>
    public bool Paused { get; set; }

    /// <summary>Stopped because a seed ratio or seed-time limit was reached (Transmission's isFinished).</summary>
    public bool Finished { get; set; }

    /// <summary>All wanted data was verified at least once (decides which queue a stopped torrent is in).</summary>
    public bool Complete { get; set; }

    /// <summary>Verified bytes when last seen (shown while the torrent is stopped).</summary>
    public long BytesDone { get; set; }

    /// <summary>Unix seconds.</summary>
    public long AddedDate { get; set; }

    public long DoneDate { get; set; }

    public long ActivityDate { get; set; }

    /// <summary>Order within the queues (lower starts first).</summary>
    public int QueuePosition { get; set; }

    public long UploadedEver { get; set; }

    public long DownloadedEver { get; set; }

    public long SecondsSeeding { get; set; }

    public long SecondsDownloading { get; set; }

    /// <summary>Per file: false means skip it. Empty until the metadata is known (then all true).</summary>
    public List<bool> Wanted { get; set; } = [];

    /// <summary>Per file: -1 low, 0 normal, 1 high (Transmission's values).</summary>
    public List<int> Priorities { get; set; } = [];

    /// <summary>Per-torrent limits in bytes per second.</summary>
    public long DownloadLimit { get; set; }

    public bool DownloadLimited { get; set; }

    public long UploadLimit { get; set; }

    public bool UploadLimited { get; set; }

    /// <summary>Whether this torrent follows the global speed limits.</summary>
    public bool HonorsSessionLimits { get; set; } = true;

    public double SeedRatioLimit { get; set; } = 2.0;

    /// <summary>0 global setting, 1 this torrent's limit, 2 unlimited (Transmission's seedRatioMode).</summary>
    public int SeedRatioMode { get; set; }

    /// <summary>Minutes; used when <see cref="SeedTimeMode"/> is 1.</summary>
    public int SeedTimeLimitMinutes { get; set; }

    /// <summary>0 global setting, 1 this torrent's limit, 2 unlimited.</summary>
    public int SeedTimeMode { get; set; }

    /// <summary>Download pieces in order (for streaming).</summary>
    public bool Sequential { get; set; }

    /// <summary>Extra peers to dial (from the magnet's x.pe or the RPC).</summary>
    public List<string> Peers { get; set; } = [];

    public TorrentRecord Clone()
    {
        var copy = (TorrentRecord)MemberwiseClone();
        copy.Wanted = [.. Wanted];
        copy.Priorities = [.. Priorities];
        copy.Peers = [.. Peers];
        return copy;
    }
}
