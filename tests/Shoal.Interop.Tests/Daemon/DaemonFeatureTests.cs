using System.Text.Json.Nodes;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Daemon;

/// <summary>Watch folder, queueing and seed limits, seen through the RPC and transmission-remote.</summary>
public sealed class DaemonFeatureTests
{
    [Fact]
    public async Task A_torrent_dropped_in_the_watch_folder_is_added_and_renamed()
    {
        using var dir = new TempDir("shoal-daemon-watch");
        string data = dir.Sub("data");
        string file = Payload.WriteSingle(data, "w.bin", 50_000, seed: 8);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(file, Path.Combine(dir.Path, "w.torrent"), 16 * 1024);
        string watch = dir.Sub("watch");
        File.WriteAllText(Path.Combine(watch, "broken.torrent"), "not bencode");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), data, ["--watch-dir", watch]);
        File.Copy(torrent.TorrentPath, Path.Combine(watch, "w.torrent"));

        string list = await daemon.WaitForListAsync(l => l.Contains("w.bin") && l.Contains("100%"), TimeSpan.FromSeconds(30), "the watched torrent");
        Assert.Contains("w.bin", list);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (File.Exists(Path.Combine(watch, "w.torrent")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.True(File.Exists(Path.Combine(watch, "w.torrent.added")), "the added file is renamed *.added");
        Assert.True(File.Exists(Path.Combine(watch, "broken.torrent")), "a broken file is left alone");
        Assert.Contains("not a valid torrent", daemon.Process.StandardError);
    }

    [Fact]
    public async Task Downloads_beyond_the_queue_size_wait_as_queued()
    {
        using var dir = new TempDir("shoal-daemon-queue");
        string src = dir.Sub("src");
        var t1 = await LibtorrentPeer.MakeTorrentAsync(Payload.WriteSingle(src, "q1.bin", 40_000, seed: 1), Path.Combine(dir.Path, "q1.torrent"), 16 * 1024);
        var t2 = await LibtorrentPeer.MakeTorrentAsync(Payload.WriteSingle(src, "q2.bin", 40_000, seed: 2), Path.Combine(dir.Path, "q2.torrent"), 16 * 1024);
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), dir.Sub("empty"));
        await daemon.RpcAsync("session-set", new JsonObject { ["download-queue-size"] = 1, ["download-queue-enabled"] = true });
        await daemon.RemoteOkAsync("-a", t1.TorrentPath);
        await daemon.RemoteOkAsync("-a", t2.TorrentPath);

        // No peers: the first downloads (idle), the second waits for its slot.
        string list = await daemon.WaitForListAsync(l => l.Contains("Queued"), TimeSpan.FromSeconds(30), "the second torrent to queue");
        Assert.Matches(@"\n\s+2\s+0%.*Queued\s+q2\.bin", list);
        var statuses = (await daemon.TorrentsAsync("id", "status")).ToDictionary(t => (int)t!["id"]!, t => (int)t!["status"]!);
        Assert.Equal(4, statuses[1]);
        Assert.Equal(3, statuses[2]);

        // Stopping the first frees the slot.
        await daemon.RemoteOkAsync("-t", "1", "-S");
        list = await daemon.WaitForListAsync(l => !l.Contains("Queued"), TimeSpan.FromSeconds(30), "the queued torrent to start");
        Assert.Matches(@"\n\s+1\s+0%.*Stopped\s+q1\.bin", list);
        Assert.DoesNotMatch(@"\n\s+2\s+0%.*Stopped", list);
    }

    [Fact]
    public async Task A_seed_that_reaches_its_ratio_limit_stops_as_finished()
    {
        using var dir = new TempDir("shoal-daemon-ratio");
        string data = dir.Sub("data");
        var torrent = await LibtorrentPeer.MakeTorrentAsync(Payload.WriteSingle(data, "r.bin", 40_000, seed: 3), Path.Combine(dir.Path, "r.torrent"), 16 * 1024);
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), data);
        await daemon.RpcAsync("torrent-add", new JsonObject { ["filename"] = torrent.TorrentPath, ["paused"] = true });
        // A ratio limit of 0 is reached the moment the torrent seeds.
        await daemon.RpcAsync("torrent-set", new JsonObject { ["ids"] = new JsonArray(1), ["seedRatioLimit"] = 0.0, ["seedRatioMode"] = 1 });
        await daemon.RemoteOkAsync("-t", "1", "-s");
        string list = await daemon.WaitForListAsync(l => l.Contains("Finished"), TimeSpan.FromSeconds(30), "the ratio limit to stop the seed");
        Assert.Matches(@"\n\s+1\s+100%.*Finished\s+r\.bin", list);
        var t = Assert.Single(await daemon.TorrentsAsync("status", "isFinished", "seedRatioMode"));
        Assert.Equal(0, (int)t!["status"]!);
        Assert.True((bool)t["isFinished"]!);
        Assert.Equal(1, (int)t["seedRatioMode"]!);
    }

    [Fact]
    public async Task Verify_finds_a_corrupted_piece_of_a_seeding_torrent()
    {
        using var dir = new TempDir("shoal-daemon-verify");
        string data = dir.Sub("data");
        string file = Payload.WriteSingle(data, "v.bin", 160_000, seed: 9);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(file, Path.Combine(dir.Path, "v.torrent"), 16 * 1024);
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), data);
        await daemon.RemoteOkAsync("-a", torrent.TorrentPath);
        await daemon.WaitForListAsync(l => l.Contains("100%"), TimeSpan.FromSeconds(30), "the torrent to find its data");

        // Flip one byte of the last piece (9 full pieces of 16 KiB, then 12,544 bytes).
        using (var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = 155_000;
            int b = f.ReadByte();
            f.Position = 155_000;
            f.WriteByte((byte)~b);
        }
        await daemon.RemoteOkAsync("-t", "1", "-v");
        string list = await daemon.WaitForListAsync(l => !l.Contains("100%") && !l.Contains("Verifying"), TimeSpan.FromSeconds(30), "verify to find the bad piece");
        Assert.Matches(@"\n\s+1\s+9\d%", list);
        var t = Assert.Single(await daemon.TorrentsAsync("leftUntilDone", "status"));
        Assert.Equal(12_544, (long)t!["leftUntilDone"]!);
        Assert.Equal(4, (int)t["status"]!);
    }
}
