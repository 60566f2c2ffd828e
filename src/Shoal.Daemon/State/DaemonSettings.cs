namespace Shoal.Daemon.State;

/// <summary>
/// Settings the RPC can change at run time (Transmission's session-set); saved as settings.json in the state folder.
/// Rates are in bytes per second (the RPC speaks kB/s); 0 with the enabled flag off means unlimited.
/// </summary>
public sealed record DaemonSettings
{
    public long SpeedLimitDown { get; set; }

    public bool SpeedLimitDownEnabled { get; set; }

    public long SpeedLimitUp { get; set; }

    public bool SpeedLimitUpEnabled { get; set; }

    /// <summary>At most this many torrents download at once (others wait, status "queued").</summary>
    public int DownloadQueueSize { get; set; } = 5;

    public bool DownloadQueueEnabled { get; set; } = true;

    /// <summary>At most this many torrents seed at once.</summary>
    public int SeedQueueSize { get; set; } = 10;

    public bool SeedQueueEnabled { get; set; }

    /// <summary>Stop seeding once uploaded/downloaded reaches this.</summary>
    public double SeedRatioLimit { get; set; } = 2.0;

    public bool SeedRatioLimited { get; set; }

    /// <summary>Stop seeding after this many minutes of seeding (Shoal's seed-time limit).</summary>
    public int SeedTimeLimitMinutes { get; set; } = 60 * 24;

    public bool SeedTimeLimited { get; set; }

    /// <summary>Start torrents as soon as they are added (Transmission's start-added-torrents).</summary>
    public bool StartAddedTorrents { get; set; } = true;

    /// <summary>Rename watch-folder files to *.added instead of deleting them (Transmission's trash-original-torrent-files off).</summary>
    public bool RenameAddedTorrents { get; set; } = true;

    public string? DownloadDirectory { get; set; }

    public long CumulativeUploaded { get; set; }

    public long CumulativeDownloaded { get; set; }

    public long CumulativeSecondsActive { get; set; }

    public int SessionCount { get; set; }

    public int FilesAdded { get; set; }
}
