namespace Shoal.Engine.Session;

public sealed partial record TorrentOptions
{
    /// <summary>Start in <see cref="TorrentState.Paused"/> (after checking existing data): no peers, no announces.</summary>
    public bool StartPaused { get; init; }

    /// <summary>One priority per file (torrent order); null or empty = every file <see cref="FilePriority.Normal"/>.</summary>
    public IReadOnlyList<FilePriority>? FilePriorities { get; init; }

    /// <summary>Pick pieces in order instead of rarest first (streaming).</summary>
    public bool Sequential { get; init; }

    /// <summary>This torrent's download limit in bytes/s; 0 = none.</summary>
    public long MaxDownloadRate { get; init; }

    /// <summary>This torrent's upload limit in bytes/s; 0 = none.</summary>
    public long MaxUploadRate { get; init; }

    /// <summary>When the torrent was first added (a daemon restoring it passes the original); null = now.</summary>
    public DateTimeOffset? AddedAt { get; init; }

    /// <summary>When it first completed, if it did before (restored by a daemon).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Bytes downloaded in earlier sessions; status totals start from here (announces count this session only).</summary>
    public long DownloadedBefore { get; init; }

    /// <summary>Bytes uploaded in earlier sessions.</summary>
    public long UploadedBefore { get; init; }
}
