using System.Security.Cryptography;
using Shoal.Bencoding;
using Shoal.Protocol.Metainfo;
using static Shoal.Protocol.Tests.Metainfo.TestTorrents;

namespace Shoal.Protocol.Tests.Metainfo;

public class TorrentMetainfoTests
{
    [Fact]
    public void Single_file_torrent_parses_all_fields()
    {
        var info = Info("movie.mkv", 40000);
        info["private"] = 1;
        byte[] bytes = Torrent(info, top =>
        {
            top["announce-list"] = new BList([new BList(["http://a/ann", " http://b/ann "]), new BList([]), new BList(["udp://c:80"])]);
            top["url-list"] = "http://seed.example/movie.mkv";
            top["creation date"] = 1_700_000_000;
            top["created by"] = "test";
            top["comment"] = "hello";
        });

        var meta = TorrentMetainfo.Parse(bytes);

        Assert.Equal("movie.mkv", meta.Name);
        Assert.False(meta.IsMultiFile);
        Assert.Equal(40000, meta.TotalLength);
        Assert.Equal(3, meta.PieceCount);
        Assert.Equal("movie.mkv", Assert.Single(meta.Files).Path);
        Assert.True(meta.IsPrivate);
        Assert.Equal([["http://a/ann", "http://b/ann"], ["udp://c:80"]], meta.AnnounceTiers);
        Assert.Equal(["http://seed.example/movie.mkv"], meta.WebSeeds);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), meta.CreationDate);
        Assert.Equal("test", meta.CreatedBy);
        Assert.Equal("hello", meta.Comment);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(BencodeWriter.Encode(info))), meta.InfoHash.ToHex());
    }

    [Fact]
    public void Announce_is_the_single_tier_without_announce_list()
    {
        var meta = TorrentMetainfo.Parse(Torrent(Info("a", 1)));
        Assert.Equal([["http://tracker.example/announce"]], meta.AnnounceTiers);
    }

    [Fact]
    public void Info_hash_is_over_the_raw_span_even_when_keys_are_unsorted()
    {
        // "pieces" before "piece length": unsorted, so re-encoding would change the hash.
        string infoText = "d6:lengthi5e4:name1:a6:pieces20:" + new string('x', 20) + "12:piece lengthi16384ee";
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes("d4:info" + infoText + "e\n");
        var meta = TorrentMetainfo.Parse(bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(System.Text.Encoding.ASCII.GetBytes(infoText))), meta.InfoHash.ToHex());
        Assert.Contains(meta.Quirks, q => q.Contains("trailing", StringComparison.Ordinal));
        Assert.Contains(meta.Quirks, q => q.Contains("not sorted", StringComparison.Ordinal));
    }

    [Fact]
    public void From_info_dictionary_hashes_the_given_bytes()
    {
        byte[] raw = BencodeWriter.Encode(Info("x.bin", 100));
        var meta = TorrentMetainfo.FromInfoDictionary(raw);
        Assert.Equal(InfoHash.Compute(raw), meta.InfoHash);
        Assert.Empty(meta.AnnounceTiers);
        Assert.Throws<MetainfoException>(() => TorrentMetainfo.FromInfoDictionary(raw.Append((byte)'x').ToArray()));
    }

    [Theory]
    [InlineData("piece length", "'piece length' is missing or not a positive integer")]
    [InlineData("name", "'name' is missing or not a string")]
    [InlineData("pieces", "'pieces' is missing, empty or not a string")]
    [InlineData("length", "'length' is missing")]
    public void Missing_key_is_named(string key, string expected)
    {
        var info = Info("a", 10);
        var stripped = new BDictionary();
        foreach (var (k, v) in info.Entries.Where(e => e.Key.ToString() != key))
        {
            stripped.Set(k, v);
        }
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(stripped)));
        Assert.StartsWith("invalid torrent: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("le")]
    [InlineData("i3e")]
    [InlineData("d4:infoi1ee")]
    [InlineData("d4:info3:abce")]
    [InlineData("")]
    [InlineData("d4:infod")]
    [InlineData("lllllllllllllllllllllllll")]
    public void Non_metainfo_input_is_refused_with_metainfo_exception(string text)
    {
        var ex = Record.Exception(() => TorrentMetainfo.Parse(System.Text.Encoding.ASCII.GetBytes(text)));
        Assert.IsType<MetainfoException>(ex);
    }

    [Fact]
    public void Wrong_piece_count_is_refused()
    {
        var info = Info("a", 40000);
        info["pieces"] = new BString(new byte[40]);
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
        Assert.Contains("holds 2 hashes but the length needs 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absurd_piece_count_is_refused_without_allocating()
    {
        var info = Info("a", 1);
        info["length"] = 1L << 50;
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
        Assert.Contains("too many pieces", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pieces_not_a_multiple_of_20_is_refused()
    {
        var info = Info("a", 10);
        info["pieces"] = new BString(new byte[21]);
        Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
    }

    [Fact]
    public void Total_length_overflow_is_refused()
    {
        var info = MultiInfo("d", (P("a"), long.MaxValue), (P("b"), 10));
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
        Assert.Contains("overflows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_critical_key_in_info_is_refused()
    {
        string info = "d6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:" + new string('x', 20)
            + "6:pieces20:" + new string('y', 20) + "e";
        var ex = Assert.Throws<MetainfoException>(() =>
            TorrentMetainfo.Parse(System.Text.Encoding.ASCII.GetBytes("d4:info" + info + "e")));
        Assert.Contains("'pieces' twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_only_torrent_gets_the_exact_message()
    {
        var info = new BDictionary();
        info["name"] = "a";
        info["piece length"] = 16384;
        info["meta version"] = 2;
        info["file tree"] = new BDictionary();
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
        Assert.Equal("BitTorrent v2 is not supported yet", ex.Message);
    }

    [Fact]
    public void Hybrid_whose_v2_tree_disagrees_is_refused_and_consistent_one_parses()
    {
        var info = Info("file.bin", 20000);
        info["meta version"] = 2;
        var leaf = new BDictionary();
        leaf["length"] = 20000;
        leaf["pieces root"] = new BString(new byte[32]);
        var entry = new BDictionary();
        entry[""] = leaf;
        var tree = new BDictionary();
        tree["file.bin"] = entry;
        info["file tree"] = tree;
        Assert.True(TorrentMetainfo.Parse(Torrent(info)).IsHybrid);

        leaf["length"] = 20001;
        var ex = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));
        Assert.Contains("v1 and v2 file lists", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pad_files_are_flagged_and_utf8_names_preferred()
    {
        var info = MultiInfo("raw", (P("a.bin"), 100), (P(".pad", "16284"), 16284), (P("b.bin"), 5));
        info["name.utf-8"] = "nice name";
        var files = (BList)info.Get("files")!;
        ((BDictionary)files[1])["attr"] = "p";
        ((BDictionary)files[2])["path.utf-8"] = new BList(P("b-utf8.bin"));
        var meta = TorrentMetainfo.Parse(Torrent(info));
        Assert.Equal("nice name", meta.Name);
        Assert.True(meta.Files[1].IsPadding);
        Assert.Equal(16384, meta.Files[2].Offset);
        Assert.Equal("b-utf8.bin", meta.Files[2].Path);
    }

    [Fact]
    public void Invalid_utf8_is_decoded_with_replacement()
    {
        var info = Info("x", 10);
        info["name"] = new BString(new byte[] { (byte)'a', 0xff, 0xfe, (byte)'b' });
        var meta = TorrentMetainfo.Parse(Torrent(info));
        Assert.Equal("a\uFFFD\uFFFDb", meta.Name);
    }
}
