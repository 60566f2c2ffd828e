using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>Real clients download from a Shoal seeder. aria2c and Transmission are dialled by Shoal (--peer).</summary>
[Collection(SwarmScope.Collection)]
public sealed class ShoalToOthersTests
{
    private static async Task<ShoalProcess> StartShoalSeederAsync(SwarmScope scope, SeededPayload payload,
        IEnumerable<string>? peers = null)
    {
        var shoal = scope.Add("shoal seed", ShoalProcess.StartSeed(payload.Torrent.TorrentPath, payload.SaveDir, 0, peers));
        await scope.Expect("shoal seed start", () => shoal.WaitForPortAsync(TimeSpan.FromSeconds(60)));
        return shoal;
    }

    [Fact]
    public async Task Libtorrent_downloads_a_multi_file_torrent_from_shoal()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var shoal = await StartShoalSeederAsync(scope, payload);
        string outDir = scope.Dir.Sub("lt-out");

        var leecher = scope.Add("libtorrent leecher",
            await LibtorrentPeer.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, peers: [shoal.Endpoint]));
        await scope.Expect("libtorrent download from shoal", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout));

        Assert.True(leecher.Process.ExitCode == 0, $"libtorrent leecher exited {leecher.Process.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
    }

    [Fact]
    public async Task Aria2_downloads_a_multi_file_torrent_from_shoal()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        string outDir = scope.Dir.Sub("aria2-out");
        var aria2 = scope.Add("aria2c", await Aria2.StartLeecherAsync(payload.Torrent.TorrentPath, outDir));
        await StartShoalSeederAsync(scope, payload, [aria2.Endpoint]);

        await scope.Expect("aria2c download from shoal", () => aria2.WaitForExitAsync(SwarmScope.TransferTimeout));

        Assert.True(aria2.Process.ExitCode == 0, $"aria2c exited {aria2.Process.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report, ignoreExtra: true);
    }

    [Fact]
    public async Task Transmission_downloads_a_multi_file_torrent_from_shoal()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        string outDir = scope.Dir.Sub("transmission-out");
        var transmission = scope.Add("transmission-cli",
            await Transmission.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, scope.Dir.Sub("transmission-cfg")));
        await StartShoalSeederAsync(scope, payload, [transmission.Endpoint]);

        await scope.Expect("transmission download from shoal", () => transmission.WaitForCompletionAsync(SwarmScope.TransferTimeout));

        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report, ignoreExtra: true, allowMissingEmpty: true);
    }
}
