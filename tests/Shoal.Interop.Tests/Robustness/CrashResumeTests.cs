using System.Globalization;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;
using Xunit.Abstractions;

namespace Shoal.Interop.Tests.Robustness;

/// <summary>
/// Bar 1 of issue 6: <c>shoal download</c> killed with SIGKILL at random moments and restarted each time ends with
/// byte-identical files, having fetched little more than the torrent once; files changed behind its back are
/// re-checked and only the damage is fetched again.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class CrashResumeTests(ITestOutputHelper output)
{
    private const long PayloadLength = 128L * 1024 * 1024;
    /// <summary>Slow enough that the download takes several seconds, so kills land mid-transfer.</summary>
    private const long SeederRate = 10L * 1024 * 1024;

    [Fact]
    public async Task Killed_three_times_at_random_moments_the_download_still_ends_byte_identical_and_near_1x()
    {
        using var scope = new SwarmScope("shoal-crash");
        var payload = await TestSwarms.SingleFileAsync(scope, PayloadLength, seed: 61);
        var seeder = scope.Add("libtorrent seeder",
            await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir, uploadLimit: SeederRate));
        string outDir = scope.Dir.Sub("shoal-out");
        int seed = Environment.TickCount;
        var random = new Random(seed);
        // Kill once progress passes a random point in each of three bands, after a further random delay.
        double[] bands = [0.10, 0.35, 0.60];
        var log = new List<string> { $"random seed {seed}" };

        for (int run = 0; run <= bands.Length; run++)
        {
            var shoal = scope.Add($"shoal download run {run + 1}", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
                new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false }));
            if (run == bands.Length)
            {
                await scope.Expect("final shoal download", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));
                TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
                log.Add($"run {run + 1}: completed");
                break;
            }
            double at = bands[run] + random.NextDouble() * 0.2;
            long threshold = (long)(at * PayloadLength);
            var deadline = DateTime.UtcNow + SwarmScope.TransferTimeout;
            while ((shoal.JsonNumber("bytesDone") ?? 0) < threshold)
            {
                Assert.False(shoal.Process.HasExited, $"run {run + 1} exited early\n{scope.Report()}");
                Assert.True(DateTime.UtcNow < deadline, $"run {run + 1} never reached {at:P0}\n{scope.Report()}");
                await Task.Delay(50);
            }
            int delay = random.Next(0, 1000);
            await Task.Delay(delay);
            long before = shoal.JsonNumber("bytesDone") ?? 0;
            shoal.Process.Kill(); // SIGKILL: no stop announce, no final resume save, no flush
            log.Add($"run {run + 1}: killed {delay} ms after passing {at:P1} (last status {before} bytes verified)");
        }

        // The seeder's own counter is the honest total: it includes data lost in flight at each kill.
        var wait = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        long uploaded;
        while ((uploaded = seeder.Uploaded) < PayloadLength && DateTime.UtcNow < wait)
        {
            await Task.Delay(200);
        }
        await Task.Delay(1500);
        uploaded = seeder.Uploaded;
        double ratio = (double)uploaded / PayloadLength;
        log.Add(string.Create(CultureInfo.InvariantCulture, $"seeder uploaded {uploaded} bytes = {ratio:0.000}x the torrent"));
        output.WriteLine(string.Join('\n', log));
        Assert.True(ratio < 1.1, $"{string.Join('\n', log)}\n{scope.Report()}");
    }

    [Fact]
    public async Task Files_damaged_after_a_download_are_rechecked_and_only_the_damage_fetched_again()
    {
        using var scope = new SwarmScope("shoal-damage");
        var payload = await TestSwarms.MultiFileAsync(scope, seed: 62);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");
        var first = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false }));
        await scope.Expect("first shoal download", () => first.WaitForExitAsync(SwarmScope.TransferTimeout));
        TestSwarms.AssertShoalDownloaded(scope, first, payload, outDir);
        Assert.True(Directory.EnumerateFiles(Path.Combine(outDir, ".shoal"), "*.resume").Any(), $"no resume file in {outDir}/.shoal");

        // Overwrite a chunk of one file, truncate another to half.
        string landed = payload.Landed(outDir);
        var layout = Payload.MultiFileLayout;
        long Offset(string rel) => layout.TakeWhile(f => f.RelativePath != rel).Sum(f => f.Length);
        long Length(string rel) => layout.First(f => f.RelativePath == rel).Length;
        using (var f = new FileStream(Path.Combine(landed, "z/last.bin"), FileMode.Open, FileAccess.Write))
        {
            f.Position = 100_000;
            f.Write(new byte[20_000]);
        }
        string truncated = "docs/deep/b.bin";
        long keep = Length(truncated) / 2;
        using (var f = new FileStream(Path.Combine(landed, truncated), FileMode.Open, FileAccess.Write))
        {
            f.SetLength(keep);
        }
        int pieceLength = payload.Torrent.PieceLength;
        var damaged = new[]
        {
            (Start: Offset("z/last.bin") + 100_000, Length: 20_000L),
            (Start: Offset(truncated) + keep, Length: Length(truncated) - keep),
        };
        var pieces = damaged
            .SelectMany(d => Enumerable.Range((int)(d.Start / pieceLength), (int)((d.Start + d.Length - 1) / pieceLength - d.Start / pieceLength + 1)))
            .ToHashSet();
        long damagedBytes = pieces.Sum(p => Math.Min(pieceLength, payload.Torrent.TotalLength - (long)p * pieceLength));
        // The first download came whole from this seeder.
        long uploadedBefore = await seeder.SettledUploadedAsync(atLeast: payload.Torrent.TotalLength);

        var second = scope.Add("shoal download after damage", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false }));
        await scope.Expect("second shoal download", () => second.WaitForExitAsync(SwarmScope.TransferTimeout));
        TestSwarms.AssertShoalDownloaded(scope, second, payload, outDir);

        long fetched = await seeder.SettledUploadedAsync(atLeast: uploadedBefore + (long)(second.JsonNumber("downloaded") ?? 0)) - uploadedBefore;
        string expected = $"{pieces.Count} damaged pieces ({damagedBytes} bytes) of {payload.Torrent.PieceCount}";
        Assert.True(fetched >= Length(truncated) - keep && fetched <= damagedBytes,
            $"the seeder uploaded {fetched} bytes for {expected}\n{scope.Report()}");
        long? downloaded = second.JsonNumber("downloaded");
        Assert.True(downloaded > 0 && downloaded <= damagedBytes, $"shoal reports downloading {downloaded} bytes for {expected}\n{scope.Report()}");
    }
}
