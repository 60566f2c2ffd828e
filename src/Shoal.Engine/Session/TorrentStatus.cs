using Shoal.Engine.Trackers;

namespace Shoal.Engine.Session;

/// <summary>Where a torrent is in its life.</summary>
public enum TorrentState
{
    /// <summary>Hashing data already in the output folder.</summary>
    Checking,
    Downloading,
    /// <summary>Every piece verified and flushed; still serving peers.</summary>
    Seeding,
    /// <summary>Every piece verified and flushed; not seeding.</summary>
    Completed,
    Stopped,
    /// <summary>A torrent fault (disk full, files gone); see <see cref="TorrentStatus.Error"/>.</summary>
    Error,
    /// <summary>Paused by the user: no peers, no announces; pieces and files kept (<see cref="TorrentHandle.ResumeAsync"/>).</summary>
    Paused,
}

/// <summary>
/// An immutable snapshot published by the torrent loop about once a second and on state changes; read it from any
/// thread without locks.
/// </summary>
public sealed partial record TorrentStatus
{
    public required string Name { get; init; }

    public required string InfoHash { get; init; }

    public required TorrentState State { get; init; }

    public required int PiecesHave { get; init; }

    public required int PiecesTotal { get; init; }

    /// <summary>Verified bytes (the last piece counts its real length).</summary>
    public required long BytesDone { get; init; }

    public required long TotalBytes { get; init; }

    public required long DownloadRate { get; init; }

    public required long UploadRate { get; init; }

    public required long Downloaded { get; init; }

    public required long Uploaded { get; init; }

    public required int PeersConnected { get; init; }

    /// <summary>Peers that currently let us request (not choking us).</summary>
    public required int PeersUnchokingUs { get; init; }

    /// <summary>Peers we know of but are not connected to.</summary>
    public required int PeersKnown { get; init; }

    public int ListenPort { get; init; }

    public IReadOnlyList<TrackerStatus> Trackers { get; init; } = [];

    /// <summary>Contacts in the engine's DHT routing table (0 when the DHT is off or not used by this torrent).</summary>
    public int DhtNodes { get; init; }

    /// <summary>Why the torrent is not moving, in words, or null when it is.</summary>
    public string? Stalled { get; init; }

    /// <summary>The fault behind <see cref="TorrentState.Error"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Counts of peer disconnects by reason (e.g. "HandshakeFailed" -> 3).</summary>
    public IReadOnlyDictionary<string, int> Disconnects { get; init; } = new Dictionary<string, int>();

    public double Progress => TotalBytes == 0 ? 1 : (double)BytesDone / TotalBytes;

    /// <summary>Estimated time left at the current download rate, or null when unknown.</summary>
    public TimeSpan? Eta => DownloadRate <= 0 || BytesDone >= TotalBytes ? null
        : TimeSpan.FromSeconds((double)(TotalBytes - BytesDone) / DownloadRate);

    public bool IsComplete => PiecesHave == PiecesTotal;
}
