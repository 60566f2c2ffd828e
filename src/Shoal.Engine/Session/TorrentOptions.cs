using System.Net;

namespace Shoal.Engine.Session;

/// <summary>How to run one torrent.</summary>
public sealed partial record TorrentOptions
{
    /// <summary>Folder holding the data: DIR/name for a single-file torrent, DIR/name/... for a multi-file one.</summary>
    public required string DownloadDirectory { get; init; }

    /// <summary>Peers to dial directly (works without any tracker); retried with backoff.</summary>
    public IReadOnlyList<IPEndPoint> Peers { get; init; } = [];

    /// <summary>Keep serving after completion (otherwise the torrent stops uploading once complete).</summary>
    public bool SeedWhenComplete { get; init; }

    /// <summary>Only serve what is on disk; never request (the <c>shoal seed</c> command).</summary>
    public bool SeedOnly { get; init; }

    /// <summary>Announce to the torrent's trackers.</summary>
    public bool UseTrackers { get; init; } = true;

    /// <summary>Find peers and announce through the engine's DHT, when it runs one (never for private torrents).</summary>
    public bool UseDht { get; init; } = true;

    public int MaxConnections { get; init; } = 50;

    /// <summary>Unchoke slots besides the optimistic one.</summary>
    public int UploadSlots { get; init; } = 4;

    /// <summary>
    /// Folder for this torrent's resume file (<c>&lt;infohash&gt;.resume</c>); null means
    /// <c><see cref="DownloadDirectory"/>/.shoal</c>. Created when first needed.
    /// </summary>
    public string? ResumeDirectory { get; init; }

    /// <summary>Load resume data on start (skipping the hash check of files that did not change) and save it.</summary>
    public bool UseResumeData { get; init; } = true;

    /// <summary>How often resume data is saved while something changes (also saved on completion and on stop).</summary>
    public TimeSpan ResumeSaveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Tracker client tuning (timeouts, caps); null: the defaults.</summary>
    public Shoal.Engine.Trackers.TrackerOptions? TrackerOptions { get; init; }

    /// <summary>Full path of the resume file these options give for a torrent.</summary>
    public string ResumeFilePath(Shoal.Protocol.InfoHash infoHash) =>
        Path.Combine(ResumeDirectory ?? Path.Combine(DownloadDirectory, ".shoal"), infoHash.ToHex() + ".resume");
}
