using System.Text.Json.Nodes;
using Shoal.Bencoding;
using Shoal.Daemon.Torrents;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Rpc;

public sealed partial class RpcHandler
{
    /// <summary>Largest .torrent accepted through torrent-add (base64 or file).</summary>
    public const int MaxTorrentBytes = 32 << 20;

    private async Task<JsonObject> TorrentAddAsync(JsonObject? args)
    {
        string? metainfo = Str(args, "metainfo");
        string? filename = Str(args, "filename");
        byte[]? torrent = null;
        string? magnet = null;
        if (metainfo is not null)
        {
            try
            {
                torrent = Convert.FromBase64String(metainfo);
            }
            catch (FormatException)
            {
                throw new RpcException("invalid or corrupt torrent file");
            }
        }
        else if (filename is null)
        {
            throw new RpcException("no filename or metainfo specified");
        }
        else if (MagnetLink.LooksLikeMagnet(filename))
        {
            magnet = filename;
        }
        else if (Uri.TryCreate(filename, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ftp")
        {
            throw new RpcException("Shoal does not fetch torrents from URLs; send the file's contents as metainfo");
        }
        else
        {
            torrent = await ReadLocalTorrentAsync(filename).ConfigureAwait(false);
        }
        string? dir = Str(args, "download-dir");
        if (dir is not null && !Path.IsPathFullyQualified(dir))
        {
            throw new RpcException("download directory path is not absolute");
        }
        AddResult result;
        try
        {
            result = await _registry.AddAsync(new AddRequest
            {
                TorrentFile = torrent,
                Magnet = magnet,
                DownloadDirectory = dir,
                Paused = Bool(args, "paused"),
                FilesWanted = Ints(args, "files-wanted"),
                FilesUnwanted = Ints(args, "files-unwanted"),
                PriorityHigh = Ints(args, "priority-high"),
                PriorityNormal = Ints(args, "priority-normal"),
                PriorityLow = Ints(args, "priority-low"),
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MetainfoException or BencodeException)
        {
            throw new RpcException(magnet is null ? "invalid or corrupt torrent file" : $"invalid magnet link: {ex.Message}");
        }
        catch (FormatException ex)
        {
            throw new RpcException($"invalid magnet link: {ex.Message}");
        }
        var t = result.Torrent;
        return new JsonObject
        {
            [result.Duplicate ? "torrent-duplicate" : "torrent-added"] = new JsonObject
            {
                ["id"] = t.Id,
                ["name"] = t.Record.Name,
                ["hashString"] = t.InfoHash,
            },
        };
    }

    private static async Task<byte[]> ReadLocalTorrentAsync(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new RpcException($"no such file: {path}");
            }
            if (info.Length > MaxTorrentBytes)
            {
                throw new RpcException("invalid or corrupt torrent file");
            }
            return await File.ReadAllBytesAsync(path).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new RpcException($"cannot read {path}: {ex.Message}");
        }
    }

    private JsonObject TorrentGet(JsonObject? args)
    {
        var fields = args?["fields"] is JsonArray a
            ? a.Select(f => f is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToArray()
            : throw new RpcException("no fields specified");
        var torrents = RpcIds.Resolve(args, _registry, out bool recent);
        var list = new JsonArray();
        foreach (var t in torrents)
        {
            list.Add((JsonNode)TorrentFields.Build(t, fields, _store.TorrentPath(t.InfoHash)));
        }
        var result = new JsonObject { ["torrents"] = list };
        if (recent)
        {
            result["removed"] = new JsonArray([.. _registry.RemovedSince(RpcIds.RecentSeconds).Select(id => (JsonNode?)id)]);
        }
        return result;
    }

    private async Task<JsonObject> TorrentSetAsync(JsonObject? args)
    {
        var torrents = RpcIds.Resolve(args, _registry, out _);
        if (Str(args, "location") is not null)
        {
            throw new RpcException("moving data is not supported yet (torrent-set location)");
        }
        foreach (var t in torrents)
        {
            await _registry.UpdateAsync(t, r =>
            {
                TorrentRegistry.ApplyFileSelection(r, Ints(args, "files-wanted"), Ints(args, "files-unwanted"),
                    Ints(args, "priority-high"), Ints(args, "priority-normal"), Ints(args, "priority-low"));
                r.DownloadLimit = Long(args, "downloadLimit") is { } d ? d * 1000 : r.DownloadLimit;
                r.DownloadLimited = Bool(args, "downloadLimited") ?? r.DownloadLimited;
                r.UploadLimit = Long(args, "uploadLimit") is { } u ? u * 1000 : r.UploadLimit;
                r.UploadLimited = Bool(args, "uploadLimited") ?? r.UploadLimited;
                r.HonorsSessionLimits = Bool(args, "honorsSessionLimits") ?? r.HonorsSessionLimits;
                r.SeedRatioLimit = Double(args, "seedRatioLimit") ?? r.SeedRatioLimit;
                r.SeedRatioMode = (int?)Long(args, "seedRatioMode") is { } m and >= 0 and <= 2 ? m : r.SeedRatioMode;
                r.SeedTimeLimitMinutes = (int?)Long(args, "seedTimeLimit") ?? r.SeedTimeLimitMinutes;
                r.SeedTimeMode = (int?)Long(args, "seedTimeMode") is { } tm and >= 0 and <= 2 ? tm : r.SeedTimeMode;
                r.Sequential = Bool(args, "sequentialDownload") ?? r.Sequential;
                r.QueuePosition = (int?)Long(args, "queuePosition") ?? r.QueuePosition;
            }).ConfigureAwait(false);
        }
        return [];
    }

    private async Task<JsonObject> ForEachAsync(JsonObject? args, Func<ManagedTorrent, Task> action)
    {
        foreach (var t in RpcIds.Resolve(args, _registry, out _).ToArray())
        {
            await action(t).ConfigureAwait(false);
        }
        return [];
    }

    private async Task<JsonObject> QueueMoveAsync(JsonObject? args, QueueMove move)
    {
        await _registry.MoveInQueueAsync(RpcIds.Resolve(args, _registry, out _), move).ConfigureAwait(false);
        return [];
    }
}
