using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>Shoal downloads from a real libtorrent seeder.</summary>
[Collection(SwarmScope.Collection)]
public sealed class LibtorrentToShoalTests
{
    [Fact]
    public async Task Shoal_downloads_a_multi_file_torrent_from_libtorrent_given_its_address()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");

        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint] }));
        await scope.Expect("shoal download from libtorrent", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
    }

    [Fact]
    public async Task Shoal_downloads_a_single_file_torrent_from_libtorrent()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.SingleFileAsync(scope);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");

        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint] }));
        await scope.Expect("shoal download from libtorrent", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
    }
}
