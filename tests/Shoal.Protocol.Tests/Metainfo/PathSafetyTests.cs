using System.Text;
using Shoal.Bencoding;
using Shoal.Protocol.Metainfo;
using static Shoal.Protocol.Tests.Metainfo.TestTorrents;

namespace Shoal.Protocol.Tests.Metainfo;

public class PathSafetyTests
{
    public static TheoryData<string[]> HostilePaths() => new()
    {
        new[] { "..", "..", "etc", "passwd" },
        new[] { "foo/../../../bar" },
        new[] { "/etc/passwd" },
        new[] { "\\", "\\", "bar" },
        new[] { "C:\\Windows", "evil.dll" },
        new[] { "C:", "evil" },
        new[] { "..\\..\\x" },
        new[] { ".", "", "..", "x" },
        new[] { "a\u0001b", "c\td", "e\u007f" },
        new[] { "CON", "aux.txt", "x" },
        new[] { "x<>:\"|?*y" },
        new[] { "~", "..", "." },
    };

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void Hostile_file_paths_stay_under_the_root(string[] path)
    {
        var info = MultiInfo("folder", (P(path), 10), (P("ok.txt"), 5));
        var meta = TorrentMetainfo.Parse(Torrent(info));
        PathSafety.AssertStaysUnderRoot(meta);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("../../x")]
    [InlineData("C:\\x")]
    [InlineData("")]
    public void Hostile_names_are_neutralised_for_single_and_multi_file(string name)
    {
        var single = TorrentMetainfo.Parse(Torrent(Info(name, 10)));
        PathSafety.AssertStaysUnderRoot(single);
        Assert.DoesNotContain('/', single.Name);
        Assert.DoesNotContain('\\', single.Name);
        Assert.False(single.Name is "" or "." or "..");

        var multi = TorrentMetainfo.Parse(Torrent(MultiInfo(name, (P("a"), 10))));
        PathSafety.AssertStaysUnderRoot(multi);
    }

    [Fact]
    public void Dot_names_fall_back_to_the_info_hash()
    {
        var meta = TorrentMetainfo.Parse(Torrent(Info("..", 10)));
        Assert.Equal(meta.InfoHash.ToHex(), meta.Name);
    }

    [Fact]
    public void Nul_in_a_path_is_refused()
    {
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(MultiInfo("d", (P("a\0b"), 10)))));
        Assert.Contains("NUL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_names_are_cut_to_255_utf8_bytes_on_a_character_boundary()
    {
        string longName = string.Concat(Enumerable.Repeat("é", 300)) + ".mkv"; // 2 bytes each
        var meta = TorrentMetainfo.Parse(Torrent(MultiInfo(longName, (P(new string('a', 400)), 10), (P(longName), 1))));
        foreach (string c in meta.Files.SelectMany(f => f.PathComponents).Append(meta.Name))
        {
            Assert.True(Encoding.UTF8.GetByteCount(c) <= 255, $"{Encoding.UTF8.GetByteCount(c)} bytes");
            Assert.DoesNotContain('\uFFFD', c);
        }
        Assert.EndsWith(".mkv", meta.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Identical_paths_are_refused()
    {
        var info = MultiInfo("d", (P("x", "a.txt"), 10), (P("b.txt"), 3), (P("x", "a.txt"), 5));
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
        Assert.Equal("invalid torrent: two files share the path 'x/a.txt'", ex.Message);
    }

    [Fact]
    public void Paths_are_compared_case_sensitively()
    {
        var meta = TorrentMetainfo.Parse(Torrent(MultiInfo("d", (P("A.txt"), 10), (P("a.txt"), 3))));
        Assert.Equal(["A.txt", "a.txt"], meta.Files.Select(f => f.Path));
    }

    [Fact]
    public void Paths_that_collide_only_after_sanitising_are_renamed()
    {
        var meta = TorrentMetainfo.Parse(Torrent(MultiInfo("d", (P("/", "foo.txt"), 10), (P("\\", "foo.txt"), 3), (P("_", "foo.txt"), 1))));
        Assert.Equal(["_/foo.txt", "_/foo.1.txt", "_/foo.2.txt"], meta.Files.Select(f => f.Path));
        Assert.Contains(meta.Quirks, q => q.Contains("renamed", StringComparison.Ordinal));
    }

    [Fact]
    public void Renaming_long_colliding_names_keeps_them_distinct_and_short()
    {
        string stem = new string('x', 300);
        var meta = TorrentMetainfo.Parse(Torrent(MultiInfo("d",
            (P("/" + stem + ".txt"), 1), (P("\\" + stem + ".txt"), 1), (P(":" + stem + ".txt"), 1))));
        Assert.Equal(3, meta.Files.Select(f => f.Path).Distinct().Count());
        Assert.All(meta.Files, f => Assert.True(Encoding.UTF8.GetByteCount(f.PathComponents[^1]) <= 255));
        Assert.EndsWith(".2.txt", meta.Files[2].Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_is_both_file_and_folder_is_refused()
    {
        var info = MultiInfo("d", (P("a"), 10), (P("a", "b"), 3));
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
        Assert.Contains("both a file and a folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlink_targets_are_sanitised()
    {
        var info = MultiInfo("d", (P("real"), 10), (P("link"), 0));
        var link = (BDictionary)((BList)info.Get("files")!)[1];
        link["attr"] = "l";
        link["symlink path"] = new BList(P("..", "..", "etc", "passwd"));
        var meta = TorrentMetainfo.Parse(Torrent(info));
        Assert.Equal(["etc", "passwd"], meta.Files[1].SymlinkTarget);
    }
}
