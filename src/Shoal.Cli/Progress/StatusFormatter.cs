using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shoal.Engine.Session;

namespace Shoal.Cli.Progress;

/// <summary>Turns status snapshots into the three output forms: live terminal line, plain line, JSON line.</summary>
internal static class StatusFormatter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Line(TorrentStatus s)
    {
        var ci = CultureInfo.InvariantCulture;
        string line = string.Create(ci, $"{s.State.ToString().ToLowerInvariant()} {s.Progress * 100,6:0.0}%  {s.PiecesHave}/{s.PiecesTotal} pieces  ")
            + $"down {Rate(s.DownloadRate)}  up {Rate(s.UploadRate)}  peers {s.PeersConnected} ({s.PeersUnchokingUs} unchoking)";
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

    public static string JsonLine(string evt, TorrentStatus s) => JsonSerializer.Serialize(new JsonStatus(
        evt, s.Name, s.InfoHash, s.State, s.PiecesHave, s.PiecesTotal, s.BytesDone, s.TotalBytes, Math.Round(s.Progress, 4),
        s.DownloadRate, s.UploadRate, s.Downloaded, s.Uploaded, s.PeersConnected, s.PeersUnchokingUs, s.PeersKnown,
        (long?)s.Eta?.TotalSeconds, s.Stalled, s.Error), Json);

    public static string JsonEvent<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static string Bytes(long n)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return u == 0 ? $"{n} B" : string.Create(CultureInfo.InvariantCulture, $"{v:0.0} {units[u]}");
    }

    public static string Rate(long bytesPerSecond) => Bytes(bytesPerSecond) + "/s";

    public static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m")
        : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds:00}s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0}s");

    private sealed record JsonStatus(string Event, string Name, string InfoHash, TorrentState State, int PiecesHave, int PiecesTotal,
        long BytesDone, long TotalBytes, double Progress, long DownloadRate, long UploadRate, long Downloaded, long Uploaded,
        int Peers, int PeersUnchoking, int PeersKnown, long? EtaSeconds, string? Stalled, string? Error);
}
