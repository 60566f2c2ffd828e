using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shoal.Cli.Output;
using Shoal.Engine.Session;

namespace Shoal.Cli.Progress;

/// <summary>Turns status snapshots into the output forms: a line for people, a JSON line for programs.</summary>
internal static class StatusFormatter
{
    public static string Line(TorrentStatus s)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"{State(s.State)} {s.Progress * 100,5:0.0}%  {s.PiecesHave}/{s.PiecesTotal} pieces  ")
            + $"down {HumanFormat.Rate(s.DownloadRate)}  up {HumanFormat.Rate(s.UploadRate)}  peers {s.PeersConnected}";
        if (s.DhtNodes > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  dht {s.DhtNodes}");
        }
        if (s.State == TorrentState.Downloading)
        {
            line += "  eta " + (s.Eta is { } eta ? Duration(eta) : "--");
        }
        if (s.Stalled is not null)
        {
            line += "  stalled: " + s.Stalled;
        }
        return line;
    }

    public static string State(TorrentState state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());

    public static string StatusJson(string evt, TorrentStatus s) => JsonSerializer.Serialize(new StatusEventJson(
        evt, s.Name, s.InfoHash, State(s.State), s.PiecesHave, s.PiecesTotal, s.BytesDone, s.TotalBytes, Math.Round(s.Progress, 4),
        s.DownloadRate, s.UploadRate, s.Downloaded, s.Uploaded, s.PeersConnected, s.PeersUnchokingUs, s.PeersKnown,
        (long?)s.Eta?.TotalSeconds, s.Stalled, s.Error,
        [.. s.Trackers.Select(t => new TrackerJson(t.Url, t.Tier, JsonNamingPolicy.CamelCase.ConvertName(t.State.ToString()), t.LastError, t.LastPeerCount, t.NextAnnounce?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)))],
        s.DhtNodes),
        ProgressJsonContext.Default.StatusEventJson);

    public static string ListeningJson(int port) =>
        JsonSerializer.Serialize(new ListeningEventJson("listening", port), ProgressJsonContext.Default.ListeningEventJson);

    public static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m")
        : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds:00}s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0}s");
}

/// <summary>One JSON status line of <c>download</c>/<c>seed --json</c>; every key always present.</summary>
internal sealed record StatusEventJson(string Event, string Name, string InfoHash, string State, int PiecesHave, int PiecesTotal,
    long BytesDone, long TotalBytes, double Progress, long DownloadRate, long UploadRate, long Downloaded, long Uploaded,
    int Peers, int PeersUnchoking, int PeersKnown, long? EtaSeconds, string? Stalled, string? Error, TrackerJson[] Trackers, int DhtNodes);

/// <summary>One tracker in a status line: its tier, state, last error (the tracker's own words) and next announce (UTC).</summary>
internal sealed record TrackerJson(string Url, int Tier, string State, string? LastError, int Peers, string? NextAnnounce);

internal sealed record ListeningEventJson(string Event, int Port);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusEventJson))]
[JsonSerializable(typeof(ListeningEventJson))]
internal sealed partial class ProgressJsonContext : JsonSerializerContext;
