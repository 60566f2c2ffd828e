using System.Text.RegularExpressions;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>
/// Shoal meets a scripted peer that breaks the protocol in one way. It must drop that peer with a logged reason and
/// still finish the transfer with an honest libtorrent peer. The reason patterns stay on stable words.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class HostilePeerTests
{
    /// <summary>Keeps the honest seeder slow enough that the hostile connection plays out before the download ends.</summary>
    private const long HonestUploadLimit = 2 * 1024 * 1024;

    public static TheoryData<HostileScenario, string> DownloadScenarios => new()
    {
        { HostileScenario.WrongInfoHash, "info.?hash|handshake" },
        { HostileScenario.HugeLengthPrefix, "length|too (large|long|big)|oversized|size" },
        { HostileScenario.BitfieldWrongSize, "bitfield" },
        { HostileScenario.BitfieldSpareBits, "bitfield|spare" },
        { HostileScenario.HaveOutOfRange, "have|out of range|index" },
        { HostileScenario.UnrequestedPiece, "unrequested|not requested|unexpected (piece|block)|unsolicited" },
    };

    [Theory]
    [MemberData(nameof(DownloadScenarios))]
    public async Task Shoal_drops_a_hostile_peer_and_still_downloads(HostileScenario scenario, string reason)
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var hostile = scope.Add("hostile peer", HostilePeer.Start(scenario, payload.Torrent, payload.Torrent.ReadContent(payload.SaveDir)));
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath,
            payload.SaveDir, uploadLimit: HonestUploadLimit));
        string outDir = scope.Dir.Sub("shoal-out");
        string trace = Path.Combine(scope.Path, "shoal.trace");

        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [hostile.Endpoint, seeder.Endpoint], TraceFile = trace }));
        await scope.Expect($"shoal download beside a {scenario} peer", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));
        AddTrace(scope, trace);

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        Assert.True(hostile.Connections > 0, $"shoal never connected to the hostile peer\n{scope.Report()}");
        Assert.True(hostile.ClosedByRemote > 0, $"shoal kept the {scenario} peer connected until it exited\n{scope.Report()}");
        TestSwarms.AssertLoggedDrop(scope, shoal.Output + "\n" + ReadTrace(trace), hostile.Port,
            new Regex(reason, RegexOptions.IgnoreCase));
    }

    [Fact]
    public async Task Shoal_downloads_from_a_peer_that_splits_and_chains_its_messages()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var peer = scope.Add("fragmenting peer", HostilePeer.Start(HostileScenario.SplitAndChained, payload.Torrent,
            payload.Torrent.ReadContent(payload.SaveDir)));
        string outDir = scope.Dir.Sub("shoal-out");

        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [peer.Endpoint] }));
        await scope.Expect("shoal download from a fragmenting peer", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        Assert.True(peer.BytesServed >= payload.Torrent.TotalLength, $"the fragmenting peer served only {peer.BytesServed} bytes\n{scope.Report()}");
    }

    [Fact]
    public async Task Shoal_seeder_drops_a_peer_requesting_more_than_16_KiB_and_keeps_serving()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var hostile = scope.Add("hostile peer", HostilePeer.Start(HostileScenario.RequestTooLarge, payload.Torrent, []));
        var shoal = scope.Add("shoal seed", ShoalProcess.StartSeed(payload.Torrent.TorrentPath, payload.SaveDir, 0, [hostile.Endpoint]));
        await scope.Expect("shoal seed start", () => shoal.WaitForPortAsync(TimeSpan.FromSeconds(60)));
        string outDir = scope.Dir.Sub("lt-out");

        var leecher = scope.Add("libtorrent leecher",
            await LibtorrentPeer.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, peers: [shoal.Endpoint]));
        await scope.Expect("libtorrent download from shoal", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout));
        bool closed = await hostile.WaitForRemoteCloseAsync(TimeSpan.FromSeconds(30));

        Assert.True(leecher.Process.ExitCode == 0, $"libtorrent leecher exited {leecher.Process.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
        Assert.True(closed, $"shoal kept serving a peer that asked for 32 KiB in one request\n{scope.Report()}");
        TestSwarms.AssertLoggedDrop(scope, shoal.Output, hostile.Port, new Regex("request|length|too (large|long|big)", RegexOptions.IgnoreCase));
    }

    private static string ReadTrace(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static void AddTrace(SwarmScope scope, string path)
    {
        string t = ReadTrace(path);
        scope.Note(t.Length == 0 ? $"(no trace file at {path})" : $"===== trace {path} =====\n{t}");
    }
}
