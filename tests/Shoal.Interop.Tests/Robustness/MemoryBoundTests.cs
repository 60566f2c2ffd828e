using System.Globalization;
using System.Text.RegularExpressions;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;
using Xunit.Abstractions;

namespace Shoal.Interop.Tests.Robustness;

/// <summary>
/// Bar 4 of issue 6: a download from 50+ peers at once, some of them hostile, keeps the shoal process's peak
/// resident memory (VmHWM) under 200 MB. A memory bound is a correctness bound, so it is asserted.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed partial class MemoryBoundTests(ITestOutputHelper output)
{
    private const long PeakLimitBytes = 200L * 1024 * 1024;
    private const int HonestPeers = 50;

    private static readonly HostileScenario[] Hostile =
    [
        HostileScenario.HugeLengthPrefix, HostileScenario.BitfieldWrongSize, HostileScenario.BitfieldSpareBits,
        HostileScenario.HaveOutOfRange, HostileScenario.RequestTooLarge, HostileScenario.UnrequestedPiece,
        HostileScenario.WrongInfoHash, HostileScenario.HugeLengthPrefix,
    ];

    [Fact]
    public async Task Downloading_from_fifty_peers_some_hostile_stays_under_200_MB_peak_memory()
    {
        using var scope = new SwarmScope("shoal-memory");
        var payload = await TestSwarms.SingleFileAsync(scope, 96L * 1024 * 1024 + 12345, seed: 81);
        byte[] content = payload.Torrent.ReadContent(payload.SaveDir);
        var peers = new List<HostilePeer>();
        // Honest in-process seeders (each its own listener and peer id) whose writes are split and chained
        // awkwardly, plus hostile ones; shoal dials them all.
        for (int i = 0; i < HonestPeers; i++)
        {
            peers.Add(scope.Add($"honest peer {i}", HostilePeer.Start(HostileScenario.SplitAndChained, payload.Torrent, content)));
        }
        foreach (var scenario in Hostile)
        {
            peers.Add(scope.Add($"hostile peer {scenario}", HostilePeer.Start(scenario, payload.Torrent, content)));
        }
        string outDir = scope.Dir.Sub("shoal-out");
        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir, new ShoalDownloadOptions
        {
            Peers = [.. peers.Select(p => p.Endpoint)],
            Seed = true, // stays up once complete, so its peak can be read before it exits
            Json = true,
            Verbose = false,
            // Limited so the 50-peer phase spans several one-second status lines: unlimited, the native build
            // finishes 96 MiB before the first one, and "peers" is read from those lines.
            MaxDown = "24M",
        }));

        long peak = 0;
        var deadline = DateTime.UtcNow + SwarmScope.TransferTimeout;
        while ((shoal.JsonMax("piecesHave") ?? 0) < payload.Torrent.PieceCount)
        {
            Assert.False(shoal.Process.HasExited, $"shoal exited before completing\n{scope.Report()}");
            Assert.True(DateTime.UtcNow < deadline, $"no completion within {SwarmScope.TransferTimeout}\n{scope.Report()}");
            peak = Math.Max(peak, PeakRss(shoal.Process.Pid) ?? 0);
            await Task.Delay(100);
        }
        await Task.Delay(1000);
        peak = Math.Max(peak, PeakRss(shoal.Process.Pid) ?? 0);
        long maxPeers = shoal.JsonMax("peers") ?? 0;
        shoal.Process.Kill();
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);

        string figure = string.Create(CultureInfo.InvariantCulture,
            $"peak RSS (VmHWM) {peak / (1024.0 * 1024):0.0} MB with up to {maxPeers} peers connected at once ({HonestPeers} honest + {Hostile.Length} hostile offered)");
        output.WriteLine(figure);
        Assert.True(maxPeers >= 45, $"only {maxPeers} peers were connected at once; {figure}\n{scope.Report()}");
        Assert.True(peak > 0 && peak < PeakLimitBytes, $"{figure}\n{scope.Report()}");
    }

    /// <summary>VmHWM (peak resident set) of a live process, in bytes; null once it has gone.</summary>
    private static long? PeakRss(int pid)
    {
        try
        {
            var m = VmHwm().Match(File.ReadAllText($"/proc/{pid}/status"));
            return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 1024 : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"VmHWM:\s+(\d+)\s+kB")]
    private static partial Regex VmHwm();
}
