using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;

namespace Shoal.Interop.Tests.Extensions;

/// <summary>
/// PEX (issue 7, bar 4): three <c>shoal download</c> processes where only the first knows the seeder; the second
/// knows only the first, the third only the second. The others must learn the seeder's address by PEX, dial it, and
/// all three complete.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class PexTests
{
    [Fact]
    public async Task Leechers_that_know_only_another_leecher_find_the_seeder_by_pex_and_all_complete()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.SingleFileAsync(scope, length: 3_000_001, seed: 71);
        // Rate-limited (about 15 s for the whole payload) so the first leecher is still downloading, and so still
        // connected to the seeder and able to name it in PEX, when the others arrive: a leecher that completes drops
        // the seeder (both sides are seeds).
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath,
            payload.SaveDir, uploadLimit: 200_000));
        int[] ports = [Ports.Free(), Ports.Free(), Ports.Free()];
        var leechers = new List<(ShoalProcess Shoal, string Out, string Trace)>();

        ShoalProcess Start(int i, string peer)
        {
            string outDir = scope.Dir.Sub($"shoal-{i}");
            string trace = Path.Combine(scope.Path, $"shoal-{i}.trace");
            var shoal = scope.Add($"shoal leecher {i} (port {ports[i]}, knows {peer})", ShoalProcess.StartDownload(payload.Torrent.TorrentPath,
                outDir, new ShoalDownloadOptions { Port = ports[i], Peers = [peer], Json = true, Verbose = true, TraceFile = trace }));
            leechers.Add((shoal, outDir, trace));
            return shoal;
        }

        var first = Start(0, seeder.Endpoint);
        // The first leecher is connected to the seeder before the others ask it for peers: BEP 11 spaces PEX
        // messages a minute apart, so a first message sent before that connection would not name the seeder.
        var deadline = DateTime.UtcNow + SwarmScope.TransferTimeout;
        while ((first.JsonMax("piecesHave") ?? 0) < 1 && !first.Process.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.True((first.JsonMax("piecesHave") ?? 0) >= 1, $"the first leecher got nothing from the seeder\n{scope.Report()}");
        Start(1, $"127.0.0.1:{ports[0]}");
        Start(2, $"127.0.0.1:{ports[1]}");

        scope.Note($"seeder listens on {seeder.Port}; leechers on {string.Join(", ", ports)}");
        await scope.Expect("three shoal leechers", () => Task.WhenAll(leechers.Select(l => l.Shoal.WaitForExitAsync(SwarmScope.TransferTimeout))));
        foreach (var (_, _, trace) in leechers)
        {
            // On failure the report shows who connected to whom and what PEX said.
            scope.Note($"{trace}:\n" + string.Join('\n', ReadLines(trace).Where(l => !l.Contains(" piece=", StringComparison.Ordinal)).Take(80)));
        }
        foreach (var (shoal, outDir, _) in leechers)
        {
            TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        }
        // The seeder's listening address reached the second and third only through PEX: each dialled it.
        string dialledSeeder = $" 127.0.0.1:{seeder.Port} -> handshake ";
        for (int i = 1; i < leechers.Count; i++)
        {
            var lines = ReadLines(leechers[i].Trace);
            Assert.True(lines.Any(l => l.Contains(dialledSeeder, StringComparison.Ordinal)),
                $"shoal leecher {i} never dialled the seeder (port {seeder.Port}), so it did not learn it by PEX\n{scope.Report()}");
        }
    }

    private static string[] ReadLines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];
}
