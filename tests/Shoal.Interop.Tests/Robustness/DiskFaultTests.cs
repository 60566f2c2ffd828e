using System.Text.Json;
using Shoal.Interop.Tests.Cli;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;

namespace Shoal.Interop.Tests.Robustness;

/// <summary>
/// Real disk faults (a full tmpfs, an immutable file): the download stops with one clear error line and exit 1,
/// the data it had verified stays good, and once the cause is gone a restart resumes instead of starting over.
/// Needs root (mount, chattr), as on CI.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class DiskFaultTests
{
    [Fact]
    public async Task Disk_full_stops_with_one_error_line_keeps_verified_data_and_resumes_once_space_is_freed()
    {
        using var scope = new SwarmScope("shoal-enospc");
        var payload = await TestSwarms.SingleFileAsync(scope, 20_000_000, seed: 71);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");
        var disk = scope.Add("tmpfs", await TmpfsMount.MountAsync(outDir, "8m"));

        var full = scope.Add("shoal download on a full disk", StartDownload(payload, outDir, seeder));
        await scope.Expect("shoal download on a full disk", () => full.WaitForExitAsync(SwarmScope.TransferTimeout));
        AssertFailedWithOneLine(scope, full, "disk full");
        int had = (int)(full.JsonNumber("piecesHave") ?? -1);
        int good = await GoodPiecesAsync(payload, outDir);
        Assert.True(had > 0 && good >= had, $"shoal had verified {had} pieces before the disk filled; {good} still verify\n{scope.Report()}");

        long before = await seeder.SettledUploadedAsync(atLeast: (long)(full.JsonNumber("downloaded") ?? 0));
        await disk.ResizeAsync("64m");
        var resumed = scope.Add("shoal download after space was freed", StartDownload(payload, outDir, seeder));
        await scope.Expect("shoal download after space was freed", () => resumed.WaitForExitAsync(SwarmScope.TransferTimeout));
        TestSwarms.AssertShoalDownloaded(scope, resumed, payload, outDir);
        long fetched = await seeder.SettledUploadedAsync(atLeast: before + (long)(resumed.JsonNumber("downloaded") ?? 0)) - before;
        long missing = payload.Torrent.TotalLength - (long)(good - 1) * payload.Torrent.PieceLength;
        Assert.True(fetched <= missing, $"after the restart the seeder uploaded {fetched} bytes, but only {missing} were missing\n{scope.Report()}");
    }

    [Fact]
    public async Task Permission_denied_stops_with_one_error_line_leaves_the_data_alone_and_resumes_once_allowed()
    {
        using var scope = new SwarmScope("shoal-eperm");
        var payload = await TestSwarms.SingleFileAsync(scope, 6_000_000, seed: 72);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");
        // On a tmpfs we own, so chattr works whatever file system /tmp is.
        scope.Add("tmpfs", await TmpfsMount.MountAsync(outDir, "64m"));
        string file = payload.Landed(outDir);
        const int kept = 3_000_000;
        File.WriteAllBytes(file, File.ReadAllBytes(payload.Root).AsSpan(0, kept).ToArray());
        string hashBefore = Payload.HashFile(file);
        // Immutable: even root gets EPERM writing it.
        await TmpfsMount.RunAsync("chattr", "+i", file);
        try
        {
            var denied = scope.Add("shoal download into an immutable file", StartDownload(payload, outDir, seeder));
            await scope.Expect("shoal download into an immutable file", () => denied.WaitForExitAsync(SwarmScope.TransferTimeout));
            AssertFailedWithOneLine(scope, denied, "permission denied");
            Assert.Equal(hashBefore, Payload.HashFile(file));
        }
        finally
        {
            await TmpfsMount.RunAsync("chattr", "-i", file);
        }

        long before = await seeder.SettledUploadedAsync();
        var resumed = scope.Add("shoal download once allowed", StartDownload(payload, outDir, seeder));
        await scope.Expect("shoal download once allowed", () => resumed.WaitForExitAsync(SwarmScope.TransferTimeout));
        TestSwarms.AssertShoalDownloaded(scope, resumed, payload, outDir);
        long fetched = await seeder.SettledUploadedAsync(atLeast: before + (long)(resumed.JsonNumber("downloaded") ?? 0)) - before;
        long missing = payload.Torrent.TotalLength - kept / payload.Torrent.PieceLength * (long)payload.Torrent.PieceLength;
        Assert.True(fetched <= missing, $"after the restart the seeder uploaded {fetched} bytes, but only {missing} were missing\n{scope.Report()}");
    }

    private static ShoalProcess StartDownload(SeededPayload payload, string outDir, LibtorrentPeer seeder) =>
        ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false });

    /// <summary>Exit 1; the JSON error event and exactly one stderr line (besides the listening line) name the cause.</summary>
    private static void AssertFailedWithOneLine(SwarmScope scope, ShoalProcess shoal, string cause)
    {
        Assert.True(shoal.ExitCode == 1, $"want exit 1, got {shoal.ExitCode}\n{scope.Report()}");
        var last = shoal.LastJson();
        Assert.True(last is { } j && j.GetProperty("event").GetString() == "error"
            && (j.GetProperty("error").GetString() ?? "").Contains(cause, StringComparison.OrdinalIgnoreCase),
            $"want a final JSON error event saying '{cause}'\n{scope.Report()}");
        var lines = shoal.Process.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("listening on port", StringComparison.Ordinal))
            .ToArray();
        Assert.True(lines.Length == 1 && lines[0].StartsWith("shoal: error:", StringComparison.Ordinal)
            && lines[0].Contains(cause, StringComparison.OrdinalIgnoreCase),
            $"want exactly one stderr line 'shoal: error: ...{cause}...', got {lines.Length}:\n{string.Join('\n', lines)}\n{scope.Report()}");
    }

    private static async Task<int> GoodPiecesAsync(SeededPayload payload, string outDir)
    {
        using var p = await ShoalRunner.RunAsync("verify", payload.Torrent.TorrentPath, "--data", outDir, "--json");
        using var doc = JsonDocument.Parse(p.StandardOutput);
        return doc.RootElement.GetProperty("goodPieces").GetInt32();
    }
}
