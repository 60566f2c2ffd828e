using System.Text.Json;
using System.Text.RegularExpressions;
using Shoal.Interop.Tests.Cli;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Creation;

/// <summary>
/// Torrents made by <c>shoal create</c> are read by libtorrent and Transmission with the same info hash that
/// <c>shoal info</c> reports; torrents made by mktorrent read the same in shoal and Transmission.
/// </summary>
public partial class CreateInteropTests
{
    private const string LibtorrentInfoHash =
        "import sys, libtorrent as lt\n" +
        "ti = lt.torrent_info(sys.argv[1])\n" +
        "h = ti.info_hashes().v1 if hasattr(ti, 'info_hashes') else ti.info_hash()\n" +
        "print(str(h)); print(ti.num_pieces()); print(ti.total_size()); print(ti.num_files())\n";

    [GeneratedRegex(@"^\s*Hash(?: v1)?:\s*([0-9a-fA-F]{40})\s*$", RegexOptions.Multiline)]
    private static partial Regex TransmissionHashLine();

    private static async Task<string> CreateAsync(string source, string torrent, params string[] extra)
    {
        using var p = await ShoalRunner.RunAsync(["create", source, "-o", torrent, .. extra]);
        Assert.True(p.ExitCode == 0, $"shoal create exited {p.ExitCode}: {p.StandardError}");
        using var info = await ShoalRunner.InfoJsonAsync(torrent);
        return info.RootElement.GetProperty("infoHash").GetString()!;
    }

    private static async Task<(string Hash, long Pieces, long Size, long Files)> LibtorrentAsync(string torrent)
    {
        using var p = await ShoalRunner.RunToolAsync("/usr/bin/python3", "-c", LibtorrentInfoHash, torrent);
        Assert.True(p.ExitCode == 0, $"libtorrent refused the torrent: {p.StandardError}");
        var lines = p.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines[0], long.Parse(lines[1]), long.Parse(lines[2]), long.Parse(lines[3]));
    }

    private static async Task<string> TransmissionHashAsync(string torrent)
    {
        using var p = await ShoalRunner.RunToolAsync("transmission-show", torrent);
        Assert.True(p.ExitCode == 0, $"transmission-show failed: {p.StandardError}");
        var m = TransmissionHashLine().Match(p.StandardOutput);
        Assert.True(m.Success, $"no Hash line in:\n{p.StandardOutput}");
        return m.Groups[1].Value.ToLowerInvariant();
    }

    private static string MakeFolder(TempDir dir)
    {
        string root = dir.Sub("share");
        ShoalRunner.WriteRandomFile(Path.Combine(root, "a.bin"), 40_000, 1);
        ShoalRunner.WriteRandomFile(Path.Combine(root, "sub", "b.bin"), 123_457, 2);
        ShoalRunner.WriteRandomFile(Path.Combine(root, "sub", "deeper", "c.txt"), 9, 3);
        ShoalRunner.WriteRandomFile(Path.Combine(root, "z.bin"), 65_536, 4);
        return root;
    }

    [Fact]
    public async Task Single_file_torrent_is_accepted_by_libtorrent_and_transmission_with_the_same_hash()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "movie.bin");
        ShoalRunner.WriteRandomFile(data, 1_000_003, 5);
        string torrent = Path.Combine(dir.Path, "movie.torrent");
        string hash = await CreateAsync(data, torrent, "-t", "http://127.0.0.1:1/announce", "--comment", "interop");

        var lt = await LibtorrentAsync(torrent);
        Assert.Equal(hash, lt.Hash);
        Assert.Equal(1_000_003, lt.Size);
        Assert.Equal(1, lt.Files);
        Assert.Equal(hash, await TransmissionHashAsync(torrent));
    }

    [Fact]
    public async Task Folder_torrent_with_options_is_accepted_by_libtorrent_and_transmission_with_the_same_hash()
    {
        using var dir = new TempDir();
        string root = MakeFolder(dir);
        string torrent = Path.Combine(dir.Path, "share.torrent");
        string hash = await CreateAsync(root, torrent, "-t", "http://127.0.0.1:1/announce", "-t", "udp://127.0.0.1:2",
            "--piece-size", "32K", "--private", "-w", "http://127.0.0.1:3/", "--no-date");

        var lt = await LibtorrentAsync(torrent);
        Assert.Equal(hash, lt.Hash);
        Assert.Equal(4, lt.Files);
        Assert.Equal(40_000 + 123_457 + 9 + 65_536, lt.Size);
        Assert.Equal((lt.Size + 32_767) / 32_768, lt.Pieces);
        Assert.Equal(hash, await TransmissionHashAsync(torrent));
    }

    [Fact]
    public async Task Mktorrent_torrent_reads_the_same_in_shoal_and_transmission()
    {
        using var dir = new TempDir();
        string root = MakeFolder(dir);
        string torrent = Path.Combine(dir.Path, "mk.torrent");
        using (var mk = await ShoalRunner.RunToolAsync("mktorrent", "-a", "http://127.0.0.1:1/announce", "-l", "15", "-o", torrent, root))
        {
            Assert.True(mk.ExitCode == 0, $"mktorrent failed: {mk.StandardError}");
        }
        using var info = await ShoalRunner.InfoJsonAsync(torrent);
        string hash = info.RootElement.GetProperty("infoHash").GetString()!;
        Assert.Equal(await TransmissionHashAsync(torrent), hash);
        Assert.Equal(4, info.RootElement.GetProperty("files").GetArrayLength());
        Assert.Equal(32_768, info.RootElement.GetProperty("pieceLength").GetInt32());
    }

    [Fact]
    public async Task Same_input_and_options_give_the_same_info_hash_as_mktorrent()
    {
        // Both order files by path and write canonical bencode, so the info dictionaries should agree byte for byte
        // (mktorrent has no private flag here; neither writes one).
        using var dir = new TempDir();
        string root = MakeFolder(dir);
        string mkTorrent = Path.Combine(dir.Path, "mk.torrent");
        using (var mk = await ShoalRunner.RunToolAsync("mktorrent", "-l", "15", "-o", mkTorrent, root))
        {
            Assert.True(mk.ExitCode == 0, $"mktorrent failed: {mk.StandardError}");
        }
        string ours = await CreateAsync(root, Path.Combine(dir.Path, "ours.torrent"), "--piece-size", "32768");
        Assert.Equal(await TransmissionHashAsync(mkTorrent), ours);
    }

    [Fact]
    public async Task Create_json_reports_the_hash_libtorrent_computes()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "d.bin");
        ShoalRunner.WriteRandomFile(data, 300_000, 6);
        string torrent = Path.Combine(dir.Path, "d.torrent");
        using var p = await ShoalRunner.RunAsync("create", data, "-o", torrent, "--json");
        Assert.True(p.ExitCode == 0, p.StandardError);
        using var doc = JsonDocument.Parse(p.StandardOutput);
        Assert.Equal((await LibtorrentAsync(torrent)).Hash, doc.RootElement.GetProperty("infoHash").GetString());
        Assert.Equal(torrent, doc.RootElement.GetProperty("output").GetString());
    }
}
