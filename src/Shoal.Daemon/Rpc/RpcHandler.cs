using System.Text.Json;
using System.Text.Json.Nodes;
using Shoal.Daemon.State;
using Shoal.Daemon.Torrents;

namespace Shoal.Daemon.Rpc;

/// <summary>
/// The Transmission RPC methods (protocol version 16, the one transmission-remote 3.00 speaks), over the registry.
/// One request in, one <c>arguments</c> object out; failures throw <see cref="RpcException"/> whose message becomes
/// the <c>result</c>. Sizes are bytes, speeds bytes/s in status and kB/s (1000 bytes) in limits, times Unix seconds.
/// </summary>
public sealed partial class RpcHandler
{
    public const int RpcVersion = 16;
    public const string Version = "3.00 (Shoal)";
    private readonly TorrentRegistry _registry;
    private readonly StateStore _store;
    private readonly Func<string> _sessionId;
    private readonly long _startedAt;
    private readonly long _startUploaded;
    private readonly long _startDownloaded;
    private readonly int _startFilesAdded;

    public RpcHandler(TorrentRegistry registry, StateStore store, Func<string> sessionId)
    {
        _registry = registry;
        _store = store;
        _sessionId = sessionId;
        _startedAt = registry.Now;
        _startUploaded = registry.Settings.CumulativeUploaded;
        _startDownloaded = registry.Settings.CumulativeDownloaded;
        _startFilesAdded = registry.Settings.FilesAdded;
    }

    /// <summary>Runs one method. Unknown names give Transmission's "method name not recognized".</summary>
    public async Task<JsonObject> InvokeAsync(string method, JsonObject? args) => method switch
    {
        "session-get" => SessionGet(args),
        "session-set" => await SessionSetAsync(args).ConfigureAwait(false),
        "session-stats" => SessionStats(),
        "session-close" => [],
        "torrent-add" => await TorrentAddAsync(args).ConfigureAwait(false),
        "torrent-get" => TorrentGet(args),
        "torrent-set" => await TorrentSetAsync(args).ConfigureAwait(false),
        "torrent-start" => await ForEachAsync(args, t => _registry.StartAsync(t)).ConfigureAwait(false),
        "torrent-start-now" => await ForEachAsync(args, t => _registry.StartAsync(t, now: true)).ConfigureAwait(false),
        "torrent-stop" => await ForEachAsync(args, _registry.StopAsync).ConfigureAwait(false),
        "torrent-verify" => await ForEachAsync(args, _registry.VerifyAsync).ConfigureAwait(false),
        "torrent-remove" => await ForEachAsync(args, t => _registry.RemoveAsync(t, Bool(args, "delete-local-data") ?? false)).ConfigureAwait(false),
        "queue-move-top" => await QueueMoveAsync(args, QueueMove.Top).ConfigureAwait(false),
        "queue-move-up" => await QueueMoveAsync(args, QueueMove.Up).ConfigureAwait(false),
        "queue-move-down" => await QueueMoveAsync(args, QueueMove.Down).ConfigureAwait(false),
        "queue-move-bottom" => await QueueMoveAsync(args, QueueMove.Bottom).ConfigureAwait(false),
        "free-space" => FreeSpace(args),
        "port-test" => PortTest(),
        _ => throw new RpcException("method name not recognized"),
    };

    private JsonObject SessionGet(JsonObject? args)
    {
        var s = _registry.Settings;
        string downloadDir = _registry.DownloadDirectory;
        var all = new JsonObject
        {
            ["alt-speed-down"] = 0,
            ["alt-speed-enabled"] = false,
            ["alt-speed-time-begin"] = 540,
            ["alt-speed-time-day"] = 127,
            ["alt-speed-time-enabled"] = false,
            ["alt-speed-time-end"] = 1020,
            ["alt-speed-up"] = 0,
            ["blocklist-enabled"] = false,
            ["blocklist-size"] = 0,
            ["blocklist-url"] = "",
            ["cache-size-mb"] = 0,
            ["config-dir"] = _store.Root,
            ["dht-enabled"] = false,
            ["download-dir"] = downloadDir,
            ["download-dir-free-space"] = FreeBytes(downloadDir),
            ["download-queue-enabled"] = s.DownloadQueueEnabled,
            ["download-queue-size"] = s.DownloadQueueSize,
            ["encryption"] = "tolerated",
            ["idle-seeding-limit"] = 30,
            ["idle-seeding-limit-enabled"] = false,
            ["incomplete-dir"] = downloadDir,
            ["incomplete-dir-enabled"] = false,
            ["lpd-enabled"] = false,
            ["peer-limit-global"] = 200,
            ["peer-limit-per-torrent"] = 50,
            ["peer-port"] = _registry.Engine.ListenPort,
            ["peer-port-random-on-start"] = false,
            ["pex-enabled"] = true,
            ["port-forwarding-enabled"] = false,
            ["queue-stalled-enabled"] = false,
            ["queue-stalled-minutes"] = 30,
            ["rename-partial-files"] = false,
            ["rpc-version"] = RpcVersion,
            ["rpc-version-minimum"] = 1,
            ["script-torrent-done-enabled"] = false,
            ["script-torrent-done-filename"] = "",
            ["seed-queue-enabled"] = s.SeedQueueEnabled,
            ["seed-queue-size"] = s.SeedQueueSize,
            ["seed-time-limit"] = s.SeedTimeLimitMinutes,
            ["seed-time-limit-enabled"] = s.SeedTimeLimited,
            ["seedRatioLimit"] = s.SeedRatioLimit,
            ["seedRatioLimited"] = s.SeedRatioLimited,
            ["session-id"] = _sessionId(),
            ["speed-limit-down"] = s.SpeedLimitDown / 1000,
            ["speed-limit-down-enabled"] = s.SpeedLimitDownEnabled,
            ["speed-limit-up"] = s.SpeedLimitUp / 1000,
            ["speed-limit-up-enabled"] = s.SpeedLimitUpEnabled,
            ["start-added-torrents"] = s.StartAddedTorrents,
            ["trash-original-torrent-files"] = !s.RenameAddedTorrents,
            ["units"] = new JsonObject
            {
                ["memory-bytes"] = 1024,
                ["memory-units"] = new JsonArray("KiB", "MiB", "GiB", "TiB"),
                ["size-bytes"] = 1000,
                ["size-units"] = new JsonArray("kB", "MB", "GB", "TB"),
                ["speed-bytes"] = 1000,
                ["speed-units"] = new JsonArray("kB/s", "MB/s", "GB/s", "TB/s"),
            },
            ["utp-enabled"] = false,
            ["version"] = Version,
        };
        if (args?["fields"] is JsonArray fields && fields.Count > 0)
        {
            var wanted = fields.Select(f => f?.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : null).ToHashSet();
            foreach (string key in all.Select(kv => kv.Key).ToArray())
            {
                if (!wanted.Contains(key))
                {
                    all.Remove(key);
                }
            }
        }
        return all;
    }

    private async Task<JsonObject> SessionSetAsync(JsonObject? args)
    {
        if (args is null)
        {
            return [];
        }
        if (Long(args, "peer-port") is { } port && port != _registry.Engine.ListenPort)
        {
            // Said plainly rather than ignored: the listening socket is bound once, at start.
            throw new RpcException("the peer port cannot change while running; restart shoal daemon with --port");
        }
        if (Str(args, "download-dir") is { } dir && !Path.IsPathFullyQualified(dir))
        {
            throw new RpcException("download directory path is not absolute");
        }
        await _registry.UpdateSettingsAsync(s =>
        {
            s.DownloadDirectory = Str(args, "download-dir") ?? s.DownloadDirectory;
            s.SpeedLimitDown = Long(args, "speed-limit-down") is { } d ? d * 1000 : s.SpeedLimitDown;
            s.SpeedLimitDownEnabled = Bool(args, "speed-limit-down-enabled") ?? s.SpeedLimitDownEnabled;
            s.SpeedLimitUp = Long(args, "speed-limit-up") is { } u ? u * 1000 : s.SpeedLimitUp;
            s.SpeedLimitUpEnabled = Bool(args, "speed-limit-up-enabled") ?? s.SpeedLimitUpEnabled;
            s.DownloadQueueSize = (int?)Long(args, "download-queue-size") ?? s.DownloadQueueSize;
            s.DownloadQueueEnabled = Bool(args, "download-queue-enabled") ?? s.DownloadQueueEnabled;
            s.SeedQueueSize = (int?)Long(args, "seed-queue-size") ?? s.SeedQueueSize;
            s.SeedQueueEnabled = Bool(args, "seed-queue-enabled") ?? s.SeedQueueEnabled;
            s.SeedRatioLimit = Double(args, "seedRatioLimit") ?? s.SeedRatioLimit;
            s.SeedRatioLimited = Bool(args, "seedRatioLimited") ?? s.SeedRatioLimited;
            s.SeedTimeLimitMinutes = (int?)Long(args, "seed-time-limit") ?? s.SeedTimeLimitMinutes;
            s.SeedTimeLimited = Bool(args, "seed-time-limit-enabled") ?? s.SeedTimeLimited;
            s.StartAddedTorrents = Bool(args, "start-added-torrents") ?? s.StartAddedTorrents;
            s.RenameAddedTorrents = !(Bool(args, "trash-original-torrent-files") ?? !s.RenameAddedTorrents);
        }).ConfigureAwait(false);
        return [];
    }

    private JsonObject SessionStats()
    {
        var all = _registry.All;
        var s = _registry.Settings;
        long now = _registry.Now;
        return new JsonObject
        {
            ["activeTorrentCount"] = all.Count(t => t.Handle is not null || t.FetchingMetadata),
            ["pausedTorrentCount"] = all.Count(t => t.Handle is null && !t.FetchingMetadata),
            ["torrentCount"] = all.Count,
            ["downloadSpeed"] = all.Sum(t => t.Handle?.Status.DownloadRate ?? 0),
            ["uploadSpeed"] = all.Sum(t => t.Handle?.Status.UploadRate ?? 0),
            ["cumulative-stats"] = new JsonObject
            {
                ["uploadedBytes"] = s.CumulativeUploaded,
                ["downloadedBytes"] = s.CumulativeDownloaded,
                ["filesAdded"] = s.FilesAdded,
                ["sessionCount"] = s.SessionCount,
                ["secondsActive"] = s.CumulativeSecondsActive,
            },
            ["current-stats"] = new JsonObject
            {
                ["uploadedBytes"] = s.CumulativeUploaded - _startUploaded,
                ["downloadedBytes"] = s.CumulativeDownloaded - _startDownloaded,
                ["filesAdded"] = s.FilesAdded - _startFilesAdded,
                ["sessionCount"] = 1,
                ["secondsActive"] = now - _startedAt,
            },
        };
    }

    private static JsonObject FreeSpace(JsonObject? args)
    {
        string path = Str(args, "path") ?? throw new RpcException("free-space: missing path");
        long free = FreeBytes(path);
        if (free < 0)
        {
            throw new RpcException($"free-space: cannot read the free space of {path}");
        }
        return new JsonObject { ["path"] = path, ["size-bytes"] = free, ["total_size"] = TotalBytes(path) };
    }

    /// <summary>
    /// Transmission asks a web service whether the peer port is reachable from outside. Shoal has no such service
    /// and will not pretend: the answer is "not known to be open", with the reason.
    /// </summary>
    private JsonObject PortTest() => new()
    {
        ["port-is-open"] = false,
        ["port-test-note"] = $"Shoal cannot test reachability from outside; peer port {_registry.Engine.ListenPort} is listening locally",
    };

    private static DriveInfo? DriveOf(string path)
    {
        try
        {
            string full = Path.GetFullPath(path);
            return DriveInfo.GetDrives()
                .Where(d => full.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
                .MaxBy(d => d.RootDirectory.FullName.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static long FreeBytes(string path)
    {
        try
        {
            return DriveOf(path)?.AvailableFreeSpace ?? -1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static long TotalBytes(string path)
    {
        try
        {
            return DriveOf(path)?.TotalSize ?? -1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    internal static string? Str(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    internal static bool? Bool(JsonObject? o, string key) => o?[key] is JsonValue v ? v.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => v.TryGetValue(out long n) ? n != 0 : null,
        _ => null,
    } : null;

    internal static long? Long(JsonObject? o, string key) => o?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        ? v.TryGetValue(out long n) ? n : v.TryGetValue(out double d) ? (long)d : null : null;

    internal static double? Double(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) ? d : null;

    internal static List<int>? Ints(JsonObject? o, string key) => o?[key] is JsonArray a
        ? [.. a.OfType<JsonValue>().Where(x => x.GetValueKind() == JsonValueKind.Number && x.TryGetValue(out int _)).Select(x => x.GetValue<int>())]
        : null;
}
