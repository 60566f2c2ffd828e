using System.Diagnostics;
using System.Net;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;
using Shoal.Protocol;
using Xunit.Abstractions;

namespace Shoal.Interop.Tests.Dht;

/// <summary>
/// Issue 8, bars 1 and 2: trackerless torrents between libtorrent and the <c>shoal</c> executable on 127.0.0.1, found
/// through a small DHT of Shoal nodes (in this process) and libtorrent sessions. No tracker, no <c>x.pe</c>, no
/// <c>--peer</c>: the DHT is the only way the two sides can meet.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class TrackerlessSwarmTests(ITestOutputHelper output)
{
    private const int ShoalNodes = 6;
    private static readonly TimeSpan AnnounceTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ProcessLifetime = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Shoal_downloads_a_trackerless_magnet_seeded_by_libtorrent_through_the_dht_alone()
    {
        using var scope = new SwarmScope("shoal-dht");
        await using var dht = await LoopbackDht.StartAsync(ShoalNodes);
        scope.Add("shoal dht nodes", new Described(dht.Describe));
        var payload = await TestSwarms.SingleFileAsync(scope);
        // A libtorrent node with no torrent, so the DHT mixes both implementations beyond the seeder itself.
        scope.Add("libtorrent dht node", await LibtorrentPeer.StartDhtAsync("node", [], [dht.Entry], ProcessLifetime));
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartDhtAsync("seed",
            [payload.Torrent.TorrentPath, payload.SaveDir], [dht.Entry], ProcessLifetime));
        await ExpectAnnounce(scope, dht, payload.Torrent.InfoHash, seeder.Port, "libtorrent seeder");

        string magnet = $"magnet:?xt=urn:btih:{payload.Torrent.InfoHash}";
        string outDir = scope.Dir.Sub("shoal-out");
        string state = Path.Combine(scope.Path, "shoal-dht.dat");
        string trace = Path.Combine(scope.Path, "trace.txt");
        var clock = Stopwatch.StartNew();
        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(magnet, outDir, new ShoalDownloadOptions
        {
            DhtNodes = [dht.Entry],
            DhtState = state,
            Json = true,
            TraceFile = trace,
        }));
        await scope.Expect("shoal download of a trackerless magnet", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));
        output.WriteLine($"shoal: magnet to complete through the DHT in {clock.Elapsed.TotalSeconds:0.0}s ({payload.Torrent.TotalLength} bytes)");

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        var last = shoal.LastJson();
        Assert.True(last is { } j && j.GetProperty("dhtNodes").GetInt32() > 0, $"the last status should count DHT nodes\n{scope.Report()}");
        Assert.True(File.Exists(state), $"the routing table was not saved to {state}\n{scope.Report()}");
        // BEP 5 on the peer wire: both sides set the DHT bit, so each tells the other its DHT port.
        string log = File.ReadAllText(trace);
        Assert.True(log.Contains(" -> port ", StringComparison.Ordinal) && log.Contains(" <- port ", StringComparison.Ordinal),
            $"no port messages exchanged with libtorrent\n{Tail(log)}");
    }

    [Fact]
    public async Task A_libtorrent_leecher_with_only_a_magnet_finds_a_shoal_seed_through_the_dht_and_completes()
    {
        using var scope = new SwarmScope("shoal-dht");
        await using var dht = await LoopbackDht.StartAsync(ShoalNodes);
        scope.Add("shoal dht nodes", new Described(dht.Describe));
        var payload = await TestSwarms.MultiFileAsync(scope);
        scope.Add("libtorrent dht node", await LibtorrentPeer.StartDhtAsync("node", [], [dht.Entry], ProcessLifetime));

        var shoal = scope.Add("shoal seed", ShoalProcess.StartSeed(payload.Torrent.TorrentPath, payload.SaveDir,
            dhtNodes: [dht.Entry], dhtState: Path.Combine(scope.Path, "shoal-dht.dat")));
        int port = await shoal.WaitForPortAsync();
        await ExpectAnnounce(scope, dht, payload.Torrent.InfoHash, port, "shoal seed");

        string outDir = scope.Dir.Sub("lt-out");
        var clock = Stopwatch.StartNew();
        var leecher = scope.Add("libtorrent leecher", await LibtorrentPeer.StartDhtAsync("leech",
            [$"magnet:?xt=urn:btih:{payload.Torrent.InfoHash}", outDir], [dht.Entry], SwarmScope.TransferTimeout));
        await scope.Expect("libtorrent leech of a trackerless magnet", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout + TimeSpan.FromSeconds(15)));

        output.WriteLine($"libtorrent: magnet to complete through the DHT in {clock.Elapsed.TotalSeconds:0.0}s ({payload.Torrent.TotalLength} bytes)");
        Assert.True(leecher.Process.ExitCode == 0, $"libtorrent leecher exited {leecher.Process.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
    }

    /// <summary>Waits (bounded) until a lookup from our nodes returns 127.0.0.1:<paramref name="port"/> for the hash.</summary>
    private static Task ExpectAnnounce(SwarmScope scope, LoopbackDht dht, string infoHash, int port, string who) =>
        scope.Expect($"{who} announces to the DHT", async () =>
        {
            if (!await dht.WaitForAnnounceAsync(InfoHash.FromHex(infoHash), new IPEndPoint(IPAddress.Loopback, port), AnnounceTimeout))
            {
                throw new TimeoutException($"no DHT lookup returned 127.0.0.1:{port} within {AnnounceTimeout.TotalSeconds:0}s");
            }
        });

    private static string Tail(string s) => s.Length <= 6000 ? s : "[...]" + s[^6000..];

    /// <summary>Shows live state in the scope's failure report.</summary>
    private sealed class Described(Func<string> describe) : IDisposable
    {
        public override string ToString() => describe();

        public void Dispose()
        {
        }
    }
}
