using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>
/// The drivers proven against libtorrent alone, without Shoal: when a Shoal test fails, these say whether the harness
/// (scripts, client flags, the scripted peer) or the engine is at fault.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class HarnessTests
{
    [Fact]
    public async Task Libtorrent_leecher_downloads_from_libtorrent_seeder()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("lt-out");

        var leecher = scope.Add("libtorrent leecher",
            await LibtorrentPeer.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, peers: [seeder.Endpoint]));
        await scope.Expect("libtorrent download", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout));

        Assert.True(leecher.Process.ExitCode == 0, scope.Report());
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
    }

    [Fact]
    public async Task Aria2_downloads_when_a_seeder_dials_it()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        string outDir = scope.Dir.Sub("aria2-out");
        var aria2 = scope.Add("aria2c", await Aria2.StartLeecherAsync(payload.Torrent.TorrentPath, outDir));
        scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir,
            peers: [aria2.Endpoint]));

        await scope.Expect("aria2c download", () => aria2.WaitForExitAsync(SwarmScope.TransferTimeout));

        Assert.True(aria2.Process.ExitCode == 0, scope.Report());
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report, ignoreExtra: true);
    }

    [Fact]
    public async Task Transmission_downloads_when_a_seeder_dials_it()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        string outDir = scope.Dir.Sub("transmission-out");
        var transmission = scope.Add("transmission-cli",
            await Transmission.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, scope.Dir.Sub("transmission-cfg")));
        scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir,
            peers: [transmission.Endpoint]));

        await scope.Expect("transmission download", () => transmission.WaitForCompletionAsync(SwarmScope.TransferTimeout));

        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report, ignoreExtra: true, allowMissingEmpty: true);
    }

    [Fact]
    public async Task Libtorrent_downloads_from_the_fragmenting_scripted_peer()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var peer = scope.Add("fragmenting peer", HostilePeer.Start(HostileScenario.SplitAndChained, payload.Torrent,
            payload.Torrent.ReadContent(payload.SaveDir)));
        string outDir = scope.Dir.Sub("lt-out");

        var leecher = scope.Add("libtorrent leecher",
            await LibtorrentPeer.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, peers: [peer.Endpoint]));
        await scope.Expect("libtorrent download from the scripted peer", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout));

        Assert.True(leecher.Process.ExitCode == 0, scope.Report());
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
    }

    [Theory]
    [InlineData(HostileScenario.WrongInfoHash)]
    [InlineData(HostileScenario.HugeLengthPrefix)]
    [InlineData(HostileScenario.BitfieldWrongSize)]
    public async Task Libtorrent_drops_the_scripted_peer(HostileScenario scenario)
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var hostile = scope.Add("hostile peer", HostilePeer.Start(scenario, payload.Torrent, []));
        string outDir = scope.Dir.Sub("lt-out");

        scope.Add("libtorrent leecher", await LibtorrentPeer.StartLeecherAsync(payload.Torrent.TorrentPath, outDir, peers: [hostile.Endpoint]));

        Assert.True(await hostile.WaitForRemoteCloseAsync(TimeSpan.FromSeconds(30)), $"libtorrent kept the {scenario} peer\n{scope.Report()}");
    }
}
