using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>A download into a folder that already holds some or all of the data fetches only what is missing.</summary>
[Collection(SwarmScope.Collection)]
public sealed class ResumeTests
{
    private static readonly string[] DownloadedNames = ["downloaded", "downloadedBytes", "bytesDownloaded"];

    [Fact]
    public async Task Download_over_a_complete_folder_finishes_without_downloading()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");
        CopyTree(payload.Root, payload.Landed(outDir));

        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false }));
        await scope.Expect("shoal download over complete data", () => shoal.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        long? downloaded = shoal.JsonNumber(DownloadedNames);
        Assert.True(downloaded == 0, $"want JSON status 'downloaded': 0, got {downloaded?.ToString() ?? "none"}\n{scope.Report()}");
        long uploaded = await seeder.SettledUploadedAsync();
        Assert.True(uploaded == 0, $"the seeder uploaded {uploaded} bytes for data shoal already had\n{scope.Report()}");
    }

    [Fact]
    public async Task Download_over_a_partial_folder_fetches_only_the_missing_pieces()
    {
        using var scope = new SwarmScope();
        var payload = await TestSwarms.MultiFileAsync(scope);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");
        string landed = payload.Landed(outDir);
        CopyTree(payload.Root, landed);

        // Damage: one whole file gone, and one block of another overwritten with zeros.
        var layout = Payload.MultiFileLayout;
        long Offset(string rel) => layout.TakeWhile(f => f.RelativePath != rel).Sum(f => f.Length);
        File.Delete(Path.Combine(landed, "docs/deep/b.bin"));
        using (var f = new FileStream(Path.Combine(landed, "z/last.bin"), FileMode.Open, FileAccess.Write))
        {
            f.Position = 100_000;
            f.Write(new byte[16384]);
        }
        var damaged = new[]
        {
            (Start: Offset("docs/deep/b.bin"), Length: 2_345_678L),
            (Start: Offset("z/last.bin") + 100_000, Length: 16_384L),
        };
        int pieceLength = payload.Torrent.PieceLength;
        var missingPieces = damaged
            .SelectMany(d => Enumerable.Range((int)(d.Start / pieceLength), (int)((d.Start + d.Length - 1) / pieceLength - d.Start / pieceLength + 1)))
            .ToHashSet();
        long missingBytes = missingPieces.Sum(p => Math.Min(pieceLength, payload.Torrent.TotalLength - (long)p * pieceLength));

        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false }));
        await scope.Expect("shoal download over partial data", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        string expected = $"{missingPieces.Count} pieces ({missingBytes} bytes) of {payload.Torrent.PieceCount} were missing";
        long? downloaded = shoal.JsonNumber(DownloadedNames);
        Assert.True(downloaded is not null, $"no JSON status with a 'downloaded' count\n{scope.Report()}");
        Assert.True(downloaded >= 2_345_678 && downloaded <= missingBytes,
            $"shoal reports downloading {downloaded} bytes; {expected}\n{scope.Report()}");
        long uploaded = await seeder.SettledUploadedAsync(atLeast: downloaded ?? 0);
        Assert.True(uploaded <= missingBytes, $"the seeder uploaded {uploaded} bytes; {expected}\n{scope.Report()}");
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
