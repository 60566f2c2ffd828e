using System.Text.Json;
using System.Text.Json.Nodes;
using Shoal.Daemon.Torrents;

namespace Shoal.Daemon.Rpc;

/// <summary>
/// Transmission's <c>ids</c> argument: absent (every torrent), one id, a list of ids and/or hash strings, or the
/// string "recently-active" (changed in the last minute, or still moving). Ids that match nothing are ignored.
/// </summary>
internal static class RpcIds
{
    public const int RecentSeconds = 60;

    public static IReadOnlyList<ManagedTorrent> Resolve(JsonObject? args, TorrentRegistry registry, out bool recentlyActive)
    {
        recentlyActive = false;
        var node = args?["ids"];
        if (node is null)
        {
            return registry.All;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "recently-active")
        {
            recentlyActive = true;
            long since = registry.Now - RecentSeconds;
            return [.. registry.All.Where(t => t.ChangedAt >= since || t.FetchingMetadata || IsMoving(t))];
        }
        var items = node is JsonArray a ? a.ToArray() : [node];
        var result = new List<ManagedTorrent>();
        foreach (var item in items)
        {
            if (One(item, registry) is { } t && !result.Contains(t))
            {
                result.Add(t);
            }
        }
        return result;
    }

    /// <summary>Running with something changing every second (rates, checking, downloading); idle seeds are not.</summary>
    private static bool IsMoving(ManagedTorrent t) => t.Handle?.Status is { } s
        && (s.DownloadRate > 0 || s.UploadRate > 0 || s.State is Engine.Session.TorrentState.Checking or Engine.Session.TorrentState.Downloading);

    private static ManagedTorrent? One(JsonNode? item, TorrentRegistry registry)
    {
        if (item is not JsonValue v)
        {
            return null;
        }
        switch (v.GetValueKind())
        {
            case JsonValueKind.Number:
                return v.TryGetValue(out int id) ? registry.FindById(id) : null;
            case JsonValueKind.String:
                string s = v.GetValue<string>();
                return s.Length == 40 ? registry.FindByHash(s) : int.TryParse(s, out int n) ? registry.FindById(n) : null;
            default:
                return null;
        }
    }
}
