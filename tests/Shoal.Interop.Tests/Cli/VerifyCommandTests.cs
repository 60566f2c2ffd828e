using System.Text.Json;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Cli;

/// <summary><c>shoal verify</c> against real files: good data passes, a flipped byte and a missing file are named.</summary>
public class VerifyCommandTests
{
    private static async Task<(TempDir Dir, string Torrent, string Data)> MakeAsync()
    {
        var dir = new TempDir();
        string share = Path.Combine(dir.Sub("data"), "share");
        Directory.CreateDirectory(share);
        var rng = new Random(42);
        byte[] a = new byte[1_000_000];
        byte[] b = new byte[5_000];
        rng.NextBytes(a);
        rng.NextBytes(b);
        await File.WriteAllBytesAsync(Path.Combine(share, "a.bin"), a);
        await File.WriteAllBytesAsync(Path.Combine(share, "b.bin"), b);
        string torrent = Path.Combine(dir.Path, "share.torrent");
        // Made by mktorrent, so the check does not lean on our own creator.
        using var mk = await ExternalProcess.RunAsync("mktorrent", ["-l", "16", "-a", "http://127.0.0.1:1/announce", "-o", torrent, share],
            TimeSpan.FromSeconds(60));
        Assert.True(mk.ExitCode == 0, mk.StandardError);
        return (dir, torrent, Path.Combine(dir.Path, "data"));
    }

    [Fact]
    public async Task Complete_good_data_exits_zero()
    {
        var (dir, torrent, data) = await MakeAsync();
        using var _ = dir;
        using var p = await ShoalRunner.RunAsync("verify", torrent, "--data", data);
        Assert.True(p.ExitCode == 0, p.StandardOutput + p.StandardError);
        Assert.Contains("16/16 pieces good", p.StandardOutput);
    }

    [Fact]
    public async Task A_flipped_byte_and_a_missing_file_are_reported_and_nothing_is_created()
    {
        var (dir, torrent, data) = await MakeAsync();
        using var _ = dir;
        string a = Path.Combine(data, "share", "a.bin");
        await using (var f = new FileStream(a, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = 200_000; // piece 3 of 64 KiB pieces
            int old = f.ReadByte();
            f.Position = 200_000;
            f.WriteByte((byte)(old ^ 0xff));
        }
        File.Delete(Path.Combine(data, "share", "b.bin")); // lives in the last piece, 15

        using var p = await ShoalRunner.RunAsync("verify", torrent, "--data", data, "--json");
        Assert.True(p.ExitCode == 1, p.StandardOutput + p.StandardError);
        using var doc = JsonDocument.Parse(p.StandardOutput);
        Assert.Equal(14, doc.RootElement.GetProperty("goodPieces").GetInt32());
        Assert.Equal([3, 15], doc.RootElement.GetProperty("badPieceIndices").EnumerateArray().Select(e => e.GetInt32()));
        Assert.False(File.Exists(Path.Combine(data, "share", "b.bin")), "verify must not create files");
    }

    [Fact]
    public async Task A_missing_data_folder_is_bad_input()
    {
        var (dir, torrent, _) = await MakeAsync();
        using var _ = dir;
        using var p = await ShoalRunner.RunAsync("verify", torrent, "--data", Path.Combine(dir.Path, "nowhere"));
        Assert.Equal(2, p.ExitCode);
        Assert.Single(p.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
