using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>One slow libtorrent seeder and three Shoal leechers that know each other: they must trade pieces.</summary>
[Collection(SwarmScope.Collection)]
public sealed class MultiLeecherTests
{
    /// <summary>Slow enough that three leechers cannot all be fed by the seeder alone in good time.</summary>
    private const long SeederUploadLimit = 1024 * 1024;

    internal static readonly string[] UploadedNames = ["uploaded", "uploadedBytes", "bytesUploaded"];

    [Fact]
    public async Task Three_shoal_leechers_complete_and_each_uploads_to_the_others()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath,
            payload.SaveDir, uploadLimit: SeederUploadLimit));
        int[] ports = [Ports.Free(), Ports.Free(), Ports.Free()];
        var leechers = new List<(ShoalProcess Shoal, string Out, string Trace)>();
        for (int i = 0; i < ports.Length; i++)
        {
            string outDir = scope.Dir.Sub($"shoal-{i}");
            string trace = Path.Combine(scope.Path, $"shoal-{i}.trace");
            var others = ports.Where((_, j) => j != i).Select(p => $"127.0.0.1:{p}").Prepend(seeder.Endpoint).ToList();
            var shoal = scope.Add($"shoal leecher {i} (port {ports[i]})", ShoalProcess.StartDownload(payload.Torrent.TorrentPath,
                outDir, new ShoalDownloadOptions { Port = ports[i], Peers = others, Json = true, Verbose = false, TraceFile = trace }));
            leechers.Add((shoal, outDir, trace));
        }

        await scope.Expect("three shoal leechers", () => Task.WhenAll(leechers.Select(l => l.Shoal.WaitForExitAsync(SwarmScope.TransferTimeout))));

        foreach (var (shoal, outDir, _) in leechers)
        {
            TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        }
        for (int i = 0; i < leechers.Count; i++)
        {
            // Max over the JSON lines: this test is about peer-to-peer upload, not the closing summary (ResumeTests
            // checks that the summary's counters are right).
            long? uploaded = leechers[i].Shoal.JsonMax(UploadedNames);
            Assert.True(uploaded is not null, $"shoal leecher {i} printed no JSON status with an 'uploaded' count\n{scope.Report()}");
            Assert.True(uploaded > 0, $"shoal leecher {i} uploaded nothing to the other leechers\n{scope.Report()}");
            // The seeder never asks for anything, so every piece message a leecher sent went to another leecher.
            int sent = File.Exists(leechers[i].Trace) ? File.ReadLines(leechers[i].Trace).Count(l => l.Contains(" -> piece", StringComparison.Ordinal)) : 0;
            Assert.True(sent > 0, $"shoal leecher {i}'s trace ({leechers[i].Trace}) shows no piece message sent\n{scope.Report()}");
        }
        await Task.Delay(1500); // the seeder prints its upload counter once a second
        Assert.True(seeder.Uploaded < 3 * payload.Torrent.TotalLength,
            $"the seeder uploaded {seeder.Uploaded} bytes: three full copies, so the leechers shared nothing\n{scope.Report()}");
    }
}
