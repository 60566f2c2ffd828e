using System.Text.Json.Nodes;
using Shoal.Daemon.Torrents;
using Shoal.Engine.Trackers;

namespace Shoal.Daemon.Rpc;

/// <summary>
/// Builds the torrent-get fields (Transmission RPC names and units) for one torrent. Unknown field names are left
/// out, as Transmission does. Sizes and per-file progress come from the engine's status (live, or the last one of
/// this run); for a torrent that has not run since the daemon started they are estimated from the saved record.
/// </summary>
internal static class TorrentFields
{
    /// <summary>What transmission-remote, the Transmission web client and common UIs ask for.</summary>
    public static readonly string[] All =
    [
        "activityDate", "addedDate", "bandwidthPriority", "comment", "corruptEver", "creator", "dateCreated",
        "desiredAvailable", "doneDate", "downloadDir", "downloadedEver", "downloadLimit", "downloadLimited", "error",
        "errorString", "eta", "etaIdle", "files", "fileStats", "hashString", "haveUnchecked", "haveValid",
        "honorsSessionLimits", "id", "isFinished", "isPrivate", "isStalled", "labels", "leftUntilDone", "magnetLink",
        "manualAnnounceTime", "maxConnectedPeers", "metadataPercentComplete", "name", "peer-limit", "peers",
        "peersConnected", "peersFrom", "peersGettingFromUs", "peersSendingToUs", "percentDone", "pieceCount",
        "pieceSize", "priorities", "queuePosition", "rateDownload", "rateUpload", "recheckProgress",
        "secondsDownloading", "secondsSeeding", "seedIdleLimit", "seedIdleMode", "seedRatioLimit", "seedRatioMode",
        "seedTimeLimit", "seedTimeMode", "sequentialDownload", "sizeWhenDone", "startDate", "status", "totalSize", "torrentFile", "trackers",
        "trackerStats", "uploadedEver", "uploadLimit", "uploadLimited", "uploadRatio", "wanted", "webseeds",
        "webseedsSendingToUs", "percentComplete", "editDate", "downloadLimitMode", "file-count", "availability",
    ];

    public static JsonObject Build(ManagedTorrent t, IEnumerable<string> fields, string torrentFilePath)
    {
        var o = new JsonObject();
        foreach (string f in fields)
        {
            if (!o.ContainsKey(f) && Value(t, f, torrentFilePath) is var (known, value) && known)
            {
                o[f] = value;
            }
        }
        return o;
    }

    private static (bool Known, JsonNode? Value) Value(ManagedTorrent t, string field, string torrentFilePath)
    {
        var r = t.Record;
        var meta = t.Metainfo;
        var live = t.Handle?.Status;
        var last = live ?? t.LastStatus;
        JsonNode? v = field switch
        {
            "id" => t.Id,
            "hashString" => t.InfoHash,
            "name" => r.Name,
            "status" => (int)t.Status,
            "percentDone" => SizeWhenDone(t) == 0 ? (meta is null ? 0 : 1) : (double)(SizeWhenDone(t) - LeftUntilDone(t)) / SizeWhenDone(t),
            "percentComplete" => t.PercentDone,
            "metadataPercentComplete" => meta is null ? 0 : 1,
            "rateDownload" => live?.DownloadRate ?? 0,
            "rateUpload" => live?.UploadRate ?? 0,
            "eta" => Eta(t),
            "etaIdle" => -1,
            "peersConnected" => live?.PeersConnected ?? 0,
            "peersGettingFromUs" => live?.Peers.Count(p => !p.AmChoking && p.PeerInterested) ?? 0,
            "peersSendingToUs" => live?.Peers.Count(p => !p.PeerChoking && p.AmInterested) ?? 0,
            "peersFrom" => new JsonObject
            {
                ["fromCache"] = 0, ["fromDht"] = 0, ["fromIncoming"] = 0, ["fromLpd"] = 0, ["fromLtep"] = 0,
                ["fromPex"] = 0, ["fromTracker"] = 0,
            },
            "peers" => Peers(live),
            "webseeds" => new JsonArray([.. (meta?.WebSeeds ?? []).Select(w => (JsonNode?)w)]),
            "webseedsSendingToUs" => 0,
            "totalSize" => t.TotalSize,
            "sizeWhenDone" => SizeWhenDone(t),
            "leftUntilDone" => LeftUntilDone(t),
            "desiredAvailable" => 0,
            "haveValid" => t.BytesDone,
            "haveUnchecked" => 0,
            "corruptEver" => 0,
            "downloadedEver" => r.DownloadedEver,
            "uploadedEver" => r.UploadedEver,
            "uploadRatio" => UploadRatio(t),
            "error" => t.Error is not null ? 3 : TrackerError(last) is not null ? 2 : 0,
            "errorString" => t.Error ?? TrackerError(last) ?? "",
            "addedDate" => r.AddedDate,
            "doneDate" => r.DoneDate,
            "activityDate" => r.ActivityDate,
            "startDate" => t.Handle is null ? 0 : r.ActivityDate,
            "editDate" => 0,
            "downloadDir" => r.DownloadDirectory,
            "torrentFile" => meta is null ? "" : torrentFilePath,
            "isFinished" => r.Finished,
            "isPrivate" => meta?.IsPrivate ?? false,
            "isStalled" => live?.Stalled is not null,
            "labels" => new JsonArray(),
            "comment" => meta?.Comment ?? "",
            "creator" => meta?.CreatedBy ?? "",
            "dateCreated" => meta?.CreationDate?.ToUnixTimeSeconds() ?? 0,
            "pieceCount" => meta?.PieceCount ?? 0,
            "pieceSize" => meta?.PieceLength ?? 0,
            "queuePosition" => r.QueuePosition,
            "recheckProgress" => live?.State == Engine.Session.TorrentState.Checking ? live.VerifyProgress : 0,
            "magnetLink" => r.MagnetUri ?? $"magnet:?xt=urn:btih:{t.InfoHash}&dn={Uri.EscapeDataString(r.Name)}",
            "manualAnnounceTime" => -1,
            "maxConnectedPeers" => 50,
            "peer-limit" => 50,
            "secondsDownloading" => r.SecondsDownloading,
            "secondsSeeding" => r.SecondsSeeding,
            "seedRatioLimit" => r.SeedRatioLimit,
            "seedRatioMode" => r.SeedRatioMode,
            "seedIdleLimit" => 30,
            "seedIdleMode" => 2,
            "seedTimeLimit" => r.SeedTimeLimitMinutes,
            "seedTimeMode" => r.SeedTimeMode,
            "sequentialDownload" => r.Sequential,
            "downloadLimit" => r.DownloadLimit / 1000,
            "downloadLimited" => r.DownloadLimited,
            "uploadLimit" => r.UploadLimit / 1000,
            "uploadLimited" => r.UploadLimited,
            "honorsSessionLimits" => r.HonorsSessionLimits,
            "bandwidthPriority" => 0,
            "file-count" => meta?.Files.Count ?? 0,
            "files" => Files(t),
            "fileStats" => FileStats(t),
            "priorities" => new JsonArray([.. r.Priorities.Select(p => (JsonNode?)p)]),
            "wanted" => new JsonArray([.. r.Wanted.Select(w => (JsonNode?)(w ? 1 : 0))]),
            "trackers" => Trackers(t),
            "trackerStats" => TrackerStats(t, last?.Trackers ?? []),
            "availability" => new JsonArray(),
            _ => Unknown,
        };
        return ReferenceEquals(v, Unknown) ? (false, null) : (true, v);
    }

    private static readonly JsonNode Unknown = JsonValue.Create("\0unknown")!;

    private static long SizeWhenDone(ManagedTorrent t)
    {
        if (t.Metainfo is not { } meta)
        {
            return 0;
        }
        if (t.KnownStatus is { State: not Engine.Session.TorrentState.Checking } s)
        {
            return s.WantedBytes;
        }
        var wanted = t.Record.Wanted;
        return wanted.All(w => w) ? meta.TotalLength
            : meta.Files.Where((f, i) => i < wanted.Count && wanted[i] && !f.IsPadding).Sum(f => f.Length);
    }

    private static long LeftUntilDone(ManagedTorrent t)
    {
        if (t.Metainfo is null)
        {
            return 0;
        }
        if (t.KnownStatus is { State: not Engine.Session.TorrentState.Checking } s)
        {
            return Math.Max(0, s.WantedBytes - s.WantedBytesDone);
        }
        if (t.Record.Complete)
        {
            return 0;
        }
        long size = SizeWhenDone(t);
        long have = t.Record.Wanted.All(w => w) ? t.BytesDone : (long)(size * t.PercentDone);
        return Math.Max(0, size - have);
    }

    /// <summary>A file's verified bytes: from the engine when known, else estimated from the saved progress.</summary>
    private static long FileDone(ManagedTorrent t, int index, long length)
    {
        if (t.KnownStatus is { State: not Engine.Session.TorrentState.Checking } s && index < s.Files.Count)
        {
            return s.Files[index].BytesCompleted;
        }
        return t.BytesDone >= t.TotalSize ? length : (long)(length * t.PercentDone);
    }

    private static JsonArray Files(ManagedTorrent t) =>
        t.Metainfo is not { } meta ? [] : new JsonArray([.. meta.Files.Select((f, i) => (JsonNode?)new JsonObject
        {
            ["bytesCompleted"] = FileDone(t, i, f.Length),
            ["length"] = f.Length,
            ["name"] = meta.IsMultiFile ? $"{meta.Name}/{f.Path}" : f.Path,
        })]);

    private static JsonArray FileStats(ManagedTorrent t) =>
        t.Metainfo is not { } meta ? [] : new JsonArray([.. meta.Files.Select((f, i) => (JsonNode?)new JsonObject
        {
            ["bytesCompleted"] = FileDone(t, i, f.Length),
            ["wanted"] = i >= t.Record.Wanted.Count || t.Record.Wanted[i],
            ["priority"] = i < t.Record.Priorities.Count ? t.Record.Priorities[i] : 0,
        })]);

    private static JsonArray Peers(Engine.Session.TorrentStatus? live) =>
        live is null ? [] : new JsonArray([.. live.Peers.Select(p => (JsonNode?)new JsonObject
        {
            ["address"] = (p.EndPoint.Address.IsIPv4MappedToIPv6 ? p.EndPoint.Address.MapToIPv4() : p.EndPoint.Address).ToString(),
            ["port"] = p.EndPoint.Port,
            ["clientName"] = p.Client,
            ["clientIsChoked"] = p.PeerChoking,
            ["clientIsInterested"] = p.AmInterested,
            ["peerIsChoked"] = p.AmChoking,
            ["peerIsInterested"] = p.PeerInterested,
            ["isDownloadingFrom"] = !p.PeerChoking && p.AmInterested,
            ["isUploadingTo"] = !p.AmChoking && p.PeerInterested,
            ["isEncrypted"] = p.IsEncrypted,
            ["isIncoming"] = p.IsIncoming,
            ["isUTP"] = p.IsUtp,
            ["flagStr"] = p.Flags,
            ["progress"] = p.Progress,
            ["rateToClient"] = p.DownloadRate,
            ["rateToPeer"] = p.UploadRate,
            ["bytesToClient"] = p.Downloaded,
            ["bytesToPeer"] = p.Uploaded,
        })]);

    private static JsonArray Trackers(ManagedTorrent t)
    {
        var tiers = t.Metainfo?.AnnounceTiers ?? [];
        var list = new JsonArray();
        int id = 0;
        for (int tier = 0; tier < tiers.Count; tier++)
        {
            foreach (string url in tiers[tier])
            {
                list.Add((JsonNode)new JsonObject { ["announce"] = url, ["id"] = id++, ["scrape"] = "", ["tier"] = tier, ["sitename"] = Host(url) });
            }
        }
        return list;
    }

    private static JsonArray TrackerStats(ManagedTorrent t, IReadOnlyList<TrackerStatus> stats)
    {
        var list = new JsonArray();
        int id = 0;
        foreach (var s in stats)
        {
            list.Add((JsonNode)new JsonObject
            {
                ["id"] = id++,
                ["announce"] = s.Url,
                ["host"] = Host(s.Url),
                ["sitename"] = Host(s.Url),
                ["tier"] = s.Tier,
                ["announceState"] = s.State switch { TrackerState.Updating => 3, TrackerState.NotContacted => 0, _ => 1 },
                ["hasAnnounced"] = s.LastAnnounce is not null,
                ["lastAnnounceTime"] = s.LastAnnounce?.ToUnixTimeSeconds() ?? 0,
                ["lastAnnounceSucceeded"] = s.State == TrackerState.Working,
                ["lastAnnounceResult"] = s.LastError ?? s.WarningMessage ?? (s.State == TrackerState.Working ? "Success" : ""),
                ["lastAnnouncePeerCount"] = s.LastPeerCount,
                ["lastAnnounceTimedOut"] = false,
                ["nextAnnounceTime"] = s.NextAnnounce?.ToUnixTimeSeconds() ?? 0,
                ["seederCount"] = s.Seeders ?? -1,
                ["leecherCount"] = s.Leechers ?? -1,
                ["downloadCount"] = -1,
                ["hasScraped"] = false,
                ["scrape"] = "",
                ["isBackup"] = false,
                ["lastScrapeTime"] = 0,
                ["lastScrapeSucceeded"] = false,
                ["lastScrapeResult"] = "",
                ["scrapeState"] = 0,
            });
        }
        _ = t;
        return list;
    }

    private static string Host(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Host : url;

    private static string? TrackerError(Engine.Session.TorrentStatus? s) =>
        s is null || s.Trackers.Count == 0 || s.Trackers.Any(x => x.State != TrackerState.NotWorking) ? null
            : s.Trackers.Select(x => x.LastError).FirstOrDefault(e => e is not null) is { } e ? $"Tracker gave an error: {e}" : null;

    private static long Eta(ManagedTorrent t)
    {
        if (t.Handle?.Status is not { } s || s.DownloadRate <= 0)
        {
            return -1; // not available
        }
        long left = LeftUntilDone(t);
        return left == 0 ? -1 : Math.Max(0, left / s.DownloadRate);
    }

    private static double UploadRatio(ManagedTorrent t)
    {
        double ratio = t.Ratio;
        return double.IsPositiveInfinity(ratio) ? -2 : t.Record.UploadedEver == 0 && t.Record.DownloadedEver == 0 && t.BytesDone == 0 ? -1 : Math.Round(ratio, 4);
    }
}
