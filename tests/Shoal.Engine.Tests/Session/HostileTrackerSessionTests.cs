using System.Net;
using System.Text;
using Shoal.Engine.Session;
using Shoal.Engine.Tests.Trackers;
using Shoal.Engine.Trackers;
using Shoal.Protocol.Metainfo;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Tests.Session;

/// <summary>
/// A torrent whose trackers are all broken or lying except one: every bad tracker ends with a clear status, memory
/// and time stay bounded (responses and the candidate table are capped), and the download completes through the
/// honest tracker.
/// </summary>
public sealed class HostileTrackerSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Loopback addresses nobody listens on (port 9, discard), so dialling them fails fast and stays local.</summary>
    private static IPEndPoint[] DeadPeers(int count, int salt) =>
        Enumerable.Range(0, count).Select(i => new IPEndPoint(new IPAddress([127, (byte)(salt + (i >> 16)), (byte)(i >> 8), (byte)(i | 1)]), 9)).ToArray();

    private static byte[] PeersBody(byte[] compact, int interval = 1800)
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes($"d8:intervali{interval}e5:peers{compact.Length}:"));
        ms.Write(compact);
        ms.WriteByte((byte)'e');
        return ms.ToArray();
    }

    [Fact]
    public async Task Junk_500s_redirect_loops_silence_huge_peer_lists_and_lies_do_not_stop_the_download()
    {
        var data = TestTorrents.RandomData(2_000_000, 21);
        var plain = TestTorrents.Create(data, 64 * 1024, "hostile-trackers");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(plain, data, seedDir.Path);
        await using var seeder = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback });
        var seed = await seeder.AddTorrentAsync(plain, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true, UseTrackers = false });
        await seed.Completion.WaitAsync(Timeout);
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, seeder.ListenPort);

        LoopbackHttpTracker? loop = null;
        await using var junk = new LoopbackHttpTracker(_ => HttpReply.Body("<html>this is not a tracker</html>"));
        await using var error500 = new LoopbackHttpTracker(_ => HttpReply.Body("internal error", 500));
        await using var redirects = new LoopbackHttpTracker(t => HttpReply.Redirect($"http://127.0.0.1:{loop!.Port}{t}"));
        loop = redirects;
        await using var silent = new LoopbackHttpTracker(_ => HttpReply.Hang);
        // A million compact peers: 6 MB, over the response cap, so refused without being read.
        byte[] millionBody = PeersBody(new byte[6_000_000]);
        await using var million = new LoopbackHttpTracker(_ => HttpReply.Body(millionBody));
        // The same without a Content-Length: the read stops at the cap.
        await using var endless = new LoopbackHttpTracker(_ => HttpReply.Endless(50_000_000));
        // Just under the byte cap: 340,000 peers, of which the client keeps at most MaxPeersPerResponse, and the
        // session at most MaxCandidates.
        byte[] crowdBody = PeersBody(CompactPeers.Encode(DeadPeers(340_000, 1)));
        await using var crowd = new LoopbackHttpTracker(_ => HttpReply.Body(crowdBody));
        // UDP, lying: interval 0, absurd counts, and peers that do not exist.
        await using var liar = new FakeUdpTracker((_, req) =>
        {
            byte[] reply = FakeUdpTracker.Answer(req, DeadPeers(200, 100), interval: 0);
            if (!FakeUdpTracker.IsConnect(req))
            {
                reply.AsSpan(12, 8).Fill(0xFF); // leechers and seeders: -1 as signed, 4 billion as unsigned
            }
            return [reply];
        });
        // UDP, broken: answers every packet with garbage.
        await using var garbage = new FakeUdpTracker((_, _) => [Encoding.ASCII.GetBytes("garbage garbage garbage")]);
        await using var honest = new LoopbackHttpTracker(_ => HttpReply.Body(PeersBody(CompactPeers.Encode([seederEndPoint]))));

        string[] bad = [junk.AnnounceUrl, error500.AnnounceUrl, redirects.AnnounceUrl, silent.AnnounceUrl, million.AnnounceUrl,
            endless.AnnounceUrl, garbage.AnnounceUrl];
        string[] all = [.. bad, crowd.AnnounceUrl, liar.AnnounceUrl, honest.AnnounceUrl];
        // One tier each, so every tracker is contacted (not just the first of a tier).
        var meta = TestTorrents.Derive(plain, announceTiers: [.. all.Select(u => (IReadOnlyList<string>)[u])]);

        await using var leecher = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback });
        var t = await leecher.AddTorrentAsync(meta, new TorrentOptions
        {
            DownloadDirectory = leechDir.Path,
            SeedWhenComplete = true,
            TrackerOptions = new TrackerOptions
            {
                HttpTimeout = TimeSpan.FromSeconds(4),
                UdpBaseTimeout = TimeSpan.FromMilliseconds(500),
                UdpMaxAttempts = 1,
                // Above the session's candidate cap, so the crowd alone would overflow the candidate table.
                MaxPeersPerResponse = 6000,
            },
        });
        try
        {
            await t.Completion.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            var st = t.Status;
            Assert.Fail($"no completion: {st.State} {st.PiecesHave}/{st.PiecesTotal} connected={st.PeersConnected} known={st.PeersKnown} "
                + $"stalled={st.Stalled} disconnects={string.Join(',', st.Disconnects.Select(d => $"{d.Key}={d.Value}"))}\n"
                + string.Join('\n', st.Trackers.Select(s => $"{s.Url}: {s.State} peers={s.LastPeerCount} error={s.LastError}")));
        }
        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));

        // Every tracker ends up with a settled status: the broken ones not working with a reason, the rest working.
        TrackerStatus Status(string url) => t.Status.Trackers.Single(s => s.Url == url);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!bad.All(u => Status(u).State == TrackerState.NotWorking) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        var report = string.Join('\n', t.Status.Trackers.Select(s => $"{s.Url}: {s.State} peers={s.LastPeerCount} error={s.LastError}"));
        foreach (string url in bad)
        {
            var s = Status(url);
            Assert.True(s.State == TrackerState.NotWorking && !string.IsNullOrWhiteSpace(s.LastError), $"{url} should fail with a reason\n{report}");
        }
        Assert.Contains("500", Status(error500.AnnounceUrl).LastError, StringComparison.Ordinal);
        Assert.Contains("too large", Status(million.AnnounceUrl).LastError, StringComparison.OrdinalIgnoreCase);
        var crowdStatus = Status(crowd.AnnounceUrl);
        Assert.True(crowdStatus.State == TrackerState.Working && crowdStatus.LastPeerCount == 6000, report);
        var liarStatus = Status(liar.AnnounceUrl);
        Assert.True(liarStatus.State == TrackerState.Working && liarStatus.Interval >= new TrackerOptions().MinimumInterval, report);
        Assert.True(t.Status.PeersKnown <= TorrentSession.MaxCandidates, $"{t.Status.PeersKnown} candidate peers kept\n{report}");
    }
}
