using System.Net;

namespace Shoal.Engine.Trackers;

/// <summary>How a tracker is doing, as shown by <c>--verbose</c> and <c>--json</c>.</summary>
public enum TrackerState
{
    /// <summary>Not contacted yet (or only ever tried as a backup in its tier).</summary>
    NotContacted,

    /// <summary>An announce is in flight.</summary>
    Updating,

    /// <summary>The last announce got a response.</summary>
    Working,

    /// <summary>The last announce failed; see <see cref="TrackerStatus.LastError"/>.</summary>
    NotWorking,
}

/// <summary>An immutable snapshot of one tracker.</summary>
/// <param name="Url">The announce URL as given.</param>
/// <param name="Tier">0-based tier index.</param>
/// <param name="State">Working / not working / updating.</param>
/// <param name="LastError">The last error, a tracker's failure reason verbatim; cleared on success.</param>
/// <param name="WarningMessage">The tracker's last warning message.</param>
/// <param name="LastPeerCount">Peers in the last successful response.</param>
/// <param name="Seeders">Seeders the tracker reported last.</param>
/// <param name="Leechers">Leechers the tracker reported last.</param>
/// <param name="LastAnnounce">When the last announce finished.</param>
/// <param name="NextAnnounce">When its tier announces next (null when this tracker is not the tier's current one).</param>
/// <param name="Interval">The tracker's interval.</param>
/// <param name="MinInterval">The tracker's min interval.</param>
public sealed record TrackerStatus(
    string Url,
    int Tier,
    TrackerState State,
    string? LastError,
    string? WarningMessage,
    int LastPeerCount,
    int? Seeders,
    int? Leechers,
    DateTimeOffset? LastAnnounce,
    DateTimeOffset? NextAnnounce,
    TimeSpan? Interval,
    TimeSpan? MinInterval);

/// <summary>Bytes counted for announces, asked of the session just before each announce.</summary>
/// <param name="Uploaded">Uploaded this session.</param>
/// <param name="Downloaded">Downloaded this session.</param>
/// <param name="Left">Still missing.</param>
public readonly record struct AnnounceStats(long Uploaded, long Downloaded, long Left);

/// <summary>Peers one tracker returned.</summary>
/// <param name="TrackerUrl">Where they came from.</param>
/// <param name="Peers">IPv4 and IPv6 endpoints; may repeat earlier batches.</param>
public sealed record TrackerPeers(string TrackerUrl, IReadOnlyList<IPEndPoint> Peers);
