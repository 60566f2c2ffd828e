using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Daemon;

/// <summary>
/// Bar 1 of issue 9: the real <c>transmission-remote</c> (Debian's transmission-cli 3.00) drives a Shoal daemon
/// through add (file and magnet), list, completion against a libtorrent seeder, stop, start and remove. Assertions
/// are on what transmission-remote prints.
/// </summary>
public sealed class TransmissionRemoteTests
{
    private static readonly TimeSpan CompleteTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Add_list_complete_stop_start_and_remove_a_torrent()
    {
        using var dir = new TempDir("shoal-daemon");
        string seedDir = dir.Sub("seed");
        string payload = Payload.WriteSingle(seedDir, "payload.bin", 3 * 1024 * 1024 + 12345, seed: 91);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(payload, Path.Combine(dir.Path, "payload.torrent"), 64 * 1024);
        string downloads = dir.Sub("downloads");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), downloads);

        string added = await daemon.RemoteOkAsync("-a", torrent.TorrentPath);
        Assert.Contains("responded: \"success\"", added);
        string list = await daemon.RemoteOkAsync("-l");
        Assert.Contains("payload.bin", list);
        Assert.Matches(@"\n\s+1\s+0%", list);

        // The seeder dials the daemon's peer port (no tracker involved).
        using var seeder = await LibtorrentPeer.StartSeederAsync(torrent.TorrentPath, seedDir, peers: [$"127.0.0.1:{daemon.PeerPort}"]);
        list = await daemon.WaitForListAsync(l => l.Contains("100%") && l.Contains("Done"), CompleteTimeout, "the download to complete");
        Assert.Matches(@"\n\s+1\s+100%\s+3\.\d\d MB\s+Done", list);
        Assert.Equal(Payload.HashFile(payload), Payload.HashFile(Path.Combine(downloads, "payload.bin")));

        await daemon.RemoteOkAsync("-t", "1", "-S");
        list = await daemon.RemoteOkAsync("-l");
        Assert.Matches(@"\n\s+1\s+100%.*Stopped\s+payload\.bin", list);

        await daemon.RemoteOkAsync("-t", "1", "-s");
        list = await daemon.WaitForListAsync(l => !l.Contains("Stopped") && !l.Contains("Verifying"), TimeSpan.FromSeconds(30), "the torrent to run again");
        Assert.Matches(@"\n\s+1\s+100%\s+3\.\d\d MB\s+Done.*(Idle|Seeding)\s+payload\.bin", list);

        // Remove keeps the data; the list is empty afterwards.
        await daemon.RemoteOkAsync("-t", "1", "-r");
        list = await daemon.RemoteOkAsync("-l");
        Assert.DoesNotContain("payload.bin", list);
        Assert.True(File.Exists(Path.Combine(downloads, "payload.bin")), "-r must keep the data");

        // Added again (the data is checked, nothing downloads), then removed with its data.
        await daemon.RemoteOkAsync("-a", torrent.TorrentPath);
        list = await daemon.WaitForListAsync(l => l.Contains("100%"), TimeSpan.FromSeconds(30), "the re-added torrent to find its data");
        Assert.Matches(@"\n\s+2\s+100%", list);
        await daemon.RemoteOkAsync("-t", "2", "--remove-and-delete");
        list = await daemon.RemoteOkAsync("-l");
        Assert.DoesNotContain("payload.bin", list);
        Assert.False(File.Exists(Path.Combine(downloads, "payload.bin")), "--remove-and-delete must delete the data");
    }

    [Fact]
    public async Task A_magnet_link_is_fetched_and_completes()
    {
        using var dir = new TempDir("shoal-daemon-magnet");
        string seedDir = dir.Sub("seed");
        string payload = Payload.WriteMulti(seedDir, "album", Payload.MultiFileLayout, seed: 17);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(payload, Path.Combine(dir.Path, "album.torrent"), 32 * 1024);
        using var seeder = await LibtorrentPeer.StartSeederAsync(torrent.TorrentPath, seedDir);
        string downloads = dir.Sub("downloads");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), downloads);

        string magnet = $"magnet:?xt=urn:btih:{torrent.InfoHash}&dn=album&x.pe={seeder.Endpoint}";
        string added = await daemon.RemoteOkAsync("-a", magnet);
        Assert.Contains("responded: \"success\"", added);
        string list = await daemon.WaitForListAsync(l => l.Contains("100%") && l.Contains("Done"), CompleteTimeout, "the magnet download to complete");
        Assert.Contains("album", list);
        Payload.AssertSameTree(payload, Path.Combine(downloads, "album"), () => daemon.Output);

        string info = await daemon.RemoteOkAsync("-t", "1", "-i");
        Assert.Contains($"Hash: {torrent.InfoHash}", info);
        Assert.Contains("Percent Done: 100%", info);
        string files = await daemon.RemoteOkAsync("-t", "1", "-f");
        Assert.Contains($"album ({Payload.MultiFileLayout.Count} files)", files);
    }

    [Fact]
    public async Task States_survive_kill_minus_nine()
    {
        using var dir = new TempDir("shoal-daemon-restart");
        string data = dir.Sub("data");
        string a = Payload.WriteSingle(data, "a.bin", 200_000, seed: 1);
        string b = Payload.WriteSingle(data, "b.bin", 300_000, seed: 2);
        var ta = await LibtorrentPeer.MakeTorrentAsync(a, Path.Combine(dir.Path, "a.torrent"), 16 * 1024);
        var tb = await LibtorrentPeer.MakeTorrentAsync(b, Path.Combine(dir.Path, "b.torrent"), 16 * 1024);
        string state = dir.Sub("state");
        using (var daemon = await DaemonProcess.StartAsync(state, data))
        {
            await daemon.RemoteOkAsync("-a", ta.TorrentPath);
            await daemon.RemoteOkAsync("-a", tb.TorrentPath);
            await daemon.WaitForListAsync(l => l.Split('\n').Count(x => x.Contains("100%")) == 2, TimeSpan.FromSeconds(30), "both torrents to find their data");
            await daemon.RemoteOkAsync("-t", "2", "-S");
            daemon.KillHard();
        }
        using (var daemon = await DaemonProcess.StartAsync(state, data))
        {
            string list = await daemon.WaitForListAsync(l => l.Contains("a.bin") && !l.Contains("Verifying"), TimeSpan.FromSeconds(30), "the restored list");
            Assert.Matches(@"\n\s+1\s+100%.*(Idle|Seeding)\s+a\.bin", list);
            Assert.Matches(@"\n\s+2\s+100%.*Stopped\s+b\.bin", list);
        }
    }

    [Fact]
    public async Task Wrong_or_missing_credentials_are_refused_and_right_ones_work()
    {
        using var dir = new TempDir("shoal-daemon-auth");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), dir.Sub("dl"), user: "alice", password: "s3cret");
        var (code, output) = await daemon.RemoteAsync("-l");
        Assert.NotEqual(0, code);
        Assert.Contains("401", output);
        (code, output) = await daemon.RemoteAsync("-n", "alice:wrong", "-l");
        Assert.NotEqual(0, code);
        Assert.Contains("401", output);
        string ok = await daemon.RemoteOkAsync("-n", "alice:s3cret", "-l");
        Assert.Contains("Sum:", ok);
    }
}
