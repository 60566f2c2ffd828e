using System.Security.Cryptography;
using Shoal.Bencoding;
using Shoal.Engine.Creation;

namespace Shoal.Engine.Tests.Creation;

public class TorrentCreatorTests
{
    [Fact]
    public void Folder_torrent_lists_files_in_ordinal_component_order_with_all_fields()
    {
        using var dir = new CreationTempDir();
        string root = Path.Combine(dir.Path, "share");
        var b = dir.Write("share/a/b", 20_000, 1);
        var dot = dir.Write("share/a.txt", 30_000, 2);
        var hidden = dir.Write("share/.hidden", 5, 3);
        var upper = dir.Write("share/Z", 7, 4);

        var created = TorrentCreator.Create(new TorrentCreationOptions
        {
            SourcePath = root,
            TrackerTiers = [["http://t1/announce", "http://t1b/announce"], ["udp://t2:80"]],
            PieceLength = 16 * 1024,
            IsPrivate = true,
            Comment = "hi",
            WebSeeds = ["http://ws/"],
            CreationDate = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
            Workers = 2,
        });

        var torrent = BencodeReader.DecodeDictionary(created.TorrentFile);
        var info = torrent.Get<BDictionary>("info")!;
        Assert.Equal("http://t1/announce", torrent.Get<BString>("announce")!.ToUtf8String());
        Assert.Equal(2, torrent.Get<BList>("announce-list")!.Count);
        Assert.Equal("http://ws/", ((BString)torrent.Get<BList>("url-list")![0]).ToUtf8String());
        Assert.Equal("hi", torrent.Get<BString>("comment")!.ToUtf8String());
        Assert.Equal("Shoal/0.1", torrent.Get<BString>("created by")!.ToUtf8String());
        Assert.Equal(1_700_000_000, torrent.Get<BInteger>("creation date")!.Value);
        Assert.Equal(1, info.Get<BInteger>("private")!.Value);
        Assert.Equal("share", info.Get<BString>("name")!.ToUtf8String());
        Assert.Null(info.Get("length"));

        var paths = info.Get<BList>("files")!.Items.Cast<BDictionary>()
            .Select(f => string.Join('/', f.Get<BList>("path")!.Items.Cast<BString>().Select(s => s.ToUtf8String())))
            .ToList();
        // '.' < 'Z' < 'a'; "a" (a folder) sorts before "a.txt" because components compare, not whole strings.
        Assert.Equal([".hidden", "Z", "a/b", "a.txt"], paths);

        byte[] concat = [.. hidden, .. upper, .. b, .. dot];
        Assert.Equal(concat.Length, created.TotalLength);
        byte[] firstPiece = SHA1.HashData(concat.AsSpan(0, 16 * 1024));
        Assert.Equal(firstPiece, info.Get<BString>("pieces")!.Span[..20].ToArray());
        Assert.Equal(SHA1.HashData(info.Raw.Span), created.InfoHash.Span.ToArray());
    }

    [Fact]
    public void Single_file_torrent_has_length_and_no_optional_keys_by_default()
    {
        using var dir = new CreationTempDir();
        dir.Write("movie.bin", 50_000, 5);
        var created = TorrentCreator.Create(new TorrentCreationOptions { SourcePath = Path.Combine(dir.Path, "movie.bin") });
        var torrent = BencodeReader.DecodeDictionary(created.TorrentFile);
        var info = torrent.Get<BDictionary>("info")!;
        Assert.Equal(50_000, info.Get<BInteger>("length")!.Value);
        Assert.Null(info.Get("files"));
        Assert.Null(info.Get("private"));
        Assert.Null(torrent.Get("announce"));
        Assert.Null(torrent.Get("creation date"));
        Assert.Equal(16 * 1024, created.PieceLength);
        Assert.Equal(4, created.PieceCount);
    }

    [Fact]
    public void One_tracker_gives_announce_without_announce_list()
    {
        using var dir = new CreationTempDir();
        dir.Write("x", 10, 6);
        var created = TorrentCreator.Create(new TorrentCreationOptions
        {
            SourcePath = Path.Combine(dir.Path, "x"),
            TrackerTiers = [["http://only/announce"]],
        });
        var torrent = BencodeReader.DecodeDictionary(created.TorrentFile);
        Assert.NotNull(torrent.Get("announce"));
        Assert.Null(torrent.Get("announce-list"));
    }

    [Fact]
    public void Empty_folder_and_zero_size_input_are_refused()
    {
        using var dir = new CreationTempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        dir.Write("zeros/a", 0, 7);
        Assert.Throws<TorrentCreationException>(() =>
            TorrentCreator.Create(new TorrentCreationOptions { SourcePath = Path.Combine(dir.Path, "empty") }));
        Assert.Throws<TorrentCreationException>(() =>
            TorrentCreator.Create(new TorrentCreationOptions { SourcePath = Path.Combine(dir.Path, "zeros") }));
        Assert.Throws<TorrentCreationException>(() =>
            TorrentCreator.Create(new TorrentCreationOptions { SourcePath = Path.Combine(dir.Path, "missing") }));
    }

    [Fact]
    public void Bad_piece_length_is_refused()
    {
        using var dir = new CreationTempDir();
        dir.Write("x", 10, 8);
        Assert.Throws<TorrentCreationException>(() => TorrentCreator.Create(new TorrentCreationOptions
        {
            SourcePath = Path.Combine(dir.Path, "x"),
            PieceLength = 20_000,
        }));
    }

    [Fact]
    public void Symlinked_files_are_followed_and_symlink_loops_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var dir = new CreationTempDir();
        dir.Write("outside", 100, 9);
        dir.Write("share/real", 50, 10);
        File.CreateSymbolicLink(Path.Combine(dir.Path, "share", "link"), Path.Combine(dir.Path, "outside"));
        var created = TorrentCreator.Create(new TorrentCreationOptions { SourcePath = Path.Combine(dir.Path, "share") });
        Assert.Equal(150, created.TotalLength);
        Assert.Equal(["link", "real"], created.Files.Select(f => f.Path));

        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "share", "loop"), Path.Combine(dir.Path, "share"));
        var ex = Assert.Throws<TorrentCreationException>(() =>
            TorrentCreator.Create(new TorrentCreationOptions { SourcePath = Path.Combine(dir.Path, "share") }));
        Assert.Contains("loop", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_symlink_is_refused_not_skipped()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var dir = new CreationTempDir();
        dir.Write("share/real", 50, 11);
        File.CreateSymbolicLink(Path.Combine(dir.Path, "share", "dangling"), Path.Combine(dir.Path, "nowhere"));
        var ex = Assert.Throws<TorrentCreationException>(() =>
            TorrentCreator.Create(new TorrentCreationOptions { SourcePath = Path.Combine(dir.Path, "share") }));
        Assert.Contains("broken symlink", ex.Message, StringComparison.Ordinal);
    }
}
