namespace Shoal.Protocol.Trackers;

/// <summary>The announce event. Values are the BEP 15 wire numbers.</summary>
public enum TrackerEvent
{
    /// <summary>A regular re-announce.</summary>
    None = 0,

    /// <summary>The download just finished (sent once).</summary>
    Completed = 1,

    /// <summary>The first announce of a session.</summary>
    Started = 2,

    /// <summary>The torrent is being stopped.</summary>
    Stopped = 3,
}

/// <summary>What one announce says about us.</summary>
/// <param name="InfoHash">The torrent.</param>
/// <param name="PeerId">Our peer id.</param>
/// <param name="Port">Our listen port.</param>
/// <param name="Uploaded">Bytes uploaded this session.</param>
/// <param name="Downloaded">Bytes downloaded this session.</param>
/// <param name="Left">Bytes still missing (0 for a seed).</param>
/// <param name="Event">started / completed / stopped / none.</param>
/// <param name="NumWant">Peers wanted; null leaves it to the tracker (UDP sends -1).</param>
/// <param name="Key">A per-session random number so the tracker can tell us apart across IP changes.</param>
/// <param name="TrackerId">The <c>tracker id</c> this tracker gave us before, echoed back.</param>
public sealed record AnnounceRequest(
    InfoHash InfoHash,
    PeerId PeerId,
    int Port,
    long Uploaded,
    long Downloaded,
    long Left,
    TrackerEvent Event,
    int? NumWant,
    uint Key,
    string? TrackerId = null);
