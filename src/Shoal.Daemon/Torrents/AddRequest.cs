namespace Shoal.Daemon.Torrents;

/// <summary>A torrent to add: exactly one of <see cref="TorrentFile"/> (the .torrent bytes) or <see cref="Magnet"/>.</summary>
public sealed record AddRequest
{
    public byte[]? TorrentFile { get; init; }

    public string? Magnet { get; init; }

    /// <summary>Null: the session's download folder.</summary>
    public string? DownloadDirectory { get; init; }

    /// <summary>Null: the session's start-added-torrents setting decides.</summary>
    public bool? Paused { get; init; }

    public IReadOnlyList<int>? FilesWanted { get; init; }

    public IReadOnlyList<int>? FilesUnwanted { get; init; }

    public IReadOnlyList<int>? PriorityHigh { get; init; }

    public IReadOnlyList<int>? PriorityNormal { get; init; }

    public IReadOnlyList<int>? PriorityLow { get; init; }
}

/// <summary>The added torrent, or the one already there with the same info hash.</summary>
public sealed record AddResult(ManagedTorrent Torrent, bool Duplicate);

/// <summary>Where queue-move-* puts torrents.</summary>
public enum QueueMove
{
    Top,
    Up,
    Down,
    Bottom,
}
