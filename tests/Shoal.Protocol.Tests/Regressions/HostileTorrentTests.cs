using System.Text;
using Shoal.Bencoding;
using Shoal.Protocol.Metainfo;
using static Shoal.Protocol.Tests.Regressions.HostileTorrent;

namespace Shoal.Protocol.Tests.Regressions;

/// <summary>
/// Hostile .torrent files (fuzzing work, issue "Nothing lost, nothing let in"): bombs and lies are refused with
/// <see cref="MetainfoException"/>; hostile paths are refused or neutralised; none of it allocates more than a few MB.
/// </summary>
public class HostileTorrentTests
{
    private static void AssertRefusedCheaply(byte[] bytes)
    {
        var torrent = ParseMeasured(bytes, out long allocated);
        Assert.Null(torrent);
        Assert.True(allocated < AllocationBudget, $"allocated {allocated} bytes for a {bytes.Length}-byte torrent");
    }

    [Fact]
    public void Nesting_bomb_of_100k_levels_is_refused()
    {
        var bomb = "d4:infod4:name1:x6:pieces0:12:piece lengthi16384e6:lengthi1e5:extra"
            + new string('l', 100_000) + new string('e', 100_000) + "ee";
        AssertRefusedCheaply(Encoding.ASCII.GetBytes(bomb));
    }

    [Fact]
    public void Nesting_bomb_as_the_whole_file_is_refused()
    {
        AssertRefusedCheaply(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("d1:a", 100_000))));
    }

    [Theory]
    [InlineData("d4:infod6:pieces4611686018427387904:")]
    [InlineData("d8:announce4611686018427387904:http://x4:infode")]
    [InlineData("d4:infod4:name4611686018427387904:x12:piece lengthi16384e6:lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee")]
    public void String_length_of_2_pow_62_is_refused(string text)
    {
        AssertRefusedCheaply(Encoding.ASCII.GetBytes(text));
    }

    public static TheoryData<long, int, int> PieceMismatches() => new()
    {
        { 40_000, 16384, 2 },                  // one hash short
        { 40_000, 16384, 4 },                  // one hash too many
        { 40_000, 16384, 0 },                  // no hashes at all
        { 1L << 62, 16384, 1 },                // enormous length, one hash: must not size anything by the length
        { long.MaxValue, 1, 1 },
        { 1, 16384, 1_000 },                   // tiny file, many hashes
    };

    [Theory]
    [MemberData(nameof(PieceMismatches))]
    public void Piece_count_that_does_not_match_the_length_is_refused(long length, int pieceLength, int hashes)
    {
        var info = new BDictionary
        {
            ["name"] = new BString("x"),
            ["piece length"] = new BInteger(pieceLength),
            ["length"] = new BInteger(length),
            ["pieces"] = new BString(new byte[20 * hashes]),
        };
        AssertRefusedCheaply(Torrent(info));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-16384)]
    [InlineData(long.MinValue)]
    [InlineData(1L << 40)]
    public void Absurd_piece_lengths_are_refused(long pieceLength)
    {
        var info = new BDictionary
        {
            ["name"] = new BString("x"),
            ["piece length"] = new BInteger(pieceLength),
            ["length"] = new BInteger(1),
            ["pieces"] = new BString(new byte[20]),
        };
        AssertRefusedCheaply(Torrent(info));
    }

    [Fact]
    public void File_lengths_that_overflow_when_added_are_refused()
    {
        var info = MultiFileInfo("x", (P("a"), long.MaxValue), (P("b"), 2));
        info["pieces"] = new BString(new byte[20]);
        AssertRefusedCheaply(Torrent(info));
    }

    [Fact]
    public void Negative_file_length_is_refused()
    {
        var info = MultiFileInfo("x", (P("a"), 20_000), (P("b"), -1));
        AssertRefusedCheaply(Torrent(info));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("/etc/x")]
    [InlineData("a/b")]
    public void The_builder_makes_torrents_that_parse_so_the_hostile_cases_test_paths_not_syntax(string hostile)
    {
        // Without this, every hostile case could be "refused" for an unrelated mistake in how it was built.
        Assert.NotNull(ParseMeasured(Torrent(MultiFileInfo("t", (P("a"), 5), (P("ok"), 5))), out _));
        var neutralised = ParseMeasured(Torrent(MultiFileInfo("t", (P(hostile, "x"), 5), (P("ok"), 5))), out _);
        Assert.NotNull(neutralised);
        Assert.DoesNotContain(neutralised.Files, f => f.PathComponents.Contains(hostile));
    }

    public static TheoryData<string[]> HostileComponents() => new()
    {
        new[] { ".." },
        new[] { "..", "x" },
        new[] { "a", "..", "..", "..", "etc", "passwd" },
        new[] { "/etc/x" },
        new[] { "/", "etc", "x" },
        new[] { "C:\\x" },
        new[] { "C:", "x" },
        new[] { "\\\\server\\share\\x" },
        new[] { "a/../../b" },
        new[] { "a\\..\\..\\b" },
        new[] { "a\0b" },
        new[] { "x\0/../../etc" },
        new[] { "." },
        new[] { "", "x" },
        new[] { "x", "" },
        new[] { new string('a', 10_000) },
        new[] { string.Concat(Enumerable.Repeat("\u00e9", 5_000)) },   // 10k UTF-8 bytes, 2 per char
        new[] { string.Concat(Enumerable.Repeat("\U0001F600", 3_000)) }, // surrogate pairs must not be split
        new[] { "..\u2215..\u2215x" },                                    // division slash, not a separator
        new[] { "con", "x" },
    };

    [Theory]
    [MemberData(nameof(HostileComponents))]
    public void Hostile_path_components_are_refused_or_neutralised(string[] path)
    {
        AssertRefusedOrNeutralised(Torrent(MultiFileInfo("t", (P(path), 5), (P("ok"), 5))));
    }

    [Theory]
    [MemberData(nameof(HostileComponents))]
    public void Hostile_names_are_refused_or_neutralised(string[] path)
    {
        string name = string.Join("/", path);
        AssertRefusedOrNeutralised(Torrent(MultiFileInfo(name, (P("a"), 5))));
        var single = new BDictionary
        {
            ["name"] = new BString(name),
            ["piece length"] = new BInteger(16384),
            ["length"] = new BInteger(5),
            ["pieces"] = new BString(new byte[20]),
        };
        AssertRefusedOrNeutralised(Torrent(single));
    }

    public static TheoryData<string[], string[]> CollidingPairs() => new()
    {
        { new[] { "a/b" }, new[] { "a_b" } },
        { new[] { "a/b" }, new[] { "a", "b" } },
        { new[] { "a\\b" }, new[] { "a_b" } },
        { new[] { "a\0b" }, new[] { "a_b" } },
        { new[] { "..", "x" }, new[] { "x" } },
        { new[] { "..", "x" }, new[] { "_", "x" } },
        { new[] { new string('a', 10_000) }, new[] { new string('a', 10_001) } },
        { new[] { new string('a', 300) + "1" }, new[] { new string('a', 300) + "2" } },
    };

    [Theory]
    [MemberData(nameof(CollidingPairs))]
    public void Names_colliding_after_sanitising_are_refused_or_kept_apart(string[] first, string[] second)
    {
        AssertRefusedOrNeutralised(Torrent(MultiFileInfo("t", (P(first), 5), (P(second), 7))));
    }

    [Fact]
    public void Ten_thousand_files_colliding_after_sanitising_stay_cheap()
    {
        var files = Enumerable.Range(0, 10_000).Select(i => (P(i % 2 == 0 ? "a/b" : "a\\b"), 1L)).ToArray();
        AssertRefusedOrNeutralised(Torrent(MultiFileInfo("t", files)));
    }

    [Fact]
    public void Ten_thousand_deep_path_is_refused_or_neutralised()
    {
        var path = Enumerable.Repeat("..", 10_000).Append("x").ToArray();
        AssertRefusedOrNeutralised(Torrent(MultiFileInfo("t", (P(path), 1))));
    }
}
