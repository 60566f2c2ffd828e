using System.Globalization;
using System.Text.RegularExpressions;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;
using Shoal.Protocol;

namespace Shoal.Interop.Tests.Extensions;

/// <summary>
/// BEP 6 against libtorrent (issue 7, bar 5): have-all from a seed, allowed-fast pieces downloaded while choked, and
/// the rejects libtorrent sends for pending requests when it chokes. Assertions read Shoal's <c>--trace</c>.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed partial class FastExtensionInteropTests
{
    private const int AllowedFastCount = 4;

    [Fact]
    public async Task Shoal_downloads_the_allowed_fast_pieces_of_a_libtorrent_seed_that_keeps_it_choked()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.SingleFileAsync(scope, length: 5_000_000, seed: 61);
        Assert.True(payload.Torrent.PieceCount > 2 * AllowedFastCount);
        var seeder = scope.Add("libtorrent seed (never unchokes)", await LibtorrentPeer.StartFastSeederAsync(
            payload.Torrent.TorrentPath, payload.SaveDir, new FastSeedOptions { UnchokeSlots = 0, AllowedFast = AllowedFastCount }));
        string outDir = scope.Dir.Sub("shoal");
        string trace = Path.Combine(scope.Path, "shoal.trace");
        var shoal = scope.Add("shoal leecher", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false, TraceFile = trace }));

        // While choked, only the allowed-fast pieces can come; wait for that many, bounded.
        var deadline = DateTime.UtcNow + SwarmScope.TransferTimeout;
        while ((shoal.JsonMax("piecesHave") ?? 0) < AllowedFastCount && !shoal.Process.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.True((shoal.JsonMax("piecesHave") ?? 0) >= AllowedFastCount,
            $"shoal did not get the {AllowedFastCount} allowed-fast pieces while choked\n{scope.Report()}");
        await InterruptAsync(shoal);
        scope.Note("trace:\n" + string.Join('\n', File.ReadLines(trace).Where(l => !l.Contains("> request", StringComparison.Ordinal)).Take(60)));

        var lines = File.ReadAllLines(trace);
        Assert.Contains(lines, l => l.EndsWith(" <- have-all", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.EndsWith(" <- unchoke", StringComparison.Ordinal));
        var granted = Pieces(lines, AllowedFastLine());
        Assert.True(granted.Count == AllowedFastCount, $"libtorrent granted {granted.Count} allowed-fast pieces, not {AllowedFastCount}\n{scope.Report()}");
        // libtorrent 2.0 hashes the whole address where BEP 6 masks it to /24: its set is the BEP 6 procedure run on
        // 127.0.0.1 unmasked. Shoal grants the canonical (masked) set; Shoal.Protocol.Tests checks it on BEP 6's vectors.
        var unmasked = LibtorrentAllowedFast(InfoHash.FromHex(payload.Torrent.InfoHash), payload.Torrent.PieceCount);
        Assert.True(unmasked.Order().SequenceEqual(granted.Order()), $"allowed-fast from libtorrent: {string.Join(',', granted)}; expected {string.Join(',', unmasked)}\n{scope.Report()}");
        var requested = Pieces(lines, RequestLine()).Distinct().ToList();
        Assert.True(requested.All(granted.Contains), $"shoal requested pieces outside the allowed-fast set while choked: {string.Join(',', requested)}\n{scope.Report()}");

        // Those pieces are on disk, byte for byte.
        byte[] want = await File.ReadAllBytesAsync(payload.Root);
        byte[] got = await File.ReadAllBytesAsync(payload.Landed(outDir));
        int pieceLength = payload.Torrent.PieceLength;
        foreach (int piece in granted)
        {
            int from = piece * pieceLength, length = Math.Min(pieceLength, want.Length - from);
            Assert.True(want.AsSpan(from, length).SequenceEqual(got.AsSpan(from, length)), $"allowed-fast piece {piece} differs on disk\n{scope.Report()}");
        }
    }

    [Fact]
    public async Task Requests_libtorrent_rejects_when_it_chokes_are_asked_again_and_the_download_completes()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.SingleFileAsync(scope, length: 5_000_000, seed: 62);
        // Slow enough that requests are pending when the seed chokes after its first megabyte.
        var seeder = scope.Add("libtorrent seed (chokes once)", await LibtorrentPeer.StartFastSeederAsync(
            payload.Torrent.TorrentPath, payload.SaveDir,
            new FastSeedOptions { UnchokeSlots = 8, AllowedFast = AllowedFastCount, UploadLimit = 1_500_000, ChokeAfter = 1_000_000 }));
        string outDir = scope.Dir.Sub("shoal");
        string trace = Path.Combine(scope.Path, "shoal.trace");
        var shoal = scope.Add("shoal leecher", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false, TraceFile = trace }));

        await scope.Expect("shoal leecher", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));
        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);

        var lines = File.ReadAllLines(trace);
        int choke = Array.FindIndex(lines, l => l.EndsWith(" <- choke", StringComparison.Ordinal));
        Assert.True(choke >= 0, $"libtorrent never choked shoal\n{scope.Report()}");
        var rejects = lines.Select((l, i) => (Line: l, At: i, Match: RejectLine().Match(l))).Where(x => x.Match.Success).ToList();
        Assert.True(rejects.Count > 0, $"libtorrent sent no reject when it choked\n{scope.Report()}");
        foreach (var r in rejects)
        {
            string again = $" -> request piece={r.Match.Groups[1].Value} begin={r.Match.Groups[2].Value} ";
            Assert.True(lines.Skip(r.At + 1).Any(l => l.Contains(again, StringComparison.Ordinal)),
                $"the rejected block ({r.Line}) was never requested again\n{scope.Report()}");
        }
    }

    /// <summary>BEP 6's procedure over 127.0.0.1 without the /24 mask, as libtorrent 2.0 runs it.</summary>
    private static List<int> LibtorrentAllowedFast(InfoHash hash, int pieceCount)
    {
        byte[] x = [127, 0, 0, 1, .. hash.Span];
        var set = new List<int>();
        while (set.Count < AllowedFastCount)
        {
            x = System.Security.Cryptography.SHA1.HashData(x);
            for (int i = 0; i < 5 && set.Count < AllowedFastCount; i++)
            {
                int piece = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(x.AsSpan(i * 4)) % (uint)pieceCount);
                if (!set.Contains(piece))
                {
                    set.Add(piece);
                }
            }
        }
        return set;
    }

    private static List<int> Pieces(IEnumerable<string> lines, Regex pattern) =>
        [.. lines.Select(l => pattern.Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    /// <summary>Ctrl+C: shoal stops cleanly and flushes its trace file (a kill would lose it).</summary>
    private static async Task InterruptAsync(ShoalProcess shoal)
    {
        if (!shoal.Process.HasExited)
        {
            using var kill = await ExternalProcess.RunAsync("kill", ["-INT", shoal.Process.Pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        }
        await shoal.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    [GeneratedRegex(@" <- allowed-fast piece=(\d+)$")]
    private static partial Regex AllowedFastLine();

    [GeneratedRegex(@" -> request piece=(\d+) ")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@" <- reject piece=(\d+) begin=(\d+) ")]
    private static partial Regex RejectLine();
}
