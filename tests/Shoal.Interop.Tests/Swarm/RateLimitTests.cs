using System.Diagnostics;
using System.Globalization;
using Shoal.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>
/// <c>shoal seed --max-up 1M</c> serving libtorrent over loopback: the transfer must take about as long as the limit
/// says. The bound is deliberately wide (a one-sided floor well above the unlimited time and well below the limit's:
/// a loaded machine only makes it slower); the measured rate is printed.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class RateLimitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Shoal_seeder_with_a_1_MiB_per_second_upload_limit_holds_it_against_libtorrent()
    {
        const long size = 8L * 1024 * 1024;
        using var scope = new SwarmScope();
        var payload = await TestSwarms.SingleFileAsync(scope, length: size, seed: 9);
        var args = new List<string> { "seed", payload.Torrent.TorrentPath, "--data", payload.SaveDir, "--port", "0", "--max-up", "1M", "--verbose" };
        var shoal = scope.Add("shoal seed", ShoalProcess.Start(args));
        await scope.Expect("shoal seed start", () => shoal.WaitForPortAsync(TimeSpan.FromSeconds(60)));
        string outDir = scope.Dir.Sub("lt-out");

        var sw = Stopwatch.StartNew();
        var leecher = scope.Add("libtorrent leecher",
            await LibtorrentPeer.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, peers: [shoal.Endpoint]));
        await scope.Expect("libtorrent download from shoal", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout));
        sw.Stop();

        Assert.True(leecher.Process.ExitCode == 0, $"libtorrent leecher exited {leecher.Process.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
        double mibPerSecond = size / sw.Elapsed.TotalSeconds / (1024 * 1024);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"8 MiB at --max-up 1M: {sw.Elapsed.TotalSeconds:0.00} s = {mibPerSecond:0.00} MiB/s (including libtorrent start-up)"));
        // Measured here: unlimited about 3.4 s (mostly libtorrent start-up), at the limit about 12 s.
        Assert.True(sw.Elapsed > TimeSpan.FromSeconds(6), $"8 MiB arrived in {sw.Elapsed.TotalSeconds:0.0} s: faster than twice the 1 MiB/s limit\n{scope.Report()}");
    }
}
