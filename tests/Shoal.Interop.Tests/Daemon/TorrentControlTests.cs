using System.Text.Json.Nodes;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Daemon;

/// <summary>File selection, priorities, speed limits and peers through transmission-remote, against a libtorrent seeder.</summary>
public sealed class TorrentControlTests
{
    private static readonly IReadOnlyList<PayloadFile> Layout =
    [
        new("one.bin", 600_000),
        new("skip.bin", 1_500_000),
        new("three.bin", 600_000),
    ];

    [Fact]
    public async Task A_skipped_file_is_not_downloaded_and_the_rest_completes()
    {
        using var dir = new TempDir("shoal-daemon-files");
        string seedDir = dir.Sub("seed");
        string payload = Payload.WriteMulti(seedDir, "set", Layout, seed: 44);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(payload, Path.Combine(dir.Path, "set.torrent"), 32 * 1024);
        string downloads = dir.Sub("downloads");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), downloads);

        await daemon.RemoteOkAsync("--start-paused", "-a", torrent.TorrentPath);
        var files = Assert.Single(await daemon.TorrentsAsync("files"))!["files"]!.AsArray();
        int skip = files.Select((f, i) => (Name: (string?)f!["name"], i)).Single(x => x.Name == "set/skip.bin").i;
        int high = files.Select((f, i) => (Name: (string?)f!["name"], i)).Single(x => x.Name == "set/three.bin").i;
        await daemon.RemoteOkAsync("-t", "1", "-G", skip.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await daemon.RemoteOkAsync("-t", "1", "-ph", high.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string listing = await daemon.RemoteOkAsync("-t", "1", "-f");
        Assert.Matches(@$"\n\s*{skip}:\s+\S+\s+Normal\s+No\s+[\d.]+ \w+\s+set/skip\.bin", listing);
        Assert.Matches(@$"\n\s*{high}:\s+\S+\s+High\s+Yes\s+[\d.]+ \w+\s+set/three\.bin", listing);

        // Speed limits round-trip through torrent-set / session-set; 300 kB/s also keeps the seeder connected for
        // a few seconds, long enough to see it in -pi.
        await daemon.RemoteOkAsync("-t", "1", "-d", "300");
        await daemon.RemoteOkAsync("-u", "7000");
        var t = Assert.Single(await daemon.TorrentsAsync("downloadLimit", "downloadLimited"));
        Assert.Equal(300, (int)t!["downloadLimit"]!);
        Assert.True((bool)t["downloadLimited"]!);
        var session = await daemon.RpcAsync("session-get");
        Assert.Equal(7000, (int)session["arguments"]!["speed-limit-up"]!);
        Assert.True((bool)session["arguments"]!["speed-limit-up-enabled"]!);

        await daemon.RemoteOkAsync("-t", "1", "-s");
        using var seeder = await LibtorrentPeer.StartSeederAsync(torrent.TorrentPath, seedDir, peers: [$"127.0.0.1:{daemon.PeerPort}"]);
        // While connected, the peer shows up with its client name.
        await WaitAsync(async () => (await daemon.RemoteAsync("-t", "1", "-pi")).Output.Contains("127.0.0.1"), "the seeder in -pi", daemon);
        string list = await daemon.WaitForListAsync(l => l.Contains("100%") && l.Contains("Done"), TimeSpan.FromSeconds(90), "the wanted files to complete");
        Assert.Matches(@"\n\s+1\s+100%\s+1\.\d\d MB\s+Done", list); // 1.2 MB wanted of 2.7 MB

        Assert.Equal(Payload.HashFile(Path.Combine(payload, "one.bin")), Payload.HashFile(Path.Combine(downloads, "set", "one.bin")));
        Assert.Equal(Payload.HashFile(Path.Combine(payload, "three.bin")), Payload.HashFile(Path.Combine(downloads, "set", "three.bin")));
        string skipped = Path.Combine(downloads, "set", "skip.bin");
        Assert.True(!File.Exists(skipped) || Payload.HashFile(skipped) != Payload.HashFile(Path.Combine(payload, "skip.bin")),
            "the skipped file must not have been downloaded");
        var done = Assert.Single(await daemon.TorrentsAsync("sizeWhenDone", "leftUntilDone", "totalSize", "status"));
        Assert.Equal(0, (long)done!["leftUntilDone"]!);
        Assert.True((long)done["sizeWhenDone"]! < (long)done["totalSize"]!);
        Assert.Equal(6, (int)done["status"]!);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, DaemonProcess daemon)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"timed out waiting for {what}\n{daemon.Output}");
    }
}
